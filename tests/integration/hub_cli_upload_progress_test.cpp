// `mhub upload` progress as `hf upload` shows it: on a terminal (a real pseudo-terminal here) one
// overall bar (files and bytes) with a bar per file under it while the files are sent; without a
// terminal, not a byte of either (no bar text, no carriage return, no escape sequence).
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "integration/hub_cli_fixture.h"

namespace {

namespace fs = std::filesystem;
using mhub::testing::HubCliTest;
using mhub::testing::MhubBin;
using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;
using mhub::testing::WriteFileOrDie;

struct TerminalRun {
  int exit_code = -1;
  std::string shown;  // everything written to the terminal (stdout and stderr)
};

// Runs `mhub args...` on a pseudo-terminal of 120 columns with `env`; reads what it shows until it
// exits (bounded: 60 s).
TerminalRun RunOnTerminal(const std::vector<std::string>& env, const std::vector<std::string>& args) {
  std::vector<std::string> env_copy = env, argv_copy = args;
  std::vector<char*> envp, argv;
  for (auto& e : env_copy) envp.push_back(e.data());
  envp.push_back(nullptr);
  for (auto& a : argv_copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  winsize ws{};
  ws.ws_row = 24;
  ws.ws_col = 120;
  int master = -1;
  TerminalRun run;
  pid_t pid = ::forkpty(&master, nullptr, nullptr, &ws);
  if (pid < 0) return run;
  if (pid == 0) {
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{master, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[4096];
    ssize_t n = ::read(master, buf, sizeof(buf));
    if (n <= 0) break;  // EIO once the child has exited and the terminal drained
    run.shown.append(buf, static_cast<size_t>(n));
  }
  int status = 0;
  if (::waitpid(pid, &status, WNOHANG) != pid) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  ::close(master);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

class UploadProgressCliTest : public HubCliTest {
 protected:
  // Three LFS files (by extension) of 3 MB of random bytes, and a small regular one.
  std::string MakeFolder() {
    const std::string folder = work_ / "weights";
    fs::create_directories(folder + "/shards");
    std::mt19937 rng(5);
    for (const char* name : {"shards/part-1.bin", "shards/part-2.bin", "model.safetensors"}) {
      std::string bytes(3 * 1024 * 1024, '\0');
      for (auto& c : bytes) c = static_cast<char>(rng());
      WriteFileOrDie(folder + "/" + name, bytes);
    }
    WriteFileOrDie(folder + "/config.json", "{}\n");
    return folder;
  }
};

TEST_F(UploadProgressCliTest, OverallAndPerFileBarsOnATerminalOnly) {
  const std::string folder = MakeFolder();
  std::vector<std::string> env = {"HF_HOME=" + home_.path(), "HF_ENDPOINT=" + server_.url(),
                                  "HF_TOKEN=" + server_.token(), "PATH=/usr/bin:/bin", "TERM=xterm"};
  auto tty = RunOnTerminal(env, {MhubBin(), "upload", "bob/progress", folder});
  ASSERT_EQ(tty.exit_code, 0) << tty.shown;
  // The overall bar counts files and bytes, and ends complete.
  EXPECT_NE(tty.shown.find("Upload 3 LFS files: 0/3"), std::string::npos) << tty.shown;
  EXPECT_NE(tty.shown.find("Upload 3 LFS files: 3/3 100% |"), std::string::npos) << tty.shown;
  EXPECT_NE(tty.shown.find("9.4MB/9.4MB"), std::string::npos) << "bytes of all files: " << tty.shown;
  // A bar per file, each on its own line under the overall one, showing that file's bytes.
  for (const char* name : {"shards/part-1.bin", "shards/part-2.bin", "model.safetensors"}) {
    const std::string line = "\r  " + std::string(name) + " ";
    size_t at = tty.shown.find(line);
    ASSERT_NE(at, std::string::npos) << name << ": " << tty.shown;
    EXPECT_NE(tty.shown.find(line + "100% |########################| 3.1MB/3.1MB"), std::string::npos)
        << name << ": " << tty.shown;
    EXPECT_EQ(tty.shown.compare(at - 1, 1, "\n"), 0) << name << ": a line of its own";
  }
  // Redrawn in place: the cursor goes back up over the block, lines are erased before rewriting.
  EXPECT_NE(tty.shown.find("\x1b[K"), std::string::npos);
  EXPECT_NE(tty.shown.find("\x1b[1A"), std::string::npos) << tty.shown;
  // The small regular file is not an LFS upload and has no bar.
  EXPECT_EQ(tty.shown.find("  config.json"), std::string::npos) << tty.shown;

  // Without a terminal (stderr a pipe), and no MHUB_NO_PROGRESS either: no bar at all.
  auto piped = RunCommand("env -u MHUB_NO_PROGRESS HF_HOME=" + ShellQuote(home_.path()) +
                          " HF_ENDPOINT=" + ShellQuote(server_.url()) + " HF_TOKEN=" + ShellQuote(server_.token()) +
                          " " + ShellQuote(MhubBin()) + " upload bob/progress-piped " + ShellQuote(folder));
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.err.find("LFS file"), std::string::npos) << piped.err;
  EXPECT_EQ(piped.err.find('\r'), std::string::npos) << piped.err;
  EXPECT_EQ(piped.err.find('\x1b'), std::string::npos) << piped.err;
  EXPECT_EQ(piped.err.find("part-1.bin"), std::string::npos) << piped.err;
}

}  // namespace
