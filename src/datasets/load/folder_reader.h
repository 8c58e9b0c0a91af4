// The folder builders of `datasets` (packaged_modules/folder_based_builder, imagefolder,
// audiofolder) over a split's files: one row per image/audio file, as the column "image" / "audio"
// of struct<bytes: binary, path: string> (the file's bytes and its repo-relative path; nothing is
// decoded). Without metadata files, the parent directory names become a ClassLabel "label" column
// when there are at least two and every file sits at the same depth (train/cat/1.png,
// train/dog/2.png). With metadata.csv / metadata.jsonl / metadata.parquet, their rows join the
// files by `file_name` (relative to the metadata file's folder) and their other columns follow the
// media column; a file without a metadata row is an error naming it. Zip archives of the split are
// read member by member (path "zip://member::archive.zip", labels from folders inside the archive;
// metadata files inside archives are refused as Unsupported). Files are read a batch at a time; the
// features (Image/Audio, ClassLabel) travel in the schema's `huggingface` metadata.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "datasets/load/data_source.h"
#include "mhub/datasets/array.h"

namespace mhub::datasets::load {

Result<std::unique_ptr<TableReader>> OpenFolderSplit(const DataSource& source, const DatasetConfig& config,
                                                     const std::vector<std::string>& files);

}  // namespace mhub::datasets::load
