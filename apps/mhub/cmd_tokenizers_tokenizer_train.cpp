// mhub tokenizer train: learns a tokenizer.json from text files with HF's trainers (trainers.h).
//
//   mhub tokenizer train --model bpe --vocab-size 8000 --pre-tokenizer byte-level corpus.txt -o tokenizer.json
//   mhub tokenizer train --model wordpiece --special-tokens "[UNK],[CLS],[SEP]" --pre-tokenizer bert --lowercase
//       --vocab-size 30522 brown/*.txt -o tok.json
//   mhub tokenizer train --model unigram --from old/tokenizer.json corpus.txt -o tok.json
//
// The pipeline (normalizer, pre-tokenizer, decoder, post-processor) comes from --from, or is built
// from --pre-tokenizer/--lowercase. The output file is written only when training succeeded.
#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "command_registry.h"
#include "mhub/base/json.h"
#include "mhub/tokenizers/tokenizer.h"
#include "mhub/tokenizers/trainers.h"
#include "tokenizers/unicode.h"

namespace {

using mhub::Json;
using namespace mhub::tokenizers;

struct TrainOptions {
  std::vector<std::string> files;
  std::string output;
  std::string model = "bpe";
  std::string from;
  std::string pre_tokenizer = "whitespace";
  bool lowercase = false;
  std::optional<size_t> vocab_size;
  uint64_t min_frequency = 0;
  std::string special_tokens_arg;  // "A,B,C" (one argument, so FILES are never taken)
  std::vector<std::string> special_tokens;
  std::optional<size_t> limit_alphabet;
  std::string initial_alphabet;
  std::optional<std::string> continuing_subword_prefix;
  std::optional<std::string> end_of_word_suffix;
  std::optional<size_t> max_token_length;
  double shrinking_factor = 0.75;
  std::optional<std::string> unk_token;
  size_t max_piece_length = 16;
  size_t n_sub_iterations = 2;
  int threads = 0;
};

Json EmptyModel(const std::string& model, const TrainOptions& o) {
  if (model == "bpe") {
    return Json{
        {"type", "BPE"},           {"dropout", nullptr},     {"unk_token", o.unk_token ? Json(*o.unk_token) : Json()},
        {"fuse_unk", false},       {"byte_fallback", false}, {"ignore_merges", false},
        {"vocab", Json::object()}, {"merges", Json::array()}};
  }
  if (model == "wordpiece") {
    return Json{{"type", "WordPiece"},
                {"unk_token", o.unk_token.value_or("[UNK]")},
                {"continuing_subword_prefix", o.continuing_subword_prefix.value_or("##")},
                {"max_input_chars_per_word", 100},
                {"vocab", Json::object()}};
  }
  if (model == "wordlevel") {
    return Json{{"type", "WordLevel"}, {"unk_token", o.unk_token.value_or("<unk>")}, {"vocab", Json::object()}};
  }
  return Json{{"type", "Unigram"}, {"unk_id", nullptr}, {"byte_fallback", false}, {"vocab", Json::array()}};
}

// tokenizer.json text of the untrained pipeline.
Json BasePipeline(const TrainOptions& o) {
  Json j;
  j["version"] = "1.0";
  j["truncation"] = nullptr;
  j["padding"] = nullptr;
  j["added_tokens"] = Json::array();
  j["normalizer"] = o.lowercase ? Json{{"type", "Lowercase"}} : Json();
  j["post_processor"] = nullptr;
  j["decoder"] = nullptr;
  const std::string& p = o.pre_tokenizer;
  if (p == "whitespace") {
    j["pre_tokenizer"] = Json{{"type", "Whitespace"}};
  } else if (p == "whitespace-split") {
    j["pre_tokenizer"] = Json{{"type", "WhitespaceSplit"}};
  } else if (p == "bert") {
    j["pre_tokenizer"] = Json{{"type", "BertPreTokenizer"}};
  } else if (p == "byte-level") {
    j["pre_tokenizer"] =
        Json{{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}};
    j["decoder"] = Json{{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}};
  } else {  // metaspace
    j["pre_tokenizer"] =
        Json{{"type", "Metaspace"}, {"replacement", "\u2581"}, {"prepend_scheme", "always"}, {"split", true}};
    j["decoder"] =
        Json{{"type", "Metaspace"}, {"replacement", "\u2581"}, {"prepend_scheme", "always"}, {"split", true}};
  }
  if (o.model == "wordpiece" && j["decoder"].is_null()) {
    j["decoder"] =
        Json{{"type", "WordPiece"}, {"prefix", o.continuing_subword_prefix.value_or("##")}, {"cleanup", true}};
  }
  j["model"] = EmptyModel(o.model, o);
  return j;
}

std::vector<char32_t> Chars(std::string_view s) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < s.size();) out.push_back(unicode::NextChar(s, i));
  return out;
}

std::unique_ptr<Trainer> MakeTrainer(const TrainOptions& o, bool byte_level) {
  auto alphabet = Chars(o.initial_alphabet);
  if (byte_level && o.initial_alphabet.empty() && o.model != "wordlevel") {
    // HF ByteLevel.alphabet(), as train_new_from_iterator passes it.
    const auto& table = unicode::ByteToChar();
    alphabet.assign(table.begin(), table.end());
  }
  if (o.model == "bpe" || o.model == "wordpiece") {
    std::unique_ptr<BpeTrainer> t =
        o.model == "bpe" ? std::make_unique<BpeTrainer>() : std::make_unique<WordPieceTrainer>();
    if (o.vocab_size) t->vocab_size = *o.vocab_size;
    t->min_frequency = o.min_frequency;
    t->special_tokens = o.special_tokens;
    t->limit_alphabet = o.limit_alphabet;
    t->initial_alphabet = alphabet;
    if (o.continuing_subword_prefix) t->continuing_subword_prefix = o.continuing_subword_prefix;
    t->end_of_word_suffix = o.end_of_word_suffix;
    t->max_token_length = o.max_token_length;
    return t;
  }
  if (o.model == "wordlevel") {
    auto t = std::make_unique<WordLevelTrainer>();
    if (o.vocab_size) t->vocab_size = *o.vocab_size;
    t->min_frequency = o.min_frequency;
    t->special_tokens = o.special_tokens;
    return t;
  }
  auto t = std::make_unique<UnigramTrainer>();
  if (o.vocab_size) t->vocab_size = *o.vocab_size;
  t->special_tokens = o.special_tokens;
  t->initial_alphabet = alphabet;
  t->shrinking_factor = o.shrinking_factor;
  t->unk_token = o.unk_token;
  t->max_piece_length = o.max_piece_length;
  t->n_sub_iterations = o.n_sub_iterations;
  return t;
}

// transformers' train_new_from_iterator on an existing tokenizer.json: the normalizer,
// pre-tokenizer and decoder stay; added tokens and the post-processor are set aside; the model
// is emptied (its options kept). The old special added tokens (all added tokens for Unigram) come
// first among the trainer's special tokens; BPE/WordPiece keep their prefix/suffix, Unigram its unk.
struct FromTokenizer {
  Json pipeline;
  Json post_processor;
};
mhub::Result<FromTokenizer> PrepareFrom(const Tokenizer& old, TrainOptions& o) {
  static const std::vector<std::pair<std::string, std::string>> kTypes = {
      {"bpe", "BPE"}, {"wordpiece", "WordPiece"}, {"wordlevel", "WordLevel"}, {"unigram", "Unigram"}};
  FromTokenizer out;
  out.pipeline = old.ToJson();
  Json& model = out.pipeline["model"];
  const std::string type = model.value("type", "");
  for (const auto& [flag, name] : kTypes) {
    if (name == type && flag != o.model) {
      return mhub::Status::InvalidArgument("--from holds a " + type + " tokenizer: pass --model " + flag);
    }
  }
  std::vector<std::string> specials;
  for (const Json& a : out.pipeline["added_tokens"]) {
    if (a.value("special", false) || type == "Unigram") specials.push_back(a.value("content", ""));
  }
  for (const std::string& t : o.special_tokens) {
    if (std::find(specials.begin(), specials.end(), t) == specials.end()) specials.push_back(t);
  }
  o.special_tokens = specials;
  out.pipeline["added_tokens"] = Json::array();
  out.post_processor = out.pipeline["post_processor"];
  out.pipeline["post_processor"] = nullptr;
  if (type == "BPE" || type == "WordPiece") {
    if (!o.continuing_subword_prefix && model.value("continuing_subword_prefix", Json()).is_string()) {
      o.continuing_subword_prefix = model["continuing_subword_prefix"].get<std::string>();
    }
    if (type == "BPE" && !o.end_of_word_suffix && model.value("end_of_word_suffix", Json()).is_string()) {
      o.end_of_word_suffix = model["end_of_word_suffix"].get<std::string>();
    }
    model["vocab"] = Json::object();
    if (type == "BPE") model["merges"] = Json::array();
  } else if (type == "WordLevel") {
    model["vocab"] = Json::object();
  } else {
    const Json unk_id = model.value("unk_id", Json());
    if (!o.unk_token && unk_id.is_number_unsigned() && unk_id.get<size_t>() < model["vocab"].size()) {
      o.unk_token = model["vocab"][unk_id.get<size_t>()][0].get<std::string>();
    }
    model["vocab"] = Json::array({Json::array({o.unk_token.value_or("<unk>"), 0.0})});
    model["unk_id"] = 0;
  }
  return out;
}

// The post-processor set aside by PrepareFrom, its token ids looked up in the new vocabulary.
mhub::Status RemapPostProcessor(Json& p, const Tokenizer& tok) {
  if (!p.is_object()) return mhub::Status::OK();
  auto id_of = [&](const std::string& token) -> mhub::Result<uint32_t> {
    auto id = tok.TokenToId(token);
    if (!id) {
      return mhub::Status::InvalidArgument("the post-processor's token '" + token +
                                           "' is not in the trained vocabulary (add it with --special-tokens)");
    }
    return *id;
  };
  const std::string type = p.value("type", "");
  if (type == "TemplateProcessing" && p.contains("special_tokens")) {
    for (auto& [name, st] : p["special_tokens"].items()) {
      Json ids = Json::array();
      for (const Json& t : st["tokens"]) {
        MHUB_ASSIGN_OR_RETURN(uint32_t id, id_of(t.get<std::string>()));
        ids.push_back(id);
      }
      st["ids"] = std::move(ids);
    }
  } else if (type == "BertProcessing" || type == "RobertaProcessing") {
    for (const char* key : {"sep", "cls"}) {
      if (!p.contains(key)) continue;
      MHUB_ASSIGN_OR_RETURN(uint32_t id, id_of(p[key][0].get<std::string>()));
      p[key][1] = id;
    }
  } else if (type == "Sequence" && p.contains("processors")) {
    for (Json& q : p["processors"]) MHUB_RETURN_IF_ERROR(RemapPostProcessor(q, tok));
  }
  return mhub::Status::OK();
}

}  // namespace

MHUB_REGISTER_COMMAND(tokenizer) {
  auto* group = app.add_subcommand("tokenizer", "Tokenizer tools (train)");
  group->require_subcommand(1);
  auto* sub =
      group->add_subcommand("train", "Train a tokenizer.json (BPE, WordPiece, Unigram, WordLevel) on text files");
  auto opts = std::make_shared<TrainOptions>();
  sub->add_option("files", opts->files, "training text files (read line by line)")->required();
  sub->add_option("-o,--output", opts->output, "where to write tokenizer.json")->required();
  sub->add_option("--model", opts->model, "bpe | wordpiece | unigram | wordlevel")
      ->check(CLI::IsMember({"bpe", "wordpiece", "unigram", "wordlevel"}));
  sub->add_option("--from", opts->from,
                  "start from this tokenizer.json's pipeline (its model type must match --model)");
  sub->add_option("--pre-tokenizer", opts->pre_tokenizer,
                  "whitespace | whitespace-split | bert | byte-level | metaspace")
      ->check(CLI::IsMember({"whitespace", "whitespace-split", "bert", "byte-level", "metaspace"}));
  sub->add_flag("--lowercase", opts->lowercase, "Lowercase normalizer");
  sub->add_option("--vocab-size", opts->vocab_size, "target vocabulary size (default 30000; unigram 8000)");
  sub->add_option("--min-frequency", opts->min_frequency, "bpe/wordpiece/wordlevel: minimum count of a merge or word");
  sub->add_option("--special-tokens", opts->special_tokens_arg, "special tokens, in id order (comma-separated)");
  sub->add_option("--limit-alphabet", opts->limit_alphabet, "bpe/wordpiece: keep at most N initial chars");
  sub->add_option("--initial-alphabet", opts->initial_alphabet, "chars always in the alphabet (a string)");
  sub->add_option("--continuing-subword-prefix", opts->continuing_subword_prefix, "bpe/wordpiece: e.g. ##");
  sub->add_option("--end-of-word-suffix", opts->end_of_word_suffix, "bpe: e.g. </w>");
  sub->add_option("--max-token-length", opts->max_token_length, "bpe: longest token in chars");
  sub->add_option("--shrinking-factor", opts->shrinking_factor, "unigram: share of pieces kept per pruning");
  sub->add_option("--unk-token", opts->unk_token, "unknown token (unigram: added at id 0 unless a special token)");
  sub->add_option("--max-piece-length", opts->max_piece_length, "unigram: longest piece in chars");
  sub->add_option("--n-sub-iterations", opts->n_sub_iterations, "unigram: EM iterations per pruning");
  sub->add_option("--threads", opts->threads, "word counting threads (0: all cores)");
  return [opts]() -> int {
    auto usage_error = [](std::string_view message) {
      mhub::cli::print_error(message);
      return 2;
    };
    if (opts->vocab_size && *opts->vocab_size == 0) return usage_error("--vocab-size must be positive");
    if (opts->shrinking_factor <= 0 || opts->shrinking_factor >= 1) {
      return usage_error("--shrinking-factor must lie strictly between 0 and 1");
    }
    if (opts->max_piece_length == 0) return usage_error("--max-piece-length must be positive");
    TrainOptions o = *opts;  // --from may add special tokens and the model's prefix/unk
    for (size_t b = 0; !o.special_tokens_arg.empty() && b <= o.special_tokens_arg.size();) {
      size_t e = std::min(o.special_tokens_arg.find(',', b), o.special_tokens_arg.size());
      if (e > b) o.special_tokens.push_back(o.special_tokens_arg.substr(b, e - b));
      b = e + 1;
    }
    Json pipeline = BasePipeline(o);
    Json post_processor;
    if (!o.from.empty()) {
      auto old = Tokenizer::FromPretrained(o.from);
      if (!old.ok()) return mhub::cli::print_error(old.status());
      auto from = PrepareFrom(*old, o);
      if (!from.ok()) return mhub::cli::print_error(from.status());
      pipeline = std::move(from->pipeline);
      post_processor = std::move(from->post_processor);
    }
    mhub::Result<Tokenizer> tok_or = Tokenizer::FromJson(pipeline.dump());
    if (!tok_or.ok()) return mhub::cli::print_error(tok_or.status());
    Tokenizer tok = std::move(tok_or).value();
    const bool byte_level = pipeline["pre_tokenizer"].dump().find("\"ByteLevel\"") != std::string::npos;
    std::unique_ptr<Trainer> trainer = MakeTrainer(o, byte_level);
    if (mhub::Status s = tok.Train(o.files, *trainer, o.threads); !s.ok()) return mhub::cli::print_error(s);
    if (!post_processor.is_null()) {
      if (mhub::Status s = RemapPostProcessor(post_processor, tok); !s.ok()) return mhub::cli::print_error(s);
      Json j = tok.ToJson();
      j["post_processor"] = post_processor;
      auto with_post = Tokenizer::FromJson(j.dump());
      if (!with_post.ok()) return mhub::cli::print_error(with_post.status());
      tok = std::move(with_post).value();
    }
    if (mhub::Status s = tok.Save(o.output); !s.ok()) return mhub::cli::print_error(s);
    std::cerr << "trained " << trainer->ModelType() << " tokenizer, " << tok.GetVocabSize() << " tokens -> " << o.output
              << "\n";
    return 0;
  };
}
