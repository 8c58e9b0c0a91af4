// The progress display of an LFS upload, as `hf upload` shows it on a terminal: one overall bar
// (files done / files, bytes, rate, ETA) with a bar per file under it while that file is sent.
// The block of lines is redrawn in place (cursor up, erase line) at most every 100 ms, and when a
// file ends (its bar shown complete, then leaving the block). Silent when stderr is not a TTY or MHUB_NO_PROGRESS /
// HF_HUB_DISABLE_PROGRESS_BARS is set (the rule of mhub::ProgressBar). Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace mhub::hub {

class UploadProgress {
 public:
  UploadProgress(size_t files, uint64_t total_bytes);
  ~UploadProgress();  // calls Finish()

  // A file starts sending; the returned slot names it in Add / EndFile.
  size_t BeginFile(const std::string& path, uint64_t size);
  void Add(size_t slot, uint64_t bytes);
  // The file is stored on the hub: it counts as done (all its bytes included).
  void EndFile(size_t slot);
  // A file the hub already had: done without sending a byte.
  void SkipFile(uint64_t size);
  // Draws the overall bar a last time and ends the line.
  void Finish();

  bool enabled() const { return enabled_; }

  // The lines as drawn (exposed for tests): the overall bar, then one per file being sent.
  std::vector<std::string> Lines() const;

 private:
  struct FileBar {
    std::string path;
    uint64_t size = 0;
    uint64_t done = 0;
    bool active = false;
    std::chrono::steady_clock::time_point start;
  };

  std::vector<std::string> LinesLocked() const;
  void DrawLocked(bool final_draw);

  const size_t files_;
  const uint64_t total_bytes_;
  const bool enabled_;
  mutable std::mutex mu_;
  std::vector<FileBar> bars_;
  size_t files_done_ = 0;
  uint64_t bytes_done_ = 0;
  size_t drawn_lines_ = 0;  // lines of the block on screen; the cursor is on its last one
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace mhub::hub
