#include "models/decoder_model.h"

#include <algorithm>

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

Status DecoderAttention(const DecoderStep& step, size_t layer, const core::HeadsView& q, const core::HeadsView& k,
                        const core::HeadsView& v, const core::HeadsView& out, int64_t window) {
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

}  // namespace mhub::models
