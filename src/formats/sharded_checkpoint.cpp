// Sharded checkpoints: model-0000i-of-0000n.safetensors + model.safetensors.index.json
// ({"metadata": {"total_size": ...}, "weight_map": {tensor: shard file}}).
#include <filesystem>
#include <set>

#include "mhub/base/env.h"
#include "mhub/base/json.h"
#include "mhub/formats/safetensors.h"

namespace mhub::formats {

namespace fs = std::filesystem;

namespace {

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

// A weight_map value must name a file directly inside the checkpoint folder.
bool IsPlainFileName(const std::string& name) {
  if (name.empty() || name == "." || name == "..") return false;
  return name.find('/') == std::string::npos && name.find('\\') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

std::string ShardName(const std::string& base, size_t i, size_t n) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "-%05zu-of-%05zu.safetensors", i, n);
  return base + buf;
}

}  // namespace

const std::map<std::string, std::string>& ShardedCheckpoint::metadata() const {
  static const std::map<std::string, std::string> kEmpty;
  return shards_.empty() ? kEmpty : shards_.front()->metadata();
}

Status ShardedCheckpoint::AddShard(std::shared_ptr<const SafetensorsFile> shard) {
  for (const TensorView& t : shard->tensors()) {
    auto [it, inserted] = index_.emplace(t.name, std::make_pair(shard.get(), &t));
    if (!inserted) {
      return Status::Corruption("tensor " + Quote(t.name) + " appears in both " + it->second.first->path() + " and " +
                                shard->path());
    }
    names_.push_back(t.name);
    total_bytes_ += t.nbytes;
    total_params_ += t.numel();
  }
  shards_.push_back(std::move(shard));
  return Status::OK();
}

const TensorView* ShardedCheckpoint::Find(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : it->second.second;
}

const SafetensorsFile* ShardedCheckpoint::ShardOf(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : it->second.first;
}

Result<TensorView> ShardedCheckpoint::Get(std::string_view name) const {
  const TensorView* t = Find(name);
  if (t == nullptr) {
    return Status::NotFound(
        "no tensor " + Quote(name) + " in the checkpoint" +
        (index_path_.empty() ? (shards_.empty() ? "" : " " + shards_[0]->path()) : " " + index_path_));
  }
  return *t;
}

Result<std::shared_ptr<const ShardedCheckpoint>> ShardedCheckpoint::Open(const std::string& path) {
  std::error_code ec;
  std::string file = path;
  if (fs::is_directory(path, ec)) {
    std::string index = (fs::path(path) / kSafetensorsIndexName).string();
    std::string single = (fs::path(path) / kSafetensorsWeightsName).string();
    if (fs::exists(index, ec)) {
      file = index;
    } else if (fs::exists(single, ec)) {
      file = single;
    } else {
      return Status::NotFound("no " + std::string(kSafetensorsWeightsName) + " or " +
                              std::string(kSafetensorsIndexName) + " in " + path);
    }
  }

  auto ckpt = std::shared_ptr<ShardedCheckpoint>(new ShardedCheckpoint());
  if (file.size() < 5 || file.compare(file.size() - 5, 5, ".json") != 0) {
    MHUB_ASSIGN_OR_RETURN(auto shard, SafetensorsFile::Open(file));
    MHUB_RETURN_IF_ERROR(ckpt->AddShard(std::move(shard)));
    return std::shared_ptr<const ShardedCheckpoint>(std::move(ckpt));
  }

  ckpt->index_path_ = file;
  auto parsed = ReadJsonFile(file);
  if (!parsed.ok()) {
    if (parsed.status().code() == StatusCode::kNotFound) return parsed.status();
    return Status::Corruption(parsed.status().message());
  }
  const Json& index = *parsed;
  auto bad = [&](const std::string& what) { return Status::Corruption(file + ": " + what); };
  if (!index.is_object()) return bad("index must be a JSON object");
  auto wm = index.find("weight_map");
  if (wm == index.end() || !wm->is_object()) return bad("index has no \"weight_map\" object");
  auto meta = index.find("metadata");
  if (meta != index.end() && meta->is_object()) {
    auto total = meta->find("total_size");
    if (total != meta->end() && total->is_number_unsigned()) ckpt->declared_total_size_ = total->get<uint64_t>();
    if (total != meta->end() && total->is_number_float() && total->get<double>() >= 0) {
      ckpt->declared_total_size_ = static_cast<uint64_t>(total->get<double>());
    }
  }

  std::set<std::string> shard_files;  // sorted: model-00001-of-.. first
  for (auto it = wm->begin(); it != wm->end(); ++it) {
    if (!it.value().is_string()) return bad("weight_map[" + Quote(it.key()) + "] must be a file name string");
    const std::string& shard = it.value().get_ref<const std::string&>();
    if (!IsPlainFileName(shard)) {
      return bad("weight_map[" + Quote(it.key()) + "] names " + Quote(shard) +
                 ", which is not a file in the checkpoint folder");
    }
    shard_files.insert(shard);
  }
  const fs::path dir = fs::path(file).parent_path();
  for (const std::string& shard_name : shard_files) {
    auto shard = SafetensorsFile::Open((dir / shard_name).string());
    if (!shard.ok()) return shard.status().WithContext("while loading shard " + shard_name + " of " + file);
    MHUB_RETURN_IF_ERROR(ckpt->AddShard(std::move(shard).value()));
  }
  for (auto it = wm->begin(); it != wm->end(); ++it) {
    const std::string& shard_name = it.value().get_ref<const std::string&>();
    const SafetensorsFile* holder = ckpt->ShardOf(it.key());
    if (holder == nullptr) {
      return bad("weight_map maps tensor " + Quote(it.key()) + " to " + shard_name + ", which does not contain it");
    }
    if (fs::path(holder->path()).filename().string() != shard_name) {
      return bad("weight_map maps tensor " + Quote(it.key()) + " to " + shard_name + " but it is in " + holder->path());
    }
  }
  return std::shared_ptr<const ShardedCheckpoint>(std::move(ckpt));
}

Result<ShardedWriteResult> WriteShardedSafetensors(const std::string& dir, std::span<const TensorView> tensors,
                                                   const ShardedWriteOptions& options) {
  if (options.base_name.empty() || !IsPlainFileName(options.base_name)) {
    return Status::InvalidArgument("bad shard base name " + Quote(options.base_name));
  }
  // huggingface_hub split_state_dict_into_shards: greedy in the given order; a tensor above the
  // limit gets its own shard.
  std::vector<std::vector<TensorView>> shards;
  std::vector<TensorView> current;
  uint64_t current_size = 0;
  ShardedWriteResult result;
  int64_t total_params = 0;
  std::set<std::string_view> seen;
  for (const TensorView& t : tensors) {
    if (!seen.insert(t.name).second) return Status::InvalidArgument("tensor " + Quote(t.name) + " is given twice");
    const uint64_t size = t.nbytes;
    result.total_size += size;
    total_params += t.numel();
    if (size > options.max_shard_bytes) {
      shards.push_back({t});
      continue;
    }
    if (current_size + size > options.max_shard_bytes && !current.empty()) {
      shards.push_back(std::move(current));
      current.clear();
      current_size = 0;
    }
    current.push_back(t);
    current_size += size;
  }
  if (!current.empty() || shards.empty()) shards.push_back(std::move(current));

  MHUB_RETURN_IF_ERROR(Env::Default()->CreateDirs(dir));
  const fs::path folder(dir);
  const std::string single = options.base_name + ".safetensors";
  const std::string index_name = options.base_name + ".safetensors.index.json";
  Env* env = Env::Default();

  if (shards.size() == 1) {
    MHUB_RETURN_IF_ERROR(WriteSafetensors((folder / single).string(), shards[0], options.metadata));
    result.shard_files.push_back(single);
    const std::string stale = (folder / index_name).string();
    if (env->FileExists(stale)) MHUB_RETURN_IF_ERROR(env->RemoveFile(stale));
    return result;
  }

  Json weight_map = Json::object();
  for (size_t i = 0; i < shards.size(); ++i) {
    const std::string name = ShardName(options.base_name, i + 1, shards.size());
    MHUB_RETURN_IF_ERROR(WriteSafetensors((folder / name).string(), shards[i], options.metadata));
    result.shard_files.push_back(name);
    for (const TensorView& t : shards[i]) weight_map[t.name] = name;
  }
  Json index = {{"metadata", {{"total_size", result.total_size}, {"total_parameters", total_params}}},
                {"weight_map", std::move(weight_map)}};
  MHUB_RETURN_IF_ERROR(WriteFileAtomic((folder / index_name).string(), DumpJson(index, 2) + "\n"));
  result.index_file = index_name;
  const std::string stale = (folder / single).string();
  if (env->FileExists(stale)) MHUB_RETURN_IF_ERROR(env->RemoveFile(stale));
  return result;
}

}  // namespace mhub::formats
