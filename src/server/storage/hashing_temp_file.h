// A temp file written while its bytes are hashed with sha256: what an LFS object upload
// (LfsStore::BeginWrite) and a multipart part upload (LfsMultipartStore::BeginPart) both stream
// into before the result is published under its final name. Not thread-safe.
//
// The file belongs to this object until RenameTo succeeds: Discard() and the destructor close it
// and remove it. Every failing call below has already removed it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "mhub/base/result.h"
#include "mhub/base/sha256.h"

namespace mhub::server {

class HashingTempFile {
 public:
  // Creates a fresh temp file next to `path` (TempPathFor(path), exclusive).
  // IOError "cannot create <temp>: <errno text>".
  static Result<std::unique_ptr<HashingTempFile>> CreateNear(const std::string& path);
  ~HashingTempFile();
  HashingTempFile(const HashingTempFile&) = delete;
  HashingTempFile& operator=(const HashingTempFile&) = delete;

  const std::string& path() const { return path_; }
  // True until SyncAndClose() or Discard().
  bool is_open() const { return fd_ >= 0; }
  uint64_t written() const { return written_; }

  // Writes all of `data` and hashes it. IOError "write to <temp> failed: <errno text>".
  Status Write(const void* data, size_t size);
  // The sha256 (lowercase hex) of everything written. Call once.
  std::string FinishHex() { return hash_.FinishHex(); }
  // Flushes the bytes to disk and closes the file (it stays at path()).
  Status SyncAndClose();
  // Renames the closed file to `final_path` durably; after success it no longer belongs here.
  Status RenameTo(const std::string& final_path);
  // Closes and removes the file if it is still here.
  void Discard();

 private:
  HashingTempFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

  std::string path_;
  int fd_;
  bool owned_ = true;  // the file at path_ is ours to remove
  uint64_t written_ = 0;
  Sha256 hash_;
};

}  // namespace mhub::server
