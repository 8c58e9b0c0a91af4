// Which "not found" a storage call met, so the HTTP layer can send the X-Error-Code clients
// branch on (RepoNotFound / RevisionNotFound / EntryNotFound, hub-api.md 1.3).
//
// Storage calls return StatusCode::kNotFound whose message starts with one of the tags below
// ("RevisionNotFound: revision 'dev' not found in models/alice/x"); the tag survives
// Status::WithContext because NotFoundKindOf searches the whole message.
#pragma once

#include <string>
#include <string_view>

#include "mhub/base/status.h"

namespace mhub::server {

enum class NotFoundKind {
  kNone,      // the status is not a NotFound
  kRepo,      // no such repo ("RepoNotFound")
  kRevision,  // the repo exists, the branch/tag/commit does not ("RevisionNotFound")
  kEntry,     // the revision exists, the file or folder does not ("EntryNotFound")
  kOther,     // NotFound without a tag (user, token, LFS object, ...)
};

Status RepoNotFoundError(std::string_view detail);
Status RevisionNotFoundError(std::string_view detail);
Status EntryNotFoundError(std::string_view detail);

NotFoundKind NotFoundKindOf(const Status& status);
// "RepoNotFound", "RevisionNotFound", "EntryNotFound", or "" for kNone/kOther.
std::string_view NotFoundKindName(NotFoundKind kind);

}  // namespace mhub::server
