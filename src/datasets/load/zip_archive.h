// Zip archives in folder-builder splits (datasets extracts them and reads the files inside): the
// member list and a member's bytes, through Debian's libzip. Untrusted input: sizes are checked
// against limits before anything is allocated, and a member's read must give exactly its size.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mhub/base/result.h"

namespace mhub::datasets::load {

class ZipArchive {
 public:
  struct Member {
    std::string name;  // '/'-separated path inside the archive
    uint64_t size = 0;
    uint64_t index = 0;
  };
  // The archive at `path` (a local file) or in `bytes` (kept alive by the caller); directories are
  // left out of members(). `display` names it in errors.
  static Result<std::unique_ptr<ZipArchive>> Open(const std::string& path, const std::string& display);
  static Result<std::unique_ptr<ZipArchive>> OpenBytes(const void* bytes, size_t size, const std::string& display);
  ~ZipArchive();

  const std::vector<Member>& members() const { return members_; }
  // A member's bytes; ResourceExhausted above `max_bytes`, Corruption when the data does not
  // decompress to the declared size.
  Result<std::string> Read(const Member& m, uint64_t max_bytes) const;

 private:
  ZipArchive() = default;
  Status List();
  void* zip_ = nullptr;  // zip_t*
  std::string display_;
  std::vector<Member> members_;
};

}  // namespace mhub::datasets::load
