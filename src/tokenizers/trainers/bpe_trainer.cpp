// BPE and WordPiece training (HF tokenizers/src/models/bpe/trainer.rs do_train, word.rs merge,
// wordpiece/trainer.rs). The merge loop follows HF step by step, quirks included, so that the
// merges equal HF's: a heap entry carries only the words where its pair was (re)formed when it
// was pushed, a stale entry is pushed back with its fresh count, and a pair may be merged twice
// (the second merge reuses the token; only its later rank survives in the saved merges).
#include <algorithm>
#include <cstdint>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "mhub/tokenizers/trainers.h"
#include "tokenizers/unicode.h"

namespace mhub::tokenizers {
namespace {

using Pair = uint64_t;  // (left id << 32) | right id: compares like HF's (u32, u32) tuple
Pair MakePair(uint32_t a, uint32_t b) { return (static_cast<uint64_t>(a) << 32) | b; }
uint32_t Left(Pair p) { return static_cast<uint32_t>(p >> 32); }
uint32_t Right(Pair p) { return static_cast<uint32_t>(p); }

struct Symbol {
  uint32_t id;
  size_t len;  // chars
};

// HF word.rs Word::merge: merges every (c1, c2) left to right, reporting the pair count changes.
void MergeWord(std::vector<Symbol>& s, uint32_t c1, uint32_t c2, uint32_t replacement, size_t max_length,
               std::vector<std::pair<Pair, int32_t>>& changes) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i].id != c1 || i + 1 >= s.size() || s[i + 1].id != c2) continue;
    const Symbol first = s[i];
    const Symbol second = s[i + 1];
    const Symbol merged{replacement, first.len + second.len};
    if (i > 0) {
      changes.emplace_back(MakePair(s[i - 1].id, first.id), -1);
      if (s[i - 1].len + merged.len < max_length) changes.emplace_back(MakePair(s[i - 1].id, replacement), 1);
    }
    s[i] = merged;
    s.erase(s.begin() + static_cast<ptrdiff_t>(i) + 1);
    if (i + 1 < s.size()) {
      changes.emplace_back(MakePair(second.id, s[i + 1].id), -1);
      if (s[i + 1].len + merged.len < max_length) changes.emplace_back(MakePair(replacement, s[i + 1].id), 1);
    }
  }
}

struct Merge {
  Pair pair;
  uint64_t count;
  std::vector<uint32_t> pos;  // word indexes (a set: sorted, unique)
};
// Max-heap on count, then the smaller pair first (HF's Ord for Merge).
struct MergeLess {
  bool operator()(const Merge& a, const Merge& b) const {
    if (a.count != b.count) return a.count < b.count;
    return a.pair > b.pair;
  }
};

}  // namespace

Result<BpeTrainer::Output> BpeTrainer::Learn(const WordCounts& word_counts) const {
  if (word_counts.empty()) {
    return Status::InvalidArgument("the training corpus is empty (no words after normalization and pre-tokenization)");
  }
  std::unordered_map<std::string, uint32_t> word_to_id;
  std::vector<std::string> id_to_word;
  auto intern = [&](const std::string& s) {
    auto [it, inserted] = word_to_id.emplace(s, static_cast<uint32_t>(id_to_word.size()));
    if (inserted) id_to_word.push_back(s);
    return it->second;
  };
  const size_t max_length = max_token_length.value_or(SIZE_MAX);

  // 1. Special tokens.
  for (const std::string& t : special_tokens) intern(t);
  // Words in a fixed order (HF walks its hash map; only the ids of prefixed/suffixed variants
  // depend on it).
  std::vector<std::pair<const std::string*, uint64_t>> wc;
  wc.reserve(word_counts.size());
  for (const auto& [w, n] : word_counts) wc.emplace_back(&w, n);
  std::sort(wc.begin(), wc.end(), [](const auto& a, const auto& b) { return *a.first < *b.first; });

  // 2. Alphabet: chars weighted by word counts, initial_alphabet forced, limit_alphabet drops the
  // rarest; the kept chars get ids in code point order.
  std::unordered_map<char32_t, uint64_t> alphabet;
  for (const auto& [w, n] : wc) {
    std::string_view t = *w;
    for (size_t i = 0; i < t.size();) alphabet[unicode::NextChar(t, i)] += n;
  }
  for (char32_t c : initial_alphabet) alphabet[c] = UINT64_MAX;
  std::vector<std::pair<char32_t, uint64_t>> kept(alphabet.begin(), alphabet.end());
  if (limit_alphabet && kept.size() > *limit_alphabet) {
    // HF's sort is unstable on ties; rarest first, then the higher code point first.
    std::sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second < b.second : a.first > b.first;
    });
    kept.erase(kept.begin(), kept.begin() + static_cast<ptrdiff_t>(kept.size() - *limit_alphabet));
  }
  std::sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [c, n] : kept) intern(unicode::ToUtf8(c));
  if (vocab_size < word_to_id.size()) {
    return Status::InvalidArgument("vocab_size " + std::to_string(vocab_size) + " is smaller than the alphabet (" +
                                   std::to_string(kept.size()) + " chars) plus the special tokens (" +
                                   std::to_string(special_tokens.size()) + ")");
  }

  // 3. Words as symbol sequences; chars outside the alphabet are dropped.
  std::vector<std::vector<Symbol>> words(wc.size());
  std::vector<uint64_t> counts(wc.size());
  for (size_t wi = 0; wi < wc.size(); ++wi) {
    counts[wi] = wc[wi].second;
    std::string_view t = *wc[wi].first;
    size_t i = 0;
    bool first = true;
    while (i < t.size()) {
      size_t start = i;
      unicode::NextChar(t, i);
      std::string s(t.substr(start, i - start));
      bool is_first = first;
      first = false;
      if (!word_to_id.count(s)) continue;
      if (!is_first && continuing_subword_prefix) s.insert(0, *continuing_subword_prefix);
      if (i == t.size() && end_of_word_suffix) s += *end_of_word_suffix;
      words[wi].push_back({intern(s), 1});
    }
  }

  // 4. Pair counts (HF keeps them in i32) and where each pair occurs.
  std::unordered_map<Pair, int32_t> pair_counts;
  std::unordered_map<Pair, std::vector<uint32_t>> where;
  for (size_t wi = 0; wi < words.size(); ++wi) {
    const auto& w = words[wi];
    for (size_t k = 0; k + 1 < w.size(); ++k) {
      Pair p = MakePair(w[k].id, w[k + 1].id);
      pair_counts[p] += static_cast<int32_t>(counts[wi]);
      auto& v = where[p];
      if (v.empty() || v.back() != wi) v.push_back(static_cast<uint32_t>(wi));
    }
  }
  std::priority_queue<Merge, std::vector<Merge>, MergeLess> queue;
  auto push_where = [&] {
    for (auto& [pair, pos] : where) {
      int32_t count = pair_counts[pair];
      if (count <= 0) continue;
      std::sort(pos.begin(), pos.end());
      pos.erase(std::unique(pos.begin(), pos.end()), pos.end());
      queue.push(Merge{pair, static_cast<uint64_t>(count), std::move(pos)});
    }
    where.clear();
  };
  push_where();

  // 5. Merges.
  std::vector<std::pair<Pair, uint32_t>> merges;
  std::vector<std::pair<Pair, int32_t>> changes;
  std::vector<std::pair<std::pair<Pair, int32_t>, uint32_t>> all_changes;
  while (word_to_id.size() < vocab_size && !queue.empty()) {
    Merge top = queue.top();
    queue.pop();
    const uint64_t fresh = static_cast<uint64_t>(static_cast<int64_t>(pair_counts[top.pair]));
    if (top.count != fresh) {
      top.count = fresh;
      queue.push(std::move(top));
      continue;
    }
    if (top.count < 1 || min_frequency > top.count) break;
    const std::string& part_a = id_to_word[Left(top.pair)];
    std::string_view part_b = id_to_word[Right(top.pair)];
    if (continuing_subword_prefix &&
        part_b.substr(0, continuing_subword_prefix->size()) == *continuing_subword_prefix) {
      part_b.remove_prefix(continuing_subword_prefix->size());
    }
    const uint32_t new_id = intern(part_a + std::string(part_b));
    merges.emplace_back(top.pair, new_id);

    all_changes.clear();
    for (uint32_t wi : top.pos) {
      changes.clear();
      MergeWord(words[wi], Left(top.pair), Right(top.pair), new_id, max_length, changes);
      for (const auto& c : changes) all_changes.push_back({c, wi});
    }
    for (const auto& [change, wi] : all_changes) {
      pair_counts[change.first] += change.second * static_cast<int32_t>(counts[wi]);
      if (change.second > 0) where[change.first].push_back(wi);
    }
    push_where();
  }

  // A pair merged twice keeps its last rank (HF collects the merges into a map).
  std::unordered_map<Pair, size_t> last_rank;
  for (size_t r = 0; r < merges.size(); ++r) last_rank[merges[r].first] = r;
  Output out;
  out.vocab = std::move(id_to_word);
  for (size_t r = 0; r < merges.size(); ++r) {
    if (last_rank[merges[r].first] != r) continue;
    out.merges.emplace_back(out.vocab[Left(merges[r].first)], out.vocab[Right(merges[r].first)]);
  }
  return out;
}

namespace {
Json VocabObject(const std::vector<std::string>& vocab) {
  Json v = Json::object();
  for (size_t i = 0; i < vocab.size(); ++i) v[vocab[i]] = i;
  return v;
}
Json OptionalString(const std::optional<std::string>& s) { return s ? Json(*s) : Json(nullptr); }
}  // namespace

Result<Json> BpeTrainer::TrainModel(const WordCounts& words, const Json& model) const {
  MHUB_ASSIGN_OR_RETURN(Output out, Learn(words));
  Json m = model;
  m["type"] = "BPE";
  m["vocab"] = VocabObject(out.vocab);
  Json merges = Json::array();
  for (auto& [a, b] : out.merges) merges.push_back(Json::array({a, b}));
  m["merges"] = std::move(merges);
  m["continuing_subword_prefix"] = OptionalString(continuing_subword_prefix);
  m["end_of_word_suffix"] = OptionalString(end_of_word_suffix);
  return m;
}

Result<Json> WordPieceTrainer::TrainModel(const WordCounts& words, const Json& model) const {
  MHUB_ASSIGN_OR_RETURN(Output out, Learn(words));
  Json m = model;
  m["type"] = "WordPiece";
  m["vocab"] = VocabObject(out.vocab);
  // WordPiece::from_bpe keeps "##" when the BPE run had no prefix.
  m["continuing_subword_prefix"] = continuing_subword_prefix.value_or("##");
  if (!m.contains("unk_token")) m["unk_token"] = "[UNK]";
  if (!m.contains("max_input_chars_per_word")) m["max_input_chars_per_word"] = 100;
  return m;
}

}  // namespace mhub::tokenizers
