#include "server/discussions/discussion_ops.h"

#include "mhub/server/iso_time.h"
#include "mhub/server/repo_sync.h"
#include "server/discussions/pr_git.h"
#include "server/web/card_render.h"
#include "server/web/web_site.h"

namespace mhub::server {
namespace {

constexpr size_t kMaxCommentBytes = 65536;
constexpr const char* kHiddenText = "This comment has been hidden";

Status RequireAuthor(const DiscussionScope& s) {
  if (!s.who.authenticated) return Status::Unauthenticated("You must be signed in to take part in discussions");
  if (!s.who.write_token()) {
    return Status::PermissionDenied("A write token is needed to take part in discussions (this one is read-only)");
  }
  return Status::OK();
}

Result<std::string> CleanTitle(const std::string& raw) {
  size_t b = raw.find_first_not_of(" \t\r\n");
  size_t e = raw.find_last_not_of(" \t\r\n");
  std::string t = b == std::string::npos ? "" : raw.substr(b, e - b + 1);
  if (t.size() < 3 || t.size() > 200) return Status::InvalidArgument("title must have 3 to 200 characters");
  if (t.find_first_of("\r\n") != std::string::npos) return Status::InvalidArgument("title must be one line");
  return t;
}

Status CheckText(const std::string& text, const char* what) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Status::InvalidArgument(std::string(what) + " must not be empty");
  }
  if (text.size() > kMaxCommentBytes) return Status::InvalidArgument(std::string(what) + " is too long (64 KiB max)");
  return Status::OK();
}

Json AuthorJson(const std::string& name) {
  return Json{{"name", name},   {"fullname", name}, {"type", "user"},  {"avatarUrl", ""},
              {"isPro", false}, {"isHf", false},    {"isOwner", false}};
}

// One revision of a comment's text.
Json CommentRevision(const std::string& text, const std::string& author, int64_t now) {
  return Json{{"raw", text},
              {"html", web::RenderMarkdown(text)},
              {"updatedAt", FormatIsoMillis(now)},
              {"author", AuthorJson(author)}};
}

DiscussionEvent NewEvent(const std::string& type, const std::string& author, const Json& data) {
  DiscussionEvent e;
  e.type = type;
  e.author = author;
  e.created_ms = NowMillis();
  e.data_json = DumpJson(data);
  return e;
}

Result<DiscussionEvent> AddCommentEvent(DiscussionScope& s, int64_t num, const std::string& text) {
  int64_t now = NowMillis();
  Json rev = CommentRevision(text, s.who.user(), now);
  Json data{{"edited", false},
            {"hidden", false},
            {"latest", rev},
            {"numEdits", 0},
            {"editors", {s.who.user()}},
            {"reactions", Json::array()},
            {"isReport", false},
            {"history", Json::array({rev})}};
  return s.store.AddEvent(s.record.row_id, num, NewEvent("comment", s.who.user(), data));
}

Result<Discussion> GetWritable(DiscussionScope& s, int64_t num) {
  MHUB_RETURN_IF_ERROR(RequireAuthor(s));
  return s.store.Get(s.record.row_id, num);
}

Result<Json> EventData(const DiscussionEvent& e) {
  auto data = ParseJson(e.data_json, "event data");
  if (!data.ok() || !data->is_object()) return Status::Corruption("stored event " + e.id + " is not a JSON object");
  return *data;
}

}  // namespace

Result<DiscussionScope> OpenDiscussionScope(HubContext& ctx, const Principal& who, const RepoKey& key) {
  MHUB_ASSIGN_OR_RETURN(RepoRecord record, RequireRead(ctx, who, key));
  MHUB_ASSIGN_OR_RETURN(web::WebState * state, web::GetWebState(ctx));
  return DiscussionScope{ctx, who, std::move(record), *state->discussions};
}

bool CanWriteRepo(const DiscussionScope& s) { return RequireWrite(s.ctx, s.who, s.record.key).ok(); }

bool CanModerate(const DiscussionScope& s, const Discussion& d) {
  return (s.who.write_token() && s.who.user() == d.author) || CanWriteRepo(s);
}

Result<Discussion> CreateDiscussion(DiscussionScope& s, const std::string& title, const std::string& description,
                                    bool pull_request) {
  MHUB_RETURN_IF_ERROR(RequireAuthor(s));
  MHUB_ASSIGN_OR_RETURN(std::string clean, CleanTitle(title));
  if (description.size() > kMaxCommentBytes) return Status::InvalidArgument("description is too long (64 KiB max)");
  Discussion d;
  d.repo_row = s.record.row_id;
  d.title = clean;
  d.is_pr = pull_request;
  d.status = pull_request ? "draft" : "open";  // the Hub opens API-made PRs as drafts
  d.author = s.who.user();
  d.created_ms = NowMillis();
  MHUB_ASSIGN_OR_RETURN(d, s.store.Create(d));
  if (pull_request) {
    Status st = CreatePrRef(*s.ctx.repos, s.record.key, d.num, d.target_branch);
    if (!st.ok()) {
      (void)s.store.Delete(d.repo_row, d.num);
      return st;
    }
    MHUB_ASSIGN_OR_RETURN(d.pr_head, s.ctx.repos->ResolveRevision(s.record.key, PrRef(d.num)));
    MHUB_RETURN_IF_ERROR(s.store.Update(d));
  }
  if (description.find_first_not_of(" \t\r\n") != std::string::npos) {
    MHUB_RETURN_IF_ERROR(AddCommentEvent(s, d.num, description).status());
    d.num_comments = 1;
  }
  return d;
}

Result<DiscussionEvent> AddComment(DiscussionScope& s, int64_t num, const std::string& text) {
  MHUB_ASSIGN_OR_RETURN(Discussion d, GetWritable(s, num));
  MHUB_RETURN_IF_ERROR(CheckText(text, "comment"));
  return AddCommentEvent(s, d.num, text);
}

Result<DiscussionEvent> EditComment(DiscussionScope& s, int64_t num, const std::string& id, const std::string& text) {
  MHUB_ASSIGN_OR_RETURN(Discussion d, GetWritable(s, num));
  MHUB_RETURN_IF_ERROR(CheckText(text, "content"));
  MHUB_ASSIGN_OR_RETURN(DiscussionEvent e, s.store.GetEvent(d.repo_row, d.num, id));
  if (e.type != "comment") return Status::InvalidArgument("event " + id + " is not a comment");
  if (e.author != s.who.user()) return Status::PermissionDenied("Only its author can edit a comment");
  MHUB_ASSIGN_OR_RETURN(Json data, EventData(e));
  if (data.value("hidden", false)) return Status::InvalidArgument("A hidden comment cannot be edited");
  Json rev = CommentRevision(text, s.who.user(), NowMillis());
  data["history"].push_back(rev);
  data["latest"] = rev;
  data["edited"] = true;
  data["numEdits"] = data.value("numEdits", 0) + 1;
  e.data_json = DumpJson(data);
  MHUB_RETURN_IF_ERROR(s.store.SetEventData(d.repo_row, d.num, id, e.data_json));
  return e;
}

Result<DiscussionEvent> HideComment(DiscussionScope& s, int64_t num, const std::string& id) {
  MHUB_ASSIGN_OR_RETURN(Discussion d, GetWritable(s, num));
  MHUB_ASSIGN_OR_RETURN(DiscussionEvent e, s.store.GetEvent(d.repo_row, d.num, id));
  if (e.type != "comment") return Status::InvalidArgument("event " + id + " is not a comment");
  if (e.author != s.who.user() && !CanWriteRepo(s)) {
    return Status::PermissionDenied("Only its author or a writer of the repo can hide a comment");
  }
  MHUB_ASSIGN_OR_RETURN(Json data, EventData(e));
  // Hiding cannot be undone (as on the Hub); the text is gone from every answer.
  data["hidden"] = true;
  data["hiddenBy"] = s.who.user();
  data["latest"]["raw"] = kHiddenText;
  data["latest"]["html"] = std::string("<p>") + kHiddenText + "</p>";
  data["history"] = Json::array({data["latest"]});
  e.data_json = DumpJson(data);
  MHUB_RETURN_IF_ERROR(s.store.SetEventData(d.repo_row, d.num, id, e.data_json));
  return e;
}

Result<DiscussionEvent> RenameDiscussion(DiscussionScope& s, int64_t num, const std::string& title) {
  MHUB_ASSIGN_OR_RETURN(Discussion d, GetWritable(s, num));
  if (!CanModerate(s, d)) return Status::PermissionDenied("Only the author or a writer of the repo can rename it");
  MHUB_ASSIGN_OR_RETURN(std::string clean, CleanTitle(title));
  Json data{{"from", d.title}, {"to", clean}};
  d.title = clean;
  MHUB_RETURN_IF_ERROR(s.store.Update(d));
  return s.store.AddEvent(d.repo_row, d.num, NewEvent("title-change", s.who.user(), data));
}

Result<DiscussionEvent> ChangeStatus(DiscussionScope& s, int64_t num, const std::string& status,
                                     const std::string& comment) {
  MHUB_ASSIGN_OR_RETURN(Discussion d, GetWritable(s, num));
  if (status != "open" && status != "closed") return Status::InvalidArgument("status must be 'open' or 'closed'");
  if (!CanModerate(s, d)) {
    return Status::PermissionDenied("Only the author or a writer of the repo can change the status");
  }
  if (d.status == "merged") return Status::InvalidArgument("A merged pull request cannot change status");
  if (!comment.empty()) MHUB_RETURN_IF_ERROR(AddComment(s, num, comment).status());
  d.status = status;
  MHUB_RETURN_IF_ERROR(s.store.Update(d));
  return s.store.AddEvent(d.repo_row, d.num, NewEvent("status-change", s.who.user(), Json{{"status", status}}));
}

Result<DiscussionEvent> MergePullRequest(DiscussionScope& s, int64_t num, const std::string& comment) {
  MHUB_ASSIGN_OR_RETURN(Discussion d, GetWritable(s, num));
  MHUB_RETURN_IF_ERROR(RequireWrite(s.ctx, s.who, s.record.key).status());
  if (!d.is_pr) return Status::InvalidArgument("Discussion #" + std::to_string(num) + " is not a pull request");
  if (d.status != "open") {
    return Status::InvalidArgument("Only an open pull request can be merged (this one is " + d.status + ")");
  }
  MHUB_RETURN_IF_ERROR(SyncPrCommits(s, d));
  CommitAuthor author{s.who.user(), s.who.user() + "@users.noreply.mhub"};
  std::string message = "Merge pull request #" + std::to_string(num) + ": " + d.title;
  MHUB_ASSIGN_OR_RETURN(PrMergeOutcome merged,
                        MergePr(*s.ctx.repos, s.record.key, d.target_branch, PrRef(num), author, message));
  if (d.target_branch == "main") MHUB_RETURN_IF_ERROR(RefreshRepoMetadata(*s.ctx.repos, *s.ctx.db, s.record.key));
  if (!comment.empty()) MHUB_RETURN_IF_ERROR(AddCommentEvent(s, num, comment).status());
  d.status = "merged";
  d.merge_commit = merged.commit;
  MHUB_RETURN_IF_ERROR(s.store.Update(d));
  return s.store.AddEvent(d.repo_row, d.num, NewEvent("status-change", s.who.user(), Json{{"status", "merged"}}));
}

Status SyncPrCommits(DiscussionScope& s, Discussion& d) {
  if (!d.is_pr || d.status == "merged") return Status::OK();
  auto head = s.ctx.repos->ResolveRevision(s.record.key, PrRef(d.num));
  if (!head.ok() || *head == d.pr_head) return Status::OK();  // a deleted ref has nothing to report
  MHUB_ASSIGN_OR_RETURN(auto commits, PrCommitsSince(*s.ctx.repos, s.record.key, *head, d.pr_head, d.target_branch));
  for (const auto& c : commits) {
    auto info = s.ctx.repos->ListCommits(s.record.key, c.oid, 0, 1);
    std::string author = info.ok() && !info->commits.empty() && !info->commits[0].authors.empty()
                             ? info->commits[0].authors[0]
                             : d.author;
    MHUB_RETURN_IF_ERROR(
        s.store.AddEvent(d.repo_row, d.num, NewEvent("commit", author, Json{{"subject", c.subject}, {"oid", c.oid}}))
            .status());
  }
  d.pr_head = *head;
  return s.store.Update(d);
}

Result<Discussion> OpenPrForCommit(DiscussionScope& s, const std::string& title, const std::string& description,
                                   const std::string& base) {
  MHUB_RETURN_IF_ERROR(RequireAuthor(s));
  Discussion d;
  d.repo_row = s.record.row_id;
  d.title = CleanTitle(title).value_or("Upload files");
  d.is_pr = true;
  d.status = "open";
  d.author = s.who.user();
  d.created_ms = NowMillis();
  // A PR from a branch other than main still merges into main, as on the Hub.
  (void)base;
  MHUB_ASSIGN_OR_RETURN(d, s.store.Create(d));
  if (description.find_first_not_of(" \t\r\n") != std::string::npos) {
    MHUB_RETURN_IF_ERROR(AddCommentEvent(s, d.num, description).status());
  }
  return d;
}

Status DropDiscussion(DiscussionScope& s, int64_t num) { return s.store.Delete(s.record.row_id, num); }

// "refs/pr/12" -> 12; 0 when `revision` is not a PR ref.
static int64_t PrNumber(const std::string& revision) {
  if (revision.rfind("refs/pr/", 0) != 0 || revision.size() > 20) return 0;
  std::string digits = revision.substr(8);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos || digits[0] == '0') return 0;
  return std::stoll(digits);
}

Status CheckPrCommit(HubContext& ctx, const Principal& who, const RepoKey& key, const std::string& revision) {
  if (RequireWrite(ctx, who, key).ok() && PrNumber(revision) == 0) return Status::OK();
  MHUB_ASSIGN_OR_RETURN(DiscussionScope s, OpenDiscussionScope(ctx, who, key));
  int64_t num = PrNumber(revision);
  if (num == 0) return RequireWrite(ctx, who, key).status();
  auto d = s.store.Get(s.record.row_id, num);
  if (!d.ok() || !d->is_pr) return Status::NotFound("Pull request #" + std::to_string(num) + " does not exist");
  if (d->status != "open" && d->status != "draft") {
    return Status::InvalidArgument("Pull request #" + std::to_string(num) + " is " + d->status);
  }
  if (CanWriteRepo(s)) return Status::OK();
  MHUB_RETURN_IF_ERROR(RequireAuthor(s));
  if (d->author != who.user()) return Status::PermissionDenied("Only its author or a writer can commit to a PR");
  return Status::OK();
}

Result<RepoRecord> RequirePushAccess(HubContext& ctx, const Principal& who, const RepoKey& key) {
  auto record = RequireWrite(ctx, who, key);
  if (record.ok() || record.status().code() != StatusCode::kPermissionDenied || !who.write_token()) return record;
  return RequireRead(ctx, who, key);
}

Status CheckPushedRefs(HubContext& ctx, const Principal& who, const RepoKey& key, const std::string& ref_lines) {
  const bool writer = RequireWrite(ctx, who, key).ok();
  size_t pos = 0;
  while (pos < ref_lines.size()) {
    size_t end = ref_lines.find('\n', pos);
    if (end == std::string::npos) end = ref_lines.size();
    std::string line = ref_lines.substr(pos, end - pos);
    pos = end + 1;
    size_t sp = line.rfind(' ');
    if (line.empty() || sp == std::string::npos) continue;
    std::string ref = line.substr(sp + 1);
    bool deletes = line.size() > 81 && line.compare(41, 40, std::string(40, '0')) == 0;
    // Writers push anywhere, and may delete a PR's ref; a PR ref only exists for an open PR.
    if (writer && (PrNumber(ref) == 0 || deletes)) continue;
    if (PrNumber(ref) == 0 || deletes) {
      return Status::PermissionDenied("You may only push to your own pull requests (refs/pr/N) of " + key.ToString() +
                                      ", not to " + ref);
    }
    MHUB_RETURN_IF_ERROR(CheckPrCommit(ctx, who, key, ref));
  }
  return Status::OK();
}

void NotePrCommit(HubContext& ctx, const Principal& who, const RepoKey& key, const std::string& revision) {
  int64_t num = PrNumber(revision);
  if (num == 0) return;
  auto s = OpenDiscussionScope(ctx, who, key);
  if (!s.ok()) return;
  auto d = s->store.Get(s->record.row_id, num);
  if (d.ok()) (void)SyncPrCommits(*s, *d);  // the details page syncs again if this failed
}

Json DiscussionListItemJson(const DiscussionScope& s, const Discussion& d) {
  return Json{{"num", d.num},
              {"title", d.title},
              {"status", d.status},
              {"isPullRequest", d.is_pr},
              {"createdAt", FormatIsoMillis(d.created_ms)},
              {"author", AuthorJson(d.author)},
              {"repo", {{"name", s.record.key.id.ToString()}, {"type", std::string(RepoTypeName(s.record.key.type))}}},
              {"pinned", false},
              {"numComments", d.num_comments},
              {"topReactions", Json::array()},
              {"numReactionUsers", 0},
              {"isReport", false}};
}

Json DiscussionEventJson(const DiscussionEvent& e) {
  auto data = ParseJson(e.data_json, "event data");
  return Json{{"id", e.id},
              {"type", e.type},
              {"createdAt", FormatIsoMillis(e.created_ms)},
              {"author", AuthorJson(e.author)},
              {"data", data.ok() ? *data : Json::object()}};
}

Result<Json> DiscussionDetailsJson(DiscussionScope& s, int64_t num, bool with_diff) {
  MHUB_ASSIGN_OR_RETURN(Discussion d, s.store.Get(s.record.row_id, num));
  MHUB_RETURN_IF_ERROR(SyncPrCommits(s, d));
  MHUB_ASSIGN_OR_RETURN(d, s.store.Get(s.record.row_id, num));
  Json out = DiscussionListItemJson(s, d);
  Json events = Json::array();
  MHUB_ASSIGN_OR_RETURN(auto list, s.store.Events(d.repo_row, d.num));
  for (const auto& e : list) events.push_back(DiscussionEventJson(e));
  out["events"] = std::move(events);
  if (d.is_pr) {
    Json changes{{"base", "refs/heads/" + d.target_branch}};
    if (!d.merge_commit.empty()) changes["mergeCommitId"] = d.merge_commit;
    out["changes"] = changes;
    out["filesWithConflicts"] = Json::array();
    bool live = d.status == "open" || d.status == "draft";
    if (live) {
      auto conflicts = PrConflicts(*s.ctx.repos, s.record.key, d.target_branch, PrRef(d.num));
      if (conflicts.ok()) out["filesWithConflicts"] = *conflicts;
    }
    if (with_diff && live) {
      auto diff = PrRawDiff(*s.ctx.repos, s.record.key, d.target_branch, PrRef(d.num));
      if (diff.ok()) out["diff"] = *diff;
    }
  }
  return out;
}

std::string CommentText(const DiscussionEvent& e, bool* hidden) {
  auto data = ParseJson(e.data_json, "event data");
  *hidden = data.ok() && data->value("hidden", false);
  if (!data.ok() || *hidden || !data->contains("latest")) return "";
  return (*data)["latest"].value("raw", "");
}

}  // namespace mhub::server
