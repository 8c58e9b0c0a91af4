#include "tokenizers/normalized_string.h"

#include <algorithm>

namespace mhub::tokenizers {

NormalizedString NormalizedString::FromOriginal(std::string_view s, uint32_t offset) {
  NormalizedString n;
  n.AssignOriginal(s, offset);
  return n;
}

void NormalizedString::AssignOriginal(std::string_view s, uint32_t offset) {
  text.assign(s);
  align.resize(s.size());
  orig_begin = offset;
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      align[i] = Alignment{static_cast<uint32_t>(offset + i), static_cast<uint32_t>(offset + i + 1)};
      ++i;
      continue;
    }
    size_t len = std::min(unicode::CharLen(b), s.size() - i);
    Alignment a{static_cast<uint32_t>(offset + i), static_cast<uint32_t>(offset + i + len)};
    for (size_t k = 0; k < len; ++k) align[i + k] = a;
    i += len;
  }
}

void NormalizedString::Transform(size_t begin, size_t end, const std::vector<std::pair<char32_t, int>>& changes,
                                 size_t initial_removed) {
  // Mirrors HF transform_range, including its use of an iterator over the replaced chars.
  std::string_view range(text.data() + begin, end - begin);
  size_t it = 0;  // byte cursor of the replaced-chars iterator inside `range`
  auto next_char_len = [&]() -> size_t {
    if (it >= range.size()) return 0;
    size_t len = unicode::CharLen(static_cast<unsigned char>(range[it]));
    it += len;
    return len;
  };
  size_t removed = 0;
  for (size_t k = 0; k < initial_removed; ++k) removed += next_char_len();
  size_t offset = begin + removed;
  std::string out;
  std::vector<Alignment> out_align;
  for (const auto& [c, change] : changes) {
    Alignment a;
    if (change > 0) {
      a = offset < 1 ? Alignment{orig_begin, orig_begin} : align[std::min(offset - 1, align.size() - 1)];
    } else {
      a = align.empty() ? Alignment{orig_begin, orig_begin} : align[std::min(offset, align.size() - 1)];
    }
    size_t replaced = change <= 0 ? next_char_len() : 0;
    size_t removed_bytes = 0;
    if (change < 0) {
      for (int k = 0; k < -change; ++k) removed_bytes += next_char_len();
    }
    offset += replaced + removed_bytes;
    size_t before = out.size();
    unicode::AppendUtf8(out, c);
    out_align.insert(out_align.end(), out.size() - before, a);
  }
  text.replace(begin, end - begin, out);
  align.erase(align.begin() + static_cast<ptrdiff_t>(begin), align.begin() + static_cast<ptrdiff_t>(end));
  align.insert(align.begin() + static_cast<ptrdiff_t>(begin), out_align.begin(), out_align.end());
}

void PreTokenized::MaterializeByteLevel() {
  if (!byte_level) return;
  byte_level = false;
  const auto& table = unicode::ByteToChar();
  RewritePieces(*this, [&](std::string_view piece, Rewriter& rw, const Piece&) {
    for (unsigned char b : piece) rw.Replace(table[b], 1);
  });
}

void ApplySplitBehavior(uint32_t len, const std::vector<MatchRange>& matches, SplitBehavior behavior, bool invert,
                        std::vector<MatchRange>& kept) {
  // HF find_matches output: alternating (range, is_match) covering [0, len).
  struct Seg {
    uint32_t begin, end;
    bool is_match;
  };
  if (behavior == SplitBehavior::kIsolated) {
    // Every segment is kept whether it matched or not (so `invert` changes nothing): the matches
    // and the gaps between them, in order.
    kept.clear();
    if (len == 0) {
      kept.push_back({0, 0});
      return;
    }
    uint32_t prev = 0;
    for (const MatchRange& m : matches) {
      if (prev != m.begin) kept.push_back({prev, m.begin});
      kept.push_back({m.begin, m.end});
      prev = m.end;
    }
    if (prev != len) kept.push_back({prev, len});
    return;
  }
  thread_local std::vector<Seg> segs;
  segs.clear();
  if (len == 0) {
    segs.push_back({0, 0, false});
  } else {
    uint32_t prev = 0;
    for (const MatchRange& m : matches) {
      if (prev != m.begin) segs.push_back({prev, m.begin, false});
      segs.push_back({m.begin, m.end, true});
      prev = m.end;
    }
    if (prev != len) segs.push_back({prev, len, false});
  }
  if (invert) {
    for (Seg& s : segs) s.is_match = !s.is_match;
  }
  kept.clear();
  switch (behavior) {
    case SplitBehavior::kIsolated:
      for (const Seg& s : segs) kept.push_back({s.begin, s.end});
      break;
    case SplitBehavior::kRemoved:
      for (const Seg& s : segs)
        if (!s.is_match) kept.push_back({s.begin, s.end});
      break;
    case SplitBehavior::kContiguous: {
      bool prev_match = false;
      for (const Seg& s : segs) {
        if (s.is_match == prev_match && !kept.empty()) {
          kept.back().end = s.end;
        } else {
          kept.push_back({s.begin, s.end});
        }
        prev_match = s.is_match;
      }
      break;
    }
    case SplitBehavior::kMergedWithPrevious: {
      bool prev_match = false;
      for (const Seg& s : segs) {
        if (s.is_match && !prev_match && !kept.empty()) {
          kept.back().end = s.end;
        } else {
          kept.push_back({s.begin, s.end});
        }
        prev_match = s.is_match;
      }
      break;
    }
    case SplitBehavior::kMergedWithNext: {
      bool prev_match = false;
      for (size_t i = segs.size(); i-- > 0;) {
        const Seg& s = segs[i];
        if (s.is_match && !prev_match && !kept.empty()) {
          kept.back().begin = s.begin;
        } else {
          kept.push_back({s.begin, s.end});
        }
        prev_match = s.is_match;
      }
      std::reverse(kept.begin(), kept.end());
      break;
    }
  }
}

}  // namespace mhub::tokenizers
