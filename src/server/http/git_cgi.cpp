#include "server/http/git_cgi.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "mhub/base/env.h"
#include "server/http/git_pre_receive_hook.h"

extern char** environ;

namespace mhub::server {
namespace {

// Reads the CGI header block at the start of `path`; returns its length including the blank line.
Result<size_t> ParseCgiHeaders(const std::string& path, GitCgiResponse* out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("cannot open git http-backend output: " + std::string(std::strerror(errno)));
  std::string head(65536, '\0');
  ssize_t n = ::read(fd, head.data(), head.size());
  ::close(fd);
  if (n < 0) return Status::IOError("cannot read git http-backend output");
  head.resize(static_cast<size_t>(n));
  size_t end = 0, skip = 0;
  size_t crlf = head.find("\r\n\r\n"), lf = head.find("\n\n");
  if (crlf != std::string::npos && (lf == std::string::npos || crlf < lf)) {
    end = crlf;
    skip = 4;
  } else if (lf != std::string::npos) {
    end = lf;
    skip = 2;
  } else {
    return Status::Internal("git http-backend wrote no header block");
  }
  size_t pos = 0;
  while (pos < end) {
    size_t nl = head.find('\n', pos);
    if (nl == std::string::npos || nl > end) nl = end;
    std::string line = head.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(value.begin());
    if (HeaderNameEquals(name, "Status")) {
      out->status = std::atoi(value.c_str());
      if (out->status < 100 || out->status > 599) out->status = 500;
    } else {
      out->headers.emplace_back(name, value);
    }
  }
  return end + skip;
}

}  // namespace

Result<GitCgiResponse> RunGitHttpBackend(const GitCgiRequest& request) {
  static std::atomic<uint64_t> counter{0};
  std::string out_path =
      request.tmp_dir + "/git-cgi-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    // Drop anything git would read as configuration of this run.
    if (kv.rfind("GIT_", 0) == 0 || kv.rfind("MHUB_PUSH_HOOK_DIR=", 0) == 0) continue;
    env_strings.push_back(kv);
  }
  uint64_t content_length = 0;
  if (!request.body_path.empty()) {
    MHUB_ASSIGN_OR_RETURN(content_length, Env::Default()->FileSize(request.body_path));
  }
  env_strings.push_back("GIT_PROJECT_ROOT=" + request.project_root);
  env_strings.push_back("GIT_HTTP_EXPORT_ALL=1");
  env_strings.push_back("PATH_INFO=" + request.path_info);
  env_strings.push_back("REQUEST_METHOD=" + request.method);
  env_strings.push_back("QUERY_STRING=" + request.query_string);
  env_strings.push_back("REMOTE_ADDR=" + request.remote_addr);
  if (!request.remote_user.empty()) env_strings.push_back("REMOTE_USER=" + request.remote_user);
  if (!request.content_type.empty()) env_strings.push_back("CONTENT_TYPE=" + request.content_type);
  if (!request.body_path.empty()) env_strings.push_back("CONTENT_LENGTH=" + std::to_string(content_length));
  if (!request.content_encoding.empty()) env_strings.push_back("HTTP_CONTENT_ENCODING=" + request.content_encoding);
  if (!request.git_protocol.empty()) env_strings.push_back("GIT_PROTOCOL=" + request.git_protocol);
  std::vector<std::pair<std::string, std::string>> config = {
      {"http.receivepack", request.allow_receive_pack ? "true" : "false"},
      // Hub repos are written by this server; git's ownership check must not refuse them.
      {"safe.directory", "*"},
      // Pushed objects get git's own fsck rules (index-pack --strict), whatever the repo's config.
      {"receive.fsckObjects", "true"},
  };
  std::unique_ptr<PreReceiveHook> hook;
  if (request.allow_receive_pack && request.pre_receive) {
    MHUB_ASSIGN_OR_RETURN(hook, PreReceiveHook::Create(request.tmp_dir));
    // Only this run's hook: hooks/ inside the repo never run.
    config.emplace_back("core.hooksPath", hook->dir());
    env_strings.push_back("MHUB_PUSH_HOOK_DIR=" + hook->dir());
  }
  env_strings.push_back("GIT_CONFIG_COUNT=" + std::to_string(config.size()));
  for (size_t i = 0; i < config.size(); ++i) {
    env_strings.push_back("GIT_CONFIG_KEY_" + std::to_string(i) + "=" + config[i].first);
    env_strings.push_back("GIT_CONFIG_VALUE_" + std::to_string(i) + "=" + config[i].second);
  }
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, request.body_path.empty() ? "/dev/null" : request.body_path.c_str(),
                                   O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  char arg0[] = "git";
  char arg1[] = "http-backend";
  char* argv[] = {arg0, arg1, nullptr};
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, "git", &actions, nullptr, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return Status::Internal("cannot start git http-backend: " + std::string(std::strerror(rc)));
  int wstatus = 0;
  if (hook) {
    auto served = hook->ServeUntilExit(pid, request.pre_receive);
    if (!served.ok()) {
      // The git child may still wait on the hook: stop it (a no-op when it was reaped already).
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
      }
      ::unlink(out_path.c_str());
      return served.status();
    }
    wstatus = *served;
  } else {
    while (::waitpid(pid, &wstatus, 0) < 0) {
      if (errno != EINTR) return Status::Internal("waitpid on git http-backend failed");
    }
  }
  GitCgiResponse response;
  auto header_len = ParseCgiHeaders(out_path, &response);
  if (!header_len.ok()) {
    ::unlink(out_path.c_str());
    return header_len.status().WithContext("git http-backend exited with status " + std::to_string(wstatus));
  }
  auto size = Env::Default()->FileSize(out_path);
  if (!size.ok()) {
    ::unlink(out_path.c_str());
    return size.status();
  }
  response.body.path = out_path;
  response.body.offset = *header_len;
  response.body.length = *size - *header_len;
  response.body.remove_after = true;
  return response;
}

}  // namespace mhub::server
