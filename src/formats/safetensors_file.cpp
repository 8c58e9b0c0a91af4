// SafetensorsFile: a validated file, mapped read-only, with zero-copy views (or aligned copies of
// tensors the file placed at offsets their dtype cannot be read from directly).
#include <cstring>

#include "mhub/formats/safetensors.h"

namespace mhub::formats {

SafetensorsFile::~SafetensorsFile() = default;

Result<std::shared_ptr<const SafetensorsFile>> SafetensorsFile::Open(const std::string& path) {
  MHUB_ASSIGN_OR_RETURN(MmapFile map, MmapFile::Open(path));
  auto file = std::shared_ptr<SafetensorsFile>(new SafetensorsFile());
  file->path_ = path;
  file->map_ = std::move(map);
  file->base_ = file->map_.data();
  file->size_ = file->map_.size();
  return Build(std::move(file));
}

Result<std::shared_ptr<const SafetensorsFile>> SafetensorsFile::FromBytes(std::string bytes, std::string what) {
  auto file = std::shared_ptr<SafetensorsFile>(new SafetensorsFile());
  file->path_ = std::move(what);
  file->bytes_ = std::move(bytes);
  file->base_ = reinterpret_cast<const uint8_t*>(file->bytes_.data());
  file->size_ = file->bytes_.size();
  return Build(std::move(file));
}

Result<std::shared_ptr<const SafetensorsFile>> SafetensorsFile::Build(std::shared_ptr<SafetensorsFile> file) {
  auto header = ParseSafetensorsHeader({file->base_, file->size_}, file->size_);
  if (!header.ok()) return header.status().WithContext(file->path_);
  file->header_ = std::move(header).value();

  file->tensors_.reserve(file->header_.tensors.size());
  for (const SafetensorsTensorInfo& info : file->header_.tensors) {
    TensorView view;
    view.name = info.name;
    view.dtype = info.dtype;
    view.shape = info.shape;
    view.nbytes = static_cast<size_t>(info.end - info.begin);
    const uint8_t* where = file->base_ + file->header_.data_offset + info.begin;
    const size_t align = DtypeAlignment(info.dtype);
    if (view.nbytes == 0) {
      // Nothing to read; still honour the alignment promise.
      alignas(16) static const uint8_t kEmpty[16] = {};
      view.data = kEmpty;
    } else if (reinterpret_cast<uintptr_t>(where) % align != 0) {
      // Not aligned for its dtype (a file from another writer): keep an aligned copy.
      auto copy = std::make_unique<uint64_t[]>((view.nbytes + 7) / 8);
      std::memcpy(copy.get(), where, view.nbytes);
      view.data = reinterpret_cast<const uint8_t*>(copy.get());
      file->owned_.push_back(std::move(copy));
    } else {
      view.data = where;
    }
    file->tensors_.push_back(std::move(view));
  }
  // Names are stable now that tensors_ will not grow.
  for (size_t i = 0; i < file->tensors_.size(); ++i) file->index_.emplace(file->tensors_[i].name, i);
  return std::shared_ptr<const SafetensorsFile>(std::move(file));
}

std::vector<std::string> SafetensorsFile::names() const {
  std::vector<std::string> out;
  out.reserve(tensors_.size());
  for (const TensorView& t : tensors_) out.push_back(t.name);
  return out;
}

const TensorView* SafetensorsFile::Find(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &tensors_[it->second];
}

Result<TensorView> SafetensorsFile::Get(std::string_view name) const {
  const TensorView* t = Find(name);
  if (t == nullptr) return Status::NotFound("no tensor '" + std::string(name) + "' in " + path_);
  return *t;
}

}  // namespace mhub::formats
