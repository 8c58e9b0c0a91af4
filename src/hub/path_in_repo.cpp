#include "mhub/hub/path_in_repo.h"

#include <vector>

namespace mhub::hub {

namespace {

// The non-empty components of `path` other than ".", or an error naming what is not allowed.
Result<std::vector<std::string>> Components(std::string_view path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part == "..") return Status::InvalidArgument("path in repo '" + std::string(path) + "' may not contain '..'");
    if (part == ".git")
      return Status::InvalidArgument("path in repo '" + std::string(path) + "' may not contain a .git folder");
    if (!part.empty() && part != ".") parts.emplace_back(part);
    start = end + 1;
  }
  return parts;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

}  // namespace

Result<std::string> NormalizePathInRepo(std::string_view path) {
  if (!path.empty() && path.back() == '/')
    return Status::InvalidArgument("path in repo '" + std::string(path) + "' names a folder, not a file");
  MHUB_ASSIGN_OR_RETURN(std::vector<std::string> parts, Components(path));
  if (parts.empty()) return Status::InvalidArgument("path in repo '" + std::string(path) + "' names no file");
  return Join(parts);
}

Result<std::string> NormalizeFolderInRepo(std::string_view path) {
  MHUB_ASSIGN_OR_RETURN(std::vector<std::string> parts, Components(path));
  return Join(parts);
}

Result<std::string> FilePathInRepo(std::string_view path_in_repo, std::string_view local_file_name) {
  MHUB_ASSIGN_OR_RETURN(std::string folder, NormalizeFolderInRepo(path_in_repo));
  bool is_folder = folder.empty() || path_in_repo.back() == '/';
  if (!is_folder) return NormalizePathInRepo(path_in_repo);
  std::string joined = folder.empty() ? std::string(local_file_name) : folder + "/" + std::string(local_file_name);
  return NormalizePathInRepo(joined);
}

}  // namespace mhub::hub
