// LfsMultipartStore: the server side of the Hub's "multipart" LFS transfer (hub-api.md 7.2), the
// S3-style CreateMultipartUpload / UploadPart / CompleteMultipartUpload mapped onto the data dir.
//
// Layout: `<data>/lfs/multipart/<upload_id>/<part number>`, one file per received part. A part
// becomes visible under its name only once all its bytes arrived and were fsynced (temp file in
// the same directory, rename, directory fsync); re-sending a part replaces it atomically.
// Complete() streams the parts in order through LfsStore::BeginWrite, so the object appears in
// the content store only when every part is present with the expected ETag and the whole hashes
// to the oid with the announced size; on any mismatch nothing becomes visible. After a successful
// Complete the upload's directory is removed.
//
// A part's ETag is the quoted sha256 hex of its bytes: `"<64 hex>"`.
// Thread safety: all methods may be called concurrently (different parts of one upload too).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/server/lfs_store.h"

namespace mhub::server {

// The most parts one upload may have (the S3 limit the Hub inherits).
inline constexpr uint64_t kMaxMultipartParts = 10000;

// How an object of `size` bytes is cut: parts of `chunk_size` bytes, the last one shorter.
struct MultipartPlan {
  uint64_t chunk_size = 0;
  uint64_t num_parts = 0;
};
// Cuts `size` bytes into parts of `preferred_chunk` bytes (at least 1), growing the chunk (to a
// multiple of 1 MiB) when that would need more than kMaxMultipartParts parts. size > 0.
MultipartPlan PlanMultipart(uint64_t size, uint64_t preferred_chunk);
// Length of part `part` (1-based) under `plan` for an object of `size` bytes; 0 when out of range.
uint64_t MultipartPartLength(uint64_t size, const MultipartPlan& plan, uint64_t part);

// One entry of the completion request: {"partNumber": N, "etag": "\"...\""}.
struct CompletedPart {
  uint64_t part_number = 0;
  std::string etag;
};

// Streams one part into the upload directory. Destroying it without Commit leaves nothing.
class MultipartPartWriter {
 public:
  virtual ~MultipartPartWriter() = default;
  // ResourceExhausted once more than the part's expected length was written.
  virtual Status Append(const void* data, size_t size) = 0;
  // InvalidArgument when fewer bytes than expected arrived; else makes the part durable and
  // visible and returns its ETag (quoted sha256 hex).
  virtual Result<std::string> Commit() = 0;
};

class LfsMultipartStore {
 public:
  // `store` receives completed objects and must outlive this.
  LfsMultipartStore(std::string data_dir, LfsStore* store);

  // A fresh random upload id: 32 lowercase hex characters.
  static Result<std::string> NewUploadId();
  static bool IsUploadId(std::string_view text);

  // Starts receiving part `part` (1-based) of `expected_length` bytes. InvalidArgument for a
  // malformed upload id or part number.
  Result<std::unique_ptr<MultipartPartWriter>> BeginPart(std::string_view upload_id, uint64_t part,
                                                         uint64_t expected_length);

  // Assembles the object `oid` of `size` bytes cut by `plan` from the received parts, checking
  // that `parts` names every part 1..num_parts exactly once with the ETag its bytes have.
  // Errors: InvalidArgument (malformed list, missing part, ETag mismatch, wrong size/sha256:
  // the message says which), IOError. The content store only changes on success.
  Status Complete(std::string_view upload_id, std::string_view oid, uint64_t size, const MultipartPlan& plan,
                  const std::vector<CompletedPart>& parts);

  // Removes the parts of an upload (no error when there are none).
  void Discard(std::string_view upload_id);
  // Removes uploads untouched for longer than `max_age_s` seconds (abandoned by their clients).
  void RemoveStale(int64_t max_age_s);

  const std::string& root() const { return root_; }

 private:
  std::string UploadDir(std::string_view upload_id) const;

  std::string root_;
  LfsStore* store_;
};

}  // namespace mhub::server
