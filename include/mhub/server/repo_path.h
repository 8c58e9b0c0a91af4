// Repo types, repo ids and repo file paths: the names every server call is keyed by.
//
// NormalizeRepoFilePath is THE single normalizer for file paths coming from clients (commit
// operations, resolve URLs, tree/paths-info, LFS). Whatever it accepts is a relative path that
// can never escape the repo (no "..", no absolute path, no ".git" segment, no NUL, no backslash)
// and has one spelling, so two spellings of the same file can never become two tree entries.
// Callers percent-decode before calling. No function here throws.
#pragma once

#include <string>
#include <string_view>

#include "mhub/base/result.h"
#include "mhub/hub/repo_type.h"

namespace mhub::server {

// The repo type and its spellings are the hub library's (one enum for client and server).
using hub::RepoType;
using hub::RepoTypeName;
using hub::RepoTypePlural;
using hub::RepoTypeUrlPrefix;

// Accepts the singular and the plural spelling ("model", "models", ...); an empty string is NOT
// accepted here (the HTTP layer decides that a missing `type` means model).
// InvalidArgument otherwise, quoting `text` with control characters escaped.
Result<RepoType> ParseRepoType(std::string_view text);

// A repo id `namespace/name`, both parts validated like the Hub: 1..96 characters of
// [A-Za-z0-9._-], first and last character alphanumeric or '_', no "--" and no "..", and the
// name does not end in ".git". Case is kept as given (lookups are case-sensitive).
struct RepoId {
  std::string ns;
  std::string name;

  std::string ToString() const { return ns + "/" + name; }
  bool operator==(const RepoId& o) const { return ns == o.ns && name == o.name; }
  bool operator!=(const RepoId& o) const { return !(*this == o); }
};

// InvalidArgument saying what is wrong ("repo name 'a--b' must not contain '--'"). `what` names the
// part in the message ("namespace", "repo name", "user name").
Status ValidateRepoIdPart(std::string_view part, std::string_view what);
// Validates both parts.
Result<RepoId> MakeRepoId(std::string_view ns, std::string_view name);
// Parses "ns/name" (exactly one '/').
Result<RepoId> ParseRepoId(std::string_view text);

// A repo: its type and id. Everything in RepoStore and MetadataDb is keyed by this.
struct RepoKey {
  RepoType type = RepoType::kModel;
  RepoId id;

  // "models/ns/name": for messages and as a map key.
  std::string ToString() const;
  bool operator==(const RepoKey& o) const { return type == o.type && id == o.id; }
  bool operator!=(const RepoKey& o) const { return !(*this == o); }
};

// Normalizes a file path inside a repo. Accepts "a/b.txt", "./a/b.txt" and "a//b" (collapsed to
// "a/b.txt"/"a/b"); refuses (InvalidArgument) an empty path, "." alone, a leading '/', any ".."
// segment, a ".git" segment (any case), NUL or other control characters, '\\', a trailing '/',
// invalid UTF-8, and paths over 4096 bytes or with a segment over 255 bytes.
Result<std::string> NormalizeRepoFilePath(std::string_view path);
// The same for a folder: additionally accepts "" / "/" / "." meaning the repo root (returns "")
// and a trailing '/'.
Result<std::string> NormalizeRepoFolderPath(std::string_view path);

// For a path a commit is about to write (added files): NormalizeRepoFilePath, and also refuses
// what would be a second spelling or what git itself refuses in a tree: an empty or "." segment
// (other than one leading "./"), and every segment must pass git's fsck name rules
// (hasDotgit with the HFS+/NTFS spellings such as ".git\u200c", ".GIT.", "git~1"; see
// src/server/storage/git_fsck_rules.h). InvalidArgument names the path and the rule broken.
Result<std::string> NormalizeNewRepoFilePath(std::string_view path);

// Branch and tag names as git accepts them (git check-ref-format rules) and the Hub allows:
// not empty, no "refs/" prefix (so "refs/pr/5" is refused), no "..", no "@{", no control
// characters, space, '~', '^', ':', '?', '*', '[', '\\', not ending in '/', '.' or ".lock",
// no segment starting with '.'. InvalidArgument otherwise.
Status ValidateRefName(std::string_view name);

}  // namespace mhub::server
