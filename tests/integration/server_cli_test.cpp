// `mhub server` defaults that keep a hub safe, driven through the real binary: a busy port is
// refused (no silent SO_REUSEPORT sharing), a missing --data is refused unless --init, and each
// request leaves one access-log line on stderr at the default log level.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/test_support.h"

extern char** environ;

namespace mhub::testing {
namespace {

// `mhub server ARGS` in the background, stdout and stderr into `log`.
class Server {
 public:
  Server(const std::vector<std::string>& args, const std::string& log) : log_(log) {
    std::vector<std::string> all = {MhubBin(), "server"};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    if (posix_spawn(&pid_, all[0].c_str(), &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Server() { Stop(); }
  // Exit code once it exited by itself within `seconds`, or -1 while it still runs.
  int WaitExit(double seconds) {
    auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (pid_ > 0 && std::chrono::steady_clock::now() < end) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return -1;
  }
  void Stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  std::string Log() const {
    std::ifstream in(log_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  std::string log_;
  pid_t pid_ = -1;
};

bool WaitHealthy(int port) {
  for (int i = 0; i < 200; ++i) {
    CommandResult r =
        RunCommand("curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:" + std::to_string(port) + "/health");
    if (r.out == "200") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST(ServerCli, BusyPortIsRefused) {
  TempDir tmp;
  const std::string port = std::to_string(FreePort());
  Server first({"--data", tmp / "a", "--init", "--port", port}, tmp / "a.log");
  ASSERT_TRUE(WaitHealthy(std::stoi(port))) << first.Log();
  Server second({"--data", tmp / "b", "--init", "--port", port}, tmp / "b.log");
  EXPECT_EQ(second.WaitExit(10), 1) << second.Log();
  EXPECT_NE(second.Log().find("mhub: error:"), std::string::npos) << second.Log();
  EXPECT_NE(second.Log().find("already in use"), std::string::npos) << second.Log();
  // Every request still reaches the first hub.
  for (int i = 0; i < 8; ++i) {
    CommandResult r = RunCommand("curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:" + port + "/health");
    EXPECT_EQ(r.out, "200");
  }
}

TEST(ServerCli, MissingDataDirIsRefusedUnlessInit) {
  TempDir tmp;
  const std::string missing = tmp / "typo";
  const int port = FreePort();
  Server refused({"--data", missing, "--port", std::to_string(port)}, tmp / "refused.log");
  EXPECT_EQ(refused.WaitExit(10), 1);
  const std::string log = refused.Log();
  EXPECT_EQ(log.rfind("mhub: error:", 0), 0u) << log;
  EXPECT_NE(log.find("--init"), std::string::npos) << log;
  EXPECT_FALSE(std::filesystem::exists(missing)) << "the refused server created " << missing;

  Server created({"--data", missing, "--init", "--port", std::to_string(port)}, tmp / "created.log");
  ASSERT_TRUE(WaitHealthy(port)) << created.Log();
  EXPECT_NE(created.Log().find("creating a new hub in " + missing), std::string::npos) << created.Log();
  EXPECT_TRUE(std::filesystem::exists(missing + "/db.sqlite"));
}

TEST(ServerCli, OneAccessLogLinePerRequest) {
  TempDir tmp;
  const int port = FreePort();
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  Server server({"--data", tmp / "d", "--init", "--port", std::to_string(port)}, tmp / "s.log");
  ASSERT_TRUE(WaitHealthy(port)) << server.Log();
  RunCommand("curl -s -o /dev/null " + url + "/api/models/nobody/missing?secret=abc");
  RunCommand("curl -s -o /dev/null -X POST -d x " + url + "/api/validate-yaml");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  server.Stop();
  const std::string log = server.Log();
  auto count = [&](const std::string& needle) {
    size_t n = 0;
    for (size_t pos = log.find(needle); pos != std::string::npos; pos = log.find(needle, pos + 1)) ++n;
    return n;
  };
  // Client address, method, path (the query, where signed URLs keep their signature, left out),
  // status, body bytes, duration.
  EXPECT_EQ(count("127.0.0.1 \"GET /api/models/nobody/missing?...\" 4"), 1u) << log;
  EXPECT_EQ(count("127.0.0.1 \"POST /api/validate-yaml\" 400 "), 1u) << log;
  EXPECT_EQ(count("127.0.0.1 \""), 2u + count("\"GET /health\"")) << log;
  EXPECT_EQ(log.find("secret=abc"), std::string::npos) << log;

  // --log-level warn: no access log.
  Server quiet({"--data", tmp / "d", "--port", std::to_string(port), "--log-level", "warn"}, tmp / "q.log");
  ASSERT_TRUE(WaitHealthy(port)) << quiet.Log();
  quiet.Stop();
  EXPECT_EQ(quiet.Log().find("\"GET /health\""), std::string::npos) << quiet.Log();
}

}  // namespace
}  // namespace mhub::testing
