// Collators of transformers' data_collator.py (training.md §4).
#include "mhub/train/collators.h"

#include <algorithm>
#include <sstream>

namespace mhub::train {
namespace {

// Pads every row into a (B, T) batch; fills input_ids/attention_mask/token_type_ids.
Result<models::TrainBatch> PadInputs(std::span<const Feature> features, const PaddingOptions& o) {
  if (features.empty()) return Status::InvalidArgument("collator: empty batch");
  int64_t longest = 0;
  bool any_types = false;
  for (size_t i = 0; i < features.size(); ++i) {
    const auto& f = features[i];
    if (f.input_ids.empty()) return Status::InvalidArgument("collator: row " + std::to_string(i) + " has no input_ids");
    if (!f.attention_mask.empty() && f.attention_mask.size() != f.input_ids.size())
      return Status::InvalidArgument("collator: row " + std::to_string(i) + ": attention_mask length differs");
    if (!f.token_type_ids.empty() && f.token_type_ids.size() != f.input_ids.size())
      return Status::InvalidArgument("collator: row " + std::to_string(i) + ": token_type_ids length differs");
    longest = std::max<int64_t>(longest, int64_t(f.input_ids.size()));
    any_types |= !f.token_type_ids.empty();
  }
  int64_t T = longest;
  if (o.max_length > 0) {
    if (longest > o.max_length)
      return Status::InvalidArgument("collator: a row of " + std::to_string(longest) + " tokens exceeds max_length " +
                                     std::to_string(o.max_length));
    T = o.max_length;
  }
  if (o.pad_to_multiple_of > 0 && T % o.pad_to_multiple_of != 0)
    T = (T / o.pad_to_multiple_of + 1) * o.pad_to_multiple_of;
  models::TrainBatch b;
  b.batch = int64_t(features.size());
  b.seq_len = T;
  b.input_ids.assign(b.batch * T, o.pad_token_id);
  b.attention_mask.assign(b.batch * T, 0);
  if (any_types) b.token_type_ids.assign(b.batch * T, 0);
  for (int64_t r = 0; r < b.batch; ++r) {
    const auto& f = features[r];
    const int64_t n = int64_t(f.input_ids.size()), start = o.pad_left ? T - n : 0;
    for (int64_t t = 0; t < n; ++t) {
      b.input_ids[r * T + start + t] = f.input_ids[t];
      b.attention_mask[r * T + start + t] = f.attention_mask.empty() ? 1 : f.attention_mask[t];
      if (any_types && !f.token_type_ids.empty()) b.token_type_ids[r * T + start + t] = f.token_type_ids[t];
    }
  }
  return b;
}

}  // namespace

Result<models::TrainBatch> CollateWithPadding(std::span<const Feature> features, const PaddingOptions& options) {
  MHUB_ASSIGN_OR_RETURN(models::TrainBatch b, PadInputs(features, options));
  const bool has_label = features[0].label.has_value();
  const bool has_float = !features[0].float_labels.empty();
  const bool has_qa = features[0].start_position >= 0;
  for (size_t i = 0; i < features.size(); ++i) {
    const auto& f = features[i];
    if (f.label.has_value() != has_label || f.float_labels.empty() == has_float || (f.start_position >= 0) != has_qa)
      return Status::InvalidArgument("collator: row " + std::to_string(i) + " differs from row 0 in its label fields");
    if (has_label) b.labels.push_back(*f.label);
    if (has_float) {
      if (f.float_labels.size() != features[0].float_labels.size())
        return Status::InvalidArgument("collator: row " + std::to_string(i) + ": float label count differs");
      b.float_labels.insert(b.float_labels.end(), f.float_labels.begin(), f.float_labels.end());
    }
    if (has_qa) {
      b.start_positions.push_back(f.start_position);
      b.end_positions.push_back(f.end_position);
    }
  }
  return b;
}

Result<models::TrainBatch> CollateForTokenClassification(std::span<const Feature> features,
                                                         const PaddingOptions& options, int64_t label_pad_token_id) {
  MHUB_ASSIGN_OR_RETURN(models::TrainBatch b, PadInputs(features, options));
  const int64_t T = b.seq_len;
  b.labels.assign(b.batch * T, label_pad_token_id);
  for (int64_t r = 0; r < b.batch; ++r) {
    const auto& f = features[r];
    if (f.labels.size() != f.input_ids.size())
      return Status::InvalidArgument("token classification collator: row " + std::to_string(r) + " has " +
                                     std::to_string(f.labels.size()) + " labels for " +
                                     std::to_string(f.input_ids.size()) + " tokens");
    const int64_t n = int64_t(f.labels.size()), start = options.pad_left ? T - n : 0;
    std::copy(f.labels.begin(), f.labels.end(), b.labels.begin() + r * T + start);
  }
  return b;
}

Result<models::TrainBatch> CollateForCausalLM(std::span<const Feature> features, const PaddingOptions& options) {
  MHUB_ASSIGN_OR_RETURN(models::TrainBatch b, PadInputs(features, options));
  b.labels = b.input_ids;
  for (size_t i = 0; i < b.labels.size(); ++i)
    if (b.labels[i] == options.pad_token_id || b.attention_mask[i] == 0) b.labels[i] = -100;
  return b;
}

Result<MlmCollator> MlmCollator::Create(const MlmOptions& mlm, const PaddingOptions& padding) {
  if (mlm.mask_token_id < 0)
    return Status::InvalidArgument(
        "This tokenizer does not have a mask token which is necessary for masked language modeling");
  if (mlm.vocab_size <= 0) return Status::InvalidArgument("MLM collator: vocab_size must be > 0");
  if (mlm.mlm_probability < 0 || mlm.mlm_probability > 1)
    return Status::InvalidArgument("mlm_probability must be in [0, 1]");
  if (mlm.mask_replace_prob + mlm.random_replace_prob > 1 || mlm.mask_replace_prob < 0 || mlm.random_replace_prob < 0)
    return Status::InvalidArgument("The sum of mask_replace_prob and random_replace_prob must not exceed 1");
  return MlmCollator(mlm, padding);
}

Result<models::TrainBatch> MlmCollator::operator()(std::span<const Feature> features) {
  MHUB_ASSIGN_OR_RETURN(models::TrainBatch b, PadInputs(features, p_));
  const int64_t T = b.seq_len;
  // special[i]: never selected (special tokens and padding, as HF counts pads as special).
  std::vector<char> special(b.input_ids.size(), 0);
  for (int64_t r = 0; r < b.batch; ++r) {
    const auto& f = features[r];
    const int64_t n = int64_t(f.input_ids.size()), start = p_.pad_left ? T - n : 0;
    for (int64_t t = 0; t < T; ++t) {
      const int64_t i = r * T + t, k = t - start;
      if (k < 0 || k >= n || b.attention_mask[i] == 0) {
        special[i] = 1;
      } else if (!f.special_tokens_mask.empty()) {
        special[i] = f.special_tokens_mask[k] != 0;
      } else {
        special[i] = std::find(m_.special_ids.begin(), m_.special_ids.end(), f.input_ids[k]) != m_.special_ids.end();
      }
    }
  }
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::uniform_int_distribution<int64_t> rid(0, m_.vocab_size - 1);
  const double rest = 1.0 - m_.mask_replace_prob;
  const double random_given_rest = rest > 0 ? m_.random_replace_prob / rest : 0.0;
  b.labels.assign(b.input_ids.size(), -100);
  for (size_t i = 0; i < b.input_ids.size(); ++i) {
    // Draw for every position (specials included) so one row's content never shifts another's stream.
    const double sel = u(rng_), how = u(rng_), rnd = u(rng_);
    const int64_t random_id = rid(rng_);
    if (special[i] || sel >= m_.mlm_probability) continue;
    b.labels[i] = b.input_ids[i];
    if (how < m_.mask_replace_prob) {
      b.input_ids[i] = m_.mask_token_id;
    } else if (rnd < random_given_rest) {
      b.input_ids[i] = random_id;
    }
  }
  return b;
}

std::string MlmCollator::SaveState() const {
  std::ostringstream os;
  os << rng_;
  return os.str();
}

Status MlmCollator::LoadState(const std::string& state) {
  std::istringstream is(state);
  std::mt19937_64 rng;
  is >> rng;
  if (is.fail()) return Status::Corruption("MLM collator: unreadable generator state");
  rng_ = rng;
  return Status::OK();
}

Result<std::vector<int64_t>> AlignLabelsWithTokens(std::span<const int64_t> word_ids,
                                                   std::span<const int64_t> word_labels, bool label_all_tokens,
                                                   std::span<const int64_t> b_to_i) {
  std::vector<int64_t> out;
  out.reserve(word_ids.size());
  int64_t previous = -1;
  for (int64_t w : word_ids) {
    if (w < 0) {
      out.push_back(-100);
    } else if (w >= int64_t(word_labels.size())) {
      return Status::InvalidArgument("label alignment: word " + std::to_string(w) + " has no label (" +
                                     std::to_string(word_labels.size()) + " labels)");
    } else if (w != previous) {
      out.push_back(word_labels[w]);
    } else if (label_all_tokens) {
      const int64_t l = word_labels[w];
      out.push_back(l >= 0 && l < int64_t(b_to_i.size()) ? b_to_i[l] : l);
    } else {
      out.push_back(-100);
    }
    previous = w;
  }
  return out;
}

}  // namespace mhub::train
