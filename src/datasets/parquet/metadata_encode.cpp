#include "datasets/parquet/metadata_encode.h"

#include "datasets/parquet/thrift_compact_writer.h"

namespace mhub::datasets::parquet {

namespace {

using W = ThriftCompactWriter;

int32_t E(auto v) { return static_cast<int32_t>(v); }

void Stats(W& w, const Statistics& s) {
  w.BeginStruct();
  if (s.max) w.FieldBinary(1, *s.max);
  if (s.min) w.FieldBinary(2, *s.min);
  if (s.null_count) w.FieldI64(3, *s.null_count);
  if (s.distinct_count) w.FieldI64(4, *s.distinct_count);
  if (s.max_value) w.FieldBinary(5, *s.max_value);
  if (s.min_value) w.FieldBinary(6, *s.min_value);
  if (s.is_max_value_exact) w.FieldBool(7, *s.is_max_value_exact);
  if (s.is_min_value_exact) w.FieldBool(8, *s.is_min_value_exact);
  w.EndStruct();
}

void Unit(W& w, LogicalType::Unit unit) {
  w.BeginStruct();
  w.FieldStruct(static_cast<int16_t>(unit));  // the TimeUnit union's member: an empty struct
  w.BeginStruct();
  w.EndStruct();
  w.EndStruct();
}

void Logical(W& w, const LogicalType& t) {
  w.BeginStruct();
  w.FieldStruct(t.kind);
  w.BeginStruct();
  switch (t.kind) {
    case LogicalType::kDecimal:
      w.FieldI32(1, t.scale);
      w.FieldI32(2, t.precision);
      break;
    case LogicalType::kTime:
    case LogicalType::kTimestamp:
      w.FieldBool(1, t.is_adjusted_to_utc);
      w.FieldStruct(2);
      Unit(w, t.unit);
      break;
    case LogicalType::kInteger:
      w.FieldByte(1, t.bit_width);
      w.FieldBool(2, t.is_signed);
      break;
    default:  // the other members are empty structs
      break;
  }
  w.EndStruct();
  w.EndStruct();
}

void Element(W& w, const SchemaElement& e) {
  w.BeginStruct();
  if (e.type) w.FieldI32(1, E(*e.type));
  if (e.type_length) w.FieldI32(2, *e.type_length);
  if (e.repetition_type) w.FieldI32(3, E(*e.repetition_type));
  w.FieldBinary(4, e.name);
  if (e.num_children) w.FieldI32(5, *e.num_children);
  if (e.converted_type) w.FieldI32(6, E(*e.converted_type));
  if (e.scale) w.FieldI32(7, *e.scale);
  if (e.precision) w.FieldI32(8, *e.precision);
  if (e.field_id) w.FieldI32(9, *e.field_id);
  if (e.logical_type && e.logical_type->kind != LogicalType::kNone) {
    w.FieldStruct(10);
    Logical(w, *e.logical_type);
  }
  w.EndStruct();
}

void KeyValues(W& w, int16_t id, const std::vector<KeyValue>& kvs) {
  if (kvs.empty()) return;
  w.FieldList(id, ThriftType::kStruct, static_cast<int64_t>(kvs.size()));
  for (const KeyValue& kv : kvs) {
    w.BeginStruct();
    w.FieldBinary(1, kv.key);
    if (kv.value) w.FieldBinary(2, *kv.value);
    w.EndStruct();
  }
}

void ColumnMeta(W& w, const ColumnMetaData& m) {
  w.BeginStruct();
  w.FieldI32(1, E(m.type));
  w.FieldList(2, ThriftType::kI32, static_cast<int64_t>(m.encodings.size()));
  for (Encoding e : m.encodings) w.ListI32(E(e));
  w.FieldList(3, ThriftType::kBinary, static_cast<int64_t>(m.path_in_schema.size()));
  for (const std::string& p : m.path_in_schema) w.ListBinary(p);
  w.FieldI32(4, E(m.codec));
  w.FieldI64(5, m.num_values);
  w.FieldI64(6, m.total_uncompressed_size);
  w.FieldI64(7, m.total_compressed_size);
  KeyValues(w, 8, m.key_value_metadata);
  w.FieldI64(9, m.data_page_offset);
  if (m.index_page_offset) w.FieldI64(10, *m.index_page_offset);
  if (m.dictionary_page_offset) w.FieldI64(11, *m.dictionary_page_offset);
  if (m.statistics) {
    w.FieldStruct(12);
    Stats(w, *m.statistics);
  }
  if (!m.encoding_stats.empty()) {
    w.FieldList(13, ThriftType::kStruct, static_cast<int64_t>(m.encoding_stats.size()));
    for (const PageEncodingStats& s : m.encoding_stats) {
      w.BeginStruct();
      w.FieldI32(1, E(s.page_type));
      w.FieldI32(2, E(s.encoding));
      w.FieldI32(3, s.count);
      w.EndStruct();
    }
  }
  if (m.bloom_filter_offset) w.FieldI64(14, *m.bloom_filter_offset);
  if (m.bloom_filter_length) w.FieldI32(15, *m.bloom_filter_length);
  w.EndStruct();
}

void Chunk(W& w, const ColumnChunk& c) {
  w.BeginStruct();
  if (c.file_path) w.FieldBinary(1, *c.file_path);
  w.FieldI64(2, c.file_offset);
  if (c.meta_data) {
    w.FieldStruct(3);
    ColumnMeta(w, *c.meta_data);
  }
  if (c.offset_index_offset) w.FieldI64(4, *c.offset_index_offset);
  if (c.offset_index_length) w.FieldI32(5, *c.offset_index_length);
  if (c.column_index_offset) w.FieldI64(6, *c.column_index_offset);
  if (c.column_index_length) w.FieldI32(7, *c.column_index_length);
  w.EndStruct();
}

void Group(W& w, const RowGroup& g) {
  w.BeginStruct();
  w.FieldList(1, ThriftType::kStruct, static_cast<int64_t>(g.columns.size()));
  for (const ColumnChunk& c : g.columns) Chunk(w, c);
  w.FieldI64(2, g.total_byte_size);
  w.FieldI64(3, g.num_rows);
  if (!g.sorting_columns.empty()) {
    w.FieldList(4, ThriftType::kStruct, static_cast<int64_t>(g.sorting_columns.size()));
    for (const SortingColumn& s : g.sorting_columns) {
      w.BeginStruct();
      w.FieldI32(1, s.column_idx);
      w.FieldBool(2, s.descending);
      w.FieldBool(3, s.nulls_first);
      w.EndStruct();
    }
  }
  if (g.file_offset) w.FieldI64(5, *g.file_offset);
  if (g.total_compressed_size) w.FieldI64(6, *g.total_compressed_size);
  if (g.ordinal) w.FieldI16(7, *g.ordinal);
  w.EndStruct();
}

}  // namespace

void EncodeFileMetaData(const FileMetaData& m, std::string* out) {
  W w(out);
  w.BeginStruct();
  w.FieldI32(1, m.version);
  w.FieldList(2, ThriftType::kStruct, static_cast<int64_t>(m.schema.size()));
  for (const SchemaElement& e : m.schema) Element(w, e);
  w.FieldI64(3, m.num_rows);
  w.FieldList(4, ThriftType::kStruct, static_cast<int64_t>(m.row_groups.size()));
  for (const RowGroup& g : m.row_groups) Group(w, g);
  KeyValues(w, 5, m.key_value_metadata);
  if (m.created_by) w.FieldBinary(6, *m.created_by);
  if (m.column_orders_type_defined > 0) {
    // ColumnOrder is a union whose member 1 (TYPE_ORDER) is an empty struct.
    w.FieldList(7, ThriftType::kStruct, m.column_orders_type_defined);
    for (int i = 0; i < m.column_orders_type_defined; ++i) {
      w.BeginStruct();
      w.FieldStruct(1);
      w.BeginStruct();
      w.EndStruct();
      w.EndStruct();
    }
  }
  w.EndStruct();
}

void EncodePageHeader(const PageHeader& h, std::string* out) {
  W w(out);
  w.BeginStruct();
  w.FieldI32(1, E(h.type));
  w.FieldI32(2, h.uncompressed_page_size);
  w.FieldI32(3, h.compressed_page_size);
  if (h.crc) w.FieldI32(4, *h.crc);
  if (h.data_page_header) {
    const DataPageHeader& d = *h.data_page_header;
    w.FieldStruct(5);
    w.BeginStruct();
    w.FieldI32(1, d.num_values);
    w.FieldI32(2, E(d.encoding));
    w.FieldI32(3, E(d.definition_level_encoding));
    w.FieldI32(4, E(d.repetition_level_encoding));
    if (d.statistics) {
      w.FieldStruct(5);
      Stats(w, *d.statistics);
    }
    w.EndStruct();
  }
  if (h.dictionary_page_header) {
    const DictionaryPageHeader& d = *h.dictionary_page_header;
    w.FieldStruct(7);
    w.BeginStruct();
    w.FieldI32(1, d.num_values);
    w.FieldI32(2, E(d.encoding));
    if (d.is_sorted) w.FieldBool(3, *d.is_sorted);
    w.EndStruct();
  }
  if (h.data_page_header_v2) {
    const DataPageHeaderV2& d = *h.data_page_header_v2;
    w.FieldStruct(8);
    w.BeginStruct();
    w.FieldI32(1, d.num_values);
    w.FieldI32(2, d.num_nulls);
    w.FieldI32(3, d.num_rows);
    w.FieldI32(4, E(d.encoding));
    w.FieldI32(5, d.definition_levels_byte_length);
    w.FieldI32(6, d.repetition_levels_byte_length);
    if (d.is_compressed) w.FieldBool(7, *d.is_compressed);
    if (d.statistics) {
      w.FieldStruct(8);
      Stats(w, *d.statistics);
    }
    w.EndStruct();
  }
  w.EndStruct();
}

void EncodeOffsetIndex(const OffsetIndex& index, std::string* out) {
  W w(out);
  w.BeginStruct();
  w.FieldList(1, ThriftType::kStruct, static_cast<int64_t>(index.page_locations.size()));
  for (const PageLocation& p : index.page_locations) {
    w.BeginStruct();
    w.FieldI64(1, p.offset);
    w.FieldI32(2, p.compressed_page_size);
    w.FieldI64(3, p.first_row_index);
    w.EndStruct();
  }
  if (!index.unencoded_byte_array_data_bytes.empty()) {
    w.FieldList(2, ThriftType::kI64, static_cast<int64_t>(index.unencoded_byte_array_data_bytes.size()));
    for (int64_t v : index.unencoded_byte_array_data_bytes) w.ListI64(v);
  }
  w.EndStruct();
}

void EncodeColumnIndex(const ColumnIndex& index, std::string* out) {
  W w(out);
  w.BeginStruct();
  w.FieldList(1, ThriftType::kTrue,  // bool list elements use the "true" type nibble
              static_cast<int64_t>(index.null_pages.size()));
  for (bool b : index.null_pages) w.ListBool(b);
  w.FieldList(2, ThriftType::kBinary, static_cast<int64_t>(index.min_values.size()));
  for (const std::string& v : index.min_values) w.ListBinary(v);
  w.FieldList(3, ThriftType::kBinary, static_cast<int64_t>(index.max_values.size()));
  for (const std::string& v : index.max_values) w.ListBinary(v);
  w.FieldI32(4, E(index.boundary_order));
  if (!index.null_counts.empty()) {
    w.FieldList(5, ThriftType::kI64, static_cast<int64_t>(index.null_counts.size()));
    for (int64_t v : index.null_counts) w.ListI64(v);
  }
  w.EndStruct();
}

}  // namespace mhub::datasets::parquet
