// Strict UTF-8 validation (as Rust's str::from_utf8: no overlong forms, no surrogates, <= U+10FFFF).
#pragma once

#include <string_view>

namespace mhub {

// Offset of the first byte that starts an invalid sequence, or npos when `text` is valid UTF-8.
size_t FirstInvalidUtf8(std::string_view text);
// Length (1..4) of the valid UTF-8 sequence that starts at text[i] (i < text.size()), 0 when the
// bytes there are not one.
size_t Utf8SequenceLength(std::string_view text, size_t i);

}  // namespace mhub
