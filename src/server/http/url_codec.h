// Percent-encoding, query strings and base64, as the Hub clients use them (hub-api.md 1.4, 1.5).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mhub/base/result.h"

namespace mhub::server {

// Decodes %XX escapes (and '+' as a space when `plus_is_space`). InvalidArgument on a broken escape.
Result<std::string> PercentDecode(std::string_view text, bool plus_is_space = false);

// Encodes everything but unreserved characters (A-Z a-z 0-9 - . _ ~), and '/' when `keep_slash`.
std::string PercentEncode(std::string_view text, bool keep_slash = false);

// "a=1&b=x%20y&b=z" -> {{"a","1"},{"b","x y"},{"b","z"}}; undecodable pairs are kept raw.
std::vector<std::pair<std::string, std::string>> ParseQueryString(std::string_view query);

// Splits a raw path on '/', dropping the empty leading segment; segments stay percent-encoded.
std::vector<std::string> SplitRawPath(std::string_view raw_path);

// Standard base64 (RFC 4648, '=' padding; whitespace ignored). InvalidArgument on bad input.
Result<std::string> Base64Decode(std::string_view text);
std::string Base64Encode(std::string_view data);

}  // namespace mhub::server
