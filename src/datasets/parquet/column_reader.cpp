#include "datasets/parquet/column_reader.h"

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

// Entry and value positions of row cuts in a LeafData whose first entry starts a row.
struct Cut {
  int64_t e0, e1;  // entries [e0, e1)
  int64_t v0, v1;  // non-null values [v0, v1)
};

Result<Cut> FindCut(const LeafColumn& leaf, const LeafData& d, int64_t row_begin, int64_t row_end) {
  Cut c{0, d.entries, 0, 0};
  if (leaf.max_rep == 0) {
    c.e0 = std::min(row_begin, d.entries);
    c.e1 = std::min(std::max(row_end, c.e0), d.entries);
  } else {
    const int16_t* r = d.rep.data();
    if (d.entries > 0 && r[0] != 0) return Status::Corruption("first value of the column chunk does not start a row");
    int64_t row = -1;
    c.e0 = c.e1 = d.entries;
    bool found0 = false;
    for (int64_t i = 0; i < d.entries; ++i) {
      if (r[i] == 0) {
        ++row;
        if (!found0 && row == row_begin) c.e0 = i, found0 = true;
        if (row == row_end) {
          c.e1 = i;
          break;
        }
      }
    }
  }
  c.v0 = c.e0;
  c.v1 = c.e1;
  if (c.e0 == d.entries) {
    c.v0 = c.v1 = d.values.count;  // nothing kept (a batch's tail when the batch took every row)
  } else if (c.e0 == 0 && c.e1 == d.entries) {
    c.v1 = d.values.count;  // everything kept
  } else if (leaf.max_def > 0) {
    const int16_t* df = d.def.data();
    c.v0 = 0;
    for (int64_t i = 0; i < c.e0; ++i) c.v0 += df[i] == leaf.max_def;
    c.v1 = c.v0;
    for (int64_t i = c.e0; i < c.e1; ++i) c.v1 += df[i] == leaf.max_def;
  }
  return c;
}

// Appends entries [c.e0, c.e1) (values [c.v0, c.v1)) of `src` to `dst`.
void AppendEntries(const LeafData& src, const Cut& c, LeafData* dst) {
  if (!src.def.empty()) dst->def.append(src.def.data() + c.e0, c.e1 - c.e0);
  if (!src.rep.empty()) dst->rep.append(src.rep.data() + c.e0, c.e1 - c.e0);
  dst->entries += c.e1 - c.e0;
  const DenseValues& v = src.values;
  DenseValues& o = dst->values;
  if (v.is_byte_array()) {
    int64_t b0 = v.offsets[c.v0], b1 = v.offsets[c.v1];
    int64_t base = o.offsets.back() - b0;
    o.bytes.append(v.bytes.data() + b0, b1 - b0);
    int64_t* offs = o.offsets.grow(c.v1 - c.v0);
    for (int64_t i = c.v0 + 1; i <= c.v1; ++i) offs[i - c.v0 - 1] = v.offsets[i] + base;
  } else {
    size_t w = static_cast<size_t>(v.width);
    o.fixed.append(v.fixed.data() + c.v0 * w, (c.v1 - c.v0) * w);
  }
  o.count += c.v1 - c.v0;
}

}  // namespace

// Keeps rows [row_begin, row_end) (relative to its first row) of the decoded entries.
Status KeepRows(const LeafColumn& leaf, LeafData* out, int64_t row_begin, int64_t row_end) {
  MHUB_ASSIGN_OR_RETURN(Cut c, FindCut(leaf, *out, row_begin, row_end));
  if (c.e0 == 0 && c.e1 == out->entries) return Status::OK();
  auto cut = [&](PodVector<int16_t>& lv) {
    if (lv.empty()) return;
    if (c.e1 > c.e0) std::memmove(lv.data(), lv.data() + c.e0, (c.e1 - c.e0) * sizeof(int16_t));
    lv.resize_uninit(c.e1 - c.e0);
  };
  cut(out->def);
  cut(out->rep);
  out->entries = c.e1 - c.e0;
  DenseValues& v = out->values;
  if (v.is_byte_array()) {
    int64_t b0 = v.offsets[c.v0], b1 = v.offsets[c.v1];
    if (b1 > b0 && b0 > 0) std::memmove(v.bytes.data(), v.bytes.data() + b0, b1 - b0);
    v.bytes.resize_uninit(b1 - b0);
    for (int64_t i = c.v0; i <= c.v1; ++i) v.offsets[i - c.v0] = v.offsets[i] - b0;
    v.offsets.resize_uninit(c.v1 - c.v0 + 1);
  } else {
    size_t w = static_cast<size_t>(v.width);
    if (c.v1 > c.v0 && w > 0 && c.v0 > 0) std::memmove(v.fixed.data(), v.fixed.data() + c.v0 * w, (c.v1 - c.v0) * w);
    v.fixed.resize_uninit((c.v1 - c.v0) * w);
  }
  v.count = c.v1 - c.v0;
  return Status::OK();
}

namespace {

class ChunkWalker {
 public:
  ChunkWalker(const ChunkRequest& req, LeafData* out) : req_(req), leaf_(*req.leaf), out_(out) {}

  // The whole range at once: Begin, every page, then the cut to [row_begin, row_end).
  Status Run();
  // Checks the chunk, reserves the output and finds the first page (and the dictionary).
  Status Begin();
  // Decodes the next data page of the range into *out_ (dictionary and index pages on the way
  // are read or passed); sets done() after the last one.
  Status NextPage();
  bool done() const { return done_; }
  // The row of the row group that the first decoded entry belongs to; -1 before any page.
  int64_t first_row() const { return first_row_; }
  void set_out(LeafData* out) { out_ = out; }

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
  // Page walk state (Begin/NextPage).
  size_t chunk_end_ = 0;
  bool flat_ = true;
  bool use_index_ = false;
  std::vector<std::pair<size_t, int64_t>> index_pages_;  // (offset, first row) from the offset index
  size_t next_index_page_ = 0;
  size_t pos_ = 0;
  int64_t rows_seen_ = 0;   // rows before the current page (when known)
  int64_t first_row_ = -1;  // first row held by the decoded pages
  int64_t values_seen_ = 0;
  bool done_ = false;
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

Status ChunkWalker::Begin() {
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
  chunk_end_ = static_cast<size_t>(start + len);
  flat_ = leaf_.max_rep == 0;
  {
    // Reserve what the range will take, so growth never copies (large reallocations below glibc's
    // raised mmap threshold memmove). A hint only: bounded by the chunk's bytes, never trusted.
    // The budget follows the chunk's real (checked) size, not its declared uncompressed size.
    reserve_budget_ = 64 * len + 65536;
    int64_t rows = req_.row_end - req_.row_begin;
    if (req_.reserve_rows >= 0) rows = std::min(rows, req_.reserve_rows);
    int64_t hint = std::min<int64_t>(flat_ ? rows : meta_->num_values, reserve_budget_);
    hint = std::max<int64_t>(hint, 0);
    if (leaf_.max_def > 0) out_->def.reserve(hint);
    if (leaf_.max_rep > 0) out_->rep.reserve(hint);
    if (out_->values.width > 0) {
      out_->values.fixed.reserve(std::min<int64_t>(hint, reserve_budget_ / out_->values.width) * out_->values.width);
    }
    if (out_->values.is_byte_array()) out_->values.offsets.reserve(hint + 1);
    values_hint_ = hint;
  }

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

Status ChunkWalker::NextPage() {
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
    return ReadDataPage(h, body);
  }
  return Status::OK();
}

Status ChunkWalker::Run() {
  MHUB_RETURN_IF_ERROR(Begin());
  while (!done_) MHUB_RETURN_IF_ERROR(NextPage());
  if (first_row_ < 0) return Status::OK();  // an offset index without pages in the range
  return KeepRows(leaf_, out_, std::max<int64_t>(req_.row_begin - first_row_, 0), req_.row_end - first_row_);
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

}  // namespace

Status ReadColumnChunk(const ChunkRequest& request, LeafData* out) { return ChunkWalker(request, out).Run(); }

struct ChunkCursor::State {
  State(const ChunkRequest& request, const OffsetIndex* index) : req(request) {
    req.offset_index = nullptr;
    if (index) {
      offset_index = *index;
      req.offset_index = &offset_index;
    }
  }
  ChunkRequest req;  // before `walker`, which keeps a reference to it
  OffsetIndex offset_index;
  LeafData buf;  // decoded entries not handed out yet (from the front cut on: rows from `row`)
  ChunkWalker walker{req, &buf};
  bool begun = false;
  bool front_cut = false;
  int64_t rows_in_buf = 0;      // complete or started rows in buf (rep == 0 entries)
  int64_t counted_entries = 0;  // entries of buf counted in rows_in_buf
  int64_t handed_out = 0;       // rows returned so far
  // The front of buf that earlier batches took (copied out); dropped before the next page.
  int64_t used_rows = 0, used_entries = 0, used_values = 0;
};

ChunkCursor::ChunkCursor(const ChunkRequest& request, const OffsetIndex* offset_index)
    : state_(std::make_unique<State>(request, offset_index)) {}
ChunkCursor::~ChunkCursor() = default;
ChunkCursor::ChunkCursor(ChunkCursor&&) noexcept = default;
ChunkCursor& ChunkCursor::operator=(ChunkCursor&&) noexcept = default;

Status ChunkCursor::Read(int64_t rows, LeafData* out) {
  State& s = *state_;
  const LeafColumn& leaf = *s.req.leaf;
  const bool flat = leaf.max_rep == 0;
  if (!s.begun) {
    s.begun = true;
    MHUB_RETURN_IF_ERROR(s.walker.Begin());
  }
  rows = std::max<int64_t>(std::min(rows, s.req.row_end - s.req.row_begin - s.handed_out), 0);
  auto count_rows = [&] {
    if (flat) {
      s.rows_in_buf = s.buf.entries;
    } else {
      const int16_t* r = s.buf.rep.data();
      for (int64_t i = s.counted_entries; i < s.buf.entries; ++i) s.rows_in_buf += r[i] == 0;
    }
    s.counted_entries = s.buf.entries;
  };
  auto recount = [&] {
    s.rows_in_buf = 0;
    s.counted_entries = 0;
    count_rows();
  };
  auto fresh = [&](LeafData* d, int64_t hint) {
    d->values.Init(leaf.physical, leaf.type_length);
    d->utf8_checked = leaf.type->id == TypeId::kString;
    // Room for a batch like this one, so the pages of the next one append without regrowing.
    hint = std::min<int64_t>(hint, int64_t{1} << 22);
    if (leaf.max_def > 0) d->def.reserve(hint);
    if (leaf.max_rep > 0) d->rep.reserve(hint);
    if (d->values.width > 0) d->values.fixed.reserve(hint * d->values.width);
    if (d->values.is_byte_array()) d->values.offsets.reserve(hint + 1);
  };
  // Rows before the range that the first decoded page still holds.
  auto skip = [&] { return s.front_cut ? 0 : std::max<int64_t>(s.req.row_begin - s.walker.first_row(), 0); };
  // Enough when row skip + used + rows has started (nested: the rows before it are complete).
  auto enough = [&] {
    if (s.walker.first_row() < 0) return false;
    int64_t need = skip() + s.used_rows + rows;
    return flat ? s.rows_in_buf >= need : s.rows_in_buf > need;
  };
  while (!s.walker.done() && !enough()) {
    if (s.used_entries > 0) {
      // Drop what earlier batches took (what is left is less than a page) before the next page.
      MHUB_RETURN_IF_ERROR(KeepRows(leaf, &s.buf, s.used_rows, INT64_MAX));
      s.used_rows = s.used_entries = s.used_values = 0;
      recount();
    }
    MHUB_RETURN_IF_ERROR(s.walker.NextPage());
    count_rows();
  }
  if (!s.front_cut && s.walker.first_row() >= 0) {
    int64_t k = skip();
    if (k > 0) {
      MHUB_RETURN_IF_ERROR(KeepRows(leaf, &s.buf, k, INT64_MAX));
      recount();
    }
    s.front_cut = true;
  }
  // The entries of rows [used_rows, used_rows + rows) of the buffer.
  Cut c{s.used_entries, s.used_entries, s.used_values, s.used_values};
  if (flat) {
    c.e1 = std::min(s.buf.entries, c.e0 + rows);
  } else {
    const int16_t* r = s.buf.rep.data();
    if (c.e0 < s.buf.entries && r[c.e0] != 0) {
      return Status::Corruption("first value of the column chunk does not start a row");
    }
    int64_t row = -1;
    c.e1 = s.buf.entries;
    for (int64_t i = c.e0; i < s.buf.entries; ++i) {
      if (r[i] == 0 && ++row == rows) {
        c.e1 = i;
        break;
      }
    }
  }
  if (leaf.max_def > 0) {
    const int16_t* d = s.buf.def.data();
    for (int64_t i = c.e0; i < c.e1; ++i) c.v1 += d[i] == leaf.max_def;
  } else {
    c.v1 = c.v0 + (c.e1 - c.e0);
  }
  s.handed_out += rows;
  if (c.e0 == 0 && c.e1 == s.buf.entries) {
    // The whole buffer: handed over without a copy.
    *out = std::move(s.buf);
    s.buf = LeafData();
    fresh(&s.buf, rows);
    s.walker.set_out(&s.buf);
    s.used_rows = s.used_entries = s.used_values = 0;
    recount();
    return Status::OK();
  }
  // Part of a page: copied out (each value once); the buffer keeps the rest for the next batches.
  LeafData part;
  fresh(&part, 0);
  AppendEntries(s.buf, c, &part);
  *out = std::move(part);
  s.used_rows += rows;
  s.used_entries = c.e1;
  s.used_values = c.v1;
  return Status::OK();
}

}  // namespace mhub::datasets::parquet
