// The small normalizers (Unicode forms, Lowercase, Strip, StripAccents, Nmt, Replace, Prepend,
// ByteLevel, Sequence) and the JSON dispatch for all normalizers.
#include <string>
#include <vector>

#include "tokenizers/normalizers/normalizer.h"
#include "tokenizers/regex.h"

namespace mhub::tokenizers {
namespace {

class UnicodeNormalizer final : public Normalizer {
 public:
  explicit UnicodeNormalizer(UnicodeForm form) : form_(form) {}
  Status Normalize(NormalizedString& s) const override {
    NormalizeUnicode(s, form_);
    return Status::OK();
  }
  Json ToJson() const override {
    static const char* kNames[] = {"NFC", "NFD", "NFKC", "NFKD"};
    return Json{{"type", kNames[static_cast<int>(form_)]}};
  }

 private:
  UnicodeForm form_;
};

class LowercaseNormalizer final : public Normalizer {
 public:
  Status Normalize(NormalizedString& s) const override {
    LowercaseString(s);
    return Status::OK();
  }
  Json ToJson() const override { return Json{{"type", "Lowercase"}}; }
};

class StripAccentsNormalizer final : public Normalizer {
 public:
  Status Normalize(NormalizedString& s) const override {
    FilterString(s, [](char32_t c) { return unicode::IsCombiningMark(c); });
    return Status::OK();
  }
  Json ToJson() const override { return Json{{"type", "StripAccents"}}; }
};

class NmtNormalizer final : public Normalizer {
 public:
  Status Normalize(NormalizedString& s) const override {
    FilterString(s, [](char32_t c) {
      return (c >= 0x0001 && c <= 0x0008) || c == 0x000B || (c >= 0x000E && c <= 0x001F) || c == 0x007F ||
             c == 0x008F || c == 0x009F;
    });
    std::string_view t = s.text;
    NormalizedRewrite rewrite(s);
    Rewriter& rw = rewrite.rw();
    size_t i = 0;
    while (i < t.size()) {
      size_t start = i;
      char32_t c = unicode::NextChar(t, i);
      bool space = c == 0x0009 || c == 0x000A || c == 0x000C || c == 0x000D || c == 0x1680 ||
                   (c >= 0x200B && c <= 0x200F) || c == 0x2028 || c == 0x2029 || c == 0x2581 || c == 0xFEFF ||
                   c == 0xFFFD;
      if (space) {
        rw.Replace(' ', i - start);
      } else {
        rw.Copy(i - start);
      }
    }
    rewrite.Finish();
    return Status::OK();
  }
  Json ToJson() const override { return Json{{"type", "Nmt"}}; }
};

class StripNormalizer final : public Normalizer {
 public:
  StripNormalizer(bool left, bool right) : left_(left), right_(right) {}
  Status Normalize(NormalizedString& s) const override {
    // HF lrstrip, quirk included (compares a char index with the byte length).
    std::string_view t = s.text;
    std::vector<char32_t> chars;
    for (size_t i = 0; i < t.size();) chars.push_back(unicode::NextChar(t, i));
    size_t leading = 0;
    if (left_) {
      while (leading < chars.size() && unicode::IsWhitespace(chars[leading])) ++leading;
    }
    size_t trailing = 0;
    if (right_) {
      while (trailing < chars.size() && unicode::IsWhitespace(chars[chars.size() - 1 - trailing])) ++trailing;
    }
    if (leading == 0 && trailing == 0) return Status::OK();
    const size_t count = chars.size();
    std::vector<std::pair<char32_t, int>> changes;
    for (size_t i = 0; i < count; ++i) {
      if (i < leading || i >= count - trailing) continue;
      if (i == t.size() - trailing) {
        changes.emplace_back(chars[i], -static_cast<int>(trailing));
      } else {
        changes.emplace_back(chars[i], 0);
      }
    }
    s.Transform(0, s.text.size(), changes, leading);
    return Status::OK();
  }
  Json ToJson() const override { return Json{{"type", "Strip"}, {"strip_left", left_}, {"strip_right", right_}}; }

 private:
  bool left_, right_;
};

class ReplaceNormalizer final : public Normalizer {
 public:
  ReplaceNormalizer(Json pattern, std::shared_ptr<const Regex> regex, std::string content)
      : pattern_(std::move(pattern)), regex_(std::move(regex)), content_(std::move(content)) {
    for (size_t i = 0; i < content_.size();) content_chars_.push_back(unicode::NextChar(content_, i));
  }
  Status Normalize(NormalizedString& s) const override {
    thread_local std::vector<MatchRange> matches;
    matches.clear();
    MHUB_RETURN_IF_ERROR(regex_->FindAll(s.text, matches));
    if (matches.empty()) return Status::OK();
    NormalizedRewrite rewrite(s, s.text.size() + matches.size() * content_.size());
    Rewriter& rw = rewrite.rw();
    for (const MatchRange& m : matches) {
      rw.Copy(m.begin - rw.pos());
      rw.Skip(m.end - m.begin);
      for (char32_t c : content_chars_) rw.Insert(c);
    }
    rw.Copy(s.text.size() - rw.pos());
    rewrite.Finish();
    return Status::OK();
  }
  Json ToJson() const override { return Json{{"type", "Replace"}, {"pattern", pattern_}, {"content", content_}}; }

 private:
  Json pattern_;
  std::shared_ptr<const Regex> regex_;
  std::string content_;
  std::vector<char32_t> content_chars_;
};

class PrependNormalizer final : public Normalizer {
 public:
  explicit PrependNormalizer(std::string prepend) : prepend_(std::move(prepend)) {
    for (size_t i = 0; i < prepend_.size();) chars_.push_back(unicode::NextChar(prepend_, i));
  }
  Status Normalize(NormalizedString& s) const override {
    if (s.text.empty() || chars_.empty()) return Status::OK();
    std::string_view t = s.text;
    NormalizedRewrite rewrite(s);
    Rewriter& rw = rewrite.rw();
    size_t i = 0;
    char32_t first = unicode::NextChar(t, i);
    rw.Replace(chars_[0], i);
    for (size_t k = 1; k < chars_.size(); ++k) rw.Insert(chars_[k]);
    rw.Insert(first);
    rw.Copy(t.size() - i);
    rewrite.Finish();
    return Status::OK();
  }
  Json ToJson() const override { return Json{{"type", "Prepend"}, {"prepend", prepend_}}; }

 private:
  std::string prepend_;
  std::vector<char32_t> chars_;
};

class ByteLevelNormalizer final : public Normalizer {
 public:
  Status Normalize(NormalizedString& s) const override {
    std::string_view t = s.text;
    NormalizedRewrite rewrite(s);
    Rewriter& rw = rewrite.rw();
    const auto& table = unicode::ByteToChar();
    size_t i = 0;
    while (i < t.size()) {
      size_t len = unicode::CharLen(static_cast<unsigned char>(t[i]));
      rw.Replace(table[static_cast<unsigned char>(t[i])], len);
      for (size_t k = 1; k < len; ++k) rw.Insert(table[static_cast<unsigned char>(t[i + k])]);
      i += len;
    }
    rewrite.Finish();
    return Status::OK();
  }
  Json ToJson() const override { return Json{{"type", "ByteLevel"}}; }
};

class SequenceNormalizer final : public Normalizer {
 public:
  explicit SequenceNormalizer(std::vector<std::unique_ptr<Normalizer>> parts) : parts_(std::move(parts)) {}
  Status Normalize(NormalizedString& s) const override {
    for (const auto& p : parts_) MHUB_RETURN_IF_ERROR(p->Normalize(s));
    return Status::OK();
  }
  Json ToJson() const override {
    Json arr = Json::array();
    for (const auto& p : parts_) arr.push_back(p->ToJson());
    return Json{{"type", "Sequence"}, {"normalizers", arr}};
  }

 private:
  std::vector<std::unique_ptr<Normalizer>> parts_;
};

}  // namespace

Result<std::shared_ptr<const Regex>> ParsePatternJson(const Json& j, std::string_view path, bool allow_fast_path) {
  std::string p(path);
  if (!j.is_object() || j.size() != 1) {
    return Status::InvalidArgument(p + ": expected {\"String\": ...} or {\"Regex\": ...}, got " + DumpJson(j));
  }
  if (j.contains("String")) {
    MHUB_ASSIGN_OR_RETURN(std::string s, JsonString(j, "String", path));
    auto re = Regex::Compile(s, /*literal=*/true, allow_fast_path);
    if (!re.ok()) return re.status().WithContext(p);
    return re;
  }
  if (j.contains("Regex")) {
    MHUB_ASSIGN_OR_RETURN(std::string s, JsonString(j, "Regex", path));
    auto re = Regex::Compile(s, /*literal=*/false, allow_fast_path);
    if (!re.ok()) return re.status().WithContext(p);
    return re;
  }
  return Status::InvalidArgument(p + ": expected {\"String\": ...} or {\"Regex\": ...}, got " + DumpJson(j));
}

Result<std::unique_ptr<Normalizer>> Normalizer::FromJson(const Json& j, std::string_view path) {
  std::string p(path);
  if (!j.is_object()) return Status::InvalidArgument(p + ": expected object, got " + JsonTypeName(j));
  std::string type;
  if (j.contains("type")) {
    MHUB_ASSIGN_OR_RETURN(type, JsonString(j, "type", path));
  } else if (j.contains("clean_text")) {
    type = "BertNormalizer";
  } else if (j.contains("normalizers")) {
    type = "Sequence";
  } else if (j.contains("precompiled_charsmap")) {
    type = "Precompiled";
  } else {
    return Status::InvalidArgument(p + ": missing field `type`");
  }
  if (type == "NFC") return std::unique_ptr<Normalizer>(new UnicodeNormalizer(UnicodeForm::kNFC));
  if (type == "NFD") return std::unique_ptr<Normalizer>(new UnicodeNormalizer(UnicodeForm::kNFD));
  if (type == "NFKC") return std::unique_ptr<Normalizer>(new UnicodeNormalizer(UnicodeForm::kNFKC));
  if (type == "NFKD") return std::unique_ptr<Normalizer>(new UnicodeNormalizer(UnicodeForm::kNFKD));
  if (type == "Lowercase") return std::unique_ptr<Normalizer>(new LowercaseNormalizer());
  if (type == "StripAccents") return std::unique_ptr<Normalizer>(new StripAccentsNormalizer());
  if (type == "Nmt") return std::unique_ptr<Normalizer>(new NmtNormalizer());
  if (type == "ByteLevel") return std::unique_ptr<Normalizer>(new ByteLevelNormalizer());
  if (type == "BertNormalizer" || type == "Bert") return MakeBertNormalizer(j, path);
  if (type == "Precompiled") return MakePrecompiledNormalizer(j, path);
  if (type == "Strip") {
    MHUB_ASSIGN_OR_RETURN(bool left, JsonBool(j, "strip_left", path));
    MHUB_ASSIGN_OR_RETURN(bool right, JsonBool(j, "strip_right", path));
    return std::unique_ptr<Normalizer>(new StripNormalizer(left, right));
  }
  if (type == "Replace") {
    if (!j.contains("pattern")) return Status::InvalidArgument(p + ": missing field `pattern`");
    MHUB_ASSIGN_OR_RETURN(auto regex, ParsePatternJson(j["pattern"], p + ".pattern", /*allow_fast_path=*/false));
    MHUB_ASSIGN_OR_RETURN(std::string content, JsonString(j, "content", path));
    return std::unique_ptr<Normalizer>(new ReplaceNormalizer(j["pattern"], std::move(regex), std::move(content)));
  }
  if (type == "Prepend") {
    MHUB_ASSIGN_OR_RETURN(std::string prepend, JsonString(j, "prepend", path));
    return std::unique_ptr<Normalizer>(new PrependNormalizer(std::move(prepend)));
  }
  if (type == "Sequence") {
    if (!j.contains("normalizers") || !j["normalizers"].is_array()) {
      return Status::InvalidArgument(p + ".normalizers: expected array");
    }
    std::vector<std::unique_ptr<Normalizer>> parts;
    for (size_t i = 0; i < j["normalizers"].size(); ++i) {
      MHUB_ASSIGN_OR_RETURN(auto part, FromJson(j["normalizers"][i], p + ".normalizers[" + std::to_string(i) + "]"));
      parts.push_back(std::move(part));
    }
    return std::unique_ptr<Normalizer>(new SequenceNormalizer(std::move(parts)));
  }
  return Status::InvalidArgument(p + ".type: unknown normalizer '" + type + "'");
}

}  // namespace mhub::tokenizers
