// ByteLevel pre-tokenizer (HF pre_tokenizers/byte_level.rs): optional prefix space, the GPT-2
// split, then every byte mapped to its printable byte-level char.
#include "tokenizers/fast_split_patterns.h"
#include "tokenizers/pre_tokenizers/pre_tokenizer.h"
#include "tokenizers/regex.h"

namespace mhub::tokenizers {
namespace {

class ByteLevelPreTokenizer final : public PreTokenizer {
 public:
  ByteLevelPreTokenizer(bool add_prefix_space, bool trim_offsets, bool use_regex)
      : add_prefix_space_(add_prefix_space), trim_offsets_(trim_offsets), use_regex_(use_regex) {}

  Status PreTokenize(PreTokenized& pt) const override {
    pt.MaterializeByteLevel();
    if (add_prefix_space_) {
      bool needed = false;
      for (const Piece& p : pt.pieces) {
        if (p.added_id < 0 && pt.text[p.begin] != ' ') needed = true;
      }
      if (needed) {
        RewritePieces(pt, [](std::string_view piece, Rewriter& rw, const Piece&) {
          if (piece[0] == ' ') {
            rw.Copy(piece.size());
            return;
          }
          size_t i = 0;
          char32_t first = unicode::NextChar(piece, i);
          rw.Replace(' ', i);
          rw.Insert(first);
          rw.Copy(piece.size() - i);
        });
      }
    }
    if (use_regex_) {
      SplitPieces(pt, SplitBehavior::kIsolated, false,
                  [](std::string_view text, std::vector<MatchRange>& out) { FindGpt2Matches(text, out); });
    }
    if (defer_) {
      pt.byte_level = true;
    } else {
      pt.byte_level = true;
      pt.MaterializeByteLevel();
    }
    return Status::OK();
  }

  bool DeferByteLevelMapping() override {
    defer_ = true;
    return true;
  }

  Json ToJson() const override {
    return Json{{"type", "ByteLevel"},
                {"add_prefix_space", add_prefix_space_},
                {"trim_offsets", trim_offsets_},
                {"use_regex", use_regex_}};
  }

 private:
  bool add_prefix_space_;
  bool trim_offsets_;
  bool use_regex_;
  bool defer_ = false;
};

}  // namespace

Result<std::unique_ptr<PreTokenizer>> MakeByteLevelPreTokenizer(const Json& j, std::string_view path) {
  MHUB_ASSIGN_OR_RETURN(bool add_prefix_space, JsonBoolOr(j, "add_prefix_space", path, true));
  MHUB_ASSIGN_OR_RETURN(bool trim_offsets, JsonBoolOr(j, "trim_offsets", path, true));
  MHUB_ASSIGN_OR_RETURN(bool use_regex, JsonBoolOr(j, "use_regex", path, true));
  return std::unique_ptr<PreTokenizer>(new ByteLevelPreTokenizer(add_prefix_space, trim_offsets, use_regex));
}

}  // namespace mhub::tokenizers
