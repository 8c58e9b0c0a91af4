// gitignore-style pattern matching for .gitattributes (filter=lfs) and .gitignore (see
// git_patterns.h). Follows gitignore(5) and git's wildmatch with WM_PATHNAME.
#include "mhub/server/git_patterns.h"

#include <cstdint>
#include <string>
#include <unordered_set>

namespace mhub::server {
namespace {

bool ClassMatches(std::string_view cls, char c) {
  if (cls == "space") return c == ' ' || (c >= '\t' && c <= '\r');
  if (cls == "alpha") return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (cls == "digit") return c >= '0' && c <= '9';
  if (cls == "alnum") return ClassMatches("alpha", c) || ClassMatches("digit", c);
  if (cls == "upper") return c >= 'A' && c <= 'Z';
  if (cls == "lower") return c >= 'a' && c <= 'z';
  if (cls == "xdigit") return ClassMatches("digit", c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  if (cls == "punct") return c > 32 && c < 127 && !ClassMatches("alnum", c);
  if (cls == "blank") return c == ' ' || c == '\t';
  return false;
}

// Matches a bracket expression starting at p[0] == '['. Sets *consumed to its length; returns
// -1 when the bracket is not closed (then '[' is a literal), else 1 for a match, 0 for none.
int MatchBracket(std::string_view p, char c, size_t* consumed) {
  size_t i = 1;
  bool negate = false;
  if (i < p.size() && (p[i] == '!' || p[i] == '^')) {
    negate = true;
    ++i;
  }
  bool matched = false;
  bool first = true;
  while (i < p.size()) {
    char lo = p[i];
    if (lo == ']' && !first) break;
    first = false;
    if (lo == '[' && i + 1 < p.size() && p[i + 1] == ':') {
      const size_t end = p.find(":]", i + 2);
      if (end == std::string_view::npos) return -1;
      if (ClassMatches(p.substr(i + 2, end - i - 2), c)) matched = true;
      i = end + 2;
      continue;
    }
    if (lo == '\\' && i + 1 < p.size()) lo = p[++i];
    ++i;
    if (i + 1 < p.size() && p[i] == '-' && p[i + 1] != ']') {
      char hi = p[i + 1];
      i += 2;
      if (hi == '\\' && i < p.size()) hi = p[i++];
      if (c >= lo && c <= hi) matched = true;
    } else if (c == lo) {
      matched = true;
    }
  }
  if (i >= p.size()) return -1;
  *consumed = i + 1;
  if (c == '/') return 0;
  return matched != negate ? 1 : 0;
}

// wildmatch with WM_PATHNAME: '*' and '?' never cross '/', "**" between slashes spans folders.
// Failed (pattern rest, path rest) states are remembered: without that, a pattern with several
// "**/" or "*" backtracks exponentially in the path's depth and length (a 297-byte fuzzer input
// took seconds), and .gitattributes comes from a pushed repo. With it, each state is tried once.
class Wildmatch {
 public:
  Wildmatch(std::string_view pattern, std::string_view path) : p_size_(pattern.size()), s_size_(path.size()) {}

  // `p` and `s` are suffixes of the pattern and path given to the constructor.
  bool Match(std::string_view p, std::string_view s, bool at_segment_start) {
    const uint64_t key = ((static_cast<uint64_t>(p_size_ - p.size()) * (s_size_ + 1) + (s_size_ - s.size())) << 1) |
                         (at_segment_start ? 1 : 0);
    if (failed_.count(key) != 0) return false;
    const bool matched = Wild(p, s, at_segment_start);
    if (!matched) failed_.insert(key);
    return matched;
  }

 private:
  bool Wild(std::string_view p, std::string_view s, bool at_segment_start);

  const size_t p_size_;
  const size_t s_size_;
  std::unordered_set<uint64_t> failed_;
};

bool Wildmatch::Wild(std::string_view p, std::string_view s, bool at_segment_start) {
  while (!p.empty()) {
    const char pc = p[0];
    if (pc == '*') {
      if (p.size() >= 2 && p[1] == '*' && at_segment_start && (p.size() == 2 || p[2] == '/')) {
        if (p.size() == 2) return true;  // trailing "**": everything below
        // "**/": zero or more whole folders.
        std::string_view rest = p.substr(3);
        if (Match(rest, s, true)) return true;
        for (size_t i = 0; i < s.size(); ++i) {
          if (s[i] == '/' && Match(rest, s.substr(i + 1), true)) return true;
        }
        return false;
      }
      size_t stars = 0;
      while (stars < p.size() && p[stars] == '*') ++stars;
      std::string_view rest = p.substr(stars);
      for (size_t i = 0;; ++i) {
        if (Match(rest, s.substr(i), false)) return true;
        if (i >= s.size() || s[i] == '/') return false;
      }
    }
    if (s.empty()) return false;
    if (pc == '?') {
      if (s[0] == '/') return false;
      p.remove_prefix(1);
    } else if (pc == '[') {
      size_t consumed = 0;
      const int r = MatchBracket(p, s[0], &consumed);
      if (r == 0) return false;
      if (r < 0) {
        if (s[0] != '[') return false;
        p.remove_prefix(1);
      } else {
        p.remove_prefix(consumed);
      }
    } else {
      char lit = pc;
      if (pc == '\\' && p.size() >= 2) {
        lit = p[1];
        p.remove_prefix(1);
      }
      if (s[0] != lit) return false;
      p.remove_prefix(1);
    }
    at_segment_start = s[0] == '/';
    s.remove_prefix(1);
  }
  return s.empty();
}

std::string_view Basename(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// Removes unescaped trailing spaces (gitignore(5)).
std::string_view TrimTrailingSpaces(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    if (s.size() >= 2 && s[s.size() - 2] == '\\') break;
    s.remove_suffix(1);
  }
  return s;
}

std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// C-style unquoting of a "quoted" attribute pattern; returns the raw text on any oddity.
std::string UnquoteC(std::string_view q, size_t* consumed) {
  std::string out;
  size_t i = 1;
  while (i < q.size() && q[i] != '"') {
    if (q[i] == '\\' && i + 1 < q.size()) {
      const char e = q[i + 1];
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        default:
          out += e;
          break;
      }
      i += 2;
    } else {
      out += q[i++];
    }
  }
  *consumed = i < q.size() ? i + 1 : q.size();
  return out;
}

}  // namespace

bool GitPatternMatches(std::string_view pattern, std::string_view path, bool is_dir) {
  if (pattern.empty()) return false;
  if (pattern.back() == '/') {
    if (!is_dir) return false;
    pattern.remove_suffix(1);
    if (pattern.empty()) return false;
  }
  bool anchored = pattern.find('/') != std::string_view::npos;
  if (pattern.front() == '/') pattern.remove_prefix(1);
  const std::string_view subject = anchored ? path : Basename(path);
  return Wildmatch(pattern, subject).Match(pattern, subject, true);
}

GitAttributes::GitAttributes(std::string_view text) {
  for (std::string_view line : Lines(text)) {
    line = TrimLeft(line);
    if (line.empty() || line.front() == '#') continue;
    std::string pattern;
    size_t pos = 0;
    if (line.front() == '"') {
      pattern = UnquoteC(line, &pos);
    } else {
      while (pos < line.size() && line[pos] != ' ' && line[pos] != '\t' && line[pos] != '\r') ++pos;
      pattern = std::string(line.substr(0, pos));
    }
    if (pattern.empty() || pattern.rfind("[attr]", 0) == 0 || pattern.front() == '!') continue;
    std::string_view attrs = line.substr(pos);
    bool mentions = false, lfs = false;
    while (!attrs.empty()) {
      attrs = TrimLeft(attrs);
      size_t end = 0;
      while (end < attrs.size() && attrs[end] != ' ' && attrs[end] != '\t' && attrs[end] != '\r') ++end;
      const std::string_view attr = attrs.substr(0, end);
      attrs.remove_prefix(end);
      while (!attrs.empty() && attrs.front() == '\r') attrs.remove_prefix(1);
      if (attr == "-filter" || attr == "!filter" || attr == "filter") {
        mentions = true;
        lfs = false;
      } else if (attr.rfind("filter=", 0) == 0) {
        mentions = true;
        lfs = attr == "filter=lfs";
      }
    }
    if (mentions) rules_.push_back(Rule{std::move(pattern), lfs});
  }
}

bool GitAttributes::IsLfs(std::string_view path) const {
  for (auto it = rules_.rbegin(); it != rules_.rend(); ++it) {
    // Attribute patterns ending in '/' never match (git: "not supported").
    if (!it->pattern.empty() && it->pattern.back() == '/') continue;
    if (GitPatternMatches(it->pattern, path, false)) return it->lfs;
  }
  return false;
}

GitIgnore::GitIgnore(std::string_view text) {
  for (std::string_view line : Lines(text)) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    line = TrimTrailingSpaces(line);
    if (line.empty()) continue;
    Rule rule;
    if (line.front() == '!') {
      rule.negate = true;
      line.remove_prefix(1);
    } else if (line.front() == '\\' && line.size() > 1 && (line[1] == '!' || line[1] == '#')) {
      line.remove_prefix(1);
    }
    if (line.empty()) continue;
    rule.pattern = std::string(line);
    rule.dir_only = rule.pattern.back() == '/';
    rules_.push_back(std::move(rule));
  }
}

bool GitIgnore::MatchOne(std::string_view path, bool is_dir, bool* ignored) const {
  for (auto it = rules_.rbegin(); it != rules_.rend(); ++it) {
    if (GitPatternMatches(it->pattern, path, is_dir)) {
      *ignored = !it->negate;
      return true;
    }
  }
  return false;
}

bool GitIgnore::IsIgnored(std::string_view path) const {
  // A folder that is ignored hides everything below it; files inside cannot be re-included.
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '/') continue;
    bool ignored = false;
    if (MatchOne(path.substr(0, i), true, &ignored) && ignored) return true;
  }
  bool ignored = false;
  return MatchOne(path, false, &ignored) && ignored;
}

std::string DefaultGitAttributes(bool dataset) {
  static const char* const kModelPatterns[] = {"*.7z",      "*.arrow",       "*.bin",
                                               "*.bz2",     "*.ckpt",        "*.ftz",
                                               "*.gguf",    "*.gz",          "*.h5",
                                               "*.joblib",  "*.lfs.*",       "*.mlmodel",
                                               "*.model",   "*.msgpack",     "*.npy",
                                               "*.npz",     "*.onnx",        "*.ot",
                                               "*.parquet", "*.pb",          "*.pickle",
                                               "*.pkl",     "*.pt",          "*.pth",
                                               "*.rar",     "*.safetensors", "saved_model/**/*",
                                               "*.tar.*",   "*.tar",         "*.tflite",
                                               "*.tgz",     "*.wasm",        "*.xz",
                                               "*.zip",     "*.zst",         "*tfevents*"};
  static const char* const kDatasetExtra[] = {"*.lz4", "*.mds",  "*.pcm",  "*.sam", "*.raw", "*.aac", "*.flac",
                                              "*.mp3", "*.ogg",  "*.wav",  "*.bmp", "*.gif", "*.png", "*.tiff",
                                              "*.jpg", "*.jpeg", "*.webp", "*.mp4", "*.webm"};
  std::string out;
  for (const char* p : kModelPatterns) out += std::string(p) + " filter=lfs diff=lfs merge=lfs -text\n";
  if (dataset) {
    for (const char* p : kDatasetExtra) out += std::string(p) + " filter=lfs diff=lfs merge=lfs -text\n";
  }
  return out;
}

std::string GitAttributesLfsLine(std::string_view path) {
  std::string pattern;
  if (!path.empty() && (path.front() == '#' || path.front() == '!' || path.front() == '"')) pattern += '\\';
  for (char c : path) {
    if (c == ' ') {
      pattern += "[[:space:]]";
    } else if (c == '*' || c == '?' || c == '[' || c == '\\' || c == ']') {
      pattern += '\\';
      pattern += c;
    } else {
      pattern += c;
    }
  }
  // A path without '/' would match the same name in every folder; anchor it to the root.
  if (path.find('/') == std::string_view::npos) pattern = "/" + pattern;
  return pattern + " filter=lfs diff=lfs merge=lfs -text";
}

}  // namespace mhub::server
