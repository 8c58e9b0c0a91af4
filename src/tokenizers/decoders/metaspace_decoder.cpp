// Metaspace decoder (tokenizers/src/pre_tokenizers/metaspace.rs, impl Decoder): the replacement char
// becomes a space, except in the first token where it is dropped unless prepend_scheme is "never".
#include "tokenizers/decoders/decoder_types.h"

namespace mhub::tokenizers::decoders {

Json MetaspaceDecoder::ToJson() const {
  return Json{{"type", "Metaspace"},
              {"replacement", replacement_},
              {"prepend_scheme", PrependSchemeName(scheme_)},
              {"split", split_}};
}

Result<std::vector<std::string>> MetaspaceDecoder::DecodeChain(std::vector<std::string> tokens) const {
  for (size_t i = 0; i < tokens.size(); ++i) {
    const bool drop = i == 0 && scheme_ != PrependScheme::kNever;
    tokens[i] = ReplaceAll(tokens[i], replacement_, drop ? "" : " ");
  }
  return tokens;
}

}  // namespace mhub::tokenizers::decoders
