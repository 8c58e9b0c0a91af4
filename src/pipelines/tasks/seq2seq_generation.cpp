#include "mhub/pipelines/seq2seq_generation.h"

namespace mhub::pipelines {
namespace {

Status Bad(const char* key, const char* want) {
  return Status::InvalidArgument(std::string("config.json: '") + key + "' must be " + want);
}

}  // namespace

Result<BeamSearchOptions> GenerationDefaults(const models::Model& model) {
  BeamSearchOptions o;
  const models::ModelInfo& info = model.info();
  o.eos_token_ids = info.eos_token_ids;
  o.pad_token_id = info.pad_token_id;
  if (const auto* s2s = dynamic_cast<const models::Seq2SeqLM*>(&model)) {
    o.forced_bos_token_id = s2s->seq2seq_info().forced_bos_token_id;
    o.forced_eos_token_id = s2s->seq2seq_info().forced_eos_token_id;
  }
  const Json& c = model.config_json();
  if (auto it = c.find("bad_words_ids"); it != c.end() && !it->is_null()) {
    if (!it->is_array()) return Bad("bad_words_ids", "a list of id lists");
    for (const Json& word : *it) {
      if (!word.is_array()) return Bad("bad_words_ids", "a list of id lists");
      if (word.size() == 1 && word[0].is_number_integer()) o.bad_token_ids.push_back(word[0].get<int64_t>());
    }
  }
  // Generation keys stored in config.json (older checkpoints: bart-large-cnn, opus-mt).
  Json params = Json::object();
  for (const char* key :
       {"num_beams", "max_length", "min_length", "length_penalty", "early_stopping", "no_repeat_ngram_size"}) {
    if (auto it = c.find(key); it != c.end()) params[key] = *it;
  }
  return BeamSearchOptionsFromJson(params, o, 1);
}

Result<BeamSearchOutput> GenerateSeq2Seq(const models::Seq2SeqLM& lm, const models::ModelInputs& inputs,
                                         const BeamSearchOptions& options) {
  const int64_t expand = options.num_beams;
  MHUB_ASSIGN_OR_RETURN(std::unique_ptr<models::Seq2SeqState> state,
                        lm.Encode(inputs, expand, std::max(1, options.max_length - 1)));
  const std::vector<std::vector<int64_t>> prompts(static_cast<size_t>(inputs.batch),
                                                  {lm.seq2seq_info().decoder_start_token_id});
  auto step = [&](int s, std::span<const int64_t> order,
                  const std::vector<std::vector<int64_t>>& seqs) -> Result<std::vector<float>> {
    if (s > 0 && options.num_beams > 1) MHUB_RETURN_IF_ERROR(state->Reorder(order));
    models::ModelInputs dec;
    dec.batch = static_cast<int64_t>(seqs.size());
    dec.seq_len = 1;
    for (const auto& row : seqs) dec.input_ids.push_back(row.back());
    MHUB_ASSIGN_OR_RETURN(models::Array logits, lm.Decode(dec, *state));
    return std::move(logits.values);
  };
  return BeamSearch(prompts, options, step);
}

Result<BeamSearchOutput> GenerateCausal(const models::CausalLM& lm, const std::vector<std::vector<int64_t>>& prompts,
                                        const BeamSearchOptions& options) {
  auto step = [&](int, std::span<const int64_t>,
                  const std::vector<std::vector<int64_t>>& seqs) -> Result<std::vector<float>> {
    models::ModelInputs in;
    in.batch = static_cast<int64_t>(seqs.size());
    in.seq_len = static_cast<int64_t>(seqs[0].size());
    for (const auto& row : seqs) in.input_ids.insert(in.input_ids.end(), row.begin(), row.end());
    MHUB_ASSIGN_OR_RETURN(models::Array logits, lm.ForwardCausal(in, nullptr));
    return std::move(logits.values);
  };
  return BeamSearch(prompts, options, step);
}

}  // namespace mhub::pipelines
