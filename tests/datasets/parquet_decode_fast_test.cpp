// The reader's fast paths against plain reference code: bulk bit-unpacking (32 values per step,
// width a compile-time constant) against a bit-by-bit unpacker, the dictionary gather's fixed-size
// copies against one memcpy per value, on random widths, lengths, offsets and dictionaries; and
// columns decoded on several threads, and streamed page by page in batches of any size, against
// the one-thread whole-range read (itself checked against hyparquet/parquet-wasm by the oracle test).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <snappy.h>

#include "datasets/parquet/rle_hybrid.h"
#include "datasets/parquet/snappy_decode.h"
#include "datasets/parquet/value_decoders.h"
#include "mhub/datasets/parquet.h"
#include "mhub/datasets/value.h"

namespace mhub::datasets::parquet {
namespace {

// Bit i of the stream is bit (i % 8) of byte i / 8; value j takes bits [j * w, j * w + w).
std::vector<uint32_t> ReferenceUnpack(const std::vector<uint8_t>& in, int w, uint64_t first_bit, int64_t n) {
  std::vector<uint32_t> out(n);
  for (int64_t j = 0; j < n; ++j) {
    uint32_t v = 0;
    for (int b = 0; b < w; ++b) {
      uint64_t bit = first_bit + static_cast<uint64_t>(j) * w + b;
      v |= static_cast<uint32_t>((in[bit / 8] >> (bit % 8)) & 1) << b;
    }
    out[j] = v;
  }
  return out;
}

TEST(ParquetFastDecode, BulkUnpackEqualsBitByBit) {
  std::mt19937_64 rng(7);
  for (int iter = 0; iter < 4000; ++iter) {
    int w = static_cast<int>(rng() % 33);
    int64_t n = static_cast<int64_t>(rng() % (iter % 10 == 0 ? 3000 : 200));
    // Starts at a value boundary (as the RLE decoder cuts runs), sometimes not byte-aligned.
    uint64_t skip = rng() % 40;
    uint64_t first_bit = skip * static_cast<uint64_t>(w);
    // Exactly the bytes the values need (no slack: the fast path must not read past in_size).
    size_t bytes = static_cast<size_t>((first_bit + static_cast<uint64_t>(n) * w + 7) / 8);
    std::vector<uint8_t> in(bytes);
    for (auto& b : in) b = static_cast<uint8_t>(rng());
    std::vector<uint32_t> got(n + 1, 0xdeadbeef);
    // A heap block of exactly `bytes` so ASan sees any read past it.
    std::unique_ptr<uint8_t[]> exact(new uint8_t[std::max<size_t>(bytes, 1)]);
    if (bytes) std::memcpy(exact.get(), in.data(), bytes);
    UnpackBits(exact.get(), bytes, w, first_bit, n, got.data());
    std::vector<uint32_t> want = ReferenceUnpack(in, w, first_bit, n);
    ASSERT_EQ(got[n], 0xdeadbeef) << "wrote past n, width " << w;
    got.resize(n);
    ASSERT_EQ(got, want) << "width " << w << ", n " << n << ", first bit " << first_bit;
  }
}

// Bit-packed runs through the hybrid decoder, cut into reads of random sizes (so reads start at
// values that are not on a byte boundary).
TEST(ParquetFastDecode, HybridDecoderReadsInRandomPieces) {
  std::mt19937_64 rng(11);
  for (int iter = 0; iter < 500; ++iter) {
    int w = 1 + static_cast<int>(rng() % 32);
    int64_t groups = 1 + static_cast<int64_t>(rng() % 60);
    int64_t n = groups * 8;
    std::vector<uint8_t> data;
    uint64_t h = (static_cast<uint64_t>(groups) << 1) | 1;
    while (h >= 0x80) data.push_back(static_cast<uint8_t>(h | 0x80)), h >>= 7;
    data.push_back(static_cast<uint8_t>(h));
    size_t header = data.size();
    data.resize(header + static_cast<size_t>(groups) * w);
    for (size_t k = header; k < data.size(); ++k) data[k] = static_cast<uint8_t>(rng());
    std::vector<uint8_t> body(data.begin() + static_cast<std::ptrdiff_t>(header), data.end());
    std::vector<uint32_t> want = ReferenceUnpack(body, w, 0, n);
    RleBitPackedDecoder dec(data.data(), data.size(), w);
    std::vector<uint32_t> got(n);
    int64_t at = 0;
    while (at < n) {
      int64_t k = std::min<int64_t>(n - at, 1 + static_cast<int64_t>(rng() % 70));
      ASSERT_EQ(dec.Get(got.data() + at, k), k);
      at += k;
    }
    ASSERT_EQ(got, want) << "width " << w;
  }
}

DenseValues Dictionary(const std::vector<std::string>& words) {
  DenseValues d;
  d.Init(PhysicalType::kByteArray, 0);
  for (const auto& w : words) {
    d.bytes.append(reinterpret_cast<const uint8_t*>(w.data()), w.size());
    d.offsets.push_back(static_cast<int64_t>(d.bytes.size()));
    d.max_length = std::max<int64_t>(d.max_length, static_cast<int64_t>(w.size()));
  }
  d.count = static_cast<int64_t>(words.size());
  d.bytes.reserve(d.bytes.size() + kDictionaryPad);
  std::memset(d.bytes.data() + d.bytes.size(), 0, kDictionaryPad);
  d.padded = true;
  return d;
}

TEST(ParquetFastDecode, DictionaryGatherEqualsOneCopyPerValue) {
  std::mt19937_64 rng(3);
  for (int max_len : {0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 200}) {
    std::vector<std::string> words(1 + rng() % 300);
    for (auto& w : words) {
      w.resize(max_len ? rng() % (max_len + 1) : 0);
      for (auto& c : w) c = static_cast<char>('a' + rng() % 26);
    }
    if (max_len) words[0].assign(max_len, 'z');
    DenseValues dict = Dictionary(words);
    // Two gathers into one output (the second appends after the first).
    DenseValues out;
    out.Init(PhysicalType::kByteArray, 0);
    std::string want;
    std::vector<int64_t> want_offs{0};
    for (int part = 0; part < 2; ++part) {
      int64_t n = static_cast<int64_t>(rng() % 20000);
      std::vector<uint32_t> idx(n);
      for (auto& i : idx) {
        i = static_cast<uint32_t>(rng() % words.size());
        want += words[i];
        want_offs.push_back(static_cast<int64_t>(want.size()));
      }
      GatherDictionary(dict, idx.data(), n, &out);
    }
    ASSERT_EQ(out.count + 1, static_cast<int64_t>(want_offs.size()));
    ASSERT_EQ(std::vector<int64_t>(out.offsets.data(), out.offsets.data() + out.offsets.size()), want_offs)
        << "max length " << max_len;
    ASSERT_EQ(std::string(reinterpret_cast<const char*>(out.bytes.data()), out.bytes.size()), want)
        << "max length " << max_len;
  }
}

// The own Snappy decoder against libsnappy: blocks that libsnappy compressed (random bytes, short
// repeats, runs, int64 columns) decode equal; mutated and truncated blocks are refused by both or
// decode equal in both (the decoder reads and writes only inside its exact-size buffers: ASan).
TEST(ParquetFastDecode, SnappyDecoderEqualsLibsnappy) {
  std::mt19937_64 rng(21);
  for (int iter = 0; iter < 3000; ++iter) {
    std::string raw(static_cast<size_t>(rng() % (iter % 50 == 0 ? 300000 : 3000)), '\0');
    const int kind = iter % 4;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (kind == 0) {
        raw[i] = static_cast<char>(rng());
      } else if (kind == 1) {
        raw[i] = static_cast<char>('a' + rng() % 3);  // short matches, small offsets
      } else if (kind == 2) {
        raw[i] = i > 0 && rng() % 16 ? raw[i - 1] : static_cast<char>(rng());  // runs: offset 1
      } else {
        raw[i] = i % 8 < 5 ? static_cast<char>(rng()) : '\0';  // 40-bit int64 values
      }
    }
    std::string comp;
    snappy::Compress(raw.data(), raw.size(), &comp);
    for (int mutate = 0; mutate < 4; ++mutate) {
      std::string c = comp;
      if (mutate == 1 && !c.empty()) c[rng() % c.size()] = static_cast<char>(rng());
      if (mutate == 2 && !c.empty()) c.resize(rng() % c.size());
      if (mutate == 3 && c.size() > 2) c[1 + rng() % (c.size() - 1)] ^= static_cast<char>(1 << (rng() % 8));
      size_t want_len = 0;
      const bool lib_len = snappy::GetUncompressedLength(c.data(), c.size(), &want_len);
      size_t got_len = 0;
      const bool our_len = SnappyLength(reinterpret_cast<const uint8_t*>(c.data()), c.size(), &got_len);
      ASSERT_EQ(our_len, lib_len) << iter << "/" << mutate;
      if (!lib_len || want_len > (1u << 20)) continue;
      ASSERT_EQ(got_len, want_len);
      std::string want(want_len, '\0');
      const bool lib_ok = snappy::RawUncompress(c.data(), c.size(), want.data());
      std::unique_ptr<uint8_t[]> src(new uint8_t[std::max<size_t>(c.size(), 1)]);
      std::memcpy(src.get(), c.data(), c.size());
      std::unique_ptr<uint8_t[]> dst(new uint8_t[std::max<size_t>(want_len, 1)]);
      const bool ok = SnappyDecode(src.get(), c.size(), dst.get(), want_len);
      ASSERT_EQ(ok, lib_ok) << iter << "/" << mutate;
      if (ok) {
        ASSERT_EQ(std::string(reinterpret_cast<const char*>(dst.get()), want_len), want) << iter;
      }
      if (mutate == 0) {
        ASSERT_EQ(want, raw);
      }
    }
  }
}

// A table of flat and nested columns with nulls: strings (dictionary), ints, a list of ints and a
// struct of a string and a double.
Table RandomTable(int64_t rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Schema schema;
  schema.fields = {
      {"s", String()}, {"i", Int64()}, {"l", List(Int32())}, {"st", Struct({{"a", String()}, {"b", Float64()}})}};
  std::vector<ArrayBuilder> b;
  for (const auto& f : schema.fields) b.emplace_back(f.type);
  for (int64_t r = 0; r < rows; ++r) {
    if (rng() % 10 == 0) {
      b[0].AppendNull();
    } else {
      b[0].AppendBytes("w" + std::to_string(rng() % 300) + std::string(rng() % 40, 'x'));
    }
    if (rng() % 20 == 0) {
      b[1].AppendNull();
    } else {
      b[1].AppendInt(static_cast<int64_t>(rng()));
    }
    if (rng() % 8 == 0) {
      b[2].AppendNull();
    } else {
      b[2].StartList();
      for (uint64_t k = rng() % 5; k > 0; --k) {
        if (rng() % 6 == 0) {
          b[2].Child(0).AppendNull();
        } else {
          b[2].Child(0).AppendInt(static_cast<int32_t>(rng() % 1000));
        }
      }
    }
    if (rng() % 9 == 0) {
      b[3].AppendNull();
    } else {
      b[3].AppendStructValid();
      b[3].Child(0).AppendBytes(std::string(rng() % 7, 'a' + static_cast<char>(rng() % 26)));
      b[3].Child(1).AppendDouble(static_cast<double>(rng() % 100000) / 7.0);
    }
  }
  Table t;
  t.schema = schema;
  t.num_rows = rows;
  for (auto& x : b) t.columns.push_back(x.Finish());
  return t;
}

std::vector<std::string> Rows(const Table& t) {
  std::vector<std::string> out;
  for (int64_t i = 0; i < t.num_rows; ++i) out.push_back(RowToJson(t, i));
  return out;
}

std::vector<std::string> StreamRows(const ParquetFile& f, ParquetReadOptions o) {
  auto reader = f.Stream(o);
  EXPECT_TRUE(reader.ok()) << reader.status();
  std::vector<std::string> out;
  if (!reader.ok()) return out;
  while (true) {
    auto b = (*reader)->Next();
    EXPECT_TRUE(b.ok()) << b.status();
    if (!b.ok() || !*b) break;
    EXPECT_LE((*b)->num_rows, o.batch_rows);
    EXPECT_TRUE((*b)->Validate().ok());
    for (auto& r : Rows(**b)) out.push_back(std::move(r));
  }
  return out;
}

class ParquetParallelStream : public ::testing::TestWithParam<bool> {};

TEST_P(ParquetParallelStream, EqualsOneThreadWholeRangeRead) {
  const bool page_index = GetParam();
  const auto dir = std::filesystem::temp_directory_path() / ("mhub_pq_fast_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "t.parquet").string();
  Table t = RandomTable(30000, page_index ? 5 : 6);
  ParquetWriteOptions w;
  w.row_group_rows = 12000;      // three row groups, the last one short
  w.data_page_bytes = 16 << 10;  // many pages per column chunk
  w.page_index = page_index;
  w.data_page_v2 = !page_index;  // v1 pages with the page index, v2 without
  // Uncompressed: each row group is > 256 KiB, so the threads really split it (smaller ones are
  // decoded on the calling thread).
  w.codec = ParquetCodec::kUncompressed;
  ASSERT_TRUE(WriteParquet(path, t, w).ok());
  auto f = ParquetFile::Open(path);
  ASSERT_TRUE(f.ok()) << f.status();
  const std::vector<std::string> all = Rows(t);
  auto one = f->Read();
  ASSERT_TRUE(one.ok()) << one.status();
  ASSERT_EQ(Rows(*one), all);
  for (int threads : {2, 4}) {
    ParquetReadOptions o;
    o.threads = threads;
    auto many = f->Read(o);
    ASSERT_TRUE(many.ok()) << many.status();
    EXPECT_EQ(Rows(*many), all) << threads << " threads";
  }
  std::mt19937_64 rng(9);
  for (int iter = 0; iter < 24; ++iter) {
    ParquetReadOptions o;
    o.row_begin = static_cast<int64_t>(rng() % 30000);
    o.row_end = iter % 4 == 0 ? -1 : o.row_begin + static_cast<int64_t>(rng() % 20000);
    const int64_t sizes[] = {1, 7, 100, 999, 4096, 12000, int64_t{1} << 30};
    o.batch_rows = sizes[iter % 7];
    if (o.batch_rows == 1 && o.row_end < 0) o.row_end = o.row_begin + 300;  // bounded time
    o.threads = 1 + iter % 3;
    int64_t end = o.row_end < 0 ? 30000 : std::min<int64_t>(o.row_end, 30000);
    std::vector<std::string> want(all.begin() + o.row_begin, all.begin() + std::max(end, o.row_begin));
    ParquetReadOptions whole = o;
    whole.threads = 1;
    auto part = f->Read(whole);
    ASSERT_TRUE(part.ok()) << part.status();
    ASSERT_EQ(Rows(*part), want) << "Read rows [" << o.row_begin << ", " << end << ")";
    EXPECT_EQ(StreamRows(*f, o), want) << "Stream rows [" << o.row_begin << ", " << end << ") in batches of "
                                       << o.batch_rows << ", " << o.threads << " threads";
  }
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(PageIndex, ParquetParallelStream, ::testing::Bool());

}  // namespace
}  // namespace mhub::datasets::parquet
