// WordPiece decoder (tokenizers/src/decoders/wordpiece.rs): tokens after the first lose their
// continuation prefix ("##") when they start with it, else get a leading space; optional cleanup of
// spaces before punctuation and contractions, applied per token.
#include "tokenizers/decoders/decoder_types.h"

namespace mhub::tokenizers::decoders {

Json WordPieceDecoder::ToJson() const {
  return Json{{"type", "WordPiece"}, {"prefix", prefix_}, {"cleanup", cleanup_}};
}

Result<std::vector<std::string>> WordPieceDecoder::DecodeChain(std::vector<std::string> tokens) const {
  for (size_t i = 0; i < tokens.size(); ++i) {
    std::string& token = tokens[i];
    if (i != 0) {
      if (token.compare(0, prefix_.size(), prefix_) == 0) {
        token.erase(0, prefix_.size());  // Rust replacen(prefix, "", 1) on a token starting with it
      } else {
        token.insert(0, " ");
      }
    }
    if (cleanup_) token = WordPieceCleanup(token);
  }
  return tokens;
}

Json CtcDecoder::ToJson() const {
  return Json{{"type", "CTC"},
              {"pad_token", pad_token_},
              {"word_delimiter_token", word_delimiter_token_},
              {"cleanup", cleanup_}};
}

// CTC (tokenizers/src/decoders/ctc.rs): collapse runs of equal tokens, remove the pad token text,
// with cleanup apply the WordPiece cleanup and turn the word delimiter into a space; drop empties.
Result<std::vector<std::string>> CtcDecoder::DecodeChain(std::vector<std::string> tokens) const {
  std::vector<std::string> out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i > 0 && tokens[i] == tokens[i - 1]) continue;
    std::string t = ReplaceAll(tokens[i], pad_token_, "");
    if (cleanup_) t = ReplaceAll(WordPieceCleanup(t), word_delimiter_token_, " ");
    if (!t.empty()) out.push_back(std::move(t));
  }
  return out;
}

}  // namespace mhub::tokenizers::decoders
