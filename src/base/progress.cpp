#include "mhub/base/progress.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace mhub {

ProgressBar::ProgressBar(std::string label, uint64_t total)
    : label_(std::move(label)),
      total_(total),
      enabled_(::isatty(STDERR_FILENO) && !std::getenv("MHUB_NO_PROGRESS") &&
               !std::getenv("HF_HUB_DISABLE_PROGRESS_BARS")),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Add(uint64_t bytes) {
  done_ += bytes;
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  if (now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  Draw(false);
}

void ProgressBar::Finish() {
  std::lock_guard<std::mutex> lock(mu_);
  if (finished_) return;
  finished_ = true;
  if (enabled_) Draw(true);
}

void ProgressBar::Draw(bool final_line) {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  uint64_t done = done_.load();
  double rate = secs > 0 ? done / secs : 0;
  double eta = (total_ > 0 && rate > 0 && done <= total_) ? (total_ - done) / rate : -1;
  std::string line = FormatLine(label_, done, total_, rate, eta);
  std::fprintf(stderr, "\r%s\x1b[K%s", line.c_str(), final_line ? "\n" : "");
  std::fflush(stderr);
}

std::string ProgressBar::FormatBytes(double bytes) {
  static const char* kUnits[] = {"B", "kB", "MB", "GB", "TB"};
  int u = 0;
  while (bytes >= 1000 && u < 4) {
    bytes /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), u == 0 ? "%.0f%s" : "%.1f%s", bytes, kUnits[u]);
  return buf;
}

std::string ProgressBar::FormatLine(const std::string& label, uint64_t done, uint64_t total, double rate, double eta) {
  std::string line = label + " ";
  if (total > 0) {
    int pct = static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total));
    if (pct > 100) pct = 100;
    const int width = 24;
    int filled = pct * width / 100;
    line += std::to_string(pct) + "% |" + std::string(filled, '#') + std::string(width - filled, ' ') + "| ";
    line += FormatBytes(static_cast<double>(done)) + "/" + FormatBytes(static_cast<double>(total));
  } else {
    line += FormatBytes(static_cast<double>(done));
  }
  line += " [" + FormatBytes(rate) + "/s";
  if (eta >= 0) {
    char buf[32];
    int s = static_cast<int>(eta + 0.5);
    std::snprintf(buf, sizeof(buf), ", ETA %d:%02d", s / 60, s % 60);
    line += buf;
  }
  line += "]";
  return line;
}

}  // namespace mhub
