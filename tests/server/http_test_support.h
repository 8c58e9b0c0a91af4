// Helpers for the server's HTTP tests (header-only: each tests/server/*_test.cpp is its own
// binary): a hub on a free port with a temp data dir (in-process, or the real `mhub server`
// binary), accounts made with `mhub admin`, and requests made with the curl command-line client
// (an outside HTTP client, so the tests see the wire, not our structs).
#pragma once

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/sha256.h"
#include "mhub/server/server.h"
#include "support/test_support.h"

namespace mhub::testing {

struct CurlReply {
  int status = 0;
  std::multimap<std::string, std::string> headers;  // lower-case names, values trimmed
  std::string body;
  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
  bool HasHeader(const std::string& lower_name) const { return headers.count(lower_name) > 0; }
};

// One request with curl (no redirects followed). `headers` are "Name: value" strings; `body` is
// sent with --data-binary when not empty or when `send_body`. `extra_args` go to curl as is.
inline CurlReply Curl(const std::string& method, const std::string& url, const std::vector<std::string>& headers = {},
                      const std::string& body = "", bool send_body = false, const std::string& extra_args = "") {
  TempDir tmp;
  WriteFileOrDie(tmp / "body", "");  // curl writes nothing when it cannot connect
  WriteFileOrDie(tmp / "headers", "");
  std::string cmd = "curl -sS -o " + ShellQuote(tmp / "body") + " -D " + ShellQuote(tmp / "headers") +
                    " -w '%{http_code}' --max-time 120";
  if (method == "HEAD") {
    cmd += " -I";
  } else {
    cmd += " -X " + method;
  }
  for (const auto& h : headers) cmd += " -H " + ShellQuote(h);
  if (!body.empty() || send_body) {
    WriteFileOrDie(tmp / "request", body);
    cmd += " --data-binary @" + ShellQuote(tmp / "request");
  }
  cmd += " " + extra_args + " " + ShellQuote(url);
  CommandResult r = RunCommand(cmd);
  CurlReply reply;
  reply.status = std::atoi(r.out.c_str());
  reply.body = ReadFileOrDie(tmp / "body");
  std::string head = ReadFileOrDie(tmp / "headers");
  // Keep the last header block (after any 100 Continue).
  size_t start = 0;
  for (size_t pos = head.find("HTTP/"); pos != std::string::npos; pos = head.find("\nHTTP/", pos + 1)) {
    start = pos == 0 ? 0 : pos + 1;
  }
  size_t pos = head.find('\n', start);
  while (pos != std::string::npos && pos + 1 < head.size()) {
    size_t end = head.find('\n', pos + 1);
    std::string line = head.substr(pos + 1, end == std::string::npos ? std::string::npos : end - pos - 1);
    pos = end;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(value.begin());
    reply.headers.emplace(name, value);
  }
  return reply;
}

// Parses a JSON answer; a parse failure fails the test and yields null.
inline Json ParseOrDie(const std::string& text) {
  auto j = ParseJson(text);
  EXPECT_TRUE(j.ok()) << text.substr(0, 2000);
  return j.ok() ? *j : Json();
}

// An API request to `base_url + path`. `auth_header` is a whole "Authorization: ..." line or ""
// (anonymous); a non-empty `body` goes with `content_type`; `send_body` sends an empty body too
// (Content-Length: 0, as the HF clients do for bodiless POST/DELETE).
inline CurlReply ApiCall(const std::string& base_url, const std::string& method, const std::string& path,
                         const std::string& auth_header, const std::string& body = "",
                         const std::string& content_type = "application/json", bool send_body = false) {
  std::vector<std::string> headers;
  if (!auth_header.empty()) headers.push_back(auth_header);
  if (!body.empty()) headers.push_back("Content-Type: " + content_type);
  return Curl(method, base_url + path, headers, body, send_body);
}

// Runs `mhub admin ARGS --data DIR`; returns the last stdout line (fails the test on error).
inline std::string MhubAdmin(const std::string& data_dir, const std::string& args) {
  CommandResult r = RunCommand(ShellQuote(MhubBin()) + " admin " + args + " --data " + ShellQuote(data_dir));
  EXPECT_EQ(r.exit_code, 0) << args << ": " << r.err;
  std::string out = r.out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  size_t nl = out.rfind('\n');
  return nl == std::string::npos ? out : out.substr(nl + 1);
}

// A hub served in this process on 127.0.0.1 (port chosen by the OS).
class InProcessHub {
 public:
  InProcessHub() {
    server::ServerOptions options;
    options.data_dir = data_.path();
    options.port = 0;
    options.threads = 16;
    auto server = server::HubServer::Open(options);
    if (!server.ok()) throw std::runtime_error(server.status().ToString());
    server_ = std::move(server).value();
    Status st = server_->Start();
    if (!st.ok()) throw std::runtime_error(st.ToString());
    url_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }
  ~InProcessHub() { server_->Stop(); }
  const std::string& url() const { return url_; }
  const std::string& data_dir() const { return data_.path(); }
  std::string CreateUser(const std::string& name, const std::string& org = "") {
    return MhubAdmin(data_.path(),
                     "create-user " + ShellQuote(name) + (org.empty() ? "" : " --org " + ShellQuote(org)));
  }
  std::string CreateToken(const std::string& user, const std::string& role) {
    return MhubAdmin(data_.path(), "create-token " + ShellQuote(user) + " --role " + role);
  }
  void AddMember(const std::string& org, const std::string& user, const std::string& role) {
    MhubAdmin(data_.path(), "add-member " + ShellQuote(org) + " " + ShellQuote(user) + " --role " + role);
  }

 private:
  TempDir data_;
  std::unique_ptr<server::HubServer> server_;
  std::string url_;
};

// The real `mhub server` binary as a child process (for kill/restart tests).
class ServerProcess {
 public:
  ServerProcess(std::string data_dir, int port)
      : data_dir_(std::move(data_dir)), port_(port), url_("http://127.0.0.1:" + std::to_string(port)) {}
  ~ServerProcess() {
    if (pid_ > 0) Kill(SIGKILL);
  }
  // Starts the binary and waits until /health answers. False on timeout.
  bool Start() {
    std::string bin = MhubBin();
    std::string port = std::to_string(port_);
    std::string log = data_dir_ + "/../server-" + port + ".log";
    pid_ = fork();
    if (pid_ == 0) {
      FILE* f = std::freopen(log.c_str(), "a", stderr);
      (void)f;
      FILE* o = std::freopen("/dev/null", "w", stdout);
      (void)o;
      execl(bin.c_str(), bin.c_str(), "server", "--data", data_dir_.c_str(), "--port", port.c_str(), nullptr);
      _exit(127);
    }
    for (int i = 0; i < 200; ++i) {
      if (Curl("GET", url_ + "/health").status == 200) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  void Kill(int signal) {
    if (pid_ <= 0) return;
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  const std::string& url() const { return url_; }

 private:
  std::string data_dir_;
  int port_;
  std::string url_;
  pid_t pid_ = -1;
};

inline std::string Base64(const std::string& data) {
  TempDir tmp;
  WriteFileOrDie(tmp / "in", data);
  CommandResult r = RunCommand("base64 -w0 " + ShellQuote(tmp / "in"));
  return r.out;
}

// sha256sum of `data` (an outside oracle for LFS oids).
inline std::string Sha256OfString(const std::string& data) {
  TempDir tmp;
  WriteFileOrDie(tmp / "in", data);
  CommandResult r = RunCommand("sha256sum " + ShellQuote(tmp / "in"));
  return r.out.substr(0, 64);
}

// `git hash-object` of `data` (the git blob sha1, the Hub's ETag of regular files).
inline std::string GitBlobSha(const std::string& data) {
  TempDir tmp;
  WriteFileOrDie(tmp / "in", data);
  CommandResult r = RunCommand("git hash-object " + ShellQuote(tmp / "in"));
  return r.out.substr(0, 40);
}

}  // namespace mhub::testing
