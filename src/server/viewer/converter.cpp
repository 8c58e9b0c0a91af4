#include "server/viewer/converter.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "mhub/datasets/features.h"
#include "mhub/datasets/load.h"
#include "mhub/datasets/parquet.h"
#include "mhub/server/lfs_access.h"
#include "server/viewer/split_cache.h"  // TableBytes: num_bytes_memory and shard cuts

namespace mhub::server::viewer {

namespace fs = std::filesystem;
using datasets::ParquetFile;
using datasets::ParquetWriter;
using datasets::Schema;
using datasets::Table;
using datasets::TableReader;

namespace {

Status Cancelled() { return Status::Unavailable("the conversion was superseded or stopped"); }

// An error of a reader names the scratch copy; the user knows the file by its repo path.
Status InRepo(const Status& st, const std::string& local, const std::string& repo_path) {
  std::string msg = st.message();
  for (size_t at = msg.find(local); at != std::string::npos; at = msg.find(local, at + repo_path.size())) {
    msg.replace(at, local.size(), repo_path);
  }
  if (msg.find(repo_path) == std::string::npos) msg = repo_path + ": " + msg;
  return Status(st.code(), msg);
}

// A source file on local disk: LFS content from the store, a regular blob copied out.
Result<std::string> LocalCopy(const ConvertEnv& env, const RepoKey& key, const std::string& revision,
                              const std::string& path, int n, uint64_t* size) {
  MHUB_ASSIGN_OR_RETURN(FileBlob blob, env.repos->ReadFile(key, revision, path));
  *size = blob.size;
  if (blob.lfs) {
    if (!env.lfs->Has(blob.lfs->oid)) return Status::NotFound(path + ": its LFS object was never uploaded");
    return env.lfs->PathOf(blob.lfs->oid);
  }
  std::string local = env.work_dir + "/src-" + std::to_string(n) + fs::path(path).extension().string();
  std::ofstream out(local, std::ios::binary | std::ios::trunc);
  out.write(blob.data.data(), static_cast<std::streamsize>(blob.data.size()));
  out.close();
  if (!out) return Status::IOError("cannot write " + local);
  return local;
}

Result<std::unique_ptr<TableReader>> OpenSource(const datasets::DatasetConfig& config, const std::string& local,
                                                const std::string& repo_path,
                                                std::vector<std::unique_ptr<ParquetFile>>& keep) {
  if (config.builder == "parquet") {
    MHUB_ASSIGN_OR_RETURN(ParquetFile file, ParquetFile::Open(local, repo_path));
    keep.push_back(std::make_unique<ParquetFile>(std::move(file)));
    return keep.back()->Stream();
  }
  datasets::TextReadOptions options;
  options.builder = config.builder;
  auto sep = config.builder_kwargs.find("sep");
  if (sep == config.builder_kwargs.end()) sep = config.builder_kwargs.find("delimiter");
  if (sep != config.builder_kwargs.end() && sep->second.size() == 1) options.delimiter = sep->second[0];
  if (config.builder == "csv" && options.delimiter == 0 && repo_path.size() > 4 &&
      repo_path.compare(repo_path.size() - 4, 4, ".tsv") == 0) {
    options.delimiter = '\t';
  }
  auto reader = datasets::OpenDataFile(local, options);
  if (!reader.ok()) return InRepo(reader.status(), local, repo_path);
  return reader;
}

// The `huggingface` key/value metadata `datasets` writes: {"info": {"features": {...}}}.
std::string FeaturesOf(const Schema& schema) {
  for (const auto& [k, v] : schema.metadata) {
    if (k != "huggingface") continue;
    auto j = ParseJson(v, "huggingface metadata");
    if (j.ok() && j->contains("info") && (*j)["info"].contains("features")) return DumpJson((*j)["info"]["features"]);
  }
  return datasets::Features::FromSchema(schema).ToJson();
}

struct Shard {
  std::string repo_path;  // {config}/{split}/NNNN.parquet
  std::string local;
  int64_t rows = 0;
};

// Writes one split's shards; returns the split's summary (files filled in later with oids).
Result<Json> ConvertSplit(const ConvertEnv& env, const RepoKey& key, const std::string& revision,
                          const datasets::DatasetConfig& config, const datasets::SplitFiles& split,
                          std::vector<Shard>& shards, std::string* features_json, uint64_t* original_bytes,
                          int* file_counter) {
  std::optional<Schema> schema;
  std::optional<ParquetWriter> writer;
  uint64_t shard_bytes = 0, memory_bytes = 0;
  int64_t rows = 0;
  std::vector<Shard> mine;
  auto close_shard = [&]() -> Status {
    if (!writer) return Status::OK();
    MHUB_RETURN_IF_ERROR(writer->Close());
    mine.back().rows = writer->rows_written();
    writer.reset();
    return Status::OK();
  };
  for (const std::string& path : split.files) {
    if (env.cancelled && env.cancelled()) return Cancelled();
    uint64_t size = 0;
    MHUB_ASSIGN_OR_RETURN(std::string local, LocalCopy(env, key, revision, path, (*file_counter)++, &size));
    *original_bytes += size;
    std::vector<std::unique_ptr<ParquetFile>> keep;
    MHUB_ASSIGN_OR_RETURN(std::unique_ptr<TableReader> reader, OpenSource(config, local, path, keep));
    if (!schema) {
      schema = reader->schema();
      *features_json = FeaturesOf(*schema);
      // The features go with every shard, as `datasets` writes them.
      schema->metadata.clear();
      schema->metadata.emplace_back("huggingface", "{\"info\": {\"features\": " + *features_json + "}}");
    } else if (!schema->Equals(reader->schema())) {
      return Status::InvalidArgument("split '" + split.split + "': " + path + " has columns {" +
                                     reader->schema().ToString() + "}, the split's first file has {" +
                                     schema->ToString() + "}");
    }
    while (true) {
      if (env.cancelled && env.cancelled()) return Cancelled();
      auto batch = reader->Next();
      if (!batch.ok()) return InRepo(batch.status(), local, path);
      if (!batch->has_value()) break;
      Table& t = **batch;
      t.schema.metadata = schema->metadata;
      if (!writer) {
        Shard s;
        char name[32];
        std::snprintf(name, sizeof(name), "%04d.parquet", static_cast<int>(mine.size()));
        s.repo_path = config.name + "/" + split.split + "/" + name;
        s.local = env.work_dir + "/out-" + std::to_string(shards.size() + mine.size()) + ".parquet";
        datasets::ParquetWriteOptions options;
        options.codec = datasets::ParquetCodec::kSnappy;
        options.row_group_rows = env.row_group_rows;
        options.created_by = "mhub parquet-converter";
        MHUB_ASSIGN_OR_RETURN(ParquetWriter w, ParquetWriter::Create(s.local, *schema, options));
        writer.emplace(std::move(w));
        mine.push_back(std::move(s));
        shard_bytes = 0;
      }
      MHUB_RETURN_IF_ERROR(writer->Write(t));
      const uint64_t b = TableBytes(t);
      shard_bytes += b;
      memory_bytes += b;
      rows += t.num_rows;
      if (shard_bytes >= env.shard_bytes) MHUB_RETURN_IF_ERROR(close_shard());
    }
  }
  if (!schema) return Status::NotFound("split '" + split.split + "' has no data files");
  if (mine.empty()) {  // no rows at all: still one (empty) shard with the schema
    Shard s;
    s.repo_path = config.name + "/" + split.split + "/0000.parquet";
    s.local = env.work_dir + "/out-" + std::to_string(shards.size()) + ".parquet";
    MHUB_ASSIGN_OR_RETURN(ParquetWriter w, ParquetWriter::Create(s.local, *schema));
    writer.emplace(std::move(w));
    mine.push_back(std::move(s));
  }
  MHUB_RETURN_IF_ERROR(close_shard());
  Json out{{"split", split.split},
           {"num_rows", rows},
           {"num_columns", schema->fields.size()},
           {"num_bytes_memory", memory_bytes},
           {"first_shard", shards.size()},
           {"num_shards", mine.size()}};
  for (auto& s : mine) shards.push_back(std::move(s));
  return out;
}

Result<std::string> Commit(const ConvertEnv& env, const RepoKey& key, const std::string& revision,
                           const std::vector<Shard>& shards, const std::vector<std::string>& oids) {
  CommitRequest req;
  req.branch = kParquetBranch;
  req.author.name = "parquet-converter";
  req.summary = "Update parquet files";
  req.description = "Converted from main at " + revision;
  auto head = env.repos->ResolveRevision(key, kParquetBranch);
  if (head.ok()) {
    req.parent_commit = *head;
    // The new tree replaces the old one: every old entry goes.
    MHUB_ASSIGN_OR_RETURN(std::vector<TreeEntry> old, env.repos->ListTree(key, *head, "", false));
    for (const auto& e : old) {
      if (e.path == ".gitattributes") continue;
      req.operations.push_back(e.type == TreeEntry::Type::kDirectory ? CommitOperation::DeleteFolder(e.path)
                                                                     : CommitOperation::DeleteFile(e.path));
    }
  } else {
    req.create_branch = true;  // a root commit, as the Hub's branch has no history in common with main
  }
  req.operations.push_back(
      CommitOperation::AddFile(".gitattributes", "*.parquet filter=lfs diff=lfs merge=lfs -text\n"));
  for (size_t i = 0; i < shards.size(); ++i) {
    req.operations.push_back(CommitOperation::AddLfsFile(shards[i].repo_path, oids[i]));
  }
  if (env.cancelled && env.cancelled()) return Cancelled();
  MHUB_ASSIGN_OR_RETURN(CommitOutcome outcome, env.repos->Commit(key, req));
  return outcome.commit_id;
}

}  // namespace

Result<ConversionOutcome> ConvertToParquet(const ConvertEnv& env, const RepoKey& key, const std::string& revision) {
  MHUB_ASSIGN_OR_RETURN(std::vector<TreeEntry> tree, env.repos->ListTree(key, revision, "", true));
  std::vector<std::string> files;
  bool has_readme = false, has_hf_yaml = false;
  for (const auto& e : tree) {
    if (e.type != TreeEntry::Type::kFile) continue;
    files.push_back(e.path);
    has_readme = has_readme || e.path == "README.md";
    has_hf_yaml = has_hf_yaml || e.path == ".huggingface.yaml";
  }
  // The card's `configs:` and a root .huggingface.yaml merged over it, as `datasets` reads them
  // (training.md §6.1; mhub/datasets/load.h ResolveConfigs).
  datasets::ResolveOptions resolve;
  if (has_readme) {
    MHUB_ASSIGN_OR_RETURN(FileBlob blob, env.repos->ReadFile(key, revision, "README.md"));
    if (!blob.lfs) resolve.readme = blob.data;
  }
  if (has_hf_yaml) {
    MHUB_ASSIGN_OR_RETURN(FileBlob blob, env.repos->ReadFile(key, revision, ".huggingface.yaml"));
    if (!blob.lfs) resolve.huggingface_yaml = blob.data;
  }
  MHUB_ASSIGN_OR_RETURN(std::vector<datasets::DatasetConfig> configs, datasets::ResolveConfigs(files, resolve));
  // The viewer lists the default config first, then the others alphabetically (web.md §2.4).
  std::stable_sort(configs.begin(), configs.end(), [](const auto& a, const auto& b) {
    return a.is_default != b.is_default ? a.is_default : a.name < b.name;
  });

  std::vector<Shard> shards;
  Json summary{{"revision", revision}, {"configs", Json::array()}};
  uint64_t total_original = 0;
  int file_counter = 0;
  for (const auto& config : configs) {
    Json c{{"config", config.name}, {"splits", Json::array()}};
    uint64_t original = 0;
    std::string features;
    for (const auto& split : config.splits) {
      std::string split_features;
      auto s = ConvertSplit(env, key, revision, config, split, shards, &split_features, &original, &file_counter);
      if (!s.ok()) return s.status().WithContext("config '" + config.name + "'");
      if (features.empty()) features = split_features;
      c["splits"].push_back(std::move(s).value());
    }
    auto parsed = ParseJson(features.empty() ? "{}" : features, "features");
    c["features"] = parsed.ok() ? *parsed : Json::object();
    c["num_bytes_original_files"] = original;
    total_original += original;
    summary["configs"].push_back(std::move(c));
  }
  summary["num_bytes_original_files"] = total_original;

  // Into the LFS store (content-addressed, verified), recorded for the repo so the commit may point
  // at them and the garbage collector keeps them.
  std::vector<std::string> oids;
  std::vector<uint64_t> sizes;
  for (const auto& s : shards) {
    if (env.cancelled && env.cancelled()) return Cancelled();
    MHUB_ASSIGN_OR_RETURN(std::string oid, env.lfs->PutFile(s.local));
    std::error_code ec;
    const uint64_t size = fs::file_size(s.local, ec);
    MHUB_RETURN_IF_ERROR(RecordLfsUpload(*env.db, key, oid, size));
    oids.push_back(oid);
    sizes.push_back(size);
  }
  for (auto& c : summary["configs"]) {
    for (auto& s : c["splits"]) {
      Json list = Json::array();
      uint64_t parquet_bytes = 0;
      const size_t first = s["first_shard"].get<size_t>(), n = s["num_shards"].get<size_t>();
      for (size_t i = first; i < first + n; ++i) {
        list.push_back(
            {{"path", shards[i].repo_path}, {"oid", oids[i]}, {"size", sizes[i]}, {"num_rows", shards[i].rows}});
        parquet_bytes += sizes[i];
      }
      s.erase("first_shard");
      s.erase("num_shards");
      s["files"] = std::move(list);
      s["num_bytes_parquet_files"] = parquet_bytes;
    }
  }
  ConversionOutcome out;
  MHUB_ASSIGN_OR_RETURN(out.parquet_commit, Commit(env, key, revision, shards, oids));
  out.summary = std::move(summary);
  return out;
}

}  // namespace mhub::server::viewer
