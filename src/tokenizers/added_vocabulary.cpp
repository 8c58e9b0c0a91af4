#include "tokenizers/added_vocabulary.h"

#include <algorithm>
#include <cstring>

#include "tokenizers/unicode.h"

namespace mhub::tokenizers {

static bool SameToken(const AddedToken& a, const AddedToken& b) {
  return a.content == b.content && a.single_word == b.single_word && a.lstrip == b.lstrip && a.rstrip == b.rstrip &&
         a.normalized == b.normalized && a.special == b.special;
}

size_t AddedVocabulary::AddTokens(const std::vector<AddedToken>& tokens, const Model& model,
                                  const Normalizer* normalizer) {
  for (const AddedToken& t : tokens) {
    if (t.special && !t.content.empty() && !special_set_.count(t.content)) {
      special_tokens_.push_back(t);
      special_set_.insert(t.content);
    }
  }
  size_t ignored = 0;
  for (const AddedToken& t : tokens) {
    bool exists = false;
    if (auto known = by_content_.find(t.content); known != by_content_.end()) {
      auto it = by_id_.find(known->second);
      exists = it != by_id_.end() && SameToken(it->second, t);
    }
    if (t.content.empty() || exists) {
      ++ignored;
      continue;
    }
    uint32_t new_id;
    if (auto known = TokenToId(t.content)) {
      new_id = *known;
    } else if (auto in_model = model.TokenToId(t.content)) {
      new_id = *in_model;
    } else {
      const uint32_t vocab_size = static_cast<uint32_t>(model.VocabSize());
      if (by_content_.empty()) {
        new_id = vocab_size;
      } else {
        uint32_t max = max_id_;
        new_id = (max >= vocab_size || vocab_size == 0) ? max + 1 : vocab_size;
      }
    }
    by_content_[t.content] = new_id;
    max_id_ = by_content_.size() == 1 ? new_id : std::max(max_id_, new_id);
    AddedToken stored = t;
    stored.id = new_id;
    by_id_[new_id] = stored;
    if (!special_set_.count(t.content)) added_tokens_.push_back(stored);
  }
  Refresh(model, normalizer);
  return tokens.size() - ignored;
}

void AddedVocabulary::Trie::Add(std::string_view s, uint32_t id) {
  uint32_t node = 0;
  for (unsigned char c : s) {
    uint32_t next = 0;
    for (const auto& [b, child] : nodes[node].children) {
      if (b == c) {
        next = child;
        break;
      }
    }
    if (next == 0) {
      next = static_cast<uint32_t>(nodes.size());
      nodes[node].children.emplace_back(c, next);
      nodes.emplace_back();
    }
    node = next;
  }
  if (!s.empty() && !first_byte[static_cast<unsigned char>(s[0])]) {
    first_byte[static_cast<unsigned char>(s[0])] = true;
    a_first_byte = static_cast<unsigned char>(s[0]);
    ++distinct_first_bytes;
  }
  if (nodes[node].pattern < 0) nodes[node].pattern = static_cast<int32_t>(patterns.size());
  patterns.push_back(id);
}

void AddedVocabulary::Refresh(const Model& model, const Normalizer* normalizer) {
  raw_.Clear();
  normalized_.Clear();
  auto add = [&](const AddedToken& t) {
    std::optional<uint32_t> id = TokenToId(t.content);
    if (!id) id = model.TokenToId(t.content);
    if (!id) return;
    if (!t.normalized) {
      raw_.Add(t.content, *id);
      return;
    }
    NormalizedString n = NormalizedString::FromOriginal(t.content, 0);
    if (normalizer != nullptr) {
      Status st = normalizer->Normalize(n);
      (void)st;
    }
    normalized_.Add(n.text, *id);
  };
  for (const AddedToken& t : special_tokens_) add(t);
  for (const AddedToken& t : added_tokens_) add(t);
}

std::optional<uint32_t> AddedVocabulary::TokenToId(std::string_view token) const {
  auto it = by_content_.find(std::string(token));
  if (it == by_content_.end()) return std::nullopt;
  return it->second;
}

const std::string* AddedVocabulary::IdToToken(uint32_t id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second.content;
}

bool AddedVocabulary::IsSpecialId(uint32_t id) const {
  auto it = by_id_.find(id);
  return it != by_id_.end() && special_set_.count(it->second.content);
}

std::vector<AddedToken> AddedVocabulary::Tokens() const {
  std::vector<AddedToken> out;
  for (const auto& [id, t] : by_id_) out.push_back(t);
  std::sort(out.begin(), out.end(), [](const AddedToken& a, const AddedToken& b) { return a.id < b.id; });
  return out;
}

void AddedVocabulary::FindMatches(std::string_view text, bool normalized_set, bool encode_special_tokens,
                                  std::vector<AddedMatch>& out) const {
  const Trie& trie = normalized_set ? normalized_ : raw_;
  out.clear();
  if (text.empty()) {
    out.push_back({-1, 0, 0});
    return;
  }
  size_t start_offset = 0;
  size_t pos = 0;
  const size_t n = text.size();
  while (pos < n && !trie.patterns.empty()) {
    // Skip to the next byte some token starts with (memchr when they all start alike, as the
    // <|...|> specials of most models do).
    if (trie.distinct_first_bytes == 1) {
      const void* hit = std::memchr(text.data() + pos, trie.a_first_byte, n - pos);
      if (hit == nullptr) break;
      pos = static_cast<size_t>(static_cast<const char*>(hit) - text.data());
    } else {
      while (pos < n && !trie.first_byte[static_cast<unsigned char>(text[pos])]) ++pos;
      if (pos == n) break;
    }
    // Longest pattern starting at pos.
    uint32_t node = 0;
    int32_t best_pattern = -1;
    size_t best_end = 0;
    for (size_t i = pos; i < n; ++i) {
      unsigned char c = static_cast<unsigned char>(text[i]);
      uint32_t next = 0;
      for (const auto& [b, child] : trie.nodes[node].children) {
        if (b == c) {
          next = child;
          break;
        }
      }
      if (next == 0) break;
      node = next;
      if (trie.nodes[node].pattern >= 0) {
        best_pattern = trie.nodes[node].pattern;
        best_end = i + 1;
      }
    }
    if (best_pattern < 0) {
      ++pos;
      continue;
    }
    const uint32_t id = trie.patterns[static_cast<size_t>(best_pattern)];
    const size_t match_start = pos;
    const size_t match_end = best_end;
    pos = match_end;  // the automaton resumes after the match, whatever is decided below
    const AddedToken& tok = by_id_.at(id);
    if (encode_special_tokens && special_set_.count(tok.content)) continue;
    size_t start = match_start;
    size_t stop = match_end;
    if (tok.single_word) {
      bool start_space = true;
      if (start > 0) {
        size_t cs;
        start_space = !unicode::IsWordChar(unicode::PrevChar(text, start, cs));
      }
      bool stop_space = true;
      if (stop < n) {
        size_t i = stop;
        stop_space = !unicode::IsWordChar(unicode::NextChar(text, i));
      }
      if (!start_space || !stop_space) continue;
    }
    if (tok.lstrip) {
      size_t s = start;
      while (s > 0) {
        size_t cs;
        char32_t c = unicode::PrevChar(text, s, cs);
        if (!unicode::IsWhitespace(c)) break;
        s = cs;
      }
      start = std::max(s, start_offset);
    }
    if (tok.rstrip) {
      while (stop < n) {
        size_t i = stop;
        char32_t c = unicode::NextChar(text, i);
        if (!unicode::IsWhitespace(c)) break;
        stop = i;
      }
    }
    if (start_offset < start) out.push_back({-1, static_cast<uint32_t>(start_offset), static_cast<uint32_t>(start)});
    out.push_back({static_cast<int64_t>(id), static_cast<uint32_t>(start), static_cast<uint32_t>(stop)});
    start_offset = stop;
  }
  if (start_offset != n) out.push_back({-1, static_cast<uint32_t>(start_offset), static_cast<uint32_t>(n)});
}

}  // namespace mhub::tokenizers
