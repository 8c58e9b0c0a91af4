// LoRA adapters for `mhub run`: an adapter folder or repo (adapter_config.json) is merged into its
// base_model_name_or_path in a temporary folder (removed when mhub exits), which the pipeline then
// loads like any model. Registered into command_registry's adapter_resolver at start-up.
#include <unistd.h>

#include <filesystem>

#include "command_registry.h"
#include "mhub/base/env.h"
#include "mhub/base/json.h"
#include "mhub/train/lora.h"

namespace mhub::cli {
namespace {

namespace fs = std::filesystem;

// The merged folders of this process, removed at exit.
struct MergedFolders {
  std::vector<std::string> dirs;
  ~MergedFolders() {
    std::error_code ec;
    for (const auto& d : dirs) fs::remove_all(d, ec);
  }
};
MergedFolders& merged_folders() {
  static MergedFolders m;
  return m;
}

Result<std::string> ResolveAdapter(const std::string& model, const std::string& revision) {
  // Only adapter_config.json first, so a plain model repo costs one small lookup, not a download.
  auto probe = ResolveLocalOrRepo(model, revision, {"adapter_config.json"});
  if (!probe.ok() || !fs::exists(*probe + "/adapter_config.json")) return model;  // the pipeline says why
  MHUB_ASSIGN_OR_RETURN(std::string adapter_dir, ResolveLocalOrRepo(model, revision, {"adapter_*", "*.json"}));
  MHUB_ASSIGN_OR_RETURN(std::string text, ReadFile(adapter_dir + "/adapter_config.json"));
  MHUB_ASSIGN_OR_RETURN(Json j, ParseJson(text, model + "/adapter_config.json"));
  MHUB_ASSIGN_OR_RETURN(train::LoraConfig cfg, train::LoraConfigFromJson(j));
  if (cfg.base_model_name_or_path.empty())
    return Status::InvalidArgument(model + "/adapter_config.json names no base_model_name_or_path");
  auto base = ResolveLocalOrRepo(cfg.base_model_name_or_path, "main");
  if (!base.ok()) return base.status().WithContext("loading the adapter's base model " + cfg.base_model_name_or_path);
  std::error_code ec;
  const std::string out = (fs::temp_directory_path(ec) / ("mhub-adapter-" + std::to_string(getpid()) + "-" +
                                                          std::to_string(merged_folders().dirs.size())))
                              .string();
  merged_folders().dirs.push_back(out);
  MHUB_RETURN_IF_ERROR(train::MergeAdapterIntoFolder(*base, adapter_dir, out)
                           .WithContext("merging the LoRA adapter " + model + " into " + cfg.base_model_name_or_path));
  // The adapter's own tokenizer files (when it has them) win over the base's.
  for (const auto& e : fs::directory_iterator(adapter_dir, ec))
    if (e.path().filename().string().rfind("tokenizer", 0) == 0 ||
        e.path().filename().string() == "special_tokens_map.json")
      fs::copy_file(e.path(), out + "/" + e.path().filename().string(), fs::copy_options::overwrite_existing, ec);
  return out;
}

const bool kRegistered = [] {
  adapter_resolver() = &ResolveAdapter;
  return true;
}();

}  // namespace
}  // namespace mhub::cli
