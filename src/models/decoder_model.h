// What GPT-2 and the Llama family share: the KV cache with its padding mask, position ids as
// transformers' generate() computes them, and the heads (causal LM, sequence classification on
// the last non-pad token, token classification, question answering: qa_outputs Linear(hidden, 2)
// split into start/end logits). An architecture supplies only its block stack.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mhub/core/attention.h"
#include "mhub/core/heads_view.h"
#include "mhub/core/kv_cache.h"
#include "mhub/core/tensor.h"
#include "mhub/models/model.h"
#include "models/layers.h"
#include "models/model_common.h"

namespace mhub::models {

class DecoderPagedPool;

// A ForwardPaged step as the block stack sees it: the sequences' new tokens are the rows of one
// (1, sum T, C) batch; sequence i owns rows [row[i], row[i + 1]).
struct PagedStep {
  const std::vector<PagedSequence>* sequences = nullptr;
  std::vector<int64_t> row;  // size N + 1
  DecoderPagedPool* pool = nullptr;
};

// One call of the block stack: T new tokens per row after `past` cached ones.
struct DecoderStep {
  int64_t batch = 0, seq = 0, past = 0;
  core::Tensor ids;                // (B,T) I64
  std::vector<int64_t> positions;  // (B*T) position id of each new token
  core::Tensor key_mask;           // (B, past+T) I64, 1 = attend
  // One per layer; the new keys/values get appended. nullptr for a one-pass forward without a cache:
  // attention then reads the new keys/values straight from the projections.
  std::vector<core::KvCache>* layers = nullptr;
  // Continuous batching (batch = 1, past = 0, no key_mask): attention per sequence over its blocks.
  const PagedStep* paged = nullptr;
};

// Causal attention of the step's queries at layer `layer`: over the layer's cache after appending
// k and v to it, or over k and v themselves when the step has no cache. `window` > 0 limits each
// query to that many most recent positions (sliding-window layers).
Status DecoderAttention(const DecoderStep& step, size_t layer, const core::HeadsView& q, const core::HeadsView& k,
                        const core::HeadsView& v, const core::HeadsView& out, int64_t window = 0);

class DecoderCache final : public KvCache {
 public:
  DecoderCache(const void* owner, int64_t batch, int64_t max_len) : owner_(owner), batch_(batch), max_len_(max_len) {
    mask_.assign(static_cast<size_t>(batch * max_len), 0);
    real_.assign(static_cast<size_t>(batch), 0);
  }
  int64_t batch() const override { return batch_; }
  int64_t max_len() const override { return max_len_; }
  int64_t length() const override { return length_; }
  void Reset() override;

  const void* owner_;
  int64_t batch_, max_len_, length_ = 0;
  std::vector<core::KvCache> layers_;
  std::vector<int64_t> mask_;  // (B, max_len) attention mask of every position so far
  std::vector<int64_t> real_;  // (B) real (non-pad) tokens so far per row
};

// Blocks laid out (num_blocks, block_size, Hkv, D) per layer for keys and for values: a position's
// heads are contiguous, so a block reads as a HeadsView.
class DecoderPagedPool final : public PagedKvPool {
 public:
  DecoderPagedPool(const void* owner, int64_t num_blocks, int64_t block_size, int64_t layers, int64_t heads,
                   int64_t head_dim);
  int64_t num_blocks() const override { return num_blocks_; }
  int64_t block_size() const override { return block_size_; }
  int64_t bytes() const override;

  // Key (value) row of `pos` in `block` at `layer`, head `h`.
  float* key(size_t layer, int64_t block, int64_t slot, int64_t h) {
    return k_[layer].get() + ((block * block_size_ + slot) * heads_ + h) * head_dim_;
  }
  float* value(size_t layer, int64_t block, int64_t slot, int64_t h) {
    return v_[layer].get() + ((block * block_size_ + slot) * heads_ + h) * head_dim_;
  }

  const void* owner_;
  int64_t num_blocks_, block_size_, heads_, head_dim_;
  // Per layer; left uninitialised, so pages are committed as blocks are first written.
  std::vector<std::unique_ptr<float[]>> k_, v_;
};

class DecoderModel : public CausalLM {
 public:
  Result<ModelOutputs> Forward(const ModelInputs& inputs) const override;
  Result<std::unique_ptr<KvCache>> NewCache(int64_t batch, int64_t max_len) const override;
  Result<Array> ForwardCausal(const ModelInputs& inputs, KvCache* cache, bool all_positions) const override;
  Result<std::unique_ptr<PagedKvPool>> NewPagedPool(int64_t num_blocks, int64_t block_size) const override;
  Result<Array> ForwardPaged(const std::vector<PagedSequence>& sequences, PagedKvPool& pool) const override;
  Status SavePretrained(const std::string& dir, int64_t max_shard_size) const override {
    return SaveModel(config_, info_.architecture, params_, dir, max_shard_size);
  }
  std::vector<std::string> WeightNames() const override { return ParamNames(params_); }

 protected:
  // (B,T,C) hidden states after the final norm; appends this step's keys/values to step.layers.
  virtual Result<core::Tensor> Hidden(const DecoderStep& step) const = 0;
  virtual int64_t num_layers() const = 0;
  virtual int64_t num_kv_heads() const = 0;
  virtual int64_t head_dim() const = 0;
  // 0 when positions are unbounded (rotary).
  virtual int64_t max_positions() const = 0;

  // Declares the head of `task_` below `head` (lm_head tied to `embeddings` when `tied`).
  // `token_classifier` is the name of the token-classification layer ("classifier" for GPT-2,
  // "score" for Llama) and whether it has a bias.
  Status LoadHead(const VarBuilder& head, const core::Tensor& embeddings, bool tied, int64_t hidden,
                  const std::string& token_classifier, bool token_classifier_bias);

  formats::ModelConfig config_;
  ParamRegistry params_;
  std::shared_ptr<const void> keepalive_;
  LazyLinear lm_head_, score_, qa_outputs_;

 private:
  // A cache of `max_len` positions; without `kv_layers`, only the mask bookkeeping of one pass (no
  // key/value storage: attention reads the projections directly).
  Result<std::unique_ptr<DecoderCache>> MakeCache(int64_t batch, int64_t max_len, bool kv_layers = true) const;
  // Runs the stack over `in` after what `cache` holds; `generate_positions` picks generate()'s
  // position ids (count of real tokens before) over forward()'s (past + t).
  Result<core::Tensor> Run(const ModelInputs& in, DecoderCache& cache, bool generate_positions) const;
};

}  // namespace mhub::models
