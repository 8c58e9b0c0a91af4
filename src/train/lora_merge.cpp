// MergeAdapterIntoFolder: base folder + PEFT adapter -> a plain model folder, on the safetensors
// bytes alone (what `mhub run` loads when given an adapter).
#include <cmath>
#include <cstring>
#include <filesystem>

#include "mhub/base/env.h"
#include "mhub/formats/safetensors.h"
#include "mhub/train/lora.h"

namespace mhub::train {
namespace fs = std::filesystem;

Status MergeAdapterIntoFolder(const std::string& base_dir, const std::string& adapter_dir, const std::string& out_dir) {
  MHUB_ASSIGN_OR_RETURN(std::string text, ReadFile(adapter_dir + "/adapter_config.json"));
  MHUB_ASSIGN_OR_RETURN(Json j, ParseJson(text, adapter_dir + "/adapter_config.json"));
  MHUB_ASSIGN_OR_RETURN(LoraConfig cfg, LoraConfigFromJson(j));
  MHUB_ASSIGN_OR_RETURN(auto adapter, formats::SafetensorsFile::Open(adapter_dir + "/adapter_model.safetensors"));
  MHUB_ASSIGN_OR_RETURN(auto base, formats::ShardedCheckpoint::Open(base_dir));
  const double s = cfg.scaling();
  const std::string prefix = "base_model.model.";
  // Merged tensors, by base name (owned here until written).
  std::map<std::string, std::vector<float>> merged;
  auto f32 = [&](const formats::TensorView& t, const std::string& what) -> Result<std::span<const float>> {
    if (t.dtype != formats::Dtype::kF32)
      return Status::Unsupported("merging a LoRA adapter: " + what + " '" + t.name + "' is not f32");
    return std::span<const float>(reinterpret_cast<const float*>(t.data), size_t(t.numel()));
  };
  for (const auto& t : adapter->tensors()) {
    if (t.name.rfind(prefix, 0) != 0)
      return Status::Corruption(adapter_dir + ": tensor '" + t.name + "' lacks PEFT's base_model.model. prefix");
    const std::string rest = t.name.substr(prefix.size());
    if (rest.ends_with(".lora_B.weight")) continue;  // taken with its lora_A
    if (!rest.ends_with(".lora_A.weight")) {         // modules_to_save: replaces the base tensor
      const formats::TensorView* b = base->Find(rest);
      if (b == nullptr || b->numel() != t.numel())
        return Status::Corruption(adapter_dir + ": '" + t.name + "' has no base tensor of its size");
      MHUB_ASSIGN_OR_RETURN(auto v, f32(t, "adapter tensor"));
      merged[rest].assign(v.begin(), v.end());
      continue;
    }
    const std::string path = rest.substr(0, rest.size() - std::string(".lora_A.weight").size());
    const formats::TensorView* bt = adapter->Find(prefix + path + ".lora_B.weight");
    const formats::TensorView* w = base->Find(path + ".weight");
    if (bt == nullptr) return Status::Corruption(adapter_dir + ": '" + t.name + "' has no lora_B");
    if (w == nullptr) return Status::NotFound(base_dir + " has no weight '" + path + ".weight' for the adapter");
    MHUB_ASSIGN_OR_RETURN(auto A, f32(t, "adapter tensor"));
    MHUB_ASSIGN_OR_RETURN(auto B, f32(*bt, "adapter tensor"));
    MHUB_ASSIGN_OR_RETURN(auto W, f32(*w, "base weight"));
    if (t.shape.size() != 2 || bt->shape.size() != 2 || w->shape.size() != 2 || t.shape[0] != bt->shape[1])
      return Status::Corruption(adapter_dir + ": lora_A/lora_B of '" + path + "' do not chain");
    const int64_t r = t.shape[0], in = t.shape[1], out = bt->shape[0];
    const bool tr = cfg.fan_in_fan_out;
    if ((tr ? w->shape[0] : w->shape[1]) != in || (tr ? w->shape[1] : w->shape[0]) != out)
      return Status::Corruption(adapter_dir + ": adapter of '" + path + "' does not fit the base weight's shape");
    std::vector<float> m(W.begin(), W.end());
    for (int64_t o = 0; o < out; ++o)
      for (int64_t i = 0; i < in; ++i) {
        float d = 0;
        for (int64_t k = 0; k < r; ++k) d += B[o * r + k] * A[k * in + i];
        m[tr ? i * out + o : o * in + i] += float(s) * d;
      }
    merged[path + ".weight"] = std::move(m);
  }
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) return Status::IOError("creating " + out_dir + ": " + ec.message());
  std::vector<formats::TensorView> views;
  for (const auto& name : base->names()) {
    formats::TensorView v = *base->Find(name);
    if (auto it = merged.find(name); it != merged.end())
      v.data = reinterpret_cast<const uint8_t*>(it->second.data()), v.nbytes = it->second.size() * sizeof(float);
    views.push_back(v);
  }
  MHUB_RETURN_IF_ERROR(formats::WriteSafetensors(out_dir + "/model.safetensors", views));
  // Everything else the base folder holds (config, tokenizer, generation config) goes along.
  for (const auto& e : fs::directory_iterator(base_dir, ec)) {
    const std::string f = e.path().filename().string();
    if (!e.is_regular_file() || f.rfind("model", 0) == 0 || f.rfind("adapter_", 0) == 0 || f.ends_with(".safetensors"))
      continue;
    fs::copy_file(e.path(), out_dir + "/" + f, fs::copy_options::overwrite_existing, ec);
    if (ec) return Status::IOError("copying " + f + " into " + out_dir + ": " + ec.message());
  }
  return Status::OK();
}

}  // namespace mhub::train
