// Integers read from tokenizer.json, which comes from a repo (untrusted), with the range of the
// Rust field each one mirrors in HF tokenizers: a negative, fractional, too large or non-number
// value is InvalidArgument (serde refuses it there too), never a silently wrapped id or a size
// that later asks for terabytes.
#pragma once

#include <cstdint>
#include <string_view>

#include "mhub/base/json.h"
#include "mhub/base/result.h"

namespace mhub::tokenizers {

// `value` as a u32 (token ids, type ids, pad ids); `where` names it in the error.
Result<uint32_t> JsonToU32(const Json& value, std::string_view where);
// `value` as a non-negative integer of at most `max` (usize fields: lengths, counts).
Result<uint64_t> JsonToCount(const Json& value, std::string_view where, uint64_t max);

// obj[key] as a u32: required, or `fallback` when absent or null.
Result<uint32_t> JsonU32(const Json& obj, std::string_view key, std::string_view path);
Result<uint32_t> JsonU32Or(const Json& obj, std::string_view key, std::string_view path, uint32_t fallback);
// obj[key] as a count of at most `max`: required, or `fallback` when absent or null.
Result<uint64_t> JsonCountField(const Json& obj, std::string_view key, std::string_view path, uint64_t max);
Result<uint64_t> JsonCountOr(const Json& obj, std::string_view key, std::string_view path, uint64_t max,
                             uint64_t fallback);

}  // namespace mhub::tokenizers
