// The concrete decoders behind mhub::tokenizers::Decoder (one class per tokenizer.json "type").
// Internal to mhub_tokenizers; callers build them through Decoder::FromJson.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "mhub/tokenizers/decoder.h"
#include "tokenizers/prepend_scheme.h"

namespace mhub::tokenizers::decoders {

// Maps byte-level alphabet chars back to bytes, then UTF-8-decodes the whole stream lossily.
class ByteLevelDecoder final : public Decoder {
 public:
  ByteLevelDecoder(bool add_prefix_space, bool trim_offsets, bool use_regex)
      : add_prefix_space_(add_prefix_space), trim_offsets_(trim_offsets), use_regex_(use_regex) {}
  Json ToJson() const override;
  Result<std::vector<std::string>> DecodeChain(std::vector<std::string> tokens) const override;

 private:
  bool add_prefix_space_, trim_offsets_, use_regex_;  // kept only to round-trip the JSON
};

// Joins continuation pieces ("##ing") to the previous token, others get a leading space.
class WordPieceDecoder final : public Decoder {
 public:
  WordPieceDecoder(std::string prefix, bool cleanup) : prefix_(std::move(prefix)), cleanup_(cleanup) {}
  Json ToJson() const override;
  Result<std::vector<std::string>> DecodeChain(std::vector<std::string> tokens) const override;

 private:
  std::string prefix_;
  bool cleanup_;
};

// Replacement char (usually U+2581) back to spaces; the first token loses its replacement chars.
class MetaspaceDecoder final : public Decoder {
 public:
  MetaspaceDecoder(std::string replacement, PrependScheme scheme, bool split)
      : replacement_(std::move(replacement)), scheme_(scheme), split_(split) {}
  Json ToJson() const override;
  Result<std::vector<std::string>> DecodeChain(std::vector<std::string> tokens) const override;

 private:
  std::string replacement_;  // exactly one UTF-8 encoded char
  PrependScheme scheme_;
  bool split_;
};

// End-of-word suffix ("</w>") becomes a space, except in the last token.
class BpeDecoder final : public Decoder {
 public:
  explicit BpeDecoder(std::string suffix) : suffix_(std::move(suffix)) {}
  Json ToJson() const override;
  Result<std::vector<std::string>> DecodeChain(std::vector<std::string> tokens) const override;

 private:
  std::string suffix_;
};

// Runs of "<0xHH>" tokens become the bytes they name (U+FFFD per byte when not valid UTF-8).
class ByteFallbackDecoder final : public Decoder {
 public:
  Json ToJson() const override;
  Result<std::vector<std::string>> DecodeChain(std::vector<std::string> tokens) const override;
};

// All tokens into one.
class FuseDecoder final : public Decoder {
 public:
  Json ToJson() const override;
  Result<std::vector<std::string>> DecodeChain(std::vector<std::string> tokens) const override;
};

// Removes up to `start` leading and `stop` trailing copies of one char from every token.
class StripDecoder final : public Decoder {
 public:
  StripDecoder(std::string content, size_t start, size_t stop)
      : content_(std::move(content)), start_(start), stop_(stop) {}
  Json ToJson() const override;
  Result<std::vector<std::string>> DecodeChain(std::vector<std::string> tokens) const override;

 private:
  std::string content_;  // exactly one UTF-8 encoded char
  size_t start_, stop_;
};

// Replaces every match of a literal string or a regex (PCRE2) in each token.
class ReplaceDecoder final : public Decoder {
 public:
  // `is_regex` false: `pattern` is a literal string.
  static Result<std::unique_ptr<ReplaceDecoder>> Create(std::string pattern, bool is_regex, std::string content);
  ~ReplaceDecoder() override;
  Json ToJson() const override;
  Result<std::vector<std::string>> DecodeChain(std::vector<std::string> tokens) const override;

 private:
  struct Regex;
  ReplaceDecoder(std::string pattern, bool is_regex, std::string content, std::unique_ptr<Regex> regex);
  std::string pattern_;
  bool is_regex_;
  std::string content_;
  std::unique_ptr<Regex> regex_;  // null for literal patterns
};

// Connectionist Temporal Classification output: dedup repeats, drop pads, delimiter to space.
class CtcDecoder final : public Decoder {
 public:
  CtcDecoder(std::string pad_token, std::string word_delimiter_token, bool cleanup)
      : pad_token_(std::move(pad_token)), word_delimiter_token_(std::move(word_delimiter_token)), cleanup_(cleanup) {}
  Json ToJson() const override;
  Result<std::vector<std::string>> DecodeChain(std::vector<std::string> tokens) const override;

 private:
  std::string pad_token_, word_delimiter_token_;
  bool cleanup_;
};

// Applies each decoder's DecodeChain in order.
class SequenceDecoder final : public Decoder {
 public:
  explicit SequenceDecoder(std::vector<std::unique_ptr<Decoder>> decoders) : decoders_(std::move(decoders)) {}
  Json ToJson() const override;
  Result<std::vector<std::string>> DecodeChain(std::vector<std::string> tokens) const override;

 private:
  std::vector<std::unique_ptr<Decoder>> decoders_;
};

// Helpers shared by several decoders.
// Every occurrence of `from` (non-empty) replaced by `to`, left to right, non-overlapping.
std::string ReplaceAll(std::string_view s, std::string_view from, std::string_view to);
// The WordPiece decode cleanup (" ." -> ".", " n't" -> "n't", ...), also used by CTC.
std::string WordPieceCleanup(std::string_view s);
// Bytes to text, each maximal invalid UTF-8 subsequence replaced by U+FFFD (Rust from_utf8_lossy).
std::string Utf8Lossy(std::string_view bytes);
// True when `s` is valid UTF-8.
bool IsValidUtf8(std::string_view s);
// Byte length of the UTF-8 sequence starting with lead byte `c` (1 for invalid lead bytes).
size_t Utf8SeqLen(unsigned char c);

}  // namespace mhub::tokenizers::decoders
