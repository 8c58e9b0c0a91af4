// Time stamps as the Hub API writes them.
#pragma once

#include <cstdint>
#include <string>

namespace mhub::server {

// Milliseconds since the Unix epoch, from the system clock.
int64_t NowMillis();
// "2024-05-01T12:00:00.000Z" (UTC, always milliseconds and a 'Z').
std::string FormatIsoMillis(int64_t unix_millis);

}  // namespace mhub::server
