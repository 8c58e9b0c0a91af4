// Discussions and pull requests of the repos (reference/web.md 4): one number sequence per repo
// shared by both, each with its events (comments, status and title changes, PR commits). Kept in
// its own SQLite file (`<data>/discussions.sqlite`) beside the metadata DB, keyed by the repo's
// stable row id (RepoRecord::row_id), so a renamed repo keeps its discussions and a deleted and
// re-created one starts afresh.
//
// Thread safety: every method may be called from many threads (WAL, one connection per call);
// numbers are allocated inside a write transaction, so concurrent creations never share one.
// Errors: NotFound for an unknown discussion or event, IOError for database failures.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mhub/base/result.h"

namespace mhub::server {

struct Discussion {
  int64_t repo_row = 0;
  int64_t num = 0;
  std::string title;
  std::string status = "open";  // "open", "closed", "merged", "draft"
  bool is_pr = false;
  std::string author;
  int64_t created_ms = 0;
  std::string target_branch = "main";  // PRs: the branch a merge moves
  std::string merge_commit;            // PRs: set once merged
  std::string pr_head;                 // PRs: the refs/pr/N head whose commits already have events
  int64_t num_comments = 0;            // filled by Get/List
};

// One event of a discussion, in the Hub's event shape once serialized.
struct DiscussionEvent {
  std::string id;    // 24 hex, unique
  std::string type;  // "comment", "status-change", "commit", "title-change"
  std::string author;
  int64_t created_ms = 0;
  std::string data_json = "{}";  // the event's `data` object, as JSON text
};

struct DiscussionFilter {
  std::string type = "all";    // "all", "discussion", "pull_request"
  std::string status = "all";  // "all", "open" (open + draft), "closed" (closed + merged), or one status
  std::string author;          // "" = anyone
  int64_t offset = 0;
  int64_t limit = 50;
};

struct DiscussionPage {
  std::vector<Discussion> items;  // newest first
  int64_t count = 0;              // all that match the filter
  int64_t num_closed = 0;         // closed or merged ones of the repo, for the list's tab counts
};

class DiscussionStore {
 public:
  static Result<std::unique_ptr<DiscussionStore>> Open(const std::string& path);
  virtual ~DiscussionStore() = default;

  // A new discussion with the repo's next number (fields other than num as given).
  virtual Result<Discussion> Create(const Discussion& d) = 0;
  // Removes a discussion and its events (undo of a creation whose commit failed).
  virtual Status Delete(int64_t repo_row, int64_t num) = 0;
  virtual Result<Discussion> Get(int64_t repo_row, int64_t num) = 0;
  virtual Result<DiscussionPage> List(int64_t repo_row, const DiscussionFilter& filter) = 0;
  // Stores title, status, merge_commit and pr_head of `d`.
  virtual Status Update(const Discussion& d) = 0;

  // Events oldest first.
  virtual Result<std::vector<DiscussionEvent>> Events(int64_t repo_row, int64_t num) = 0;
  virtual Result<DiscussionEvent> GetEvent(int64_t repo_row, int64_t num, const std::string& id) = 0;
  // Adds `e` (its id is made here when empty) and returns it as stored.
  virtual Result<DiscussionEvent> AddEvent(int64_t repo_row, int64_t num, DiscussionEvent e) = 0;
  virtual Status SetEventData(int64_t repo_row, int64_t num, const std::string& id, const std::string& data_json) = 0;
};

}  // namespace mhub::server
