// A progress bar for long byte transfers: bytes done / total, rate, ETA, on one rewritten stderr
// line. Silent when stderr is not a TTY (or MHUB_NO_PROGRESS / HF_HUB_DISABLE_PROGRESS_BARS is set),
// so logs and tests never see it. Thread-safe: Add may be called from several threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace mhub {

class ProgressBar {
 public:
  // total == 0: unknown size (no ETA, no percentage).
  ProgressBar(std::string label, uint64_t total);
  ~ProgressBar();  // calls Finish()

  void Add(uint64_t bytes);
  void Finish();
  bool enabled() const { return enabled_; }
  uint64_t done() const { return done_.load(); }

  // Pure formatting used for the line; exposed for tests. Rate in bytes/s, eta in seconds (<0: unknown).
  static std::string FormatLine(const std::string& label, uint64_t done, uint64_t total, double rate, double eta);
  static std::string FormatBytes(double bytes);

 private:
  void Draw(bool final_line);

  std::string label_;
  uint64_t total_;
  std::atomic<uint64_t> done_{0};
  bool enabled_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  std::mutex mu_;
};

}  // namespace mhub
