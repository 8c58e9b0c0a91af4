// config.json parsing with transformers' per-class defaults (configuration_<model>.py).
#include "mhub/formats/model_config.h"

#include <filesystem>

#include "formats/config_fields.h"
#include "mhub/base/env.h"

namespace mhub::formats {

namespace fs = std::filesystem;

namespace {

constexpr const char* kWhat = "config.json";

bool IsBertFamily(const std::string& t) { return t == "bert" || t == "roberta" || t == "xlm-roberta"; }
bool IsLlamaFamily(const std::string& t) { return t == "llama" || t == "mistral" || t == "qwen2"; }

Status ParseBert(const ConfigFieldReader& r, BertConfig* c) {
  MHUB_RETURN_IF_ERROR(r.Int("vocab_size", &c->vocab_size));
  MHUB_RETURN_IF_ERROR(r.Int("hidden_size", &c->hidden_size));
  MHUB_RETURN_IF_ERROR(r.Int("num_hidden_layers", &c->num_hidden_layers));
  MHUB_RETURN_IF_ERROR(r.Int("num_attention_heads", &c->num_attention_heads));
  MHUB_RETURN_IF_ERROR(r.Int("intermediate_size", &c->intermediate_size));
  MHUB_RETURN_IF_ERROR(r.String("hidden_act", &c->hidden_act));
  MHUB_RETURN_IF_ERROR(r.Double("hidden_dropout_prob", &c->hidden_dropout_prob));
  MHUB_RETURN_IF_ERROR(r.Double("attention_probs_dropout_prob", &c->attention_probs_dropout_prob));
  MHUB_RETURN_IF_ERROR(r.Int("max_position_embeddings", &c->max_position_embeddings));
  MHUB_RETURN_IF_ERROR(r.Int("type_vocab_size", &c->type_vocab_size));
  MHUB_RETURN_IF_ERROR(r.Double("layer_norm_eps", &c->layer_norm_eps));
  MHUB_RETURN_IF_ERROR(r.Double("initializer_range", &c->initializer_range));
  MHUB_RETURN_IF_ERROR(r.String("position_embedding_type", &c->position_embedding_type));
  MHUB_RETURN_IF_ERROR(r.OptDouble("classifier_dropout", &c->classifier_dropout));
  if (c->num_attention_heads <= 0 || c->hidden_size % c->num_attention_heads != 0) {
    return Status::InvalidArgument(std::string(kWhat) + ": hidden_size " + std::to_string(c->hidden_size) +
                                   " is not a multiple of num_attention_heads " +
                                   std::to_string(c->num_attention_heads));
  }
  return Status::OK();
}

Status ParseDistilBert(const ConfigFieldReader& r, DistilBertConfig* c) {
  MHUB_RETURN_IF_ERROR(r.Int("vocab_size", &c->vocab_size));
  // attribute_map aliases first, the canonical names win.
  MHUB_RETURN_IF_ERROR(r.Int("hidden_size", &c->dim));
  MHUB_RETURN_IF_ERROR(r.Int("num_hidden_layers", &c->n_layers));
  MHUB_RETURN_IF_ERROR(r.Int("num_attention_heads", &c->n_heads));
  MHUB_RETURN_IF_ERROR(r.Int("dim", &c->dim));
  MHUB_RETURN_IF_ERROR(r.Int("n_layers", &c->n_layers));
  MHUB_RETURN_IF_ERROR(r.Int("n_heads", &c->n_heads));
  MHUB_RETURN_IF_ERROR(r.Int("hidden_dim", &c->hidden_dim));
  MHUB_RETURN_IF_ERROR(r.String("activation", &c->activation));
  MHUB_RETURN_IF_ERROR(r.Int("max_position_embeddings", &c->max_position_embeddings));
  MHUB_RETURN_IF_ERROR(r.Bool("sinusoidal_pos_embds", &c->sinusoidal_pos_embds));
  MHUB_RETURN_IF_ERROR(r.Double("dropout", &c->dropout));
  MHUB_RETURN_IF_ERROR(r.Double("attention_dropout", &c->attention_dropout));
  MHUB_RETURN_IF_ERROR(r.Double("qa_dropout", &c->qa_dropout));
  MHUB_RETURN_IF_ERROR(r.Double("seq_classif_dropout", &c->seq_classif_dropout));
  MHUB_RETURN_IF_ERROR(r.Double("initializer_range", &c->initializer_range));
  if (c->n_heads <= 0 || c->dim % c->n_heads != 0) {
    return Status::InvalidArgument(std::string(kWhat) + ": dim " + std::to_string(c->dim) +
                                   " is not a multiple of n_heads " + std::to_string(c->n_heads));
  }
  return Status::OK();
}

Status ParseGpt2(const ConfigFieldReader& r, Gpt2Config* c) {
  MHUB_RETURN_IF_ERROR(r.Int("vocab_size", &c->vocab_size));
  MHUB_RETURN_IF_ERROR(r.Int("max_position_embeddings", &c->n_positions));
  MHUB_RETURN_IF_ERROR(r.Int("hidden_size", &c->n_embd));
  MHUB_RETURN_IF_ERROR(r.Int("num_hidden_layers", &c->n_layer));
  MHUB_RETURN_IF_ERROR(r.Int("num_attention_heads", &c->n_head));
  MHUB_RETURN_IF_ERROR(r.Int("n_positions", &c->n_positions));
  MHUB_RETURN_IF_ERROR(r.Int("n_embd", &c->n_embd));
  MHUB_RETURN_IF_ERROR(r.Int("n_layer", &c->n_layer));
  MHUB_RETURN_IF_ERROR(r.Int("n_head", &c->n_head));
  MHUB_RETURN_IF_ERROR(r.OptInt("n_inner", &c->n_inner));
  MHUB_RETURN_IF_ERROR(r.String("activation_function", &c->activation_function));
  MHUB_RETURN_IF_ERROR(r.Double("resid_pdrop", &c->resid_pdrop));
  MHUB_RETURN_IF_ERROR(r.Double("embd_pdrop", &c->embd_pdrop));
  MHUB_RETURN_IF_ERROR(r.Double("attn_pdrop", &c->attn_pdrop));
  MHUB_RETURN_IF_ERROR(r.Double("layer_norm_epsilon", &c->layer_norm_epsilon));
  MHUB_RETURN_IF_ERROR(r.Double("initializer_range", &c->initializer_range));
  MHUB_RETURN_IF_ERROR(r.Bool("scale_attn_weights", &c->scale_attn_weights));
  MHUB_RETURN_IF_ERROR(r.Bool("scale_attn_by_inverse_layer_idx", &c->scale_attn_by_inverse_layer_idx));
  MHUB_RETURN_IF_ERROR(r.Bool("reorder_and_upcast_attn", &c->reorder_and_upcast_attn));
  if (c->n_head <= 0 || c->n_embd % c->n_head != 0) {
    return Status::InvalidArgument(std::string(kWhat) + ": n_embd " + std::to_string(c->n_embd) +
                                   " is not a multiple of n_head " + std::to_string(c->n_head));
  }
  return Status::OK();
}

Status ParseRopeScaling(const Json& obj, RopeScaling* s) {
  ConfigFieldReader r(obj, std::string(kWhat) + " rope_scaling");
  if (!obj.is_object()) return r.TypeError("rope_scaling", "an object or null", obj);
  s->raw = obj;
  MHUB_RETURN_IF_ERROR(r.String("type", &s->rope_type));  // legacy spelling
  MHUB_RETURN_IF_ERROR(r.String("rope_type", &s->rope_type));
  MHUB_RETURN_IF_ERROR(r.Double("factor", &s->factor));
  MHUB_RETURN_IF_ERROR(r.Double("low_freq_factor", &s->low_freq_factor));
  MHUB_RETURN_IF_ERROR(r.Double("high_freq_factor", &s->high_freq_factor));
  MHUB_RETURN_IF_ERROR(r.OptInt("original_max_position_embeddings", &s->original_max_position_embeddings));
  s->has_factor = r.Has("factor");
  MHUB_RETURN_IF_ERROR(r.OptDouble("attention_factor", &s->attention_factor));
  MHUB_RETURN_IF_ERROR(r.OptDouble("mscale", &s->mscale));
  MHUB_RETURN_IF_ERROR(r.OptDouble("mscale_all_dim", &s->mscale_all_dim));
  MHUB_RETURN_IF_ERROR(r.Double("beta_fast", &s->beta_fast));
  MHUB_RETURN_IF_ERROR(r.Double("beta_slow", &s->beta_slow));
  if (s->beta_fast == 0.0) s->beta_fast = 32.0;  // transformers: `get("beta_fast") or 32`
  if (s->beta_slow == 0.0) s->beta_slow = 1.0;
  MHUB_RETURN_IF_ERROR(r.Bool("truncate", &s->truncate));
  for (auto [key, out] : {std::pair{"short_factor", &s->short_factor}, std::pair{"long_factor", &s->long_factor}}) {
    const Json* list = r.Get(key);
    if (list == nullptr) continue;
    if (!list->is_array()) return r.TypeError(key, "a list of numbers", *list);
    for (const Json& v : *list) {
      if (!v.is_number()) return r.TypeError(key, "a list of numbers", *list);
      out->push_back(v.get<double>());
    }
  }
  return Status::OK();
}

void ApplyLlamaFamilyDefaults(const std::string& type, LlamaConfig* c) {
  if (type == "mistral") {
    c->intermediate_size = 14336;
    c->num_key_value_heads = 8;
    c->max_position_embeddings = 4096 * 32;
    c->sliding_window = 4096;
  } else if (type == "qwen2") {
    c->vocab_size = 151936;
    c->intermediate_size = 22016;
    c->max_position_embeddings = 32768;
    c->sliding_window = 4096;
    c->qkv_bias = true;
  }
}

Status ParseLlama(const std::string& type, const ConfigFieldReader& r, LlamaConfig* c) {
  ApplyLlamaFamilyDefaults(type, c);
  MHUB_RETURN_IF_ERROR(r.Int("vocab_size", &c->vocab_size));
  MHUB_RETURN_IF_ERROR(r.Int("hidden_size", &c->hidden_size));
  MHUB_RETURN_IF_ERROR(r.Int("intermediate_size", &c->intermediate_size));
  MHUB_RETURN_IF_ERROR(r.Int("num_hidden_layers", &c->num_hidden_layers));
  MHUB_RETURN_IF_ERROR(r.Int("num_attention_heads", &c->num_attention_heads));
  if (type != "mistral") c->num_key_value_heads = c->num_attention_heads;
  MHUB_RETURN_IF_ERROR(r.Int("num_key_value_heads", &c->num_key_value_heads));
  if (r.Get("num_key_value_heads") != nullptr && r.Get("num_key_value_heads")->is_null()) {
    c->num_key_value_heads = c->num_attention_heads;
  }
  if (c->num_attention_heads <= 0 || c->num_key_value_heads <= 0 ||
      c->num_attention_heads % c->num_key_value_heads != 0) {
    return Status::InvalidArgument(
        std::string(kWhat) + ": num_attention_heads " + std::to_string(c->num_attention_heads) +
        " is not a multiple of num_key_value_heads " + std::to_string(c->num_key_value_heads));
  }
  std::optional<int64_t> head_dim;
  MHUB_RETURN_IF_ERROR(r.OptInt("head_dim", &head_dim));
  if (head_dim) {
    c->head_dim = *head_dim;
  } else {
    if (c->hidden_size % c->num_attention_heads != 0) {
      return Status::InvalidArgument(std::string(kWhat) + ": hidden_size " + std::to_string(c->hidden_size) +
                                     " is not a multiple of num_attention_heads " +
                                     std::to_string(c->num_attention_heads) + " and no head_dim is given");
    }
    c->head_dim = c->hidden_size / c->num_attention_heads;
  }
  MHUB_RETURN_IF_ERROR(r.String("hidden_act", &c->hidden_act));
  MHUB_RETURN_IF_ERROR(r.Int("max_position_embeddings", &c->max_position_embeddings));
  MHUB_RETURN_IF_ERROR(r.Double("rms_norm_eps", &c->rms_norm_eps));
  MHUB_RETURN_IF_ERROR(r.Double("initializer_range", &c->initializer_range));
  MHUB_RETURN_IF_ERROR(r.Bool("attention_bias", &c->attention_bias));
  MHUB_RETURN_IF_ERROR(r.Bool("mlp_bias", &c->mlp_bias));
  MHUB_RETURN_IF_ERROR(r.Double("attention_dropout", &c->attention_dropout));
  MHUB_RETURN_IF_ERROR(r.Int("pretraining_tp", &c->pretraining_tp));
  MHUB_RETURN_IF_ERROR(r.OptInt("sliding_window", &c->sliding_window));
  MHUB_RETURN_IF_ERROR(r.Bool("use_sliding_window", &c->use_sliding_window));
  MHUB_RETURN_IF_ERROR(r.Int("max_window_layers", &c->max_window_layers));
  MHUB_RETURN_IF_ERROR(r.OptInt("original_max_position_embeddings", &c->original_max_position_embeddings));
  if (const Json* types = r.Get("layer_types"); types != nullptr) {
    MHUB_RETURN_IF_ERROR(r.StringList("layer_types", &c->layer_types));
    if (static_cast<int64_t>(c->layer_types.size()) != c->num_hidden_layers) {
      return Status::InvalidArgument(std::string(kWhat) + ": layer_types has " + std::to_string(c->layer_types.size()) +
                                     " entries for " + std::to_string(c->num_hidden_layers) + " layers");
    }
  }

  // RoPE: transformers v5 rope_parameters, or the legacy rope_theta + rope_scaling (which win).
  if (const Json* params = r.Get("rope_parameters"); params != nullptr && params->is_object()) {
    ConfigFieldReader pr(*params, std::string(kWhat) + " rope_parameters");
    MHUB_RETURN_IF_ERROR(pr.Double("rope_theta", &c->rope_theta));
    RopeScaling s;
    MHUB_RETURN_IF_ERROR(ParseRopeScaling(*params, &s));
    s.raw.erase("rope_theta");
    if (s.rope_type != "default") c->rope_scaling = std::move(s);
  }
  MHUB_RETURN_IF_ERROR(r.Double("rope_theta", &c->rope_theta));
  if (const Json* scaling = r.Get("rope_scaling"); scaling != nullptr && !scaling->is_null()) {
    RopeScaling s;
    MHUB_RETURN_IF_ERROR(ParseRopeScaling(*scaling, &s));
    c->rope_scaling = std::move(s);
  }
  return Status::OK();
}

Status ParseLabels(const ConfigFieldReader& r, ModelConfig* c) {
  if (const Json* id2label = r.Get("id2label"); id2label != nullptr && !id2label->is_null()) {
    if (!id2label->is_object()) return r.TypeError("id2label", "an object", *id2label);
    for (auto it = id2label->begin(); it != id2label->end(); ++it) {
      int64_t id = 0;
      try {
        size_t used = 0;
        id = std::stoll(it.key(), &used);
        if (used != it.key().size()) throw std::invalid_argument("trailing");
      } catch (const std::exception&) {
        return Status::InvalidArgument(std::string(kWhat) + ": id2label key '" + it.key() + "' is not an integer");
      }
      if (!it.value().is_string()) return r.TypeError("id2label", "an object of strings", *id2label);
      c->id2label[id] = it.value().get<std::string>();
    }
  }
  if (const Json* label2id = r.Get("label2id"); label2id != nullptr && !label2id->is_null()) {
    if (!label2id->is_object()) return r.TypeError("label2id", "an object", *label2id);
    for (auto it = label2id->begin(); it != label2id->end(); ++it) {
      int64_t id = 0;
      if (!JsonToInt(it.value(), &id)) return r.TypeError("label2id", "an object of integers", *label2id);
      c->label2id[it.key()] = id;
    }
  }
  if (c->id2label.empty()) {
    int64_t n = c->label2id.empty() ? 2 : static_cast<int64_t>(c->label2id.size());
    MHUB_RETURN_IF_ERROR(r.Int("num_labels", &n));
    if (n < 0 || n > 1'000'000) {
      return Status::InvalidArgument(std::string(kWhat) + ": num_labels " + std::to_string(n) + " is out of range");
    }
    if (!c->label2id.empty() && static_cast<int64_t>(c->label2id.size()) == n) {
      for (const auto& [label, id] : c->label2id) c->id2label[id] = label;
    } else {
      for (int64_t i = 0; i < n; ++i) c->id2label[i] = "LABEL_" + std::to_string(i);
    }
  }
  if (c->label2id.empty()) {
    for (const auto& [id, label] : c->id2label) c->label2id[label] = id;
  }
  return Status::OK();
}

Json RopeScalingJson(const RopeScaling& s) {
  Json out = s.raw.is_object() ? s.raw : Json::object();
  out.erase("type");
  out["rope_type"] = s.rope_type;
  // yarn / longrope without a factor derive it from max_position_embeddings: do not invent one.
  if (s.has_factor || (s.rope_type != "yarn" && s.rope_type != "longrope")) out["factor"] = s.factor;
  if (s.rope_type == "llama3") {
    out["low_freq_factor"] = s.low_freq_factor;
    out["high_freq_factor"] = s.high_freq_factor;
  }
  if (s.original_max_position_embeddings) {
    out["original_max_position_embeddings"] = *s.original_max_position_embeddings;
  }
  return out;
}

}  // namespace

int64_t ModelConfig::vocab_size() const {
  if (bert) return bert->vocab_size;
  if (distilbert) return distilbert->vocab_size;
  if (gpt2) return gpt2->vocab_size;
  if (llama) return llama->vocab_size;
  return 0;
}
int64_t ModelConfig::hidden_size() const {
  if (bert) return bert->hidden_size;
  if (distilbert) return distilbert->dim;
  if (gpt2) return gpt2->n_embd;
  if (llama) return llama->hidden_size;
  return 0;
}
int64_t ModelConfig::num_hidden_layers() const {
  if (bert) return bert->num_hidden_layers;
  if (distilbert) return distilbert->n_layers;
  if (gpt2) return gpt2->n_layer;
  if (llama) return llama->num_hidden_layers;
  return 0;
}
int64_t ModelConfig::num_attention_heads() const {
  if (bert) return bert->num_attention_heads;
  if (distilbert) return distilbert->n_heads;
  if (gpt2) return gpt2->n_head;
  if (llama) return llama->num_attention_heads;
  return 0;
}
int64_t ModelConfig::max_position_embeddings() const {
  if (bert) return bert->max_position_embeddings;
  if (distilbert) return distilbert->max_position_embeddings;
  if (gpt2) return gpt2->n_positions;
  if (llama) return llama->max_position_embeddings;
  return 0;
}

Result<ModelConfig> ParseModelConfig(const Json& json) {
  if (!json.is_object()) return Status::InvalidArgument(std::string(kWhat) + ": expected an object");
  ConfigFieldReader r(json, kWhat);
  ModelConfig c;
  c.raw = json;
  MHUB_RETURN_IF_ERROR(r.String("model_type", &c.model_type));
  MHUB_RETURN_IF_ERROR(r.StringList("architectures", &c.architectures));
  MHUB_RETURN_IF_ERROR(r.String("dtype", &c.torch_dtype));
  MHUB_RETURN_IF_ERROR(r.String("torch_dtype", &c.torch_dtype));
  MHUB_RETURN_IF_ERROR(r.String("problem_type", &c.problem_type));

  // Per-class defaults of the common fields.
  const std::string& type = c.model_type;
  if (type == "bert" || type == "distilbert") {
    c.pad_token_id = 0;
  } else if (type == "roberta" || type == "xlm-roberta") {
    c.pad_token_id = 1;
    c.bos_token_id = 0;
    c.eos_token_ids = {2};
  } else if (type == "gpt2") {
    c.bos_token_id = 50256;
    c.eos_token_ids = {50256};
  } else if (type == "llama" || type == "mistral") {
    c.bos_token_id = 1;
    c.eos_token_ids = {2};
  }
  if (IsLlamaFamily(type)) c.tie_word_embeddings = false;
  MHUB_RETURN_IF_ERROR(r.OptInt("bos_token_id", &c.bos_token_id));
  MHUB_RETURN_IF_ERROR(r.OptInt("pad_token_id", &c.pad_token_id));
  MHUB_RETURN_IF_ERROR(r.OptInt("decoder_start_token_id", &c.decoder_start_token_id));
  MHUB_RETURN_IF_ERROR(r.IntOrList("eos_token_id", &c.eos_token_ids, &c.eos_token_id_is_list));
  MHUB_RETURN_IF_ERROR(r.Bool("tie_word_embeddings", &c.tie_word_embeddings));
  MHUB_RETURN_IF_ERROR(ParseLabels(r, &c));

  if (IsBertFamily(type)) {
    BertConfig b;
    MHUB_RETURN_IF_ERROR(ParseBert(r, &b));
    c.bert = std::move(b);
  } else if (type == "distilbert") {
    DistilBertConfig d;
    MHUB_RETURN_IF_ERROR(ParseDistilBert(r, &d));
    c.distilbert = std::move(d);
  } else if (type == "gpt2") {
    Gpt2Config g;
    MHUB_RETURN_IF_ERROR(ParseGpt2(r, &g));
    c.gpt2 = std::move(g);
  } else if (IsLlamaFamily(type)) {
    LlamaConfig l;
    MHUB_RETURN_IF_ERROR(ParseLlama(type, r, &l));
    c.llama = std::move(l);
  }
  return c;
}

Json ModelConfig::ToJson() const {
  Json j = raw.is_object() ? raw : Json::object();
  if (!model_type.empty()) j["model_type"] = model_type;
  if (!architectures.empty()) j["architectures"] = architectures;
  if (!torch_dtype.empty()) {
    if (j.contains("dtype")) j["dtype"] = torch_dtype;
    j["torch_dtype"] = torch_dtype;
  }
  SetOptional(j, "bos_token_id", bos_token_id);
  SetOptional(j, "pad_token_id", pad_token_id);
  SetOptional(j, "decoder_start_token_id", decoder_start_token_id);
  SetIntOrList(j, "eos_token_id", eos_token_ids, eos_token_id_is_list);
  j["tie_word_embeddings"] = tie_word_embeddings;
  Json id2label_json = Json::object();
  for (const auto& [id, label] : id2label) id2label_json[std::to_string(id)] = label;
  j["id2label"] = std::move(id2label_json);
  j["label2id"] = label2id;
  j.erase("num_labels");  // implied by id2label, as transformers saves it
  if (!problem_type.empty()) {
    j["problem_type"] = problem_type;
  } else if (j.contains("problem_type")) {
    j["problem_type"] = nullptr;
  }

  if (bert) {
    const BertConfig& b = *bert;
    j["vocab_size"] = b.vocab_size;
    j["hidden_size"] = b.hidden_size;
    j["num_hidden_layers"] = b.num_hidden_layers;
    j["num_attention_heads"] = b.num_attention_heads;
    j["intermediate_size"] = b.intermediate_size;
    j["hidden_act"] = b.hidden_act;
    j["hidden_dropout_prob"] = b.hidden_dropout_prob;
    j["attention_probs_dropout_prob"] = b.attention_probs_dropout_prob;
    j["max_position_embeddings"] = b.max_position_embeddings;
    j["type_vocab_size"] = b.type_vocab_size;
    j["layer_norm_eps"] = b.layer_norm_eps;
    j["initializer_range"] = b.initializer_range;
    j["position_embedding_type"] = b.position_embedding_type;
    j["classifier_dropout"] = b.classifier_dropout ? Json(*b.classifier_dropout) : Json(nullptr);
  }
  if (distilbert) {
    const DistilBertConfig& d = *distilbert;
    for (const char* alias : {"hidden_size", "num_hidden_layers", "num_attention_heads"}) j.erase(alias);
    j["vocab_size"] = d.vocab_size;
    j["dim"] = d.dim;
    j["n_layers"] = d.n_layers;
    j["n_heads"] = d.n_heads;
    j["hidden_dim"] = d.hidden_dim;
    j["activation"] = d.activation;
    j["max_position_embeddings"] = d.max_position_embeddings;
    j["sinusoidal_pos_embds"] = d.sinusoidal_pos_embds;
    j["dropout"] = d.dropout;
    j["attention_dropout"] = d.attention_dropout;
    j["qa_dropout"] = d.qa_dropout;
    j["seq_classif_dropout"] = d.seq_classif_dropout;
    j["initializer_range"] = d.initializer_range;
  }
  if (gpt2) {
    const Gpt2Config& g = *gpt2;
    for (const char* alias : {"hidden_size", "num_hidden_layers", "num_attention_heads", "max_position_embeddings"}) {
      j.erase(alias);
    }
    j["vocab_size"] = g.vocab_size;
    j["n_positions"] = g.n_positions;
    j["n_embd"] = g.n_embd;
    j["n_layer"] = g.n_layer;
    j["n_head"] = g.n_head;
    j["n_inner"] = g.n_inner ? Json(*g.n_inner) : Json(nullptr);
    j["activation_function"] = g.activation_function;
    j["resid_pdrop"] = g.resid_pdrop;
    j["embd_pdrop"] = g.embd_pdrop;
    j["attn_pdrop"] = g.attn_pdrop;
    j["layer_norm_epsilon"] = g.layer_norm_epsilon;
    j["initializer_range"] = g.initializer_range;
    j["scale_attn_weights"] = g.scale_attn_weights;
    j["scale_attn_by_inverse_layer_idx"] = g.scale_attn_by_inverse_layer_idx;
    j["reorder_and_upcast_attn"] = g.reorder_and_upcast_attn;
  }
  if (llama) {
    const LlamaConfig& l = *llama;
    j["vocab_size"] = l.vocab_size;
    j["hidden_size"] = l.hidden_size;
    j["intermediate_size"] = l.intermediate_size;
    j["num_hidden_layers"] = l.num_hidden_layers;
    j["num_attention_heads"] = l.num_attention_heads;
    j["num_key_value_heads"] = l.num_key_value_heads;
    j["head_dim"] = l.head_dim;
    j["hidden_act"] = l.hidden_act;
    j["max_position_embeddings"] = l.max_position_embeddings;
    j["rms_norm_eps"] = l.rms_norm_eps;
    j["initializer_range"] = l.initializer_range;
    j["attention_dropout"] = l.attention_dropout;
    j["rope_theta"] = l.rope_theta;
    j["rope_scaling"] = l.rope_scaling ? RopeScalingJson(*l.rope_scaling) : Json(nullptr);
    if (j.contains("rope_parameters") && j["rope_parameters"].is_object()) {
      Json params = l.rope_scaling ? RopeScalingJson(*l.rope_scaling) : Json{{"rope_type", "default"}};
      params["rope_theta"] = l.rope_theta;
      j["rope_parameters"] = std::move(params);
    }
    if (model_type == "llama") {
      j["attention_bias"] = l.attention_bias;
      j["mlp_bias"] = l.mlp_bias;
      j["pretraining_tp"] = l.pretraining_tp;
    }
    if (model_type == "mistral" || model_type == "qwen2") {
      j["sliding_window"] = l.sliding_window ? Json(*l.sliding_window) : Json(nullptr);
    }
    if (model_type == "qwen2") {
      j["use_sliding_window"] = l.use_sliding_window;
      j["max_window_layers"] = l.max_window_layers;
    }
  }
  return j;
}

Result<ModelConfig> LoadModelConfig(const std::string& path_or_json) {
  size_t first = path_or_json.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && path_or_json[first] == '{') {
    MHUB_ASSIGN_OR_RETURN(Json j, ParseJson(path_or_json, kWhat));
    return ParseModelConfig(j);
  }
  std::error_code ec;
  std::string path = path_or_json;
  if (fs::is_directory(path, ec)) path = (fs::path(path) / kModelConfigName).string();
  MHUB_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  auto j = ParseJson(text, path);
  if (!j.ok()) return j.status();
  auto config = ParseModelConfig(*j);
  if (!config.ok()) return config.status().WithContext(path);
  return config;
}

Status SaveModelConfig(const ModelConfig& config, const std::string& path) {
  std::error_code ec;
  std::string file = path;
  if (fs::is_directory(path, ec)) file = (fs::path(path) / kModelConfigName).string();
  return WriteFileAtomic(file, DumpJson(config.ToJson(), 2) + "\n");
}

GenerationConfig GenerationConfigFromModelConfig(const ModelConfig& config) {
  GenerationConfig g;
  g.bos_token_id = config.bos_token_id;
  g.pad_token_id = config.pad_token_id;
  g.decoder_start_token_id = config.decoder_start_token_id;
  g.eos_token_ids = config.eos_token_ids;
  g.eos_token_id_is_list = config.eos_token_id_is_list;
  return g;
}

}  // namespace mhub::formats
