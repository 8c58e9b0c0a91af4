#include "datasets/load/split_patterns.h"

#include <algorithm>
#include <regex>
#include <set>

#include "datasets/load/builders.h"
#include "datasets/load/data_files_glob.h"

namespace mhub::datasets::load {
namespace {

// data_files.py SPLIT_PATTERN_SHARDED, SPLIT_KEYWORDS, NON_WORDS_CHARS and the fsspec >= 2023.12
// KEYWORDS_IN_{FILENAME,DIR_NAME}_BASE_PATTERNS.
constexpr const char* kShardedPattern = "data/{split}-[0-9][0-9][0-9][0-9][0-9]-of-[0-9][0-9][0-9][0-9][0-9]*.*";
const std::vector<std::pair<std::string, std::vector<std::string>>> kSplitKeywords = {
    {"train", {"train", "training"}},
    {"validation", {"validation", "valid", "dev", "val"}},
    {"test", {"test", "testing", "eval", "evaluation"}},
};
constexpr const char* kSep = "-._ 0-9";
const std::vector<std::string> kFilenameBase = {"**/{keyword}[{sep}]*", "**/*[{sep}]{keyword}[{sep}]*"};
const std::vector<std::string> kDirNameBase = {"**/{keyword}/**", "**/{keyword}[{sep}]*/**", "**/*[{sep}]{keyword}/**",
                                               "**/*[{sep}]{keyword}[{sep}]*/**"};

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size()) s.replace(at, from.size(), to);
  return s;
}

SplitPatterns KeywordPatterns(const std::vector<std::string>& bases) {
  SplitPatterns out;
  for (const auto& [split, keywords] : kSplitKeywords) {
    std::vector<std::string> patterns;
    for (const auto& kw : keywords)
      for (const auto& base : bases) patterns.push_back(Replace(Replace(base, "{keyword}", kw), "{sep}", kSep));
    out.emplace_back(split, std::move(patterns));
  }
  return out;
}

std::string Basename(const std::string& p) {
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

}  // namespace

Result<SplitPatterns> DefaultSplitPatterns(const std::vector<std::string>& files) {
  // 1. data/{split}-00000-of-00001.* (what push_to_hub writes).
  std::string sharded = Replace(kShardedPattern, "{split}", "*");
  std::vector<std::string> shards = ResolvePattern(sharded, files);
  if (!shards.empty()) {
    // string_to_dict: "(?P<split>.+)-[0-9]{5}-of-[0-9]{5}" searched in the basename; '.+' is greedy.
    static const std::regex re(R"((.+)-[0-9][0-9][0-9][0-9][0-9]-of-[0-9][0-9][0-9][0-9][0-9])");
    static const std::regex split_re(R"(^\w+(\.\w+)*$)");
    std::set<std::string> splits;
    for (const auto& f : shards) {
      std::smatch m;
      std::string base = Basename(f);
      if (std::regex_search(base, m, re)) splits.insert(m[1].str());
    }
    for (const auto& s : splits)
      if (!std::regex_match(s, split_re))
        return Status::InvalidArgument("split name should match '^\\w+(\\.\\w+)*$' but got '" + s + "' (from data/" +
                                       s + "-NNNNN-of-NNNNN files)");
    SplitPatterns out;
    for (const char* known : {"train", "validation", "test"})
      if (splits.erase(known)) out.push_back({known, {Replace(kShardedPattern, "{split}", known)}});
    for (const auto& s : splits) out.push_back({s, {Replace(kShardedPattern, "{split}", s)}});
    return out;
  }
  // 2. logs, 3. split keyword as a folder, 4. in the file name, 5. everything -> train.
  std::vector<SplitPatterns> rules = {
      {{"logs", {"**/*.eval"}}}, KeywordPatterns(kDirNameBase), KeywordPatterns(kFilenameBase), {{"train", {"**"}}}};
  for (const auto& rule : rules) {
    SplitPatterns non_empty;
    for (const auto& [split, patterns] : rule) {
      for (const auto& p : patterns) {
        if (!ResolvePattern(p, files).empty()) {
          non_empty.emplace_back(split, patterns);
          break;
        }
      }
    }
    if (!non_empty.empty()) return non_empty;
  }
  return Status::NotFound("no data files found (the folder or repo holds no file datasets would load)");
}

Result<std::vector<std::pair<std::string, std::vector<std::string>>>> ResolveSplitPatterns(
    const SplitPatterns& patterns, const std::vector<std::string>& files) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (const auto& [split, split_patterns] : patterns) {
    std::vector<std::string> matched;
    for (const auto& p : split_patterns) {
      std::vector<std::string> m = ResolvePattern(p, files, AllowedExtensions());
      if (m.empty() && !HasGlobMagic(p))
        return Status::NotFound("unable to find '" + p + "' (split '" + split + "') with any supported extension");
      matched.insert(matched.end(), m.begin(), m.end());
    }
    out.emplace_back(split, std::move(matched));
  }
  return out;
}

}  // namespace mhub::datasets::load
