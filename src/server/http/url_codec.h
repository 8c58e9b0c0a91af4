// Percent-encoding, query strings and base64, as the Hub clients use them (hub-api.md 1.4, 1.5).
// Encoding and base64 are the hub library's (shared with the client); decoding lives here.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mhub/base/base64.h"
#include "mhub/base/result.h"
#include "mhub/hub/url_encode.h"

namespace mhub::server {

// Decodes %XX escapes (and '+' as a space when `plus_is_space`). InvalidArgument on a broken escape.
Result<std::string> PercentDecode(std::string_view text, bool plus_is_space = false);

// Encodes everything but unreserved characters (A-Z a-z 0-9 - . _ ~), and '/' when `keep_slash`.
using hub::UrlEncode;

// "a=1&b=x%20y&b=z" -> {{"a","1"},{"b","x y"},{"b","z"}}; undecodable pairs are kept raw.
std::vector<std::pair<std::string, std::string>> ParseQueryString(std::string_view query);

// Splits a raw path on '/', dropping the empty leading segment; segments stay percent-encoded.
std::vector<std::string> SplitRawPath(std::string_view raw_path);

// Standard base64 (RFC 4648, '=' padding; whitespace ignored). InvalidArgument on bad input.
using ::mhub::Base64Decode;
using ::mhub::Base64Encode;

}  // namespace mhub::server
