// generation_config.json with transformers' GenerationConfig defaults.
#include "mhub/formats/generation_config.h"

#include <filesystem>

#include "formats/config_fields.h"
#include "mhub/base/env.h"

namespace mhub::formats {

namespace fs = std::filesystem;

namespace {

constexpr const char* kWhat = "generation_config.json";

}  // namespace

int64_t GenerationConfig::MaxNewTokensFor(int64_t prompt_length) const {
  if (max_new_tokens) return *max_new_tokens;
  return std::max<int64_t>(0, max_length - prompt_length);
}

Result<GenerationConfig> ParseGenerationConfig(const Json& json) {
  if (!json.is_object()) return Status::InvalidArgument(std::string(kWhat) + ": expected an object");
  ConfigFieldReader r(json, kWhat);
  GenerationConfig g;
  g.raw = json;
  MHUB_RETURN_IF_ERROR(r.Int("max_length", &g.max_length));
  MHUB_RETURN_IF_ERROR(r.OptInt("max_new_tokens", &g.max_new_tokens));
  MHUB_RETURN_IF_ERROR(r.Int("min_length", &g.min_length));
  MHUB_RETURN_IF_ERROR(r.OptInt("min_new_tokens", &g.min_new_tokens));
  if (const Json* es = r.Get("early_stopping"); es != nullptr && !es->is_null()) {
    if (es->is_boolean()) {
      g.early_stopping = es->get<bool>() ? EarlyStopping::kTrue : EarlyStopping::kFalse;
    } else if (es->is_string() && es->get<std::string>() == "never") {
      g.early_stopping = EarlyStopping::kNever;
    } else {
      return r.TypeError("early_stopping", "true, false or \"never\"", *es);
    }
  }
  MHUB_RETURN_IF_ERROR(r.OptDouble("max_time", &g.max_time));
  MHUB_RETURN_IF_ERROR(r.StringList("stop_strings", &g.stop_strings));
  MHUB_RETURN_IF_ERROR(r.Bool("do_sample", &g.do_sample));
  MHUB_RETURN_IF_ERROR(r.Int("num_beams", &g.num_beams));
  MHUB_RETURN_IF_ERROR(r.Int("num_beam_groups", &g.num_beam_groups));
  MHUB_RETURN_IF_ERROR(r.OptDouble("penalty_alpha", &g.penalty_alpha));
  MHUB_RETURN_IF_ERROR(r.Bool("use_cache", &g.use_cache));
  MHUB_RETURN_IF_ERROR(r.Double("temperature", &g.temperature));
  MHUB_RETURN_IF_ERROR(r.Int("top_k", &g.top_k));
  MHUB_RETURN_IF_ERROR(r.Double("top_p", &g.top_p));
  MHUB_RETURN_IF_ERROR(r.OptDouble("min_p", &g.min_p));
  MHUB_RETURN_IF_ERROR(r.Double("typical_p", &g.typical_p));
  MHUB_RETURN_IF_ERROR(r.Double("epsilon_cutoff", &g.epsilon_cutoff));
  MHUB_RETURN_IF_ERROR(r.Double("eta_cutoff", &g.eta_cutoff));
  MHUB_RETURN_IF_ERROR(r.Double("diversity_penalty", &g.diversity_penalty));
  MHUB_RETURN_IF_ERROR(r.Double("repetition_penalty", &g.repetition_penalty));
  MHUB_RETURN_IF_ERROR(r.Double("encoder_repetition_penalty", &g.encoder_repetition_penalty));
  MHUB_RETURN_IF_ERROR(r.Double("length_penalty", &g.length_penalty));
  MHUB_RETURN_IF_ERROR(r.Int("no_repeat_ngram_size", &g.no_repeat_ngram_size));
  if (const Json* bad = r.Get("bad_words_ids"); bad != nullptr && !bad->is_null()) {
    if (!bad->is_array()) return r.TypeError("bad_words_ids", "a list of lists of integers", *bad);
    for (const Json& seq : *bad) {
      if (!seq.is_array()) return r.TypeError("bad_words_ids", "a list of lists of integers", *bad);
      std::vector<int64_t> ids;
      for (const Json& id : seq) {
        int64_t v = 0;
        if (!JsonToInt(id, &v)) return r.TypeError("bad_words_ids", "a list of lists of integers", *bad);
        ids.push_back(v);
      }
      g.bad_words_ids.push_back(std::move(ids));
    }
  }
  MHUB_RETURN_IF_ERROR(r.IntList("suppress_tokens", &g.suppress_tokens));
  MHUB_RETURN_IF_ERROR(r.IntList("begin_suppress_tokens", &g.begin_suppress_tokens));
  MHUB_RETURN_IF_ERROR(r.OptInt("forced_bos_token_id", &g.forced_bos_token_id));
  if (const Json* forced = r.Get("forced_eos_token_id"); forced != nullptr && !forced->is_array()) {
    MHUB_RETURN_IF_ERROR(r.OptInt("forced_eos_token_id", &g.forced_eos_token_id));
  }
  MHUB_RETURN_IF_ERROR(r.Bool("renormalize_logits", &g.renormalize_logits));
  MHUB_RETURN_IF_ERROR(r.Int("num_return_sequences", &g.num_return_sequences));
  MHUB_RETURN_IF_ERROR(r.OptInt("bos_token_id", &g.bos_token_id));
  MHUB_RETURN_IF_ERROR(r.OptInt("pad_token_id", &g.pad_token_id));
  MHUB_RETURN_IF_ERROR(r.OptInt("decoder_start_token_id", &g.decoder_start_token_id));
  MHUB_RETURN_IF_ERROR(r.IntOrList("eos_token_id", &g.eos_token_ids, &g.eos_token_id_is_list));
  return g;
}

Json GenerationConfig::ToJson() const {
  Json j = raw.is_object() ? raw : Json::object();
  j["max_length"] = max_length;
  SetOptional(j, "max_new_tokens", max_new_tokens);
  j["min_length"] = min_length;
  SetOptional(j, "min_new_tokens", min_new_tokens);
  switch (early_stopping) {
    case EarlyStopping::kFalse:
      j["early_stopping"] = false;
      break;
    case EarlyStopping::kTrue:
      j["early_stopping"] = true;
      break;
    case EarlyStopping::kNever:
      j["early_stopping"] = "never";
      break;
  }
  SetOptional(j, "max_time", max_time);
  if (!stop_strings.empty()) j["stop_strings"] = stop_strings;
  j["do_sample"] = do_sample;
  j["num_beams"] = num_beams;
  j["num_beam_groups"] = num_beam_groups;
  SetOptional(j, "penalty_alpha", penalty_alpha);
  j["use_cache"] = use_cache;
  j["temperature"] = temperature;
  j["top_k"] = top_k;
  j["top_p"] = top_p;
  SetOptional(j, "min_p", min_p);
  j["typical_p"] = typical_p;
  j["epsilon_cutoff"] = epsilon_cutoff;
  j["eta_cutoff"] = eta_cutoff;
  j["diversity_penalty"] = diversity_penalty;
  j["repetition_penalty"] = repetition_penalty;
  j["encoder_repetition_penalty"] = encoder_repetition_penalty;
  j["length_penalty"] = length_penalty;
  j["no_repeat_ngram_size"] = no_repeat_ngram_size;
  if (!bad_words_ids.empty()) j["bad_words_ids"] = bad_words_ids;
  if (!suppress_tokens.empty()) j["suppress_tokens"] = suppress_tokens;
  if (!begin_suppress_tokens.empty()) j["begin_suppress_tokens"] = begin_suppress_tokens;
  SetOptional(j, "forced_bos_token_id", forced_bos_token_id);
  if (forced_eos_token_id) j["forced_eos_token_id"] = *forced_eos_token_id;
  j["renormalize_logits"] = renormalize_logits;
  j["num_return_sequences"] = num_return_sequences;
  SetOptional(j, "bos_token_id", bos_token_id);
  SetOptional(j, "pad_token_id", pad_token_id);
  SetOptional(j, "decoder_start_token_id", decoder_start_token_id);
  SetIntOrList(j, "eos_token_id", eos_token_ids, eos_token_id_is_list);
  return j;
}

Result<GenerationConfig> LoadGenerationConfig(const std::string& path) {
  std::error_code ec;
  std::string file = path;
  if (fs::is_directory(path, ec)) file = (fs::path(path) / kGenerationConfigName).string();
  MHUB_ASSIGN_OR_RETURN(std::string text, ReadFile(file));
  MHUB_ASSIGN_OR_RETURN(Json j, ParseJson(text, file));
  auto g = ParseGenerationConfig(j);
  if (!g.ok()) return g.status().WithContext(file);
  return g;
}

Status SaveGenerationConfig(const GenerationConfig& config, const std::string& path) {
  std::error_code ec;
  std::string file = path;
  if (fs::is_directory(path, ec)) file = (fs::path(path) / kGenerationConfigName).string();
  return WriteFileAtomic(file, DumpJson(config.ToJson(), 2) + "\n");
}

}  // namespace mhub::formats
