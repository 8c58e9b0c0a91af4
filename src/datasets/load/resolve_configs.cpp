// ResolveConfigs: HubDatasetModuleFactory.get_module / LocalDatasetModuleFactory.get_module and
// create_builder_configs_from_metadata_configs (datasets/load.py) over a list of repo files.
#include <algorithm>

#include "datasets/load/builders.h"
#include "datasets/load/card_configs.h"
#include "datasets/load/split_patterns.h"
#include "mhub/datasets/load.h"

namespace mhub::datasets {
namespace {

using load::SplitPatterns;

std::string JoinDir(const std::string& dir, const std::string& path) {
  if (dir.empty()) return path;
  std::string d = dir;
  while (!d.empty() && d.back() == '/') d.pop_back();
  return d + "/" + path;
}

// The files under `dir`, relative to it ("" = all files as they are).
std::vector<std::string> FilesUnder(const std::vector<std::string>& files, const std::string& dir) {
  if (dir.empty()) return files;
  std::string prefix = dir;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  prefix += "/";
  std::vector<std::string> out;
  for (const auto& f : files)
    if (f.compare(0, prefix.size(), prefix) == 0) out.push_back(f.substr(prefix.size()));
  return out;
}

// Resolves patterns relative to `dir`; returns repo-relative paths, empty splits left out.
Result<std::vector<SplitFiles>> Resolve(const SplitPatterns& patterns, const std::vector<std::string>& files,
                                        const std::string& dir) {
  MHUB_ASSIGN_OR_RETURN(auto resolved, load::ResolveSplitPatterns(patterns, FilesUnder(files, dir)));
  std::vector<SplitFiles> out;
  for (auto& [split, split_files] : resolved) {
    if (split_files.empty()) continue;
    for (auto& f : split_files) f = JoinDir(dir, f);
    out.push_back({split, std::move(split_files)});
  }
  return out;
}

Result<SplitPatterns> PatternsOrDefault(const std::optional<SplitPatterns>& given,
                                        const std::vector<std::string>& files, const std::string& dir) {
  if (given) return *given;
  return load::DefaultSplitPatterns(FilesUnder(files, dir));
}

// infer_module_for_data_files: one builder for every split.
Result<load::BuilderChoice> InferSplitsBuilder(const std::vector<SplitFiles>& splits) {
  if (splits.empty()) return Status::NotFound("no (supported) data files found");
  std::vector<load::BuilderChoice> choices;
  for (const auto& s : splits) choices.push_back(load::InferBuilder(s.files));
  for (size_t i = 1; i < choices.size(); ++i) {
    if (choices[i].builder != choices[0].builder || choices[i].kwargs != choices[0].kwargs)
      return Status::InvalidArgument(
          "couldn't infer the same data file format for all splits: split '" + splits[0].split + "' is " +
          (choices[0].builder.empty() ? "?" : choices[0].builder) + ", split '" + splits[i].split + "' is " +
          (choices[i].builder.empty() ? "?" : choices[i].builder));
  }
  if (choices[0].builder.empty()) return Status::NotFound("no (supported) data files found");
  return choices[0];
}

}  // namespace

Result<std::vector<DatasetConfig>> ResolveConfigs(const std::vector<std::string>& files,
                                                  const ResolveOptions& options) {
  MHUB_ASSIGN_OR_RETURN(auto metadata, load::ParseMetadataConfigs(options.readme, options.huggingface_yaml));
  // The files that decide the builder: the caller's data_files, else the first card config's
  // data_files (when no data_dir was asked for), else the automatic patterns.
  std::optional<SplitPatterns> module_patterns;
  if (!options.data_files.empty())
    module_patterns = load::SanitizeSplitPatterns(options.data_files);
  else if (!metadata.empty() && options.data_dir.empty() && metadata[0].data_files)
    module_patterns = metadata[0].data_files;
  MHUB_ASSIGN_OR_RETURN(SplitPatterns patterns, PatternsOrDefault(module_patterns, files, options.data_dir));
  MHUB_ASSIGN_OR_RETURN(auto module_splits, Resolve(patterns, files, options.data_dir));
  MHUB_ASSIGN_OR_RETURN(load::BuilderChoice builder, InferSplitsBuilder(module_splits));

  std::vector<DatasetConfig> out;
  if (metadata.empty() || !options.data_files.empty()) {
    // One config; its files filtered to the builder's extensions (DataFilesDict.filter).
    DatasetConfig c;
    c.name = "default";
    c.is_default = true;
    c.builder = builder.builder;
    c.builder_kwargs = builder.kwargs;
    c.data_dir = options.data_dir;
    std::vector<std::string> exts = load::BuilderExtensions(builder.builder);
    std::vector<std::string> names = load::BuilderMetadataFileNames(builder.builder);
    for (auto& s : module_splits) {
      s.files = load::FilterFiles(s.files, exts, names);
      if (!s.files.empty()) c.splits.push_back(std::move(s));
    }
    out.push_back(std::move(c));
    return out;
  }

  MHUB_ASSIGN_OR_RETURN(std::string default_name, load::DefaultConfigName(metadata));
  for (const auto& m : metadata) {
    DatasetConfig c;
    c.name = m.name;
    c.is_default = m.name == default_name;
    c.builder = builder.builder;
    c.builder_kwargs = builder.kwargs;
    for (const auto& [k, v] : m.builder_kwargs) c.builder_kwargs[k] = v;
    c.data_dir = m.data_dir;
    auto config_patterns = PatternsOrDefault(m.data_files, files, m.data_dir);
    if (!config_patterns.ok())
      return config_patterns.status().WithContext("config '" + m.name + "': no data files match its patterns");
    auto splits = Resolve(*config_patterns, files, m.data_dir);
    if (!splits.ok()) return splits.status().WithContext("config '" + m.name + "'");
    if (splits->empty())
      return Status::NotFound("config '" + m.name + "': no data files match its data_files patterns");
    c.splits = std::move(*splits);
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::vector<DatasetConfig>> ResolveConfigs(const std::vector<std::string>& files, const std::string& readme) {
  ResolveOptions options;
  options.readme = readme;
  return ResolveConfigs(files, options);
}

Result<DatasetConfig> PickConfig(const std::vector<DatasetConfig>& configs, const std::string& name) {
  std::string names;
  for (const auto& c : configs) names += (names.empty() ? "'" : ", '") + c.name + "'";
  for (const auto& c : configs)
    if (name.empty() ? c.is_default : c.name == name) return c;
  if (name.empty())
    return Status::InvalidArgument("config name is missing; pick one among the available configs: " + names);
  return Status::NotFound("unknown config '" + name + "'; available configs: " + names);
}

}  // namespace mhub::datasets
