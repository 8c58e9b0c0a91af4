// Standard base64 (RFC 4648, '=' padding): inline commit contents, preupload samples, Basic auth
// and pagination cursors (hub client and server), tokenizer.json's precompiled charsmap.
#pragma once

#include <string>
#include <string_view>

#include "mhub/base/result.h"

namespace mhub {

std::string Base64Encode(std::string_view data);
// Also accepts the URL-safe alphabet ('-', '_') and ignores whitespace. InvalidArgument on any
// other character, data after '=' padding, or a truncated group.
Result<std::string> Base64Decode(std::string_view text);

}  // namespace mhub
