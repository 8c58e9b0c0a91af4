// Leveled logging to stderr. Thread-safe; each call writes one whole line.
// The level comes from MHUB_LOG (debug, info, warn, error, off; default warn) or SetLogLevel.
//
//   MHUB_LOG(kInfo) << "listening on " << port;
#pragma once

#include <sstream>
#include <string_view>

namespace mhub {

enum class LogLevel : int { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
bool LogEnabled(LogLevel level);
// Parses "debug", "info", "warn", "error", "off"; returns false for anything else.
bool ParseLogLevel(std::string_view text, LogLevel* level);
void LogLine(LogLevel level, std::string_view message);

namespace internal {
class LogMessage {
 public:
  explicit LogMessage(LogLevel level) : level_(level) {}
  ~LogMessage() { LogLine(level_, stream_.str()); }
  std::ostringstream& stream() { return stream_; }

 private:
  LogLevel level_;
  std::ostringstream stream_;
};
}  // namespace internal

}  // namespace mhub

#define MHUB_LOG(level)                               \
  if (!::mhub::LogEnabled(::mhub::LogLevel::level)) { \
  } else                                              \
    ::mhub::internal::LogMessage(::mhub::LogLevel::level).stream()
