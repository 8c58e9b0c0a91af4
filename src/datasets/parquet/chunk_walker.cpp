// ChunkWalker (chunk_walker.h): the page walk, page decompression, levels and the resumable value
// decoders of one column chunk.
#include "datasets/parquet/chunk_walker.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "datasets/parquet/decompress.h"
#include "datasets/parquet/metadata_decode.h"
#include "datasets/parquet/rle_hybrid.h"
#include "mhub/base/utf8.h"

namespace mhub::datasets::parquet {
namespace {

constexpr int64_t kMaxPageBytes = int64_t{1} << 30;

int BitWidth(int max_level) {
  int w = 0;
  while ((1 << w) <= max_level) ++w;
  return w;
}

// Checks that a STRING column's bytes are UTF-8 and that no value boundary cuts a character.
Status CheckUtf8(const DenseValues& v, int64_t first) {
  const int64_t* offs = v.offsets.data();
  std::string_view all(reinterpret_cast<const char*>(v.bytes.data()) + offs[first],
                       static_cast<size_t>(offs[v.count] - offs[first]));
  size_t bad = FirstInvalidUtf8(all);
  if (bad == std::string_view::npos) {
    for (int64_t i = first + 1; i < v.count; ++i) {
      if (offs[i] < offs[v.count] && (v.bytes.data()[offs[i]] & 0xC0) == 0x80) {
        bad = 0;
        break;
      }
    }
    if (bad == std::string_view::npos) return Status::OK();
  }
  return Status::Corruption("STRING value is not valid UTF-8");
}

// Appends values [v0, v1) of `src` to `dst` (same physical type).
void AppendValues(const DenseValues& src, int64_t v0, int64_t v1, DenseValues* dst) {
  if (v1 <= v0) return;
  if (src.is_byte_array()) {
    int64_t b0 = src.offsets[v0], b1 = src.offsets[v1];
    int64_t base = dst->offsets.back() - b0;
    dst->bytes.append(src.bytes.data() + b0, b1 - b0);
    int64_t* offs = dst->offsets.grow(v1 - v0);
    for (int64_t i = v0 + 1; i <= v1; ++i) offs[i - v0 - 1] = src.offsets[i] + base;
  } else {
    size_t w = static_cast<size_t>(src.width);
    dst->fixed.append(src.fixed.data() + v0 * w, (v1 - v0) * w);
  }
  dst->count += v1 - v0;
}

}  // namespace

Status ChunkWalker::Decompressed(const uint8_t* src, size_t src_size, size_t dst_size, const uint8_t** result) {
  // Callers pass the header's int32 sizes: a negative one arrives here as a huge size_t.
  if (dst_size > static_cast<size_t>(kMaxPageBytes) || src_size > static_cast<size_t>(kMaxPageBytes)) {
    return PageError("page declares " + std::to_string(static_cast<int64_t>(src_size)) + " compressed / " +
                     std::to_string(static_cast<int64_t>(dst_size)) + " uncompressed bytes");
  }
  if (meta_->codec == CompressionCodec::kUncompressed) {
    if (src_size != dst_size) {
      return PageError("uncompressed page of " + std::to_string(src_size) + " bytes declares " +
                       std::to_string(dst_size));
    }
    *result = src;
    return Status::OK();
  }
  // The scratch buffer is reused page after page: no allocation once it holds the largest page.
  scratch_.resize_uninit(dst_size + 8);
  Status st = Decompress(meta_->codec, src, src_size, scratch_.data(), dst_size);
  if (!st.ok()) return Status(st.code(), "page at byte " + std::to_string(page_pos_) + ": " + st.message());
  *result = scratch_.data();
  return Status::OK();
}

Status ChunkWalker::Begin() {
  const ColumnChunk& cc = *req_.chunk;
  if (cc.encrypted) return Status::Unsupported("encrypted column");
  if (cc.file_path) return Status::Unsupported("column chunk stored in another file ('" + *cc.file_path + "')");
  if (!cc.meta_data) return Status::Corruption("column chunk without metadata");
  meta_ = &*cc.meta_data;
  if (meta_->type != leaf_.physical) return Status::Corruption("column chunk type differs from the schema's");

  int64_t start = meta_->data_page_offset;
  if (meta_->dictionary_page_offset && *meta_->dictionary_page_offset > 0 && *meta_->dictionary_page_offset < start) {
    start = *meta_->dictionary_page_offset;
  }
  int64_t len = meta_->total_compressed_size;
  if (start < 4 || len < 0 || static_cast<uint64_t>(start) > req_.data_end ||
      static_cast<uint64_t>(len) > req_.data_end - static_cast<uint64_t>(start)) {
    return Status::Corruption("column chunk [" + std::to_string(start) + ", +" + std::to_string(len) +
                              ") lies outside the file's " + std::to_string(req_.data_end) + " data bytes");
  }
  chunk_end_ = static_cast<size_t>(start + len);
  flat_ = leaf_.max_rep == 0;
  // Reservation hints are bounded by the chunk's real (checked) size, never by declared counts.
  reserve_budget_ = 64 * len + 65536;

  // Page positions: from the offset index (dictionary page first), or a walk from the chunk start.
  use_index_ = req_.offset_index && !req_.offset_index->page_locations.empty();
  pos_ = static_cast<size_t>(start);
  if (use_index_) {
    const auto& locs = req_.offset_index->page_locations;
    for (size_t i = 0; i < locs.size(); ++i) {
      int64_t page_end_row = i + 1 < locs.size() ? locs[i + 1].first_row_index : req_.row_group_rows;
      if (page_end_row <= req_.row_begin || locs[i].first_row_index >= req_.row_end) continue;
      if (locs[i].offset < start || static_cast<uint64_t>(locs[i].offset) >= chunk_end_ ||
          locs[i].first_row_index < 0 || (i > 0 && locs[i].first_row_index < locs[i - 1].first_row_index)) {
        return Status::Corruption("offset index: page " + std::to_string(i) + " lies outside its column chunk");
      }
      index_pages_.emplace_back(static_cast<size_t>(locs[i].offset), locs[i].first_row_index);
    }
    if (index_pages_.empty()) {
      done_ = true;
      return Status::OK();
    }
    if (static_cast<size_t>(start) < index_pages_.front().first) {
      // A dictionary page sits before the first data page: read it from the chunk start.
      page_pos_ = static_cast<size_t>(start);
      size_t hs = 0;
      MHUB_ASSIGN_OR_RETURN(PageHeader h, DecodePageHeader(req_.file + page_pos_, chunk_end_ - page_pos_, &hs));
      if (h.type == PageType::kDictionaryPage) {
        if (h.compressed_page_size < 0 || static_cast<uint64_t>(h.compressed_page_size) > chunk_end_ - page_pos_ - hs) {
          return PageError("page of " + std::to_string(h.compressed_page_size) + " bytes runs past its column chunk");
        }
        MHUB_RETURN_IF_ERROR(ReadDictionary(h, req_.file + page_pos_ + hs));
      }
    }
    first_row_ = index_pages_.front().second;
  }
  return Status::OK();
}

Status ChunkWalker::OpenPage(LeafData* direct, int64_t direct_from, int64_t direct_to) {
  page_entries_ = page_pos_entries_ = 0;
  page_values_ = page_pos_values_ = 0;
  while (!done_) {
    size_t pos = pos_;
    if (use_index_) {
      if (next_index_page_ >= index_pages_.size()) {
        done_ = true;
        break;
      }
      pos = index_pages_[next_index_page_++].first;
    } else {
      if (pos >= chunk_end_ || values_seen_ >= meta_->num_values || (flat_ && rows_seen_ >= req_.row_end)) {
        done_ = true;
        if (first_row_ < 0) first_row_ = rows_seen_;
        if (values_seen_ < meta_->num_values && pos >= chunk_end_ && !(flat_ && rows_seen_ >= req_.row_end)) {
          return Status::Corruption("column chunk ends after " + std::to_string(values_seen_) + " of its " +
                                    std::to_string(meta_->num_values) + " values");
        }
        break;
      }
    }
    page_pos_ = pos;
    size_t hs = 0;
    Result<PageHeader> hr = DecodePageHeader(req_.file + pos, chunk_end_ - pos, &hs);
    if (!hr.ok()) return PageError(hr.status().message());
    const PageHeader& h = *hr;
    if (h.compressed_page_size < 0 || h.uncompressed_page_size < 0 || h.uncompressed_page_size > kMaxPageBytes) {
      return PageError("page declares " + std::to_string(h.compressed_page_size) + " compressed / " +
                       std::to_string(h.uncompressed_page_size) + " uncompressed bytes");
    }
    if (static_cast<uint64_t>(h.compressed_page_size) > chunk_end_ - pos - hs) {
      return PageError("page of " + std::to_string(h.compressed_page_size) + " bytes runs past its column chunk");
    }
    const uint8_t* body = req_.file + pos + hs;
    pos_ = pos + hs + static_cast<size_t>(h.compressed_page_size);
    if (h.type == PageType::kDictionaryPage) {
      MHUB_RETURN_IF_ERROR(ReadDictionary(h, body));
      continue;
    }
    if (h.type == PageType::kIndexPage) continue;
    if (h.type != PageType::kDataPage && h.type != PageType::kDataPageV2) {
      return PageError("unknown page type " + std::to_string(static_cast<int>(h.type)));
    }
    int64_t page_values = h.type == PageType::kDataPage
                              ? (h.data_page_header ? h.data_page_header->num_values : -1)
                              : (h.data_page_header_v2 ? h.data_page_header_v2->num_values : -1);
    if (page_values < 0) return PageError("data page without its header");
    int64_t page_first_row = use_index_ ? index_pages_[next_index_page_ - 1].second : rows_seen_;
    if (!use_index_) {
      // Row count known without decoding: flat columns (one entry per row) and v2 headers.
      int64_t page_rows = flat_ ? page_values : (h.data_page_header_v2 ? h.data_page_header_v2->num_rows : -1);
      if (page_rows >= 0 && first_row_ < 0 && rows_seen_ + page_rows <= req_.row_begin) {
        rows_seen_ += page_rows;
        values_seen_ += page_values;
        continue;  // before the range: not even decompressed
      }
      if (first_row_ < 0) first_row_ = rows_seen_;
      if (page_rows >= 0) rows_seen_ += page_rows;
    }
    values_seen_ += page_values;
    // Pages found through the offset index start rows (the spec requires it), and v2 pages hold
    // whole rows.
    page_ends_row_ = flat_ || use_index_ || h.type == PageType::kDataPageV2;
    const bool inside = flat_ && page_first_row >= direct_from && page_first_row + page_values <= direct_to;
    return StartDataPage(h, body, inside ? direct : nullptr);
  }
  return Status::OK();
}

Status ChunkWalker::ReadDictionary(const PageHeader& h, const uint8_t* body) {
  if (has_dict_) return PageError("a second dictionary page");
  if (!h.dictionary_page_header) return PageError("dictionary page without its header");
  const auto& d = *h.dictionary_page_header;
  if (d.encoding != Encoding::kPlain && d.encoding != Encoding::kPlainDictionary) {
    return PageError("dictionary page encoding " + std::to_string(static_cast<int>(d.encoding)));
  }
  if (d.num_values < 0) return PageError("dictionary of a negative size");
  const uint8_t* data;
  MHUB_RETURN_IF_ERROR(Decompressed(body, h.compressed_page_size, h.uncompressed_page_size, &data));
  dict_.Init(leaf_.physical, leaf_.type_length);
  Status st = DecodePlain(data, h.uncompressed_page_size, d.num_values, &dict_);
  if (!st.ok()) return PageError("dictionary: " + st.message());
  if (dict_.is_byte_array()) {
    dict_.bytes.reserve(dict_.bytes.size() + kDictionaryPad);
    std::memset(dict_.bytes.data() + dict_.bytes.size(), 0, kDictionaryPad);
    dict_.padded = true;
    dict_.max_length = 0;
    for (int64_t i = 0; i < dict_.count; ++i) {
      dict_.max_length = std::max(dict_.max_length, dict_.offsets[i + 1] - dict_.offsets[i]);
    }
  }
  if (leaf_.type->id == TypeId::kString && dict_.count > 0) {
    Status u = CheckUtf8(dict_, 0);
    if (!u.ok()) return PageError("dictionary: " + u.message());
  }
  has_dict_ = true;
  return Status::OK();
}

Status ChunkWalker::DecodeLevels(const uint8_t* data, size_t size, int bit_width, int64_t n, int16_t max_level,
                                 PodVector<int16_t>* out, const char* what) {
  RleBitPackedDecoder dec(data, size, bit_width);
  out->clear();
  int16_t* dst = out->grow(n);
  int64_t got = dec.Get(dst, n);
  if (got != n) return PageError(std::string(what) + " levels: " + std::to_string(got) + " of " + std::to_string(n));
  // One pass: levels are unsigned, so a "negative" int16 (a 16-bit width's top bit) is too large.
  uint16_t mx = 0;
  for (int64_t i = 0; i < n; ++i) mx = std::max(mx, static_cast<uint16_t>(dst[i]));
  if (mx > static_cast<uint16_t>(max_level)) {
    return PageError(std::string(what) + " level " + std::to_string(mx) + " above the column's maximum " +
                     std::to_string(max_level));
  }
  return Status::OK();
}

Status ChunkWalker::StartDataPage(const PageHeader& h, const uint8_t* body, LeafData* direct) {
  const bool v2 = h.type == PageType::kDataPageV2;
  int64_t n;
  Encoding enc;
  const uint8_t* data;
  size_t size;
  page_def_.clear();
  page_rep_.clear();
  if (!v2) {
    n = h.data_page_header->num_values;
    enc = h.data_page_header->encoding;
    MHUB_RETURN_IF_ERROR(Decompressed(body, h.compressed_page_size, h.uncompressed_page_size, &data));
    size = h.uncompressed_page_size;
  } else {
    const auto& v = *h.data_page_header_v2;
    n = v.num_values;
    enc = v.encoding;
    int64_t lv = int64_t{v.repetition_levels_byte_length} + v.definition_levels_byte_length;
    if (v.repetition_levels_byte_length < 0 || v.definition_levels_byte_length < 0 || lv > h.compressed_page_size ||
        lv > h.uncompressed_page_size) {
      return PageError("v2 level lengths past the page");
    }
    // Levels: uncompressed, no length prefix.
    int64_t budget = (int64_t{h.uncompressed_page_size} + 1) * 64 + (int64_t{1} << 20);
    if (n > budget)
      return PageError("page declares " + std::to_string(n) + " values in " + std::to_string(h.uncompressed_page_size) +
                       " bytes");
    if (leaf_.max_rep > 0) {
      MHUB_RETURN_IF_ERROR(DecodeLevels(body, v.repetition_levels_byte_length, BitWidth(leaf_.max_rep), n,
                                        leaf_.max_rep, &page_rep_, "repetition"));
    }
    if (leaf_.max_def > 0) {
      MHUB_RETURN_IF_ERROR(DecodeLevels(body + v.repetition_levels_byte_length, v.definition_levels_byte_length,
                                        BitWidth(leaf_.max_def), n, leaf_.max_def, &page_def_, "definition"));
    }
    const uint8_t* vsrc = body + lv;
    size_t vcomp = static_cast<size_t>(h.compressed_page_size - lv);
    size_t vraw = static_cast<size_t>(h.uncompressed_page_size - lv);
    if (v.is_compressed.value_or(true) && meta_->codec != CompressionCodec::kUncompressed) {
      // A whole page of PLAIN fixed-width values the caller takes at once decompresses straight
      // into its output (no copy out of scratch).
      if (direct && !direct->spread && enc == Encoding::kPlain && leaf_.physical != PhysicalType::kBoolean) {
        DenseValues& dv = direct->values;
        int64_t non_null = n;
        if (leaf_.max_def > 0) {
          const int16_t* d = page_def_.data();
          non_null = 0;
          for (int64_t i = 0; i < n; ++i) non_null += d[i] == leaf_.max_def;
        }
        if (dv.width > 0 && static_cast<uint64_t>(non_null) * static_cast<uint64_t>(dv.width) == vraw) {
          uint8_t* dst = dv.fixed.grow(vraw);
          Status st = Decompress(meta_->codec, vsrc, vcomp, dst, vraw);
          if (!st.ok()) return Status(st.code(), "page at byte " + std::to_string(page_pos_) + ": " + st.message());
          dv.count += non_null;
          page_entries_ = n;
          page_values_ = non_null;
          mode_ = ValueMode::kDelivered;
          return Status::OK();
        }
      }
      MHUB_RETURN_IF_ERROR(Decompressed(vsrc, vcomp, vraw, &data));
    } else {
      if (vcomp != vraw) return PageError("uncompressed v2 page sizes differ");
      data = vsrc;
    }
    size = vraw;
  }
  int64_t budget = (static_cast<int64_t>(size) + 1) * 64 + (int64_t{1} << 20);
  if (n > budget) {
    return PageError("page declares " + std::to_string(n) + " values in " + std::to_string(size) + " bytes");
  }
  if (!v2) {
    // v1: rep levels, def levels (each with a 4-byte length), then values; all compressed together.
    auto levels = [&](int16_t max_level, PodVector<int16_t>* dst, const char* what) -> Status {
      if (max_level == 0) return Status::OK();
      Encoding le = std::string_view(what) == "repetition" ? h.data_page_header->repetition_level_encoding
                                                           : h.data_page_header->definition_level_encoding;
      if (le != Encoding::kRle)
        return Status::Unsupported("levels in encoding " + std::to_string(static_cast<int>(le)));
      if (size < 4) return PageError(std::string(what) + " levels: no length prefix");
      uint32_t len;
      std::memcpy(&len, data, 4);
      if (len > size - 4) return PageError(std::string(what) + " levels run past the page");
      MHUB_RETURN_IF_ERROR(DecodeLevels(data + 4, len, BitWidth(max_level), n, max_level, dst, what));
      data += 4 + len;
      size -= 4 + len;
      return Status::OK();
    };
    MHUB_RETURN_IF_ERROR(levels(leaf_.max_rep, &page_rep_, "repetition"));
    MHUB_RETURN_IF_ERROR(levels(leaf_.max_def, &page_def_, "definition"));
  }
  int64_t non_null = n;
  if (leaf_.max_def > 0) {
    const int16_t* d = page_def_.data();
    int64_t c = 0;
    for (int64_t i = 0; i < n; ++i) c += d[i] == leaf_.max_def;
    non_null = c;
  }
  page_entries_ = n;
  page_values_ = non_null;
  Status st = StartValues(enc, data, size, non_null);
  if (!st.ok()) return st.code() == StatusCode::kCorruption ? PageError(st.message()) : st;
  return Status::OK();
}

// Readies the values section of the open page: PLAIN and dictionary pages resume value by value;
// other encodings are decoded whole here and handed out by position.
Status ChunkWalker::StartValues(Encoding enc, const uint8_t* data, size_t size, int64_t n) {
  enc_ = enc;
  vdata_ = data;
  vsize_ = size;
  vpos_ = 0;
  switch (enc) {
    case Encoding::kPlain:
      if (leaf_.physical != PhysicalType::kBoolean) {
        mode_ = ValueMode::kPlain;
        return Status::OK();
      }
      break;  // bit-packed booleans: decoded whole
    case Encoding::kPlainDictionary:
    case Encoding::kRleDictionary: {
      if (!has_dict_) return Status::Corruption("dictionary-encoded page without a dictionary page");
      mode_ = ValueMode::kDictionary;
      if (n == 0) return Status::OK();
      if (size < 1) return Status::Corruption("dictionary indices: no bit width");
      int w = data[0];
      if (w > 32) return Status::Corruption("dictionary indices of bit width " + std::to_string(w));
      index_decoder_ = RleBitPackedDecoder(data + 1, size - 1, w);
      return Status::OK();
    }
    default:
      break;
  }
  mode_ = ValueMode::kDecoded;
  decoded_.Init(leaf_.physical, leaf_.type_length);
  DenseValues* v = &decoded_;
  switch (enc) {
    case Encoding::kPlain:
      MHUB_RETURN_IF_ERROR(DecodePlain(data, size, n, v));
      break;
    case Encoding::kRle:
      if (leaf_.physical != PhysicalType::kBoolean) return Status::Corruption("RLE values on a non-boolean column");
      MHUB_RETURN_IF_ERROR(DecodeRleBooleans(data, size, n, v));
      break;
    case Encoding::kDeltaBinaryPacked:
      MHUB_RETURN_IF_ERROR(DecodeDeltaBinaryPacked(data, size, n, v));
      break;
    case Encoding::kDeltaLengthByteArray:
      MHUB_RETURN_IF_ERROR(DecodeDeltaLengthByteArray(data, size, n, v));
      break;
    case Encoding::kDeltaByteArray:
      MHUB_RETURN_IF_ERROR(DecodeDeltaByteArray(data, size, n, v));
      break;
    case Encoding::kByteStreamSplit:
      MHUB_RETURN_IF_ERROR(DecodeByteStreamSplit(data, size, n, v));
      break;
    default:
      return Status::Unsupported("encoding " + std::to_string(static_cast<int>(enc)));
  }
  if (leaf_.type->id == TypeId::kString && v->count > 0) MHUB_RETURN_IF_ERROR(CheckUtf8(*v, 0));
  return Status::OK();
}

// The next n values of the open page into *out (nullptr: passed over).
Status ChunkWalker::TakeValues(int64_t n, DenseValues* out) {
  if (n == 0) return Status::OK();
  switch (mode_) {
    case ValueMode::kDelivered:
      return Status::Internal("a page decoded into the output was taken in parts");
    case ValueMode::kDecoded:
      if (out) AppendValues(decoded_, page_pos_values_, page_pos_values_ + n, out);
      return Status::OK();
    case ValueMode::kPlain: {
      if (!out && leaf_.physical != PhysicalType::kByteArray) {
        size_t bytes = static_cast<size_t>(n) * static_cast<size_t>(PhysicalWidth(leaf_.physical, leaf_.type_length));
        if (bytes > vsize_ - vpos_) return Status::Corruption("PLAIN: the page holds fewer values than its levels say");
        vpos_ += bytes;
        return Status::OK();
      }
      DenseValues* dst = out;
      if (!dst) {
        passed_.Init(leaf_.physical, leaf_.type_length);
        dst = &passed_;
      }
      int64_t before = dst->count;
      size_t used = 0;
      MHUB_RETURN_IF_ERROR(DecodePlain(vdata_ + vpos_, vsize_ - vpos_, n, dst, &used));
      vpos_ += used;
      if (out && leaf_.type->id == TypeId::kString) MHUB_RETURN_IF_ERROR(CheckUtf8(*out, before));
      return Status::OK();
    }
    case ValueMode::kDictionary: {
      MHUB_RETURN_IF_ERROR(DecodeIndices(n));
      if (!out) return Status::OK();
      if (out->is_byte_array() && out->bytes.empty() && dict_.count > 0) {
        // First gather: reserve the average dictionary entry times the values expected.
        int64_t avg = dict_.offsets[dict_.count] / dict_.count + 1;
        int64_t want = std::max(values_hint_, n);
        out->bytes.reserve(static_cast<size_t>(want > reserve_budget_ / avg ? reserve_budget_ : avg * want));
      }
      GatherDictionary(dict_, indices_.data(), n, out);
      return Status::OK();
    }
  }
  return Status::OK();
}

// The next n dictionary indices of the open page into indices_, each checked against the dictionary.
Status ChunkWalker::DecodeIndices(int64_t n) {
  indices_.resize_uninit(static_cast<size_t>(n));
  int64_t got = 0;
  uint32_t mx = n > 0 ? index_decoder_.GetWithMax(indices_.data(), n, &got) : 0;
  if (got != n) {
    return Status::Corruption("dictionary indices: " + std::to_string(page_pos_values_ + got) + " of " +
                              std::to_string(page_values_));
  }
  if (n > 0 && static_cast<int64_t>(mx) >= dict_.count) {
    return Status::Corruption("dictionary index " + std::to_string(mx) + " past the dictionary's " +
                              std::to_string(dict_.count) + " values");
  }
  return Status::OK();
}

// Take for a spread output (LeafData::spread): k entries with levels `def`, nn of them valid.
Status ChunkWalker::TakeSpread(int64_t k, const int16_t* def, int64_t nn, DenseValues* out) {
  const int16_t mx = leaf_.max_def;
  if (mode_ == ValueMode::kPlain && out->width > 0) {
    // Runs of valid entries copy straight from the page; nulls become zero bytes.
    const size_t w = static_cast<size_t>(out->width);
    if (static_cast<uint64_t>(nn) * w > vsize_ - vpos_) {
      return Status::Corruption("PLAIN: the page holds fewer values than its levels say");
    }
    SpreadFixed(vdata_ + vpos_, def, mx, k, w, out->fixed.grow(static_cast<size_t>(k) * w));
    vpos_ += static_cast<size_t>(nn) * w;
    out->count += k;
    return Status::OK();
  }
  if (mode_ == ValueMode::kDictionary) {
    MHUB_RETURN_IF_ERROR(DecodeIndices(nn));
    if (out->is_byte_array() && out->bytes.empty() && dict_.count > 0) {
      int64_t avg = dict_.offsets[dict_.count] / dict_.count + 1;
      int64_t want = std::max(values_hint_, nn);
      out->bytes.reserve(static_cast<size_t>(want > reserve_budget_ / avg ? reserve_budget_ : avg * want));
    }
    GatherDictionarySpread(dict_, indices_.data(), def, mx, k, out);
    return Status::OK();
  }
  dense_.Init(leaf_.physical, leaf_.type_length);
  MHUB_RETURN_IF_ERROR(TakeValues(nn, &dense_));
  SpreadAppend(dense_, def, mx, k, out);
  return Status::OK();
}

Status ChunkWalker::Take(int64_t k, LeafData* out) {
  k = std::min(k, page_left());
  if (k <= 0) return Status::OK();
  const int64_t e0 = page_pos_entries_;
  int64_t nn = k;
  if (leaf_.max_def > 0) {
    const int16_t* d = page_def_.data() + e0;
    nn = 0;
    for (int64_t i = 0; i < k; ++i) nn += d[i] == leaf_.max_def;
    if (out) out->def.append(d, k);
  }
  if (out && leaf_.max_rep > 0) out->rep.append(page_rep_.data() + e0, k);
  if (out) out->entries += k;
  if (mode_ == ValueMode::kDelivered) {
    if (!out || e0 != 0 || k != page_entries_) return Status::Internal("a page decoded into the output was split");
  } else {
    Status st = out && out->spread ? TakeSpread(k, page_def_.data() + e0, nn, &out->values)
                                   : TakeValues(nn, out ? &out->values : nullptr);
    if (!st.ok()) return st.code() == StatusCode::kCorruption ? PageError(st.message()) : st;
  }
  page_pos_entries_ += k;
  page_pos_values_ += nn;
  return Status::OK();
}

}  // namespace mhub::datasets::parquet
