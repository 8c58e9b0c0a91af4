#include "datasets/dataset/column_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "mhub/base/env.h"
#include "mhub/base/mmap_file.h"
#include "mhub/base/sha256.h"

namespace mhub::datasets {
namespace {

constexpr int64_t kAlign = 64;
constexpr const char* kDataFile = "data.bin";
constexpr const char* kManifest = "manifest.json";

bool SameLayout(const DataType& a, const DataType& b) {
  if (a.id != b.id) return false;
  if (a.id == TypeId::kTimestamp && (a.unit != b.unit || a.timezone != b.timezone)) return false;
  if (a.id == TypeId::kDecimal128 && (a.precision != b.precision || a.scale != b.scale)) return false;
  if (a.children.size() != b.children.size()) return false;
  for (size_t i = 0; i < a.children.size(); ++i) {
    if (a.id == TypeId::kStruct && a.children[i].name != b.children[i].name) return false;
    if (!SameLayout(*a.children[i].type, *b.children[i].type)) return false;
  }
  return true;
}

}  // namespace

ArrayPtr RelabelArray(const ArrayPtr& array, const DataTypePtr& type) {
  if (array->type->Equals(*type)) return array;
  if (!SameLayout(*array->type, *type)) return nullptr;
  auto out = std::make_shared<Array>(*array);
  out->type = type;
  for (size_t i = 0; i < out->children.size(); ++i)
    out->children[i] = RelabelArray(out->children[i], type->children[i].type);
  return out;
}

Result<std::unique_ptr<ColumnStoreWriter>> ColumnStoreWriter::Create(const std::string& cache_dir, Features features) {
  std::error_code ec;
  std::filesystem::create_directories(cache_dir, ec);
  if (ec) return Status::IOError("cannot create the datasets cache " + cache_dir + ": " + ec.message());
  std::string pattern = cache_dir + "/.tmp-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) return Status::IOError("mkdtemp in " + cache_dir + ": " + std::strerror(errno));
  std::unique_ptr<ColumnStoreWriter> w(new ColumnStoreWriter());
  w->cache_dir_ = cache_dir;
  w->tmp_dir_ = buf.data();
  w->features_ = std::move(features);
  w->hash_ = std::make_unique<Sha256>();
  w->hash_->Update(w->features_.ToJson());
  w->fd_ = ::open((w->tmp_dir_ + "/" + kDataFile).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (w->fd_ < 0)
    return Status::IOError("cannot create " + w->tmp_dir_ + "/" + kDataFile + ": " + std::strerror(errno));
  return w;
}

ColumnStoreWriter::~ColumnStoreWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!done_ && !tmp_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(tmp_dir_, ec);
  }
}

Status ColumnStoreWriter::WriteBuffer(const Buffer& b, OrderedJson& out) {
  if (b.size == 0) {
    out = nullptr;
    return Status::OK();
  }
  out = OrderedJson::array({offset_, static_cast<int64_t>(b.size)});
  const uint8_t* p = b.data;
  size_t left = b.size;
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::IOError("writing " + tmp_dir_ + "/" + kDataFile + ": " + std::strerror(errno));
    p += n;
    left -= static_cast<size_t>(n);
  }
  hash_->Update(b.data, b.size);
  offset_ += static_cast<int64_t>(b.size);
  int64_t pad = (kAlign - offset_ % kAlign) % kAlign;
  if (pad > 0) {
    static const uint8_t kZeros[kAlign] = {};
    if (::write(fd_, kZeros, static_cast<size_t>(pad)) != pad)
      return Status::IOError("writing " + tmp_dir_ + "/" + kDataFile + ": " + std::strerror(errno));
    offset_ += pad;
  }
  return Status::OK();
}

Status ColumnStoreWriter::WriteArray(const Array& a, OrderedJson& out) {
  out = OrderedJson::object();
  out["length"] = a.length;
  out["null_count"] = a.null_count;
  // A fixed-width array from a reader may carry a longer values buffer; only the rows are stored.
  Buffer values = a.values;
  int width = a.type->FixedWidth();
  if (width > 0 && values.size > static_cast<size_t>(a.length * width))
    values.size = static_cast<size_t>(a.length * width);
  Buffer offsets = a.offsets;
  if (!offsets.empty()) offsets.size = static_cast<size_t>(a.length + 1) * sizeof(int64_t);
  Buffer validity = a.validity;
  if (a.null_count == 0)
    validity = Buffer{};
  else
    validity.size = static_cast<size_t>((a.length + 7) / 8);
  MHUB_RETURN_IF_ERROR(WriteBuffer(validity, out["validity"]));
  MHUB_RETURN_IF_ERROR(WriteBuffer(offsets, out["offsets"]));
  MHUB_RETURN_IF_ERROR(WriteBuffer(values, out["values"]));
  OrderedJson children = OrderedJson::array();
  for (const ArrayPtr& c : a.children) {
    OrderedJson cj;
    MHUB_RETURN_IF_ERROR(WriteArray(*c, cj));
    children.push_back(std::move(cj));
  }
  out["children"] = std::move(children);
  return Status::OK();
}

Status ColumnStoreWriter::Write(const Table& batch) {
  const auto& cols = features_.columns;
  if (batch.columns.size() != cols.size())
    return Status::InvalidArgument("batch has " + std::to_string(batch.columns.size()) + " columns, the features " +
                                   std::to_string(cols.size()));
  OrderedJson bj = OrderedJson::object();
  bj["rows"] = batch.num_rows;
  OrderedJson cj = OrderedJson::array();
  for (size_t k = 0; k < cols.size(); ++k) {
    const ArrayPtr& c = batch.columns[k];
    if (c->length != batch.num_rows)
      return Status::InvalidArgument("column '" + cols[k].first + "' has " + std::to_string(c->length) +
                                     " rows, the batch " + std::to_string(batch.num_rows));
    DataTypePtr want = cols[k].second.StorageType();
    if (!RelabelArray(c, want))
      return Status::InvalidArgument("column '" + cols[k].first + "' is " + c->type->ToString() +
                                     ", its feature stores " + want->ToString());
    OrderedJson aj;
    MHUB_RETURN_IF_ERROR(WriteArray(*c, aj));
    cj.push_back(std::move(aj));
  }
  bj["columns"] = std::move(cj);
  batches_.push_back(std::move(bj));
  rows_ += batch.num_rows;
  return Status::OK();
}

Result<ColumnStorePtr> ColumnStoreWriter::Finish(const std::string& fingerprint) {
  MHUB_RETURN_IF_ERROR(FsyncFd(fd_, tmp_dir_ + "/" + kDataFile));
  ::close(fd_);
  fd_ = -1;
  OrderedJson manifest = OrderedJson::object();
  manifest["format"] = "mhub-column-store-1";
  manifest["num_rows"] = rows_;
  manifest["features"] = OrderedJson::parse(features_.ToJson());
  manifest["batches"] = std::move(batches_);
  MHUB_RETURN_IF_ERROR(WriteFileAtomic(tmp_dir_ + "/" + kManifest, DumpJson(manifest)));
  std::string name = fingerprint.empty() ? hash_->FinishHex().substr(0, 32) : fingerprint;
  std::string final_dir = cache_dir_ + "/" + name;
  if (::rename(tmp_dir_.c_str(), final_dir.c_str()) != 0) {
    if (errno != EEXIST && errno != ENOTEMPTY)
      return Status::IOError("rename " + tmp_dir_ + " -> " + final_dir + ": " + std::strerror(errno));
    // Someone made the same fingerprint first: theirs is as good as ours.
    std::error_code ec;
    std::filesystem::remove_all(tmp_dir_, ec);
  }
  done_ = true;
  MHUB_RETURN_IF_ERROR(FsyncDir(cache_dir_));
  return LoadColumnStore(final_dir);
}

namespace {

struct Loader {
  std::shared_ptr<MmapFile> map;
  std::string where;

  Result<Buffer> Buf(const OrderedJson& j) {
    Buffer b;
    if (j.is_null()) return b;
    if (!j.is_array() || j.size() != 2 || !j[0].is_number_integer() || !j[1].is_number_integer())
      return Status::Corruption(where + ": bad buffer entry");
    int64_t off = j[0].get<int64_t>(), size = j[1].get<int64_t>();
    if (off < 0 || size < 0 || off % 8 != 0 || static_cast<uint64_t>(off) + static_cast<uint64_t>(size) > map->size())
      return Status::Corruption(where + ": buffer [" + std::to_string(off) + ", +" + std::to_string(size) +
                                ") is past the data file's " + std::to_string(map->size()) + " bytes");
    b.owner = map;
    b.data = map->data() + off;
    b.size = static_cast<size_t>(size);
    return b;
  }

  Result<ArrayPtr> Arr(const OrderedJson& j, const DataTypePtr& type) {
    if (!j.is_object() || !j.contains("length") || !j.contains("children") || !j["children"].is_array())
      return Status::Corruption(where + ": bad array entry");
    auto a = std::make_shared<Array>();
    a->type = type;
    if (!j["length"].is_number_integer() || !j.contains("null_count") || !j["null_count"].is_number_integer())
      return Status::Corruption(where + ": bad array entry");
    a->length = j["length"].get<int64_t>();
    a->null_count = j["null_count"].get<int64_t>();
    MHUB_ASSIGN_OR_RETURN(a->validity, Buf(j["validity"]));
    MHUB_ASSIGN_OR_RETURN(a->offsets, Buf(j["offsets"]));
    MHUB_ASSIGN_OR_RETURN(a->values, Buf(j["values"]));
    if (j["children"].size() != type->children.size())
      return Status::Corruption(where + ": " + type->ToString() + " array with " +
                                std::to_string(j["children"].size()) + " children");
    for (size_t k = 0; k < type->children.size(); ++k) {
      MHUB_ASSIGN_OR_RETURN(ArrayPtr c, Arr(j["children"][k], type->children[k].type));
      a->children.push_back(std::move(c));
    }
    return ArrayPtr(a);
  }
};

}  // namespace

Result<ColumnStorePtr> LoadColumnStore(const std::string& dir) {
  MHUB_ASSIGN_OR_RETURN(std::string text, ReadFile(dir + "/" + kManifest));
  MHUB_ASSIGN_OR_RETURN(OrderedJson m, ParseOrderedJson(text, dir + "/" + kManifest));
  if (!m.is_object() || !m.contains("format") || m["format"] != "mhub-column-store-1" || !m.contains("batches") ||
      !m["batches"].is_array() || !m.contains("features"))
    return Status::Corruption(dir + "/" + kManifest + ": not a column store manifest");
  auto store = std::make_shared<ColumnStore>();
  store->dir = dir;
  MHUB_ASSIGN_OR_RETURN(store->features, Features::FromJson(m["features"].dump()));
  store->schema = store->features.ToSchema();
  MHUB_ASSIGN_OR_RETURN(MmapFile file, MmapFile::Open(dir + "/" + kDataFile));
  Loader loader{std::make_shared<MmapFile>(std::move(file)), dir + "/" + kDataFile};
  int64_t row = 0;
  try {
    for (const OrderedJson& bj : m["batches"]) {
      Table t;
      t.schema = store->schema;
      if (!bj.is_object() || !bj.contains("rows") || !bj["rows"].is_number_integer())
        return Status::Corruption(dir + ": bad batch entry");
      t.num_rows = bj["rows"].get<int64_t>();
      const OrderedJson& cols = bj.at("columns");
      if (!cols.is_array() || cols.size() != t.schema.fields.size())
        return Status::Corruption(dir + ": a batch's column count differs from the features");
      for (size_t k = 0; k < cols.size(); ++k) {
        MHUB_ASSIGN_OR_RETURN(ArrayPtr a, loader.Arr(cols[k], t.schema.fields[k].type));
        t.columns.push_back(std::move(a));
      }
      MHUB_RETURN_IF_ERROR(t.Validate().WithContext(dir + ": batch " + std::to_string(store->batches.size())));
      store->starts.push_back(row);
      row += t.num_rows;
      store->batches.push_back(std::move(t));
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption(dir + "/" + kManifest + ": " + e.what());
  }
  store->starts.push_back(row);
  return ColumnStorePtr(store);
}

}  // namespace mhub::datasets
