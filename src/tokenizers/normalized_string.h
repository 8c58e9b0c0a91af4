// NormalizedString and PreTokenized: text being tokenized plus, for every byte, the byte range of
// the original input it came from (HF tokenizers' `alignments`, section 4 of tokenizers.md).
// Every transformation follows HF's rules: a replacing char takes the alignment of the char it
// replaces, an inserted char takes the alignment of the byte just before it (or the piece's
// original start at position 0). These rules decide every offset the tokenizer reports.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenizers/unicode.h"

namespace mhub::tokenizers {

struct Alignment {
  uint32_t start = 0;
  uint32_t end = 0;
};

// One normalization unit: a segment of the input between added tokens.
struct NormalizedString {
  std::string text;
  std::vector<Alignment> align;  // one per byte of text, absolute original byte offsets
  uint32_t orig_begin = 0;       // original start of the segment (HF original_shift)

  // `s` standing at absolute original byte offset `offset`.
  static NormalizedString FromOriginal(std::string_view s, uint32_t offset);
  // The same in place, reusing this object's buffers.
  void AssignOriginal(std::string_view s, uint32_t offset);

  // HF transform_range over the byte range [begin, end): `changes` lists the new chars with
  // 0 = replaces one char, 1 = inserted, -k = replaces one char and removes k more;
  // `initial_removed` chars at the start of the range are dropped first.
  void Transform(size_t begin, size_t end, const std::vector<std::pair<char32_t, int>>& changes,
                 size_t initial_removed);
};

// Rewrites text left to right into an output buffer with HF's alignment rules, without building
// a change list. The cursor walks the source bytes.
class Rewriter {
 public:
  Rewriter(std::string_view src, const Alignment* src_align, uint32_t orig_begin, std::string& out,
           std::vector<Alignment>& out_align)
      : src_(src), src_align_(src_align), orig_begin_(orig_begin), out_(out), out_align_(out_align) {}

  bool done() const { return pos_ >= src_.size(); }
  size_t pos() const { return pos_; }
  // Copies `len` source bytes unchanged.
  void Copy(size_t len) {
    out_.append(src_.data() + pos_, len);
    out_align_.insert(out_align_.end(), src_align_ + pos_, src_align_ + pos_ + len);
    pos_ += len;
  }
  // Emits `c` in place of the source char of `len` bytes at the cursor.
  void Replace(char32_t c, size_t len) {
    Alignment a = src_align_[pos_];
    Emit(c, a);
    pos_ += len;
  }
  // Emits `c` as an inserted char.
  void Insert(char32_t c) {
    Alignment a = pos_ == 0 ? Alignment{orig_begin_, orig_begin_} : src_align_[pos_ - 1];
    Emit(c, a);
  }
  void Skip(size_t len) { pos_ += len; }

 private:
  void Emit(char32_t c, Alignment a) {
    size_t before = out_.size();
    unicode::AppendUtf8(out_, c);
    out_align_.insert(out_align_.end(), out_.size() - before, a);
  }
  std::string_view src_;
  const Alignment* src_align_;
  uint32_t orig_begin_;
  std::string& out_;
  std::vector<Alignment>& out_align_;
  size_t pos_ = 0;
};

// Rewrites a whole NormalizedString: rw() walks s's text into fresh buffers (`reserve` bytes
// reserved up front) and Finish() moves them into s. s must not change before Finish().
class NormalizedRewrite {
 public:
  explicit NormalizedRewrite(NormalizedString& s, size_t reserve = 0)
      : s_(s), rw_(s.text, s.align.data(), s.orig_begin, text_, align_) {
    text_.reserve(reserve);
    align_.reserve(reserve);
  }
  Rewriter& rw() { return rw_; }
  void Finish() {
    s_.text = std::move(text_);
    s_.align = std::move(align_);
  }

 private:
  NormalizedString& s_;
  std::string text_;
  std::vector<Alignment> align_;
  Rewriter rw_;  // after the buffers it writes into
};

// A piece of the pre-tokenized text: a byte range of PreTokenized::text.
struct Piece {
  uint32_t begin = 0;
  uint32_t end = 0;
  uint32_t orig_begin = 0;  // original offset of the piece (HF original_shift)
  int64_t added_id = -1;    // >= 0: an added token found in the input; never split again
};

// The text after normalization, cut into pieces (HF PreTokenizedString). Pre-tokenizers split
// and rewrite the non-added pieces; the model then tokenizes each of them.
struct PreTokenized {
  std::string text;
  std::vector<Alignment> align;
  std::vector<Piece> pieces;
  // Non-added pieces hold raw bytes that stand for their ByteLevel chars (mapping deferred to the
  // model, see ByteLevelPreTokenizer).
  bool byte_level = false;

  // Pieces always lie inside `text`, so no bounds check (std::string_view::substr is not inlined).
  std::string_view PieceText(const Piece& p) const { return std::string_view(text.data() + p.begin, p.end - p.begin); }
  // Original byte span of bytes [a, b) of the text (b > a).
  std::pair<size_t, size_t> OriginalSpan(size_t a, size_t b) const { return {align[a].start, align[b - 1].end}; }
  // Maps every non-added piece's raw bytes to ByteLevel chars for real (clears byte_level).
  void MaterializeByteLevel();
};

enum class SplitBehavior { kRemoved, kIsolated, kMergedWithPrevious, kMergedWithNext, kContiguous };

// A match of a split pattern: byte range relative to the piece.
struct MatchRange {
  uint32_t begin;
  uint32_t end;
};

// Applies HF's split semantics to one piece of length `len` given its pattern matches (in order,
// non-overlapping): returns the kept sub-ranges (possibly empty ones; callers drop those).
void ApplySplitBehavior(uint32_t len, const std::vector<MatchRange>& matches, SplitBehavior behavior, bool invert,
                        std::vector<MatchRange>& kept);

// Splits every non-added piece of `pt`: `find(piece_text, matches)` appends the pattern matches.
template <typename Find>
void SplitPieces(PreTokenized& pt, SplitBehavior behavior, bool invert, Find&& find) {
  // Buffers reused across calls on this thread (find never calls SplitPieces itself).
  thread_local std::vector<Piece> out;
  thread_local std::vector<MatchRange> matches;
  thread_local std::vector<MatchRange> kept;
  out.clear();
  out.reserve(pt.pieces.size() * 2);
  for (const Piece& p : pt.pieces) {
    if (p.added_id >= 0) {
      out.push_back(p);
      continue;
    }
    matches.clear();
    find(pt.PieceText(p), matches);
    ApplySplitBehavior(p.end - p.begin, matches, behavior, invert, kept);
    for (const MatchRange& r : kept) {
      if (r.end == r.begin) continue;
      Piece np;
      np.begin = p.begin + r.begin;
      np.end = p.begin + r.end;
      np.orig_begin = pt.align[np.begin].start;
      out.push_back(np);
    }
  }
  pt.pieces.swap(out);
}

// Rewrites every non-added piece through `rewrite(piece_text, rewriter, piece)`; added pieces are
// copied as they are.
template <typename Rewrite>
void RewritePieces(PreTokenized& pt, Rewrite&& rewrite) {
  std::string text;
  std::vector<Alignment> align;
  text.reserve(pt.text.size() + pt.pieces.size() * 3);
  align.reserve(pt.text.size() + pt.pieces.size() * 3);
  std::vector<Piece> pieces;
  pieces.reserve(pt.pieces.size());
  for (const Piece& p : pt.pieces) {
    Piece np = p;
    np.begin = static_cast<uint32_t>(text.size());
    if (p.added_id >= 0) {
      text.append(pt.text, p.begin, p.end - p.begin);
      align.insert(align.end(), pt.align.begin() + p.begin, pt.align.begin() + p.end);
    } else {
      Rewriter rw(pt.PieceText(p), pt.align.data() + p.begin, p.orig_begin, text, align);
      rewrite(pt.PieceText(p), rw, p);
    }
    np.end = static_cast<uint32_t>(text.size());
    pieces.push_back(np);
  }
  pt.text = std::move(text);
  pt.align = std::move(align);
  pt.pieces = std::move(pieces);
}

}  // namespace mhub::tokenizers
