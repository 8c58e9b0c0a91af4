// Login habits of `hf auth`: the prompt does not echo the token (checked on a real pseudo-terminal),
// `login --token` fails when the hub cannot check it, `logout` says when nobody was logged in,
// `auth login|logout|whoami` aliases, and `--token` on every hub command.
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "integration/hub_cli_fixture.h"
#include "mhub/base/json.h"

namespace {

namespace fs = std::filesystem;
using mhub::testing::FreePort;
using mhub::testing::HubCliTest;
using mhub::testing::Lines;
using mhub::testing::MhubBin;
using mhub::testing::OneErrorLine;
using mhub::testing::ReadFileOrDie;
using mhub::testing::ShellQuote;

// Reads what the terminal shows until `until` appears (or 10 s pass); returns all of it.
std::string ReadTerminal(int fd, const std::string& until, std::string seen = "") {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (seen.find(until) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[512];
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n <= 0) break;  // EIO once the child has exited
    seen.append(buf, static_cast<size_t>(n));
  }
  return seen;
}

class AuthCliTest : public HubCliTest {};

TEST_F(AuthCliTest, LoginPromptDoesNotEchoTheToken) {
  std::vector<std::string> env = {"HF_HOME=" + home_.path(), "HF_ENDPOINT=" + server_.url(), "PATH=/usr/bin:/bin",
                                  "TERM=dumb"};
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string bin = MhubBin();
  std::vector<std::string> args = {bin, "login"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int master = -1;
  pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::execve(bin.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  std::string shown = ReadTerminal(master, "input will not be visible");
  ASSERT_NE(shown.find("Enter your token"), std::string::npos) << shown;
  std::string line = server_.token() + "\n";
  ASSERT_EQ(::write(master, line.data(), line.size()), static_cast<ssize_t>(line.size()));
  shown = ReadTerminal(master, "Token saved", shown);
  int status = 0;
  bool exited = false;
  for (int i = 0; i < 200 && !exited; ++i) {
    exited = ::waitpid(pid, &status, WNOHANG) == pid;
    if (!exited) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!exited) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  ::close(master);
  ASSERT_TRUE(exited) << "login did not finish after the token was typed:\n" << shown;
  EXPECT_EQ(WEXITSTATUS(status), 0) << shown;
  EXPECT_EQ(shown.find(server_.token()), std::string::npos) << "the token was echoed:\n" << shown;
  EXPECT_NE(shown.find("logged in as bob"), std::string::npos) << shown;
  EXPECT_EQ(ReadFileOrDie(home_ / "token"), server_.token());
}

TEST_F(AuthCliTest, LoginFailsWhenTheHubCannotCheckTheToken) {
  const std::string dead = "http://127.0.0.1:" + std::to_string(FreePort());
  auto r = mhub::testing::RunCommand("env HF_HOME=" + ShellQuote(home_.path()) + " MHUB_ENDPOINT=" + dead + " " +
                                     ShellQuote(MhubBin()) + " login --token " + ShellQuote(server_.token()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(OneErrorLine(r.err)) << r.err;
  EXPECT_NE(r.err.find(dead), std::string::npos) << "names the endpoint: " << r.err;
  EXPECT_NE(r.err.find("MHUB_ENDPOINT"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(home_ / "token")) << "an unchecked token is not stored";
}

TEST_F(AuthCliTest, LogoutSaysWhenNobodyWasLoggedIn) {
  auto nobody = Mhub("logout", false);
  EXPECT_EQ(nobody.exit_code, 0);
  EXPECT_NE(nobody.out.find("Not logged in"), std::string::npos) << nobody.out;
  ASSERT_EQ(Mhub("auth login --token " + ShellQuote(server_.token()), false).exit_code, 0);
  auto who = Mhub("auth whoami", false);
  ASSERT_EQ(who.exit_code, 0) << who.err;
  EXPECT_EQ(Lines(who.out)[0], "bob");
  auto out = Mhub("auth logout", false);
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_NE(out.out.find("Logged out"), std::string::npos) << out.out;
  EXPECT_FALSE(fs::exists(home_ / "token"));
  auto anon = Mhub("whoami", false);
  EXPECT_EQ(anon.exit_code, 1);
  EXPECT_TRUE(OneErrorLine(anon.err)) << anon.err;
  EXPECT_NE(anon.err.find("mhub login"), std::string::npos) << anon.err;
}

TEST_F(AuthCliTest, TokenOptionOnEveryHubCommand) {
  const std::string t = " --token " + ShellQuote(server_.token());
  // No token in the environment or on disk: each command works with --token alone.
  auto who = Mhub("whoami" + t, false);
  ASSERT_EQ(who.exit_code, 0) << who.err;
  EXPECT_EQ(Lines(who.out)[0], "bob");
  ASSERT_EQ(Mhub("repo create bob/private-one --private" + t, false).exit_code, 0);
  mhub::testing::WriteFileOrDie(work_ / "f.txt", "f\n");
  ASSERT_EQ(Mhub("upload bob/private-one " + ShellQuote(work_ / "f.txt") + t, false).exit_code, 0);
  EXPECT_EQ(Mhub("ls bob/private-one" + t, false).exit_code, 0);
  EXPECT_EQ(Mhub("download bob/private-one f.txt" + t, false).exit_code, 0);
  EXPECT_EQ(Mhub("repo branch list bob/private-one" + t, false).exit_code, 0);
  // Without it, the private repo is invisible and the error says what to do.
  auto anon = Mhub("ls bob/private-one", false);
  EXPECT_EQ(anon.exit_code, 1);
  EXPECT_TRUE(OneErrorLine(anon.err)) << anon.err;
  EXPECT_NE(anon.err.find("--token"), std::string::npos) << anon.err;
  // Every subcommand that talks to a hub lists --token in its help.
  for (const std::string cmd : {"whoami", "upload", "download", "ls", "search", "repo create", "repo tag create",
                                "cache ls", "run", "tokenize", "inspect", "auth whoami"}) {
    auto help = Mhub(cmd + " --help", false);
    EXPECT_NE(help.out.find("--token"), std::string::npos) << cmd;
  }
}

}  // namespace
