// git smart HTTP (clone, fetch, push) at /{prefix}{repo}[.git]/info/refs, /git-upload-pack and
// /git-receive-pack, served by `git http-backend` (git_cgi.h). Pushing needs a write token as the
// Basic-auth password; anonymous requests that need a login get 401 + WWW-Authenticate so git
// asks its credential helper. Pushes pass git's fsck rules and the push checks (push_checks.h)
// before any ref moves. After a push, the DB follows the new head of main.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>

#include "mhub/base/logging.h"
#include "mhub/server/repo_errors.h"
#include "mhub/server/repo_sync.h"
#include "server/discussions/discussion_ops.h"
#include "server/http/git_cgi.h"
#include "server/http/handlers.h"
#include "server/http/push_checks.h"

namespace mhub::server {
namespace {

// Streams the request body into a new temp file; returns its path.
Result<std::string> SpoolBody(const RepoCall& call) {
  static std::atomic<uint64_t> counter{0};
  std::string path =
      call.ctx.tmp_dir + "/git-body-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("cannot create " + path);
  uint64_t total = 0;
  bool too_large = false, write_failed = false;
  Status st = call.req.read_body ? call.req.read_body([&](const char* data, size_t n) {
    total += n;
    if (total > call.ctx.limits.max_git_body) {
      too_large = true;
      return false;
    }
    while (n > 0) {
      ssize_t w = ::write(fd, data, n);
      if (w <= 0) {
        write_failed = true;
        return false;
      }
      data += w;
      n -= static_cast<size_t>(w);
    }
    return true;
  })
                                 : Status::OK();
  ::close(fd);
  if (too_large || write_failed || !st.ok()) {
    ::unlink(path.c_str());
    if (too_large) return Status::ResourceExhausted("git request body is too large");
    if (write_failed) return Status::IOError("cannot write " + path);
    return st;
  }
  return path;
}

}  // namespace

HubError HandleGitSmartHttp(RepoCall& call, const std::string& service_path) {
  bool push = service_path == "git-receive-pack" ||
              (service_path == "info/refs" && call.req.Query("service") == "git-receive-pack");
  if (service_path != "info/refs" && service_path != "git-upload-pack" && service_path != "git-receive-pack") {
    return HubError(Status::NotFound("unknown git endpoint " + service_path));
  }
  if (service_path != "info/refs" && call.req.method != "POST") {
    return HubError(Status::InvalidArgument("git services need POST"), "", 405);
  }
  // Readers signed in with a write token may push too, but only to their own pull requests'
  // refs/pr/N: CheckPushedRefs (discussion_ops.h) decides per ref at pre-receive.
  auto record = push ? RequirePushAccess(call.ctx, call.who, call.key) : RequireRead(call.ctx, call.who, call.key);
  if (!record.ok()) {
    // git only sends credentials after a challenge.
    if (!call.who.authenticated) return HubError::GitAuthRequired("Authentication required: use a token as password");
    return record.status();
  }
  GitCgiRequest cgi;
  cgi.project_root = call.ctx.data_dir + "/repos";
  cgi.path_info =
      "/" + std::string(RepoTypePlural(call.key.type)) + "/" + call.key.id.ToString() + ".git/" + service_path;
  cgi.method = call.req.method == "HEAD" ? "GET" : call.req.method;
  size_t q = call.req.target.find('?');
  cgi.query_string = q == std::string::npos ? "" : call.req.target.substr(q + 1);
  cgi.content_type = call.req.Header("Content-Type");
  cgi.content_encoding = call.req.Header("Content-Encoding");
  cgi.git_protocol = call.req.Header("Git-Protocol");
  cgi.remote_user = call.who.authenticated ? call.who.user() : "";
  cgi.remote_addr = call.req.remote_addr;
  cgi.allow_receive_pack = push;
  cgi.tmp_dir = call.ctx.tmp_dir;
  if (service_path == "git-receive-pack") {
    // The push checks (push_checks.h) run before any ref moves; git has applied its fsck rules.
    cgi.pre_receive = [&call](const std::string& quarantine, const std::string& ref_lines) {
      MHUB_RETURN_IF_ERROR(CheckPushedRefs(call.ctx, call.who, call.key, ref_lines));
      return RunPushChecks(call.ctx, call.key, call.who.user(), quarantine, ref_lines);
    };
  }
  if (call.req.method == "POST") {
    MHUB_ASSIGN_OR_RETURN(cgi.body_path, SpoolBody(call));
  }
  auto result = RunGitHttpBackend(cgi);
  if (!cgi.body_path.empty()) ::unlink(cgi.body_path.c_str());
  if (!result.ok()) return result.status();
  call.res.status = result->status;
  for (auto& [name, value] : result->headers) {
    if (HeaderNameEquals(name, "Content-Type")) {
      call.res.content_type = value;
    } else {
      call.res.SetHeader(name, value);
    }
  }
  call.res.file = result->body;
  if (service_path == "git-receive-pack" && result->status == 200) {
    Status st = RefreshRepoMetadata(*call.ctx.repos, *call.ctx.db, call.key);
    if (!st.ok()) {
      MHUB_LOG(kWarn) << "refresh after push to " << call.key.ToString() << ": " << st;
    }
  }
  return {};
}

}  // namespace mhub::server
