// Parser of the NDJSON body of POST /api/{type}s/{repo}/commit/{rev} (hub-api.md 7.3):
//   {"key": "header", "value": {"summary", "description", "parentCommit"}}
//   {"key": "file", "value": {"path", "content", "encoding": "base64" | "utf-8"}}
//   {"key": "lfsFile", "value": {"path", "algo": "sha256", "oid", "size"?}}
//   {"key": "deletedFile", "value": {"path"}}   {"key": "deletedFolder", "value": {"path"}}
// Untrusted input: every malformed line is an InvalidArgument naming the line; never throws.
#pragma once

#include <string_view>

#include "mhub/base/result.h"
#include "mhub/server/repo_store.h"

namespace mhub::server {

struct CommitNdjsonLimits {
  size_t max_operations = 100000;
  size_t max_line_bytes = 64u << 20;
};

// Fills summary, description, parent_commit and operations (paths normalized with
// NormalizeRepoFilePath / NormalizeRepoFolderPath, base64 decoded, oids checked).
// `branch` and `author` are left for the caller. The header line is required and must come first;
// blank lines are skipped; an unknown `key` is InvalidArgument (so nothing is silently dropped).
Result<CommitRequest> ParseCommitNdjson(std::string_view body, const CommitNdjsonLimits& limits = {});

}  // namespace mhub::server
