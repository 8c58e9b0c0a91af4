// BertNormalizer (HF normalizers/bert.rs): clean text, pad CJK chars with spaces, strip accents
// (NFD then drop Mn), lowercase — in that order.
#include "tokenizers/normalizers/normalizer.h"

namespace mhub::tokenizers {
namespace {

class BertNormalizer final : public Normalizer {
 public:
  BertNormalizer(bool clean_text, bool handle_chinese_chars, std::optional<bool> strip_accents, bool lowercase)
      : clean_text_(clean_text),
        handle_chinese_chars_(handle_chinese_chars),
        strip_accents_(strip_accents),
        lowercase_(lowercase) {}

  Status Normalize(NormalizedString& s) const override {
    if (clean_text_) CleanText(s);
    if (handle_chinese_chars_) PadChineseChars(s);
    if (strip_accents_.value_or(lowercase_)) {
      NormalizeUnicode(s, UnicodeForm::kNFD);
      FilterString(s, [](char32_t c) { return unicode::IsMarkNonspacing(c); });
    }
    if (lowercase_) LowercaseString(s);
    return Status::OK();
  }

  Json ToJson() const override {
    Json j{{"type", "BertNormalizer"},
           {"clean_text", clean_text_},
           {"handle_chinese_chars", handle_chinese_chars_},
           {"strip_accents", nullptr},
           {"lowercase", lowercase_}};
    if (strip_accents_) j["strip_accents"] = *strip_accents_;
    return j;
  }

 private:
  static bool IsBertControl(char32_t c) {
    if (c == '\t' || c == '\n' || c == '\r') return false;
    return unicode::IsOther(c);
  }

  static void CleanText(NormalizedString& s) {
    bool plain = true;  // printable ASCII and spaces only: nothing changes
    for (char ch : s.text) {
      unsigned char b = static_cast<unsigned char>(ch);
      if (b < 0x20 || b >= 0x7F) {
        plain = false;
        break;
      }
    }
    if (plain) return;
    std::string_view t = s.text;
    NormalizedRewrite rewrite(s, s.text.size());
    Rewriter& rw = rewrite.rw();
    size_t i = 0;
    while (i < t.size()) {
      unsigned char b = static_cast<unsigned char>(t[i]);
      if (b >= 0x21 && b < 0x7F) {  // printable ASCII: kept as is
        size_t j = i + 1;
        while (j < t.size() && static_cast<unsigned char>(t[j]) >= 0x21 && static_cast<unsigned char>(t[j]) < 0x7F) ++j;
        rw.Copy(j - i);
        i = j;
        continue;
      }
      size_t start = i;
      char32_t c = unicode::NextChar(t, i);
      if (c == 0 || c == 0xFFFD || IsBertControl(c)) {
        rw.Skip(i - start);
      } else if (c == ' ') {
        rw.Copy(1);
      } else if (c == '\t' || c == '\n' || c == '\r' || unicode::IsWhitespace(c)) {
        rw.Replace(' ', i - start);
      } else {
        rw.Copy(i - start);
      }
    }
    rewrite.Finish();
  }

  static void PadChineseChars(NormalizedString& s) {
    std::string_view t = s.text;
    bool any = false;
    for (size_t i = 0; i < t.size();) {
      if (static_cast<unsigned char>(t[i]) < 0xE3) {
        i += unicode::CharLen(static_cast<unsigned char>(t[i]));
        continue;
      }
      if (unicode::IsChineseChar(unicode::NextChar(t, i))) {
        any = true;
        break;
      }
    }
    if (!any) return;
    NormalizedRewrite rewrite(s);
    Rewriter& rw = rewrite.rw();
    size_t i = 0;
    while (i < t.size()) {
      size_t start = i;
      char32_t c = unicode::NextChar(t, i);
      if (unicode::IsChineseChar(c)) {
        rw.Replace(' ', i - start);
        rw.Insert(c);
        rw.Insert(' ');
      } else {
        rw.Copy(i - start);
      }
    }
    rewrite.Finish();
  }

  bool clean_text_;
  bool handle_chinese_chars_;
  std::optional<bool> strip_accents_;
  bool lowercase_;
};

}  // namespace

Result<std::unique_ptr<Normalizer>> MakeBertNormalizer(const Json& j, std::string_view path) {
  MHUB_ASSIGN_OR_RETURN(bool clean_text, JsonBool(j, "clean_text", path));
  MHUB_ASSIGN_OR_RETURN(bool chinese, JsonBool(j, "handle_chinese_chars", path));
  MHUB_ASSIGN_OR_RETURN(bool lowercase, JsonBool(j, "lowercase", path));
  std::optional<bool> strip;
  if (j.contains("strip_accents") && !j["strip_accents"].is_null()) {
    MHUB_ASSIGN_OR_RETURN(bool v, JsonBool(j, "strip_accents", path));
    strip = v;
  }
  return std::unique_ptr<Normalizer>(new BertNormalizer(clean_text, chinese, strip, lowercase));
}

}  // namespace mhub::tokenizers
