// Tagged NotFound statuses (see repo_errors.h).
#include "mhub/server/repo_errors.h"

namespace mhub::server {
namespace {
constexpr std::string_view kRepoTag = "RepoNotFound";
constexpr std::string_view kRevisionTag = "RevisionNotFound";
constexpr std::string_view kEntryTag = "EntryNotFound";

Status Tagged(std::string_view tag, std::string_view detail) {
  return Status::NotFound(std::string(tag) + ": " + std::string(detail));
}

bool HasTag(const std::string& message, std::string_view tag) {
  const std::string needle = std::string(tag) + ": ";
  size_t pos = message.find(needle);
  while (pos != std::string::npos) {
    if (pos == 0 || message[pos - 1] == ' ') return true;
    pos = message.find(needle, pos + 1);
  }
  return false;
}
}  // namespace

Status RepoNotFoundError(std::string_view detail) { return Tagged(kRepoTag, detail); }
Status RevisionNotFoundError(std::string_view detail) { return Tagged(kRevisionTag, detail); }
Status EntryNotFoundError(std::string_view detail) { return Tagged(kEntryTag, detail); }

NotFoundKind NotFoundKindOf(const Status& status) {
  if (status.code() != StatusCode::kNotFound) return NotFoundKind::kNone;
  const std::string& m = status.message();
  if (HasTag(m, kRepoTag)) return NotFoundKind::kRepo;
  if (HasTag(m, kRevisionTag)) return NotFoundKind::kRevision;
  if (HasTag(m, kEntryTag)) return NotFoundKind::kEntry;
  return NotFoundKind::kOther;
}

std::string_view NotFoundKindName(NotFoundKind kind) {
  switch (kind) {
    case NotFoundKind::kRepo:
      return kRepoTag;
    case NotFoundKind::kRevision:
      return kRevisionTag;
    case NotFoundKind::kEntry:
      return kEntryTag;
    default:
      return "";
  }
}

}  // namespace mhub::server
