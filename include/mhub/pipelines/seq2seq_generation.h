// generate() over models: an encoder-decoder LM (the encoder runs once, the decoder steps over a
// cache that beam search reorders) or a decoder-only LM with beams, on top of beam_search.h.
// Needs mhub_models (built into mhub_pipelines with the task pipelines).
#pragma once

#include <vector>

#include "mhub/base/result.h"
#include "mhub/models/model.h"
#include "mhub/models/seq2seq.h"
#include "mhub/pipelines/beam_search.h"

namespace mhub::pipelines {

// The options a checkpoint implies, as transformers' GenerationConfig.from_model_config reads
// config.json: eos/pad ids, forced BOS/EOS, bad_words_ids of one token, and the generate() keys a
// config may carry (num_beams, max_length, min_length, length_penalty, early_stopping,
// no_repeat_ngram_size). InvalidArgument on a malformed value.
Result<BeamSearchOptions> GenerationDefaults(const models::Model& model);

// Decoder sequences (decoder start token first) for each row of `inputs`, num_return_sequences
// per row, with scores when beam searching.
Result<BeamSearchOutput> GenerateSeq2Seq(const models::Seq2SeqLM& lm, const models::ModelInputs& inputs,
                                         const BeamSearchOptions& options);

// Prompt + continuation for each prompt (all of one length). Beams are re-run over their whole
// sequence at each step (the CausalLM cache cannot be reordered), so this suits short outputs.
Result<BeamSearchOutput> GenerateCausal(const models::CausalLM& lm, const std::vector<std::vector<int64_t>>& prompts,
                                        const BeamSearchOptions& options);

}  // namespace mhub::pipelines
