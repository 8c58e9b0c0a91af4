#include "tokenizers/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "tokenizers/fast_split_patterns.h"
#include "tokenizers/unicode.h"

namespace mhub::tokenizers {
namespace {

// Oniguruma's \s includes U+0085 (NEL); PCRE2's does not. Rewrites \s and \S accordingly.
std::string TranslateOnigPattern(std::string_view p) {
  std::string out;
  out.reserve(p.size() + 16);
  int class_depth = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      char n = p[i + 1];
      if (n == 's') {
        out += class_depth > 0 ? "\\s\\x{85}" : "[\\s\\x{85}]";
      } else if (n == 'S' && class_depth == 0) {
        out += "[^\\s\\x{85}]";
      } else {
        out += c;
        out += n;
      }
      ++i;
      continue;
    }
    if (c == '[') {
      ++class_depth;
      out += c;
      // A ']' right after '[' or '[^' is a literal.
      if (i + 1 < p.size() && p[i + 1] == '^') {
        out += '^';
        ++i;
      }
      if (i + 1 < p.size() && p[i + 1] == ']') {
        out += ']';
        ++i;
      }
      continue;
    }
    if (c == ']' && class_depth > 0) --class_depth;
    out += c;
  }
  return out;
}

struct MatchState {
  pcre2_match_data* data = nullptr;
  pcre2_match_context* context = nullptr;
  pcre2_jit_stack* stack = nullptr;
  MatchState() {
    data = pcre2_match_data_create(1, nullptr);
    context = pcre2_match_context_create(nullptr);
    stack = pcre2_jit_stack_create(32 * 1024, 16 * 1024 * 1024, nullptr);
    pcre2_jit_stack_assign(context, nullptr, stack);
  }
  ~MatchState() {
    pcre2_jit_stack_free(stack);
    pcre2_match_context_free(context);
    pcre2_match_data_free(data);
  }
};

MatchState& ThreadMatchState() {
  thread_local MatchState state;
  return state;
}

}  // namespace

Regex::~Regex() {
  if (code_ != nullptr) pcre2_code_free(static_cast<pcre2_code*>(code_));
}

Result<std::shared_ptr<const Regex>> Regex::Compile(std::string_view pattern, bool literal, bool allow_fast_path) {
  std::shared_ptr<Regex> re(new Regex());
  re->pattern_.assign(pattern);
  if (literal && !pattern.empty()) {
    re->literal_.assign(pattern);
    return std::shared_ptr<const Regex>(re);
  }
  std::string translated = literal ? std::string() : TranslateOnigPattern(pattern);
  int error = 0;
  PCRE2_SIZE error_offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()), translated.size(),
                                   PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK, &error, &error_offset, nullptr);
  if (code == nullptr) {
    PCRE2_UCHAR buffer[256];
    pcre2_get_error_message(error, buffer, sizeof(buffer));
    return Status::InvalidArgument("invalid regex '" + std::string(pattern) + "' at offset " +
                                   std::to_string(error_offset) + ": " + reinterpret_cast<const char*>(buffer));
  }
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // falls back to the interpreter when JIT is unavailable
  re->code_ = code;
  if (allow_fast_path) re->fast_ = FindFastSplitPattern(pattern);
  return std::shared_ptr<const Regex>(re);
}

Status Regex::FindAll(std::string_view text, std::vector<MatchRange>& out) const {
  if (fast_ != nullptr) {
    fast_(text, out);
    return Status::OK();
  }
  return FindAllPcre2(text, out);
}

Status Regex::FindAllPcre2(std::string_view text, std::vector<MatchRange>& out) const {
  if (!literal_.empty()) {
    size_t pos = 0;
    while ((pos = text.find(literal_, pos)) != std::string_view::npos) {
      out.push_back({static_cast<uint32_t>(pos), static_cast<uint32_t>(pos + literal_.size())});
      pos += literal_.size();
    }
    return Status::OK();
  }
  MatchState& st = ThreadMatchState();
  auto* code = static_cast<pcre2_code*>(code_);
  size_t last_end = 0;
  bool have_last_match = false;
  size_t last_match_end = 0;
  while (last_end <= text.size()) {
    int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), last_end, PCRE2_NO_UTF_CHECK,
                         st.data, st.context);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0 && rc != 0) {
      PCRE2_UCHAR buffer[256];
      pcre2_get_error_message(rc, buffer, sizeof(buffer));
      return Status::ResourceExhausted("regex '" + pattern_ + "' failed: " + reinterpret_cast<const char*>(buffer));
    }
    PCRE2_SIZE* ov = pcre2_get_ovector_pointer(st.data);
    size_t s = ov[0];
    size_t e = ov[1];
    if (e == s && have_last_match && last_match_end == e) {
      // Never an empty match right after the previous match (onig FindMatches).
      if (last_end >= text.size()) break;
      last_end += unicode::CharLen(static_cast<unsigned char>(text[last_end]));
      continue;
    }
    last_end = e;
    have_last_match = true;
    last_match_end = e;
    out.push_back({static_cast<uint32_t>(s), static_cast<uint32_t>(e)});
    if (e == text.size() && s == e) break;
  }
  return Status::OK();
}

}  // namespace mhub::tokenizers
