#include "datasets/load/data_files_glob.h"

#include <fnmatch.h>

#include <algorithm>

namespace mhub::datasets::load {
namespace {

// datasets/data_files.py FILES_TO_IGNORE.
constexpr const char* kFilesToIgnore[] = {"README.md",          "config.json",    "dataset_info.json",
                                          "dataset_infos.json", "dummy_data.zip", "dataset_dict.json"};

std::vector<std::string_view> Segments(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t slash = s.find('/', start);
    if (slash == std::string_view::npos) slash = s.size();
    std::string_view seg = s.substr(start, slash - start);
    // "./" and empty segments (a leading '/', "a//b") say nothing about the path.
    if (!seg.empty() && seg != ".") out.push_back(seg);
    start = slash + 1;
  }
  return out;
}

bool SegmentMatch(std::string_view pattern, std::string_view name) {
  // Python's glob treats '**' inside a segment ("**.csv") like '*'.
  std::string p(pattern);
  for (size_t at; (at = p.find("**")) != std::string::npos;) p.erase(at, 1);
  return ::fnmatch(p.c_str(), std::string(name).c_str(), 0) == 0;
}

bool MatchFrom(const std::vector<std::string_view>& pat, size_t pi, const std::vector<std::string_view>& path,
               size_t si) {
  if (pi == pat.size()) return si == path.size();
  if (pat[pi] == "**") {
    // fsspec's glob_translate (Python 3.13 glob.translate): a last '**' is ".*" after the '/' before
    // it, so it needs one more segment ("test_a/**" does not match the file "test_a"); elsewhere
    // "(?:.+/)?", zero or more whole segments.
    if (pi + 1 == pat.size()) return si < path.size();
    for (size_t k = si; k <= path.size(); ++k)
      if (MatchFrom(pat, pi + 1, path, k)) return true;
    return false;
  }
  if (si == path.size()) return false;
  return SegmentMatch(pat[pi], path[si]) && MatchFrom(pat, pi + 1, path, si + 1);
}

std::string_view Basename(std::string_view p) {
  size_t slash = p.rfind('/');
  return slash == std::string_view::npos ? p : p.substr(slash + 1);
}

bool IsHiddenPart(std::string_view part) {
  return !part.empty() && part[0] == '.' && part.find_first_not_of('.') != std::string_view::npos;
}

// _is_unrequested_hidden_file_or_is_inside_unrequested_hidden_dir: every hidden part of the path
// must be named by a hidden part of the pattern (they are counted, as datasets does).
bool UnrequestedHidden(const std::vector<std::string_view>& path, const std::vector<std::string_view>& pattern) {
  auto count = [](const std::vector<std::string_view>& parts) {
    return std::count_if(parts.begin(), parts.end(), IsHiddenPart);
  };
  return count(path) != count(pattern);
}

// _is_inside_unrequested_special_dir: the same count over the parent folders starting with "__".
bool UnrequestedSpecialDir(const std::vector<std::string_view>& path, const std::vector<std::string_view>& pattern) {
  auto count = [](const std::vector<std::string_view>& parts) {
    long n = 0;
    for (size_t i = 0; i + 1 < parts.size(); ++i)
      if (parts[i].substr(0, 2) == "__") ++n;
    return n;
  };
  return count(path) != count(pattern);
}

bool HasAllowedExtension(std::string_view path, const std::vector<std::string>& allowed) {
  std::string_view base = Basename(path);
  size_t dot = base.find('.');
  while (dot != std::string_view::npos) {
    size_t next = base.find('.', dot + 1);
    std::string_view suffix = base.substr(dot, next == std::string_view::npos ? std::string_view::npos : next - dot);
    if (std::find(allowed.begin(), allowed.end(), suffix) != allowed.end()) return true;
    dot = next;
  }
  return false;
}

}  // namespace

bool DataFilesGlobMatch(std::string_view pattern, std::string_view path) {
  return MatchFrom(Segments(pattern), 0, Segments(path), 0);
}

bool HasGlobMagic(std::string_view pattern) { return pattern.find_first_of("*?[]") != std::string_view::npos; }

std::vector<std::string> ResolvePattern(const std::string& pattern, const std::vector<std::string>& files,
                                        const std::vector<std::string>& allowed_extensions) {
  std::vector<std::string_view> pat = Segments(pattern);
  std::string_view pattern_base = Basename(pattern);
  std::vector<std::string> out;
  for (const auto& file : files) {
    std::vector<std::string_view> path = Segments(file);
    if (!MatchFrom(pat, 0, path, 0)) continue;
    std::string_view base = Basename(file);
    bool ignored = false;
    for (const char* name : kFilesToIgnore)
      if (base == name && pattern_base != name) ignored = true;
    if (ignored || UnrequestedSpecialDir(path, pat) || UnrequestedHidden(path, pat)) continue;
    if (!allowed_extensions.empty() && !HasAllowedExtension(file, allowed_extensions)) continue;
    out.push_back(file);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace mhub::datasets::load
