// What can be done with a repo's discussions and pull requests, with the Hub's rules of who may
// do it (reference/web.md 4), shared by the API (discussion_handlers.cpp) and the web pages:
//  - reading needs read access to the repo (a private repo's discussions are as invisible as the
//    repo: RepoNotFound);
//  - opening, commenting: a signed-in user with a write token (acting as themselves) who can read
//    the repo; no write access to the repo is needed, as on the Hub;
//  - editing a comment: its author; hiding: its author or a repo writer;
//  - renaming, closing/reopening: the discussion's author or a repo writer;
//  - merging a PR, and pushing/committing to another user's refs/pr/N: repo writers.
// Errors are Status: Unauthenticated, PermissionDenied, NotFound (no such discussion/comment),
// InvalidArgument (bad title/status/text), Conflict (a merge that cannot be made).
#pragma once

#include <string>

#include "mhub/base/json.h"
#include "server/db/sqlite_discussions.h"
#include "server/http/auth.h"
#include "server/http/hub_context.h"

namespace mhub::server {

// The repo, its record and who is asking: what every operation works on.
struct DiscussionScope {
  HubContext& ctx;
  const Principal& who;
  RepoRecord record;
  DiscussionStore& store;
};

// Opens the scope when `who` may read `key` (RepoNotFound otherwise).
Result<DiscussionScope> OpenDiscussionScope(HubContext& ctx, const Principal& who, const RepoKey& key);

// True when `who` may write the repo (merge, moderate).
bool CanWriteRepo(const DiscussionScope& s);
bool CanModerate(const DiscussionScope& s, const Discussion& d);  // author or writer

// A new discussion (or, with `pull_request`, a draft PR whose refs/pr/N starts at main's head).
// `description` becomes the first comment when not empty. Titles are trimmed, 3..200 characters.
Result<Discussion> CreateDiscussion(DiscussionScope& s, const std::string& title, const std::string& description,
                                    bool pull_request);
Result<DiscussionEvent> AddComment(DiscussionScope& s, int64_t num, const std::string& text);
Result<DiscussionEvent> EditComment(DiscussionScope& s, int64_t num, const std::string& id, const std::string& text);
Result<DiscussionEvent> HideComment(DiscussionScope& s, int64_t num, const std::string& id);
Result<DiscussionEvent> RenameDiscussion(DiscussionScope& s, int64_t num, const std::string& title);
// `status` "open" or "closed"; a non-empty `comment` is added first.
Result<DiscussionEvent> ChangeStatus(DiscussionScope& s, int64_t num, const std::string& status,
                                     const std::string& comment);
// Merges refs/pr/N into its target branch (fast-forward or a merge commit); the PR becomes merged.
Result<DiscussionEvent> MergePullRequest(DiscussionScope& s, int64_t num, const std::string& comment);

// Records a `commit` event for every commit of refs/pr/N not yet reported (API commits, git
// pushes); updates `d` (pr_head). Cheap when nothing moved.
Status SyncPrCommits(DiscussionScope& s, Discussion& d);

// The commit API's side of PRs (upload_handlers.cpp):
// create_pr=1: a new open PR for the commit about to be made to refs/pr/N (from `base`);
// the caller commits, then calls SyncPrCommits, or DropDiscussion when the commit failed.
Result<Discussion> OpenPrForCommit(DiscussionScope& s, const std::string& title, const std::string& description,
                                   const std::string& base);
Status DropDiscussion(DiscussionScope& s, int64_t num);
// A commit to "refs/pr/N": allowed for repo writers and the PR's author while it is open or draft.
Status CheckPrCommit(HubContext& ctx, const Principal& who, const RepoKey& key, const std::string& revision);
// git pushes: the repo record when `who` may push at all (a writer, or a reader with a write
// token), and the per-ref rule at pre-receive (`ref_lines`: "<old> <new> <ref>" lines): writers
// push anything, others only to open refs/pr/N they authored.
Result<RepoRecord> RequirePushAccess(HubContext& ctx, const Principal& who, const RepoKey& key);
Status CheckPushedRefs(HubContext& ctx, const Principal& who, const RepoKey& key, const std::string& ref_lines);
// After such a commit: record its commit event.
void NotePrCommit(HubContext& ctx, const Principal& who, const RepoKey& key, const std::string& revision);

// JSON shapes of the Hub (reference/web.md 4.2).
Json DiscussionListItemJson(const DiscussionScope& s, const Discussion& d);
Json DiscussionEventJson(const DiscussionEvent& e);
// Details: the list item plus events, and for PRs changes/filesWithConflicts (+ diff when asked).
Result<Json> DiscussionDetailsJson(DiscussionScope& s, int64_t num, bool with_diff);
// The comment's text as shown ("" for a hidden one) and whether it is hidden.
std::string CommentText(const DiscussionEvent& e, bool* hidden);

}  // namespace mhub::server
