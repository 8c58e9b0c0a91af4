// `mhub inspect PATH [--json]`: what a checkpoint holds. PATH is a .safetensors file, a
// model.safetensors.index.json, a config.json, or a model folder (config.json + single or sharded
// safetensors). Prints each tensor (name, dtype, shape, bytes), the total parameter count, the
// safetensors metadata and a config summary; --json prints the same as one JSON object.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <optional>

#include "command_registry.h"
#include "mhub/base/json.h"
#include "mhub/formats/model_config.h"
#include "mhub/formats/safetensors.h"

namespace {

namespace fs = std::filesystem;
using mhub::Json;
using mhub::formats::ModelConfig;
using mhub::formats::ShardedCheckpoint;

struct InspectOptions {
  std::string path;
  std::string revision = "main";
  bool json = false;
};

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string ShapeText(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

// What PATH resolves to: weights, config, or both.
struct Inspected {
  std::shared_ptr<const ShardedCheckpoint> checkpoint;
  std::optional<ModelConfig> config;
};

mhub::Result<Inspected> Load(const std::string& path) {
  Inspected out;
  std::error_code ec;
  if (!fs::exists(path, ec)) return mhub::Status::NotFound("no such file or folder: " + path);
  const bool is_dir = fs::is_directory(path, ec);
  const std::string name = fs::path(path).filename().string();
  const bool config_only = !is_dir && EndsWith(name, ".json") && !EndsWith(name, ".index.json");
  if (config_only || is_dir) {
    std::string config_path = config_only ? path : (fs::path(path) / mhub::formats::kModelConfigName).string();
    if (config_only || fs::exists(config_path, ec)) {
      MHUB_ASSIGN_OR_RETURN(ModelConfig config, mhub::formats::LoadModelConfig(config_path));
      out.config = std::move(config);
    }
  }
  if (!config_only) {
    auto checkpoint = ShardedCheckpoint::Open(path);
    if (checkpoint.ok()) {
      out.checkpoint = std::move(checkpoint).value();
    } else if (!(is_dir && out.config && checkpoint.status().code() == mhub::StatusCode::kNotFound)) {
      return checkpoint.status();
    }
  }
  return out;
}

Json ConfigSummary(const ModelConfig& c) {
  Json j = {{"model_type", c.model_type},
            {"architectures", c.architectures},
            {"torch_dtype", c.torch_dtype},
            {"vocab_size", c.vocab_size()},
            {"hidden_size", c.hidden_size()},
            {"num_hidden_layers", c.num_hidden_layers()},
            {"num_attention_heads", c.num_attention_heads()},
            {"max_position_embeddings", c.max_position_embeddings()},
            {"tie_word_embeddings", c.tie_word_embeddings},
            {"num_labels", c.num_labels()}};
  if (c.llama) {
    j["num_key_value_heads"] = c.llama->num_key_value_heads;
    j["head_dim"] = c.llama->head_dim;
    j["intermediate_size"] = c.llama->intermediate_size;
    j["rope_theta"] = c.llama->rope_theta;
    if (c.llama->rope_scaling) j["rope_scaling"] = c.llama->rope_scaling->rope_type;
  }
  if (c.bert) j["intermediate_size"] = c.bert->intermediate_size;
  if (c.distilbert) j["intermediate_size"] = c.distilbert->hidden_dim;
  if (c.gpt2) j["intermediate_size"] = c.gpt2->inner_dim();
  return j;
}

Json ToJson(const Inspected& in) {
  Json out = Json::object();
  if (in.checkpoint) {
    const ShardedCheckpoint& ck = *in.checkpoint;
    out["index"] = ck.index_path().empty() ? Json(nullptr) : Json(ck.index_path());
    Json shards = Json::array();
    for (const auto& s : ck.shards()) {
      shards.push_back({{"file", s->path()}, {"tensors", s->size()}, {"bytes", s->data_bytes()}});
    }
    out["shards"] = std::move(shards);
    out["metadata"] = ck.metadata();
    Json tensors = Json::array();
    for (const std::string& name : ck.names()) {
      const auto* t = ck.Find(name);
      tensors.push_back({{"name", name},
                         {"dtype", std::string(mhub::formats::DtypeName(t->dtype))},
                         {"shape", t->shape},
                         {"parameters", t->numel()},
                         {"bytes", t->nbytes},
                         {"shard", fs::path(ck.ShardOf(name)->path()).filename().string()}});
    }
    out["tensors"] = std::move(tensors);
    out["total_parameters"] = ck.total_parameters();
    out["total_bytes"] = ck.total_bytes();
  } else {
    out["tensors"] = nullptr;
  }
  out["config"] = in.config ? ConfigSummary(*in.config) : Json(nullptr);
  return out;
}

void PrintText(const Inspected& in) {
  if (in.checkpoint) {
    const ShardedCheckpoint& ck = *in.checkpoint;
    if (ck.index_path().empty()) {
      std::cout << "file: " << ck.shards().front()->path() << "\n";
    } else {
      std::cout << "index: " << ck.index_path() << " (" << ck.shards().size() << " shards)\n";
    }
    std::cout << "metadata:";
    if (ck.metadata().empty()) std::cout << " (none)";
    for (const auto& [k, v] : ck.metadata()) std::cout << " " << k << "=" << v;
    std::cout << "\n";
    size_t name_width = 4, shape_width = 5;
    for (const std::string& name : ck.names()) {
      name_width = std::max(name_width, name.size());
      shape_width = std::max(shape_width, ShapeText(ck.Find(name)->shape).size());
    }
    std::cout << "tensors: " << ck.size() << "\n";
    for (const std::string& name : ck.names()) {
      const auto* t = ck.Find(name);
      std::string dtype(mhub::formats::DtypeName(t->dtype));
      std::string shape = ShapeText(t->shape);
      std::cout << "  " << name << std::string(name_width - name.size() + 2, ' ') << dtype
                << std::string(dtype.size() < 12 ? 12 - dtype.size() : 1, ' ') << shape
                << std::string(shape_width - shape.size() + 2, ' ') << t->nbytes << "\n";
    }
    std::cout << "total parameters: " << ck.total_parameters() << "\n";
    std::cout << "total bytes: " << ck.total_bytes() << "\n";
  } else {
    std::cout << "weights: none\n";
  }
  if (in.config) {
    Json s = ConfigSummary(*in.config);
    std::cout << "config:";
    for (const char* key :
         {"model_type", "architectures", "torch_dtype", "vocab_size", "hidden_size", "num_hidden_layers",
          "num_attention_heads", "num_key_value_heads", "head_dim", "intermediate_size", "max_position_embeddings",
          "tie_word_embeddings", "rope_theta", "rope_scaling", "num_labels"}) {
      if (!s.contains(key)) continue;
      const Json& v = s[key];
      std::string text;
      if (v.is_string()) {
        text = v.get<std::string>();
      } else if (v.is_array()) {
        for (const auto& e : v) text += (text.empty() ? "" : ",") + e.get<std::string>();
      } else {
        text = mhub::DumpJson(v);
      }
      if (text.empty()) continue;
      std::cout << " " << key << "=" << text;
    }
    std::cout << "\n";
  }
}

}  // namespace

MHUB_REGISTER_COMMAND(inspect) {
  auto* sub = app.add_subcommand("inspect", "Show tensors, dtypes, shapes, parameter count and config of a checkpoint");
  auto opts = std::make_shared<InspectOptions>();
  sub->add_option("path", opts->path,
                  "a .safetensors file, model.safetensors.index.json, config.json, model folder or hub repo id")
      ->required();
  sub->add_option("--revision", opts->revision, "revision for hub repo ids");
  sub->add_flag("--json", opts->json, "print one JSON object");
  return [opts]() -> int {
    auto where = mhub::cli::ResolveLocalOrRepo(opts->path, opts->revision, {"*.json", "*.safetensors"});
    if (!where.ok()) return mhub::cli::print_error(where.status());
    auto inspected = Load(*where);
    if (!inspected.ok()) return mhub::cli::print_error(inspected.status());
    if (opts->json) {
      std::cout << mhub::DumpJson(ToJson(*inspected)) << "\n";
    } else {
      PrintText(*inspected);
    }
    return 0;
  };
}
