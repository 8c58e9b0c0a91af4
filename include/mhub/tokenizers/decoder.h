// Decoders: the `decoder` section of tokenizer.json. A decoder turns the token strings of an
// encoding back into text, exactly as the Rust `tokenizers` crate (decoders/*.rs) does:
// DecodeChain maps the token list to a new list, Decode concatenates that list.
//
// Supported types: ByteLevel, WordPiece, Metaspace, BPEDecoder, ByteFallback, Fuse, Strip,
// Replace, CTC, Sequence. Decoders are immutable after construction and safe to share between
// threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/result.h"

namespace mhub::tokenizers {

class Decoder {
 public:
  virtual ~Decoder();

  // Builds a decoder from its JSON object (dispatched on "type"). `path` names the object in
  // messages, e.g. "decoder" or "decoder.decoders[1]". Unknown types, missing required fields
  // and wrong field types give InvalidArgument naming the path
  // ("decoder.decoders[1].type: unknown decoder 'Foo'").
  static Result<std::unique_ptr<Decoder>> FromJson(const Json& j, std::string_view path);

  // The JSON object this decoder serialises to (the same fields and names as the Rust crate).
  virtual Json ToJson() const = 0;

  // One decoding step over all tokens; the result is concatenated by Decode. Fails only where the
  // Rust crate fails (e.g. never for well-formed decoders); the error says why.
  virtual Result<std::vector<std::string>> DecodeChain(std::vector<std::string> tokens) const = 0;

  // DecodeChain, then concatenate the pieces.
  Result<std::string> Decode(std::vector<std::string> tokens) const;
};

}  // namespace mhub::tokenizers
