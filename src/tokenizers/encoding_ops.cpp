#include "tokenizers/encoding_ops.h"

#include <algorithm>

namespace mhub::tokenizers {

void SetSequenceId(Encoding& e, size_t id) {
  if (e.sequence_ranges.size() == 1 && e.sequence_ranges.begin()->first == id) {
    e.sequence_ranges.begin()->second = {0, e.size()};  // no node reallocated
    return;
  }
  e.sequence_ranges.clear();
  e.sequence_ranges[id] = {0, e.size()};
}

void MergeWith(Encoding& self, Encoding pair, bool growing_offsets) {
  // Merging into an empty encoding yields `pair` itself (no shift, overflows merged with nothing).
  if (self.ids.empty() && self.type_ids.empty() && self.tokens.empty() && self.offsets.empty() &&
      self.word_ids.empty() && self.special_tokens_mask.empty() && self.attention_mask.empty() &&
      self.overflowing.empty() && self.sequence_ranges.empty()) {
    self = std::move(pair);
    return;
  }
  std::vector<Encoding> overflowings;
  for (const Encoding& self_o : self.overflowing) {
    Encoding n = self_o;
    MergeWith(n, pair, growing_offsets);
    overflowings.push_back(std::move(n));
    for (const Encoding& other_o : pair.overflowing) {
      Encoding n2 = self_o;
      MergeWith(n2, other_o, growing_offsets);
      overflowings.push_back(std::move(n2));
    }
  }
  for (const Encoding& other_o : pair.overflowing) {
    Encoding n = self;
    MergeWith(n, other_o, growing_offsets);
    overflowings.push_back(std::move(n));
  }
  const size_t original_len = self.size();
  for (const auto& [seq, range] : pair.sequence_ranges) {
    self.sequence_ranges[seq] = {original_len + range.first, original_len + range.second};
  }
  self.ids.reserve(self.ids.size() + pair.ids.size());
  self.tokens.reserve(self.tokens.size() + pair.tokens.size());
  self.offsets.reserve(self.offsets.size() + pair.offsets.size());
  self.ids.insert(self.ids.end(), pair.ids.begin(), pair.ids.end());
  self.type_ids.insert(self.type_ids.end(), pair.type_ids.begin(), pair.type_ids.end());
  for (auto& t : pair.tokens) self.tokens.push_back(std::move(t));
  self.word_ids.insert(self.word_ids.end(), pair.word_ids.begin(), pair.word_ids.end());
  size_t shift = growing_offsets && !self.offsets.empty() ? self.offsets.back().second : 0;
  for (const auto& [s, e] : pair.offsets) self.offsets.emplace_back(s + shift, e + shift);
  self.special_tokens_mask.insert(self.special_tokens_mask.end(), pair.special_tokens_mask.begin(),
                                  pair.special_tokens_mask.end());
  self.attention_mask.insert(self.attention_mask.end(), pair.attention_mask.begin(), pair.attention_mask.end());
  self.overflowing = std::move(overflowings);
}

Encoding MergeAll(std::vector<Encoding> encodings, bool growing_offsets) {
  Encoding out;
  for (Encoding& e : encodings) MergeWith(out, std::move(e), growing_offsets);
  return out;
}

static Encoding Slice(const Encoding& e, size_t start, size_t stop) {
  Encoding s;
  auto sl = [&](const auto& v) { return std::remove_cvref_t<decltype(v)>(v.begin() + start, v.begin() + stop); };
  s.ids = sl(e.ids);
  s.type_ids = sl(e.type_ids);
  s.tokens = sl(e.tokens);
  s.word_ids = sl(e.word_ids);
  s.offsets = sl(e.offsets);
  s.special_tokens_mask = sl(e.special_tokens_mask);
  s.attention_mask = sl(e.attention_mask);
  return s;
}

Status Truncate(Encoding& e, size_t max_len, size_t stride, Direction direction) {
  const size_t len = e.size();
  if (max_len >= len) return Status::OK();
  if (max_len == 0) {
    Encoding whole = std::move(e);
    e = Encoding();
    e.overflowing.push_back(std::move(whole));
    return Status::OK();
  }
  if (stride >= max_len) {
    return Status::InvalidArgument("truncation stride " + std::to_string(stride) +
                                   " must be strictly less than the length after removing special tokens (" +
                                   std::to_string(max_len) + ")");
  }
  const size_t step = max_len - stride;
  std::vector<std::pair<size_t, size_t>> parts;
  if (direction == Direction::kRight) {
    for (size_t start = 0; start < len; start += step) {
      size_t stop = std::min(start + max_len, len);
      parts.emplace_back(start, stop);
      if (stop == len) break;
    }
  } else {
    // (0..len).rev().step_by(step): stop-1 = len-1, len-1-step, ...
    for (size_t k = 0;; ++k) {
      if (k * step > len - 1) break;
      size_t stop = len - k * step;
      size_t start = stop > max_len ? stop - max_len : 0;
      parts.emplace_back(start, stop);
      if (start == 0) break;
    }
  }
  Encoding result = Slice(e, parts[0].first, parts[0].second);
  for (size_t i = 1; i < parts.size(); ++i) result.overflowing.push_back(Slice(e, parts[i].first, parts[i].second));
  e = std::move(result);
  return Status::OK();
}

Status CheckPairOverflowSize(const Encoding& first, const Encoding* second, size_t max_length) {
  if (second == nullptr || first.overflowing.empty() || second->overflowing.empty()) return Status::OK();
  // MergeWith makes this many encodings in all (nested ones included), each of up to max_length
  // tokens: each part of the first with the whole second (itself n2 nested), with each part of the
  // second, and the whole first (n1 nested) with each part of the second.
  const size_t n1 = first.overflowing.size(), n2 = second->overflowing.size();
  const size_t encodings = n1 * (1 + n2) + n1 * n2 + n2 * (1 + n1) + 1;
  const size_t tokens = encodings * std::max<size_t>(max_length, 1);
  if (tokens / std::max<size_t>(max_length, 1) != encodings || tokens > kMaxPairOverflowTokens) {
    return Status::ResourceExhausted("truncation with stride of this pair would make " + std::to_string(encodings) +
                                     " overflowing encodings (both sequences overflow, so every part of one is "
                                     "paired with every part of the other); more than " +
                                     std::to_string(kMaxPairOverflowTokens) +
                                     " tokens in all: shorten the inputs, raise max_length or use only_first / "
                                     "only_second truncation");
  }
  return Status::OK();
}

Status TruncateEncodings(Encoding& first, Encoding* second, const TruncationParams& params) {
  if (params.max_length == 0) {
    MHUB_RETURN_IF_ERROR(Truncate(first, 0, params.stride, params.direction));
    if (second) MHUB_RETURN_IF_ERROR(Truncate(*second, 0, params.stride, params.direction));
    return Status::OK();
  }
  size_t total = first.size() + (second ? second->size() : 0);
  if (total <= params.max_length) return Status::OK();
  size_t to_remove = total - params.max_length;
  switch (params.strategy) {
    case TruncationStrategy::kLongestFirst: {
      if (second == nullptr) return Truncate(first, total - to_remove, params.stride, params.direction);
      size_t n1 = first.size();
      size_t n2 = second->size();
      bool swap = false;
      if (n1 > n2) {
        swap = true;
        std::swap(n1, n2);
      }
      if (n1 > params.max_length) {
        n2 = n1;
      } else {
        n2 = std::max(n1, params.max_length - n1);
      }
      if (n1 + n2 > params.max_length) {
        n1 = params.max_length / 2;
        n2 = n1 + params.max_length % 2;
      }
      if (swap) std::swap(n1, n2);
      MHUB_RETURN_IF_ERROR(Truncate(first, n1, params.stride, params.direction));
      return Truncate(*second, n2, params.stride, params.direction);
    }
    case TruncationStrategy::kOnlyFirst:
    case TruncationStrategy::kOnlySecond: {
      Encoding* target = params.strategy == TruncationStrategy::kOnlyFirst ? &first : second;
      if (target == nullptr) return Status::InvalidArgument("truncation only_second needs a pair of sequences");
      if (target->size() <= to_remove) {
        return Status::InvalidArgument("truncation error: sequence to truncate is too short to respect max_length");
      }
      return Truncate(*target, target->size() - to_remove, params.stride, params.direction);
    }
  }
  return Status::OK();
}

void Pad(Encoding& e, size_t target, uint32_t pad_id, uint32_t pad_type_id, const std::string& pad_token,
         Direction direction) {
  for (Encoding& o : e.overflowing) Pad(o, target, pad_id, pad_type_id, pad_token, direction);
  if (e.size() >= target) return;
  const size_t n = target - e.size();
  auto add = [&](auto& v, auto value) {
    if (direction == Direction::kRight) {
      v.insert(v.end(), n, value);
    } else {
      v.insert(v.begin(), n, value);
    }
  };
  add(e.ids, pad_id);
  add(e.type_ids, pad_type_id);
  add(e.tokens, pad_token);
  add(e.word_ids, std::optional<uint32_t>());
  add(e.attention_mask, 0u);
  add(e.special_tokens_mask, 1u);
  add(e.offsets, std::pair<size_t, size_t>(0, 0));
  if (direction == Direction::kLeft) {
    for (auto& [seq, range] : e.sequence_ranges) range = {range.first + n, range.second + n};
  }
}

void PadEncodings(std::vector<Encoding*>& encodings, const PaddingParams& params) {
  if (encodings.empty()) return;
  size_t length = params.max_length;
  if (params.strategy == PaddingStrategy::kLongest) {
    length = 0;
    for (const Encoding* e : encodings) length = std::max(length, e->size());
  }
  if (params.pad_to_multiple_of > 0 && length % params.pad_to_multiple_of > 0) {
    length += params.pad_to_multiple_of - length % params.pad_to_multiple_of;
  }
  for (Encoding* e : encodings) Pad(*e, length, params.pad_id, params.pad_type_id, params.pad_token, params.direction);
}

}  // namespace mhub::tokenizers
