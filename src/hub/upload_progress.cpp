#include "hub/upload_progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "mhub/base/progress.h"

namespace mhub::hub {

namespace {

// The terminal's width, so that no line wraps (a wrapped line would break the cursor-up redraw).
size_t TerminalWidth() {
  winsize ws{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20) return ws.ws_col;
  return 80;
}

// "...tail" of a long path, so that the bar after it stays on screen.
std::string ShortPath(const std::string& path, size_t max) {
  if (path.size() <= max) return path;
  return "..." + path.substr(path.size() - (max - 3));
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

std::string Bar(const std::string& label, uint64_t done, uint64_t total, double secs) {
  double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
  double eta = (total > 0 && rate > 0 && done <= total) ? static_cast<double>(total - done) / rate : -1;
  return ProgressBar::FormatLine(label, done, total, rate, eta);
}

}  // namespace

UploadProgress::UploadProgress(size_t files, uint64_t total_bytes)
    : files_(files),
      total_bytes_(total_bytes),
      enabled_(files > 0 && ::isatty(STDERR_FILENO) && !std::getenv("MHUB_NO_PROGRESS") &&
               !std::getenv("HF_HUB_DISABLE_PROGRESS_BARS")),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_ - std::chrono::seconds(1)) {}

UploadProgress::~UploadProgress() { Finish(); }

size_t UploadProgress::BeginFile(const std::string& path, uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  FileBar bar;
  bar.path = path;
  bar.size = size;
  bar.active = true;
  bar.start = std::chrono::steady_clock::now();
  bars_.push_back(std::move(bar));
  if (enabled_ && !finished_ && std::chrono::steady_clock::now() - last_draw_ >= std::chrono::milliseconds(100))
    DrawLocked(false);
  return bars_.size() - 1;
}

void UploadProgress::Add(size_t slot, uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  if (slot >= bars_.size()) return;
  bars_[slot].done += bytes;
  bytes_done_ += bytes;
  if (enabled_ && !finished_ && std::chrono::steady_clock::now() - last_draw_ >= std::chrono::milliseconds(100))
    DrawLocked(false);
}

void UploadProgress::EndFile(size_t slot) {
  std::lock_guard<std::mutex> lock(mu_);
  if (slot >= bars_.size() || !bars_[slot].active) return;
  FileBar& bar = bars_[slot];
  if (bar.done < bar.size) {
    bytes_done_ += bar.size - bar.done;
    bar.done = bar.size;
  }
  ++files_done_;
  // Each file's bar is shown complete before it leaves the block (a redraw per file is cheap
  // next to the requests that sent it).
  if (enabled_ && !finished_) DrawLocked(false);
  bar.active = false;
}

void UploadProgress::SkipFile(uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  ++files_done_;
  bytes_done_ += size;
}

void UploadProgress::Finish() {
  std::lock_guard<std::mutex> lock(mu_);
  if (finished_) return;
  if (enabled_) DrawLocked(true);
  finished_ = true;
}

std::vector<std::string> UploadProgress::Lines() const {
  std::lock_guard<std::mutex> lock(mu_);
  return LinesLocked();
}

std::vector<std::string> UploadProgress::LinesLocked() const {
  std::vector<std::string> lines;
  const std::string label = "Upload " + std::to_string(files_) + " LFS file" + (files_ == 1 ? "" : "s") + ": " +
                            std::to_string(files_done_) + "/" + std::to_string(files_);
  lines.push_back(Bar(label, bytes_done_, total_bytes_, Seconds(start_)));
  for (const FileBar& bar : bars_)
    if (bar.active) lines.push_back(Bar("  " + ShortPath(bar.path, 32), bar.done, bar.size, Seconds(bar.start)));
  return lines;
}

void UploadProgress::DrawLocked(bool final_draw) {
  last_draw_ = std::chrono::steady_clock::now();
  std::vector<std::string> lines = LinesLocked();
  if (final_draw) lines.resize(1);
  const size_t width = TerminalWidth();
  std::string out;
  // Back to the first line of the block drawn last time.
  if (drawn_lines_ > 0) {
    out += "\r";
    if (drawn_lines_ > 1) out += "\x1b[" + std::to_string(drawn_lines_ - 1) + "A";
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += "\n";
    out += "\r" + lines[i].substr(0, width - 1) + "\x1b[K";
  }
  // Lines of files that finished since: erased, and the cursor back on the block's last line.
  const size_t extra = drawn_lines_ > lines.size() ? drawn_lines_ - lines.size() : 0;
  for (size_t i = 0; i < extra; ++i) out += "\n\r\x1b[K";
  if (extra > 0) out += "\x1b[" + std::to_string(extra) + "A";
  drawn_lines_ = lines.size();
  if (final_draw) {
    out += "\n";
    drawn_lines_ = 0;
  }
  std::fwrite(out.data(), 1, out.size(), stderr);
  std::fflush(stderr);
}

}  // namespace mhub::hub
