// git's fsck rules (see git_fsck_rules.h). Written from git's behaviour (fsck.c, path.c, utf8.c,
// config.c of git 2.39) and checked against `git fsck --strict` in tests/server/git_fsck_rules_test.
#include "server/storage/git_fsck_rules.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mhub::server::fsck {
namespace {

// Reads like git's C strings: past the end is NUL.
char At(std::string_view s, size_t i) { return i < s.size() ? s[i] : '\0'; }

char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsXplatformDirSep(char c) { return c == '/' || c == '\\'; }

// git's sane_ctype isspace: space, \t, \n, \r (not \v or \f).
bool GitIsSpace(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool GitIsAlpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool GitIsKeyChar(int c) { return GitIsAlpha(c) || (c >= '0' && c <= '9') || c == '-'; }

std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
    if (out.size() > 200) return out + "...";
  }
  return out;
}

Status Broken(std::string_view rule, const std::string& what) {
  return Status::InvalidArgument(what + " (git fsck: " + std::string(rule) + ")");
}

// One code point from s[*pos], as git's pick_one_utf8_char: 0 and *pos = npos when malformed
// (overlongs, surrogates, U+FFFE/U+FFFF and code points past U+10FFFF are malformed).
uint32_t PickUtf8(std::string_view s, size_t* pos) {
  const size_t i = *pos;
  const auto b = [&](size_t k) { return static_cast<unsigned char>(At(s, i + k)); };
  const unsigned char c = b(0);
  uint32_t ch = 0;
  size_t len = 0;
  if (c < 0x80) {
    ch = c;
    len = 1;
  } else if ((c & 0xE0) == 0xC0) {
    if ((b(1) & 0xC0) != 0x80 || (c & 0xFE) == 0xC0) {
      *pos = std::string_view::npos;
      return 0;
    }
    ch = ((c & 0x1Fu) << 6) | (b(1) & 0x3Fu);
    len = 2;
  } else if ((c & 0xF0) == 0xE0) {
    if ((b(1) & 0xC0) != 0x80 || (b(2) & 0xC0) != 0x80 || (c == 0xE0 && (b(1) & 0xE0) == 0x80) ||
        (c == 0xED && (b(1) & 0xE0) == 0xA0) || (c == 0xEF && b(1) == 0xBF && (b(2) & 0xFE) == 0xBE)) {
      *pos = std::string_view::npos;
      return 0;
    }
    ch = ((c & 0x0Fu) << 12) | ((b(1) & 0x3Fu) << 6) | (b(2) & 0x3Fu);
    len = 3;
  } else if ((c & 0xF8) == 0xF0) {
    if ((b(1) & 0xC0) != 0x80 || (b(2) & 0xC0) != 0x80 || (b(3) & 0xC0) != 0x80 ||
        (c == 0xF0 && (b(1) & 0xF0) == 0x80) || (c == 0xF4 && b(1) > 0x8F) || c > 0xF4) {
      *pos = std::string_view::npos;
      return 0;
    }
    ch = ((c & 0x07u) << 18) | ((b(1) & 0x3Fu) << 12) | ((b(2) & 0x3Fu) << 6) | (b(3) & 0x3Fu);
    len = 4;
  } else {
    *pos = std::string_view::npos;
    return 0;
  }
  *pos = i + len;
  return ch;
}

// The next code point HFS+ does not ignore; 0 at the end or on malformed UTF-8.
uint32_t NextHfsChar(std::string_view s, size_t* pos) {
  for (;;) {
    if (*pos == std::string_view::npos) return 0;
    const uint32_t cp = PickUtf8(s, pos);
    if (*pos == std::string_view::npos) return 0;
    switch (cp) {
      case 0x200C:
      case 0x200D:
      case 0x200E:
      case 0x200F:  // zero-width (non-)joiner, marks
      case 0x202A:
      case 0x202B:
      case 0x202C:
      case 0x202D:
      case 0x202E:  // bidi embeddings
      case 0x206A:
      case 0x206B:
      case 0x206C:
      case 0x206D:
      case 0x206E:
      case 0x206F:  // deprecated formats
      case 0xFEFF:  // zero-width no-break space
        continue;
      default:
        return cp;
    }
  }
}

// Only spaces and dots until the end or a ':' (NTFS drops trailing ones; ':' starts a stream).
bool OnlySpacesAndPeriods(std::string_view name, size_t i) {
  for (;;) {
    const char c = At(name, i++);
    if (c == '\0' || c == ':') return true;
    if (c != ' ' && c != '.') return false;
  }
}

bool StartsWithIgnoreCase(std::string_view s, size_t at, std::string_view lower) {
  for (size_t k = 0; k < lower.size(); ++k) {
    if (LowerAscii(At(s, at + k)) != lower[k]) return false;
  }
  return true;
}

// ---- git's config syntax, as much as .gitmodules needs (config.c git_parse_source) ----

class ConfigReader {
 public:
  explicit ConfigReader(std::string_view text) : text_(text) {}

  // Calls `fn(name, value)` per entry (value nullopt for a bare key) until the end or the first
  // syntax error; returns false on a syntax error.
  template <typename Fn>
  bool Parse(Fn&& fn) {
    bool comment = false;
    std::string var;
    size_t baselen = 0;
    for (;;) {
      int c = Next();
      if (c == '\n') {
        if (eof_) return true;
        comment = false;
        continue;
      }
      if (comment || GitIsSpace(c)) continue;
      if (c == '#' || c == ';') {
        comment = true;
        continue;
      }
      if (c == '[') {
        var.clear();
        if (!BaseVar(&var) || var.empty()) return false;
        var += '.';
        baselen = var.size();
        continue;
      }
      if (!GitIsAlpha(c)) return false;
      var.resize(baselen);
      var += LowerAscii(static_cast<char>(c));
      // The key.
      for (;;) {
        c = Next();
        if (eof_ || !GitIsKeyChar(c)) break;
        var += LowerAscii(static_cast<char>(c));
      }
      while (c == ' ' || c == '\t') c = Next();
      std::optional<std::string> value;
      if (c != '\n') {
        if (c != '=') return false;
        value = Value();
        if (!value) return false;
      }
      fn(var, value);
    }
  }

 private:
  // git reads a blob's bytes as (signed) char: byte 0xFF is EOF to it, and a UTF-8 BOM is not
  // skipped (its first byte is then a syntax error), unlike in config files.
  int Next() {
    if (pos_ >= text_.size() || static_cast<unsigned char>(text_[pos_]) == 0xFF) {
      if (pos_ < text_.size()) ++pos_;
      eof_ = true;
      return '\n';
    }
    int c = static_cast<unsigned char>(text_[pos_++]);
    if (c == '\r' && pos_ < text_.size()) {
      const auto next = static_cast<unsigned char>(text_[pos_]);
      if (next == '\n') {
        ++pos_;
        c = '\n';
      } else if (next == 0xFF) {
        ++pos_;  // git reads the EOF here and drops it
      }
    }
    return c;
  }

  std::optional<std::string> Value() {
    std::string out;
    bool quote = false, comment = false;
    size_t space = 0;
    for (;;) {
      int c = Next();
      if (c == '\n') {
        if (quote) return std::nullopt;
        return out;
      }
      if (comment) continue;
      if (GitIsSpace(c) && !quote) {
        if (!out.empty()) ++space;
        continue;
      }
      if (!quote && (c == ';' || c == '#')) {
        comment = true;
        continue;
      }
      out.append(space, ' ');
      space = 0;
      if (c == '\\') {
        c = Next();
        switch (c) {
          case '\n':
            continue;
          case 't':
            c = '\t';
            break;
          case 'b':
            c = '\b';
            break;
          case 'n':
            c = '\n';
            break;
          case '\\':
          case '"':
            break;
          default:
            return std::nullopt;
        }
        out += static_cast<char>(c);
        continue;
      }
      if (c == '"') {
        quote = !quote;
        continue;
      }
      out += static_cast<char>(c);
    }
  }

  bool BaseVar(std::string* name) {
    for (;;) {
      int c = Next();
      if (eof_) return false;
      if (c == ']') return true;
      if (GitIsSpace(c)) return ExtendedBaseVar(name, c);
      if (!GitIsKeyChar(c) && c != '.') return false;
      *name += LowerAscii(static_cast<char>(c));
    }
  }

  // [section "subsection"]: the subsection keeps its case; '\' escapes the next character.
  bool ExtendedBaseVar(std::string* name, int c) {
    do {
      if (c == '\n') return false;
      c = Next();
    } while (GitIsSpace(c));
    if (c != '"') return false;
    *name += '.';
    for (;;) {
      c = Next();
      if (c == '\n') return false;
      if (c == '"') break;
      if (c == '\\') {
        c = Next();
        if (c == '\n') return false;
      }
      *name += static_cast<char>(c);
    }
    return Next() == ']';
  }

  std::string_view text_;
  size_t pos_ = 0;
  bool eof_ = false;
};

// C-string view of a config value (git hands values to callbacks as NUL-terminated strings).
std::string_view CStr(const std::string& s) {
  const size_t nul = s.find('\0');
  return nul == std::string::npos ? std::string_view(s) : std::string_view(s).substr(0, nul);
}

bool CheckSubmoduleName(std::string_view name) {
  if (name.empty()) return false;
  // ".." as a component, with '/' or '\' as separators on every platform.
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i != 0 && !IsXplatformDirSep(name[i - 1])) continue;
    if (At(name, i) == '.' && At(name, i + 1) == '.' && (i + 2 >= name.size() || IsXplatformDirSep(name[i + 2]))) {
      return false;
    }
  }
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// git's url_decode_mem: %XX decoded (not %00), the part up to the first ':' kept as is.
std::string UrlDecode(std::string_view s) {
  std::string out;
  size_t i = 0;
  const size_t colon = s.find(':');
  if (colon != std::string_view::npos && colon > 0) {
    out.append(s.substr(0, colon));
    i = colon;
  }
  while (i < s.size() && s[i] != '\0') {
    if (s[i] == '%' && s.size() - i >= 3) {
      const int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
      const int val = hi < 0 || lo < 0 ? -1 : (hi << 4) | lo;
      if (val > 0) {
        out += static_cast<char>(val);
        i += 3;
        continue;
      }
    }
    out += s[i++];
  }
  return out;
}

bool StartsWithDotSlash(std::string_view s) { return At(s, 0) == '.' && IsXplatformDirSep(At(s, 1)); }
bool StartsWithDotDotSlash(std::string_view s) {
  return At(s, 0) == '.' && At(s, 1) == '.' && IsXplatformDirSep(At(s, 2));
}

// credential_from_url_gently(quiet): false when the URL has no scheme, or any part of it
// (user, password, protocol, host, path) decodes to a string with a newline, or the host is empty.
bool CredentialUrlOk(std::string_view url) {
  const size_t proto_end = url.find("://");
  if (proto_end == std::string_view::npos || proto_end == 0) return false;
  const size_t cp = proto_end + 3;
  const size_t at = url.find('@', cp);
  const size_t colon = url.find(':', cp);
  size_t slash = url.find_first_of("/?#", cp);
  if (slash == std::string_view::npos) slash = url.size();
  std::vector<std::string> parts;
  size_t host = cp;
  if (at == std::string_view::npos || slash <= at) {
    host = cp;
  } else if (colon == std::string_view::npos || at <= colon) {
    parts.push_back(UrlDecode(url.substr(cp, at - cp)));
    host = at + 1;
  } else {
    parts.push_back(UrlDecode(url.substr(cp, colon - cp)));
    parts.push_back(UrlDecode(url.substr(colon + 1, at - colon - 1)));
    host = at + 1;
  }
  parts.push_back(std::string(url.substr(0, proto_end)));
  const std::string host_text = UrlDecode(url.substr(host, slash - host));
  parts.push_back(host_text);
  size_t path = slash;
  while (path < url.size() && url[path] == '/') ++path;
  if (path < url.size()) parts.push_back(UrlDecode(url.substr(path)));
  for (const std::string& p : parts) {
    if (CStr(p).find('\n') != std::string_view::npos) return false;
  }
  return !CStr(host_text).empty();
}

// check_submodule_url in git's fsck.c.
bool CheckSubmoduleUrl(std::string_view url) {
  if (!url.empty() && url[0] == '-') return false;
  const bool relative = StartsWithDotSlash(url) || StartsWithDotDotSlash(url);
  if (relative || url.rfind("git://", 0) == 0) {
    if (CStr(UrlDecode(url)).find('\n') != std::string_view::npos) return false;
    // Leading "./" and "../": climbing out of the superproject URL onto its host.
    size_t i = 0;
    int dotdots = 0;
    for (;;) {
      if (StartsWithDotDotSlash(url.substr(i))) {
        ++dotdots;
        i += 3;
      } else if (StartsWithDotSlash(url.substr(i))) {
        i += 2;
      } else {
        break;
      }
    }
    if (dotdots > 0 && (At(url, i) == ':' || At(url, i) == '/')) return false;
    return true;
  }
  std::string_view curl_url;
  for (std::string_view p : {"http::", "https::", "ftp::", "ftps::"}) {
    if (url.rfind(p, 0) == 0) {
      curl_url = url.substr(p.size());
      return CredentialUrlOk(curl_url);
    }
  }
  for (std::string_view p : {"http://", "https://", "ftp://", "ftps://"}) {
    if (url.rfind(p, 0) == 0) return CredentialUrlOk(url);
  }
  return true;
}

}  // namespace

bool IsHfsDotName(std::string_view name, std::string_view needle) {
  size_t pos = 0;
  if (NextHfsChar(name, &pos) != '.') return false;
  for (char want : needle) {
    const uint32_t c = NextHfsChar(name, &pos);
    if (c > 127 || LowerAscii(static_cast<char>(c)) != want) return false;
  }
  const uint32_t c = NextHfsChar(name, &pos);
  return c == 0 || c == '/';
}

bool IsNtfsDotGit(std::string_view name) {
  size_t i = 0;
  const char c = At(name, i++);
  if (c == '.') {
    if (!StartsWithIgnoreCase(name, i, "git")) return false;
    i += 3;
  } else if (c == 'g' || c == 'G') {
    if (!StartsWithIgnoreCase(name, i, "it") || At(name, i + 2) != '~' || At(name, i + 3) != '1') return false;
    i += 4;
  } else {
    return false;
  }
  for (;;) {
    const char d = At(name, i++);
    if (d == '\0' || IsXplatformDirSep(d) || d == ':') return true;
    if (d != '.' && d != ' ') return false;
  }
}

bool IsNtfsDotName(std::string_view name, std::string_view needle, std::string_view short_prefix) {
  if (At(name, 0) == '.' && StartsWithIgnoreCase(name, 1, needle)) {
    return OnlySpacesAndPeriods(name, needle.size() + 1);
  }
  // The regular 8.3 short name: the first six characters, then ~1..~4.
  if (StartsWithIgnoreCase(name, 0, needle.substr(0, 6)) && At(name, 6) == '~' && At(name, 7) >= '1' &&
      At(name, 7) <= '4') {
    return OnlySpacesAndPeriods(name, 8);
  }
  // The fall-back short name: a hash-derived prefix, then ~N (N up to 8 characters in all).
  bool saw_tilde = false;
  for (size_t i = 0; i < 8; ++i) {
    const char c = At(name, i);
    if (c == '\0') return false;
    if (saw_tilde) {
      if (c < '0' || c > '9') return false;
    } else if (c == '~') {
      ++i;
      if (At(name, i) < '1' || At(name, i) > '9') return false;
      saw_tilde = true;
    } else if (i >= 6) {
      return false;
    } else if (static_cast<unsigned char>(c) & 0x80) {
      return false;
    } else if (LowerAscii(c) != short_prefix[i]) {
      return false;
    }
  }
  return OnlySpacesAndPeriods(name, 8);
}

bool IsGitmodulesName(std::string_view name) {
  return IsHfsDotName(name, "gitmodules") || IsNtfsDotName(name, "gitmodules", "gi7eba");
}

bool IsGitattributesName(std::string_view name) {
  return IsHfsDotName(name, "gitattributes") || IsNtfsDotName(name, "gitattributes", "gi7d29");
}

Status CheckTreeEntryName(std::string_view name) {
  const std::string shown = "'" + Printable(name) + "'";
  if (name.empty()) return Broken("emptyName", "an empty file or folder name");
  if (name == ".") return Broken("hasDot", "the name '.'");
  if (name == "..") return Broken("hasDotdot", "the name '..'");
  if (name.find('/') != std::string_view::npos) return Broken("fullPathname", "the name " + shown + " contains '/'");
  bool dotgit = IsHfsDotName(name, "git") || IsNtfsDotGit(name);
  // NTFS also reads '\' as a separator: each part after one is a name of its own.
  for (size_t b = name.find('\\'); !dotgit && b != std::string_view::npos; b = name.find('\\', b + 1)) {
    dotgit = IsNtfsDotGit(name.substr(b + 1));
  }
  if (dotgit) return Broken("hasDotgit", "the name " + shown + " is read as '.git' by some file systems");
  return Status::OK();
}

Status CheckGitmodules(std::string_view content) {
  Status first = Status::OK();
  auto report = [&](std::string_view rule, const std::string& what) {
    if (first.ok()) first = Broken(rule, ".gitmodules: " + what);
  };
  ConfigReader reader(content);
  // A syntax error is git's gitmodulesParse, an info message it does not refuse; what came
  // before the error was still checked.
  (void)reader.Parse([&](const std::string& var, const std::optional<std::string>& value) {
    static constexpr std::string_view kSection = "submodule.";
    if (var.rfind(kSection, 0) != 0) return;
    const std::string_view rest = std::string_view(var).substr(kSection.size());
    const size_t dot = rest.rfind('.');
    if (dot == std::string_view::npos) return;  // no subsection
    const std::string name_text(rest.substr(0, dot));
    const std::string_view name = CStr(name_text);
    const std::string_view key = rest.substr(dot + 1);
    if (!CheckSubmoduleName(name)) report("gitmodulesName", "disallowed submodule name '" + Printable(name) + "'");
    if (!value) return;
    const std::string_view v = CStr(*value);
    if (key == "url" && !CheckSubmoduleUrl(v))
      report("gitmodulesUrl", "disallowed submodule url '" + Printable(v) + "'");
    if (key == "path" && !v.empty() && v[0] == '-') {
      report("gitmodulesPath", "disallowed submodule path '" + Printable(v) + "'");
    }
    if (key == "update" && !v.empty() && v[0] == '!' && v != "none" && v != "checkout" && v != "rebase" &&
        v != "merge") {
      report("gitmodulesUpdate", "disallowed submodule update setting '" + Printable(v) + "'");
    }
  });
  return first;
}

Status CheckGitattributes(std::string_view content) {
  static constexpr size_t kMaxFileSize = 100u << 20;
  static constexpr size_t kMaxLineLength = 2048;
  if (content.size() > kMaxFileSize) return Broken("gitattributesLarge", ".gitattributes is larger than 100 MiB");
  // git reads the blob as a C string: the check stops at a NUL.
  const std::string_view text = content.substr(0, content.find('\0'));
  size_t start = 0;
  while (start < text.size()) {
    size_t eol = text.find('\n', start);
    if (eol == std::string_view::npos) eol = text.size();
    if (eol - start >= kMaxLineLength) {
      return Broken("gitattributesLineLength", ".gitattributes has a line of 2048 bytes or more");
    }
    start = eol + 1;
  }
  return Status::OK();
}

}  // namespace mhub::server::fsck
