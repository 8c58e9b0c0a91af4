// Tokenizer trainers: learn a model's vocabulary from a corpus as HF tokenizers' trainers do
// (tokenizers/src/models/*/trainer.rs, same option names and defaults).
//
//   mhub::tokenizers::BpeTrainer trainer;
//   trainer.vocab_size = 8000;
//   trainer.special_tokens = {"<unk>", "<s>", "</s>"};
//   MHUB_ASSIGN_OR_RETURN(auto tok, Tokenizer::FromJson(R"({"model":{"type":"BPE","vocab":{},"merges":[]},
//                                                         "pre_tokenizer":{"type":"Whitespace"}})"));
//   MHUB_RETURN_IF_ERROR(tok.Train({"corpus.txt"}, trainer));
//   MHUB_RETURN_IF_ERROR(tok.Save("tokenizer.json"));
//
// Tokenizer::Train counts the pre-tokens of the corpus (the tokenizer's normalizer and
// pre-tokenizer, line by line keeping "\n" as HF's train_from_files does), hands the counts to
// the trainer, replaces the model's vocabulary (its other options stay) and adds the trainer's
// special tokens as special added tokens. Results are deterministic: where HF's result depends on
// hash-map iteration order (prefixed BPE/WordPiece ties, Unigram ties), ours is one of the results
// HF can produce. Trainers are plain option holders; Train may run concurrently on one trainer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/result.h"

namespace mhub::tokenizers {

// Pre-token -> number of occurrences in the corpus.
using WordCounts = std::unordered_map<std::string, uint64_t>;

class Trainer {
 public:
  virtual ~Trainer() = default;
  // The tokenizer.json model type this trainer produces ("BPE", "WordPiece", "WordLevel", "Unigram").
  virtual std::string_view ModelType() const = 0;
  // Learns the vocabulary from `words`. `model` is the tokenizer's current model section: the
  // result keeps its options and replaces what training decides (vocab, merges, prefix...).
  // Errors: InvalidArgument for an empty corpus or a vocab_size too small for the alphabet.
  virtual Result<Json> TrainModel(const WordCounts& words, const Json& model) const = 0;
  virtual const std::vector<std::string>& SpecialTokens() const = 0;
};

// HF BpeTrainer. Stops at vocab_size tokens, when no pair is left, or when the best pair occurs
// fewer than min_frequency times.
class BpeTrainer : public Trainer {
 public:
  size_t vocab_size = 30000;
  uint64_t min_frequency = 0;
  std::vector<std::string> special_tokens;  // ids 0..k-1, in this order
  std::optional<size_t> limit_alphabet;     // keep at most this many (most frequent) chars
  std::vector<char32_t> initial_alphabet;   // chars always in the alphabet, seen or not
  std::optional<std::string> continuing_subword_prefix;
  std::optional<std::string> end_of_word_suffix;
  std::optional<size_t> max_token_length;  // in chars

  std::string_view ModelType() const override { return "BPE"; }
  Result<Json> TrainModel(const WordCounts& words, const Json& model) const override;
  const std::vector<std::string>& SpecialTokens() const override { return special_tokens; }

  // The vocabulary (id order) and merges (in rank order) of a BPE training run.
  struct Output {
    std::vector<std::string> vocab;
    std::vector<std::pair<std::string, std::string>> merges;
  };
  Result<Output> Learn(const WordCounts& words) const;
};

// HF WordPieceTrainer: a BpeTrainer with continuing_subword_prefix "##" whose vocabulary becomes
// a WordPiece model (count-based merges, as HF; not the likelihood-based original WordPiece).
class WordPieceTrainer : public BpeTrainer {
 public:
  WordPieceTrainer() { continuing_subword_prefix = "##"; }
  std::string_view ModelType() const override { return "WordPiece"; }
  Result<Json> TrainModel(const WordCounts& words, const Json& model) const override;
};

// HF WordLevelTrainer: special tokens, then words with count >= min_frequency by count desc,
// ties by string asc, up to vocab_size.
class WordLevelTrainer : public Trainer {
 public:
  size_t vocab_size = 30000;
  uint64_t min_frequency = 0;
  std::vector<std::string> special_tokens;

  std::string_view ModelType() const override { return "WordLevel"; }
  Result<Json> TrainModel(const WordCounts& words, const Json& model) const override;
  const std::vector<std::string>& SpecialTokens() const override { return special_tokens; }
};

// HF UnigramTrainer (SentencePiece's EM): seed pieces from the suffix array, EM with pruning by
// shrinking_factor until 1.1 x vocab_size pieces remain, then the best vocab_size pieces.
class UnigramTrainer : public Trainer {
 public:
  size_t vocab_size = 8000;
  std::vector<std::string> special_tokens;
  std::vector<char32_t> initial_alphabet;
  double shrinking_factor = 0.75;
  std::optional<std::string> unk_token;
  size_t max_piece_length = 16;
  size_t n_sub_iterations = 2;
  size_t seed_size = 1000000;

  std::string_view ModelType() const override { return "Unigram"; }
  Result<Json> TrainModel(const WordCounts& words, const Json& model) const override;
  const std::vector<std::string>& SpecialTokens() const override { return special_tokens; }

  // Pieces with their log-probability scores, in model order, and the unk id.
  struct Output {
    std::vector<std::pair<std::string, double>> pieces;
    std::optional<size_t> unk_id;
  };
  Result<Output> Learn(const WordCounts& words) const;
};

}  // namespace mhub::tokenizers
