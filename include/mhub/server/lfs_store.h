// LfsStore: the content-addressed store of LFS objects, `<data>/lfs/objects/{aa}/{bb}/{sha256}`
// where aa and bb are the first two and next two hex characters of the sha256.
//
// Guarantees: an object file, once visible at its path, holds exactly the bytes whose sha256 is
// its name and is durable (written to `<data>/lfs/tmp/`, verified, fsynced, renamed, directory
// fsynced). A partial or wrong upload is never visible. Objects are never modified; Delete is
// not offered (no GC yet).
// Thread safety: all methods may be called concurrently, from several processes too; two writers
// of the same oid both succeed and one file wins (identical content).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "mhub/base/result.h"

namespace mhub::server {

// Streams one object into the store. Obtained from LfsStore::BeginWrite. Not thread-safe itself
// (one writer per upload). Destroying it without Commit removes the temp file.
class LfsWriter {
 public:
  virtual ~LfsWriter() = default;
  // Appends bytes. ResourceExhausted once more than the announced size was written.
  virtual Status Append(const void* data, size_t size) = 0;
  Status Append(std::string_view data) { return Append(data.data(), data.size()); }
  // Bytes appended so far.
  virtual uint64_t written() const = 0;
  // Verifies size and sha256 (InvalidArgument naming the expected and actual values on mismatch,
  // and the temp file is removed), then makes the object visible. OK if the object already existed.
  virtual Status Commit() = 0;
};

class LfsStore {
 public:
  // `data_dir` is the server's --data directory. Creates nothing until the first write.
  explicit LfsStore(std::string data_dir);

  // Creates `<data>/lfs/objects` and `<data>/lfs/tmp`; removes stale temp files older than an hour.
  Status Init();

  // Path where the object lives (whether or not it exists). Precondition: IsSha256Hex(oid).
  std::string PathOf(std::string_view oid) const;
  bool Has(std::string_view oid) const;
  // NotFound when absent, InvalidArgument for a malformed oid.
  Result<uint64_t> Size(std::string_view oid) const;

  // Starts an upload of `expected_size` bytes that must hash to `oid`. InvalidArgument for a
  // malformed oid.
  Result<std::unique_ptr<LfsWriter>> BeginWrite(std::string_view oid, uint64_t expected_size);
  // One-shot helpers: stores `data` (returns its oid) / copies the file at `path` in.
  Result<std::string> Put(std::string_view data);
  Result<std::string> PutFile(const std::string& path);
  // Reads a whole object into memory (for tests and small objects).
  Result<std::string> Read(std::string_view oid) const;

  const std::string& objects_dir() const { return objects_dir_; }
  const std::string& tmp_dir() const { return tmp_dir_; }

 private:
  std::string objects_dir_;
  std::string tmp_dir_;
};

}  // namespace mhub::server
