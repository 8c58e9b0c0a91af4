// ParquetFile (include/mhub/datasets/parquet.h): maps the file, decodes and checks the footer, and
// reads row ranges of selected columns row group by row group (column_reader.cpp decodes the pages,
// assemble.cpp builds the arrays).
#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <string>

#include "datasets/parquet/assemble.h"
#include "datasets/parquet/column_reader.h"
#include "datasets/parquet/metadata_decode.h"
#include "datasets/parquet/schema_build.h"
#include "mhub/base/mmap_file.h"
#include "mhub/datasets/parquet.h"

namespace mhub::datasets {

using namespace parquet;  // NOLINT: this file is the bridge between the two namespaces

namespace {

// A zero-length array of `type` (offsets {0} for variable-width and list types).
ArrayPtr EmptyArray(const DataTypePtr& type) {
  auto a = std::make_shared<Array>();
  a->type = type;
  if (type->IsVariableWidth() || type->id == TypeId::kList) {
    PodVector<int64_t> zero;
    zero.push_back(0);
    a->offsets = zero.Release();
  }
  for (const Field& f : type->children) a->children.push_back(EmptyArray(f.type));
  return a;
}

}  // namespace

struct ParquetFile::Impl {
  Buffer bytes;  // the whole file (mapping or caller's buffer)
  std::string name;
  FileMetaData meta;
  ParquetSchema schema;
  std::vector<ParquetRowGroupInfo> infos;
  std::vector<int64_t> first_row;  // per row group
  size_t data_end = 0;             // where the footer starts

  Status Error(int rg, const std::string& column, const Status& st) const {
    std::string where = name;
    if (rg >= 0) where += ": row group " + std::to_string(rg);
    if (!column.empty()) where += ", column '" + column + "'";
    return Status(st.code(), where + ": " + st.message());
  }

  Status Init();
  Result<std::vector<int>> SelectColumns(const std::vector<std::string>& columns) const;
  // Rows [begin, end) of row group rg (row-group-relative), the given top-level columns.
  Result<Table> ReadRowGroupRange(int rg, const std::vector<int>& cols, int64_t begin, int64_t end) const;
  Schema SchemaOf(const std::vector<int>& cols) const {
    Schema s;
    for (int c : cols) s.fields.push_back(schema.arrow.fields[c]);
    s.metadata = schema.arrow.metadata;
    return s;
  }
};

Status ParquetFile::Impl::Init() {
  const uint8_t* p = bytes.data;
  size_t size = bytes.size;
  if (size < 12)
    return Status::Corruption(name + ": " + std::to_string(size) + " bytes is too small for a Parquet file");
  if (std::memcmp(p + size - 4, "PARE", 4) == 0) return Status::Unsupported(name + ": encrypted Parquet footer");
  if (std::memcmp(p, "PAR1", 4) != 0 || std::memcmp(p + size - 4, "PAR1", 4) != 0) {
    return Status::Corruption(name + ": not a Parquet file (no PAR1 magic at both ends)");
  }
  uint32_t footer_len;
  std::memcpy(&footer_len, p + size - 8, 4);
  if (footer_len > size - 12) {
    return Status::Corruption(name + ": footer of " + std::to_string(footer_len) + " bytes is larger than the file");
  }
  data_end = size - 8 - footer_len;
  Result<FileMetaData> m = DecodeFileMetaData(p + data_end, footer_len);
  if (!m.ok()) return Error(-1, "", m.status());
  meta = std::move(m).value();
  if (meta.encrypted) return Status::Unsupported(name + ": encrypted Parquet file");
  Result<ParquetSchema> s = BuildSchema(meta);
  if (!s.ok()) return Error(-1, "", s.status());
  schema = std::move(s).value();
  int64_t total = 0;
  for (size_t g = 0; g < meta.row_groups.size(); ++g) {
    const RowGroup& rg = meta.row_groups[g];
    int gi = static_cast<int>(g);
    if (rg.num_rows < 0) return Error(gi, "", Status::Corruption("negative row count"));
    if (rg.columns.size() != schema.leaves.size()) {
      return Error(gi, "",
                   Status::Corruption(std::to_string(rg.columns.size()) + " column chunks for " +
                                      std::to_string(schema.leaves.size()) + " leaf columns"));
    }
    ParquetRowGroupInfo info;
    info.num_rows = rg.num_rows;
    info.total_byte_size = rg.total_byte_size;
    int64_t compressed = 0;
    for (size_t c = 0; c < rg.columns.size(); ++c) {
      ParquetColumnStats cs;
      const auto& md = rg.columns[c].meta_data;
      if (md) {
        compressed += md->total_compressed_size;
        if (md->statistics) {
          const Statistics& st = *md->statistics;
          cs.null_count = st.null_count;
          cs.distinct_count = st.distinct_count;
          cs.min_value = st.min_value ? st.min_value : st.min;
          cs.max_value = st.max_value ? st.max_value : st.max;
        }
      }
      info.column_stats.push_back(std::move(cs));
    }
    info.compressed_size = rg.total_compressed_size.value_or(compressed);
    infos.push_back(std::move(info));
    first_row.push_back(total);
    if (rg.num_rows > (int64_t{1} << 50) - total) return Error(gi, "", Status::Corruption("row count overflows"));
    total += rg.num_rows;
  }
  if (total != meta.num_rows) {
    return Status::Corruption(name + ": the footer says " + std::to_string(meta.num_rows) +
                              " rows, its row groups hold " + std::to_string(total));
  }
  return Status::OK();
}

Result<std::vector<int>> ParquetFile::Impl::SelectColumns(const std::vector<std::string>& columns) const {
  std::vector<int> out;
  if (columns.empty()) {
    for (size_t i = 0; i < schema.top.size(); ++i) out.push_back(static_cast<int>(i));
    return out;
  }
  for (const auto& c : columns) {
    int i = schema.arrow.FieldIndex(c);
    if (i < 0) return Status::NotFound(name + ": no column '" + c + "'");
    out.push_back(i);
  }
  return out;
}

Result<Table> ParquetFile::Impl::ReadRowGroupRange(int rg, const std::vector<int>& cols, int64_t begin,
                                                   int64_t end) const {
  const RowGroup& g = meta.row_groups[rg];
  std::vector<LeafData> leaves(schema.leaves.size());
  Table t;
  t.schema = SchemaOf(cols);
  t.num_rows = end - begin;
  for (int c : cols) {
    const ArrowNode& node = schema.top[c];
    for (int l = node.first_leaf; l < node.last_leaf; ++l) {
      const ColumnChunk& cc = g.columns[l];
      ChunkRequest req;
      req.file = bytes.data;
      req.data_end = data_end;
      req.chunk = &cc;
      req.leaf = &schema.leaves[l];
      req.row_group_rows = g.num_rows;
      req.row_begin = begin;
      req.row_end = end;
      // The offset index lets us jump to the pages of the range; only worth decoding for a part.
      OffsetIndex oi;
      bool partial = begin > 0 || end < g.num_rows;
      if (partial && cc.offset_index_offset && cc.offset_index_length && *cc.offset_index_offset >= 4 &&
          *cc.offset_index_length > 0 &&
          static_cast<uint64_t>(*cc.offset_index_offset) + static_cast<uint64_t>(*cc.offset_index_length) <= data_end) {
        Result<OffsetIndex> r = DecodeOffsetIndex(bytes.data + *cc.offset_index_offset, *cc.offset_index_length);
        if (!r.ok()) return Error(rg, schema.leaves[l].dotted, r.status());
        oi = std::move(r).value();
        req.offset_index = &oi;
      }
      Status st = ReadColumnChunk(req, &leaves[l]);
      if (!st.ok()) return Error(rg, schema.leaves[l].dotted, st);
    }
    Result<ArrayPtr> a = AssembleColumn(node, schema, leaves);
    if (!a.ok()) return Error(rg, "", a.status());
    if ((*a)->length != t.num_rows) {
      return Error(rg, node.field.name,
                   Status::Corruption("holds " + std::to_string((*a)->length) + " rows, the row group " +
                                      std::to_string(t.num_rows)));
    }
    t.columns.push_back(std::move(a).value());
  }
  return t;
}

ParquetFile::ParquetFile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ParquetFile::~ParquetFile() = default;
ParquetFile::ParquetFile(ParquetFile&&) noexcept = default;
ParquetFile& ParquetFile::operator=(ParquetFile&&) noexcept = default;

Result<ParquetFile> ParquetFile::Open(const std::string& path, std::string display_name) {
  Result<MmapFile> m = MmapFile::Open(path);
  if (!m.ok()) return m.status();
  auto mapping = std::make_shared<MmapFile>(std::move(m).value());
  Buffer b;
  b.data = mapping->data();
  b.size = mapping->size();
  b.owner = mapping;
  return OpenBuffer(std::move(b), display_name.empty() ? path : std::move(display_name));
}

Result<ParquetFile> ParquetFile::OpenBuffer(Buffer bytes, std::string display_name) {
  auto impl = std::make_unique<Impl>();
  impl->bytes = std::move(bytes);
  impl->name = std::move(display_name);
  MHUB_RETURN_IF_ERROR(impl->Init());
  return ParquetFile(std::move(impl));
}

const Schema& ParquetFile::schema() const { return impl_->schema.arrow; }
int64_t ParquetFile::num_rows() const { return impl_->meta.num_rows; }
int ParquetFile::num_row_groups() const { return static_cast<int>(impl_->meta.row_groups.size()); }
const ParquetRowGroupInfo& ParquetFile::row_group(int i) const { return impl_->infos.at(i); }
std::string ParquetFile::created_by() const { return impl_->meta.created_by.value_or(""); }

Result<Table> ParquetFile::Read(const ParquetReadOptions& options) const {
  MHUB_ASSIGN_OR_RETURN(std::vector<int> cols, impl_->SelectColumns(options.columns));
  int64_t begin = std::clamp<int64_t>(options.row_begin, 0, num_rows());
  int64_t end = options.row_end < 0 ? num_rows() : std::clamp<int64_t>(options.row_end, begin, num_rows());
  std::vector<Table> parts;
  for (int g = 0; g < num_row_groups(); ++g) {
    int64_t f = impl_->first_row[g], n = impl_->meta.row_groups[g].num_rows;
    if (f + n <= begin || f >= end || n == 0) continue;
    MHUB_ASSIGN_OR_RETURN(Table t, impl_->ReadRowGroupRange(g, cols, std::max(begin, f) - f, std::min(end, f + n) - f));
    parts.push_back(std::move(t));
  }
  if (parts.size() == 1) return std::move(parts[0]);
  if (parts.empty()) {
    // No rows: empty arrays of each column's type.
    Table t;
    t.schema = impl_->SchemaOf(cols);
    for (const auto& f : t.schema.fields) t.columns.push_back(EmptyArray(f.type));
    return t;
  }
  return Table::Concatenate(parts);
}

Result<Table> ParquetFile::ReadRowGroup(int i, const std::vector<std::string>& columns) const {
  if (i < 0 || i >= num_row_groups()) {
    return Status::InvalidArgument(impl_->name + ": no row group " + std::to_string(i) + " (the file has " +
                                   std::to_string(num_row_groups()) + ")");
  }
  MHUB_ASSIGN_OR_RETURN(std::vector<int> cols, impl_->SelectColumns(columns));
  return impl_->ReadRowGroupRange(i, cols, 0, impl_->meta.row_groups[i].num_rows);
}

namespace {

// Reads one row group at a time (the range's part of it) and hands it out in slices of batch_rows.
class ParquetTableReader : public TableReader {
 public:
  // read(g, begin, end): rows [begin, end) of row group g; groups: (first row, rows) per row group.
  using ReadFn = std::function<Result<Table>(int, int64_t, int64_t)>;
  ParquetTableReader(ReadFn read, std::vector<std::pair<int64_t, int64_t>> groups, Schema schema, int64_t begin,
                     int64_t end, int64_t batch)
      : read_(std::move(read)),
        groups_(std::move(groups)),
        schema_(std::move(schema)),
        pos_(begin),
        end_(end),
        batch_(std::max<int64_t>(batch, 1)) {}
  const Schema& schema() const override { return schema_; }

  Result<std::optional<Table>> Next() override {
    while (!current_ || cur_pos_ >= current_->num_rows) {
      current_.reset();
      if (pos_ >= end_ || group_ >= static_cast<int>(groups_.size())) return std::optional<Table>();
      auto [f, n] = groups_[group_];
      if (f + n <= pos_ || n == 0) {
        ++group_;
        continue;
      }
      int64_t b = pos_ - f, e = std::min(end_, f + n) - f;
      MHUB_ASSIGN_OR_RETURN(Table t, read_(group_, b, e));
      pos_ = f + e;
      ++group_;
      current_ = std::move(t);
      cur_pos_ = 0;
    }
    int64_t take = std::min(batch_, current_->num_rows - cur_pos_);
    if (cur_pos_ == 0 && take == current_->num_rows) {
      Table t = std::move(*current_);
      current_.reset();
      return std::optional<Table>(std::move(t));
    }
    Table t = current_->Slice(cur_pos_, cur_pos_ + take);
    cur_pos_ += take;
    return std::optional<Table>(std::move(t));
  }

 private:
  ReadFn read_;
  std::vector<std::pair<int64_t, int64_t>> groups_;
  Schema schema_;
  int64_t pos_, end_, batch_;
  int group_ = 0;
  std::optional<Table> current_;
  int64_t cur_pos_ = 0;
};

}  // namespace

Result<std::unique_ptr<TableReader>> ParquetFile::Stream(const ParquetReadOptions& options) const {
  MHUB_ASSIGN_OR_RETURN(std::vector<int> cols, impl_->SelectColumns(options.columns));
  int64_t begin = std::clamp<int64_t>(options.row_begin, 0, num_rows());
  int64_t end = options.row_end < 0 ? num_rows() : std::clamp<int64_t>(options.row_end, begin, num_rows());
  std::vector<std::pair<int64_t, int64_t>> groups;
  for (int g = 0; g < num_row_groups(); ++g)
    groups.emplace_back(impl_->first_row[g], impl_->meta.row_groups[g].num_rows);
  const Impl* impl = impl_.get();
  Schema schema = impl->SchemaOf(cols);
  auto read = [impl, cols](int g, int64_t b, int64_t e) { return impl->ReadRowGroupRange(g, cols, b, e); };
  return std::unique_ptr<TableReader>(
      std::make_unique<ParquetTableReader>(read, std::move(groups), std::move(schema), begin, end, options.batch_rows));
}

}  // namespace mhub::datasets
