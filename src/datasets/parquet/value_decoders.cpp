#include "datasets/parquet/value_decoders.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "datasets/parquet/rle_hybrid.h"

namespace mhub::datasets::parquet {

int PhysicalWidth(PhysicalType t, int type_length) {
  switch (t) {
    case PhysicalType::kBoolean:
      return 1;
    case PhysicalType::kInt32:
      return 4;
    case PhysicalType::kInt64:
      return 8;
    case PhysicalType::kInt96:
      return 12;
    case PhysicalType::kFloat:
      return 4;
    case PhysicalType::kDouble:
      return 8;
    case PhysicalType::kByteArray:
      return 0;
    case PhysicalType::kFixedLenByteArray:
      return type_length;
  }
  return 0;
}

void DenseValues::Init(PhysicalType t, int type_length) {
  type = t;
  width = PhysicalWidth(t, type_length);
  count = 0;
  fixed.clear();
  offsets.clear();
  bytes.clear();
  padded = false;
  max_length = 0;
  if (t == PhysicalType::kByteArray) offsets.push_back(0);
}

namespace {

Status Short(const char* what, int64_t n) {
  return Status::Corruption(std::string(what) + ": the page holds fewer than its " + std::to_string(n) + " values");
}

}  // namespace

Status DecodePlain(const uint8_t* data, size_t size, int64_t n, DenseValues* out, size_t* consumed) {
  if (n < 0) return Status::Corruption("PLAIN: negative value count");
  if (out->type == PhysicalType::kBoolean) {
    size_t need = (static_cast<size_t>(n) + 7) / 8;
    if (need > size) return Short("PLAIN booleans", n);
    uint8_t* dst = out->fixed.grow(n);
    for (int64_t i = 0; i < n; ++i) dst[i] = (data[i >> 3] >> (i & 7)) & 1;
    out->count += n;
    if (consumed) *consumed = need;
    return Status::OK();
  }
  if (out->type == PhysicalType::kByteArray) {
    // Each value takes at least its 4-byte length: bounds the reservation by the input.
    if (static_cast<uint64_t>(n) > size / 4) return Short("PLAIN BYTE_ARRAY", n);
    size_t pos = 0;
    int64_t* offs = out->offsets.grow(n);
    int64_t base = out->offsets.data()[out->offsets.size() - n - 1];
    // First pass: validate lengths and compute offsets; second: one copy per value.
    size_t start_bytes = out->bytes.size();
    size_t total = 0;
    size_t p = 0;
    for (int64_t i = 0; i < n; ++i) {
      if (size - p < 4) return Short("PLAIN BYTE_ARRAY", n);
      uint32_t len;
      std::memcpy(&len, data + p, 4);
      p += 4;
      if (len > size - p)
        return Status::Corruption("PLAIN BYTE_ARRAY: value " + std::to_string(i) + " of " + std::to_string(len) +
                                  " bytes runs past the page");
      p += len;
      total += len;
      offs[i] = base + static_cast<int64_t>(total);
    }
    uint8_t* dst = out->bytes.grow(total);
    (void)start_bytes;
    for (int64_t i = 0; i < n; ++i) {
      uint32_t len;
      std::memcpy(&len, data + pos, 4);
      pos += 4;
      if (len) std::memcpy(dst, data + pos, len);
      dst += len;
      pos += len;
    }
    out->count += n;
    if (consumed) *consumed = pos;
    return Status::OK();
  }
  size_t w = static_cast<size_t>(out->width);
  if (w == 0) {
    // FLBA of length 0: nothing stored.
    out->count += n;
    if (consumed) *consumed = 0;
    return Status::OK();
  }
  if (static_cast<uint64_t>(n) > size / w) return Short("PLAIN", n);
  out->fixed.append(data, n * w);
  out->count += n;
  if (consumed) *consumed = n * w;
  return Status::OK();
}

Status DecodeRleBooleans(const uint8_t* data, size_t size, int64_t n, DenseValues* out) {
  if (size < 4) return Status::Corruption("RLE booleans: no length prefix");
  uint32_t len;
  std::memcpy(&len, data, 4);
  if (len > size - 4) return Status::Corruption("RLE booleans: length prefix past the page");
  // One bit per value at best: bound n by the input before reserving.
  if (static_cast<uint64_t>(n) > (static_cast<uint64_t>(len) * 8 + 1) * 64) return Short("RLE booleans", n);
  RleBitPackedDecoder dec(data + 4, len, 1);
  uint8_t* dst = out->fixed.grow(n);
  int64_t got = dec.Get(dst, n);
  if (got != n) return Short("RLE booleans", n);
  out->count += n;
  return Status::OK();
}

namespace {

// DELTA_BINARY_PACKED into int64 values (the INT32 caller narrows; arithmetic wraps as the spec says).
Status DeltaBinaryPackedValues(const uint8_t* data, size_t size, int64_t n, std::vector<int64_t>* vals,
                               size_t* consumed) {
  const uint8_t* p = data;
  const uint8_t* end = data + size;
  uint64_t block_size, miniblocks, total, first_zz;
  if (!ReadUleb128(&p, end, &block_size) || !ReadUleb128(&p, end, &miniblocks) || !ReadUleb128(&p, end, &total) ||
      !ReadUleb128(&p, end, &first_zz)) {
    return Status::Corruption("DELTA_BINARY_PACKED: truncated header");
  }
  if (block_size == 0 || block_size % 128 != 0 || block_size > (1u << 20) || miniblocks == 0 ||
      block_size % miniblocks != 0 || (block_size / miniblocks) % 32 != 0) {
    return Status::Corruption("DELTA_BINARY_PACKED: bad block size " + std::to_string(block_size) + " / " +
                              std::to_string(miniblocks) + " miniblocks");
  }
  // The stream holds exactly the page's values: a larger count would make us walk (and a smaller
  // one misread) data the page does not have.
  if (total != static_cast<uint64_t>(n)) {
    return Status::Corruption("DELTA_BINARY_PACKED: the stream holds " + std::to_string(total) + " values, the page " +
                              std::to_string(n));
  }
  int64_t want = n;
  vals->reserve(vals->size() + want);
  uint64_t prev = (first_zz >> 1) ^ (~(first_zz & 1) + 1);
  if (want > 0) vals->push_back(static_cast<int64_t>(prev));
  int64_t got = want > 0 ? 1 : 0;
  const uint64_t per_mini = block_size / miniblocks;
  std::vector<uint8_t> widths(miniblocks);
  uint32_t lo[256], hi[256];
  // Read all blocks that hold the `total` values (consumed must cover them all, for DLBA/DBA).
  int64_t remaining = static_cast<int64_t>(total) - 1;
  while (remaining > 0) {
    uint64_t md_zz;
    if (!ReadUleb128(&p, end, &md_zz)) return Status::Corruption("DELTA_BINARY_PACKED: truncated block");
    uint64_t min_delta = (md_zz >> 1) ^ (~(md_zz & 1) + 1);
    if (static_cast<uint64_t>(end - p) < miniblocks) return Status::Corruption("DELTA_BINARY_PACKED: truncated block");
    std::memcpy(widths.data(), p, miniblocks);
    p += miniblocks;
    for (uint64_t m = 0; m < miniblocks && remaining > 0; ++m) {
      int w = widths[m];
      if (w > 64) return Status::Corruption("DELTA_BINARY_PACKED: bit width " + std::to_string(w));
      uint64_t bytes = per_mini * w / 8;
      int64_t take = std::min<int64_t>(remaining, static_cast<int64_t>(per_mini));
      // The last miniblock may be cut short by writers that do not pad: use what is there.
      uint64_t avail = static_cast<uint64_t>(end - p);
      if (w > 0 && avail * 8 / w < static_cast<uint64_t>(take)) {
        return Status::Corruption("DELTA_BINARY_PACKED: miniblock past the end");
      }
      size_t in_size = static_cast<size_t>(std::min(bytes, avail));
      for (int64_t off = 0; off < take; off += 256) {
        int64_t k = std::min<int64_t>(256, take - off);
        uint64_t bit0 = static_cast<uint64_t>(off) * w;
        if (w <= 32) {
          UnpackBits(p, in_size, w, bit0, k, lo);
          for (int64_t j = 0; j < k; ++j) {
            prev += min_delta + lo[j];
            if (got < want) vals->push_back(static_cast<int64_t>(prev)), ++got;
          }
        } else {
          // Wide deltas: low 32 bits then the high part, each unpacked at stride w.
          for (int64_t j = 0; j < k; ++j) {
            uint64_t bit = bit0 + static_cast<uint64_t>(j) * w;
            UnpackBits(p, in_size, 32, bit, 1, lo);
            UnpackBits(p, in_size, w - 32, bit + 32, 1, hi);
            uint64_t d = lo[0] | (static_cast<uint64_t>(hi[0]) << 32);
            prev += min_delta + d;
            if (got < want) vals->push_back(static_cast<int64_t>(prev)), ++got;
          }
        }
      }
      remaining -= take;
      p += in_size;
    }
  }
  if (consumed) *consumed = static_cast<size_t>(p - data);
  return Status::OK();
}

}  // namespace

Status DecodeDeltaBinaryPacked(const uint8_t* data, size_t size, int64_t n, DenseValues* out, size_t* consumed) {
  if (out->type != PhysicalType::kInt32 && out->type != PhysicalType::kInt64) {
    return Status::Corruption("DELTA_BINARY_PACKED on a column that is not INT32/INT64");
  }
  std::vector<int64_t> vals;
  Status st = DeltaBinaryPackedValues(data, size, n, &vals, consumed);
  if (!st.ok()) return st;
  if (out->type == PhysicalType::kInt32) {
    int32_t* dst = reinterpret_cast<int32_t*>(out->fixed.grow(n * 4));
    for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<int32_t>(vals[i]);
  } else {
    out->fixed.append(reinterpret_cast<const uint8_t*>(vals.data()), n * 8);
  }
  out->count += n;
  return Status::OK();
}

Status DecodeDeltaLengthByteArray(const uint8_t* data, size_t size, int64_t n, DenseValues* out) {
  if (!out->is_byte_array()) return Status::Corruption("DELTA_LENGTH_BYTE_ARRAY on a column that is not BYTE_ARRAY");
  std::vector<int64_t> lens;
  size_t used = 0;
  MHUB_RETURN_IF_ERROR(DeltaBinaryPackedValues(data, size, n, &lens, &used));
  const uint8_t* p = data + used;
  size_t left = size - used;
  uint64_t total = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (lens[i] < 0) return Status::Corruption("DELTA_LENGTH_BYTE_ARRAY: negative length");
    total += static_cast<uint64_t>(lens[i]);
    if (total > left) return Status::Corruption("DELTA_LENGTH_BYTE_ARRAY: values run past the page");
  }
  int64_t base = out->offsets.back();
  int64_t* offs = out->offsets.grow(n);
  int64_t acc = base;
  for (int64_t i = 0; i < n; ++i) offs[i] = acc += lens[i];
  out->bytes.append(p, total);
  out->count += n;
  return Status::OK();
}

Status DecodeDeltaByteArray(const uint8_t* data, size_t size, int64_t n, DenseValues* out) {
  if (!out->is_byte_array() && out->type != PhysicalType::kFixedLenByteArray) {
    return Status::Corruption("DELTA_BYTE_ARRAY on a column that is not BYTE_ARRAY/FLBA");
  }
  std::vector<int64_t> prefix, suffix;
  size_t used = 0, used2 = 0;
  MHUB_RETURN_IF_ERROR(DeltaBinaryPackedValues(data, size, n, &prefix, &used));
  MHUB_RETURN_IF_ERROR(DeltaBinaryPackedValues(data + used, size - used, n, &suffix, &used2));
  const uint8_t* p = data + used + used2;
  size_t left = size - used - used2;
  std::string prev;
  uint64_t pos = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (prefix[i] < 0 || suffix[i] < 0 || static_cast<uint64_t>(prefix[i]) > prev.size()) {
      return Status::Corruption("DELTA_BYTE_ARRAY: value " + std::to_string(i) + " has a bad prefix/suffix length");
    }
    if (static_cast<uint64_t>(suffix[i]) > left - pos)
      return Status::Corruption("DELTA_BYTE_ARRAY: values run past the page");
    prev.resize(prefix[i]);
    prev.append(reinterpret_cast<const char*>(p + pos), suffix[i]);
    pos += suffix[i];
    if (out->is_byte_array()) {
      out->bytes.append(reinterpret_cast<const uint8_t*>(prev.data()), prev.size());
      out->offsets.push_back(static_cast<int64_t>(out->bytes.size()));
    } else {
      if (prev.size() != static_cast<size_t>(out->width)) {
        return Status::Corruption("DELTA_BYTE_ARRAY: FIXED_LEN_BYTE_ARRAY value of the wrong length");
      }
      out->fixed.append(reinterpret_cast<const uint8_t*>(prev.data()), prev.size());
    }
  }
  out->count += n;
  return Status::OK();
}

Status DecodeByteStreamSplit(const uint8_t* data, size_t size, int64_t n, DenseValues* out) {
  if (out->is_byte_array() || out->type == PhysicalType::kBoolean || out->width == 0) {
    return Status::Corruption("BYTE_STREAM_SPLIT on a column without a fixed width");
  }
  size_t w = static_cast<size_t>(out->width);
  if (static_cast<uint64_t>(n) > size / w) return Short("BYTE_STREAM_SPLIT", n);
  // Streams are size / w long (the page's value count; with nulls, n may be smaller than that only
  // when the page holds exactly n values, so the stride is size / w).
  size_t stride = size / w;
  uint8_t* dst = out->fixed.grow(n * w);
  for (size_t b = 0; b < w; ++b) {
    const uint8_t* src = data + b * stride;
    for (int64_t i = 0; i < n; ++i) dst[i * w + b] = src[i];
  }
  out->count += n;
  return Status::OK();
}

void GatherDictionary(const DenseValues& dict, const uint32_t* idx, int64_t n, DenseValues* out) {
  if (dict.is_byte_array()) {
    const int64_t* doffs = dict.offsets.data();
    const uint8_t* dbytes = dict.bytes.data();
    int64_t base = out->offsets.back();
    int64_t* offs = out->offsets.grow(n);
    if (dict.padded && dict.max_length <= kDictionaryPad) {
      // One pass: every entry moves as one fixed copy of 16, 32 or 64 bytes (the dictionary keeps
      // kDictionaryPad readable bytes past its end), in blocks whose room is bounded by
      // block * max_length bytes.
      const int64_t max_len = dict.max_length;
      const auto run = [&](auto copy_tag) {
        constexpr size_t C = decltype(copy_tag)::value;
        for (int64_t at = 0; at < n;) {
          const int64_t m = std::min<int64_t>(n - at, 8192);
          out->bytes.reserve(out->bytes.size() + static_cast<size_t>(m * max_len) + C);
          uint8_t* start = out->bytes.data() + out->bytes.size();
          uint8_t* dst = start;
          const int64_t block_base = base;
          for (int64_t i = at; i < at + m; ++i) {
            const uint32_t k = idx[i];
            const int64_t b = doffs[k];
            std::memcpy(dst, dbytes + b, C);
            dst += doffs[k + 1] - b;
            offs[i] = block_base + (dst - start);
          }
          out->bytes.grow(static_cast<size_t>(dst - start));
          base += dst - start;
          at += m;
        }
      };
      if (max_len <= 16) {
        run(std::integral_constant<size_t, 16>());
      } else if (max_len <= 32) {
        run(std::integral_constant<size_t, 32>());
      } else {
        run(std::integral_constant<size_t, 64>());
      }
      out->count += n;
      return;
    }
    int64_t acc = base;
    for (int64_t i = 0; i < n; ++i) offs[i] = acc += doffs[idx[i] + 1] - doffs[idx[i]];
    // Short strings move as one fixed 16-byte copy when the dictionary is padded; the output
    // reserves 16 bytes of slack.
    size_t total = static_cast<size_t>(acc - base);
    out->bytes.reserve(out->bytes.size() + total + 16);
    uint8_t* dst = out->bytes.grow(total);
    for (int64_t i = 0; i < n; ++i) {
      int64_t b = doffs[idx[i]], len = doffs[idx[i] + 1] - b;
      if (len <= 16 && dict.padded) {
        std::memcpy(dst, dbytes + b, 16);  // within the dictionary's kDictionaryPad bytes of slack
      } else {
        std::memcpy(dst, dbytes + b, len);
      }
      dst += len;
    }
  } else {
    size_t w = static_cast<size_t>(dict.width);
    uint8_t* dst = out->fixed.grow(n * w);
    const uint8_t* src = dict.fixed.data();
    switch (w) {
      case 4:
        for (int64_t i = 0; i < n; ++i) std::memcpy(dst + i * 4, src + static_cast<size_t>(idx[i]) * 4, 4);
        break;
      case 8:
        for (int64_t i = 0; i < n; ++i) std::memcpy(dst + i * 8, src + static_cast<size_t>(idx[i]) * 8, 8);
        break;
      default:
        for (int64_t i = 0; i < n; ++i) std::memcpy(dst + i * w, src + static_cast<size_t>(idx[i]) * w, w);
    }
  }
  out->count += n;
}

void GatherDictionarySpread(const DenseValues& dict, const uint32_t* idx, const int16_t* def, int16_t max_def,
                            int64_t n, DenseValues* out) {
  if (dict.is_byte_array()) {
    const int64_t* doffs = dict.offsets.data();
    const uint8_t* dbytes = dict.bytes.data();
    int64_t* offs = out->offsets.grow(n);
    int64_t base = out->offsets.data()[out->offsets.size() - n - 1];
    if (dict.padded && dict.max_length <= kDictionaryPad) {
      // As GatherDictionary: one fixed 16/32/64-byte copy per value, blocks of bounded room.
      const int64_t max_len = dict.max_length;
      const auto run = [&](auto copy_tag) {
        constexpr size_t C = decltype(copy_tag)::value;
        const uint32_t* k = idx;
        for (int64_t at = 0; at < n;) {
          const int64_t m = std::min<int64_t>(n - at, 8192);
          out->bytes.reserve(out->bytes.size() + static_cast<size_t>(m * max_len) + C);
          uint8_t* start = out->bytes.data() + out->bytes.size();
          uint8_t* dst = start;
          const int64_t block_base = base;
          for (int64_t i = at; i < at + m; ++i) {
            if (def[i] == max_def) {
              const int64_t b = doffs[*k];
              std::memcpy(dst, dbytes + b, C);
              dst += doffs[*k + 1] - b;
              ++k;
            }
            offs[i] = block_base + (dst - start);
          }
          out->bytes.grow(static_cast<size_t>(dst - start));
          base += dst - start;
          at += m;
        }
      };
      if (max_len <= 16) {
        run(std::integral_constant<size_t, 16>());
      } else if (max_len <= 32) {
        run(std::integral_constant<size_t, 32>());
      } else {
        run(std::integral_constant<size_t, 64>());
      }
    } else {
      const uint32_t* k = idx;
      for (int64_t i = 0; i < n; ++i) {
        if (def[i] == max_def) {
          const int64_t b = doffs[*k], len = doffs[*k + 1] - b;
          out->bytes.append(dbytes + b, static_cast<size_t>(len));
          base += len;
          ++k;
        }
        offs[i] = base;
      }
    }
  } else {
    const size_t w = static_cast<size_t>(dict.width);
    uint8_t* dst = out->fixed.grow(n * w);
    const uint8_t* src = dict.fixed.data();
    const uint32_t* k = idx;
    for (int64_t i = 0; i < n; ++i) {
      if (def[i] == max_def) {
        std::memcpy(dst + i * w, src + static_cast<size_t>(*k++) * w, w);
      } else {
        std::memset(dst + i * w, 0, w);
      }
    }
  }
  out->count += n;
}

void SpreadAppend(const DenseValues& dense, const int16_t* def, int16_t max_def, int64_t n, DenseValues* out) {
  if (dense.is_byte_array()) {
    // The bytes keep their order: appended whole; null entries repeat the offset before them.
    const int64_t* doffs = dense.offsets.data();
    int64_t base = out->offsets.back();
    out->bytes.append(dense.bytes.data(), dense.bytes.size());
    int64_t* offs = out->offsets.grow(n);
    int64_t k = 0;
    for (int64_t i = 0; i < n; ++i) {
      k += def[i] == max_def;
      offs[i] = base + doffs[k];
    }
  } else {
    const size_t w = static_cast<size_t>(dense.width);
    SpreadFixed(dense.fixed.data(), def, max_def, n, w, out->fixed.grow(n * w));
  }
  out->count += n;
}

size_t SpreadFixed(const uint8_t* src, const int16_t* def, int16_t max_def, int64_t n, size_t width, uint8_t* dst) {
  const uint8_t* start = src;
  for (int64_t i = 0; i < n;) {
    if (def[i] == max_def) {
      int64_t j = i + 1;
      while (j < n && def[j] == max_def) ++j;
      std::memcpy(dst + i * width, src, static_cast<size_t>(j - i) * width);
      src += static_cast<size_t>(j - i) * width;
      i = j;
    } else {
      std::memset(dst + i * width, 0, width);
      ++i;
    }
  }
  return static_cast<size_t>(src - start);
}

}  // namespace mhub::datasets::parquet
