// Standard base64 (RFC 4648, with padding) for inline commit contents and preupload samples.
#pragma once

#include <string>
#include <string_view>

namespace mhub::hub {

std::string Base64Encode(std::string_view data);

}  // namespace mhub::hub
