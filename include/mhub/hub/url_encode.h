// Percent-encoding of URL path segments and query values (RFC 3986), as the hub client builds
// request URLs and the server builds Link headers, cursors and Content-Disposition filenames.
#pragma once

#include <string>
#include <string_view>

namespace mhub::hub {

// Percent-encodes (upper-case hex) every byte except the unreserved characters A-Z a-z 0-9
// '-' '.' '_' '~', and '/' when `keep_slash`.
std::string UrlEncode(std::string_view s, bool keep_slash = false);

}  // namespace mhub::hub
