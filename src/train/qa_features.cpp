// run_qa's prepare_train_features / prepare_validation_features over mhub's tokenizer.
#include <algorithm>

#include "mhub/train/question_answering.h"

namespace mhub::train {
namespace {

using tokenizers::Encoding;

// Number of code points in UTF-8 `s`.
int64_t CodePoints(const std::string& s) {
  int64_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string LStrip(const std::string& s) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\v' || s[i] == '\f'))
    ++i;
  return s.substr(i);
}

// One window -> feature with positions (prepare_train_features) and context offsets
// (prepare_validation_features).
Status AddWindow(const Encoding& enc, const QaExample& ex, int64_t example_index, const QaPrepOptions& o,
                 std::optional<uint32_t> cls_id, std::vector<QaFeature>& out) {
  QaFeature f;
  f.example_index = example_index;
  const int64_t n = int64_t(enc.ids.size());
  if (o.pad_to_max_length && n > o.max_length)
    return Status::InvalidArgument("question-answering: a window has " + std::to_string(n) +
                                   " tokens, more than max_length " + std::to_string(o.max_length));
  const int64_t len = o.pad_to_max_length ? o.max_length : n;
  const auto seq = enc.SequenceIds();
  const uint32_t context_seq = o.pad_on_right ? 1 : 0;
  f.feature.input_ids.assign(size_t(len), o.pad_token_id);
  f.feature.token_type_ids.assign(size_t(len), 0);
  f.feature.attention_mask.assign(size_t(len), 0);
  f.offsets.assign(size_t(len), std::nullopt);
  for (int64_t t = 0; t < n; ++t) {
    f.feature.input_ids[t] = enc.ids[t];
    f.feature.token_type_ids[t] = enc.type_ids.empty() ? 0 : enc.type_ids[t];
    f.feature.attention_mask[t] = enc.attention_mask.empty() ? 1 : enc.attention_mask[t];
    if (seq[t] && *seq[t] == context_seq)
      f.offsets[t] = {int64_t(enc.offsets[t].first), int64_t(enc.offsets[t].second)};
  }
  // cls_index: the first CLS (or BOS) id in the window, else 0.
  int64_t cls_index = 0;
  if (cls_id)
    for (int64_t t = 0; t < n; ++t)
      if (enc.ids[t] == *cls_id) {
        cls_index = t;
        break;
      }
  f.feature.start_position = f.feature.end_position = cls_index;
  if (!ex.answer_starts.empty()) {
    const int64_t start_char = ex.answer_starts[0];
    const int64_t end_char = start_char + CodePoints(ex.answer_texts[0]);
    // The context's first and last token of this window (padding has no sequence id).
    int64_t ts = 0, te = len - 1;
    while (ts < len && !(ts < n && seq[ts] && *seq[ts] == context_seq)) ++ts;
    while (te >= 0 && !(te < n && seq[te] && *seq[te] == context_seq)) --te;
    if (ts <= te && f.offsets[ts]->first <= start_char && f.offsets[te]->second >= end_char) {
      // run_qa walks the raw offset_mapping, where non-context tokens read (0, 0).
      auto off = [&](int64_t t) -> std::pair<int64_t, int64_t> {
        return t < n ? std::pair<int64_t, int64_t>(int64_t(enc.offsets[t].first), int64_t(enc.offsets[t].second))
                     : std::pair<int64_t, int64_t>(0, 0);
      };
      while (ts < len && off(ts).first <= start_char) ++ts;
      f.feature.start_position = ts - 1;
      while (off(te).second >= end_char) --te;
      f.feature.end_position = te + 1;
    }
  }
  out.push_back(std::move(f));
  return Status::OK();
}

}  // namespace

Result<std::vector<QaFeature>> PrepareQaFeatures(tokenizers::Tokenizer& tokenizer, std::span<const QaExample> examples,
                                                 const QaPrepOptions& o) {
  if (o.max_length <= 0 || o.doc_stride < 0 || o.doc_stride >= o.max_length)
    return Status::InvalidArgument("question-answering: need 0 <= doc_stride < max_length (got " +
                                   std::to_string(o.doc_stride) + ", " + std::to_string(o.max_length) + ")");
  const auto saved_padding = tokenizer.padding();
  const auto saved_truncation = tokenizer.truncation();
  tokenizers::TruncationParams tp;
  tp.max_length = size_t(o.max_length);
  tp.stride = size_t(o.doc_stride);
  tp.strategy =
      o.pad_on_right ? tokenizers::TruncationStrategy::kOnlySecond : tokenizers::TruncationStrategy::kOnlyFirst;
  MHUB_RETURN_IF_ERROR(tokenizer.SetTruncation(tp));
  tokenizer.SetPadding(std::nullopt);
  std::optional<uint32_t> cls_id;
  for (const char* t : {"[CLS]", "<s>", "<|endoftext|>"})
    if ((cls_id = tokenizer.TokenToId(t))) break;

  std::vector<QaFeature> out;
  Status st;
  for (size_t i = 0; i < examples.size() && st.ok(); ++i) {
    const QaExample& ex = examples[i];
    const std::string where = "question-answering example " + std::to_string(i) + " (id '" + ex.id + "')";
    if (ex.answer_texts.size() != ex.answer_starts.size()) {
      st = Status::InvalidArgument(where + ": answers.text and answers.answer_start differ in length");
      break;
    }
    if (!ex.answer_starts.empty() &&
        (ex.answer_starts[0] < 0 || ex.answer_starts[0] + CodePoints(ex.answer_texts[0]) > CodePoints(ex.context))) {
      st = Status::InvalidArgument(where + ": answer_start " + std::to_string(ex.answer_starts[0]) +
                                   " puts the answer outside the context");
      break;
    }
    const std::string q = LStrip(ex.question);
    auto enc = o.pad_on_right ? tokenizer.EncodePair(q, ex.context) : tokenizer.EncodePair(ex.context, q);
    if (!enc.ok()) {
      st = enc.status().WithContext(where);
      break;
    }
    // The tokenizer returns the first window with the rest as `overflowing` (HF order).
    st = AddWindow(*enc, ex, int64_t(i), o, cls_id, out);
    for (size_t w = 0; w < enc->overflowing.size() && st.ok(); ++w)
      st = AddWindow(enc->overflowing[w], ex, int64_t(i), o, cls_id, out);
    if (!st.ok()) st = st.WithContext(where);
  }
  tokenizer.SetPadding(saved_padding);
  Status restore = tokenizer.SetTruncation(saved_truncation);
  if (!st.ok()) return st;
  MHUB_RETURN_IF_ERROR(restore);
  return out;
}

}  // namespace mhub::train
