// Git LFS pointer files (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md): the small text
// blob committed to git in place of a large file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "mhub/base/result.h"

namespace mhub::server {

struct LfsPointer {
  std::string oid;    // sha256 of the content, 64 lowercase hex
  uint64_t size = 0;  // content size in bytes
};

// True for exactly 64 lowercase hex characters.
bool IsSha256Hex(std::string_view text);

// "version https://git-lfs.github.com/spec/v1\noid sha256:<oid>\nsize <size>\n" — byte-identical to
// what `git lfs pointer --file` writes; like git-lfs, the empty file's "pointer" is empty text.
std::string FormatLfsPointer(const LfsPointer& pointer);

// Parses a pointer blob. InvalidArgument when `blob` is not a pointer (then it is regular content).
// Accepts what git-lfs accepts: the version line first, keys sorted, "oid sha256:<64 hex>",
// "size <decimal>", optional extra "ext-..." keys, at most 1024 bytes, '\n' line ends.
Result<LfsPointer> ParseLfsPointer(std::string_view blob);

}  // namespace mhub::server
