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

namespace mhub::tokenizers {

// One token a model produced: id and byte range inside the pre-token. `raw_text`: the token
// string is the pre-token's text in that range (Unigram) instead of the vocabulary entry.
struct ModelToken {
  uint32_t id;
  uint32_t begin;
  uint32_t end;
  bool raw_text = false;
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

// vocab as an id-indexed array (gaps are empty strings) for IdToToken / saving.
std::vector<std::string> InvertVocab(const StringIdMap& vocab, std::vector<bool>* present);
// JSON object of a token -> id vocabulary ordered by id (as HF writes it).
Json VocabToJson(const std::vector<std::string>& by_id, const std::vector<bool>& present);

}  // namespace mhub::tokenizers
