// Keeps the metadata DB in step with the repos (see repo_sync.h).
#include "mhub/server/repo_sync.h"

#include "mhub/base/logging.h"
#include "mhub/server/iso_time.h"
#include "mhub/server/lfs_access.h"
#include "mhub/server/pipeline_inference.h"
#include "mhub/server/repo_errors.h"

namespace mhub::server {
namespace {
constexpr uint64_t kMaxReadmeBytes = 4ull << 20;
}

Status RefreshRepoMetadata(const RepoStore& repos, MetadataDb& db, const RepoKey& key, int64_t now_ms) {
  MHUB_ASSIGN_OR_RETURN(RepoRecord record, db.GetRepo(key));
  RepoCardUpdate update;
  update.last_modified_ms = now_ms ? now_ms : NowMillis();
  auto head = repos.ResolveRevision(key, "main");
  if (!head.ok()) {
    if (NotFoundKindOf(head.status()) != NotFoundKind::kRevision) return head.status();
    // No main branch (all history deleted by a push): keep the card, clear the sha.
    update.sha = "";
  } else {
    update.sha = *head;
  }
  bool keep_card = false;
  if (!update.sha.empty()) {
    auto readme = repos.ReadFile(key, update.sha, "README.md");
    if (readme.ok() && !readme->lfs && readme->data.size() <= kMaxReadmeBytes) {
      auto parsed = ParseModelCard(readme->data);
      if (parsed.ok()) {
        update.card = std::move(parsed->data);
      } else {
        MHUB_LOG(kWarn) << key.ToString() << ": README.md metadata not indexed: " << parsed.status().message();
        keep_card = true;
      }
    } else if (!readme.ok() && NotFoundKindOf(readme.status()) != NotFoundKind::kEntry) {
      return readme.status();
    }
  }
  if (keep_card) {
    // Only sha and time change: the card is rebuilt from what the DB holds.
    auto raw = ParseJson(record.card_data_json, "stored card data");
    update.card = CardDataFromJson(raw.ok() ? std::move(raw).value() : Json::object());
  }
  // The task and library the Hub shows when the card names none (pipeline_inference.h).
  MHUB_RETURN_IF_ERROR(InferCardDefaults(repos, key, update.sha, &update.card));
  return db.UpdateRepoCard(key, update);
}

Result<int> ImportMissingRepos(const RepoStore& repos, MetadataDb& db) {
  MHUB_ASSIGN_OR_RETURN(std::vector<RepoKey> keys, repos.ListAllRepos());
  int added = 0;
  for (const RepoKey& key : keys) {
    auto existing = db.GetRepo(key);
    if (existing.ok()) continue;
    if (NotFoundKindOf(existing.status()) != NotFoundKind::kRepo) return existing.status();
    RepoRecord record;
    record.key = key;
    auto inserted = db.InsertRepo(record);
    if (!inserted.ok() && inserted.status().code() != StatusCode::kAlreadyExists) return inserted.status();
    // Its LFS files become readable through it (lfs_access.h).
    MHUB_RETURN_IF_ERROR(ScanRepoLfsPointers(repos, db, key));
    MHUB_RETURN_IF_ERROR(RefreshRepoMetadata(repos, db, key));
    ++added;
  }
  return added;
}

}  // namespace mhub::server
