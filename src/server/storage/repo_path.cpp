// Repo types, ids and the one file-path normalizer (see repo_path.h for the contract).
#include "mhub/server/repo_path.h"

#include "mhub/base/utf8.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/storage/git_fsck_rules.h"

namespace mhub::server {
namespace {

constexpr size_t kMaxIdPartLength = 96;
constexpr size_t kMaxPathLength = 4096;
constexpr size_t kMaxSegmentLength = 255;

bool IsAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool IsIdChar(char c) { return IsAlnum(c) || c == '.' || c == '_' || c == '-'; }

bool IsValidUtf8(std::string_view s) { return FirstInvalidUtf8(s) == std::string_view::npos; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string Quoted(std::string_view s) {
  std::string out = "'";
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
    if (out.size() > 200) {
      out += "...";
      break;
    }
  }
  return out + "'";
}

// Splits on '/', drops empty and "." segments, refuses the rest of the bad cases.
Result<std::string> Normalize(std::string_view path, bool folder) {
  if (path.size() > kMaxPathLength) return Status::InvalidArgument("path is longer than 4096 bytes");
  for (char c : path) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return Status::InvalidArgument("path " + Quoted(path) + " contains a control character");
    if (c == '\\') return Status::InvalidArgument("path " + Quoted(path) + " contains a backslash");
  }
  if (!IsValidUtf8(path)) return Status::InvalidArgument("path " + Quoted(path) + " is not valid UTF-8");
  if (!folder) {
    if (path.empty()) return Status::InvalidArgument("path is empty");
    if (path.front() == '/') return Status::InvalidArgument("path " + Quoted(path) + " must be relative");
    if (path.back() == '/') return Status::InvalidArgument("path " + Quoted(path) + " must not end with '/'");
  } else if (path.size() > 1 && path.front() == '/') {
    return Status::InvalidArgument("path " + Quoted(path) + " must be relative");
  }
  std::string out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(start, end - start);
    start = end + 1;
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") return Status::InvalidArgument("path " + Quoted(path) + " must not contain '..'");
    if (EqualsIgnoreCase(seg, ".git"))
      return Status::InvalidArgument("path " + Quoted(path) + " must not contain '.git'");
    if (seg.size() > kMaxSegmentLength) {
      return Status::InvalidArgument("path " + Quoted(path) + " has a segment longer than 255 bytes");
    }
    if (!out.empty()) out += '/';
    out.append(seg);
  }
  if (out.empty() && !folder) return Status::InvalidArgument("path " + Quoted(path) + " names no file");
  return out;
}

}  // namespace

Result<RepoType> ParseRepoType(std::string_view text) {
  if (std::optional<RepoType> type = hub::RepoTypeFromName(text)) return *type;
  return Status::InvalidArgument("unknown repo type " + Quoted(text) + " (expected model, dataset or space)");
}

Status ValidateRepoIdPart(std::string_view part, std::string_view what) {
  const std::string name(what);
  if (part.empty()) return Status::InvalidArgument(name + " is empty");
  if (part.size() > kMaxIdPartLength) {
    return Status::InvalidArgument(name + " " + Quoted(part) + " is longer than 96 characters");
  }
  for (char c : part) {
    if (!IsIdChar(c)) {
      return Status::InvalidArgument(name + " " + Quoted(part) + " may only contain letters, digits, '-', '_' and '.'");
    }
  }
  auto edge_ok = [](char c) { return IsAlnum(c) || c == '_'; };
  if (!edge_ok(part.front()) || !edge_ok(part.back())) {
    return Status::InvalidArgument(name + " " + Quoted(part) + " must start and end with a letter, digit or '_'");
  }
  if (part.find("--") != std::string_view::npos) {
    return Status::InvalidArgument(name + " " + Quoted(part) + " must not contain '--'");
  }
  if (part.find("..") != std::string_view::npos) {
    return Status::InvalidArgument(name + " " + Quoted(part) + " must not contain '..'");
  }
  if (part.size() >= 4 && EqualsIgnoreCase(part.substr(part.size() - 4), ".git")) {
    return Status::InvalidArgument(name + " " + Quoted(part) + " must not end with '.git'");
  }
  return Status::OK();
}

Result<RepoId> MakeRepoId(std::string_view ns, std::string_view name) {
  MHUB_RETURN_IF_ERROR(ValidateRepoIdPart(ns, "namespace"));
  MHUB_RETURN_IF_ERROR(ValidateRepoIdPart(name, "repo name"));
  return RepoId{std::string(ns), std::string(name)};
}

Result<RepoId> ParseRepoId(std::string_view text) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos || text.find('/', slash + 1) != std::string_view::npos) {
    return Status::InvalidArgument("repo id " + Quoted(text) + " must have the form 'namespace/name'");
  }
  return MakeRepoId(text.substr(0, slash), text.substr(slash + 1));
}

std::string RepoKey::ToString() const { return std::string(RepoTypePlural(type)) + "/" + id.ToString(); }

Result<std::string> NormalizeRepoFilePath(std::string_view path) { return Normalize(path, /*folder=*/false); }

Result<std::string> NormalizeRepoFolderPath(std::string_view path) { return Normalize(path, /*folder=*/true); }

Result<std::string> NormalizeNewRepoFilePath(std::string_view path) {
  // git's rules first, so the error names git's rule (hasDotgit, hasDotdot, emptyName, ...).
  std::string_view rest = path;
  if (rest.substr(0, 2) == "./") rest.remove_prefix(2);
  if (!rest.empty() && rest.front() != '/' && path.size() <= kMaxPathLength) {
    size_t start = 0;
    while (start <= rest.size()) {
      size_t end = rest.find('/', start);
      if (end == std::string_view::npos) end = rest.size();
      const std::string_view seg = rest.substr(start, end - start);
      start = end + 1;
      Status st = fsck::CheckTreeEntryName(seg);
      if (!st.ok()) return Status::InvalidArgument("path " + Quoted(path) + " is refused: " + st.message());
    }
  }
  return Normalize(path, /*folder=*/false);
}

Status ValidateRefName(std::string_view name) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("invalid branch or tag name " + Quoted(name) + ": " + why);
  };
  if (name.empty()) return bad("empty");
  if (name.size() > 255) return bad("longer than 255 characters");
  if (name.rfind("refs/", 0) == 0) return bad("must not start with 'refs/'");
  if (name == "HEAD" || name == "@") return bad("reserved name");
  if (name.front() == '/' || name.back() == '/' || name.back() == '.')
    return bad("must not start or end with '/' or end with '.'");
  if (name.find("..") != std::string_view::npos) return bad("must not contain '..'");
  if (name.find("@{") != std::string_view::npos) return bad("must not contain '@{'");
  if (name.find("//") != std::string_view::npos) return bad("must not contain '//'");
  if (name.size() >= 5 && name.substr(name.size() - 5) == ".lock") return bad("must not end with '.lock'");
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F || c == ' ' || c == '~' || c == '^' || c == ':' || c == '?' || c == '*' || c == '[' ||
        c == '\\') {
      return bad("contains a forbidden character");
    }
  }
  size_t start = 0;
  while (start < name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    std::string_view seg = name.substr(start, end - start);
    if (!seg.empty() && seg.front() == '.') return bad("a component must not start with '.'");
    if (seg.size() >= 5 && seg.substr(seg.size() - 5) == ".lock") return bad("a component must not end with '.lock'");
    start = end + 1;
  }
  if (!IsValidUtf8(name)) return bad("not valid UTF-8");
  return Status::OK();
}

}  // namespace mhub::server
