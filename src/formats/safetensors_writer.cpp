// Writing safetensors files the way the reference writer (tensor.rs `prepare`) lays them out.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "mhub/base/env.h"
#include "mhub/base/json.h"
#include "mhub/formats/safetensors.h"

namespace mhub::formats {

namespace {

struct PreparedFile {
  std::string head;                        // 8-byte length + padded JSON header
  std::vector<const TensorView*> ordered;  // data order
  uint64_t data_size = 0;
};

std::string JsonQuoted(const std::string& s) { return DumpJson(Json(s)); }

Result<PreparedFile> Prepare(std::span<const TensorView> tensors, const std::map<std::string, std::string>& metadata) {
  PreparedFile out;
  std::set<std::string_view> names;
  for (const TensorView& t : tensors) {
    if (t.name.empty()) return Status::InvalidArgument("a tensor to write has an empty name");
    if (t.name == "__metadata__") return Status::InvalidArgument("'__metadata__' is reserved and cannot name a tensor");
    if (!names.insert(t.name).second) return Status::InvalidArgument("tensor '" + t.name + "' is given twice");
    auto need = TensorByteSize(t.dtype, t.shape);
    if (!need.ok()) return need.status().WithContext("tensor '" + t.name + "'");
    if (*need != t.nbytes) {
      return Status::InvalidArgument("tensor '" + t.name + "' has " + std::to_string(t.nbytes) + " bytes but its " +
                                     std::string(DtypeName(t.dtype)) + " shape needs " + std::to_string(*need));
    }
    if (t.nbytes > 0 && t.data == nullptr) return Status::InvalidArgument("tensor '" + t.name + "' has no data");
    out.ordered.push_back(&t);
  }
  // Descending dtype (so larger alignments come first), then name.
  std::sort(out.ordered.begin(), out.ordered.end(), [](const TensorView* a, const TensorView* b) {
    if (a->dtype != b->dtype) return a->dtype > b->dtype;
    return a->name < b->name;
  });

  std::map<std::string, std::string> meta = metadata;
  if (meta.find("format") == meta.end()) meta["format"] = "pt";

  // Compact JSON in the reference's key order: __metadata__ first, then tensors in data order,
  // each as {"dtype":..,"shape":[..],"data_offsets":[b,e]}.
  std::string json = "{\"__metadata__\":{";
  bool first = true;
  for (const auto& [k, v] : meta) {
    if (!first) json += ',';
    first = false;
    json += JsonQuoted(k) + ":" + JsonQuoted(v);
  }
  json += '}';
  uint64_t offset = 0;
  for (const TensorView* t : out.ordered) {
    json += "," + JsonQuoted(t->name) + ":{\"dtype\":\"" + std::string(DtypeName(t->dtype)) + "\",\"shape\":[";
    for (size_t i = 0; i < t->shape.size(); ++i) {
      if (i) json += ',';
      json += std::to_string(t->shape[i]);
    }
    json += "],\"data_offsets\":[" + std::to_string(offset) + "," + std::to_string(offset + t->nbytes) + "]}";
    offset += t->nbytes;
  }
  json += '}';
  json.append((8 - json.size() % 8) % 8, ' ');  // data starts 8-aligned
  if (json.size() > kMaxSafetensorsHeaderSize) {
    return Status::ResourceExhausted("safetensors header would be " + std::to_string(json.size()) +
                                     " bytes, above the format's limit");
  }

  uint64_t n = json.size();
  out.head.resize(8);
  for (int i = 0; i < 8; ++i) out.head[static_cast<size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xFF);
  out.head += json;
  out.data_size = offset;
  return out;
}

Status WriteAll(int fd, const void* data, size_t size, const std::string& what) {
  const auto* p = static_cast<const uint8_t*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError("write to " + what + " failed: " + std::strerror(errno));
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
  return Status::OK();
}

}  // namespace

Result<std::string> SerializeSafetensors(std::span<const TensorView> tensors,
                                         const std::map<std::string, std::string>& metadata) {
  MHUB_ASSIGN_OR_RETURN(PreparedFile prepared, Prepare(tensors, metadata));
  std::string out = std::move(prepared.head);
  out.reserve(out.size() + prepared.data_size);
  for (const TensorView* t : prepared.ordered) out.append(reinterpret_cast<const char*>(t->data), t->nbytes);
  return out;
}

Status WriteSafetensors(const std::string& path, std::span<const TensorView> tensors,
                        const std::map<std::string, std::string>& metadata) {
  auto prepared = Prepare(tensors, metadata);
  if (!prepared.ok()) return prepared.status().WithContext("while writing " + path);

  const std::string tmp = TempPathFor(path);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("cannot create " + tmp + ": " + std::strerror(errno));
  Status st = WriteAll(fd, prepared->head.data(), prepared->head.size(), tmp);
  for (const TensorView* t : prepared->ordered) {
    if (!st.ok()) break;
    st = WriteAll(fd, t->data, t->nbytes, tmp);
  }
  if (st.ok()) st = FsyncFd(fd, tmp);
  if (::close(fd) != 0 && st.ok()) st = Status::IOError("close of " + tmp + " failed: " + std::strerror(errno));
  if (st.ok()) st = Env::Default()->RenameDurable(tmp, path);
  if (!st.ok()) ::unlink(tmp.c_str());
  return st;
}

}  // namespace mhub::formats
