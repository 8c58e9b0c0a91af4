// Which `datasets` builder reads a file, from its extension (datasets/packaged_modules/__init__.py
// _EXTENSION_TO_MODULE, _MODULE_TO_EXTENSIONS, _ALL_ALLOWED_EXTENSIONS) and, for a list of files,
// the most common extension with datasets' tie order (load.py infer_module_for_data_files_list).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace mhub::datasets::load {

struct BuilderChoice {
  std::string builder;                        // "csv", "json", "parquet", "text", "imagefolder", ...
  std::map<std::string, std::string> kwargs;  // e.g. {"sep": "\t"} for .tsv
};

// The builder of one extension (".csv", case as given; image/audio extensions also upper-case), or
// an empty builder when datasets has none for it.
BuilderChoice BuilderForExtension(const std::string& extension);

// Every extension datasets accepts as a data file (module extensions, ".zip", metadata extensions).
const std::vector<std::string>& AllowedExtensions();

// The extensions of one builder plus ".zip" (_MODULE_TO_EXTENSIONS), used to filter a split's files
// once the builder is known; and its metadata file names (imagefolder's metadata.csv, ...).
std::vector<std::string> BuilderExtensions(const std::string& builder);
std::vector<std::string> BuilderMetadataFileNames(const std::string& builder);

// The builder for a split's files: most common extension (every suffix of every basename counts,
// lower-cased; metadata files rank last), ties broken .parquet > .lance > .arrow > .jsonl > .json >
// .csv > then reverse alphabetical, as datasets' sort_key sorts. Empty when no extension is known.
BuilderChoice InferBuilder(const std::vector<std::string>& files);

// datasets' DataFilesList.filter(extensions, file_names): keeps paths ending in one of the
// extensions (optionally followed by one more ".x") or named one of the file names.
std::vector<std::string> FilterFiles(const std::vector<std::string>& files, const std::vector<std::string>& extensions,
                                     const std::vector<std::string>& file_names);

}  // namespace mhub::datasets::load
