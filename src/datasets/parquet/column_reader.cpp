#include "datasets/parquet/column_reader.h"

#include <algorithm>
#include <cstring>
#include <string>

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

class ChunkWalker {
 public:
  ChunkWalker(const ChunkRequest& req, LeafData* out) : req_(req), leaf_(*req.leaf), out_(out) {}

  Status Run();

 private:
  Status PageError(const std::string& msg) const {
    return Status::Corruption("page at byte " + std::to_string(page_pos_) + ": " + msg);
  }
  Status ReadDictionary(const PageHeader& h, const uint8_t* body);
  Status ReadDataPage(const PageHeader& h, const uint8_t* body);
  Status DecodeLevels(const uint8_t* data, size_t size, int bit_width, int64_t n, int16_t max_level,
                      PodVector<int16_t>* out, const char* what);
  Status DecodeValues(Encoding enc, const uint8_t* data, size_t size, int64_t n);
  Status Decompressed(const uint8_t* src, size_t src_size, size_t dst_size, const uint8_t** result);
  Status Trim(int64_t first_row);

  const ChunkRequest& req_;
  const LeafColumn& leaf_;
  LeafData* out_;
  const ColumnMetaData* meta_ = nullptr;
  size_t page_pos_ = 0;
  bool has_dict_ = false;
  DenseValues dict_;
  PodVector<uint8_t> scratch_;
  PodVector<uint32_t> indices_;
  int64_t values_hint_ = 0;     // values expected in the range (reservation hint)
  int64_t reserve_budget_ = 0;  // the most any reservation hint may ask for
};

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
  scratch_.resize_uninit(dst_size + 8);
  Status st = Decompress(meta_->codec, src, src_size, scratch_.data(), dst_size);
  if (!st.ok()) return Status(st.code(), "page at byte " + std::to_string(page_pos_) + ": " + st.message());
  *result = scratch_.data();
  return Status::OK();
}

Status ChunkWalker::Run() {
  const ColumnChunk& cc = *req_.chunk;
  if (cc.encrypted) return Status::Unsupported("encrypted column");
  if (cc.file_path) return Status::Unsupported("column chunk stored in another file ('" + *cc.file_path + "')");
  if (!cc.meta_data) return Status::Corruption("column chunk without metadata");
  meta_ = &*cc.meta_data;
  if (meta_->type != leaf_.physical) return Status::Corruption("column chunk type differs from the schema's");
  out_->values.Init(leaf_.physical, leaf_.type_length);
  out_->entries = 0;
  out_->utf8_checked = leaf_.type->id == TypeId::kString;

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
  const size_t chunk_end = static_cast<size_t>(start + len);
  const bool flat = leaf_.max_rep == 0;
  {
    // Reserve what the range will take, so growth never copies (large reallocations below glibc's
    // raised mmap threshold memmove). A hint only: bounded by the chunk's bytes, never trusted.
    // The budget follows the chunk's real (checked) size, not its declared uncompressed size.
    reserve_budget_ = 64 * len + 65536;
    int64_t hint = std::min<int64_t>(flat ? req_.row_end - req_.row_begin : meta_->num_values, reserve_budget_);
    hint = std::max<int64_t>(hint, 0);
    if (leaf_.max_def > 0) out_->def.reserve(hint);
    if (leaf_.max_rep > 0) out_->rep.reserve(hint);
    if (out_->values.width > 0) {
      out_->values.fixed.reserve(std::min<int64_t>(hint, reserve_budget_ / out_->values.width) * out_->values.width);
    }
    if (out_->values.is_byte_array()) out_->values.offsets.reserve(hint + 1);
    values_hint_ = hint;
  }
  int64_t rows_seen = 0;   // rows before the current page (when known)
  int64_t first_row = -1;  // first row held by the decoded pages
  int64_t values_seen = 0;

  // Page positions: from the offset index (dictionary page first), or a walk from the chunk start.
  std::vector<std::pair<size_t, int64_t>> index_pages;  // (offset, first row)
  bool use_index = req_.offset_index && !req_.offset_index->page_locations.empty();
  if (use_index) {
    const auto& locs = req_.offset_index->page_locations;
    for (size_t i = 0; i < locs.size(); ++i) {
      int64_t page_end_row = i + 1 < locs.size() ? locs[i + 1].first_row_index : req_.row_group_rows;
      if (page_end_row <= req_.row_begin || locs[i].first_row_index >= req_.row_end) continue;
      if (locs[i].offset < start || static_cast<uint64_t>(locs[i].offset) >= chunk_end || locs[i].first_row_index < 0 ||
          (i > 0 && locs[i].first_row_index < locs[i - 1].first_row_index)) {
        return Status::Corruption("offset index: page " + std::to_string(i) + " lies outside its column chunk");
      }
      index_pages.emplace_back(static_cast<size_t>(locs[i].offset), locs[i].first_row_index);
    }
    if (index_pages.empty()) return Status::OK();
    if (static_cast<size_t>(start) < index_pages.front().first) {
      // A dictionary page sits before the first data page: read it from the chunk start.
      page_pos_ = static_cast<size_t>(start);
      size_t hs = 0;
      MHUB_ASSIGN_OR_RETURN(PageHeader h, DecodePageHeader(req_.file + page_pos_, chunk_end - page_pos_, &hs));
      if (h.type == PageType::kDictionaryPage) {
        if (h.compressed_page_size < 0 || static_cast<uint64_t>(h.compressed_page_size) > chunk_end - page_pos_ - hs) {
          return PageError("page of " + std::to_string(h.compressed_page_size) + " bytes runs past its column chunk");
        }
        MHUB_RETURN_IF_ERROR(ReadDictionary(h, req_.file + page_pos_ + hs));
      }
    }
    first_row = index_pages.front().second;
  }

  size_t pos = use_index ? index_pages.front().first : static_cast<size_t>(start);
  size_t next_index_page = 0;
  while (true) {
    if (use_index) {
      if (next_index_page >= index_pages.size()) break;
      pos = index_pages[next_index_page++].first;
    } else {
      if (pos >= chunk_end || values_seen >= meta_->num_values) break;
      if (flat && rows_seen >= req_.row_end) break;
    }
    page_pos_ = pos;
    size_t hs = 0;
    Result<PageHeader> hr = DecodePageHeader(req_.file + pos, chunk_end - pos, &hs);
    if (!hr.ok()) return PageError(hr.status().message());
    const PageHeader& h = *hr;
    if (h.compressed_page_size < 0 || h.uncompressed_page_size < 0 || h.uncompressed_page_size > kMaxPageBytes) {
      return PageError("page declares " + std::to_string(h.compressed_page_size) + " compressed / " +
                       std::to_string(h.uncompressed_page_size) + " uncompressed bytes");
    }
    if (static_cast<uint64_t>(h.compressed_page_size) > chunk_end - pos - hs) {
      return PageError("page of " + std::to_string(h.compressed_page_size) + " bytes runs past its column chunk");
    }
    const uint8_t* body = req_.file + pos + hs;
    pos += hs + static_cast<size_t>(h.compressed_page_size);
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
    if (!use_index) {
      // Row count known without decoding: flat columns (one entry per row) and v2 headers.
      int64_t page_rows = flat ? page_values : (h.data_page_header_v2 ? h.data_page_header_v2->num_rows : -1);
      if (page_rows >= 0 && first_row < 0 && rows_seen + page_rows <= req_.row_begin) {
        rows_seen += page_rows;
        values_seen += page_values;
        continue;  // before the range: not even decompressed
      }
      if (first_row < 0) first_row = rows_seen;
      if (page_rows >= 0) rows_seen += page_rows;
    }
    values_seen += page_values;
    MHUB_RETURN_IF_ERROR(ReadDataPage(h, body));
  }
  if (!use_index && first_row < 0) first_row = rows_seen;
  if (!use_index && values_seen < meta_->num_values && pos >= chunk_end && !(flat && rows_seen >= req_.row_end)) {
    return Status::Corruption("column chunk ends after " + std::to_string(values_seen) + " of its " +
                              std::to_string(meta_->num_values) + " values");
  }
  return Trim(first_row);
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
    dict_.bytes.reserve(dict_.bytes.size() + 16);
    std::memset(dict_.bytes.data() + dict_.bytes.size(), 0, 16);
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

Status ChunkWalker::ReadDataPage(const PageHeader& h, const uint8_t* body) {
  const bool v2 = h.type == PageType::kDataPageV2;
  int64_t n;
  Encoding enc;
  const uint8_t* data;
  size_t size;
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
    data = nullptr;
    size = 0;
    // Levels: uncompressed, no length prefix.
    int64_t budget = (int64_t{h.uncompressed_page_size} + 1) * 64 + (int64_t{1} << 20);
    if (n > budget)
      return PageError("page declares " + std::to_string(n) + " values in " + std::to_string(h.uncompressed_page_size) +
                       " bytes");
    if (leaf_.max_rep > 0) {
      MHUB_RETURN_IF_ERROR(DecodeLevels(body, v.repetition_levels_byte_length, BitWidth(leaf_.max_rep), n,
                                        leaf_.max_rep, &out_->rep, "repetition"));
    }
    if (leaf_.max_def > 0) {
      MHUB_RETURN_IF_ERROR(DecodeLevels(body + v.repetition_levels_byte_length, v.definition_levels_byte_length,
                                        BitWidth(leaf_.max_def), n, leaf_.max_def, &out_->def, "definition"));
    }
    const uint8_t* vsrc = body + lv;
    size_t vcomp = static_cast<size_t>(h.compressed_page_size - lv);
    size_t vraw = static_cast<size_t>(h.uncompressed_page_size - lv);
    if (v.is_compressed.value_or(true) && meta_->codec != CompressionCodec::kUncompressed) {
      // PLAIN fixed-width values decompress straight into the output (no copy out of scratch).
      DenseValues& dv = out_->values;
      if (enc == Encoding::kPlain && dv.width > 0 && dv.type != PhysicalType::kBoolean) {
        int64_t non_null = n;
        if (leaf_.max_def > 0) {
          const int16_t* d = out_->def.data() + out_->entries;
          non_null = 0;
          for (int64_t i = 0; i < n; ++i) non_null += d[i] == leaf_.max_def;
        }
        if (static_cast<uint64_t>(non_null) * static_cast<uint64_t>(dv.width) == vraw) {
          uint8_t* dst = dv.fixed.grow(vraw);
          Status st = Decompress(meta_->codec, vsrc, vcomp, dst, vraw);
          if (!st.ok()) return Status(st.code(), "page at byte " + std::to_string(page_pos_) + ": " + st.message());
          dv.count += non_null;
          out_->entries += n;
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
    MHUB_RETURN_IF_ERROR(levels(leaf_.max_rep, &out_->rep, "repetition"));
    MHUB_RETURN_IF_ERROR(levels(leaf_.max_def, &out_->def, "definition"));
  }
  int64_t non_null = n;
  if (leaf_.max_def > 0) {
    const int16_t* d = out_->def.data() + out_->entries;
    int64_t c = 0;
    for (int64_t i = 0; i < n; ++i) c += d[i] == leaf_.max_def;
    non_null = c;
  }
  out_->entries += n;
  Status st = DecodeValues(enc, data, size, non_null);
  if (!st.ok()) return st.code() == StatusCode::kCorruption ? PageError(st.message()) : st;
  return Status::OK();
}

Status ChunkWalker::DecodeValues(Encoding enc, const uint8_t* data, size_t size, int64_t n) {
  DenseValues* v = &out_->values;
  int64_t before = v->count;
  bool from_dict = false;
  switch (enc) {
    case Encoding::kPlain:
      MHUB_RETURN_IF_ERROR(DecodePlain(data, size, n, v));
      break;
    case Encoding::kPlainDictionary:
    case Encoding::kRleDictionary: {
      if (!has_dict_) return Status::Corruption("dictionary-encoded page without a dictionary page");
      if (n == 0) break;
      if (size < 1) return Status::Corruption("dictionary indices: no bit width");
      int w = data[0];
      if (w > 32) return Status::Corruption("dictionary indices of bit width " + std::to_string(w));
      RleBitPackedDecoder dec(data + 1, size - 1, w);
      indices_.resize_uninit(n);
      int64_t got = 0;
      uint32_t mx = dec.GetWithMax(indices_.data(), n, &got);
      if (got != n)
        return Status::Corruption("dictionary indices: " + std::to_string(got) + " of " + std::to_string(n));
      if (static_cast<int64_t>(mx) >= dict_.count) {
        return Status::Corruption("dictionary index " + std::to_string(mx) + " past the dictionary's " +
                                  std::to_string(dict_.count) + " values");
      }
      if (v->is_byte_array() && v->bytes.empty() && dict_.count > 0) {
        // First gather: reserve the average dictionary entry times the values expected.
        int64_t avg = dict_.offsets[dict_.count] / dict_.count + 1;
        int64_t want = std::max(values_hint_, n);
        v->bytes.reserve(static_cast<size_t>(want > reserve_budget_ / avg ? reserve_budget_ : avg * want));
      }
      GatherDictionary(dict_, indices_.data(), n, v);
      from_dict = true;
      break;
    }
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
  if (!from_dict && leaf_.type->id == TypeId::kString && v->count > before) {
    MHUB_RETURN_IF_ERROR(CheckUtf8(*v, before));
  }
  return Status::OK();
}

// Cuts the decoded entries (which start at row first_row) to [row_begin, row_end).
Status ChunkWalker::Trim(int64_t first_row) {
  int64_t want_begin = std::max<int64_t>(req_.row_begin - first_row, 0);
  int64_t want_end = req_.row_end - first_row;
  // Entry positions of the row cuts.
  int64_t e0 = 0, e1 = out_->entries;
  if (leaf_.max_rep == 0) {
    e0 = std::min(want_begin, out_->entries);
    e1 = std::min(std::max(want_end, e0), out_->entries);
  } else {
    const int16_t* r = out_->rep.data();
    int64_t row = -1;
    e0 = e1 = out_->entries;
    bool found0 = false;
    for (int64_t i = 0; i < out_->entries; ++i) {
      if (r[i] == 0) {
        ++row;
        if (!found0 && row == want_begin) e0 = i, found0 = true;
        if (row == want_end) {
          e1 = i;
          break;
        }
      }
    }
    if (out_->entries > 0 && r[0] != 0)
      return Status::Corruption("first value of the column chunk does not start a row");
  }
  if (e0 == 0 && e1 == out_->entries) return Status::OK();
  // Values: the non-null ones before e0 and in [e0, e1).
  int64_t v0 = e0, v1 = e1;
  if (leaf_.max_def > 0) {
    const int16_t* d = out_->def.data();
    v0 = 0;
    for (int64_t i = 0; i < e0; ++i) v0 += d[i] == leaf_.max_def;
    v1 = v0;
    for (int64_t i = e0; i < e1; ++i) v1 += d[i] == leaf_.max_def;
  }
  auto cut = [&](PodVector<int16_t>& lv) {
    if (lv.empty()) return;
    if (e1 > e0) std::memmove(lv.data(), lv.data() + e0, (e1 - e0) * sizeof(int16_t));
    lv.resize_uninit(e1 - e0);
  };
  cut(out_->def);
  cut(out_->rep);
  out_->entries = e1 - e0;
  DenseValues& v = out_->values;
  if (v.is_byte_array()) {
    int64_t b0 = v.offsets[v0], b1 = v.offsets[v1];
    if (b1 > b0) std::memmove(v.bytes.data(), v.bytes.data() + b0, b1 - b0);
    v.bytes.resize_uninit(b1 - b0);
    for (int64_t i = v0; i <= v1; ++i) v.offsets[i - v0] = v.offsets[i] - b0;
    v.offsets.resize_uninit(v1 - v0 + 1);
  } else {
    size_t w = static_cast<size_t>(v.width);
    if (v1 > v0 && w > 0) std::memmove(v.fixed.data(), v.fixed.data() + v0 * w, (v1 - v0) * w);
    v.fixed.resize_uninit((v1 - v0) * w);
  }
  v.count = v1 - v0;
  return Status::OK();
}

}  // namespace

Status ReadColumnChunk(const ChunkRequest& request, LeafData* out) { return ChunkWalker(request, out).Run(); }

}  // namespace mhub::datasets::parquet
