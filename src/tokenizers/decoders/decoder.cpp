// Decoder::FromJson: dispatch on "type" and read each decoder's fields with the same required/optional
// rules as the Rust crate's serde derives (probed against tokenizers@0.23.2: unknown extra fields are
// ignored, missing required fields are errors).
#include "mhub/tokenizers/decoder.h"

#include <string>

#include "tokenizers/decoders/decoder_types.h"

namespace mhub::tokenizers {

Decoder::~Decoder() = default;

Result<std::string> Decoder::Decode(std::vector<std::string> tokens) const {
  MHUB_ASSIGN_OR_RETURN(std::vector<std::string> pieces, DecodeChain(std::move(tokens)));
  std::string out;
  for (const std::string& p : pieces) out += p;
  return out;
}

namespace {

using namespace decoders;

std::string Field(std::string_view path, std::string_view key) { return std::string(path) + "." + std::string(key); }

// A JSON string holding exactly one Unicode scalar value (Rust `char`).
Result<std::string> JsonChar(const Json& j, std::string_view key, std::string_view path) {
  MHUB_ASSIGN_OR_RETURN(std::string s, JsonString(j, key, path));
  if (s.empty() || !IsValidUtf8(s) || Utf8SeqLen(static_cast<unsigned char>(s[0])) != s.size()) {
    return Status::InvalidArgument(Field(path, key) + ": expected a single character, got '" + s + "'");
  }
  return s;
}

// A non-negative JSON integer (Rust `usize`).
Result<size_t> JsonCount(const Json& j, std::string_view key, std::string_view path) {
  MHUB_ASSIGN_OR_RETURN(int64_t v, JsonInt(j, key, path));
  if (v < 0) return Status::InvalidArgument(Field(path, key) + ": expected a non-negative integer");
  return static_cast<size_t>(v);
}

Result<std::unique_ptr<Decoder>> MetaspaceFromJson(const Json& j, std::string_view path) {
  MHUB_ASSIGN_OR_RETURN(std::string replacement, JsonChar(j, "replacement", path));
  PrependScheme scheme = PrependScheme::kAlways;
  bool has_scheme = false;
  if (j.contains("prepend_scheme") && !j["prepend_scheme"].is_null()) {
    MHUB_ASSIGN_OR_RETURN(std::string s, JsonString(j, "prepend_scheme", path));
    const std::optional<PrependScheme> named = PrependSchemeFromName(s);
    if (!named) {
      return Status::InvalidArgument(Field(path, "prepend_scheme") + ": unknown prepend_scheme '" + s +
                                     "' (expected first, never or always)");
    }
    scheme = *named;
    has_scheme = true;
  }
  // Legacy field: add_prefix_space=false is only accepted together with prepend_scheme "never".
  MHUB_ASSIGN_OR_RETURN(bool add_prefix_space, JsonBoolOr(j, "add_prefix_space", path, true));
  if (!add_prefix_space && !(has_scheme && scheme == PrependScheme::kNever)) {
    return Status::InvalidArgument(path.empty() ? "add_prefix_space does not match declared prepend_scheme"
                                                : std::string(path) +
                                                      ": add_prefix_space does not match declared prepend_scheme");
  }
  MHUB_ASSIGN_OR_RETURN(bool split, JsonBoolOr(j, "split", path, true));
  return std::unique_ptr<Decoder>(new MetaspaceDecoder(std::move(replacement), scheme, split));
}

Result<std::unique_ptr<Decoder>> ReplaceFromJson(const Json& j, std::string_view path) {
  const std::string pattern_path = Field(path, "pattern");
  if (!j.contains("pattern") || !j["pattern"].is_object() || j["pattern"].size() != 1) {
    return Status::InvalidArgument(pattern_path + ": expected {\"String\": ...} or {\"Regex\": ...}");
  }
  const Json& p = j["pattern"];
  bool is_regex = p.contains("Regex");
  if (!is_regex && !p.contains("String")) {
    return Status::InvalidArgument(pattern_path + ": unknown variant '" + p.begin().key() +
                                   "', expected String or Regex");
  }
  MHUB_ASSIGN_OR_RETURN(std::string pattern, JsonString(p, is_regex ? "Regex" : "String", pattern_path));
  MHUB_ASSIGN_OR_RETURN(std::string content, JsonString(j, "content", path));
  MHUB_ASSIGN_OR_RETURN(auto dec, ReplaceDecoder::Create(std::move(pattern), is_regex, std::move(content)));
  if (!dec) return Status::Internal(pattern_path + ": no decoder");
  return std::unique_ptr<Decoder>(std::move(dec));
}

Result<std::unique_ptr<Decoder>> SequenceFromJson(const Json& j, std::string_view path) {
  const std::string list_path = Field(path, "decoders");
  if (!j.contains("decoders")) return Status::InvalidArgument(list_path + ": missing required array");
  if (!j["decoders"].is_array()) {
    return Status::InvalidArgument(list_path + ": expected array, got " + JsonTypeName(j["decoders"]));
  }
  std::vector<std::unique_ptr<Decoder>> parts;
  for (size_t i = 0; i < j["decoders"].size(); ++i) {
    MHUB_ASSIGN_OR_RETURN(auto d, Decoder::FromJson(j["decoders"][i], list_path + "[" + std::to_string(i) + "]"));
    parts.push_back(std::move(d));
  }
  return std::unique_ptr<Decoder>(new SequenceDecoder(std::move(parts)));
}

}  // namespace

Result<std::unique_ptr<Decoder>> Decoder::FromJson(const Json& j, std::string_view path) {
  if (!j.is_object()) {
    return Status::InvalidArgument(std::string(path) + ": expected a decoder object, got " + JsonTypeName(j));
  }
  if (!j.contains("type")) return Status::InvalidArgument(Field(path, "type") + ": missing decoder type");
  if (!j["type"].is_string()) {
    return Status::InvalidArgument(Field(path, "type") + ": expected string, got " + JsonTypeName(j["type"]));
  }
  const std::string type = j["type"].get<std::string>();
  if (type == "ByteLevel") {
    MHUB_ASSIGN_OR_RETURN(bool add_prefix_space, JsonBool(j, "add_prefix_space", path));
    MHUB_ASSIGN_OR_RETURN(bool trim_offsets, JsonBool(j, "trim_offsets", path));
    MHUB_ASSIGN_OR_RETURN(bool use_regex, JsonBoolOr(j, "use_regex", path, true));
    return std::unique_ptr<Decoder>(new ByteLevelDecoder(add_prefix_space, trim_offsets, use_regex));
  }
  if (type == "WordPiece") {
    MHUB_ASSIGN_OR_RETURN(std::string prefix, JsonString(j, "prefix", path));
    MHUB_ASSIGN_OR_RETURN(bool cleanup, JsonBool(j, "cleanup", path));
    return std::unique_ptr<Decoder>(new WordPieceDecoder(std::move(prefix), cleanup));
  }
  if (type == "Metaspace") return MetaspaceFromJson(j, path);
  if (type == "BPEDecoder") {
    MHUB_ASSIGN_OR_RETURN(std::string suffix, JsonString(j, "suffix", path));
    return std::unique_ptr<Decoder>(new BpeDecoder(std::move(suffix)));
  }
  if (type == "ByteFallback") return std::unique_ptr<Decoder>(new ByteFallbackDecoder());
  if (type == "Fuse") return std::unique_ptr<Decoder>(new FuseDecoder());
  if (type == "Strip") {
    MHUB_ASSIGN_OR_RETURN(std::string content, JsonChar(j, "content", path));
    MHUB_ASSIGN_OR_RETURN(size_t start, JsonCount(j, "start", path));
    MHUB_ASSIGN_OR_RETURN(size_t stop, JsonCount(j, "stop", path));
    return std::unique_ptr<Decoder>(new StripDecoder(std::move(content), start, stop));
  }
  if (type == "Replace") return ReplaceFromJson(j, path);
  if (type == "CTC") {
    MHUB_ASSIGN_OR_RETURN(std::string pad, JsonString(j, "pad_token", path));
    MHUB_ASSIGN_OR_RETURN(std::string delim, JsonString(j, "word_delimiter_token", path));
    MHUB_ASSIGN_OR_RETURN(bool cleanup, JsonBool(j, "cleanup", path));
    return std::unique_ptr<Decoder>(new CtcDecoder(std::move(pad), std::move(delim), cleanup));
  }
  if (type == "Sequence") return SequenceFromJson(j, path);
  return Status::InvalidArgument(Field(path, "type") + ": unknown decoder '" + type + "'");
}

}  // namespace mhub::tokenizers
