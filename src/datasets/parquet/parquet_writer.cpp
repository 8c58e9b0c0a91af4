// ParquetWriter: rows are shredded into per-leaf chunks as they arrive and written out as a row
// group every row_group_rows rows; the footer goes out in Close(), which then makes the file
// visible under its name (temp file, fsync, rename), so a reader never sees a half-written file.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "datasets/parquet/column_chunk_writer.h"
#include "datasets/parquet/column_shredder.h"
#include "datasets/parquet/metadata_encode.h"
#include "datasets/parquet/write_schema.h"
#include "mhub/base/env.h"
#include "mhub/datasets/parquet.h"

namespace mhub::datasets {

namespace pq = parquet;

namespace {

pq::CompressionCodec ToCodec(ParquetCodec c) {
  switch (c) {
    case ParquetCodec::kUncompressed:
      return pq::CompressionCodec::kUncompressed;
    case ParquetCodec::kSnappy:
      return pq::CompressionCodec::kSnappy;
    case ParquetCodec::kGzip:
      return pq::CompressionCodec::kGzip;
    case ParquetCodec::kBrotli:
      return pq::CompressionCodec::kBrotli;
    case ParquetCodec::kZstd:
      return pq::CompressionCodec::kZstd;
    case ParquetCodec::kLz4Raw:
      return pq::CompressionCodec::kLz4Raw;
  }
  return pq::CompressionCodec::kUncompressed;
}

constexpr char kMagic[] = "PAR1";

}  // namespace

struct ParquetWriter::Impl {
  std::string path, temp_path;
  int fd = -1;
  int64_t offset = 0;  // bytes written so far
  Schema schema;
  ParquetWriteOptions options;
  pq::ChunkWriteOptions chunk_options;
  pq::WriteLayout layout;
  std::vector<pq::LeafChunk> chunks;
  int64_t rows_in_group = 0;
  int64_t rows_written = 0;
  pq::FileMetaData meta;
  // Page indexes of every chunk written, [row group][column], written before the footer.
  std::vector<std::vector<pq::OffsetIndex>> offset_indexes;
  std::vector<std::vector<std::optional<pq::ColumnIndex>>> column_indexes;
  Status failed;  // sticky: after an error the writer only reports it
  bool closed = false;

  ~Impl() {
    if (fd >= 0) ::close(fd);
    if (!closed && !temp_path.empty()) ::unlink(temp_path.c_str());
  }

  Status Fail(Status st) {
    failed = st;
    return st;
  }

  Status WriteBytes(const void* data, size_t n) {
    const char* p = static_cast<const char*>(data);
    while (n > 0) {
      ssize_t w = ::write(fd, p, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        return Status::IOError("cannot write " + temp_path + ": " + std::strerror(errno));
      }
      p += w;
      n -= static_cast<size_t>(w);
      offset += w;
    }
    return Status::OK();
  }

  Status FlushRowGroup() {
    if (rows_in_group == 0) return Status::OK();
    pq::RowGroup group;
    group.num_rows = rows_in_group;
    group.file_offset = offset;
    int64_t compressed = 0;
    offset_indexes.emplace_back();
    column_indexes.emplace_back();
    for (size_t l = 0; l < layout.leaves.size(); ++l) {
      auto encoded = pq::EncodeColumnChunk(layout.leaves[l], chunks[l], chunk_options);
      if (!encoded.ok()) {
        std::string name;
        for (const std::string& p : layout.leaves[l].path) name += (name.empty() ? "" : ".") + p;
        return encoded.status().WithContext("row group " + std::to_string(meta.row_groups.size()) + ", column '" +
                                            name + "'");
      }
      int64_t start = offset;
      MHUB_RETURN_IF_ERROR(WriteBytes(encoded->dictionary_page.data(), encoded->dictionary_page.size()));
      MHUB_RETURN_IF_ERROR(WriteBytes(encoded->data_pages.data(), encoded->data_pages.size()));
      pq::ColumnChunk cc;
      cc.file_offset = start;
      pq::ColumnMetaData m = std::move(encoded->meta);
      m.data_page_offset += start;
      if (m.dictionary_page_offset) *m.dictionary_page_offset += start;
      group.total_byte_size += m.total_uncompressed_size;
      compressed += m.total_compressed_size;
      cc.meta_data = std::move(m);
      if (options.page_index) {
        for (pq::PageLocation& loc : encoded->offset_index.page_locations) loc.offset += start;
        offset_indexes.back().push_back(std::move(encoded->offset_index));
        column_indexes.back().push_back(std::move(encoded->column_index));
      }
      group.columns.push_back(std::move(cc));
      chunks[l].Clear();
    }
    group.total_compressed_size = compressed;
    if (meta.row_groups.size() <= 32767) group.ordinal = static_cast<int16_t>(meta.row_groups.size());
    meta.row_groups.push_back(std::move(group));
    meta.num_rows += rows_in_group;
    rows_in_group = 0;
    return Status::OK();
  }

  Status Write(const Table& table) {
    if (!schema.Equals(table.schema)) {
      return Status::InvalidArgument("table schema differs from the writer's:\n" + table.schema.ToString() + "\nvs\n" +
                                     schema.ToString());
    }
    if (table.columns.size() != schema.fields.size()) {
      return Status::InvalidArgument("table has " + std::to_string(table.columns.size()) + " columns for " +
                                     std::to_string(schema.fields.size()) + " fields");
    }
    for (size_t c = 0; c < table.columns.size(); ++c) {
      if (!table.columns[c] || table.columns[c]->length != table.num_rows) {
        return Status::InvalidArgument("column '" + schema.fields[c].name + "' does not have the table's " +
                                       std::to_string(table.num_rows) + " rows");
      }
    }
    int64_t row = 0;
    while (row < table.num_rows) {
      int64_t take = std::min(table.num_rows - row, options.row_group_rows - rows_in_group);
      for (size_t c = 0; c < table.columns.size(); ++c) {
        MHUB_RETURN_IF_ERROR(
            pq::ShredColumn(layout.columns[c], layout.leaves, *table.columns[c], row, row + take, &chunks));
      }
      rows_in_group += take;
      rows_written += take;
      row += take;
      if (rows_in_group >= options.row_group_rows) MHUB_RETURN_IF_ERROR(FlushRowGroup());
    }
    return Status::OK();
  }

  // The page index goes between the last row group and the footer, column indexes first, as Arrow
  // lays it out; each ColumnChunk points at its two entries.
  Status WritePageIndex() {
    if (!options.page_index) return Status::OK();
    std::string bytes;
    for (size_t g = 0; g < column_indexes.size(); ++g) {
      for (size_t c = 0; c < column_indexes[g].size(); ++c) {
        if (!column_indexes[g][c]) continue;
        bytes.clear();
        pq::EncodeColumnIndex(*column_indexes[g][c], &bytes);
        meta.row_groups[g].columns[c].column_index_offset = offset;
        meta.row_groups[g].columns[c].column_index_length = static_cast<int32_t>(bytes.size());
        MHUB_RETURN_IF_ERROR(WriteBytes(bytes.data(), bytes.size()));
      }
    }
    for (size_t g = 0; g < offset_indexes.size(); ++g) {
      for (size_t c = 0; c < offset_indexes[g].size(); ++c) {
        bytes.clear();
        pq::EncodeOffsetIndex(offset_indexes[g][c], &bytes);
        meta.row_groups[g].columns[c].offset_index_offset = offset;
        meta.row_groups[g].columns[c].offset_index_length = static_cast<int32_t>(bytes.size());
        MHUB_RETURN_IF_ERROR(WriteBytes(bytes.data(), bytes.size()));
      }
    }
    return Status::OK();
  }

  Status Close() {
    MHUB_RETURN_IF_ERROR(FlushRowGroup());
    MHUB_RETURN_IF_ERROR(WritePageIndex());
    meta.version = 2;
    meta.schema = layout.elements;
    for (const auto& [k, v] : schema.metadata) meta.key_value_metadata.push_back({k, v});
    meta.created_by = options.created_by;
    meta.column_orders_type_defined = static_cast<int32_t>(layout.leaves.size());
    std::string footer;
    pq::EncodeFileMetaData(meta, &footer);
    uint32_t n = static_cast<uint32_t>(footer.size());
    char len[4];
    std::memcpy(len, &n, 4);
    footer.append(len, 4);
    footer.append(kMagic, 4);
    MHUB_RETURN_IF_ERROR(WriteBytes(footer.data(), footer.size()));
    MHUB_RETURN_IF_ERROR(FsyncFd(fd, temp_path));
    if (::close(fd) != 0) {
      fd = -1;
      return Status::IOError("cannot close " + temp_path + ": " + std::strerror(errno));
    }
    fd = -1;
    MHUB_RETURN_IF_ERROR(Env::Default()->RenameDurable(temp_path, path));
    closed = true;
    return Status::OK();
  }
};

ParquetWriter::ParquetWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ParquetWriter::~ParquetWriter() = default;
ParquetWriter::ParquetWriter(ParquetWriter&&) noexcept = default;
ParquetWriter& ParquetWriter::operator=(ParquetWriter&&) noexcept = default;

Result<ParquetWriter> ParquetWriter::Create(const std::string& path, Schema schema, ParquetWriteOptions options) {
  if (options.row_group_rows <= 0) return Status::InvalidArgument("row_group_rows must be positive");
  if (options.data_page_bytes <= 0) return Status::InvalidArgument("data_page_bytes must be positive");
  MHUB_ASSIGN_OR_RETURN(pq::WriteLayout layout, pq::BuildWriteLayout(schema));
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->schema = std::move(schema);
  impl->options = options;
  impl->chunk_options.codec = ToCodec(options.codec);
  impl->chunk_options.compression_level = options.compression_level;
  impl->chunk_options.data_page_bytes = options.data_page_bytes;
  impl->chunk_options.dictionary = options.dictionary;
  impl->chunk_options.dictionary_page_bytes = options.dictionary_page_bytes;
  impl->chunk_options.statistics = options.statistics;
  impl->chunk_options.page_index = options.page_index;
  impl->chunk_options.data_page_v2 = options.data_page_v2;
  impl->layout = std::move(layout);
  impl->chunks.resize(impl->layout.leaves.size());
  for (size_t l = 0; l < impl->chunks.size(); ++l) impl->chunks[l].width = impl->layout.leaves[l].width;
  impl->temp_path = TempPathFor(path);
  impl->fd = ::open(impl->temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (impl->fd < 0) {
    int err = errno;
    impl->temp_path.clear();  // nothing to remove
    return Status::IOError("cannot create " + path + ": " + std::strerror(err));
  }
  MHUB_RETURN_IF_ERROR(impl->WriteBytes(kMagic, 4));
  return ParquetWriter(std::move(impl));
}

Status ParquetWriter::Write(const Table& table) {
  if (!impl_) return Status::InvalidArgument("ParquetWriter was moved from");
  if (impl_->closed) return Status::InvalidArgument("ParquetWriter::Write after Close");
  if (!impl_->failed.ok()) return impl_->failed;
  Status st = impl_->Write(table);
  if (!st.ok()) return impl_->Fail(st.WithContext("while writing " + impl_->path));
  return st;
}

Status ParquetWriter::Close() {
  if (!impl_) return Status::InvalidArgument("ParquetWriter was moved from");
  if (impl_->closed) return Status::OK();
  if (!impl_->failed.ok()) return impl_->failed;
  Status st = impl_->Close();
  if (!st.ok()) return impl_->Fail(st.WithContext("while writing " + impl_->path));
  return st;
}

int64_t ParquetWriter::rows_written() const { return impl_ ? impl_->rows_written : 0; }

Status WriteParquet(const std::string& path, const Table& table, const ParquetWriteOptions& options) {
  MHUB_ASSIGN_OR_RETURN(ParquetWriter writer, ParquetWriter::Create(path, table.schema, options));
  MHUB_RETURN_IF_ERROR(writer.Write(table));
  return writer.Close();
}

}  // namespace mhub::datasets
