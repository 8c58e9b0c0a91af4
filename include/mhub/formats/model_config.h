// config.json: typed model configurations with transformers' defaults for missing fields.
//
// LoadModelConfig reads any config.json. The common fields (PretrainedConfig) are always filled;
// one of the family structs is filled when model_type is one mhub knows:
//   bert, roberta, xlm-roberta -> `bert`      distilbert -> `distilbert`      gpt2 -> `gpt2`
//   llama, mistral, qwen2      -> `llama` (one decoder family; defaults differ per model_type)
// Other model types load with only the common fields. Unknown fields are kept in `raw` and
// ToJson writes them back, so a config survives a load/save round trip.
// Aliases accepted as transformers does: GPT-2 hidden_size/num_hidden_layers/num_attention_heads/
// max_position_embeddings, DistilBERT hidden_size/num_hidden_layers/num_attention_heads, "dtype"
// for "torch_dtype", and transformers v5 `rope_parameters` for rope_theta/rope_scaling.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/result.h"
#include "mhub/formats/generation_config.h"

namespace mhub::formats {

inline constexpr std::string_view kModelConfigName = "config.json";

// BertConfig; RobertaConfig shares it (roberta defaults differ only in special token ids).
struct BertConfig {
  int64_t vocab_size = 30522;
  int64_t hidden_size = 768;
  int64_t num_hidden_layers = 12;
  int64_t num_attention_heads = 12;
  int64_t intermediate_size = 3072;
  std::string hidden_act = "gelu";  // "gelu" = erf GELU; "gelu_new"/"gelu_pytorch_tanh" = tanh form
  double hidden_dropout_prob = 0.1;
  double attention_probs_dropout_prob = 0.1;
  int64_t max_position_embeddings = 512;
  int64_t type_vocab_size = 2;
  double layer_norm_eps = 1e-12;
  double initializer_range = 0.02;
  std::string position_embedding_type = "absolute";
  std::optional<double> classifier_dropout;
};

struct DistilBertConfig {
  int64_t vocab_size = 30522;
  int64_t dim = 768;
  int64_t n_layers = 6;
  int64_t n_heads = 12;
  int64_t hidden_dim = 3072;
  std::string activation = "gelu";
  int64_t max_position_embeddings = 512;
  bool sinusoidal_pos_embds = false;
  double dropout = 0.1;
  double attention_dropout = 0.1;
  double qa_dropout = 0.1;
  double seq_classif_dropout = 0.2;
  double initializer_range = 0.02;
  double layer_norm_eps = 1e-12;  // not a config field: fixed in transformers' DistilBERT modules
};

struct Gpt2Config {
  int64_t vocab_size = 50257;
  int64_t n_positions = 1024;
  int64_t n_embd = 768;
  int64_t n_layer = 12;
  int64_t n_head = 12;
  std::optional<int64_t> n_inner;  // null = 4 * n_embd
  std::string activation_function = "gelu_new";
  double resid_pdrop = 0.1;
  double embd_pdrop = 0.1;
  double attn_pdrop = 0.1;
  double layer_norm_epsilon = 1e-5;
  double initializer_range = 0.02;
  bool scale_attn_weights = true;
  bool scale_attn_by_inverse_layer_idx = false;
  bool reorder_and_upcast_attn = false;

  int64_t inner_dim() const { return n_inner.value_or(4 * n_embd); }
};

// rope_scaling (or v5 rope_parameters). `rope_type` also reads the legacy key "type".
struct RopeScaling {
  std::string rope_type = "default";  // "linear", "dynamic", "yarn", "longrope", "llama3", ...
  double factor = 1.0;
  double low_freq_factor = 1.0;   // llama3
  double high_freq_factor = 4.0;  // llama3
  std::optional<int64_t> original_max_position_embeddings;
  bool has_factor = false;  // "factor" given (yarn/longrope derive it from max_position_embeddings otherwise)
  // yarn / longrope: cos/sin multiplier; absent = derived from factor (and mscale, mscale_all_dim).
  std::optional<double> attention_factor;
  std::optional<double> mscale, mscale_all_dim;   // yarn
  double beta_fast = 32.0;                        // yarn (null or 0 = 32)
  double beta_slow = 1.0;                         // yarn (null or 0 = 1)
  bool truncate = true;                           // yarn
  std::vector<double> short_factor, long_factor;  // longrope
  Json raw = Json::object();                      // every key as read
};

// LlamaConfig, MistralConfig and Qwen2Config (same tensors; Qwen2 adds q/k/v biases).
// Defaults are set per model_type by the parser; the values below are Llama's.
struct LlamaConfig {
  int64_t vocab_size = 32000;
  int64_t hidden_size = 4096;
  int64_t intermediate_size = 11008;
  int64_t num_hidden_layers = 32;
  int64_t num_attention_heads = 32;
  int64_t num_key_value_heads = 32;  // null/missing = num_attention_heads (Mistral: 8)
  int64_t head_dim = 128;            // null/missing = hidden_size / num_attention_heads
  std::string hidden_act = "silu";
  int64_t max_position_embeddings = 2048;
  double rms_norm_eps = 1e-6;
  double initializer_range = 0.02;
  double rope_theta = 10000.0;
  std::optional<RopeScaling> rope_scaling;  // absent or rope_type "default": plain RoPE
  bool attention_bias = false;              // Llama: bias on q, k, v and o projections
  bool qkv_bias = false;                    // Qwen2: bias on q, k, v only (always true for qwen2)
  bool mlp_bias = false;
  double attention_dropout = 0.0;
  int64_t pretraining_tp = 1;
  // Mistral: the window (null = none; default 4096). Qwen2: applies only when use_sliding_window.
  std::optional<int64_t> sliding_window;
  bool use_sliding_window = false;  // Qwen2
  int64_t max_window_layers = 28;   // Qwen2
  // Per layer "full_attention" / "sliding_attention" when the config lists them (transformers >= 4.53);
  // empty = derived (Mistral: every layer; Qwen2: layers >= max_window_layers when use_sliding_window).
  std::vector<std::string> layer_types;
  // Top-level original_max_position_embeddings (Phi-3 style longrope configs); rope_scaling's wins.
  std::optional<int64_t> original_max_position_embeddings;
};

struct ModelConfig {
  // Common (PretrainedConfig) fields.
  std::string model_type;                  // "" when the file has none
  std::vector<std::string> architectures;  // e.g. {"LlamaForCausalLM"}
  std::string torch_dtype;                 // "float32", "bfloat16", ...; "" when absent
  std::optional<int64_t> bos_token_id;
  std::optional<int64_t> pad_token_id;
  std::optional<int64_t> decoder_start_token_id;
  std::vector<int64_t> eos_token_ids;  // "eos_token_id": int or list; empty when null
  bool eos_token_id_is_list = false;
  bool tie_word_embeddings = true;          // Llama/Mistral/Qwen2 default false
  std::map<int64_t, std::string> id2label;  // always filled: LABEL_i for num_labels (default 2)
  std::map<std::string, int64_t> label2id;
  std::string problem_type;  // "", "regression", "single_label_classification", "multi_label_classification"

  // The family part: at most one is set (see the top of this file).
  std::optional<BertConfig> bert;
  std::optional<DistilBertConfig> distilbert;
  std::optional<Gpt2Config> gpt2;
  std::optional<LlamaConfig> llama;

  // The JSON as read; unknown fields live here.
  Json raw = Json::object();

  int64_t num_labels() const { return static_cast<int64_t>(id2label.size()); }
  // Main sizes across families (0 when the family is unknown).
  int64_t vocab_size() const;
  int64_t hidden_size() const;
  int64_t num_hidden_layers() const;
  int64_t num_attention_heads() const;
  int64_t max_position_embeddings() const;

  // `raw` with every typed field written over it (what save_pretrained writes).
  Json ToJson() const;
};

// Parses a config.json object. InvalidArgument naming the field on a wrong type or an impossible
// value (e.g. hidden_size not divisible by num_attention_heads without an explicit head_dim).
Result<ModelConfig> ParseModelConfig(const Json& json);
// `path_or_json`: a config.json file, a folder holding one, or the JSON text itself (starts with '{').
// NotFound when the file is missing.
Result<ModelConfig> LoadModelConfig(const std::string& path_or_json);
// Writes ToJson() (indent 2, sorted keys) atomically; `path` is a file or a folder (then config.json).
Status SaveModelConfig(const ModelConfig& config, const std::string& path);

// GenerationConfig.from_model_config: defaults with the model's bos/eos/pad/decoder_start ids.
GenerationConfig GenerationConfigFromModelConfig(const ModelConfig& config);

}  // namespace mhub::formats
