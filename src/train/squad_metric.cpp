// The `squad` and `squad_v2` metrics (evaluate): SQuAD's official answer normalisation, exact match
// and token-overlap F1, each the best over an example's reference answers.
#include <utf8proc.h>

#include <algorithm>
#include <map>

#include "mhub/train/question_answering.h"

namespace mhub::train {
namespace {

std::vector<int32_t> Decode(const std::string& s) {
  std::vector<int32_t> cps;
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  utf8proc_ssize_t left = utf8proc_ssize_t(s.size());
  while (left > 0) {
    utf8proc_int32_t c;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &c);
    if (n <= 0) {  // invalid byte: keep it as U+FFFD, as Python's errors="replace" would
      c = 0xFFFD;
      n = 1;
    }
    cps.push_back(c);
    p += n;
    left -= n;
  }
  return cps;
}

std::string Encode(const std::vector<int32_t>& cps) {
  std::string out;
  utf8proc_uint8_t buf[4];
  for (int32_t c : cps) out.append(reinterpret_cast<char*>(buf), size_t(utf8proc_encode_char(c, buf)));
  return out;
}

// Python's str.isspace() / the \w of re (str patterns): Unicode categories.
bool IsSpace(int32_t c) {
  if ((c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F) || c == 0x85) return true;
  const auto cat = utf8proc_category(c);
  return cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL || cat == UTF8PROC_CATEGORY_ZP;
}
bool IsWord(int32_t c) {
  if (c == '_') return true;
  const auto cat = utf8proc_category(c);
  return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
         (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO);
}

std::vector<std::string> Split(const std::vector<int32_t>& cps) {
  std::vector<std::string> words;
  std::vector<int32_t> cur;
  for (int32_t c : cps) {
    if (IsSpace(c)) {
      if (!cur.empty()) words.push_back(Encode(cur)), cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) words.push_back(Encode(cur));
  return words;
}

std::vector<std::string> NormalizedTokens(const std::string& s) { return Split(Decode(NormalizeSquadAnswer(s))); }

double F1(const std::vector<std::string>& pred, const std::vector<std::string>& gold, bool v2) {
  // squad_v2's compute_f1: an empty side scores 1 only when both are empty.
  if (v2 && (pred.empty() || gold.empty())) return pred == gold ? 1.0 : 0.0;
  std::map<std::string, int64_t> count;
  for (const auto& w : gold) ++count[w];
  int64_t same = 0;
  for (const auto& w : pred)
    if (count[w]-- > 0) ++same;
  if (same == 0) return 0.0;
  const double precision = double(same) / double(pred.size()), recall = double(same) / double(gold.size());
  return 2 * precision * recall / (precision + recall);
}

}  // namespace

std::string NormalizeSquadAnswer(const std::string& s) {
  // lower -> remove_punc (string.punctuation) -> remove_articles (\b(a|an|the)\b -> " ") -> white_space_fix.
  std::vector<int32_t> cps;
  for (int32_t c : Decode(s)) {
    c = utf8proc_tolower(c);
    if (c < 128 && std::string_view("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~").find(char(c)) != std::string_view::npos)
      continue;
    cps.push_back(c);
  }
  std::vector<int32_t> no_articles;
  for (size_t i = 0; i < cps.size();) {
    bool replaced = false;
    if (i == 0 || !IsWord(cps[i - 1]))
      for (std::string_view art : {"an", "a", "the"}) {  // "an" before "a": the regex tries a|an|the, but
        // \b after "a" fails inside "an", so the longer match is what re finds.
        if (i + art.size() > cps.size()) continue;
        bool eq = true;
        for (size_t k = 0; k < art.size(); ++k) eq = eq && cps[i + k] == art[k];
        if (eq && (i + art.size() == cps.size() || !IsWord(cps[i + art.size()]))) {
          no_articles.push_back(' ');
          i += art.size();
          replaced = true;
          break;
        }
      }
    if (!replaced) no_articles.push_back(cps[i++]);
  }
  std::string out;
  for (const auto& w : Split(no_articles)) out += (out.empty() ? "" : " ") + w;
  return out;
}

Result<std::map<std::string, double>> SquadMetric(const std::map<std::string, std::string>& predictions,
                                                  const std::map<std::string, std::vector<std::string>>& references,
                                                  bool v2) {
  if (references.empty()) return Status::InvalidArgument("squad metric: no references");
  double em = 0, f1 = 0, has_em = 0, has_f1 = 0, no_em = 0, no_f1 = 0;
  int64_t has = 0, no = 0;
  for (const auto& [id, golds_in] : references) {
    auto it = predictions.find(id);
    if (it == predictions.end()) return Status::InvalidArgument("squad metric: no prediction for id '" + id + "'");
    std::vector<std::string> golds;
    for (const auto& g : golds_in)
      if (!v2 || !NormalizeSquadAnswer(g).empty()) golds.push_back(g);
    if (golds.empty()) {
      if (!v2) return Status::InvalidArgument("squad metric: id '" + id + "' has no reference answer (use squad_v2)");
      golds.push_back("");
    }
    const std::string pred_norm = NormalizeSquadAnswer(it->second);
    const auto pred_tokens = NormalizedTokens(it->second);
    double best_em = 0, best_f1 = 0;
    for (const auto& g : golds) {
      best_em = std::max(best_em, NormalizeSquadAnswer(g) == pred_norm ? 1.0 : 0.0);
      best_f1 = std::max(best_f1, F1(pred_tokens, NormalizedTokens(g), v2));
    }
    em += best_em, f1 += best_f1;
    const bool answerable = !golds_in.empty();  // squad_v2: bool(answers["text"])
    if (answerable) {
      ++has, has_em += best_em, has_f1 += best_f1;
    } else {
      ++no, no_em += best_em, no_f1 += best_f1;
    }
  }
  const double n = double(references.size());
  if (!v2) return std::map<std::string, double>{{"exact_match", 100 * em / n}, {"f1", 100 * f1 / n}};
  std::map<std::string, double> out = {{"exact", 100 * em / n}, {"f1", 100 * f1 / n}, {"total", n}};
  if (has) {
    out["HasAns_exact"] = 100 * has_em / double(has), out["HasAns_f1"] = 100 * has_f1 / double(has);
    out["HasAns_total"] = double(has);
  }
  if (no) {
    out["NoAns_exact"] = 100 * no_em / double(no), out["NoAns_f1"] = 100 * no_f1 / double(no);
    out["NoAns_total"] = double(no);
  }
  return out;
}

}  // namespace mhub::train
