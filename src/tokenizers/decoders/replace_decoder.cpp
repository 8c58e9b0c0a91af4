// Replace decoder (tokenizers/src/decoders/replace.rs → normalizers/replace.rs): every match of the
// pattern in each token is replaced by `content`. A String pattern is a literal; a Regex pattern is
// compiled with PCRE2 (UTF + Unicode properties) standing in for Oniguruma. Match iteration follows
// the Rust crate: leftmost matches, an empty match right after the previous match is skipped.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "tokenizers/decoders/decoder_types.h"

namespace mhub::tokenizers::decoders {

struct ReplaceDecoder::Regex {
  pcre2_code* code = nullptr;
  ~Regex() {
    if (code) pcre2_code_free(code);
  }
};

ReplaceDecoder::ReplaceDecoder(std::string pattern, bool is_regex, std::string content, std::unique_ptr<Regex> regex)
    : pattern_(std::move(pattern)), is_regex_(is_regex), content_(std::move(content)), regex_(std::move(regex)) {}

ReplaceDecoder::~ReplaceDecoder() = default;

Result<std::unique_ptr<ReplaceDecoder>> ReplaceDecoder::Create(std::string pattern, bool is_regex,
                                                               std::string content) {
  std::unique_ptr<Regex> regex;
  if (is_regex) {
    regex = std::make_unique<Regex>();
    int err = 0;
    PCRE2_SIZE err_offset = 0;
    regex->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), PCRE2_UTF | PCRE2_UCP,
                                &err, &err_offset, nullptr);
    if (!regex->code) {
      PCRE2_UCHAR msg[256];
      pcre2_get_error_message(err, msg, sizeof(msg));
      return Status::InvalidArgument("invalid Replace regex '" + pattern + "' at offset " + std::to_string(err_offset) +
                                     ": " + reinterpret_cast<const char*>(msg));
    }
    pcre2_jit_compile(regex->code, PCRE2_JIT_COMPLETE);  // optional speed-up; falls back to the interpreter
  }
  return std::unique_ptr<ReplaceDecoder>(
      new ReplaceDecoder(std::move(pattern), is_regex, std::move(content), std::move(regex)));
}

Json ReplaceDecoder::ToJson() const {
  return Json{
      {"type", "Replace"}, {"pattern", Json{{is_regex_ ? "Regex" : "String", pattern_}}}, {"content", content_}};
}

Result<std::vector<std::string>> ReplaceDecoder::DecodeChain(std::vector<std::string> tokens) const {
  if (!regex_) {
    // An empty literal matches at every char boundary of a non-empty token (Rust regex semantics).
    for (std::string& t : tokens) {
      if (!t.empty()) t = ReplaceAll(t, pattern_, content_);
    }
    return tokens;
  }
  pcre2_match_data* md = pcre2_match_data_create_from_pattern(regex_->code, nullptr);
  if (!md) return Status::ResourceExhausted("Replace decoder: out of memory");
  for (std::string& t : tokens) {
    if (t.empty()) continue;  // Rust: an empty input yields one non-match piece
    if (!IsValidUtf8(t)) {    // Rust tokens are Strings, always valid UTF-8
      pcre2_match_data_free(md);
      return Status::InvalidArgument("Replace decoder: token is not valid UTF-8");
    }
    std::string out;
    size_t pos = 0, copied = 0;
    size_t last_match_end = std::string::npos;
    while (pos <= t.size()) {
      int rc = pcre2_match(regex_->code, reinterpret_cast<PCRE2_SPTR>(t.data()), t.size(), pos, 0, md, nullptr);
      if (rc == PCRE2_ERROR_NOMATCH) break;
      if (rc < 0) {
        pcre2_match_data_free(md);
        return Status::InvalidArgument("Replace decoder: regex match failed (code " + std::to_string(rc) + ")");
      }
      PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
      size_t start = ov[0], end = ov[1];
      if (start == end && start == last_match_end) {
        // Empty match touching the previous match: skip one char and search again.
        if (start >= t.size()) break;
        pos = start + Utf8SeqLen(static_cast<unsigned char>(t[start]));
        continue;
      }
      out.append(t, copied, start - copied);
      out += content_;
      copied = end;
      last_match_end = end;
      if (start == end) {
        if (end >= t.size()) break;
        pos = end + Utf8SeqLen(static_cast<unsigned char>(t[end]));
      } else {
        pos = end;
      }
    }
    out.append(t, copied, std::string::npos);
    t = std::move(out);
  }
  pcre2_match_data_free(md);
  return tokens;
}

}  // namespace mhub::tokenizers::decoders
