// Precompiled (HF normalizers/precompiled.rs over the spm_precompiled crate): SentencePiece's
// normalization rules as a Darts double-array trie plus a pool of replacement strings.
#include <utf8proc.h>

#include <cstring>

#include "mhub/base/base64.h"
#include "tokenizers/normalizers/normalizer.h"

namespace mhub::tokenizers {
namespace {

class PrecompiledNormalizer final : public Normalizer {
 public:
  PrecompiledNormalizer(std::string base64, std::vector<uint32_t> trie, std::string pool)
      : base64_(std::move(base64)), trie_(std::move(trie)), pool_(std::move(pool)) {}

  Status Normalize(NormalizedString& s) const override {
    std::vector<std::pair<char32_t, int>> changes;
    changes.reserve(s.text.size());
    bool modified = false;
    std::string_view t = s.text;
    size_t i = 0;
    utf8proc_int32_t state = 0;
    while (i < t.size()) {
      // One extended grapheme cluster [i, j).
      size_t j = i;
      char32_t prev = unicode::NextChar(t, j);
      while (j < t.size()) {
        size_t k = j;
        char32_t c = unicode::NextChar(t, k);
        if (utf8proc_grapheme_break_stateful(static_cast<utf8proc_int32_t>(prev), static_cast<utf8proc_int32_t>(c),
                                             &state))
          break;
        prev = c;
        j = k;
      }
      std::string_view grapheme = t.substr(i, j - i);
      i = j;
      std::string_view norm;
      if (grapheme.size() < 6 && Transform(grapheme, norm)) {
        modified = true;
        Replace(changes, grapheme, norm);
        continue;
      }
      for (size_t a = 0; a < grapheme.size();) {
        size_t b = a;
        char32_t c = unicode::NextChar(grapheme, b);
        std::string_view part = grapheme.substr(a, b - a);
        if (Transform(part, norm)) {
          modified = true;
          Replace(changes, part, norm);
        } else {
          changes.emplace_back(c, 0);
        }
        a = b;
      }
    }
    if (modified) s.Transform(0, s.text.size(), changes, 0);
    return Status::OK();
  }

  Json ToJson() const override { return Json{{"type", "Precompiled"}, {"precompiled_charsmap", base64_}}; }

 private:
  static void Replace(std::vector<std::pair<char32_t, int>>& changes, std::string_view old_part,
                      std::string_view new_part) {
    int old_count = static_cast<int>(unicode::CountChars(old_part));
    int new_count = static_cast<int>(unicode::CountChars(new_part));
    int diff = new_count - old_count;
    for (size_t i = 0; i < new_part.size();) changes.emplace_back(unicode::NextChar(new_part, i), 0);
    if (diff > 0) {
      for (int k = 0; k < diff && k < static_cast<int>(changes.size()); ++k) changes[changes.size() - 1 - k].second = 1;
    } else if (diff < 0 && !changes.empty()) {
      changes.back().second += diff;
    }
  }

  // spm_precompiled common_prefix_search: the replacement of the shortest matching prefix.
  bool Transform(std::string_view chunk, std::string_view& out) const {
    if (trie_.empty()) return false;
    auto offset = [](uint32_t u) { return (u >> 10) << ((u & (1u << 9)) >> 6); };
    auto has_leaf = [](uint32_t u) { return ((u >> 8) & 1) == 1; };
    auto value = [](uint32_t u) { return u & ((1u << 31) - 1); };
    auto label = [](uint32_t u) { return u & ((1u << 31) | 0xFF); };
    size_t node = 0;
    uint32_t unit = trie_[0];
    node ^= offset(unit);
    for (char ch : chunk) {
      unsigned char c = static_cast<unsigned char>(ch);
      if (c == 0) break;
      node ^= c;
      if (node >= trie_.size()) return false;
      unit = trie_[node];
      if (label(unit) != c) return false;
      node ^= offset(unit);
      if (node >= trie_.size()) return false;
      if (has_leaf(unit)) {
        size_t index = value(trie_[node]);
        if (index >= pool_.size()) return false;
        size_t end = pool_.find('\0', index);
        if (end == std::string::npos) end = pool_.size();
        out = std::string_view(pool_).substr(index, end - index);
        if (!unicode::IsValidUtf8(out)) return false;
        return true;
      }
    }
    return false;
  }

  std::string base64_;
  std::vector<uint32_t> trie_;
  std::string pool_;
};

}  // namespace

Result<std::unique_ptr<Normalizer>> MakePrecompiledNormalizer(const Json& j, std::string_view path) {
  std::string p(path);
  std::string base64;
  if (j.contains("precompiled_charsmap") && j["precompiled_charsmap"].is_null()) {
    base64.clear();
  } else {
    MHUB_ASSIGN_OR_RETURN(base64, JsonString(j, "precompiled_charsmap", path));
  }
  auto blob = Base64Decode(base64);
  if (!blob.ok()) return blob.status().WithContext(p + ".precompiled_charsmap");
  const std::string& b = *blob;
  std::vector<uint32_t> trie;
  std::string pool;
  if (!b.empty()) {
    if (b.size() < 4) return Status::InvalidArgument(p + ".precompiled_charsmap: blob too short");
    uint32_t trie_size;
    std::memcpy(&trie_size, b.data(), 4);
    if (trie_size % 4 != 0 || 4 + static_cast<size_t>(trie_size) > b.size()) {
      return Status::InvalidArgument(p + ".precompiled_charsmap: trie size " + std::to_string(trie_size) +
                                     " does not fit the blob");
    }
    trie.resize(trie_size / 4);
    // An empty trie leaves trie.data() null, and memcpy's arguments must never be null.
    if (trie_size > 0) std::memcpy(trie.data(), b.data() + 4, trie_size);
    pool = b.substr(4 + trie_size);
  }
  return std::unique_ptr<Normalizer>(new PrecompiledNormalizer(std::move(base64), std::move(trie), std::move(pool)));
}

}  // namespace mhub::tokenizers
