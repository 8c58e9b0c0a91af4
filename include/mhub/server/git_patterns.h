// The parts of .gitattributes and .gitignore the Hub acts on, matched like git does
// (gitignore(5) patterns: '*', '?', '[...]', leading '/', "**/", "/**", "/**/", basename matching
// for patterns without '/', negation '!' in .gitignore, directory-only patterns ending in '/').
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mhub::server {

// True when `path` (a normalized repo path, "a/b/c.bin") matches one gitignore-style `pattern`.
// `is_dir` says whether `path` names a directory (for patterns ending in '/').
bool GitPatternMatches(std::string_view pattern, std::string_view path, bool is_dir = false);

// The `filter=lfs` attribute of a .gitattributes file (last matching line wins, `-filter`,
// `!filter` and `filter=other` unset it, macros like `binary` are ignored).
class GitAttributes {
 public:
  GitAttributes() = default;
  explicit GitAttributes(std::string_view text);
  // True when the last line that mentions `filter` for `path` says `filter=lfs`.
  bool IsLfs(std::string_view path) const;

 private:
  struct Rule {
    std::string pattern;
    bool lfs = false;
  };
  std::vector<Rule> rules_;
};

// A .gitignore file at the repo root.
class GitIgnore {
 public:
  GitIgnore() = default;
  explicit GitIgnore(std::string_view text);
  // True when `path` (a file) or any folder above it is ignored.
  bool IsIgnored(std::string_view path) const;

 private:
  struct Rule {
    std::string pattern;
    bool negate = false;
    bool dir_only = false;
  };
  bool MatchOne(std::string_view path, bool is_dir, bool* ignored) const;
  std::vector<Rule> rules_;
};

// The .gitattributes the Hub writes into every new repo (LFS for *.safetensors, *.bin, *.onnx,
// *.gguf, *.pt, *.h5, archives, ...), modelled on the one huggingface.co creates for that type
// (datasets add audio, image and data formats).
std::string DefaultGitAttributes(bool dataset);

// The `.gitattributes` line that tracks one exact path with LFS ("path filter=lfs diff=lfs
// merge=lfs -text"), with spaces and special characters escaped so the line matches only `path`.
std::string GitAttributesLfsLine(std::string_view path);

}  // namespace mhub::server
