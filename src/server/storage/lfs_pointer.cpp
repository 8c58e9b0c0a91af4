// Git LFS pointer text (see lfs_pointer.h).
#include "mhub/server/lfs_pointer.h"

#include <charconv>
#include <string>
#include <vector>

namespace mhub::server {
namespace {
constexpr std::string_view kVersionLine = "version https://git-lfs.github.com/spec/v1";
constexpr size_t kMaxPointerSize = 1024;
}  // namespace

bool IsSha256Hex(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string FormatLfsPointer(const LfsPointer& pointer) {
  if (pointer.size == 0) return "";  // git-lfs stores an empty file as an empty blob
  return std::string(kVersionLine) + "\noid sha256:" + pointer.oid + "\nsize " + std::to_string(pointer.size) + "\n";
}

Result<LfsPointer> ParseLfsPointer(std::string_view blob) {
  auto no = [](const std::string& why) { return Status::InvalidArgument("not an LFS pointer: " + why); };
  if (blob.size() > kMaxPointerSize) return no("larger than 1024 bytes");
  if (blob.empty() || blob.back() != '\n') return no("does not end with a newline");
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < blob.size()) {
    const size_t end = blob.find('\n', start);
    lines.push_back(blob.substr(start, end - start));
    start = end + 1;
  }
  if (lines.empty() || lines[0] != kVersionLine) return no("missing version line");
  LfsPointer out;
  bool have_oid = false, have_size = false;
  std::string_view previous_key;
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    const size_t space = line.find(' ');
    if (space == std::string_view::npos || space == 0) return no("malformed line");
    const std::string_view key = line.substr(0, space);
    const std::string_view value = line.substr(space + 1);
    for (char c : key) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) return no("malformed key");
    }
    if (!previous_key.empty() && key <= previous_key) return no("keys not sorted");
    previous_key = key;
    if (key == "oid") {
      if (value.substr(0, 7) != "sha256:" || !IsSha256Hex(value.substr(7))) return no("bad oid");
      out.oid = std::string(value.substr(7));
      have_oid = true;
    } else if (key == "size") {
      if (value.empty() || value.size() > 20 || (value.size() > 1 && value[0] == '0')) return no("bad size");
      uint64_t size = 0;
      const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), size);
      if (ec != std::errc() || ptr != value.data() + value.size()) return no("bad size");
      out.size = size;
      have_size = true;
    } else if (key.substr(0, 4) != "ext-") {
      return no("unknown key");
    }
  }
  if (!have_oid || !have_size) return no("missing oid or size");
  return out;
}

}  // namespace mhub::server
