#include "datasets/load/data_source.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "datasets/load/builders.h"
#include "datasets/load/zip_archive.h"
#include "mhub/hub/hub_client.h"

namespace mhub::datasets::load {
namespace {

namespace fs = std::filesystem;

std::string ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string LocalStamp(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "missing";
  return std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec);
}

Result<DataSource> LocalFolder(const std::string& dir) {
  DataSource s;
  s.id = dir;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    // Not into .git: it is never data and can be huge.
    if (it->is_directory() && it->path().filename() == ".git") {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) s.files.push_back(fs::relative(it->path(), dir).generic_string());
  }
  if (ec) return Status::IOError("cannot list " + dir + ": " + ec.message());
  std::sort(s.files.begin(), s.files.end());
  if (fs::is_regular_file(fs::path(dir) / "README.md"))
    s.readme = ReadSmallFile((fs::path(dir) / "README.md").string());
  if (fs::is_regular_file(fs::path(dir) / ".huggingface.yaml"))
    s.huggingface_yaml = ReadSmallFile((fs::path(dir) / ".huggingface.yaml").string());
  s.fetch = [dir](const std::string& rel) -> Result<std::string> { return (fs::path(dir) / rel).string(); };
  s.file_stamp = [dir](const std::string& rel) { return LocalStamp((fs::path(dir) / rel).string()); };
  return s;
}

Result<DataSource> LocalFile(const std::string& path) {
  DataSource s;
  s.id = path;
  s.single_file = true;
  s.files = {path};
  s.fetch = [](const std::string& rel) -> Result<std::string> { return rel; };
  s.file_stamp = [](const std::string& rel) { return LocalStamp(rel); };
  return s;
}

Result<DataSource> HubRepo(const std::string& repo_id, const std::string& revision) {
  MHUB_RETURN_IF_ERROR(hub::ValidateRepoId(repo_id).WithContext("'" + repo_id + "' is neither a local path nor"));
  auto client = std::make_shared<hub::HubClient>(hub::HubClient::FromEnv());
  hub::RepoRef repo{repo_id, hub::RepoType::kDataset};
  std::string rev = revision.empty() ? "main" : revision;
  DataSource s;
  s.id = repo_id;
  s.is_repo = true;
  if (client->config().offline) {
    // HF_HUB_OFFLINE: whatever the cache holds for that revision.
    hub::SnapshotOptions so;
    so.revision = rev;
    MHUB_ASSIGN_OR_RETURN(std::string snapshot, client->snapshot_download(repo, so));
    MHUB_ASSIGN_OR_RETURN(s, LocalFolder(snapshot));
    s.id = repo_id;
    s.is_repo = true;
    s.revision = fs::path(snapshot).filename().string();
    return s;
  }
  auto info = client->repo_info(repo, rev);
  if (!info.ok()) return info.status().WithContext("dataset " + repo_id + "@" + rev);
  s.revision = info->sha.empty() ? rev : info->sha;
  MHUB_ASSIGN_OR_RETURN(s.files, client->list_repo_files(repo, s.revision));
  std::string commit = s.revision;
  auto fetch = [client, repo, commit](const std::string& rel) -> Result<std::string> {
    hub::DownloadOptions o;
    o.revision = commit;
    return client->hf_hub_download(repo, rel, o);
  };
  for (const auto& [name, target] : {std::pair<std::string, std::string*>{"README.md", &s.readme},
                                     std::pair<std::string, std::string*>{".huggingface.yaml", &s.huggingface_yaml}}) {
    if (std::find(s.files.begin(), s.files.end(), name) == s.files.end()) continue;
    MHUB_ASSIGN_OR_RETURN(std::string path, fetch(name));
    *target = ReadSmallFile(path);
  }
  s.fetch = fetch;
  s.file_stamp = [commit](const std::string& rel) { return commit + ":" + rel; };
  return s;
}

// refs/convert/parquet: {config}/{split}/NNNN.parquet (and {config}/partial-{split}/...).
std::vector<DatasetConfig> ParquetExportConfigs(const std::vector<std::string>& files) {
  std::vector<DatasetConfig> configs;
  for (const auto& f : files) {
    std::vector<std::string> parts;
    std::stringstream ss(f);
    for (std::string p; std::getline(ss, p, '/');) parts.push_back(p);
    if (parts.size() != 3 || parts[2].size() < 8 || parts[2].substr(parts[2].size() - 8) != ".parquet") continue;
    std::string split = parts[1].rfind("partial-", 0) == 0 ? parts[1].substr(8) : parts[1];
    auto c = std::find_if(configs.begin(), configs.end(), [&](const auto& x) { return x.name == parts[0]; });
    if (c == configs.end()) {
      configs.push_back({});
      c = configs.end() - 1;
      c->name = parts[0];
      c->builder = "parquet";
    }
    auto s = std::find_if(c->splits.begin(), c->splits.end(), [&](const auto& x) { return x.split == split; });
    if (s == c->splits.end()) {
      c->splits.push_back({split, {}});
      s = c->splits.end() - 1;
    }
    s->files.push_back(f);
  }
  for (auto& c : configs) {
    c.is_default = c.name == "default" || configs.size() == 1;
    for (auto& s : c.splits) std::sort(s.files.begin(), s.files.end());
  }
  return configs;
}

}  // namespace

Result<DataSource> OpenDataSource(const std::string& path_or_repo, const std::string& revision) {
  std::error_code ec;
  if (fs::is_directory(path_or_repo, ec)) return LocalFolder(path_or_repo);
  if (fs::is_regular_file(path_or_repo, ec)) return LocalFile(path_or_repo);
  // Looks like a path but nothing is there: say so rather than asking the hub.
  if (path_or_repo.rfind("./", 0) == 0 || path_or_repo.rfind("/", 0) == 0 || path_or_repo.rfind("../", 0) == 0)
    return Status::NotFound(path_or_repo + ": no such file or folder");
  return HubRepo(path_or_repo, revision);
}

Result<std::vector<DatasetConfig>> SourceConfigs(const DataSource& source, const LoadOptions& options) {
  if (source.single_file) {
    BuilderChoice b = InferBuilder({fs::path(source.files[0]).filename().string()});
    if (b.builder.empty()) return Status::Unsupported(source.id + ": no builder for this file type");
    DatasetConfig c;
    c.name = "default";
    c.is_default = true;
    c.builder = b.builder;
    c.builder_kwargs = b.kwargs;
    c.splits.push_back({"train", source.files});
    return std::vector<DatasetConfig>{c};
  }
  if (source.is_repo && options.revision.rfind("refs/convert/", 0) == 0 && options.data_files.empty()) {
    auto configs = ParquetExportConfigs(source.files);
    if (configs.empty()) return Status::NotFound(source.id + "@" + options.revision + ": no Parquet export files");
    return configs;
  }
  ResolveOptions ro;
  ro.readme = source.readme;
  ro.huggingface_yaml = source.huggingface_yaml;
  ro.data_files = options.data_files;
  auto configs = ResolveConfigs(source.files, ro);
  if (!configs.ok()) return configs.status().WithContext(source.id);
  // Splits of zip archives only: the builder is the one of the files inside them, as datasets'
  // infer_module_for_data_files_list_in_archives decides (it samples the first archives).
  for (DatasetConfig& c : *configs) {
    if (c.builder != "zip" || c.splits.empty()) continue;
    std::vector<std::string> members;
    int opened = 0;
    for (const std::string& f : c.splits.front().files) {
      if (fs::path(f).extension() != ".zip" || opened++ >= 3) continue;
      MHUB_ASSIGN_OR_RETURN(std::string local, source.fetch(f));
      MHUB_ASSIGN_OR_RETURN(std::unique_ptr<ZipArchive> z, ZipArchive::Open(local, f));
      for (const auto& m : z->members()) members.push_back(fs::path(m.name).filename().string());
    }
    BuilderChoice b = InferBuilder(members);
    if (b.builder == "imagefolder" || b.builder == "audiofolder") c.builder = b.builder;
  }
  return configs;
}

}  // namespace mhub::datasets::load
