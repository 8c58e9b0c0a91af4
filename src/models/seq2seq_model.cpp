#include "models/seq2seq_model.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "mhub/core/attention.h"
#include "mhub/core/kernels.h"
#include "models/var_builder.h"

namespace mhub::models {
namespace {

// config.raw[key], or nullptr when absent or null (transformers treats null as "unset").
const Json* RawValue(const formats::ModelConfig& config, std::string_view key) {
  auto it = config.raw.find(std::string(key));
  if (it == config.raw.end() || it->is_null()) return nullptr;
  return &*it;
}

Status BadField(std::string_view key, const char* want) {
  return Status::InvalidArgument("config.json: '" + std::string(key) + "' must be " + want);
}

// q.k over D floats in 16 independent lanes, so the compiler vectorises it without reordering a
// single running sum (which it may not do without -ffast-math).
float Dot(const float* a, const float* b, int64_t n) {
  constexpr int kLanes = 16;
  float lanes[kLanes] = {};
  int64_t d = 0;
  for (; d + kLanes <= n; d += kLanes) {
    for (int l = 0; l < kLanes; ++l) lanes[l] += a[d + l] * b[d + l];
  }
  float s = 0.0f;
  for (; d < n; ++d) s += a[d] * b[d];
  for (float x : lanes) s += x;
  return s;
}

}  // namespace

Result<int64_t> ConfigInt(const formats::ModelConfig& config, std::string_view key, int64_t fallback) {
  const Json* v = RawValue(config, key);
  if (v == nullptr) return fallback;
  if (!v->is_number_integer()) return BadField(key, "an integer");
  return v->get<int64_t>();
}

Result<double> ConfigNumber(const formats::ModelConfig& config, std::string_view key, double fallback) {
  const Json* v = RawValue(config, key);
  if (v == nullptr) return fallback;
  if (!v->is_number()) return BadField(key, "a number");
  return v->get<double>();
}

Result<bool> ConfigBool(const formats::ModelConfig& config, std::string_view key, bool fallback) {
  const Json* v = RawValue(config, key);
  if (v == nullptr) return fallback;
  if (!v->is_boolean()) return BadField(key, "true or false");
  return v->get<bool>();
}

Result<std::string> ConfigString(const formats::ModelConfig& config, std::string_view key, std::string fallback) {
  const Json* v = RawValue(config, key);
  if (v == nullptr) return fallback;
  if (!v->is_string()) return BadField(key, "a string");
  return v->get<std::string>();
}

// ------------------------------------------------------------------------------------------ cache

core::HeadsView Seq2SeqCache::View(const core::Tensor& t, int64_t len) const {
  core::HeadsView v;
  v.data = t.data<float>();
  v.batch = rows_;
  v.seq = len;
  v.heads = heads_;
  v.head_dim = head_dim_;
  v.stride_h = max_len_ * head_dim_;
  v.stride_b = heads_ * v.stride_h;
  v.stride_t = head_dim_;
  return v;
}

Status Seq2SeqCache::Reorder(std::span<const int64_t> order) {
  if (static_cast<int64_t>(order.size()) != rows_) {
    return Status::InvalidArgument("Reorder: " + std::to_string(order.size()) + " rows given, the state has " +
                                   std::to_string(rows_));
  }
  for (int64_t i = 0; i < rows_; ++i) {
    const int64_t from = order[static_cast<size_t>(i)];
    if (from < 0 || from >= rows_ || from / expand_ != i / expand_) {
      return Status::InvalidArgument("Reorder: row " + std::to_string(i) + " cannot take row " + std::to_string(from) +
                                     " (rows stay with their encoder row)");
    }
  }
  // Only the first length_ positions of each (row, head) matter.
  const int64_t row_floats = heads_ * max_len_ * head_dim_, used = length_ * head_dim_;
  std::vector<float> scratch(static_cast<size_t>(rows_ * row_floats));
  for (std::vector<core::Tensor>* layers : {&self_k_, &self_v_}) {
    for (core::Tensor& t : *layers) {
      float* data = t.data<float>();
      std::memcpy(scratch.data(), data, sizeof(float) * static_cast<size_t>(rows_ * row_floats));
      for (int64_t i = 0; i < rows_; ++i) {
        const int64_t from = order[static_cast<size_t>(i)];
        if (from == i) continue;
        for (int64_t h = 0; h < heads_; ++h) {
          const int64_t off = h * max_len_ * head_dim_;
          std::memcpy(data + i * row_floats + off, scratch.data() + from * row_floats + off,
                      sizeof(float) * static_cast<size_t>(used));
        }
      }
    }
  }
  return Status::OK();
}

// -------------------------------------------------------------------------------------- attention

Status BiasedAttention(const core::HeadsView& q, const core::HeadsView& k, const core::HeadsView& v,
                       const core::HeadsView& out, std::span<const float> bias, const core::Tensor* key_mask,
                       bool causal, int64_t q_offset, float scale) {
  const int64_t B = q.batch, Tq = q.seq, Tk = k.seq, H = q.heads, D = q.head_dim;
  if (k.batch != B || v.batch != B || out.batch != B || k.heads != H || v.heads != H || v.seq != Tk ||
      k.head_dim != D || v.head_dim != D || out.seq != Tq) {
    return Status::InvalidArgument("BiasedAttention: q, k, v and out shapes disagree");
  }
  if (!bias.empty() && static_cast<int64_t>(bias.size()) != H * Tq * Tk) {
    return Status::InvalidArgument("BiasedAttention: bias must be (H, Tq, Tk)");
  }
  if (key_mask != nullptr && (key_mask->dtype() != core::DType::kI64 || key_mask->numel() != B * Tk)) {
    return Status::InvalidArgument("BiasedAttention: key_mask must be (B, Tk) I64");
  }
  std::vector<float> scores(static_cast<size_t>(Tk));
  std::vector<float> acc(static_cast<size_t>(D));
  for (int64_t b = 0; b < B; ++b) {
    const int64_t* mask = key_mask != nullptr ? key_mask->data<int64_t>() + b * Tk : nullptr;
    for (int64_t h = 0; h < H; ++h) {
      for (int64_t i = 0; i < Tq; ++i) {
        const float* qi = q.at(b, i, h);
        const float* bias_row = bias.empty() ? nullptr : bias.data() + (h * Tq + i) * Tk;
        const int64_t last = causal ? std::min(Tk, q_offset + i + 1) : Tk;  // keys [0, last) may be visible
        float max_score = -std::numeric_limits<float>::infinity();
        for (int64_t j = 0; j < last; ++j) {
          if (mask != nullptr && mask[j] == 0) {
            scores[static_cast<size_t>(j)] = -std::numeric_limits<float>::infinity();
            continue;
          }
          float s = Dot(qi, k.at(b, j, h), D) * scale + (bias_row != nullptr ? bias_row[j] : 0.0f);
          scores[static_cast<size_t>(j)] = s;
          max_score = std::max(max_score, s);
        }
        std::fill(acc.begin(), acc.end(), 0.0f);
        float* o = out.at(b, i, h);
        if (max_score == -std::numeric_limits<float>::infinity()) {  // no visible key: zeros, as core::Attention
          std::fill(o, o + D, 0.0f);
          continue;
        }
        float sum = 0.0f;
        for (int64_t j = 0; j < last; ++j) {
          const float p = std::exp(scores[static_cast<size_t>(j)] - max_score);
          if (p == 0.0f) continue;
          sum += p;
          const float* vj = v.at(b, j, h);
          for (int64_t d = 0; d < D; ++d) acc[static_cast<size_t>(d)] += p * vj[d];
        }
        const float inv = 1.0f / sum;
        for (int64_t d = 0; d < D; ++d) o[d] = acc[static_cast<size_t>(d)] * inv;
      }
    }
  }
  return Status::OK();
}

Status Seq2SeqModel::SelfAttention(const Seq2SeqStep& step, size_t layer, const core::HeadsView& q,
                                   const core::HeadsView& k, const core::HeadsView& v, const core::HeadsView& out,
                                   float scale, std::span<const float> bias) const {
  Seq2SeqCache& c = *step.cache;
  // Append the new keys/values at positions [past, past+T) of every row.
  for (const auto& [dst, src] : {std::pair{&c.self_k_[layer], &k}, std::pair{&c.self_v_[layer], &v}}) {
    float* base = dst->data<float>();
    for (int64_t r = 0; r < step.rows; ++r) {
      for (int64_t t = 0; t < step.seq; ++t) {
        for (int64_t h = 0; h < c.heads_; ++h) {
          float* to = base + ((r * c.heads_ + h) * c.max_len_ + step.past + t) * c.head_dim_;
          std::memcpy(to, src->at(r, t, h), sizeof(float) * static_cast<size_t>(c.head_dim_));
        }
      }
    }
  }
  const int64_t total = step.past + step.seq;
  const core::HeadsView keys = c.SelfKeys(layer, total), values = c.SelfValues(layer, total);
  if (!bias.empty()) return BiasedAttention(q, keys, values, out, bias, nullptr, /*causal=*/true, step.past, scale);
  core::AttentionOptions opts;
  opts.scale = scale;
  opts.causal = true;
  opts.q_offset = step.past;
  return core::Attention(q, keys, values, out, opts);
}

Status Seq2SeqModel::CrossAttention(const Seq2SeqStep& step, size_t layer, const core::HeadsView& q,
                                    const core::HeadsView& out, float scale) const {
  const Seq2SeqCache& c = *step.cache;
  const int64_t E = c.expand_, S = c.enc_len_, HD = c.heads_ * c.head_dim_;
  core::AttentionOptions opts;
  opts.scale = scale;
  // Each encoder row's keys serve its `expand` decoder rows: a batch-stride-0 view, no copies.
  for (int64_t e = 0; e < step.rows / E; ++e) {
    core::HeadsView qe = q, oe = out, ke, ve;
    qe.data = q.data + e * E * q.stride_b;
    qe.batch = E;
    oe.data = out.data + e * E * out.stride_b;
    oe.batch = E;
    for (auto [view, src] : {std::pair{&ke, &c.cross_k_[layer]}, std::pair{&ve, &c.cross_v_[layer]}}) {
      view->data = src->data<float>() + e * S * HD;
      view->batch = E;
      view->seq = S;
      view->heads = c.heads_;
      view->head_dim = c.head_dim_;
      view->stride_b = 0;
      view->stride_t = HD;
      view->stride_h = c.head_dim_;
    }
    const core::Tensor mask = c.enc_mask_.Narrow0(e * E, E);
    opts.key_mask = &mask;
    MHUB_RETURN_IF_ERROR(core::Attention(qe, ke, ve, oe, opts));
  }
  return Status::OK();
}

// ----------------------------------------------------------------------------------- encode/decode

Result<ModelOutputs> Seq2SeqModel::Forward(const ModelInputs& inputs) const {
  MHUB_RETURN_IF_ERROR(ValidateInputs(inputs, info_.vocab_size, s2s_.max_source_positions));
  const std::vector<int64_t> mask = MaskOrOnes(inputs);
  MHUB_ASSIGN_OR_RETURN(core::Tensor h, EncoderHidden(IdsTensor(inputs.input_ids, inputs.batch, inputs.seq_len),
                                                      IdsTensor(mask, inputs.batch, inputs.seq_len)));
  ModelOutputs out;
  out["last_hidden_state"] = ToArray(h);
  return out;
}

Result<std::unique_ptr<Seq2SeqState>> Seq2SeqModel::Encode(const ModelInputs& inputs, int64_t expand,
                                                           int64_t max_decoder_len) const {
  if (expand <= 0 || max_decoder_len <= 0) {
    return Status::InvalidArgument("Encode: expand and max_decoder_len must be positive");
  }
  if (s2s_.max_target_positions > 0 && max_decoder_len > s2s_.max_target_positions) {
    return Status::InvalidArgument("Encode: " + std::to_string(max_decoder_len) +
                                   " decoder positions exceed the model's " +
                                   std::to_string(s2s_.max_target_positions));
  }
  MHUB_RETURN_IF_ERROR(ValidateInputs(inputs, info_.vocab_size, s2s_.max_source_positions));
  const int64_t B = inputs.batch, S = inputs.seq_len;
  // The self-attention cache is allocated up front: refuse what cannot be meant (T5 has no position
  // table to bound max_decoder_len).
  constexpr double kMaxCacheBytes = 4.0 * (1 << 30);
  const double cache_bytes = 2.0 * 4.0 * static_cast<double>(decoder_layers()) * static_cast<double>(B) *
                             static_cast<double>(expand) * static_cast<double>(decoder_heads() * head_dim()) *
                             static_cast<double>(max_decoder_len);
  if (cache_bytes > kMaxCacheBytes) {
    return Status::ResourceExhausted("Encode: a decoder cache of " + std::to_string(B * expand) + " rows x " +
                                     std::to_string(max_decoder_len) + " positions needs " +
                                     std::to_string(static_cast<int64_t>(cache_bytes / (1 << 20))) +
                                     " MiB; the limit is 4096 MiB (lower max_length or num_beams)");
  }
  const std::vector<int64_t> mask = MaskOrOnes(inputs);
  MHUB_ASSIGN_OR_RETURN(core::Tensor encoded,
                        EncoderHidden(IdsTensor(inputs.input_ids, B, S), IdsTensor(mask, B, S)));  // (B,S,H)
  auto c = std::make_unique<Seq2SeqCache>();
  c->owner_ = this;
  c->rows_ = B * expand;
  c->expand_ = expand;
  c->max_len_ = max_decoder_len;
  c->heads_ = decoder_heads();
  c->head_dim_ = head_dim();
  c->enc_len_ = S;
  for (int64_t l = 0; l < decoder_layers(); ++l) {
    core::Tensor k, v;
    MHUB_RETURN_IF_ERROR(CrossKeysValues(static_cast<size_t>(l), encoded, k, v));
    c->cross_k_.push_back(std::move(k));
    c->cross_v_.push_back(std::move(v));
    const core::Shape self_shape{c->rows_, c->heads_, max_decoder_len, c->head_dim_};
    c->self_k_.push_back(core::Tensor::Zeros(core::DType::kF32, self_shape));
    c->self_v_.push_back(core::Tensor::Zeros(core::DType::kF32, self_shape));
  }
  std::vector<int64_t> rows_mask(static_cast<size_t>(c->rows_ * S));
  for (int64_t r = 0; r < c->rows_; ++r) {
    std::copy_n(mask.begin() + (r / expand) * S, S, rows_mask.begin() + r * S);
  }
  c->enc_mask_ = IdsTensor(rows_mask, c->rows_, S);
  return std::unique_ptr<Seq2SeqState>(std::move(c));
}

Result<core::Tensor> Seq2SeqModel::RunDecoder(const ModelInputs& decoder, Seq2SeqState& state) const {
  auto* c = dynamic_cast<Seq2SeqCache*>(&state);
  if (c == nullptr || c->owner_ != this) return Status::InvalidArgument("Decode: the state was not made by this model");
  MHUB_RETURN_IF_ERROR(ValidateInputs(decoder, info_.vocab_size, 0));
  if (decoder.batch != c->rows_) {
    return Status::InvalidArgument("Decode: the state has " + std::to_string(c->rows_) + " rows, the input " +
                                   std::to_string(decoder.batch));
  }
  if (c->length_ + decoder.seq_len > c->max_len_) {
    return Status::ResourceExhausted("Decode: the state holds " + std::to_string(c->max_len_) +
                                     " decoder positions; cannot add " + std::to_string(decoder.seq_len) + " after " +
                                     std::to_string(c->length_));
  }
  Seq2SeqStep step;
  step.rows = decoder.batch;
  step.seq = decoder.seq_len;
  step.past = c->length_;
  step.ids = IdsTensor(decoder.input_ids, decoder.batch, decoder.seq_len);
  step.cache = c;
  // The step writes its keys/values past length_ only, so a failed step leaves the state as it was.
  MHUB_ASSIGN_OR_RETURN(core::Tensor h, DecoderHidden(step));
  c->length_ += decoder.seq_len;
  return h;
}

Result<Array> Seq2SeqModel::DecodeHidden(const ModelInputs& decoder, Seq2SeqState& state) const {
  MHUB_ASSIGN_OR_RETURN(core::Tensor h, RunDecoder(decoder, state));
  return ToArray(h);
}

Result<Array> Seq2SeqModel::Decode(const ModelInputs& decoder, Seq2SeqState& state, bool all_positions) const {
  MHUB_ASSIGN_OR_RETURN(core::Tensor h, RunDecoder(decoder, state));
  core::Tensor logits;
  if (all_positions) {
    MHUB_RETURN_IF_ERROR(LmHead(h, logits));  // (rows,T,V)
  } else {
    const std::vector<int64_t> last(static_cast<size_t>(decoder.batch), decoder.seq_len - 1);
    MHUB_RETURN_IF_ERROR(LmHead(GatherRows(h, last), logits));  // (rows,V)
  }
  return ToArray(logits);
}

// ------------------------------------------------------------------------------------ entry points

bool IsSeq2SeqModelType(const std::string& model_type) {
  return model_type == "t5" || model_type == "bart" || model_type == "marian";
}

namespace {

Result<std::unique_ptr<Seq2SeqLM>> AsSeq2Seq(std::unique_ptr<Model> model) {
  auto* lm = dynamic_cast<Seq2SeqLM*>(model.get());
  if (lm == nullptr) return Status::Internal("a seq2seq model was built without the Seq2SeqLM interface");
  model.release();
  return std::unique_ptr<Seq2SeqLM>(lm);
}

}  // namespace

Result<std::unique_ptr<Seq2SeqLM>> LoadSeq2SeqLM(const std::string& path_or_repo_id, const LoadOptions& options) {
  MHUB_ASSIGN_OR_RETURN(Json config, LoadConfigJson(path_or_repo_id, options));
  const std::string type = config.contains("model_type") && config["model_type"].is_string()
                               ? config["model_type"].get<std::string>()
                               : std::string("(missing)");
  if (!IsSeq2SeqModelType(type)) {
    return Status::Unsupported("model_type '" + type +
                               "' is not an encoder-decoder LM mhub runs; supported: t5, bart, marian");
  }
  MHUB_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, LoadModel(path_or_repo_id, Task::kBase, options));
  return AsSeq2Seq(std::move(model));
}

Result<std::unique_ptr<Seq2SeqLM>> Seq2SeqLMFromConfig(const Json& config_json, uint64_t seed) {
  MHUB_ASSIGN_OR_RETURN(formats::ModelConfig config, formats::ParseModelConfig(config_json));
  if (!IsSeq2SeqModelType(config.model_type)) {
    return Status::Unsupported("model_type '" + config.model_type +
                               "' is not an encoder-decoder LM mhub runs; supported: t5, bart, marian");
  }
  MHUB_ASSIGN_OR_RETURN(double std, ConfigNumber(config, "initializer_range", 0.02));
  BuildContext ctx;
  ctx.config = config;
  ctx.task = Task::kBase;
  ctx.source = std::make_shared<RandomSource>(seed, static_cast<float>(std), core::DType::kF32);
  MHUB_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, config.model_type == "t5" ? BuildT5(ctx) : BuildBart(ctx));
  return AsSeq2Seq(std::move(model));
}

}  // namespace mhub::models
