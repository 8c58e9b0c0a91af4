#include "models/decoder_model.h"

#include <algorithm>
#include <cstring>

namespace mhub::models {

void DecoderCache::Reset() {
  length_ = 0;
  std::fill(mask_.begin(), mask_.end(), 0);
  std::fill(real_.begin(), real_.end(), 0);
  for (core::KvCache& c : layers_) c.Reset();
}

Status DecoderModel::LoadHead(const VarBuilder& head, const core::Tensor& embeddings, bool tied, int64_t hidden,
                              const std::string& token_classifier, bool token_classifier_bias) {
  const int64_t vocab = embeddings.dim(0), labels = config_.num_labels();
  switch (task_) {
    case Task::kCausalLM:
      if (tied) {
        lm_head_ = LazyLinear::Of(embeddings, core::Tensor(), head.quantize_int8());
        return Status::OK();
      }
      {
        VarBuilder lm = head.Pp("lm_head");
        MHUB_ASSIGN_OR_RETURN(core::Tensor w, lm.GetOptional("weight", {vocab, hidden}));
        // candle and transformers tie when the file has no lm_head even if the config says not to.
        lm_head_ = LazyLinear::Of(w.defined() ? w : embeddings, core::Tensor(), head.quantize_int8());
      }
      return Status::OK();
    case Task::kSequenceClassification: {
      MHUB_ASSIGN_OR_RETURN(score_, LazyLinear::Load(head.Pp("score"), hidden, labels, false));
      return Status::OK();
    }
    case Task::kTokenClassification: {
      MHUB_ASSIGN_OR_RETURN(score_, LazyLinear::Load(head.Pp(token_classifier), hidden, labels, token_classifier_bias));
      return Status::OK();
    }
    case Task::kQuestionAnswering: {
      MHUB_ASSIGN_OR_RETURN(qa_outputs_, LazyLinear::Load(head.Pp("qa_outputs"), hidden, 2, true));
      return Status::OK();
    }
    case Task::kBase:
      return Status::OK();
    default:
      return UnsupportedTask(config_.model_type, task_,
                             {Task::kBase, Task::kCausalLM, Task::kSequenceClassification, Task::kTokenClassification,
                              Task::kQuestionAnswering});
  }
}

DecoderPagedPool::DecoderPagedPool(const void* owner, int64_t num_blocks, int64_t block_size, int64_t layers,
                                   int64_t heads, int64_t head_dim)
    : owner_(owner), num_blocks_(num_blocks), block_size_(block_size), heads_(heads), head_dim_(head_dim) {
  const size_t n = static_cast<size_t>(num_blocks * block_size * heads * head_dim);
  for (int64_t l = 0; l < layers; ++l) {
    k_.emplace_back(new float[n]);
    v_.emplace_back(new float[n]);
  }
}

int64_t DecoderPagedPool::bytes() const {
  return 2 * static_cast<int64_t>(k_.size()) * num_blocks_ * block_size_ * heads_ * head_dim_ *
         static_cast<int64_t>(sizeof(float));
}

namespace {

// Writes each sequence's new keys/values into its blocks, then runs its queries over its keys:
// the blocks are copied into one contiguous (1, past + n, Hkv, D) run (a block's positions are
// contiguous in the pool, so a memcpy per block) for the fused attention kernel.
Status PagedAttention(const DecoderStep& step, size_t layer, const core::HeadsView& q, const core::HeadsView& k,
                      const core::HeadsView& v, const core::HeadsView& out, int64_t window) {
  const PagedStep& ps = *step.paged;
  DecoderPagedPool& pool = *ps.pool;
  const int64_t bs = pool.block_size_, H = pool.heads_, D = pool.head_dim_;
  if (k.heads != H || k.head_dim != D)
    return Status::InvalidArgument("paged attention: key heads differ from the pool");
  const size_t row_bytes = static_cast<size_t>(D) * sizeof(float);
  const std::vector<PagedSequence>& seqs = *ps.sequences;
  thread_local std::vector<float> kbuf, vbuf;
  for (size_t i = 0; i < seqs.size(); ++i) {
    const PagedSequence& s = seqs[i];
    const int64_t row = ps.row[i], n = ps.row[i + 1] - row, total = s.past + n;
    for (int64_t t = 0; t < n; ++t) {
      const int64_t pos = s.past + t, block = s.blocks[static_cast<size_t>(pos / bs)], slot = pos % bs;
      for (int64_t h = 0; h < H; ++h) {
        std::memcpy(pool.key(layer, block, slot, h), k.at(0, row + t, h), row_bytes);
        std::memcpy(pool.value(layer, block, slot, h), v.at(0, row + t, h), row_bytes);
      }
    }
    kbuf.resize(static_cast<size_t>(total * H * D));
    vbuf.resize(kbuf.size());
    for (int64_t p0 = 0; p0 < total; p0 += bs) {
      const int64_t count = std::min(bs, total - p0), block = s.blocks[static_cast<size_t>(p0 / bs)];
      const size_t bytes = static_cast<size_t>(count * H * D) * sizeof(float);
      std::memcpy(kbuf.data() + p0 * H * D, pool.key(layer, block, 0, 0), bytes);
      std::memcpy(vbuf.data() + p0 * H * D, pool.value(layer, block, 0, 0), bytes);
    }
    core::HeadsView kv{kbuf.data(), 1, total, H, D, total * H * D, H * D, D};
    core::HeadsView vv{vbuf.data(), 1, total, H, D, total * H * D, H * D, D};
    core::HeadsView qs = q, os = out;
    qs.data = q.at(0, row, 0);
    qs.seq = n;
    os.data = out.at(0, row, 0);
    os.seq = n;
    core::AttentionOptions opts;
    opts.causal = true;
    opts.q_offset = s.past;
    opts.window = window;
    MHUB_RETURN_IF_ERROR(core::Attention(qs, kv, vv, os, opts));
  }
  return Status::OK();
}

}  // namespace

Status DecoderAttention(const DecoderStep& step, size_t layer, const core::HeadsView& q, const core::HeadsView& k,
                        const core::HeadsView& v, const core::HeadsView& out, int64_t window) {
  if (step.paged != nullptr) return PagedAttention(step, layer, q, k, v, out, window);
  core::AttentionOptions opts;
  opts.causal = true;
  opts.q_offset = step.past;
  opts.key_mask = &step.key_mask;
  opts.window = window;
  if (step.layers == nullptr) return core::Attention(q, k, v, out, opts);
  core::KvCache& cache = (*step.layers)[layer];
  MHUB_RETURN_IF_ERROR(cache.Append(k, v));
  return core::Attention(q, cache.keys(), cache.values(), out, opts);
}

Result<std::unique_ptr<DecoderCache>> DecoderModel::MakeCache(int64_t batch, int64_t max_len, bool kv_layers) const {
  if (batch <= 0 || max_len <= 0) return Status::InvalidArgument("cache batch and max_len must be positive");
  if (max_positions() > 0 && max_len > max_positions()) {
    return Status::InvalidArgument("cache max_len " + std::to_string(max_len) + " exceeds the model's " +
                                   std::to_string(max_positions()) + " positions");
  }
  auto cache = std::make_unique<DecoderCache>(this, batch, max_len);
  for (int64_t i = 0; kv_layers && i < num_layers(); ++i) {
    MHUB_ASSIGN_OR_RETURN(core::KvCache layer, core::KvCache::Create(batch, num_kv_heads(), max_len, head_dim()));
    cache->layers_.push_back(std::move(layer));
  }
  return cache;
}

Result<std::unique_ptr<KvCache>> DecoderModel::NewCache(int64_t batch, int64_t max_len) const {
  MHUB_ASSIGN_OR_RETURN(std::unique_ptr<DecoderCache> cache, MakeCache(batch, max_len));
  return std::unique_ptr<KvCache>(std::move(cache));
}

Result<core::Tensor> DecoderModel::Run(const ModelInputs& in, DecoderCache& cache, bool generate_positions) const {
  MHUB_RETURN_IF_ERROR(ValidateInputs(in, info_.vocab_size, 0));
  const int64_t B = in.batch, T = in.seq_len, past = cache.length_;
  if (cache.batch_ != B) {
    return Status::InvalidArgument("cache holds " + std::to_string(cache.batch_) + " rows but the input has " +
                                   std::to_string(B));
  }
  if (past + T > cache.max_len_) {
    return Status::ResourceExhausted("cache of " + std::to_string(cache.max_len_) + " positions cannot take " +
                                     std::to_string(T) + " more after " + std::to_string(past));
  }
  const std::vector<int64_t> mask = MaskOrOnes(in);
  DecoderStep step;
  step.batch = B;
  step.seq = T;
  step.past = past;
  step.ids = IdsTensor(in.input_ids, B, T);
  step.positions.resize(static_cast<size_t>(B * T));
  std::vector<int64_t> real = cache.real_;
  for (int64_t b = 0; b < B; ++b) {
    for (int64_t t = 0; t < T; ++t) {
      const size_t i = static_cast<size_t>(b * T + t);
      const bool is_real = mask[i] != 0;
      if (!in.position_ids.empty()) {
        step.positions[i] = in.position_ids[i];
      } else if (generate_positions) {
        // generate(): cumsum(mask) - 1, with 1 at padding positions
        step.positions[i] = is_real ? real[static_cast<size_t>(b)] : 1;
      } else {
        step.positions[i] = past + t;
      }
      real[static_cast<size_t>(b)] += is_real ? 1 : 0;
    }
  }
  if (max_positions() > 0) {
    for (int64_t p : step.positions) {
      if (p < 0 || p >= max_positions()) {
        return Status::InvalidArgument("position " + std::to_string(p) + " is outside the model's " +
                                       std::to_string(max_positions()) + " positions");
      }
    }
  }
  for (int64_t b = 0; b < B; ++b) {
    for (int64_t t = 0; t < T; ++t) {
      cache.mask_[static_cast<size_t>(b * cache.max_len_ + past + t)] = mask[static_cast<size_t>(b * T + t)];
    }
  }
  const int64_t total = past + T;
  std::vector<int64_t> key_mask(static_cast<size_t>(B * total));
  for (int64_t b = 0; b < B; ++b) {
    std::copy_n(cache.mask_.begin() + b * cache.max_len_, total, key_mask.begin() + b * total);
  }
  step.key_mask = IdsTensor(key_mask, B, total);
  step.layers = cache.layers_.empty() ? nullptr : &cache.layers_;
  Result<core::Tensor> hidden = Hidden(step);
  if (!hidden.ok()) {
    for (core::KvCache& layer : cache.layers_) layer.Truncate(past);  // leave the cache as it was
    return hidden.status();
  }
  core::Tensor h = std::move(hidden).value();
  cache.length_ = total;
  cache.real_ = std::move(real);
  return h;
}

Result<Array> DecoderModel::ForwardCausal(const ModelInputs& in, KvCache* cache, bool all_positions) const {
  if (task_ != Task::kCausalLM) return Status::InvalidArgument("ForwardCausal needs a causal-lm head");
  std::unique_ptr<DecoderCache> scratch;
  DecoderCache* dc = nullptr;
  if (cache != nullptr) {
    dc = dynamic_cast<DecoderCache*>(cache);
    if (dc == nullptr || dc->owner_ != this) return Status::InvalidArgument("cache was not created by this model");
  } else {
    MHUB_ASSIGN_OR_RETURN(scratch, MakeCache(in.batch, std::max<int64_t>(in.seq_len, 1), /*kv_layers=*/false));
    dc = scratch.get();
  }
  MHUB_ASSIGN_OR_RETURN(core::Tensor h, Run(in, *dc, /*generate_positions=*/true));
  core::Tensor logits;
  if (all_positions) {
    MHUB_RETURN_IF_ERROR(lm_head_.Forward(h, logits));  // (B,T,V)
  } else {
    const std::vector<int64_t> last(static_cast<size_t>(in.batch), in.seq_len - 1);
    MHUB_RETURN_IF_ERROR(lm_head_.Forward(GatherRows(h, last), logits));  // (B,V)
  }
  return ToArray(logits);
}

Result<std::unique_ptr<PagedKvPool>> DecoderModel::NewPagedPool(int64_t num_blocks, int64_t block_size) const {
  if (num_blocks <= 0 || block_size <= 0) return Status::InvalidArgument("paged pool sizes must be positive");
  if (num_blocks > (int64_t{1} << 31) - 1) return Status::InvalidArgument("paged pool: too many blocks");
  return std::unique_ptr<PagedKvPool>(
      new DecoderPagedPool(this, num_blocks, block_size, num_layers(), num_kv_heads(), head_dim()));
}

Result<Array> DecoderModel::ForwardPaged(const std::vector<PagedSequence>& seqs, PagedKvPool& pool_base) const {
  if (task_ != Task::kCausalLM) return Status::InvalidArgument("ForwardPaged needs a causal-lm head");
  auto* pool = dynamic_cast<DecoderPagedPool*>(&pool_base);
  if (pool == nullptr || pool->owner_ != this) return Status::InvalidArgument("pool was not created by this model");
  if (seqs.empty()) return Status::InvalidArgument("ForwardPaged needs at least one sequence");
  PagedStep ps;
  ps.sequences = &seqs;
  ps.pool = pool;
  ps.row.push_back(0);
  std::vector<int64_t> ids, positions, last;
  for (size_t i = 0; i < seqs.size(); ++i) {
    const PagedSequence& s = seqs[i];
    const int64_t n = static_cast<int64_t>(s.tokens.size()), end = s.past + n;
    const std::string who = "sequence " + std::to_string(i) + ": ";
    if (n == 0 || s.past < 0) return Status::InvalidArgument(who + "no new tokens or a negative past");
    if (max_positions() > 0 && end > max_positions()) {
      return Status::InvalidArgument(who + "position " + std::to_string(end - 1) + " is outside the model's " +
                                     std::to_string(max_positions()) + " positions");
    }
    const int64_t needed = (end + pool->block_size_ - 1) / pool->block_size_;
    if (static_cast<int64_t>(s.blocks.size()) < needed) {
      return Status::InvalidArgument(who + std::to_string(s.blocks.size()) + " blocks cannot hold " +
                                     std::to_string(end) + " positions");
    }
    for (int64_t b = 0; b < needed; ++b) {
      const int32_t id = s.blocks[static_cast<size_t>(b)];
      if (id < 0 || id >= pool->num_blocks_) return Status::InvalidArgument(who + "block id out of range");
    }
    for (int64_t t = 0; t < n; ++t) {
      const int64_t id = s.tokens[static_cast<size_t>(t)];
      if (id < 0 || id >= info_.vocab_size) {
        return Status::InvalidArgument(who + "token id " + std::to_string(id) + " is outside the vocabulary of " +
                                       std::to_string(info_.vocab_size));
      }
      ids.push_back(id);
      positions.push_back(s.past + t);
    }
    ps.row.push_back(ps.row.back() + n);
    if (s.want_logits) last.push_back(ps.row.back() - 1);
  }
  const int64_t T = ps.row.back();
  DecoderStep step;
  step.batch = 1;
  step.seq = T;
  step.ids = IdsTensor(ids, 1, T);
  step.positions = std::move(positions);
  step.paged = &ps;
  MHUB_ASSIGN_OR_RETURN(core::Tensor h, Hidden(step));  // (1,T,C)
  const int64_t C = h.dim(2), W = static_cast<int64_t>(last.size());
  if (W == 0) return Array{{0, info_.vocab_size}, {}};
  core::Tensor rows = NewF32({W, C});  // (W,C) the last new token of each sequence that wants logits
  for (int64_t i = 0; i < W; ++i) {
    std::memcpy(rows.data<float>() + i * C, h.data<float>() + last[static_cast<size_t>(i)] * C, sizeof(float) * C);
  }
  core::Tensor logits;
  MHUB_RETURN_IF_ERROR(lm_head_.Forward(rows, logits));  // (W,V)
  return ToArray(logits);
}

Result<ModelOutputs> DecoderModel::Forward(const ModelInputs& in) const {
  MHUB_ASSIGN_OR_RETURN(std::unique_ptr<DecoderCache> cache,
                        MakeCache(in.batch, std::max<int64_t>(in.seq_len, 1), /*kv_layers=*/false));
  MHUB_ASSIGN_OR_RETURN(core::Tensor h, Run(in, *cache, /*generate_positions=*/false));
  ModelOutputs out;
  core::Tensor logits;
  switch (task_) {
    case Task::kBase:
      out["last_hidden_state"] = ToArray(h);
      break;
    case Task::kCausalLM:
      MHUB_RETURN_IF_ERROR(lm_head_.Forward(h, logits));
      out["logits"] = ToArray(logits);
      break;
    case Task::kTokenClassification:
      MHUB_RETURN_IF_ERROR(score_.Forward(h, logits));
      out["logits"] = ToArray(logits);
      break;
    case Task::kQuestionAnswering:
      MHUB_RETURN_IF_ERROR(qa_outputs_.Forward(h, logits));  // (B,T,2)
      SplitQaLogits(logits, out);
      break;
    case Task::kSequenceClassification: {
      // transformers: the right-most token that is not pad_token_id (the last one without a pad id).
      std::vector<int64_t> last(static_cast<size_t>(in.batch), in.seq_len - 1);
      if (info_.pad_token_id >= 0) {
        for (int64_t b = 0; b < in.batch; ++b) {
          int64_t idx = 0;
          for (int64_t t = 0; t < in.seq_len; ++t) {
            if (in.input_ids[static_cast<size_t>(b * in.seq_len + t)] != info_.pad_token_id) idx = t;
          }
          last[static_cast<size_t>(b)] = idx;
        }
      }
      MHUB_RETURN_IF_ERROR(score_.Forward(GatherRows(h, last), logits));
      out["logits"] = ToArray(logits);
      break;
    }
    default:
      return UnsupportedTask(config_.model_type, task_, {});
  }
  return out;
}

// Architectures without a paged path (none today besides DecoderModel's).
Result<std::unique_ptr<PagedKvPool>> CausalLM::NewPagedPool(int64_t, int64_t) const {
  return Status::Unsupported("this model has no paged KV cache");
}
Result<Array> CausalLM::ForwardPaged(const std::vector<PagedSequence>&, PagedKvPool&) const {
  return Status::Unsupported("this model has no paged KV cache");
}

}  // namespace mhub::models
