// mhub tokenize: tokenizer.json encode/decode over TEXT arguments or stdin lines, one JSON line
// out per input. The tokenizer is a tokenizer.json, a model folder or a hub repo id.
//
//   mhub tokenize --tokenizer alice/tiny-bert "Hello world" "[MASK]"
//   echo "Hello world" | mhub tokenize --tokenizer model_dir/
//   printf 'a question\tits context\n' | mhub tokenize --tokenizer tok.json --pair --max-length 16
//   echo '[9906, 1917]' | mhub tokenize --tokenizer tok.json --decode
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "command_registry.h"
#include "mhub/base/json.h"
#include "mhub/tokenizers/tokenizer.h"

namespace {

using mhub::Json;
using namespace mhub::tokenizers;

struct TokenizeOptions {
  std::string tokenizer;
  std::string revision = "main";
  std::vector<std::string> texts;
  bool pair = false;
  bool no_special = false;
  size_t max_length = 0;
  std::string truncation = "longest_first";
  size_t stride = 0;
  std::string padding;
  bool decode = false;
  bool skip_special_tokens = false;
  size_t batch = 64;
  int threads = 0;
  bool byte_offsets = false;
};

Json EncodingToJson(const Encoding& e) {
  Json j;
  j["ids"] = e.ids;
  j["tokens"] = e.tokens;
  Json offsets = Json::array();
  for (const auto& [s, t] : e.offsets) offsets.push_back(Json::array({s, t}));
  j["offsets"] = std::move(offsets);
  j["attention_mask"] = e.attention_mask;
  j["type_ids"] = e.type_ids;
  j["special_tokens_mask"] = e.special_tokens_mask;
  Json words = Json::array();
  for (const auto& w : e.word_ids) words.push_back(w ? Json(*w) : Json(nullptr));
  j["word_ids"] = std::move(words);
  if (!e.overflowing.empty()) {
    Json over = Json::array();
    for (const auto& o : e.overflowing) over.push_back(EncodingToJson(o));
    j["overflowing"] = std::move(over);
  }
  return j;
}

int RunDecode(const Tokenizer& tok, const TokenizeOptions& opts) {
  std::string line;
  size_t lineno = 0;
  while (std::getline(std::cin, line)) {
    ++lineno;
    auto parsed = mhub::ParseJson(line, "line " + std::to_string(lineno));
    if (!parsed.ok()) return mhub::cli::print_error(parsed.status());
    const Json& j = *parsed;
    std::vector<uint32_t> ids;
    bool valid = j.is_array();
    for (const Json& v : j) {
      if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > UINT32_MAX) {
        valid = false;
        break;
      }
      ids.push_back(v.get<uint32_t>());
    }
    if (!valid)
      return mhub::cli::print_error("line " + std::to_string(lineno) + ": expected a JSON array of token ids");
    auto text = tok.Decode(ids, opts.skip_special_tokens);
    if (!text.ok()) return mhub::cli::print_error(text.status());
    std::cout << mhub::DumpJson(Json(*text)) << "\n";
  }
  return 0;
}

int RunEncode(const Tokenizer& tok, const TokenizeOptions& opts) {
  EncodeOptions eo;
  eo.add_special_tokens = !opts.no_special;
  eo.offset_type = opts.byte_offsets ? OffsetType::kByte : OffsetType::kChar;
  std::vector<std::string> lines;
  size_t lineno = 0;
  auto flush = [&]() -> int {
    if (lines.empty()) return 0;
    mhub::Result<std::vector<Encoding>> encs = std::vector<Encoding>();
    if (opts.pair) {
      std::vector<std::pair<std::string, std::string>> pairs;
      for (const auto& l : lines) {
        size_t tab = l.find('\t');
        if (tab == std::string::npos) {
          return mhub::cli::print_error("--pair expects tab-separated pairs, got a line without a tab");
        }
        pairs.emplace_back(l.substr(0, tab), l.substr(tab + 1));
      }
      encs = tok.EncodePairBatch(pairs, eo, opts.threads);
    } else {
      encs = tok.EncodeBatch(lines, eo, opts.threads);
    }
    if (!encs.ok()) {
      return mhub::cli::print_error(encs.status().WithContext("lines " + std::to_string(lineno - lines.size() + 1) +
                                                              "-" + std::to_string(lineno)));
    }
    std::string out;
    for (const auto& e : *encs) {
      out += mhub::DumpJson(EncodingToJson(e));
      out += '\n';
    }
    std::cout << out;
    lines.clear();
    return 0;
  };
  auto add = [&](std::string line) -> int {
    lines.push_back(std::move(line));
    ++lineno;
    if (lines.size() >= std::max<size_t>(opts.batch, 1)) return flush();
    return 0;
  };
  if (!opts.texts.empty()) {
    for (const auto& t : opts.texts)
      if (int rc = add(t)) return rc;
    return flush();
  }
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (int rc = add(line)) return rc;
  }
  return flush();
}

}  // namespace

MHUB_REGISTER_COMMAND(tokenize) {
  auto* sub = app.add_subcommand("tokenize", "Tokenize texts with a tokenizer.json (one JSON line out per text)");
  auto opts = std::make_shared<TokenizeOptions>();
  // Taken verbatim, "[MASK]" included (main.cpp keeps CLI11 from reading it as a list).
  sub->add_option("text", opts->texts, "texts to encode (default: stdin lines)");
  sub->add_option("--tokenizer,--model,-m", opts->tokenizer, "tokenizer.json, a model folder or a hub repo id")
      ->required();
  sub->add_option("--revision", opts->revision, "revision for hub repo ids");
  sub->add_flag("--pair", opts->pair, "Each line is a tab-separated pair of sequences");
  sub->add_flag("--no-special", opts->no_special, "Do not add the post-processor's special tokens");
  sub->add_option("--max-length", opts->max_length, "Truncate to this many tokens (specials included)");
  sub->add_option("--truncation", opts->truncation, "longest_first | only_first | only_second")
      ->check(CLI::IsMember({"longest_first", "only_first", "only_second"}));
  sub->add_option("--stride", opts->stride, "Overlap of overflowing windows");
  sub->add_option("--padding", opts->padding, "longest (per batch) | max_length")
      ->check(CLI::IsMember({"longest", "max_length"}));
  sub->add_flag("--decode", opts->decode, "Read JSON arrays of ids and print the decoded text (as JSON strings)");
  sub->add_flag("--skip-special-tokens", opts->skip_special_tokens, "With --decode: drop special tokens");
  sub->add_option("--batch", opts->batch, "Lines encoded together (padding=longest pads per batch)");
  sub->add_option("--threads", opts->threads, "Encoding threads (0: all cores)");
  sub->add_flag("--byte-offsets", opts->byte_offsets, "Report UTF-8 byte offsets instead of code points");
  return [opts]() -> int {
    auto where = mhub::cli::ResolveLocalOrRepo(opts->tokenizer, opts->revision,
                                               {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"});
    if (!where.ok()) return mhub::cli::print_error(where.status());
    auto tok_or = Tokenizer::FromPretrained(*where);
    if (!tok_or.ok()) return mhub::cli::print_error(tok_or.status());
    Tokenizer tok = std::move(tok_or).value();
    if (opts->decode) return RunDecode(tok, *opts);
    if (opts->max_length > 0) {
      TruncationParams t;
      t.max_length = opts->max_length;
      t.stride = opts->stride;
      t.strategy = opts->truncation == "only_first"    ? TruncationStrategy::kOnlyFirst
                   : opts->truncation == "only_second" ? TruncationStrategy::kOnlySecond
                                                       : TruncationStrategy::kLongestFirst;
      if (mhub::Status st = tok.SetTruncation(t); !st.ok()) return mhub::cli::print_error(st);
    } else if (opts->stride > 0) {
      std::cerr << "mhub: error: --stride needs --max-length\n";
      return 2;
    }
    if (!opts->padding.empty()) {
      PaddingParams p = tok.padding().value_or(PaddingParams());
      if (opts->padding == "max_length") {
        if (opts->max_length == 0) {
          std::cerr << "mhub: error: --padding max_length needs --max-length\n";
          return 2;
        }
        // Padding materializes max_length ids per line (several arrays of them): a huge value would
        // allocate gigabytes before the first line is written, so it is refused up front.
        constexpr size_t kMaxPadLength = size_t{1} << 24;
        if (opts->max_length > kMaxPadLength) {
          std::cerr << "mhub: error: --padding max_length with --max-length " << opts->max_length
                    << " is too large (at most " << kMaxPadLength << " tokens per line)\n";
          return 2;
        }
        p.strategy = PaddingStrategy::kMaxLength;
        p.max_length = opts->max_length;
      } else {
        p.strategy = PaddingStrategy::kLongest;
      }
      tok.SetPadding(p);
    }
    return RunEncode(tok, *opts);
  };
}
