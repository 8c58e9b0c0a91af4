// Fuzzes tokenizer training on arbitrary text: byte 0 picks the trainer and pipeline, byte 1 the
// vocab_size, the rest is the corpus (lines). Training must end with a Status (invalid UTF-8,
// empty corpus, vocab too small) or a tokenizer whose tokenizer.json reloads and which encodes
// its own corpus; never a crash or a stall (libFuzzer's -timeout).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "mhub/tokenizers/tokenizer.h"
#include "mhub/tokenizers/trainers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mhub::tokenizers;
  if (size < 2 || size > 4096) return 0;
  const int kind = data[0] & 3;
  const bool byte_level = data[0] & 4;
  const size_t vocab_size = 1 + data[1] * 2;
  std::string_view corpus(reinterpret_cast<const char*>(data + 2), size - 2);
  static const char* kModels[] = {
      R"({"type":"BPE","vocab":{},"merges":[]})",
      R"({"type":"WordPiece","unk_token":"[UNK]","continuing_subword_prefix":"##","max_input_chars_per_word":100,"vocab":{}})",
      R"({"type":"WordLevel","unk_token":"<unk>","vocab":{}})",
      R"({"type":"Unigram","unk_id":null,"vocab":[]})",
  };
  std::string json =
      std::string(R"({"version":"1.0","pre_tokenizer":)") +
      (byte_level ? R"({"type":"ByteLevel","add_prefix_space":true,"trim_offsets":true,"use_regex":true})"
                  : R"({"type":"Whitespace"})") +
      R"(,"model":)" + kModels[kind] + "}";
  auto tok = Tokenizer::FromJson(json);
  if (!tok.ok()) std::abort();
  std::unique_ptr<Trainer> trainer;
  if (kind == 0 || kind == 1) {
    auto t = kind == 0 ? std::make_unique<BpeTrainer>() : std::make_unique<WordPieceTrainer>();
    t->vocab_size = vocab_size;
    t->special_tokens = {"<unk>"};
    t->max_token_length = data[0] & 8 ? std::optional<size_t>(3) : std::nullopt;
    if (data[0] & 16) t->end_of_word_suffix = "</w>";
    trainer = std::move(t);
  } else if (kind == 2) {
    auto t = std::make_unique<WordLevelTrainer>();
    t->vocab_size = vocab_size;
    t->special_tokens = {"<unk>"};
    trainer = std::move(t);
  } else {
    auto t = std::make_unique<UnigramTrainer>();
    t->vocab_size = vocab_size;
    t->unk_token = "<unk>";
    t->max_piece_length = 1 + (data[0] >> 4);
    trainer = std::move(t);
  }
  size_t pos = 0;
  mhub::Status s = tok->TrainFromIterator(
      [&](std::string& line) {
        if (pos >= corpus.size()) return false;
        size_t nl = corpus.find('\n', pos);
        size_t end = nl == std::string_view::npos ? corpus.size() : nl + 1;
        line.assign(corpus.substr(pos, end - pos));
        pos = end;
        return true;
      },
      *trainer, 1);
  if (!s.ok()) return 0;
  auto again = Tokenizer::FromJson(tok->ToJsonString());
  if (!again.ok()) std::abort();
  (void)tok->Encode(corpus);
  return 0;
}
