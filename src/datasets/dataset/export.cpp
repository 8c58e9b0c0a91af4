// Dataset::ToJsonl / ToCsv: the files datasets' to_json(lines=True) / to_csv(index=False) write
// (batches of 1000 rows through pandas), written to a temp file and renamed into place.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "datasets/dataset/pandas_format.h"
#include "mhub/base/env.h"
#include "mhub/datasets/dataset.h"

namespace mhub::datasets {
namespace {

constexpr int64_t kExportBatch = 1000;  // datasets' DEFAULT_MAX_BATCH_SIZE

class AtomicTextFile {
 public:
  ~AtomicTextFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!tmp_.empty()) ::unlink(tmp_.c_str());
  }
  Status Open(const std::string& path) {
    path_ = path;
    tmp_ = TempPathFor(path);
    fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      tmp_.clear();
      return Status::IOError("cannot create " + path + ": " + std::strerror(errno));
    }
    return Status::OK();
  }
  Status Write(const std::string& s) {
    const char* p = s.data();
    size_t left = s.size();
    while (left > 0) {
      ssize_t n = ::write(fd_, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Status::IOError("writing " + path_ + ": " + std::strerror(errno));
      p += n;
      left -= static_cast<size_t>(n);
    }
    return Status::OK();
  }
  Status Commit() {
    MHUB_RETURN_IF_ERROR(FsyncFd(fd_, path_));
    ::close(fd_);
    fd_ = -1;
    MHUB_RETURN_IF_ERROR(Env::Default()->RenameDurable(tmp_, path_));
    tmp_.clear();
    return Status::OK();
  }

 private:
  std::string path_, tmp_;
  int fd_ = -1;
};

}  // namespace

Status Dataset::ToJsonl(const std::string& path) const {
  AtomicTextFile f;
  MHUB_RETURN_IF_ERROR(f.Open(path));
  MHUB_RETURN_IF_ERROR(ForEachBatch(kExportBatch, [&](const Table& t) {
    std::vector<bool> promote;
    for (const ArrayPtr& c : t.columns) promote.push_back(IntsBecomeFloats(*c));
    std::string out;
    for (int64_t i = 0; i < t.num_rows; ++i) {
      out += '{';
      for (size_t k = 0; k < t.columns.size(); ++k) {
        if (k) out += ',';
        AppendPandasJsonString(t.schema.fields[k].name, out);
        out += ':';
        AppendPandasJsonValue(*t.columns[k], i, promote[k], out);
      }
      out += "}\n";
    }
    return f.Write(out);
  }));
  return f.Commit().WithContext("to_json");
}

Status Dataset::ToCsv(const std::string& path) const {
  AtomicTextFile f;
  MHUB_RETURN_IF_ERROR(f.Open(path));
  const Schema& s = schema();
  bool only = s.fields.size() == 1;
  std::string header;
  for (size_t k = 0; k < s.fields.size(); ++k) {
    if (k) header += ',';
    AppendCsvField(s.fields[k].name, only, header);
  }
  MHUB_RETURN_IF_ERROR(f.Write(header + "\n"));
  MHUB_RETURN_IF_ERROR(ForEachBatch(kExportBatch, [&](const Table& t) {
    std::string out;
    for (int64_t i = 0; i < t.num_rows; ++i) {
      for (size_t k = 0; k < t.columns.size(); ++k) {
        if (k) out += ',';
        AppendCsvField(PandasCsvValue(*t.columns[k], i, IntsBecomeFloats(*t.columns[k])), only, out);
      }
      out += '\n';
    }
    return f.Write(out);
  }));
  return f.Commit().WithContext("to_csv");
}

}  // namespace mhub::datasets
