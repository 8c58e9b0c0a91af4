// The pre-receive hook of a push served by `git http-backend`: a per-run hooks directory
// (core.hooksPath) whose pre-receive script hands git's quarantine path and ref updates to this
// process through a FIFO, then waits on a second FIFO for the verdict (exit code + message). So
// the push checks run in the server, with its stores and the pusher's identity, while git holds
// the pushed objects in quarantine and no ref has moved.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>

#include "mhub/base/result.h"

namespace mhub::server {

class PreReceiveHook {
 public:
  using Check = std::function<Status(const std::string& quarantine_dir, const std::string& ref_lines)>;

  // Makes <tmp_dir>/hook-<unique>/ with the script and the two FIFOs.
  static Result<std::unique_ptr<PreReceiveHook>> Create(const std::string& tmp_dir);
  ~PreReceiveHook();  // removes the directory
  PreReceiveHook(const PreReceiveHook&) = delete;
  PreReceiveHook& operator=(const PreReceiveHook&) = delete;

  // For core.hooksPath and the MHUB_PUSH_HOOK_DIR environment variable of the git run.
  const std::string& dir() const { return dir_; }

  // Waits until the git child `pid` exits; if its pre-receive hook runs meanwhile, answers it with
  // `check` (an error declines the push and its message is shown to the pusher). Returns the
  // child's wait status.
  Result<int> ServeUntilExit(pid_t pid, const Check& check);

 private:
  explicit PreReceiveHook(std::string dir) : dir_(std::move(dir)) {}
  Status Answer(pid_t pid, const Status& verdict);

  std::string dir_;
};

}  // namespace mhub::server
