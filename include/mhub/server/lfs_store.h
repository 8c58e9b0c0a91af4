// LfsStore: the content-addressed store of LFS objects, `<data>/lfs/objects/{aa}/{bb}/{sha256}`
// where aa and bb are the first two and next two hex characters of the sha256.
//
// Guarantees: an object file, once visible at its path, holds exactly the bytes whose sha256 is
// its name and is durable (written to `<data>/lfs/tmp/`, verified, fsynced, renamed, directory
// fsynced). A partial or wrong upload is never visible. Objects are never modified; only the
// garbage collector (lfs_gc.h) removes objects no repo holds any more.
// Access is per repo (lfs_access.h): the store itself answers "is it stored", never "may this
// repo serve it".
// Thread safety: all methods may be called concurrently, from several processes too; two writers
// of the same oid both succeed and one file wins (identical content).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "mhub/base/result.h"
#include "mhub/server/repo_path.h"

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

  // Whether a commit or push to `repo` by hub user `user` may point at stored object `oid`; when
  // it may, the check records the reference. Set once by the server before it serves
  // (InstallLfsReferenceCheck, lfs_access.h); NotFound when it may not.
  using ReferenceCheck = std::function<Status(const RepoKey& repo, std::string_view user, std::string_view oid)>;
  void set_reference_check(ReferenceCheck check) { reference_check_ = std::move(check); }
  // OK when no check is set: a store used on its own (storage tests, offline tools) trusts its
  // callers.
  Status CheckReference(const RepoKey& repo, std::string_view user, std::string_view oid) const {
    return reference_check_ ? reference_check_(repo, user, oid) : Status::OK();
  }

  // Removes an object (the garbage collector's call). OK when it was not there.
  Status Remove(std::string_view oid);

  const std::string& objects_dir() const { return objects_dir_; }
  const std::string& tmp_dir() const { return tmp_dir_; }

 private:
  std::string objects_dir_;
  std::string tmp_dir_;
  ReferenceCheck reference_check_;
};

}  // namespace mhub::server
