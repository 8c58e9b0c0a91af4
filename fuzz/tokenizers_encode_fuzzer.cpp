// Fuzzes encoding arbitrary bytes with small in-code tokenizers covering every model type and
// the byte-level, Metaspace, BERT and Split pipelines: invalid UTF-8 must give InvalidArgument,
// anything else an Encoding whose fields line up; never a crash, and no input stalls it (libFuzzer's
// -timeout, set by scripts/run-fuzzers).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "mhub/tokenizers/tokenizer.h"

namespace {

const char* kTokenizers[] = {
    // Byte-level BPE with the Llama-3 split, an added special and an lstrip/rstrip token.
    R"({"version":"1.0","added_tokens":[
      {"id":9,"content":"<|x|>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},
      {"id":10,"content":"hi","single_word":true,"lstrip":true,"rstrip":true,"normalized":true,"special":false}],
     "normalizer":{"type":"NFC"},
     "pre_tokenizer":{"type":"Sequence","pretokenizers":[{"type":"Split","pattern":{"Regex":"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"},"behavior":"Isolated","invert":false},{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":false}]},
     "post_processor":{"type":"ByteLevel","add_prefix_space":true,"trim_offsets":true,"use_regex":true},
     "decoder":null,
     "model":{"type":"BPE","dropout":null,"unk_token":null,"continuing_subword_prefix":null,"end_of_word_suffix":null,
              "fuse_unk":false,"byte_fallback":false,"ignore_merges":true,
              "vocab":{"a":0,"b":1,"ab":2,"Ġ":3,"Ġa":4,"c":5,"abc":6,"Ċ":7,"1":8},
              "merges":["a b","Ġ a",["ab","c"]]}})",
    // SentencePiece-style BPE with byte fallback, unk fusing and a template.
    R"({"version":"1.0","added_tokens":[
      {"id":0,"content":"<unk>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},
      {"id":1,"content":"<s>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true}],
     "normalizer":{"type":"Sequence","normalizers":[{"type":"Prepend","prepend":"▁"},{"type":"Replace","pattern":{"String":" "},"content":"▁"}]},
     "pre_tokenizer":null,
     "post_processor":{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"<s>","type_id":0}},{"Sequence":{"id":"A","type_id":0}}],
       "pair":[{"SpecialToken":{"id":"<s>","type_id":0}},{"Sequence":{"id":"A","type_id":0}},{"Sequence":{"id":"B","type_id":1}}],
       "special_tokens":{"<s>":{"id":"<s>","ids":[1],"tokens":["<s>"]}}},
     "decoder":null,
     "model":{"type":"BPE","dropout":null,"unk_token":"<unk>","continuing_subword_prefix":null,"end_of_word_suffix":null,
              "fuse_unk":true,"byte_fallback":true,
              "vocab":{"<unk>":0,"<s>":1,"<0x41>":2,"<0xC3>":3,"<0xA9>":4,"▁":5,"a":6,"▁a":7},"merges":["▁ a"]}})",
    // BERT WordPiece.
    R"({"version":"1.0","added_tokens":[],
     "normalizer":{"type":"BertNormalizer","clean_text":true,"handle_chinese_chars":true,"strip_accents":null,"lowercase":true},
     "pre_tokenizer":{"type":"BertPreTokenizer"},
     "post_processor":{"type":"BertProcessing","sep":["[SEP]",3],"cls":["[CLS]",2]},
     "decoder":null,
     "model":{"type":"WordPiece","unk_token":"[UNK]","continuing_subword_prefix":"##","max_input_chars_per_word":10,
              "vocab":{"[PAD]":0,"[UNK]":1,"[CLS]":2,"[SEP]":3,"a":4,"##b":5,"中":6,"!":7}}})",
    // Unigram with Metaspace, plus a WordLevel with Whitespace/Digits/Punctuation.
    R"({"version":"1.0","added_tokens":[],
     "normalizer":{"type":"Sequence","normalizers":[{"type":"NFKD"},{"type":"StripAccents"},{"type":"Lowercase"},{"type":"Strip","strip_left":true,"strip_right":true}]},
     "pre_tokenizer":{"type":"Metaspace","replacement":"▁","prepend_scheme":"first","split":true},
     "post_processor":null,"decoder":null,
     "model":{"type":"Unigram","unk_id":0,"byte_fallback":true,
              "vocab":[["<unk>",0.0],["▁",-1.0],["a",-2.0],["▁a",-1.5],["<0x41>",-5.0],["b",-3.0]]}})",
    R"({"version":"1.0","added_tokens":[],"normalizer":null,
     "pre_tokenizer":{"type":"Sequence","pretokenizers":[{"type":"Whitespace"},{"type":"Digits","individual_digits":true},{"type":"Punctuation","behavior":"Contiguous"},{"type":"UnicodeScripts"},{"type":"Split","pattern":{"String":"a"},"behavior":"MergedWithNext","invert":true}]},
     "post_processor":null,"decoder":null,
     "model":{"type":"WordLevel","unk_token":"<unk>","vocab":{"<unk>":0,"a":1,"1":2}}})",
};

std::vector<mhub::tokenizers::Tokenizer>& Tokenizers() {
  static std::vector<mhub::tokenizers::Tokenizer> toks = [] {
    std::vector<mhub::tokenizers::Tokenizer> v;
    for (const char* json : kTokenizers) {
      auto t = mhub::tokenizers::Tokenizer::FromJson(json);
      if (!t.ok()) std::abort();  // the fixtures themselves must load
      v.push_back(std::move(t).value());
    }
    return v;
  }();
  return toks;
}

// `bounded`: a truncated pair may also be refused as too large (ResourceExhausted: both sides
// overflow, and every part of one would be paired with every part of the other).
void Check(const mhub::Result<mhub::tokenizers::Encoding>& r, bool bounded = false) {
  if (!r.ok()) {
    const auto code = r.status().code();
    if (code != mhub::StatusCode::kInvalidArgument && !(bounded && code == mhub::StatusCode::kResourceExhausted))
      std::abort();
    return;
  }
  const auto& e = *r;
  size_t n = e.ids.size();
  if (e.tokens.size() != n || e.offsets.size() != n || e.word_ids.size() != n || e.type_ids.size() != n ||
      e.attention_mask.size() != n || e.special_tokens_mask.size() != n)
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  for (auto& tok : Tokenizers()) {
    Check(tok.Encode(text, true));
    size_t half = size / 2;
    Check(tok.EncodePair(text.substr(0, half), text.substr(half), true));
    mhub::tokenizers::TruncationParams t;
    t.max_length = 7;
    t.stride = 1;
    if (tok.SetTruncation(t).ok()) {
      Check(tok.EncodePair(text.substr(0, half), text.substr(half), false), true);
      (void)tok.SetTruncation(std::nullopt);
    }
    auto enc = tok.Encode(text, false);
    if (enc.ok()) (void)tok.Decode(enc->ids, true);
  }
  return 0;
}
