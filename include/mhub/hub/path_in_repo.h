// Paths inside a repo, normalized the way huggingface_hub's CommitOperationAdd does before any
// request is made, so `mhub upload REPO DIR .` and `hf upload REPO DIR .` commit the same tree.
#pragma once

#include <string>
#include <string_view>

#include "mhub/base/result.h"

namespace mhub::hub {

// A file path in a repo: leading '/' and "./" and inner "." or empty components are dropped
// ("./sub//a.txt" -> "sub/a.txt"). InvalidArgument for "..", a ".git" component, a trailing '/'
// or nothing left (the root is not a file).
Result<std::string> NormalizePathInRepo(std::string_view path);

// A folder in a repo used as a prefix: "", ".", "/" and "./" are the root (""); otherwise the
// normalized path without leading or trailing '/' ("/sub/" -> "sub", "./sub" -> "sub").
// InvalidArgument for ".." or a ".git" component.
Result<std::string> NormalizeFolderInRepo(std::string_view path);

// Where one local file lands for `mhub upload REPO FILE [PATH_IN_REPO]`: the file name at the
// root when PATH_IN_REPO is empty or the root ("." or "/"), inside the folder when it ends with
// '/' ("sub/" -> "sub/<name>"), else PATH_IN_REPO itself; normalized.
Result<std::string> FilePathInRepo(std::string_view path_in_repo, std::string_view local_file_name);

}  // namespace mhub::hub
