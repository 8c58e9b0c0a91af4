// Models: the `model` section of tokenizer.json (HF models/*): BPE, WordPiece, Unigram,
// WordLevel. A model turns one pre-token into tokens with byte offsets inside it.
// Immutable after construction; Tokenize may run on many threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/result.h"
#include "tokenizers/models/string_index.h"

namespace mhub::tokenizers {

// Where the string of a token a model produced comes from.
inline constexpr uint8_t kTokenTextVocab = 0;         // the vocabulary entry of its id
inline constexpr uint8_t kTokenTextSpan = 1;          // the pre-token's bytes [begin, end)
inline constexpr uint8_t kTokenTextByteLevel = 2;     // the ByteLevel chars of the pre-token's raw bytes [begin, end)
inline constexpr uint8_t kTokenTextPrefixedSpan = 3;  // Model::SpanPrefix() + the bytes [begin, end)

// One token a model produced: id and byte range inside the pre-token. `text` says where its
// string comes from; models only use the span kinds where the result is exactly the vocabulary
// entry (it saves a lookup in a big table per token).
struct ModelToken {
  uint32_t id;
  uint32_t begin;
  uint32_t end;
  uint8_t text = kTokenTextVocab;
};

// The big arrays of a model section, read either from nlohmann JSON or straight from simdjson.
struct ModelTables {
  std::vector<std::pair<std::string, uint32_t>> vocab;  // BPE, WordPiece, WordLevel (file order)
  std::vector<std::pair<std::string, double>> scored;   // Unigram pieces (id = index)
  std::vector<std::pair<std::string, std::string>> merges;
  bool merges_as_pairs = false;  // new [["a","b"]] format rather than legacy "a b"
};

// Transparent string hashing so maps keyed by std::string accept string_view lookups.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept;
};
using StringIdMap = std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>>;

class Model {
 public:
  virtual ~Model() = default;
  // `options` is the model object (vocab/merges may be absent there when `tables` carries them).
  static Result<std::unique_ptr<Model>> FromJson(const Json& options, ModelTables tables, std::string_view path);
  // Reads vocab/merges from `j` itself.
  static Result<std::unique_ptr<Model>> FromJson(const Json& j, std::string_view path);
  static Result<ModelTables> TablesFromJson(const Json& j, std::string_view path);

  // Appends the tokens of `piece`. With `byte_level` the piece holds raw bytes that stand for
  // ByteLevel chars (only when SupportsByteLevelInput()).
  virtual Status Tokenize(std::string_view piece, bool byte_level, std::vector<ModelToken>& out) const = 0;
  virtual bool SupportsByteLevelInput() const { return false; }
  // A hint that Tokenize(piece) comes soon: models may start loading the memory it will touch.
  virtual void Prefetch(std::string_view piece, bool byte_level) const {}
  // The prefix of kTokenTextPrefixedSpan tokens (WordPiece's continuing-subword prefix).
  virtual std::string_view SpanPrefix() const { return {}; }

  virtual std::optional<uint32_t> TokenToId(std::string_view token) const = 0;
  virtual const std::string* IdToToken(uint32_t id) const = 0;
  virtual size_t VocabSize() const = 0;
  virtual std::unordered_map<std::string, uint32_t> GetVocab() const = 0;
  virtual Json ToJson() const = 0;
};

Result<std::unique_ptr<Model>> MakeBpeModel(const Json& options, ModelTables tables, std::string_view path);
Result<std::unique_ptr<Model>> MakeWordPieceModel(const Json& options, ModelTables tables, std::string_view path);
Result<std::unique_ptr<Model>> MakeUnigramModel(const Json& options, ModelTables tables, std::string_view path);
Result<std::unique_ptr<Model>> MakeWordLevelModel(const Json& options, ModelTables tables, std::string_view path);

// A process-unique number per model instance, so per-thread caches know whose entries they hold.
uint64_t NextModelSerial();

// vocab as an id-indexed array (gaps are empty strings) for IdToToken / saving.
std::vector<std::string> InvertVocab(const StringIdMap& vocab, std::vector<bool>* present);
std::vector<std::string> InvertVocab(const StringIndex& vocab, std::vector<bool>* present);
// Fills a StringIndex from vocab entries (a repeated token keeps its last id).
void BuildVocabIndex(const std::vector<std::pair<std::string, uint32_t>>& vocab, StringIndex& index);
// JSON object of a token -> id vocabulary ordered by id (as HF writes it).
Json VocabToJson(const std::vector<std::string>& by_id, const std::vector<bool>& present);

}  // namespace mhub::tokenizers
