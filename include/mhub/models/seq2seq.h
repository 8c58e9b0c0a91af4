// Encoder-decoder language models (T5 / T5 v1.1 / Flan-T5, BART, Marian): transformers'
// *ForConditionalGeneration. The encoder runs once per input batch (Encode); the decoder then runs
// step by step over a Seq2SeqState that holds the encoder's cross-attention keys/values (computed
// once) and the decoder's self-attention cache. Beam search reorders decoder rows with Reorder.
//
//   MHUB_ASSIGN_OR_RETURN(auto lm, AutoModelForSeq2SeqLM::FromPretrained(dir));
//   MHUB_ASSIGN_OR_RETURN(auto state, lm->Encode(inputs, /*expand=*/num_beams, /*max_decoder_len=*/20));
//   ModelInputs step{.batch = rows, .seq_len = 1, .input_ids = {start, start, ...}};
//   MHUB_ASSIGN_OR_RETURN(Array logits, lm->Decode(step, *state));  // (rows, V)
//
// Thread safety as Model: a loaded model may serve several threads; a state belongs to one.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "mhub/base/json.h"
#include "mhub/base/result.h"
#include "mhub/models/auto_model.h"
#include "mhub/models/model.h"

namespace mhub::models {

// One encoded batch and the decoder positions fed so far. Opaque; made by Seq2SeqLM::Encode.
class Seq2SeqState {
 public:
  virtual ~Seq2SeqState() = default;
  // Decoder rows: encoder rows x expand, row r reading encoder row r / expand.
  virtual int64_t rows() const = 0;
  virtual int64_t expand() const = 0;
  virtual int64_t length() const = 0;   // decoder positions held
  virtual int64_t max_len() const = 0;  // decoder positions it can hold
  // Row i becomes what row `order[i]` was (beam search). order has rows() entries, each in
  // [e*expand, (e+1)*expand) for row i in that block: rows never move to another encoder row.
  virtual Status Reorder(std::span<const int64_t> order) = 0;
};

// The generation settings a seq2seq checkpoint carries in config.json.
struct Seq2SeqInfo {
  int64_t decoder_start_token_id = 0;
  int64_t forced_bos_token_id = -1;  // -1 = none
  int64_t forced_eos_token_id = -1;
  int64_t max_source_positions = 0;  // encoder inputs longer than this are refused (0 = unbounded)
  int64_t max_target_positions = 0;  // decoder positions (0 = unbounded: T5's relative positions)
};

class Seq2SeqLM : public Model {
 public:
  const Seq2SeqInfo& seq2seq_info() const { return s2s_; }

  // The encoder over `inputs` (input_ids and attention_mask (B,T)); decoder rows repeat each
  // encoder row `expand` times (num_beams). InvalidArgument on bad ids or shapes or a max_decoder_len
  // beyond the model's positions.
  virtual Result<std::unique_ptr<Seq2SeqState>> Encode(const ModelInputs& inputs, int64_t expand,
                                                       int64_t max_decoder_len) const = 0;
  // Feeds decoder ids (rows, T) after what `state` holds and appends them. Returns the logits of
  // the last position (rows, V), or of every new position (rows, T, V) when `all_positions`.
  // ResourceExhausted when the state has no room; the state is unchanged on error.
  virtual Result<Array> Decode(const ModelInputs& decoder, Seq2SeqState& state, bool all_positions = false) const = 0;
  // The decoder's hidden states (rows, T, H) after its final norm (before the head's scaling), for
  // parity tests; appends like Decode.
  virtual Result<Array> DecodeHidden(const ModelInputs& decoder, Seq2SeqState& state) const = 0;

  // Model::Forward: the encoder alone, {"last_hidden_state": (B,T,H)} (transformers'
  // get_encoder()(...)). Decoder work goes through Encode/Decode.

 protected:
  Seq2SeqInfo s2s_;
};

// Loads a T5 / BART / Marian checkpoint folder (or hub repo id) as its *ForConditionalGeneration.
// Unsupported for other model types.
Result<std::unique_ptr<Seq2SeqLM>> LoadSeq2SeqLM(const std::string& path_or_repo_id, const LoadOptions& options = {});
// Random weights from a config.json object: normal(0, std) linear and embedding weights where std is
// the config's "initializer_range" when present, else 0.02 (T5's factor-scaled init is not copied);
// zero biases, unit norms. Deterministic in `seed`.
Result<std::unique_ptr<Seq2SeqLM>> Seq2SeqLMFromConfig(const Json& config, uint64_t seed = 0);
// Whether config.json's model_type is an encoder-decoder LM this build runs ("t5", "bart", "marian").
bool IsSeq2SeqModelType(const std::string& model_type);

struct AutoModelForSeq2SeqLM {
  static Result<std::unique_ptr<Seq2SeqLM>> FromPretrained(const std::string& path_or_repo_id,
                                                           const std::string& revision = "main") {
    return LoadSeq2SeqLM(path_or_repo_id, LoadOptions{revision});
  }
  static Result<std::unique_ptr<Seq2SeqLM>> FromConfig(const Json& config, uint64_t seed = 0) {
    return Seq2SeqLMFromConfig(config, seed);
  }
};

}  // namespace mhub::models
