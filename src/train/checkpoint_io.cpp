// Checkpoint folder I/O (see checkpoint_io.h).
#include "checkpoint_io.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <regex>
#include <system_error>

#include "mhub/base/env.h"
#include "mhub/formats/safetensors.h"

namespace mhub::train::internal {
namespace fs = std::filesystem;

std::vector<std::string> SortedCheckpoints(const std::string& output_dir) {
  static const std::regex kName("^checkpoint-([0-9]+)$");
  std::vector<std::pair<int64_t, std::string>> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(output_dir, ec)) {
    std::smatch m;
    const std::string name = e.path().filename().string();
    if (e.is_directory(ec) && std::regex_match(name, m, kName))
      found.push_back({std::stoll(m[1].str()), e.path().string()});
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  for (auto& [n, p] : found) out.push_back(p);
  return out;
}

Status RemoveTree(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) return Status::IOError("cannot remove " + path + ": " + ec.message());
  return Status::OK();
}

Status CommitFolder(const std::string& tmp_dir, const std::string& final_dir) {
  std::error_code ec;
  if (fs::exists(final_dir, ec)) {
    // An older folder of the same name (a forced final save at a step already saved): move it aside
    // first so there is never a moment without one complete checkpoint-N.
    const std::string old = final_dir + ".old";
    fs::remove_all(old, ec);
    fs::rename(final_dir, old, ec);
    if (ec) return Status::IOError("cannot replace " + final_dir + ": " + ec.message());
    fs::rename(tmp_dir, final_dir, ec);
    if (ec) return Status::IOError("cannot rename " + tmp_dir + " to " + final_dir + ": " + ec.message());
    fs::remove_all(old, ec);
  } else {
    fs::rename(tmp_dir, final_dir, ec);
    if (ec) return Status::IOError("cannot rename " + tmp_dir + " to " + final_dir + ": " + ec.message());
  }
  return FsyncDir(fs::path(final_dir).parent_path().string());
}

Status LoadWeights(models::TrainableModel& model, const std::string& dir) {
  // A LoRA checkpoint holds the adapter (PEFT's save_pretrained), by the same parameter names.
  const bool adapter = fs::exists(dir + "/adapter_model.safetensors") && !fs::exists(dir + "/model.safetensors");
  MHUB_ASSIGN_OR_RETURN(auto ckpt,
                        formats::ShardedCheckpoint::Open(adapter ? dir + "/adapter_model.safetensors" : dir));
  for (auto& p : model.Parameters()) {
    const formats::TensorView* t = ckpt->Find(p.name);
    if (t == nullptr) return Status::Corruption(dir + ": the checkpoint has no weight '" + p.name + "'");
    if (t->dtype != formats::Dtype::kF32 || int64_t(p.value.size()) != t->numel())
      return Status::Corruption(dir + ": weight '" + p.name + "' is not an f32 tensor of the parameter's shape");
    std::memcpy(p.value.data(), t->data, t->nbytes);
  }
  return Status::OK();
}

Status RotateCheckpoints(const std::string& output_dir, int64_t limit, const std::string& best_checkpoint) {
  if (limit <= 0) return Status::OK();
  std::vector<std::string> sorted = SortedCheckpoints(output_dir);
  if (!best_checkpoint.empty()) {
    auto it = std::find_if(sorted.begin(), sorted.end(), [&](const std::string& p) {
      std::error_code ec;
      return fs::equivalent(p, best_checkpoint, ec);
    });
    if (it != sorted.end()) {
      // Bubble the best to the second-to-last position.
      for (size_t i = size_t(it - sorted.begin()); i + 2 < sorted.size(); ++i) std::swap(sorted[i], sorted[i + 1]);
    }
  }
  if (sorted.size() <= size_t(limit)) return Status::OK();
  if (!best_checkpoint.empty() && limit == 1 && sorted.back() != best_checkpoint) limit = 2;
  const int64_t to_delete = std::max<int64_t>(0, int64_t(sorted.size()) - limit);
  for (int64_t i = 0; i < to_delete; ++i) MHUB_RETURN_IF_ERROR(RemoveTree(sorted[i]));
  return Status::OK();
}

Status WriteJsonFile(const std::string& path, const Json& value) {
  return WriteFileAtomic(path, DumpJson(value, 2) + "\n");
}

}  // namespace mhub::train::internal
