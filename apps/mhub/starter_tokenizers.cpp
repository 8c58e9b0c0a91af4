#include "starter_tokenizers.h"

#include <string>
#include <vector>

namespace mhub::cli {

namespace {

// Words the README's examples use, plus the most frequent English words.
constexpr const char* kWords[] = {
    "the",   "of",    "and",     "to",    "a",        "in",     "is",      "it",    "you",    "that",   "he",
    "was",   "for",   "on",      "are",   "with",     "as",     "i",       "his",   "they",   "be",     "at",
    "one",   "have",  "this",    "from",  "or",       "had",    "by",      "not",   "word",   "but",    "what",
    "some",  "we",    "can",     "out",   "other",    "were",   "all",     "there", "when",   "up",     "use",
    "your",  "how",   "said",    "an",    "each",     "she",    "which",   "do",    "their",  "time",   "if",
    "will",  "way",   "about",   "many",  "then",     "them",   "would",   "write", "like",   "so",     "these",
    "her",   "long",  "make",    "thing", "see",      "him",    "two",     "has",   "look",   "more",   "day",
    "could", "go",    "come",    "did",   "my",       "no",     "most",    "who",   "over",   "know",   "than",
    "call",  "first", "people",  "may",   "down",     "side",   "been",    "now",   "find",   "any",    "new",
    "work",  "part",  "take",    "get",   "place",    "made",   "live",    "where", "after",  "back",   "only",
    "round", "man",   "year",    "came",  "show",     "every",  "good",    "me",    "give",   "our",    "under",
    "name",  "very",  "through", "just",  "form",     "great",  "think",   "say",   "help",   "low",    "line",
    "world", "hello", "love",    "hate",  "paris",    "france", "capital", "city",  "london", "berlin", "country",
    "model", "hub",   "text",    "token", "question", "answer", "context", "alice", "bob"};

std::vector<std::string> WordPieceVocab() {
  std::vector<std::string> vocab = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
  for (char c = 33; c < 127; ++c)
    if (!(c >= 'A' && c <= 'Z')) vocab.emplace_back(1, c);
  for (char c = '0'; c <= '9'; ++c) vocab.push_back(std::string("##") + c);
  for (char c = 'a'; c <= 'z'; ++c) vocab.push_back(std::string("##") + c);
  for (const char* w : kWords) {
    bool seen = false;  // one-letter words are already there as characters
    for (const auto& v : vocab) seen = seen || v == w;
    if (!seen) vocab.emplace_back(w);
  }
  return vocab;
}

Json SpecialToken(int id, const std::string& content) {
  return {{"id", id},        {"content", content},  {"single_word", false}, {"lstrip", false},
          {"rstrip", false}, {"normalized", false}, {"special", true}};
}

// GPT-2's reversible map from bytes to printable code points (printable Latin-1 bytes stand for
// themselves; the others are shifted to 256 + n), as UTF-8 strings.
std::vector<std::string> ByteSymbols() {
  std::vector<std::string> out(256);
  int shifted = 0;
  for (int b = 0; b < 256; ++b) {
    bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    unsigned cp = printable ? static_cast<unsigned>(b) : 256u + static_cast<unsigned>(shifted++);
    std::string utf8;
    if (cp < 0x80) {
      utf8.push_back(static_cast<char>(cp));
    } else {
      utf8.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      utf8.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
    out[static_cast<size_t>(b)] = utf8;
  }
  return out;
}

}  // namespace

Json StarterWordPieceTokenizer() {
  std::vector<std::string> vocab = WordPieceVocab();
  Json ids = Json::object();
  for (size_t i = 0; i < vocab.size(); ++i) ids[vocab[i]] = i;
  Json added = Json::array();
  for (int i = 0; i < 5; ++i) added.push_back(SpecialToken(i, vocab[static_cast<size_t>(i)]));
  auto piece = [](const char* kind, const char* id, int type_id) {
    return Json{{kind, {{"id", id}, {"type_id", type_id}}}};
  };
  return {
      {"version", "1.0"},
      {"truncation", nullptr},
      {"padding", nullptr},
      {"added_tokens", added},
      {"normalizer",
       {{"type", "BertNormalizer"},
        {"clean_text", true},
        {"handle_chinese_chars", true},
        {"strip_accents", nullptr},
        {"lowercase", true}}},
      {"pre_tokenizer", {{"type", "BertPreTokenizer"}}},
      {"post_processor",
       {{"type", "TemplateProcessing"},
        {"single", {piece("SpecialToken", "[CLS]", 0), piece("Sequence", "A", 0), piece("SpecialToken", "[SEP]", 0)}},
        {"pair",
         {piece("SpecialToken", "[CLS]", 0), piece("Sequence", "A", 0), piece("SpecialToken", "[SEP]", 0),
          piece("Sequence", "B", 1), piece("SpecialToken", "[SEP]", 1)}},
        {"special_tokens",
         {{"[CLS]", {{"id", "[CLS]"}, {"ids", {2}}, {"tokens", {"[CLS]"}}}},
          {"[SEP]", {{"id", "[SEP]"}, {"ids", {3}}, {"tokens", {"[SEP]"}}}}}}}},
      {"decoder", {{"type", "WordPiece"}, {"prefix", "##"}, {"cleanup", true}}},
      {"model",
       {{"type", "WordPiece"},
        {"unk_token", "[UNK]"},
        {"continuing_subword_prefix", "##"},
        {"max_input_chars_per_word", 100},
        {"vocab", ids}}}};
}

Json StarterByteLevelTokenizer() {
  std::vector<std::string> symbols = ByteSymbols();
  Json vocab = Json::object();
  for (size_t i = 0; i < symbols.size(); ++i) vocab[symbols[i]] = i;
  vocab["<|endoftext|>"] = 256;
  return {{"version", "1.0"},
          {"truncation", nullptr},
          {"padding", nullptr},
          {"added_tokens", {SpecialToken(256, "<|endoftext|>")}},
          {"normalizer", nullptr},
          {"pre_tokenizer",
           {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}}},
          {"post_processor",
           {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", false}, {"use_regex", true}}},
          {"decoder", {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}}},
          {"model",
           {{"type", "BPE"},
            {"dropout", nullptr},
            {"unk_token", nullptr},
            {"continuing_subword_prefix", nullptr},
            {"end_of_word_suffix", nullptr},
            {"fuse_unk", false},
            {"byte_fallback", false},
            {"ignore_merges", false},
            {"vocab", vocab},
            {"merges", Json::array()}}}};
}

}  // namespace mhub::cli
