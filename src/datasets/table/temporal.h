// Text forms of the temporal and decimal storage types (Value's JSON form, AppendValue's parsing).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "mhub/base/result.h"
#include "mhub/datasets/types.h"

namespace mhub::datasets {

std::string FormatDate32(int32_t days);  // "YYYY-MM-DD"
// "YYYY-MM-DDTHH:MM:SS" + fraction digits of the unit (ms 3, us 6, ns 9) + "Z" when `utc`.
std::string FormatTimestamp(int64_t value, TimeUnit unit, bool utc);
// The unscaled 16-byte LE two's complement value with `scale` fraction digits ("-12.50").
std::string FormatDecimal128(const uint8_t* le16, int32_t scale);

Result<int32_t> ParseDate32(std::string_view text);
// Accepts "YYYY-MM-DD[( |T)HH:MM[:SS[.fraction]]][Z|+00:00]"; offsets other than UTC are refused.
Result<int64_t> ParseTimestamp(std::string_view text, TimeUnit unit);
// A decimal number with at most `scale` fraction digits (more only when they are zeros) and at most
// `precision` digits in all.
Result<std::array<uint8_t, 16>> ParseDecimal128(std::string_view text, int32_t precision, int32_t scale);

}  // namespace mhub::datasets
