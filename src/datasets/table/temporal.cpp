#include "datasets/table/temporal.h"

#include <chrono>
#include <cstdio>
#include <cstring>

namespace mhub::datasets {
namespace {

__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

int64_t UnitsPerSecond(TimeUnit u) {
  switch (u) {
    case TimeUnit::kSecond:
      return 1;
    case TimeUnit::kMilli:
      return 1000;
    case TimeUnit::kMicro:
      return 1000000;
    case TimeUnit::kNano:
      return 1000000000;
  }
  return 1;
}
int FractionDigits(TimeUnit u) {
  switch (u) {
    case TimeUnit::kSecond:
      return 0;
    case TimeUnit::kMilli:
      return 3;
    case TimeUnit::kMicro:
      return 6;
    case TimeUnit::kNano:
      return 9;
  }
  return 0;
}

std::string FormatDays(int64_t days) {
  using namespace std::chrono;
  year_month_day ymd{sys_days{std::chrono::days{days}}};
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

bool Digits(std::string_view s, size_t pos, size_t n, int64_t& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// "YYYY-MM-DD" at the start of s; days since the epoch.
bool ParseDays(std::string_view s, int64_t& days) {
  int64_t y, m, d;
  if (!Digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, m) || s[7] != '-' || !Digits(s, 8, 2, d))
    return false;
  using namespace std::chrono;
  year_month_day ymd{year{static_cast<int>(y)}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return false;
  days = sys_days{ymd}.time_since_epoch().count();
  return true;
}

}  // namespace

std::string FormatDate32(int32_t days) { return FormatDays(days); }

std::string FormatTimestamp(int64_t value, TimeUnit unit, bool utc) {
  int64_t per = UnitsPerSecond(unit);
  int64_t secs = FloorDiv(value, per);
  int64_t frac = value - secs * per;
  int64_t days = FloorDiv(secs, 86400);
  int64_t sod = secs - days * 86400;
  char buf[64];
  std::snprintf(buf, sizeof buf, "T%02d:%02d:%02d", static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                static_cast<int>(sod % 60));
  std::string out = FormatDays(days) + buf;
  int digits = FractionDigits(unit);
  if (digits > 0) {
    std::snprintf(buf, sizeof buf, ".%0*lld", digits, static_cast<long long>(frac));
    out += buf;
  }
  if (utc) out += 'Z';
  return out;
}

std::string FormatDecimal128(const uint8_t* le16, int32_t scale) {
  UInt128 u = 0;
  std::memcpy(&u, le16, 16);  // little-endian host
  Int128 v = static_cast<Int128>(u);
  bool neg = v < 0;
  UInt128 mag = neg ? static_cast<UInt128>(0) - u : u;
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(mag % 10)));
    mag /= 10;
  } while (mag != 0);
  if (scale > 0) {
    if (static_cast<int32_t>(digits.size()) <= scale)
      digits.insert(0, static_cast<size_t>(scale) + 1 - digits.size(), '0');
    digits.insert(digits.size() - static_cast<size_t>(scale), ".");
  } else if (scale < 0 && digits != "0") {
    digits.append(static_cast<size_t>(-scale), '0');
  }
  return neg ? "-" + digits : digits;
}

Result<int32_t> ParseDate32(std::string_view text) {
  int64_t days;
  if (text.size() != 10 || !ParseDays(text, days))
    return Status::InvalidArgument("'" + std::string(text) + "' is not a date (YYYY-MM-DD)");
  return static_cast<int32_t>(days);
}

Result<int64_t> ParseTimestamp(std::string_view text, TimeUnit unit) {
  auto bad = [&] { return Status::InvalidArgument("'" + std::string(text) + "' is not an ISO 8601 timestamp"); };
  int64_t days;
  if (!ParseDays(text, days)) return bad();
  size_t pos = 10;
  int64_t h = 0, mi = 0, sec = 0, frac = 0;
  int frac_digits = 0;
  if (pos < text.size() && (text[pos] == 'T' || text[pos] == ' ')) {
    if (!Digits(text, pos + 1, 2, h) || pos + 3 >= text.size() || text[pos + 3] != ':' || !Digits(text, pos + 4, 2, mi))
      return bad();
    pos += 6;
    if (pos < text.size() && text[pos] == ':') {
      if (!Digits(text, pos + 1, 2, sec)) return bad();
      pos += 3;
      if (pos < text.size() && text[pos] == '.') {
        ++pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
          if (frac_digits < 9) {
            frac = frac * 10 + (text[pos] - '0');
            ++frac_digits;
          } else if (text[pos] != '0') {
            return bad();  // below a nanosecond
          }
          ++pos;
        }
        if (frac_digits == 0) return bad();
      }
    }
    if (h > 23 || mi > 59 || sec > 60) return bad();
  }
  std::string_view zone = text.substr(pos);
  if (!zone.empty() && zone != "Z" && zone != "+00:00" && zone != "+0000" && zone != "-00:00") return bad();
  int target = FractionDigits(unit);
  for (int d = frac_digits; d < 9; ++d) frac *= 10;  // now nanoseconds
  int64_t per = UnitsPerSecond(unit);
  int64_t divisor = 1;
  for (int d = target; d < 9; ++d) divisor *= 10;
  if (frac % divisor != 0)
    return Status::InvalidArgument("'" + std::string(text) + "' is finer than the column's unit");
  int64_t seconds = days * 86400 + h * 3600 + mi * 60 + sec;
  if (seconds > INT64_MAX / per || seconds < INT64_MIN / per) return bad();
  return seconds * per + frac / divisor;
}

Result<std::array<uint8_t, 16>> ParseDecimal128(std::string_view text, int32_t precision, int32_t scale) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("'" + std::string(text) + "' does not fit decimal128(" + std::to_string(precision) +
                                   ", " + std::to_string(scale) + "): " + why);
  };
  size_t pos = 0;
  bool neg = false;
  if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) neg = text[pos++] == '-';
  std::string digits;
  int frac_seen = 0;
  bool dot = false, any = false;
  for (; pos < text.size(); ++pos) {
    char c = text[pos];
    if (c == '.' && !dot) {
      dot = true;
      continue;
    }
    if (c < '0' || c > '9') return bad("not a number");
    any = true;
    if (dot) {
      if (frac_seen >= scale) {
        if (c != '0') return bad("too many fraction digits");
        continue;
      }
      ++frac_seen;
    }
    digits += c;
  }
  if (!any) return bad("not a number");
  for (int i = frac_seen; i < scale; ++i) digits += '0';
  size_t first = digits.find_first_not_of('0');
  digits = first == std::string::npos ? "0" : digits.substr(first);
  if (static_cast<int32_t>(digits.size()) > std::max(precision, 1) || digits.size() > 38) return bad("too many digits");
  UInt128 mag = 0;
  for (char c : digits) mag = mag * 10 + static_cast<unsigned>(c - '0');
  UInt128 v = neg ? static_cast<UInt128>(0) - mag : mag;
  std::array<uint8_t, 16> out;
  std::memcpy(out.data(), &v, 16);
  return out;
}

}  // namespace mhub::datasets
