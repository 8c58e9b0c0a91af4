// ParquetFile (include/mhub/datasets/parquet.h): maps the file, decodes and checks the footer, and
// reads row ranges of selected columns row group by row group (chunk_cursor.cpp / chunk_walker.cpp decode the pages,
// assemble.cpp builds the arrays).
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <functional>
#include <memory>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "datasets/parquet/assemble.h"
#include "datasets/parquet/column_reader.h"
#include "datasets/parquet/metadata_decode.h"
#include "datasets/parquet/parquet_file_impl.h"
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

// Runs task(0..n-1) on up to `threads` threads (the caller's included) and answers the error of the
// lowest-numbered task that failed (so the error does not depend on scheduling).
Status RunTasks(size_t n, int threads, const std::function<Status(size_t)>& task) {
  std::vector<Status> results(n);
  auto guarded = [&](size_t k) {
    try {
      results[k] = task(k);
    } catch (const std::bad_alloc&) {
      results[k] = Status::ResourceExhausted("out of memory decoding a column");
    }
  };
  size_t workers = std::min<size_t>(n, static_cast<size_t>(std::max(threads, 1)));
  if (workers <= 1) {
    for (size_t k = 0; k < n; ++k) {
      guarded(k);
      if (!results[k].ok()) return results[k];
    }
    return Status::OK();
  }
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t k; (k = next.fetch_add(1)) < n;) guarded(k);
  };
  std::vector<std::thread> pool;
  for (size_t w = 1; w < workers; ++w) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  for (auto& st : results) {
    if (!st.ok()) return st;
  }
  return Status::OK();
}

// Row groups smaller than this are decoded on the calling thread (a thread costs more than they do).
constexpr int64_t kParallelBytes = int64_t{256} << 10;

}  // namespace

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

Result<ChunkRequest> ParquetFile::Impl::Request(int rg, int l, int64_t begin, int64_t end, OffsetIndex* oi) const {
  const RowGroup& g = meta.row_groups[rg];
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
  bool partial = begin > 0 || end < g.num_rows;
  if (partial && cc.offset_index_offset && cc.offset_index_length && *cc.offset_index_offset >= 4 &&
      *cc.offset_index_length > 0 &&
      static_cast<uint64_t>(*cc.offset_index_offset) + static_cast<uint64_t>(*cc.offset_index_length) <= data_end) {
    Result<OffsetIndex> r = DecodeOffsetIndex(bytes.data + *cc.offset_index_offset, *cc.offset_index_length);
    if (!r.ok()) return Error(rg, schema.leaves[l].dotted, r.status());
    *oi = std::move(r).value();
    req.offset_index = oi;
  }
  return req;
}

int64_t ParquetFile::Impl::SelectedBytes(int rg, const std::vector<int>& cols) const {
  int64_t total = 0;
  for (int c : cols) {
    for (int l = schema.top[c].first_leaf; l < schema.top[c].last_leaf; ++l) {
      const auto& md = meta.row_groups[rg].columns[l].meta_data;
      if (md) total += std::max<int64_t>(md->total_compressed_size, 0);
    }
  }
  return total;
}

void ParquetFile::Impl::ReleasePages(int rg) const {
  if (!mapped) return;
  int64_t lo = INT64_MAX, hi = 0;
  for (const ColumnChunk& cc : meta.row_groups[rg].columns) {
    if (!cc.meta_data) continue;
    int64_t start = cc.meta_data->data_page_offset;
    if (cc.meta_data->dictionary_page_offset && *cc.meta_data->dictionary_page_offset > 0) {
      start = std::min(start, *cc.meta_data->dictionary_page_offset);
    }
    int64_t len = cc.meta_data->total_compressed_size;
    if (start < 0 || len < 0 || static_cast<uint64_t>(start) > data_end || static_cast<uint64_t>(len) > data_end) {
      continue;
    }
    lo = std::min(lo, start);
    hi = std::max(hi, std::min<int64_t>(start + len, static_cast<int64_t>(data_end)));
  }
  if (lo >= hi) return;
  // Whole pages inside the row group's bytes only (a neighbour's first or last page stays).
  const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  uintptr_t a = (reinterpret_cast<uintptr_t>(bytes.data) + static_cast<uintptr_t>(lo) + page - 1) & ~(page - 1);
  uintptr_t b = (reinterpret_cast<uintptr_t>(bytes.data) + static_cast<uintptr_t>(hi)) & ~(page - 1);
  // A private read-only file mapping: dropped pages read back the same bytes on the next touch,
  // so this is safe while other threads read the same file.
  if (b > a) madvise(reinterpret_cast<void*>(a), b - a, MADV_DONTNEED);
}

Result<Table> ParquetFile::Impl::ReadRowGroupRange(int rg, const std::vector<int>& cols, int64_t begin, int64_t end,
                                                   int threads) const {
  std::vector<LeafData> leaves(schema.leaves.size());  // each task touches only its column's leaves
  Table t;
  t.schema = SchemaOf(cols);
  t.num_rows = end - begin;
  t.columns.resize(cols.size());
  if (SelectedBytes(rg, cols) < kParallelBytes) threads = 1;
  Status st = RunTasks(cols.size(), threads, [&](size_t k) -> Status {
    const ArrowNode& node = schema.top[cols[k]];
    for (int l = node.first_leaf; l < node.last_leaf; ++l) {
      OffsetIndex oi;
      MHUB_ASSIGN_OR_RETURN(ChunkRequest req, Request(rg, l, begin, end, &oi));
      Status cs = ReadColumnChunk(req, &leaves[l]);
      if (!cs.ok()) return Error(rg, schema.leaves[l].dotted, cs);
    }
    Result<ArrayPtr> a = AssembleColumn(node, schema, leaves);
    if (!a.ok()) return Error(rg, "", a.status());
    if ((*a)->length != t.num_rows) {
      return Error(rg, node.field.name,
                   Status::Corruption("holds " + std::to_string((*a)->length) + " rows, the row group " +
                                      std::to_string(t.num_rows)));
    }
    t.columns[k] = std::move(a).value();
    return Status::OK();
  });
  if (!st.ok()) return st;
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
  auto impl = std::make_unique<Impl>();
  impl->bytes = std::move(b);
  impl->name = display_name.empty() ? path : std::move(display_name);
  impl->mapped = true;
  MHUB_RETURN_IF_ERROR(impl->Init());
  return ParquetFile(std::move(impl));
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
    MHUB_ASSIGN_OR_RETURN(
        Table t, impl_->ReadRowGroupRange(g, cols, std::max(begin, f) - f, std::min(end, f + n) - f, options.threads));
    impl_->ReleasePages(g);
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
  return impl_->ReadRowGroupRange(i, cols, 0, impl_->meta.row_groups[i].num_rows, 1);
}

// Streams the range batch by batch: per row group, one ChunkCursor per selected leaf decodes pages
// as the batches need them (a batch never spans two row groups).
class ParquetFile::Impl::Reader : public TableReader {
 public:
  Reader(const ParquetFile::Impl* impl, std::vector<int> cols, std::vector<int64_t> first_rows, Schema schema,
         const ParquetReadOptions& o, int64_t begin, int64_t end)
      : impl_(impl),
        cols_(std::move(cols)),
        first_rows_(std::move(first_rows)),
        schema_(std::move(schema)),
        pos_(begin),
        end_(end),
        batch_(std::max<int64_t>(o.batch_rows, 1)),
        threads_(o.threads) {}
  const Schema& schema() const override { return schema_; }

  Result<std::optional<Table>> Next() override {
    while (group_left_ == 0) {
      if (open_ >= 0) impl_->ReleasePages(open_);
      open_ = -1;
      cursors_.clear();
      if (pos_ >= end_ || group_ >= static_cast<int>(first_rows_.size())) return std::optional<Table>();
      MHUB_RETURN_IF_ERROR(Open(group_++));
    }
    const int64_t take = std::min(batch_, group_left_);
    Table t;
    t.schema = schema_;
    t.num_rows = take;
    t.columns.resize(cols_.size());
    const int threads = impl_->SelectedBytes(open_, cols_) < kParallelBytes ? 1 : threads_;
    const ParquetSchema& ps = impl_->schema;
    MHUB_RETURN_IF_ERROR(RunTasks(cols_.size(), threads, [&](size_t k) -> Status {
      const ArrowNode& node = ps.top[cols_[k]];
      for (int l = node.first_leaf; l < node.last_leaf; ++l) {
        Status st = cursors_[k][l - node.first_leaf].Read(take, &leaves_[l]);
        if (!st.ok()) return impl_->Error(open_, ps.leaves[l].dotted, st);
      }
      Result<ArrayPtr> a = AssembleColumn(node, ps, leaves_);
      if (!a.ok()) return impl_->Error(open_, "", a.status());
      if ((*a)->length != take) {
        return impl_->Error(open_, node.field.name,
                            Status::Corruption("holds " + std::to_string((*a)->length) + " rows where " +
                                               std::to_string(take) + " were read"));
      }
      t.columns[k] = std::move(a).value();
      return Status::OK();
    }));
    group_left_ -= take;
    pos_ += take;
    if (group_left_ == 0) {
      impl_->ReleasePages(open_);
      open_ = -1;
      cursors_.clear();
    }
    return std::optional<Table>(std::move(t));
  }

 private:
  // Sets up the cursors of row group g for the rows of the range it holds.
  Status Open(int g) {
    const int64_t f = first_rows_[g];
    const int64_t n = impl_->meta.row_groups[g].num_rows;
    if (f + n <= pos_ || n == 0) return Status::OK();
    const int64_t b = pos_ - f, e = std::min(end_, f + n) - f;
    leaves_.clear();
    leaves_.resize(impl_->schema.leaves.size());
    cursors_.clear();
    for (int c : cols_) {
      const ArrowNode& node = impl_->schema.top[c];
      std::vector<ChunkCursor> per_leaf;
      for (int l = node.first_leaf; l < node.last_leaf; ++l) {
        OffsetIndex oi;
        MHUB_ASSIGN_OR_RETURN(ChunkRequest req, impl_->Request(g, l, b, e, &oi));
        per_leaf.emplace_back(req, req.offset_index);
      }
      cursors_.push_back(std::move(per_leaf));
    }
    open_ = g;
    group_left_ = e - b;
    pos_ = f + b;
    return Status::OK();
  }

  const ParquetFile::Impl* impl_;
  std::vector<int> cols_;
  std::vector<int64_t> first_rows_;
  Schema schema_;
  int64_t pos_, end_, batch_;
  int threads_;
  int group_ = 0;                                  // next row group to open
  int open_ = -1;                                  // row group being read
  int64_t group_left_ = 0;                         // rows of the range left in it
  std::vector<std::vector<ChunkCursor>> cursors_;  // per selected column, per leaf
  std::vector<LeafData> leaves_;                   // indexed like ParquetSchema::leaves
};

Result<std::unique_ptr<TableReader>> ParquetFile::Stream(const ParquetReadOptions& options) const {
  MHUB_ASSIGN_OR_RETURN(std::vector<int> cols, impl_->SelectColumns(options.columns));
  int64_t begin = std::clamp<int64_t>(options.row_begin, 0, num_rows());
  int64_t end = options.row_end < 0 ? num_rows() : std::clamp<int64_t>(options.row_end, begin, num_rows());
  Schema schema = impl_->SchemaOf(cols);
  return std::unique_ptr<TableReader>(std::make_unique<Impl::Reader>(impl_.get(), std::move(cols), impl_->first_row,
                                                                     std::move(schema), options, begin, end));
}

}  // namespace mhub::datasets
