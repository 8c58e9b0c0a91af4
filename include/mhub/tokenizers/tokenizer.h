// Tokenizer: loads a Hugging Face tokenizer.json and encodes/decodes byte-exactly like the Rust
// `tokenizers` crate (0.23) as seen through its Python/Node bindings (code point offsets).
//
//   MHUB_ASSIGN_OR_RETURN(auto tok, Tokenizer::FromPretrained("/models/llama3"));
//   MHUB_ASSIGN_OR_RETURN(Encoding enc, tok.Encode("Hello world"));
//   MHUB_ASSIGN_OR_RETURN(std::string text, tok.Decode(enc.ids));
//
// Thread safety: every const method may be called concurrently from many threads. The setters
// (SetPadding, SetTruncation, ...) must not run concurrently with anything else on the same object.
// Errors: invalid UTF-8 input gives InvalidArgument; malformed files give InvalidArgument naming the
// JSON path ("model.merges[12]: ..."). No call throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/result.h"
#include "mhub/base/status.h"
#include "mhub/tokenizers/encoding.h"

namespace mhub::tokenizers {

class Trainer;  // mhub/tokenizers/trainers.h

enum class PaddingStrategy {
  kLongest,    // pad a batch to its longest encoding (HF "BatchLongest")
  kMaxLength,  // pad to PaddingParams::max_length (HF {"Fixed": n})
};

struct PaddingParams {
  PaddingStrategy strategy = PaddingStrategy::kLongest;
  size_t max_length = 0;          // only for kMaxLength
  size_t pad_to_multiple_of = 0;  // 0: off; else the target length is rounded up to a multiple
  Direction direction = Direction::kRight;
  uint32_t pad_id = 0;
  uint32_t pad_type_id = 0;
  std::string pad_token = "[PAD]";
};

enum class TruncationStrategy { kLongestFirst, kOnlyFirst, kOnlySecond };

struct TruncationParams {
  size_t max_length = 512;  // includes the special tokens the post-processor adds
  size_t stride = 0;        // overlap between overflowing windows
  TruncationStrategy strategy = TruncationStrategy::kLongestFirst;
  Direction direction = Direction::kRight;
};

struct EncodeOptions {
  bool add_special_tokens = true;
  OffsetType offset_type = OffsetType::kChar;
};

// An entry of tokenizer.json "added_tokens".
struct AddedToken {
  uint32_t id = 0;
  std::string content;
  bool single_word = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = true;
  bool special = false;
};

class Tokenizer {
 public:
  // Loads tokenizer.json from a file, from its text, or from a model folder holding tokenizer.json.
  static Result<Tokenizer> FromFile(const std::string& path);
  static Result<Tokenizer> FromJson(std::string_view json_text);
  static Result<Tokenizer> FromPretrained(const std::string& folder);

  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;
  ~Tokenizer();

  // One sequence. Padding/truncation configured on the tokenizer apply (as in HF `encode`).
  Result<Encoding> Encode(std::string_view text, bool add_special_tokens = true) const;
  Result<Encoding> Encode(std::string_view text, const EncodeOptions& options) const;
  // A pair (type ids 0 and 1 as the post-processor says).
  Result<Encoding> EncodePair(std::string_view first, std::string_view second, bool add_special_tokens = true) const;
  Result<Encoding> EncodePair(std::string_view first, std::string_view second, const EncodeOptions& options) const;
  // Input already split into words: word ids are the indexes in `words`; offsets are per word.
  Result<Encoding> EncodePreTokenized(const std::vector<std::string>& words, bool add_special_tokens = true) const;
  Result<Encoding> EncodePreTokenizedPair(const std::vector<std::string>& first, const std::vector<std::string>& second,
                                          bool add_special_tokens = true) const;
  // Many inputs on `threads` threads (0: all hardware threads); then batch padding. Same result as
  // encoding one by one. Fails with the first failing input's Status, naming its index.
  Result<std::vector<Encoding>> EncodeBatch(const std::vector<std::string>& texts, bool add_special_tokens = true,
                                            int threads = 0) const;
  Result<std::vector<Encoding>> EncodeBatch(const std::vector<std::string>& texts, const EncodeOptions& options,
                                            int threads = 0) const;
  Result<std::vector<Encoding>> EncodePairBatch(const std::vector<std::pair<std::string, std::string>>& pairs,
                                                const EncodeOptions& options = {}, int threads = 0) const;

  // ids -> text through the decoder (no decoder: tokens joined with spaces). Unknown ids are skipped.
  // clean_up_tokenization_spaces applies transformers' cleanup (" ." -> "." ...) after decoding.
  Result<std::string> Decode(const std::vector<uint32_t>& ids, bool skip_special_tokens = true,
                             bool clean_up_tokenization_spaces = false) const;
  Result<std::vector<std::string>> DecodeBatch(const std::vector<std::vector<uint32_t>>& ids,
                                               bool skip_special_tokens = true,
                                               bool clean_up_tokenization_spaces = false, int threads = 0) const;

  std::optional<uint32_t> TokenToId(std::string_view token) const;
  std::optional<std::string> IdToToken(uint32_t id) const;
  // Model vocabulary size, plus the added tokens not already in it when with_added_tokens.
  size_t GetVocabSize(bool with_added_tokens = true) const;
  std::unordered_map<std::string, uint32_t> GetVocab(bool with_added_tokens = true) const;
  std::vector<AddedToken> GetAddedTokens() const;
  bool IsSpecialId(uint32_t id) const;
  // Number of special tokens the post-processor inserts for a single sequence or a pair.
  size_t NumSpecialTokensToAdd(bool is_pair) const;

  // Padding/truncation as in HF (`enable_padding` / `enable_truncation`); nullopt disables.
  void SetPadding(std::optional<PaddingParams> params);
  Status SetTruncation(std::optional<TruncationParams> params);
  const std::optional<PaddingParams>& padding() const;
  const std::optional<TruncationParams>& truncation() const;
  // HF `encode_special_tokens` (transformers' split_special_tokens): special added tokens in the
  // input are then tokenized as plain text.
  void SetEncodeSpecialTokens(bool on);

  // Adds tokens to the added vocabulary (HF add_tokens / add_special_tokens); returns how many
  // were new.
  size_t AddTokens(const std::vector<AddedToken>& tokens);

  // Learns a new model vocabulary from a corpus (HF train_from_files / train_from_iterator, see
  // trainers.h): files are read line by line keeping the line ends; `next` fills one sequence and
  // returns false at the end. Word counting uses `threads` threads (0: all). On error the
  // tokenizer is unchanged. Errors: IOError (unreadable file), InvalidArgument (not UTF-8, empty
  // corpus, vocab_size too small, a trainer for another model type).
  Status Train(const std::vector<std::string>& files, const Trainer& trainer, int threads = 0);
  Status TrainFromIterator(const std::function<bool(std::string& sequence)>& next, const Trainer& trainer,
                           int threads = 0);

  // tokenizer.json text (HF field order; `pretty` indents by 2) and writing it to a file.
  Json ToJson() const;
  std::string ToJsonString(bool pretty = true) const;
  Status Save(const std::string& path, bool pretty = true) const;

  struct Impl;  // defined in src/tokenizers/tokenizer_impl.h

 private:
  explicit Tokenizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mhub::tokenizers
