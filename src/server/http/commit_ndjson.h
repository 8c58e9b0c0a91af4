// Parser of the NDJSON body of POST /api/{type}s/{repo}/commit/{rev} (hub-api.md 7.3):
//   {"key": "header", "value": {"summary", "description", "parentCommit"}}
//   {"key": "file", "value": {"path", "content", "encoding": "base64" | "utf-8"}}
//   {"key": "lfsFile", "value": {"path", "algo": "sha256", "oid", "size"?}}
//   {"key": "deletedFile", "value": {"path"}}   {"key": "deletedFolder", "value": {"path"}}
// Streamed: the body is fed in chunks as it arrives, and file contents (base64 or text) are
// decoded into one spool file as they come, so memory stays bounded whatever the body size
// (the rest of a line is capped by max_line_json_bytes, the whole commit's paths and messages by
// max_total_json_bytes). Untrusted input: every malformed line is an InvalidArgument naming the
// line; limits are ResourceExhausted (HTTP 413); never throws.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "mhub/base/result.h"
#include "mhub/server/repo_store.h"

namespace mhub::server {

struct CommitNdjsonLimits {
  size_t max_operations = 100000;
  size_t max_line_json_bytes = 1u << 20;    // one line's JSON outside the file content
  size_t max_total_json_bytes = 64u << 20;  // paths, oids and messages of the whole commit
  uint64_t max_body_bytes = 1ull << 30;     // the whole body
  // Decoded size of one inline (non-LFS) file; 0 = no cap. Larger files are refused with a
  // message that says to upload them with LFS.
  uint64_t max_regular_file = 0;
};

class CommitNdjsonParser {
 public:
  // Creates `spool_path` (mode 0600). Added files come out as operations whose content_file is
  // the spool; the caller removes it once the commit is written (also after errors).
  CommitNdjsonParser(std::string spool_path, const CommitNdjsonLimits& limits);
  ~CommitNdjsonParser();
  CommitNdjsonParser(const CommitNdjsonParser&) = delete;
  CommitNdjsonParser& operator=(const CommitNdjsonParser&) = delete;

  // The next bytes of the body. After an error, further calls return the same error.
  Status Feed(std::string_view data);
  // Ends the body: summary, description, parent_commit and operations (paths normalized with
  // NormalizeNewRepoFilePath for added files, NormalizeRepoFilePath / NormalizeRepoFolderPath for
  // deletions; oids checked). `branch` and `author` are left for the caller. The header line is
  // required and must come first; blank lines are skipped; an unknown `key` is InvalidArgument.
  Result<CommitRequest> Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The whole body at once (tests, fuzzing): Feed + Finish.
Result<CommitRequest> ParseCommitNdjson(std::string_view body, const std::string& spool_path,
                                        const CommitNdjsonLimits& limits = {});

}  // namespace mhub::server
