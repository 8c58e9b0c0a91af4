// PreReceiveHook (see git_pre_receive_hook.h). Linux FIFO semantics it relies on: a read end
// opened O_NONBLOCK reports neither data nor hang-up in poll() until a writer has connected, and
// opening a write end O_NONBLOCK fails with ENXIO until a reader is there; so the server can wait
// for the hook and for the git child at once without ever blocking on a hook that never runs.
#include "server/http/git_pre_receive_hook.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

namespace mhub::server {
namespace {

constexpr size_t kMaxHookInput = 16u << 20;  // quarantine path + "<old> <new> <ref>" lines

// Sends stdin (after the quarantine path) to the server, then relays its verdict: the first line
// is the exit code, the rest goes to stderr, which git shows the pusher as "remote:" lines.
constexpr char kScript[] =
    "#!/bin/sh\n"
    "# Written by the mhub server for one push: the server runs its push checks.\n"
    "d=\"$MHUB_PUSH_HOOK_DIR\"\n"
    "{ printf '%s\\n' \"$GIT_QUARANTINE_PATH\"; cat; } > \"$d/in\" || exit 1\n"
    "exec 3< \"$d/out\" || exit 1\n"
    "read -r code <&3 || exit 1\n"
    "cat <&3 >&2\n"
    "exit \"$code\"\n";

bool ChildExited(pid_t pid, int* wstatus) {
  const pid_t r = ::waitpid(pid, wstatus, WNOHANG);
  return r == pid;
}

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t w = ::write(fd, data.data(), data.size());
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return Status::IOError("cannot write to the pre-receive hook: " + std::string(std::strerror(errno)));
    data.remove_prefix(static_cast<size_t>(w));
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<PreReceiveHook>> PreReceiveHook::Create(const std::string& tmp_dir) {
  static std::atomic<uint64_t> counter{0};
  const std::string dir = tmp_dir + "/hook-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
  if (::mkdir(dir.c_str(), 0700) != 0) return Status::IOError("cannot create " + dir + ": " + std::strerror(errno));
  std::unique_ptr<PreReceiveHook> hook(new PreReceiveHook(dir));
  const std::string script = dir + "/pre-receive";
  const int fd = ::open(script.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
  if (fd < 0) return Status::IOError("cannot create " + script);
  Status st = WriteAll(fd, kScript);
  ::close(fd);
  MHUB_RETURN_IF_ERROR(st);
  for (const char* fifo : {"/in", "/out"}) {
    if (::mkfifo((dir + fifo).c_str(), 0600) != 0) return Status::IOError("cannot create a FIFO in " + dir);
  }
  return hook;
}

PreReceiveHook::~PreReceiveHook() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

Status PreReceiveHook::Answer(pid_t pid, const Status& verdict) {
  const std::string out = dir_ + "/out";
  int fd = -1;
  // The script opens its end right after closing "in"; wait for it (or for git to give up).
  for (;;) {
    fd = ::open(out.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) break;
    if (errno != ENXIO && errno != EINTR) return Status::IOError("cannot open " + out);
    int wstatus = 0;
    if (::waitpid(pid, &wstatus, WNOHANG) == pid) {
      return Status::Internal("git exited before the pre-receive verdict (status " + std::to_string(wstatus) + ")");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  std::string text = verdict.ok() ? "0\n" : "1\n" + verdict.message() + "\n";
  Status st = WriteAll(fd, text);
  ::close(fd);
  return st;
}

Result<int> PreReceiveHook::ServeUntilExit(pid_t pid, const Check& check) {
  const std::string in = dir_ + "/in";
  const int fd = ::open(in.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return Status::IOError("cannot open " + in);
  std::string input;
  bool answered = false;
  int wstatus = 0;
  Status failure = Status::OK();
  while (!answered) {
    if (ChildExited(pid, &wstatus)) {
      ::close(fd);
      return wstatus;
    }
    pollfd p{fd, POLLIN, 0};
    const int n = ::poll(&p, 1, 20);
    if (n <= 0) continue;
    char buf[65536];
    const ssize_t r = ::read(fd, buf, sizeof buf);
    if (r > 0) {
      if (input.size() + static_cast<size_t>(r) > kMaxHookInput) {
        failure = Status::ResourceExhausted("too many ref updates in one push");
      } else {
        input.append(buf, static_cast<size_t>(r));
      }
      continue;
    }
    if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    // End of the hook's input: judge and answer.
    const size_t nl = input.find('\n');
    Status verdict = failure;
    if (verdict.ok()) {
      verdict = nl == std::string::npos ? Status::Internal("pre-receive hook sent no quarantine path")
                                        : check(input.substr(0, nl), input.substr(nl + 1));
    }
    Status st = Answer(pid, verdict);
    if (!st.ok()) {
      ::close(fd);
      return st;
    }
    answered = true;
  }
  ::close(fd);
  while (::waitpid(pid, &wstatus, 0) < 0) {
    if (errno != EINTR) return Status::Internal("waitpid on git http-backend failed");
  }
  return wstatus;
}

}  // namespace mhub::server
