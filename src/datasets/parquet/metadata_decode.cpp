// Field ids follow parquet.thrift (see metadata.h). Each Read* takes the reader positioned at a
// struct value and reads it whole; wire types are checked against the spec before reading.
#include "datasets/parquet/metadata_decode.h"

#include "datasets/parquet/thrift_compact_reader.h"

namespace mhub::datasets::parquet {
namespace {

using T = ThriftType;
using R = ThriftCompactReader;

template <typename F>
void ReadStruct(R& r, F&& on_field) {
  r.BeginStruct();
  T type;
  int16_t id;
  while (r.ReadFieldHeader(&type, &id)) {
    if (!on_field(type, id)) r.Skip(type);
  }
  r.EndStruct();
}

// Reads a list whose elements are read by `read_elem`; `want` is the element wire type.
template <typename F>
void ReadList(R& r, T type, T want, const char* what, F&& read_elem) {
  if (!r.Expect(type, T::kList, what)) return;
  T et;
  int64_t n = r.ReadListHeader(&et);
  bool bool_elems = want == T::kTrue;
  if (n > 0 && !(et == want || (bool_elems && (et == T::kTrue || et == T::kFalse)))) {
    r.Fail(std::string("list ") + what + " has element type " + std::to_string(static_cast<int>(et)));
    return;
  }
  for (int64_t i = 0; i < n && r.ok(); ++i) read_elem();
}

int32_t ReadI32Field(R& r, T type, const char* what) { return r.Expect(type, T::kI32, what) ? r.ReadI32() : 0; }
int64_t ReadI64Field(R& r, T type, const char* what) { return r.Expect(type, T::kI64, what) ? r.ReadI64() : 0; }
std::string ReadStringField(R& r, T type, const char* what) {
  return r.Expect(type, T::kBinary, what) ? r.ReadString() : std::string();
}
bool ReadBoolField(R& r, T type, const char* what) {
  return r.Expect(type, T::kTrue, what) ? r.BoolFromHeader(type) : false;
}

Statistics ReadStatistics(R& r) {
  Statistics s;
  ReadStruct(r, [&](T t, int16_t id) {
    switch (id) {
      case 1:
        s.max = ReadStringField(r, t, "Statistics.max");
        return true;
      case 2:
        s.min = ReadStringField(r, t, "Statistics.min");
        return true;
      case 3:
        s.null_count = ReadI64Field(r, t, "Statistics.null_count");
        return true;
      case 4:
        s.distinct_count = ReadI64Field(r, t, "Statistics.distinct_count");
        return true;
      case 5:
        s.max_value = ReadStringField(r, t, "Statistics.max_value");
        return true;
      case 6:
        s.min_value = ReadStringField(r, t, "Statistics.min_value");
        return true;
      case 7:
        s.is_max_value_exact = ReadBoolField(r, t, "Statistics.is_max_value_exact");
        return true;
      case 8:
        s.is_min_value_exact = ReadBoolField(r, t, "Statistics.is_min_value_exact");
        return true;
      default:
        return false;
    }
  });
  return s;
}

LogicalType::Unit ReadTimeUnit(R& r) {
  LogicalType::Unit unit = LogicalType::kMicros;
  ReadStruct(r, [&](T t, int16_t id) {
    if (id >= 1 && id <= 3 && t == T::kStruct) {
      unit = static_cast<LogicalType::Unit>(id);
      r.Skip(t);
      return true;
    }
    return false;
  });
  return unit;
}

LogicalType ReadLogicalType(R& r) {
  LogicalType lt;
  ReadStruct(r, [&](T t, int16_t id) {
    if (!r.Expect(t, T::kStruct, "LogicalType member")) return true;
    lt.kind = static_cast<LogicalType::Kind>(id);
    switch (id) {
      case LogicalType::kDecimal:
        ReadStruct(r, [&](T ft, int16_t fid) {
          if (fid == 1)
            lt.scale = ReadI32Field(r, ft, "DecimalType.scale");
          else if (fid == 2)
            lt.precision = ReadI32Field(r, ft, "DecimalType.precision");
          else
            return false;
          return true;
        });
        return true;
      case LogicalType::kTime:
      case LogicalType::kTimestamp:
        ReadStruct(r, [&](T ft, int16_t fid) {
          if (fid == 1)
            lt.is_adjusted_to_utc = ReadBoolField(r, ft, "isAdjustedToUTC");
          else if (fid == 2 && r.Expect(ft, T::kStruct, "unit"))
            lt.unit = ReadTimeUnit(r);
          else
            return false;
          return true;
        });
        return true;
      case LogicalType::kInteger:
        ReadStruct(r, [&](T ft, int16_t fid) {
          if (fid == 1 && r.Expect(ft, T::kByte, "IntType.bitWidth"))
            lt.bit_width = r.ReadByte();
          else if (fid == 2)
            lt.is_signed = ReadBoolField(r, ft, "IntType.isSigned");
          else
            return false;
          return true;
        });
        return true;
      default:
        r.Skip(t);  // members without parameters (or ones we do not interpret)
        return true;
    }
  });
  return lt;
}

SchemaElement ReadSchemaElement(R& r) {
  SchemaElement e;
  ReadStruct(r, [&](T t, int16_t id) {
    switch (id) {
      case 1:
        e.type = static_cast<PhysicalType>(ReadI32Field(r, t, "SchemaElement.type"));
        return true;
      case 2:
        e.type_length = ReadI32Field(r, t, "SchemaElement.type_length");
        return true;
      case 3:
        e.repetition_type = static_cast<Repetition>(ReadI32Field(r, t, "SchemaElement.repetition_type"));
        return true;
      case 4:
        e.name = ReadStringField(r, t, "SchemaElement.name");
        return true;
      case 5:
        e.num_children = ReadI32Field(r, t, "SchemaElement.num_children");
        return true;
      case 6:
        e.converted_type = static_cast<ConvertedType>(ReadI32Field(r, t, "SchemaElement.converted_type"));
        return true;
      case 7:
        e.scale = ReadI32Field(r, t, "SchemaElement.scale");
        return true;
      case 8:
        e.precision = ReadI32Field(r, t, "SchemaElement.precision");
        return true;
      case 9:
        e.field_id = ReadI32Field(r, t, "SchemaElement.field_id");
        return true;
      case 10:
        if (r.Expect(t, T::kStruct, "SchemaElement.logicalType")) e.logical_type = ReadLogicalType(r);
        return true;
      default:
        return false;
    }
  });
  return e;
}

KeyValue ReadKeyValue(R& r) {
  KeyValue kv;
  ReadStruct(r, [&](T t, int16_t id) {
    if (id == 1)
      kv.key = ReadStringField(r, t, "KeyValue.key");
    else if (id == 2)
      kv.value = ReadStringField(r, t, "KeyValue.value");
    else
      return false;
    return true;
  });
  return kv;
}

void ReadKeyValues(R& r, T t, const char* what, std::vector<KeyValue>* out) {
  ReadList(r, t, T::kStruct, what, [&] { out->push_back(ReadKeyValue(r)); });
}

ColumnMetaData ReadColumnMetaData(R& r) {
  ColumnMetaData m;
  ReadStruct(r, [&](T t, int16_t id) {
    switch (id) {
      case 1:
        m.type = static_cast<PhysicalType>(ReadI32Field(r, t, "ColumnMetaData.type"));
        return true;
      case 2:
        ReadList(r, t, T::kI32, "ColumnMetaData.encodings",
                 [&] { m.encodings.push_back(static_cast<Encoding>(r.ReadI32())); });
        return true;
      case 3:
        ReadList(r, t, T::kBinary, "ColumnMetaData.path_in_schema",
                 [&] { m.path_in_schema.push_back(r.ReadString()); });
        return true;
      case 4:
        m.codec = static_cast<CompressionCodec>(ReadI32Field(r, t, "ColumnMetaData.codec"));
        return true;
      case 5:
        m.num_values = ReadI64Field(r, t, "ColumnMetaData.num_values");
        return true;
      case 6:
        m.total_uncompressed_size = ReadI64Field(r, t, "ColumnMetaData.total_uncompressed_size");
        return true;
      case 7:
        m.total_compressed_size = ReadI64Field(r, t, "ColumnMetaData.total_compressed_size");
        return true;
      case 8:
        ReadKeyValues(r, t, "ColumnMetaData.key_value_metadata", &m.key_value_metadata);
        return true;
      case 9:
        m.data_page_offset = ReadI64Field(r, t, "ColumnMetaData.data_page_offset");
        return true;
      case 10:
        m.index_page_offset = ReadI64Field(r, t, "ColumnMetaData.index_page_offset");
        return true;
      case 11:
        m.dictionary_page_offset = ReadI64Field(r, t, "ColumnMetaData.dictionary_page_offset");
        return true;
      case 12:
        if (r.Expect(t, T::kStruct, "ColumnMetaData.statistics")) m.statistics = ReadStatistics(r);
        return true;
      case 13:
        ReadList(r, t, T::kStruct, "ColumnMetaData.encoding_stats", [&] {
          PageEncodingStats s;
          ReadStruct(r, [&](T ft, int16_t fid) {
            if (fid == 1)
              s.page_type = static_cast<PageType>(ReadI32Field(r, ft, "PageEncodingStats.page_type"));
            else if (fid == 2)
              s.encoding = static_cast<Encoding>(ReadI32Field(r, ft, "PageEncodingStats.encoding"));
            else if (fid == 3)
              s.count = ReadI32Field(r, ft, "PageEncodingStats.count");
            else
              return false;
            return true;
          });
          m.encoding_stats.push_back(s);
        });
        return true;
      case 14:
        m.bloom_filter_offset = ReadI64Field(r, t, "ColumnMetaData.bloom_filter_offset");
        return true;
      case 15:
        m.bloom_filter_length = ReadI32Field(r, t, "ColumnMetaData.bloom_filter_length");
        return true;
      default:
        return false;
    }
  });
  return m;
}

ColumnChunk ReadColumnChunk(R& r) {
  ColumnChunk c;
  ReadStruct(r, [&](T t, int16_t id) {
    switch (id) {
      case 1:
        c.file_path = ReadStringField(r, t, "ColumnChunk.file_path");
        return true;
      case 2:
        c.file_offset = ReadI64Field(r, t, "ColumnChunk.file_offset");
        return true;
      case 3:
        if (r.Expect(t, T::kStruct, "ColumnChunk.meta_data")) c.meta_data = ReadColumnMetaData(r);
        return true;
      case 4:
        c.offset_index_offset = ReadI64Field(r, t, "ColumnChunk.offset_index_offset");
        return true;
      case 5:
        c.offset_index_length = ReadI32Field(r, t, "ColumnChunk.offset_index_length");
        return true;
      case 6:
        c.column_index_offset = ReadI64Field(r, t, "ColumnChunk.column_index_offset");
        return true;
      case 7:
        c.column_index_length = ReadI32Field(r, t, "ColumnChunk.column_index_length");
        return true;
      case 8:
      case 9:
        c.encrypted = true;
        return false;
      default:
        return false;
    }
  });
  return c;
}

RowGroup ReadRowGroup(R& r) {
  RowGroup g;
  ReadStruct(r, [&](T t, int16_t id) {
    switch (id) {
      case 1:
        ReadList(r, t, T::kStruct, "RowGroup.columns", [&] { g.columns.push_back(ReadColumnChunk(r)); });
        return true;
      case 2:
        g.total_byte_size = ReadI64Field(r, t, "RowGroup.total_byte_size");
        return true;
      case 3:
        g.num_rows = ReadI64Field(r, t, "RowGroup.num_rows");
        return true;
      case 4:
        ReadList(r, t, T::kStruct, "RowGroup.sorting_columns", [&] {
          SortingColumn s;
          ReadStruct(r, [&](T ft, int16_t fid) {
            if (fid == 1)
              s.column_idx = ReadI32Field(r, ft, "SortingColumn.column_idx");
            else if (fid == 2)
              s.descending = ReadBoolField(r, ft, "SortingColumn.descending");
            else if (fid == 3)
              s.nulls_first = ReadBoolField(r, ft, "SortingColumn.nulls_first");
            else
              return false;
            return true;
          });
          g.sorting_columns.push_back(s);
        });
        return true;
      case 5:
        g.file_offset = ReadI64Field(r, t, "RowGroup.file_offset");
        return true;
      case 6:
        g.total_compressed_size = ReadI64Field(r, t, "RowGroup.total_compressed_size");
        return true;
      case 7:
        if (r.Expect(t, T::kI16, "RowGroup.ordinal")) g.ordinal = r.ReadI16();
        return true;
      default:
        return false;
    }
  });
  return g;
}

DataPageHeader ReadDataPageHeader(R& r) {
  DataPageHeader h;
  ReadStruct(r, [&](T t, int16_t id) {
    switch (id) {
      case 1:
        h.num_values = ReadI32Field(r, t, "DataPageHeader.num_values");
        return true;
      case 2:
        h.encoding = static_cast<Encoding>(ReadI32Field(r, t, "DataPageHeader.encoding"));
        return true;
      case 3:
        h.definition_level_encoding =
            static_cast<Encoding>(ReadI32Field(r, t, "DataPageHeader.definition_level_encoding"));
        return true;
      case 4:
        h.repetition_level_encoding =
            static_cast<Encoding>(ReadI32Field(r, t, "DataPageHeader.repetition_level_encoding"));
        return true;
      case 5:
        if (r.Expect(t, T::kStruct, "DataPageHeader.statistics")) h.statistics = ReadStatistics(r);
        return true;
      default:
        return false;
    }
  });
  return h;
}

DataPageHeaderV2 ReadDataPageHeaderV2(R& r) {
  DataPageHeaderV2 h;
  ReadStruct(r, [&](T t, int16_t id) {
    switch (id) {
      case 1:
        h.num_values = ReadI32Field(r, t, "DataPageHeaderV2.num_values");
        return true;
      case 2:
        h.num_nulls = ReadI32Field(r, t, "DataPageHeaderV2.num_nulls");
        return true;
      case 3:
        h.num_rows = ReadI32Field(r, t, "DataPageHeaderV2.num_rows");
        return true;
      case 4:
        h.encoding = static_cast<Encoding>(ReadI32Field(r, t, "DataPageHeaderV2.encoding"));
        return true;
      case 5:
        h.definition_levels_byte_length = ReadI32Field(r, t, "DataPageHeaderV2.definition_levels_byte_length");
        return true;
      case 6:
        h.repetition_levels_byte_length = ReadI32Field(r, t, "DataPageHeaderV2.repetition_levels_byte_length");
        return true;
      case 7:
        h.is_compressed = ReadBoolField(r, t, "DataPageHeaderV2.is_compressed");
        return true;
      case 8:
        if (r.Expect(t, T::kStruct, "DataPageHeaderV2.statistics")) h.statistics = ReadStatistics(r);
        return true;
      default:
        return false;
    }
  });
  return h;
}

}  // namespace

Result<FileMetaData> DecodeFileMetaData(const uint8_t* data, size_t size) {
  R r(data, size);
  FileMetaData m;
  bool saw_schema = false, saw_rows = false;
  ReadStruct(r, [&](T t, int16_t id) {
    switch (id) {
      case 1:
        m.version = ReadI32Field(r, t, "FileMetaData.version");
        return true;
      case 2:
        saw_schema = true;
        ReadList(r, t, T::kStruct, "FileMetaData.schema", [&] { m.schema.push_back(ReadSchemaElement(r)); });
        return true;
      case 3:
        saw_rows = true;
        m.num_rows = ReadI64Field(r, t, "FileMetaData.num_rows");
        return true;
      case 4:
        ReadList(r, t, T::kStruct, "FileMetaData.row_groups", [&] { m.row_groups.push_back(ReadRowGroup(r)); });
        return true;
      case 5:
        ReadKeyValues(r, t, "FileMetaData.key_value_metadata", &m.key_value_metadata);
        return true;
      case 6:
        m.created_by = ReadStringField(r, t, "FileMetaData.created_by");
        return true;
      case 7:
        ReadList(r, t, T::kStruct, "FileMetaData.column_orders", [&] {
          r.Skip(T::kStruct);
          ++m.column_orders_type_defined;
        });
        return true;
      case 8:
        m.encrypted = true;
        return false;
      default:
        return false;
    }
  });
  if (!r.ok()) return r.status().WithContext("footer");
  if (!saw_schema || !saw_rows) return Status::Corruption("footer: FileMetaData lacks its schema or num_rows");
  return m;
}

Result<PageHeader> DecodePageHeader(const uint8_t* data, size_t size, size_t* header_size) {
  R r(data, size);
  PageHeader h;
  ReadStruct(r, [&](T t, int16_t id) {
    switch (id) {
      case 1:
        h.type = static_cast<PageType>(ReadI32Field(r, t, "PageHeader.type"));
        return true;
      case 2:
        h.uncompressed_page_size = ReadI32Field(r, t, "PageHeader.uncompressed_page_size");
        return true;
      case 3:
        h.compressed_page_size = ReadI32Field(r, t, "PageHeader.compressed_page_size");
        return true;
      case 4:
        h.crc = ReadI32Field(r, t, "PageHeader.crc");
        return true;
      case 5:
        if (r.Expect(t, T::kStruct, "PageHeader.data_page_header")) h.data_page_header = ReadDataPageHeader(r);
        return true;
      case 6:
        h.has_index_page_header = true;
        return false;
      case 7:
        if (r.Expect(t, T::kStruct, "PageHeader.dictionary_page_header")) {
          DictionaryPageHeader d;
          ReadStruct(r, [&](T ft, int16_t fid) {
            if (fid == 1)
              d.num_values = ReadI32Field(r, ft, "DictionaryPageHeader.num_values");
            else if (fid == 2)
              d.encoding = static_cast<Encoding>(ReadI32Field(r, ft, "DictionaryPageHeader.encoding"));
            else if (fid == 3)
              d.is_sorted = ReadBoolField(r, ft, "DictionaryPageHeader.is_sorted");
            else
              return false;
            return true;
          });
          h.dictionary_page_header = d;
        }
        return true;
      case 8:
        if (r.Expect(t, T::kStruct, "PageHeader.data_page_header_v2")) h.data_page_header_v2 = ReadDataPageHeaderV2(r);
        return true;
      default:
        return false;
    }
  });
  if (!r.ok()) return r.status().WithContext("page header");
  *header_size = r.position();
  return h;
}

Result<OffsetIndex> DecodeOffsetIndex(const uint8_t* data, size_t size) {
  R r(data, size);
  OffsetIndex o;
  ReadStruct(r, [&](T t, int16_t id) {
    if (id == 1) {
      ReadList(r, t, T::kStruct, "OffsetIndex.page_locations", [&] {
        PageLocation p;
        ReadStruct(r, [&](T ft, int16_t fid) {
          if (fid == 1)
            p.offset = ReadI64Field(r, ft, "PageLocation.offset");
          else if (fid == 2)
            p.compressed_page_size = ReadI32Field(r, ft, "PageLocation.compressed_page_size");
          else if (fid == 3)
            p.first_row_index = ReadI64Field(r, ft, "PageLocation.first_row_index");
          else
            return false;
          return true;
        });
        o.page_locations.push_back(p);
      });
      return true;
    }
    if (id == 2) {
      ReadList(r, t, T::kI64, "OffsetIndex.unencoded_byte_array_data_bytes",
               [&] { o.unencoded_byte_array_data_bytes.push_back(r.ReadI64()); });
      return true;
    }
    return false;
  });
  if (!r.ok()) return r.status().WithContext("offset index");
  return o;
}

Result<ColumnIndex> DecodeColumnIndex(const uint8_t* data, size_t size) {
  R r(data, size);
  ColumnIndex c;
  ReadStruct(r, [&](T t, int16_t id) {
    switch (id) {
      case 1:
        ReadList(r, t, T::kTrue, "ColumnIndex.null_pages", [&] { c.null_pages.push_back(r.ReadBool()); });
        return true;
      case 2:
        ReadList(r, t, T::kBinary, "ColumnIndex.min_values", [&] { c.min_values.push_back(r.ReadString()); });
        return true;
      case 3:
        ReadList(r, t, T::kBinary, "ColumnIndex.max_values", [&] { c.max_values.push_back(r.ReadString()); });
        return true;
      case 4:
        c.boundary_order = static_cast<BoundaryOrder>(ReadI32Field(r, t, "ColumnIndex.boundary_order"));
        return true;
      case 5:
        ReadList(r, t, T::kI64, "ColumnIndex.null_counts", [&] { c.null_counts.push_back(r.ReadI64()); });
        return true;
      default:
        return false;
    }
  });
  if (!r.ok()) return r.status().WithContext("column index");
  return c;
}

}  // namespace mhub::datasets::parquet
