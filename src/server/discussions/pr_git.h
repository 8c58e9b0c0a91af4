// The git side of pull requests (reference/web.md 4.1): a PR is the ref refs/pr/{num} of the same
// repo; its changes are what its head adds since the merge base with the target branch, and a
// merge moves the target branch (fast-forward when it has not moved since, else a two-parent
// merge commit). Reads and writes go through libgit2 on the repo's bare directory; the branch
// moves with a compare-and-swap, so a commit that lands meanwhile makes the merge fail (Conflict)
// instead of being lost.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/server/repo_store.h"

namespace mhub::server {

// "refs/pr/7".
std::string PrRef(int64_t num);

// Creates refs/pr/{num} at the head of branch `base` (a PR opened without content yet).
// AlreadyExists when the ref is there.
Status CreatePrRef(const RepoStore& repos, const RepoKey& key, int64_t num, const std::string& base);

struct PrCommit {
  std::string oid;
  std::string subject;  // first line of the message
};

// Commits reachable from `head` but neither from `known` (a commit already reported, may be "")
// nor from the branch `base`, oldest first, at most `max`.
Result<std::vector<PrCommit>> PrCommitsSince(const RepoStore& repos, const RepoKey& key, const std::string& head,
                                             const std::string& known, const std::string& base, size_t max = 200);

// The merge base of branch `base` and commit `head` ("" when they share no history).
Result<std::string> PrMergeBase(const RepoStore& repos, const RepoKey& key, const std::string& base,
                                const std::string& head);

// `git diff <merge base> <head>` as a unified patch (what `?diff=1` answers); cut after `max_bytes`.
Result<std::string> PrRawDiff(const RepoStore& repos, const RepoKey& key, const std::string& base,
                              const std::string& head, size_t max_bytes = 1u << 20);

// Paths that a merge of `head` into branch `base` would leave in conflict (empty: merges cleanly).
Result<std::vector<std::string>> PrConflicts(const RepoStore& repos, const RepoKey& key, const std::string& base,
                                             const std::string& head);

struct PrMergeOutcome {
  std::string commit;  // the new head of `base`
  bool fast_forward = false;
};

// Merges `head` into branch `base`. Conflict (naming the paths) when the changes overlap, or when
// `base` moved during the merge; nothing moves then.
Result<PrMergeOutcome> MergePr(const RepoStore& repos, const RepoKey& key, const std::string& base,
                               const std::string& head, const CommitAuthor& author, const std::string& message);

}  // namespace mhub::server
