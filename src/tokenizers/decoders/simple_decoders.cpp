// The small decoders: BPEDecoder (bpe.rs), Fuse (fuse.rs), Strip (strip.rs), Sequence (sequence.rs).
#include "tokenizers/decoders/decoder_types.h"

namespace mhub::tokenizers::decoders {

Json BpeDecoder::ToJson() const { return Json{{"type", "BPEDecoder"}, {"suffix", suffix_}}; }

Result<std::vector<std::string>> BpeDecoder::DecodeChain(std::vector<std::string> tokens) const {
  for (size_t i = 0; i < tokens.size(); ++i) {
    tokens[i] = ReplaceAll(tokens[i], suffix_, i + 1 == tokens.size() ? "" : " ");
  }
  return tokens;
}

Json FuseDecoder::ToJson() const { return Json{{"type", "Fuse"}}; }

Result<std::vector<std::string>> FuseDecoder::DecodeChain(std::vector<std::string> tokens) const {
  std::string all;
  for (const std::string& t : tokens) all += t;
  return std::vector<std::string>{std::move(all)};
}

Json StripDecoder::ToJson() const {
  return Json{{"type", "Strip"}, {"content", content_}, {"start", start_}, {"stop", stop_}};
}

Result<std::vector<std::string>> StripDecoder::DecodeChain(std::vector<std::string> tokens) const {
  const size_t w = content_.size();  // content is one char; compare its UTF-8 bytes
  for (std::string& token : tokens) {
    size_t begin = 0;
    for (size_t n = 0; n < start_ && begin + w <= token.size() && token.compare(begin, w, content_) == 0; ++n) {
      begin += w;
    }
    size_t end = token.size();
    for (size_t n = 0; n < stop_ && end >= begin + w && token.compare(end - w, w, content_) == 0; ++n) end -= w;
    token = token.substr(begin, end - begin);
  }
  return tokens;
}

Json SequenceDecoder::ToJson() const {
  Json list = Json::array();
  for (const auto& d : decoders_) list.push_back(d->ToJson());
  return Json{{"type", "Sequence"}, {"decoders", std::move(list)}};
}

Result<std::vector<std::string>> SequenceDecoder::DecodeChain(std::vector<std::string> tokens) const {
  for (const auto& d : decoders_) {
    MHUB_ASSIGN_OR_RETURN(tokens, d->DecodeChain(std::move(tokens)));
  }
  return tokens;
}

}  // namespace mhub::tokenizers::decoders
