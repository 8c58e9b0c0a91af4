// Data-file patterns resolved over a repo's file list the way `datasets` resolves them through
// fsspec's glob (datasets/data_files.py resolve_pattern, fsspec >= 2023.12): '*' and '?' stay inside
// one path segment, a whole '**' segment spans zero or more folders, '[...]' is a character class.
// On top of the glob, datasets drops what the pattern did not ask for explicitly: hidden files and
// folders ('.x'), files under special folders ('__x'), and the card/metadata files of
// FILES_TO_IGNORE.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mhub::datasets::load {

// True when the repo-relative `path` matches `pattern` (glob only, no hidden/ignore rules).
bool DataFilesGlobMatch(std::string_view pattern, std::string_view path);

// The files of `files` (repo-relative, '/'-separated) that `pattern` resolves to, sorted, after
// datasets' hidden / special-folder / ignored-name rules. With `allowed_extensions` non-empty, only
// files with one of them among their suffixes ("a.csv.gz" has ".csv" and ".gz").
std::vector<std::string> ResolvePattern(const std::string& pattern, const std::vector<std::string>& files,
                                        const std::vector<std::string>& allowed_extensions = {});

// True when the pattern holds glob characters ("*[]"; datasets' contains_wildcards / has_magic).
bool HasGlobMagic(std::string_view pattern);

}  // namespace mhub::datasets::load
