// The encode pipeline (HF tokenizer/mod.rs encode_single_sequence / post_process): added tokens
// and normalization, pre-tokenization, model, offsets, truncation, post-processing, padding.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include "tokenizers/encoding_ops.h"
#include "tokenizers/tokenizer_impl.h"
#include "tokenizers/unicode.h"

namespace mhub::tokenizers {
namespace {

// Cuts bytes [base, end of text) of `pt` into pieces split on the normalized added tokens.
void AddNormalizedPieces(const Tokenizer::Impl& impl, uint32_t base, PreTokenized& pt) {
  const uint32_t end = static_cast<uint32_t>(pt.text.size());
  if (!impl.added.HasMatchers(true)) {
    if (end != base) pt.pieces.push_back({base, end, pt.align[base].start, -1});
    return;
  }
  thread_local std::vector<AddedMatch> matches;
  std::string_view text = std::string_view(pt.text).substr(base);
  impl.added.FindMatches(text, true, impl.encode_special_tokens, matches);
  for (const AddedMatch& m : matches) {
    if (m.end == m.begin) continue;
    pt.pieces.push_back({base + m.begin, base + m.end, pt.align[base + m.begin].start, m.id});
  }
}

// Appends original text `s` standing at original byte offset `offset` (each byte aligned to its
// whole char), as NormalizedString::FromOriginal would hold it.
void AppendOriginal(std::string_view s, uint32_t offset, PreTokenized& pt) {
  pt.text += s;
  const size_t old_size = pt.align.size();
  pt.align.resize(old_size + s.size());
  Alignment* out = pt.align.data() + old_size;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      out[i] = Alignment{static_cast<uint32_t>(offset + i), static_cast<uint32_t>(offset + i + 1)};
      ++i;
      continue;
    }
    // Valid UTF-8 (checked by the caller), so the char lies inside `s`.
    size_t len = unicode::CharLen(b);
    Alignment a{static_cast<uint32_t>(offset + i), static_cast<uint32_t>(offset + i + len)};
    for (size_t k = 0; k < len; ++k) out[i + k] = a;
    i += len;
  }
}

// Appends `text` (with one alignment per byte in `align`) to `pt` as pieces split on the
// normalized added tokens. `text` and `align` must not point into `pt`.
void AppendNormalized(const Tokenizer::Impl& impl, std::string_view text, const Alignment* align, PreTokenized& pt) {
  const uint32_t base = static_cast<uint32_t>(pt.text.size());
  pt.text += text;
  pt.align.insert(pt.align.end(), align, align + text.size());
  AddNormalizedPieces(impl, base, pt);
}

// Appends the ByteLevel spelling of raw bytes `raw` (each byte one char of 1 or 2 UTF-8 bytes).
void AppendByteLevelToken(std::string_view raw, std::vector<std::string>& tokens) {
  static const auto kTable = [] {
    std::array<std::array<char, 3>, 256> t{};  // [len, byte0, byte1]
    const auto& b2u = unicode::ByteToUtf8();
    for (int b = 0; b < 256; ++b) {
      t[b][0] = static_cast<char>(b2u[b].size());
      for (size_t k = 0; k < b2u[b].size() && k < 2; ++k) t[b][1 + k] = b2u[b][k];
    }
    return t;
  }();
  char buf[64];
  if (raw.size() * 2 <= sizeof(buf)) {
    size_t n = 0;
    for (unsigned char b : raw) {
      const auto& m = kTable[b];
      buf[n] = m[1];
      buf[n + 1] = m[2];
      n += static_cast<size_t>(m[0]);
    }
    tokens.emplace_back(buf, n);
    return;
  }
  std::string& s = tokens.emplace_back();
  s.reserve(raw.size() * 2);
  for (unsigned char b : raw) s.append(&kTable[b][1], static_cast<size_t>(kTable[b][0]));
}

void ToCharOffsets(std::string_view original, Encoding& e) {
  size_t first_non_ascii = 0;
  while (first_non_ascii + 8 <= original.size()) {
    uint64_t word;
    std::memcpy(&word, original.data() + first_non_ascii, 8);
    if (word & 0x8080808080808080ull) break;
    first_non_ascii += 8;
  }
  while (first_non_ascii < original.size() && static_cast<unsigned char>(original[first_non_ascii]) < 0x80) {
    ++first_non_ascii;
  }
  if (first_non_ascii == original.size()) return;  // ASCII: byte offsets are char offsets
  std::vector<uint32_t> map(original.size());
  uint32_t ch = 0;
  for (size_t i = 0; i < original.size();) {
    size_t len = unicode::CharLen(static_cast<unsigned char>(original[i]));
    for (size_t k = 0; k < len && i + k < map.size(); ++k) map[i + k] = ch;
    i += len;
    ++ch;
  }
  for (auto& [s, end] : e.offsets) {
    if (s >= map.size()) continue;  // HF keeps offsets it cannot convert
    size_t cs = map[s];
    size_t ce;
    if (end < map.size()) {
      ce = map[end];
    } else {
      ce = end > 0 ? map[std::min(end, map.size()) - 1] + 1 : cs + 1;
    }
    s = cs;
    end = ce;
  }
}

}  // namespace

Status Tokenizer::Impl::NormalizeAndPreTokenize(std::string_view text, PreTokenized& pt) const {
  pt.text.clear();
  pt.align.clear();
  pt.pieces.clear();
  pt.byte_level = false;
  pt.text.reserve(text.size() + 16);
  pt.align.reserve(text.size() + 16);
  // 1. Added tokens matched on the original text, then normalization per remaining segment.
  thread_local std::vector<AddedMatch> segments;
  segments.clear();
  if (added.HasMatchers(false)) {
    added.FindMatches(text, false, encode_special_tokens, segments);
  } else {
    segments.push_back({-1, 0, static_cast<uint32_t>(text.size())});
  }
  for (const AddedMatch& seg : segments) {
    if (seg.end == seg.begin) continue;
    std::string_view piece = text.substr(seg.begin, seg.end - seg.begin);
    if (seg.id >= 0) {
      const uint32_t base = static_cast<uint32_t>(pt.text.size());
      AppendOriginal(piece, seg.begin, pt);
      pt.pieces.push_back({base, base + static_cast<uint32_t>(piece.size()), seg.begin, seg.id});
      continue;
    }
    if (!normalizer) {
      // No normalizer: the text goes into `pt` as it is, without a NormalizedString copy.
      const uint32_t base = static_cast<uint32_t>(pt.text.size());
      AppendOriginal(piece, seg.begin, pt);
      AddNormalizedPieces(*this, base, pt);
      continue;
    }
    thread_local NormalizedString n;  // buffers reused across inputs
    n.AssignOriginal(piece, seg.begin);
    MHUB_RETURN_IF_ERROR(normalizer->Normalize(n));
    AppendNormalized(*this, n.text, n.align.data(), pt);
  }
  // 2. Pre-tokenization.
  if (pre_tokenizer) MHUB_RETURN_IF_ERROR(pre_tokenizer->PreTokenize(pt));
  return Status::OK();
}

Result<Encoding> Tokenizer::Impl::EncodeSequence(std::string_view text, uint32_t type_id, std::optional<uint32_t> word,
                                                 OffsetType offset_type, std::optional<size_t> max_tokens,
                                                 Direction direction) const {
  size_t bad = unicode::FirstInvalidUtf8(text);
  if (bad != text.size()) {
    return Status::InvalidArgument("input is not valid UTF-8 (byte " + std::to_string(bad) + ")");
  }
  // One PreTokenized per thread, reused so its buffers are not reallocated for every input
  // (EncodeSequence never runs inside itself on one thread). Big buffers are not kept.
  thread_local PreTokenized pt_buffer;
  if (pt_buffer.text.capacity() > (1u << 20)) pt_buffer = PreTokenized();
  PreTokenized& pt = pt_buffer;
  MHUB_RETURN_IF_ERROR(NormalizeAndPreTokenize(text, pt));
  if (pt.byte_level && !model->SupportsByteLevelInput()) pt.MaterializeByteLevel();
  // 3. Model.
  Encoding e;
  const size_t expected_tokens = pt.pieces.size() + pt.pieces.size() / 4 + 4;
  e.ids.reserve(expected_tokens);
  e.tokens.reserve(expected_tokens);
  e.offsets.reserve(expected_tokens);
  e.word_ids.reserve(expected_tokens);
  thread_local std::vector<ModelToken> toks;
  const size_t n_pieces = pt.pieces.size();
  // Which pieces get tokenized: all, or up to the early-exit limit from one end.
  size_t first_piece = 0;
  size_t last_piece = n_pieces;                      // exclusive
  std::vector<std::vector<ModelToken>> left_tokens;  // kLeft early exit: tokens per piece, from the end
  if (max_tokens && direction == Direction::kLeft) {
    size_t count = 0;
    size_t w = n_pieces;
    // The limit is checked only after a piece the model tokenized; added-token pieces count but
    // never end the walk themselves (HF behaviour, observed through the Node binding).
    while (w > 0) {
      --w;
      const Piece& p = pt.pieces[w];
      std::vector<ModelToken> pt_toks;
      bool added_piece = p.added_id >= 0;
      if (added_piece) {
        pt_toks.push_back({static_cast<uint32_t>(p.added_id), 0, p.end - p.begin, true});
      } else {
        MHUB_RETURN_IF_ERROR(model->Tokenize(pt.PieceText(p), pt.byte_level, pt_toks));
      }
      count += pt_toks.size();
      left_tokens.push_back(std::move(pt_toks));
      if (!added_piece && count >= *max_tokens) break;
    }
    first_piece = w;
    std::reverse(left_tokens.begin(), left_tokens.end());
  }
  size_t count = 0;
  bool limit_reached = false;
  constexpr size_t kPrefetchDistance = 8;
  for (size_t w = first_piece; w < std::min(last_piece, first_piece + kPrefetchDistance); ++w) {
    if (pt.pieces[w].added_id < 0) model->Prefetch(pt.PieceText(pt.pieces[w]), pt.byte_level);
  }
  for (size_t w = first_piece; w < last_piece; ++w) {
    if (limit_reached) break;
    if (w + kPrefetchDistance < last_piece && pt.pieces[w + kPrefetchDistance].added_id < 0) {
      model->Prefetch(pt.PieceText(pt.pieces[w + kPrefetchDistance]), pt.byte_level);
    }
    const Piece& p = pt.pieces[w];
    // Word ids count the pre-tokens that were tokenized (after a left early exit, from there).
    std::optional<uint32_t> word_id = word ? word : std::optional<uint32_t>(static_cast<uint32_t>(w - first_piece));
    std::string_view ptext = pt.PieceText(p);
    if (p.added_id >= 0) {
      e.ids.push_back(static_cast<uint32_t>(p.added_id));
      e.tokens.emplace_back(ptext);
      e.offsets.push_back(pt.OriginalSpan(p.begin, p.end));
      e.word_ids.push_back(word_id);
      ++count;
      continue;
    }
    const std::vector<ModelToken>* piece_toks = &toks;
    if (!left_tokens.empty()) {
      piece_toks = &left_tokens[w - first_piece];
    } else {
      toks.clear();
      MHUB_RETURN_IF_ERROR(model->Tokenize(ptext, pt.byte_level, toks));
    }
    count += piece_toks->size();
    if (max_tokens && direction == Direction::kRight && count >= *max_tokens) limit_reached = true;
    for (const ModelToken& t : *piece_toks) {
      e.ids.push_back(t.id);
      if (t.text == kTokenTextByteLevel) {
        AppendByteLevelToken(std::string_view(ptext.data() + t.begin, t.end - t.begin), e.tokens);
      } else if (t.text == kTokenTextSpan) {
        e.tokens.emplace_back(std::string_view(ptext.data() + t.begin, t.end - t.begin));
      } else if (t.text == kTokenTextPrefixedSpan) {
        const std::string_view prefix = model->SpanPrefix();
        std::string& s = e.tokens.emplace_back();
        s.reserve(prefix.size() + t.end - t.begin);
        s.append(prefix).append(std::string_view(ptext.data() + t.begin, t.end - t.begin));
      } else {
        const std::string* s = model->IdToToken(t.id);
        if (s) {
          e.tokens.push_back(*s);
        } else {
          e.tokens.emplace_back();
        }
      }
      e.offsets.push_back(pt.OriginalSpan(p.begin + t.begin, p.begin + t.end));
      e.word_ids.push_back(word_id);
    }
  }
  const size_t n = e.ids.size();
  // Room for the special tokens post-processors add in place.
  constexpr size_t kSpare = 4;
  e.type_ids.reserve(n + kSpare);
  e.special_tokens_mask.reserve(n + kSpare);
  e.attention_mask.reserve(n + kSpare);
  e.type_ids.assign(n, type_id);
  e.special_tokens_mask.assign(n, 0);
  e.attention_mask.assign(n, 1);
  if (offset_type == OffsetType::kChar) ToCharOffsets(text, e);
  return e;
}

Result<Encoding> Tokenizer::Impl::EncodeFull(const std::vector<std::string_view>& first, bool first_pretokenized,
                                             const std::vector<std::string_view>* second, bool add_special_tokens,
                                             OffsetType offset_type, bool pad) const {
  // HF 0.23 stops tokenizing a sequence once it holds as many tokens as truncation keeps.
  std::optional<size_t> limit;
  Direction limit_direction = Direction::kRight;
  if (truncation && truncation->max_length > 0) {
    // The limit is the configured max_length itself (special tokens not subtracted), as HF does.
    limit = truncation->max_length;
    limit_direction = truncation->direction;
  }
  auto limit_for = [&](uint32_t type_id) -> std::optional<size_t> {
    if (!truncation) return std::nullopt;
    if (truncation->strategy == TruncationStrategy::kOnlyFirst && type_id != 0) return std::nullopt;
    if (truncation->strategy == TruncationStrategy::kOnlySecond && type_id != 1) return std::nullopt;
    return limit;
  };
  auto encode_input = [&](const std::vector<std::string_view>& parts, uint32_t type_id) -> Result<Encoding> {
    if (!first_pretokenized) {
      return EncodeSequence(parts[0], type_id, std::nullopt, offset_type, limit_for(type_id), limit_direction);
    }
    std::vector<Encoding> words;
    for (size_t i = 0; i < parts.size(); ++i) {
      MHUB_ASSIGN_OR_RETURN(Encoding e, EncodeSequence(parts[i], type_id, static_cast<uint32_t>(i), offset_type));
      words.push_back(std::move(e));
    }
    return MergeAll(std::move(words), false);
  };
  MHUB_ASSIGN_OR_RETURN(Encoding a, encode_input(first, 0));
  std::optional<Encoding> b;
  if (second) {
    MHUB_ASSIGN_OR_RETURN(Encoding eb, encode_input(*second, 1));
    b = std::move(eb);
  }
  if (truncation) {
    TruncationParams params = *truncation;
    size_t added_count = post_processor ? post_processor->AddedTokens(b.has_value()) : 0;
    if (add_special_tokens && added_count > 0) {
      if (params.max_length < added_count) {
        return Status::InvalidArgument("truncation max_length " + std::to_string(params.max_length) +
                                       " is smaller than the special tokens added (" + std::to_string(added_count) +
                                       ")");
      }
      params.max_length -= added_count;
    }
    MHUB_RETURN_IF_ERROR(TruncateEncodings(a, b ? &*b : nullptr, params));
    MHUB_RETURN_IF_ERROR(CheckPairOverflowSize(a, b ? &*b : nullptr, params.max_length + added_count));
  }
  MHUB_ASSIGN_OR_RETURN(Encoding out,
                        PostProcess(post_processor.get(), std::move(a), b ? &*b : nullptr, add_special_tokens));
  if (pad && padding) {
    std::vector<Encoding*> one{&out};
    PadEncodings(one, *padding);
  }
  return out;
}

}  // namespace mhub::tokenizers
