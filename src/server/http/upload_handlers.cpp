// Uploads: preupload (hub-api.md 7.1) and the NDJSON commit (7.3), whose body is parsed as it
// streams in (commit_ndjson.h).
#include <unistd.h>

#include <atomic>

#include "mhub/server/repo_errors.h"
#include "mhub/server/repo_sync.h"
#include "server/discussions/discussion_ops.h"
#include "server/discussions/pr_git.h"
#include "server/http/commit_ndjson.h"
#include "server/http/handlers.h"
#include "server/http/push_checks.h"
#include "server/http/url_codec.h"

namespace mhub::server {
namespace {

// "refs/heads/x" -> "x"; commits go to branches only.
std::string BranchName(const std::string& revision) {
  if (revision.rfind("refs/heads/", 0) == 0) return revision.substr(11);
  return revision.empty() ? "main" : revision;
}

// Removes the commit's spool file (decoded file contents) when the request is done.
struct SpoolFile {
  std::string path;
  ~SpoolFile() { ::unlink(path.c_str()); }
};

// Streams the NDJSON body through the parser: memory stays bounded whatever its size; file
// contents land in `spool`.
Result<CommitRequest> ReadCommitBody(const RepoCall& call, const SpoolFile& spool) {
  CommitNdjsonLimits limits;
  limits.max_body_bytes = call.ctx.limits.max_commit_body;
  limits.max_operations = call.ctx.limits.max_commit_operations;
  limits.max_regular_file = RegularFileCap(call.ctx);
  CommitNdjsonParser parser(spool.path, limits);
  Status fed = Status::OK();
  if (call.req.read_body) {
    Status st = call.req.read_body([&](const char* data, size_t n) {
      fed = parser.Feed(std::string_view(data, n));
      return fed.ok();
    });
    MHUB_RETURN_IF_ERROR(fed);
    MHUB_RETURN_IF_ERROR(st);
  }
  return parser.Finish();
}

}  // namespace

HubError HandlePreupload(RepoCall& call, const std::string& revision) {
  // A pull request (create_pr=1, or a commit to refs/pr/N) may come from a reader of the repo.
  if (call.req.QueryBool("create_pr")) {
    MHUB_RETURN_IF_ERROR(RequireRead(call.ctx, call.who, call.key).status());
  } else {
    MHUB_RETURN_IF_ERROR(CheckPrCommit(call.ctx, call.who, call.key, revision));
  }
  MHUB_ASSIGN_OR_RETURN(std::string sha, ResolveRevision(call, revision));
  MHUB_ASSIGN_OR_RETURN(std::string body_text, call.req.ReadBody(call.ctx.limits.max_json_body));
  MHUB_ASSIGN_OR_RETURN(Json body, ParseJson(body_text, "preupload body"));
  if (!body.is_object() || !body.contains("files") || !body["files"].is_array()) {
    return HubError::BadRequest("preupload body must be {\"files\": [...]}");
  }
  std::vector<PreuploadFile> files;
  for (size_t i = 0; i < body["files"].size(); ++i) {
    const Json& f = body["files"][i];
    std::string where = "files[" + std::to_string(i) + "]";
    MHUB_ASSIGN_OR_RETURN(std::string path, JsonString(f, "path", where));
    auto normalized = NormalizeRepoFilePath(path);
    if (!normalized.ok()) return HubError(normalized.status().WithContext(where));
    MHUB_ASSIGN_OR_RETURN(int64_t size, JsonIntOr(f, "size", where, 0));
    MHUB_ASSIGN_OR_RETURN(std::string sample_b64, JsonStringOr(f, "sample", where, ""));
    auto sample = Base64Decode(sample_b64);
    if (!sample.ok()) return HubError(sample.status().WithContext(where + ".sample"));
    if (size < 0) return HubError::BadRequest(where + ".size must not be negative");
    files.push_back(PreuploadFile{*normalized, static_cast<uint64_t>(size), *sample});
  }
  MHUB_ASSIGN_OR_RETURN(std::string attributes, JsonStringOr(body, "gitAttributes", "body", ""));
  std::optional<std::string> gitignore;
  if (body.contains("gitIgnore") && body["gitIgnore"].is_string()) gitignore = body["gitIgnore"].get<std::string>();
  MHUB_ASSIGN_OR_RETURN(auto answers, call.ctx.repos->Preupload(call.key, sha, files, attributes, gitignore));
  Json out = Json::array();
  for (const auto& a : answers) {
    out.push_back({{"path", a.path},
                   {"uploadMode", a.lfs ? "lfs" : "regular"},
                   {"shouldIgnore", a.should_ignore},
                   {"oid", a.oid ? Json(*a.oid) : Json(nullptr)}});
  }
  SetJson(call.res, Json{{"files", out}, {"commitOid", sha}});
  return {};
}

HubError HandleCommit(RepoCall& call, const std::string& revision) {
  const bool create_pr = call.req.QueryBool("create_pr");
  // Writers commit anywhere; a pull request (create_pr=1, or a commit to an open refs/pr/N of
  // one's own) may come from any reader signed in with a write token (discussion_ops.h).
  if (create_pr) {
    MHUB_RETURN_IF_ERROR(RequireRead(call.ctx, call.who, call.key).status());
  } else {
    MHUB_RETURN_IF_ERROR(CheckPrCommit(call.ctx, call.who, call.key, BranchName(revision)));
  }
  static std::atomic<uint64_t> counter{0};
  const SpoolFile spool{call.ctx.tmp_dir + "/commit-" + std::to_string(::getpid()) + "-" +
                        std::to_string(counter.fetch_add(1))};
  MHUB_ASSIGN_OR_RETURN(CommitRequest request, ReadCommitBody(call, spool));
  request.branch = BranchName(revision);
  request.author.name = call.who.user();
  request.author.email = call.who.user() + "@users.noreply.mhub";
  std::optional<DiscussionScope> scope;
  std::optional<Discussion> pr;
  if (create_pr) {
    auto opened = OpenDiscussionScope(call.ctx, call.who, call.key);
    if (!opened.ok()) return opened.status();
    scope.emplace(std::move(opened).value());
    MHUB_ASSIGN_OR_RETURN(pr, OpenPrForCommit(*scope, request.summary, request.description, request.branch));
    request.create_branch = true;
    request.branch_base = request.branch;
    request.branch = PrRef(pr->num);
  }
  auto outcome = call.ctx.repos->Commit(call.key, request);
  if (!outcome.ok() && pr) (void)DropDiscussion(*scope, pr->num);
  if (!outcome.ok()) {
    const Status& st = outcome.status();
    if (st.code() == StatusCode::kConflict) {
      return HubError(
          Status::Conflict("A commit has happened since. Please refresh and try again. (" + st.message() + ")"), "",
          412);
    }
    if (st.code() == StatusCode::kNotFound && NotFoundKindOf(st) == NotFoundKind::kOther) {
      return HubError::BadRequest(st.message());  // an LFS object that was never uploaded
    }
    return st;
  }
  if (request.branch == "main") {
    MHUB_RETURN_IF_ERROR(RefreshRepoMetadata(*call.ctx.repos, *call.ctx.db, call.key));
  }
  NotePrCommit(call.ctx, call.who, call.key, request.branch);  // the PR's commit event
  std::string url = RepoWebUrl(BaseUrl(call.ctx, call.req), call.key);
  SetJson(call.res, Json{{"commitUrl", url + "/commit/" + outcome->commit_id},
                         {"commitOid", outcome->commit_id},
                         {"pullRequestUrl", pr ? Json(url + "/discussions/" + std::to_string(pr->num)) : Json(nullptr)},
                         {"hookOutput", ""},
                         {"success", true}});
  return {};
}

}  // namespace mhub::server
