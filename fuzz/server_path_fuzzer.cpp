// Fuzzes the parsers of client-supplied names: repo file paths, repo ids, ref names, gitignore
// patterns and LFS pointers. Beyond "no crash", it checks the normalizer's promises: the result
// never escapes the repo and normalizing twice changes nothing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "mhub/server/git_patterns.h"
#include "mhub/server/lfs_pointer.h"
#include "mhub/server/repo_path.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

void CheckNormalized(const std::string& p) {
  Check(p.empty() || (p.front() != '/' && p.back() != '/'));
  Check(p.find('\\') == std::string::npos && p.find('\0') == std::string::npos);
  Check(p.find("//") == std::string::npos);
  size_t start = 0;
  while (start <= p.size() && !p.empty()) {
    size_t end = p.find('/', start);
    if (end == std::string::npos) end = p.size();
    const std::string seg = p.substr(start, end - start);
    Check(seg != ".." && seg != "." && !seg.empty());
    Check(!(seg.size() == 4 && (seg[1] | 0x20) == 'g' && (seg[2] | 0x20) == 'i' && (seg[3] | 0x20) == 't' &&
            seg[0] == '.'));
    start = end + 1;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  using namespace mhub::server;
  if (auto file = NormalizeRepoFilePath(input); file.ok()) {
    CheckNormalized(*file);
    Check(!file->empty());
    auto again = NormalizeRepoFilePath(*file);
    Check(again.ok() && *again == *file);
  }
  if (auto folder = NormalizeRepoFolderPath(input); folder.ok()) {
    CheckNormalized(*folder);
    auto again = NormalizeRepoFolderPath(*folder);
    Check(again.ok() && *again == *folder);
  }
  if (auto id = ParseRepoId(input); id.ok()) {
    Check(id->ToString() == input);
    Check(ValidateRepoIdPart(id->ns, "ns").ok() && ValidateRepoIdPart(id->name, "name").ok());
  }
  (void)ValidateRefName(input);
  (void)ParseRepoType(input);
  // Split the input into a pattern and a path at the first newline.
  const size_t nl = input.find('\n');
  const std::string_view pattern = input.substr(0, nl);
  const std::string_view path = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
  (void)GitPatternMatches(pattern, path, false);
  (void)GitPatternMatches(pattern, path, true);
  (void)GitAttributes(input).IsLfs(path);
  (void)GitIgnore(input).IsIgnored(path);
  if (auto pointer = ParseLfsPointer(input); pointer.ok()) {
    Check(IsSha256Hex(pointer->oid));
    auto again = ParseLfsPointer(FormatLfsPointer(*pointer));
    Check(pointer->size == 0 || (again.ok() && again->oid == pointer->oid && again->size == pointer->size));
  }
  return 0;
}
