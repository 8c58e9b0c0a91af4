// The git blob id of some bytes: sha1 of "blob <size>\0" + bytes. The hub reports regular (not
// LFS) files by it in preupload answers, tree listings and ETags, so the client compares with it.
#pragma once

#include <string>
#include <string_view>

#include "mhub/base/result.h"

namespace mhub::hub {

std::string GitBlobOid(std::string_view bytes);
// Streams the file in 1 MiB blocks.
Result<std::string> GitBlobOidOfFile(const std::string& path);

}  // namespace mhub::hub
