// What T5 and BART/Marian share: the state of one encoded batch (cross-attention keys/values made
// once, the decoder's self-attention cache with beam reordering), Encode/Decode over an
// architecture's encoder stack, decoder stack and head, and the attention calls over that state.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "mhub/core/heads_view.h"
#include "mhub/core/tensor.h"
#include "mhub/models/seq2seq.h"
#include "models/layers.h"
#include "models/model_common.h"

namespace mhub::models {

class Seq2SeqCache final : public Seq2SeqState {
 public:
  int64_t rows() const override { return rows_; }
  int64_t expand() const override { return expand_; }
  int64_t length() const override { return length_; }
  int64_t max_len() const override { return max_len_; }
  Status Reorder(std::span<const int64_t> order) override;

  // (rows, length, H, D) views of layer l's cached self-attention keys/values.
  core::HeadsView SelfKeys(size_t l, int64_t len) const { return View(self_k_[l], len); }
  core::HeadsView SelfValues(size_t l, int64_t len) const { return View(self_v_[l], len); }

  const void* owner_ = nullptr;
  int64_t rows_ = 0, expand_ = 1, max_len_ = 0, length_ = 0, heads_ = 0, head_dim_ = 0;
  int64_t enc_len_ = 0;
  std::vector<core::Tensor> self_k_, self_v_;    // per layer (rows, H, max_len, D)
  std::vector<core::Tensor> cross_k_, cross_v_;  // per layer (B_enc, S, H*D)
  core::Tensor enc_mask_;                        // (rows, S) I64, the encoder mask of each decoder row

 private:
  core::HeadsView View(const core::Tensor& t, int64_t len) const;
};

// One decoder call: T new tokens per row after `past` cached ones.
struct Seq2SeqStep {
  int64_t rows = 0, seq = 0, past = 0;
  core::Tensor ids;  // (rows, T) I64
  Seq2SeqCache* cache = nullptr;
};

// Scaled dot-product attention with an additive bias shared by the batch (T5's relative position
// bias), out[b,i,h] = sum_j softmax_j(scale q.k + bias[h,i,j]) v over the visible keys j: key_mask
// (B,Tk) I64 (null = all) and, when causal, j <= q_offset + i. bias is (H, Tq, Tk) row-major.
Status BiasedAttention(const core::HeadsView& q, const core::HeadsView& k, const core::HeadsView& v,
                       const core::HeadsView& out, std::span<const float> bias, const core::Tensor* key_mask,
                       bool causal, int64_t q_offset, float scale);

class Seq2SeqModel : public Seq2SeqLM {
 public:
  Result<ModelOutputs> Forward(const ModelInputs& inputs) const override;
  Result<std::unique_ptr<Seq2SeqState>> Encode(const ModelInputs& inputs, int64_t expand,
                                               int64_t max_decoder_len) const override;
  Result<Array> Decode(const ModelInputs& decoder, Seq2SeqState& state, bool all_positions) const override;
  Result<Array> DecodeHidden(const ModelInputs& decoder, Seq2SeqState& state) const override;
  Status SavePretrained(const std::string& dir, int64_t max_shard_size) const override {
    return SaveModel(config_, info_.architecture, params_, dir, max_shard_size);
  }
  std::vector<std::string> WeightNames() const override { return ParamNames(params_); }

 protected:
  // (B,T,H) encoder output after its final norm; mask (B,T) I64.
  virtual Result<core::Tensor> EncoderHidden(const core::Tensor& ids, const core::Tensor& mask) const = 0;
  // Cross-attention keys and values of decoder layer `layer` over the encoder output, each (B,S,H*D).
  virtual Status CrossKeysValues(size_t layer, const core::Tensor& encoded, core::Tensor& k, core::Tensor& v) const = 0;
  // (rows,T,H) decoder output after its final norm; appends the step's keys/values to the cache.
  virtual Result<core::Tensor> DecoderHidden(const Seq2SeqStep& step) const = 0;
  // logits (..., V) of hidden (..., H).
  virtual Status LmHead(const core::Tensor& hidden, core::Tensor& logits) const = 0;
  virtual int64_t decoder_layers() const = 0;
  virtual int64_t decoder_heads() const = 0;
  virtual int64_t head_dim() const = 0;

  // Self-attention of decoder layer `layer`: appends k, v (rows,T,H,D) to the cache at step.past,
  // then causal attention of q over all cached positions; `bias` (H, T, past+T) or empty.
  Status SelfAttention(const Seq2SeqStep& step, size_t layer, const core::HeadsView& q, const core::HeadsView& k,
                       const core::HeadsView& v, const core::HeadsView& out, float scale,
                       std::span<const float> bias) const;
  // Cross-attention of q (rows,T,H,D) over the encoder keys/values of decoder layer `layer`.
  Status CrossAttention(const Seq2SeqStep& step, size_t layer, const core::HeadsView& q, const core::HeadsView& out,
                        float scale) const;

  formats::ModelConfig config_;
  ParamRegistry params_;
  std::shared_ptr<const void> keepalive_;

 private:
  Result<core::Tensor> RunDecoder(const ModelInputs& decoder, Seq2SeqState& state) const;
};

// Architecture factories for the Auto registry (Task::kBase builds *ForConditionalGeneration).
Result<std::unique_ptr<Model>> BuildT5(const BuildContext& context);    // t5 (v1.0, v1.1, Flan-T5)
Result<std::unique_ptr<Model>> BuildBart(const BuildContext& context);  // bart, marian

// Small config readers over config.raw (T5/BART configs have no typed struct in mhub_formats).
Result<int64_t> ConfigInt(const formats::ModelConfig& config, std::string_view key, int64_t fallback);
Result<double> ConfigNumber(const formats::ModelConfig& config, std::string_view key, double fallback);
Result<bool> ConfigBool(const formats::ModelConfig& config, std::string_view key, bool fallback);
Result<std::string> ConfigString(const formats::ModelConfig& config, std::string_view key, std::string fallback);

}  // namespace mhub::models
