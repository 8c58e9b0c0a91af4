#include "datasets/parquet/column_chunk_writer.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "datasets/parquet/column_statistics.h"
#include "datasets/parquet/compress.h"
#include "datasets/parquet/dictionary_encoder.h"
#include "datasets/parquet/metadata_encode.h"
#include "datasets/parquet/rle_hybrid_encoder.h"

namespace mhub::datasets::parquet {

namespace {

struct PageRange {
  int64_t level_begin = 0, level_end = 0;
  int64_t value_begin = 0, value_end = 0;
  int64_t first_row = 0, rows = 0;
};

// Cuts the chunk into pages at record starts (rep level 0), closing a page once its estimated
// PLAIN size reaches the byte limit or it holds the row limit.
std::vector<PageRange> SplitPages(const WriteLeaf& leaf, const LeafChunk& c, const ChunkWriteOptions& o) {
  std::vector<PageRange> pages;
  PageRange cur;
  int64_t bytes = 0, value = 0, row = 0;
  bool has_def = leaf.max_def > 0, has_rep = leaf.max_rep > 0;
  for (int64_t i = 0; i < c.num_levels; ++i) {
    bool row_start = !has_rep || c.rep[static_cast<size_t>(i)] == 0;
    if (row_start) {
      if (i > cur.level_begin && (bytes >= o.data_page_bytes || cur.rows >= o.data_page_rows)) {
        cur.level_end = i;
        cur.value_end = value;
        pages.push_back(cur);
        cur = PageRange{i, i, value, value, row, 0};
        bytes = 0;
      }
      ++cur.rows;
      ++row;
    }
    if (!has_def || c.def[static_cast<size_t>(i)] == leaf.max_def) {
      bytes += leaf.width > 0 ? leaf.width : 4 + (c.offsets[value + 1] - c.offsets[value]);
      ++value;
    }
  }
  cur.level_end = c.num_levels;
  cur.value_end = value;
  pages.push_back(cur);
  return pages;
}

void PutU32(uint32_t v, std::string* out) {
  char b[4];
  std::memcpy(b, &v, 4);
  out->append(b, 4);
}

void EncodePlain(const WriteLeaf& leaf, const LeafChunk& c, int64_t begin, int64_t end, std::string* out) {
  if (leaf.physical == PhysicalType::kBoolean) {
    std::vector<uint32_t> bits(c.fixed.begin() + begin, c.fixed.begin() + end);
    BitPack(bits.data(), bits.size(), 1, out);
  } else if (leaf.width > 0) {
    out->append(reinterpret_cast<const char*>(c.fixed.data()) + begin * leaf.width,
                static_cast<size_t>((end - begin) * leaf.width));
  } else {
    for (int64_t i = begin; i < end; ++i) {
      std::string_view v = c.Value(i);
      PutU32(static_cast<uint32_t>(v.size()), out);
      out->append(v);
    }
  }
}

// Levels of a v1 page: the hybrid encoding behind a 4-byte length.
void LevelsV1(const std::vector<int16_t>& levels, const PageRange& p, int16_t max_level, std::string* out) {
  size_t at = out->size();
  out->append(4, '\0');
  EncodeRleHybrid(levels.data() + p.level_begin, static_cast<size_t>(p.level_end - p.level_begin),
                  BitWidthFor(static_cast<uint64_t>(max_level)), out);
  uint32_t n = static_cast<uint32_t>(out->size() - at - 4);
  std::memcpy(out->data() + at, &n, 4);
}

void AddEncoding(std::vector<Encoding>* list, Encoding e) {
  if (std::find(list->begin(), list->end(), e) == list->end()) list->push_back(e);
}

Status CheckPageSize(size_t n) {
  if (n > static_cast<size_t>(INT32_MAX)) return Status::ResourceExhausted("a Parquet page would exceed 2 GiB");
  return Status::OK();
}

}  // namespace

Result<EncodedChunk> EncodeColumnChunk(const WriteLeaf& leaf, const LeafChunk& c, const ChunkWriteOptions& o) {
  EncodedChunk out;
  ColumnMetaData& meta = out.meta;
  meta.type = leaf.physical;
  meta.path_in_schema = leaf.path;
  meta.codec = o.codec;
  meta.num_values = c.num_levels;

  std::vector<PageRange> ranges = SplitPages(leaf, c, o);
  bool use_dict = o.dictionary && leaf.physical != PhysicalType::kBoolean && c.num_values > 0;
  std::optional<DictionaryEncoder> dict;
  if (use_dict) dict.emplace(leaf.width);
  bool dict_active = use_dict;
  std::optional<ColumnIndex> column_index;
  if (o.statistics && o.page_index) column_index.emplace();

  std::string data_pages;  // after the dictionary page, which is known only at the end
  std::string body, values, header, compressed;
  std::vector<uint32_t> indices;
  int dict_pages = 0, plain_pages = 0;
  int64_t uncompressed_total = 0;
  for (const PageRange& p : ranges) {
    int64_t num_levels = p.level_end - p.level_begin;
    int64_t num_values = p.value_end - p.value_begin;
    // v1 pages hold levels and values in one compressed body; v2 keeps the levels apart.
    body.clear();
    values.clear();
    if (!o.data_page_v2) {
      if (leaf.max_rep > 0) LevelsV1(c.rep, p, leaf.max_rep, &body);
      if (leaf.max_def > 0) LevelsV1(c.def, p, leaf.max_def, &body);
    }
    std::string* vout = o.data_page_v2 ? &values : &body;
    // Values: dictionary indices while the dictionary is small enough, else PLAIN.
    Encoding encoding = Encoding::kPlain;
    if (dict_active) {
      encoding = Encoding::kRleDictionary;
      indices.resize(static_cast<size_t>(num_values));
      uint32_t max_index = 0;
      for (int64_t v = p.value_begin; v < p.value_end; ++v) {
        uint32_t idx = dict->Insert(c.Value(v));
        indices[static_cast<size_t>(v - p.value_begin)] = idx;
        max_index = std::max(max_index, idx);
      }
      int width = BitWidthFor(max_index);
      vout->push_back(static_cast<char>(width));
      EncodeRleHybrid(indices.data(), indices.size(), width, vout);
      ++dict_pages;
    } else {
      EncodePlain(leaf, c, p.value_begin, p.value_end, vout);
      ++plain_pages;
    }

    // Page statistics: in the page header and in the column index.
    std::optional<Statistics> page_stats;
    if (o.statistics) {
      Statistics st;
      st.null_count = num_levels - num_values;
      std::string min, max;
      bool has_minmax = ComputeMinMax(leaf, c, p.value_begin, p.value_end, &min, &max);
      if (o.page_index && column_index) {
        column_index->null_pages.push_back(num_values == 0);
        column_index->null_counts.push_back(num_levels - num_values);
        if (num_values > 0 && !has_minmax) {
          column_index.reset();  // a page with values but no bounds: no index for this chunk
        } else {
          column_index->min_values.push_back(min);
          column_index->max_values.push_back(max);
        }
      }
      if (has_minmax) {
        st.min_value = std::move(min);
        st.max_value = std::move(max);
      }
      page_stats = std::move(st);
    }

    PageHeader h;
    compressed.clear();
    if (!o.data_page_v2) {
      MHUB_RETURN_IF_ERROR(CheckPageSize(body.size()));
      h.type = PageType::kDataPage;
      h.uncompressed_page_size = static_cast<int32_t>(body.size());
      size_t at = data_pages.size();
      MHUB_RETURN_IF_ERROR(Compress(o.codec, o.compression_level, reinterpret_cast<const uint8_t*>(body.data()),
                                    body.size(), &compressed));
      MHUB_RETURN_IF_ERROR(CheckPageSize(compressed.size()));
      h.compressed_page_size = static_cast<int32_t>(compressed.size());
      DataPageHeader d;
      d.num_values = static_cast<int32_t>(num_levels);
      d.encoding = encoding;
      d.statistics = page_stats;
      h.data_page_header = d;
      header.clear();
      EncodePageHeader(h, &header);
      data_pages += header;
      data_pages += compressed;
      uncompressed_total += static_cast<int64_t>(header.size() + body.size());
      out.offset_index.page_locations.push_back(
          {static_cast<int64_t>(at), static_cast<int32_t>(data_pages.size() - at), p.first_row});
    } else {
      // v2: levels stay uncompressed and unprefixed before the (compressed) values.
      std::string rep, def;
      if (leaf.max_rep > 0) {
        EncodeRleHybrid(c.rep.data() + p.level_begin, static_cast<size_t>(num_levels), BitWidthFor(leaf.max_rep), &rep);
      }
      if (leaf.max_def > 0) {
        EncodeRleHybrid(c.def.data() + p.level_begin, static_cast<size_t>(num_levels), BitWidthFor(leaf.max_def), &def);
      }
      // A page of nulls only has no value bytes: leave them "uncompressed" rather than store a codec's
      // frame of nothing, which some readers (hyparquet's LZ4) refuse.
      bool is_compressed = o.codec != CompressionCodec::kUncompressed && !values.empty();
      MHUB_RETURN_IF_ERROR(Compress(is_compressed ? o.codec : CompressionCodec::kUncompressed, o.compression_level,
                                    reinterpret_cast<const uint8_t*>(values.data()), values.size(), &compressed));
      size_t uncompressed = rep.size() + def.size() + values.size();
      size_t stored = rep.size() + def.size() + compressed.size();
      MHUB_RETURN_IF_ERROR(CheckPageSize(uncompressed));
      MHUB_RETURN_IF_ERROR(CheckPageSize(stored));
      h.type = PageType::kDataPageV2;
      h.uncompressed_page_size = static_cast<int32_t>(uncompressed);
      h.compressed_page_size = static_cast<int32_t>(stored);
      DataPageHeaderV2 d;
      d.num_values = static_cast<int32_t>(num_levels);
      d.num_nulls = static_cast<int32_t>(num_levels - num_values);
      d.num_rows = static_cast<int32_t>(p.rows);
      d.encoding = encoding;
      d.definition_levels_byte_length = static_cast<int32_t>(def.size());
      d.repetition_levels_byte_length = static_cast<int32_t>(rep.size());
      d.is_compressed = is_compressed;
      d.statistics = page_stats;
      h.data_page_header_v2 = d;
      header.clear();
      EncodePageHeader(h, &header);
      size_t at = data_pages.size();
      data_pages += header;
      data_pages += rep;
      data_pages += def;
      data_pages += compressed;
      uncompressed_total += static_cast<int64_t>(header.size() + uncompressed);
      out.offset_index.page_locations.push_back(
          {static_cast<int64_t>(at), static_cast<int32_t>(data_pages.size() - at), p.first_row});
    }
    // Past the limit, the pages still to come are PLAIN (this page keeps its indices).
    if (dict_active && dict->plain_bytes() > o.dictionary_page_bytes) dict_active = false;
  }

  // The dictionary page goes first in the chunk.
  int64_t data_start = 0;
  if (dict) {
    body.clear();
    dict->EncodePlain(&body);
    MHUB_RETURN_IF_ERROR(CheckPageSize(body.size()));
    compressed.clear();
    MHUB_RETURN_IF_ERROR(Compress(o.codec, o.compression_level, reinterpret_cast<const uint8_t*>(body.data()),
                                  body.size(), &compressed));
    MHUB_RETURN_IF_ERROR(CheckPageSize(compressed.size()));
    PageHeader h;
    h.type = PageType::kDictionaryPage;
    h.uncompressed_page_size = static_cast<int32_t>(body.size());
    h.compressed_page_size = static_cast<int32_t>(compressed.size());
    DictionaryPageHeader d;
    d.num_values = static_cast<int32_t>(dict->size());
    d.encoding = Encoding::kPlain;
    h.dictionary_page_header = d;
    header.clear();
    EncodePageHeader(h, &header);
    out.dictionary_page = header;
    out.dictionary_page += compressed;
    uncompressed_total += static_cast<int64_t>(header.size() + body.size());
    meta.dictionary_page_offset = 0;
    data_start = static_cast<int64_t>(out.dictionary_page.size());
    AddEncoding(&meta.encodings, Encoding::kPlain);
    meta.encoding_stats.push_back({PageType::kDictionaryPage, Encoding::kPlain, 1});
  }
  out.data_pages = std::move(data_pages);
  for (PageLocation& loc : out.offset_index.page_locations) loc.offset += data_start;
  if (column_index) out.column_index = std::move(column_index);
  meta.data_page_offset = data_start;
  meta.total_uncompressed_size = uncompressed_total;
  meta.total_compressed_size = static_cast<int64_t>(out.dictionary_page.size() + out.data_pages.size());
  if (leaf.max_def > 0 || leaf.max_rep > 0) AddEncoding(&meta.encodings, Encoding::kRle);
  PageType data_type = o.data_page_v2 ? PageType::kDataPageV2 : PageType::kDataPage;
  if (dict_pages > 0) {
    AddEncoding(&meta.encodings, Encoding::kRleDictionary);
    meta.encoding_stats.push_back({data_type, Encoding::kRleDictionary, dict_pages});
  }
  if (plain_pages > 0) {
    AddEncoding(&meta.encodings, Encoding::kPlain);
    meta.encoding_stats.push_back({data_type, Encoding::kPlain, plain_pages});
  }

  if (o.statistics) {
    Statistics st;
    st.null_count = c.num_levels - c.num_values;
    std::string min, max;
    if (ComputeMinMax(leaf, c, 0, c.num_values, &min, &max)) {
      st.min_value = std::move(min);
      st.max_value = std::move(max);
    }
    meta.statistics = std::move(st);
  }
  return out;
}

}  // namespace mhub::datasets::parquet
