// A real `mhub server` for hub client tests: started on a free port over a fresh data folder,
// with one user (and its write token) made by `mhub admin create-user`; stopped on destruction.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <string>
#include <thread>

#include "support/test_support.h"

extern char** environ;

namespace mhub::testing {

class HubTestServer {
 public:
  // Starts the server and creates `user` (member of `org` when not empty; nobody when `user` is
  // empty). The data folder is `data_dir`, or a fresh one when empty. Check ok() after.
  explicit HubTestServer(const std::string& user = "alice", const std::string& org = "",
                         const std::string& data_dir = "")
      : user_(user) {
    data_dir_ = data_dir.empty() ? tmp_ / "data" : data_dir;
    log_path_ = tmp_ / "server.log";
    port_ = FreePort();
    std::string port = std::to_string(port_);
    std::string bin = MhubBin();
    // An existing (empty) folder: a server refuses a --data that does not exist unless told --init.
    std::error_code ec;
    std::filesystem::create_directories(data_dir_, ec);
    std::vector<std::string> args = {bin, "server", "--data", data_dir_, "--host", "127.0.0.1", "--port", port};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    int rc = posix_spawn(&pid_, bin.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
      error_ = "cannot spawn " + bin;
      pid_ = -1;
      return;
    }
    if (!WaitForPort()) {
      error_ = "server did not listen on port " + port + "; log:\n" + Log();
      return;
    }
    if (user.empty()) return;
    std::string cmd = ShellQuote(bin) + " admin create-user " + ShellQuote(user) + " --data " + ShellQuote(data_dir_);
    if (!org.empty()) cmd += " --org " + ShellQuote(org);
    CommandResult r = RunCommand(cmd);
    if (r.exit_code != 0) {
      error_ = "create-user failed: " + r.err;
      return;
    }
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);)
      if (!line.empty()) token_ = line;
    if (token_.empty()) error_ = "create-user printed no token";
  }

  ~HubTestServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      for (int i = 0; i < 100; ++i) {
        if (::waitpid(pid_, &status, WNOHANG) == pid_) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
  }

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  const std::string& token() const { return token_; }
  const std::string& user() const { return user_; }
  const std::string& data_dir() const { return data_dir_; }
  std::string Log() const {
    try {
      return ReadFileOrDie(log_path_);
    } catch (...) {
      return "";
    }
  }

 private:
  bool WaitForPort() {
    for (int i = 0; i < 300; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(static_cast<uint16_t>(port_));
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      bool up = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
      ::close(fd);
      if (up) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  TempDir tmp_;
  std::string user_;
  std::string data_dir_;
  std::string log_path_;
  std::string token_;
  std::string error_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace mhub::testing
