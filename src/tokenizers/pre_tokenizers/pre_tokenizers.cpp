// The splitting pre-tokenizers (Whitespace, WhitespaceSplit, BertPreTokenizer, Metaspace, Split,
// Punctuation, Digits, CharDelimiterSplit, UnicodeScripts, FixedLength, Sequence) and the JSON
// dispatch for all pre-tokenizers.
#include <array>
#include <string>
#include <vector>

#include "tokenizers/normalizers/normalizer.h"
#include "tokenizers/pre_tokenizers/pre_tokenizer.h"
#include "tokenizers/prepend_scheme.h"
#include "tokenizers/regex.h"

namespace mhub::tokenizers {
namespace {

// HF's `impl Pattern for Fn(char) -> bool`: every matching char is its own match.
template <typename Pred>
void FindCharMatches(std::string_view text, std::vector<MatchRange>& out, Pred pred) {
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    char32_t c = unicode::NextChar(text, i);
    if (pred(c)) out.push_back({static_cast<uint32_t>(start), static_cast<uint32_t>(i)});
  }
}

Result<SplitBehavior> ParseBehavior(const Json& j, std::string_view key, std::string_view path,
                                    std::optional<SplitBehavior> fallback) {
  std::string p = std::string(path) + "." + std::string(key);
  if (!j.contains(key) || j[std::string(key)].is_null()) {
    if (fallback) return *fallback;
    return Status::InvalidArgument(std::string(path) + ": missing field `" + std::string(key) + "`");
  }
  const Json& v = j[std::string(key)];
  if (!v.is_string()) return Status::InvalidArgument(p + ": expected string, got " + JsonTypeName(v));
  std::string s = v.get<std::string>();
  if (s == "Removed") return SplitBehavior::kRemoved;
  if (s == "Isolated") return SplitBehavior::kIsolated;
  if (s == "MergedWithPrevious") return SplitBehavior::kMergedWithPrevious;
  if (s == "MergedWithNext") return SplitBehavior::kMergedWithNext;
  if (s == "Contiguous") return SplitBehavior::kContiguous;
  return Status::InvalidArgument(p + ": unknown split behavior '" + s + "'");
}

const char* BehaviorName(SplitBehavior b) {
  switch (b) {
    case SplitBehavior::kRemoved:
      return "Removed";
    case SplitBehavior::kIsolated:
      return "Isolated";
    case SplitBehavior::kMergedWithPrevious:
      return "MergedWithPrevious";
    case SplitBehavior::kMergedWithNext:
      return "MergedWithNext";
    case SplitBehavior::kContiguous:
      return "Contiguous";
  }
  return "Isolated";
}

class WhitespacePreTokenizer final : public PreTokenizer {
 public:
  Status PreTokenize(PreTokenized& pt) const override {
    // Keeps the matches of \w+|[^\w\s]+ (HF: Invert(regex) with Removed).
    SplitPieces(pt, SplitBehavior::kRemoved, true, [](std::string_view text, std::vector<MatchRange>& out) {
      size_t i = 0;
      int run = -1;  // 0: word run, 1: punctuation run
      size_t run_start = 0;
      while (i < text.size()) {
        size_t start = i;
        char32_t c = unicode::NextChar(text, i);
        int cls = unicode::IsWordChar(c) ? 0 : unicode::IsWhitespace(c) ? 2 : 1;
        if (cls != run) {
          if (run == 0 || run == 1) out.push_back({static_cast<uint32_t>(run_start), static_cast<uint32_t>(start)});
          run = cls;
          run_start = start;
        }
      }
      if (run == 0 || run == 1) out.push_back({static_cast<uint32_t>(run_start), static_cast<uint32_t>(text.size())});
    });
    return Status::OK();
  }
  Json ToJson() const override { return Json{{"type", "Whitespace"}}; }
};

class WhitespaceSplitPreTokenizer final : public PreTokenizer {
 public:
  Status PreTokenize(PreTokenized& pt) const override {
    SplitPieces(pt, SplitBehavior::kRemoved, false, [](std::string_view text, std::vector<MatchRange>& out) {
      FindCharMatches(text, out, [](char32_t c) { return unicode::IsWhitespace(c); });
    });
    return Status::OK();
  }
  Json ToJson() const override { return Json{{"type", "WhitespaceSplit"}}; }
};

// HF runs a whitespace split (Removed) and then a punctuation split (Isolated); both fused in
// one pass here: whitespace ends a word, a punctuation char ends it and is a word of its own.
class BertPreTokenizer final : public PreTokenizer {
 public:
  Status PreTokenize(PreTokenized& pt) const override {
    enum : uint8_t { kWord, kSpace, kPunct };
    static const auto kAscii = [] {
      std::array<uint8_t, 128> t{};
      for (char32_t c = 0; c < 128; ++c) {
        t[c] = unicode::IsWhitespace(c) ? kSpace : unicode::IsBertPunctuation(c) ? kPunct : kWord;
      }
      return t;
    }();
    thread_local std::vector<Piece> out;
    out.clear();
    out.reserve(pt.pieces.size() * 8);
    const std::string_view text = pt.text;
    auto emit = [&](uint32_t begin, uint32_t end) {
      Piece np;
      np.begin = begin;
      np.end = end;
      np.orig_begin = pt.align[begin].start;
      out.push_back(np);
    };
    for (const Piece& p : pt.pieces) {
      if (p.added_id >= 0) {
        out.push_back(p);
        continue;
      }
      uint32_t word_start = p.begin;
      size_t i = p.begin;
      while (i < p.end) {
        const size_t start = i;
        const unsigned char b = static_cast<unsigned char>(text[i]);
        uint8_t cls;
        if (b < 0x80) {
          cls = kAscii[b];
          ++i;
        } else {
          const char32_t c = unicode::NextChar(text, i);
          cls = unicode::IsWhitespace(c) ? kSpace : unicode::IsBertPunctuation(c) ? kPunct : kWord;
        }
        if (cls == kWord) continue;
        if (word_start < start) emit(word_start, static_cast<uint32_t>(start));
        if (cls == kPunct) emit(static_cast<uint32_t>(start), static_cast<uint32_t>(i));
        word_start = static_cast<uint32_t>(i);
      }
      if (word_start < p.end) emit(word_start, p.end);
    }
    pt.pieces.swap(out);
    return Status::OK();
  }
  Json ToJson() const override { return Json{{"type", "BertPreTokenizer"}}; }
};

class PunctuationPreTokenizer final : public PreTokenizer {
 public:
  explicit PunctuationPreTokenizer(SplitBehavior b) : behavior_(b) {}
  Status PreTokenize(PreTokenized& pt) const override {
    SplitPieces(pt, behavior_, false, [](std::string_view text, std::vector<MatchRange>& out) {
      FindCharMatches(text, out, [](char32_t c) { return unicode::IsBertPunctuation(c); });
    });
    return Status::OK();
  }
  Json ToJson() const override { return Json{{"type", "Punctuation"}, {"behavior", BehaviorName(behavior_)}}; }

 private:
  SplitBehavior behavior_;
};

class DigitsPreTokenizer final : public PreTokenizer {
 public:
  explicit DigitsPreTokenizer(bool individual) : individual_(individual) {}
  Status PreTokenize(PreTokenized& pt) const override {
    SplitPieces(pt, individual_ ? SplitBehavior::kIsolated : SplitBehavior::kContiguous, false,
                [](std::string_view text, std::vector<MatchRange>& out) {
                  FindCharMatches(text, out, [](char32_t c) { return unicode::IsNumeric(c); });
                });
    return Status::OK();
  }
  Json ToJson() const override { return Json{{"type", "Digits"}, {"individual_digits", individual_}}; }

 private:
  bool individual_;
};

class CharDelimiterSplitPreTokenizer final : public PreTokenizer {
 public:
  explicit CharDelimiterSplitPreTokenizer(char32_t delimiter) : delimiter_(delimiter) {}
  Status PreTokenize(PreTokenized& pt) const override {
    SplitPieces(pt, SplitBehavior::kRemoved, false, [this](std::string_view text, std::vector<MatchRange>& out) {
      FindCharMatches(text, out, [this](char32_t c) { return c == delimiter_; });
    });
    return Status::OK();
  }
  Json ToJson() const override {
    return Json{{"type", "CharDelimiterSplit"}, {"delimiter", unicode::ToUtf8(delimiter_)}};
  }

 private:
  char32_t delimiter_;
};

class UnicodeScriptsPreTokenizer final : public PreTokenizer {
 public:
  Status PreTokenize(PreTokenized& pt) const override {
    SplitPieces(pt, SplitBehavior::kIsolated, false, [](std::string_view text, std::vector<MatchRange>& out) {
      // Segments between script changes; ' ' (script Any) never causes a split.
      int last = -1;
      size_t seg_start = 0;
      size_t i = 0;
      while (i < text.size()) {
        size_t start = i;
        int script = unicode::ScriptOf(unicode::NextChar(text, i));
        if (script != 0 && last != 0 && last != script) {
          if (start > seg_start) out.push_back({static_cast<uint32_t>(seg_start), static_cast<uint32_t>(start)});
          seg_start = start;
        }
        if (script != 0) last = script;
      }
      if (text.size() > seg_start)
        out.push_back({static_cast<uint32_t>(seg_start), static_cast<uint32_t>(text.size())});
    });
    return Status::OK();
  }
  Json ToJson() const override { return Json{{"type", "UnicodeScripts"}}; }
};

class FixedLengthPreTokenizer final : public PreTokenizer {
 public:
  explicit FixedLengthPreTokenizer(size_t length) : length_(length) {}
  Status PreTokenize(PreTokenized& pt) const override {
    if (length_ == 0) return Status::OK();
    SplitPieces(pt, SplitBehavior::kIsolated, false, [this](std::string_view text, std::vector<MatchRange>& out) {
      size_t i = 0;
      while (i < text.size()) {
        size_t start = i;
        for (size_t k = 0; k < length_ && i < text.size(); ++k) unicode::NextChar(text, i);
        out.push_back({static_cast<uint32_t>(start), static_cast<uint32_t>(i)});
      }
    });
    return Status::OK();
  }
  Json ToJson() const override { return Json{{"type", "FixedLength"}, {"length", length_}}; }

 private:
  size_t length_;
};

class MetaspacePreTokenizer final : public PreTokenizer {
 public:
  MetaspacePreTokenizer(char32_t replacement, PrependScheme scheme, bool split)
      : replacement_(replacement), scheme_(scheme), split_(split) {}

  Status PreTokenize(PreTokenized& pt) const override {
    pt.MaterializeByteLevel();
    RewritePieces(pt, [this](std::string_view piece, Rewriter& rw, const Piece& p) {
      size_t i = 0;
      char32_t first = unicode::NextChar(piece, i);
      bool starts_with_rep = first == ' ' || first == replacement_;
      bool prepend = !starts_with_rep &&
                     (scheme_ == PrependScheme::kAlways || (scheme_ == PrependScheme::kFirst && pt_orig_begin(p) == 0));
      size_t pos = 0;
      if (prepend) {
        rw.Replace(replacement_, i);
        rw.Insert(first);
        pos = i;
      }
      while (pos < piece.size()) {
        if (piece[pos] == ' ') {
          rw.Skip(1);
          rw.Insert(replacement_);
          ++pos;
          continue;
        }
        size_t len = unicode::CharLen(static_cast<unsigned char>(piece[pos]));
        rw.Copy(len);
        pos += len;
      }
    });
    if (split_) {
      SplitPieces(pt, SplitBehavior::kMergedWithNext, false,
                  [this](std::string_view text, std::vector<MatchRange>& out) {
                    FindCharMatches(text, out, [this](char32_t c) { return c == replacement_; });
                  });
    }
    return Status::OK();
  }

  Json ToJson() const override {
    return Json{{"type", "Metaspace"},
                {"replacement", unicode::ToUtf8(replacement_)},
                {"prepend_scheme", PrependSchemeName(scheme_)},
                {"split", split_}};
  }

 private:
  static uint32_t pt_orig_begin(const Piece& p) { return p.orig_begin; }
  char32_t replacement_;
  PrependScheme scheme_;
  bool split_;
};

class SplitPreTokenizer final : public PreTokenizer {
 public:
  SplitPreTokenizer(Json pattern, std::shared_ptr<const Regex> regex, SplitBehavior behavior, bool invert)
      : pattern_(std::move(pattern)), regex_(std::move(regex)), behavior_(behavior), invert_(invert) {}
  Status PreTokenize(PreTokenized& pt) const override {
    pt.MaterializeByteLevel();
    Status status;
    SplitPieces(pt, behavior_, invert_, [&](std::string_view text, std::vector<MatchRange>& out) {
      Status st = regex_->FindAll(text, out);
      if (!st.ok()) status = st;
    });
    return status;
  }
  Json ToJson() const override {
    return Json{{"type", "Split"}, {"pattern", pattern_}, {"behavior", BehaviorName(behavior_)}, {"invert", invert_}};
  }

 private:
  Json pattern_;
  std::shared_ptr<const Regex> regex_;
  SplitBehavior behavior_;
  bool invert_;
};

class SequencePreTokenizer final : public PreTokenizer {
 public:
  explicit SequencePreTokenizer(std::vector<std::unique_ptr<PreTokenizer>> parts) : parts_(std::move(parts)) {}
  Status PreTokenize(PreTokenized& pt) const override {
    for (const auto& p : parts_) MHUB_RETURN_IF_ERROR(p->PreTokenize(pt));
    return Status::OK();
  }
  bool DeferByteLevelMapping() override { return !parts_.empty() && parts_.back()->DeferByteLevelMapping(); }
  Json ToJson() const override {
    Json arr = Json::array();
    for (const auto& p : parts_) arr.push_back(p->ToJson());
    return Json{{"type", "Sequence"}, {"pretokenizers", arr}};
  }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> parts_;
};

Result<char32_t> ParseChar(const Json& j, std::string_view key, std::string_view path) {
  MHUB_ASSIGN_OR_RETURN(std::string s, JsonString(j, key, path));
  if (s.empty() || unicode::CountChars(s) != 1) {
    return Status::InvalidArgument(std::string(path) + "." + std::string(key) + ": expected a single character");
  }
  size_t i = 0;
  return unicode::NextChar(s, i);
}

}  // namespace

Result<std::unique_ptr<PreTokenizer>> PreTokenizer::FromJson(const Json& j, std::string_view path) {
  std::string p(path);
  if (!j.is_object()) return Status::InvalidArgument(p + ": expected object, got " + JsonTypeName(j));
  std::string type;
  if (j.contains("type")) {
    MHUB_ASSIGN_OR_RETURN(type, JsonString(j, "type", path));
  } else if (j.contains("pretokenizers")) {
    type = "Sequence";
  } else {
    return Status::InvalidArgument(p + ": missing field `type`");
  }
  using Ptr = std::unique_ptr<PreTokenizer>;
  if (type == "ByteLevel") return MakeByteLevelPreTokenizer(j, path);
  if (type == "Whitespace") return Ptr(new WhitespacePreTokenizer());
  if (type == "WhitespaceSplit") return Ptr(new WhitespaceSplitPreTokenizer());
  if (type == "BertPreTokenizer") return Ptr(new BertPreTokenizer());
  if (type == "UnicodeScripts") return Ptr(new UnicodeScriptsPreTokenizer());
  if (type == "Punctuation") {
    MHUB_ASSIGN_OR_RETURN(SplitBehavior b, ParseBehavior(j, "behavior", path, SplitBehavior::kIsolated));
    return Ptr(new PunctuationPreTokenizer(b));
  }
  if (type == "Digits") {
    MHUB_ASSIGN_OR_RETURN(bool individual, JsonBoolOr(j, "individual_digits", path, false));
    return Ptr(new DigitsPreTokenizer(individual));
  }
  if (type == "CharDelimiterSplit") {
    MHUB_ASSIGN_OR_RETURN(char32_t d, ParseChar(j, "delimiter", path));
    return Ptr(new CharDelimiterSplitPreTokenizer(d));
  }
  if (type == "FixedLength") {
    MHUB_ASSIGN_OR_RETURN(int64_t n, JsonIntOr(j, "length", path, 5));
    if (n < 0) return Status::InvalidArgument(p + ".length: must be >= 0");
    return Ptr(new FixedLengthPreTokenizer(static_cast<size_t>(n)));
  }
  if (type == "Metaspace") {
    MHUB_ASSIGN_OR_RETURN(char32_t rep, ParseChar(j, "replacement", path));
    MHUB_ASSIGN_OR_RETURN(bool split, JsonBoolOr(j, "split", path, true));
    PrependScheme scheme = PrependScheme::kAlways;
    if (j.contains("prepend_scheme") && !j["prepend_scheme"].is_null()) {
      MHUB_ASSIGN_OR_RETURN(std::string s, JsonString(j, "prepend_scheme", path));
      const std::optional<PrependScheme> named = PrependSchemeFromName(s);
      if (!named) return Status::InvalidArgument(p + ".prepend_scheme: unknown scheme '" + s + "'");
      scheme = *named;
    }
    if (j.contains("add_prefix_space") && !j["add_prefix_space"].is_null()) {
      MHUB_ASSIGN_OR_RETURN(bool aps, JsonBool(j, "add_prefix_space", path));
      if (!j.contains("prepend_scheme")) {
        scheme = aps ? PrependScheme::kAlways : PrependScheme::kNever;
      } else if (!aps && scheme != PrependScheme::kNever) {
        return Status::InvalidArgument(p + ": add_prefix_space does not match declared prepend_scheme");
      }
    }
    return Ptr(new MetaspacePreTokenizer(rep, scheme, split));
  }
  if (type == "Split") {
    if (!j.contains("pattern")) return Status::InvalidArgument(p + ": missing field `pattern`");
    MHUB_ASSIGN_OR_RETURN(auto regex, ParsePatternJson(j["pattern"], p + ".pattern", /*allow_fast_path=*/true));
    MHUB_ASSIGN_OR_RETURN(SplitBehavior b, ParseBehavior(j, "behavior", path, std::nullopt));
    if (!j.contains("invert")) return Status::InvalidArgument(p + ": missing field `invert`");
    MHUB_ASSIGN_OR_RETURN(bool invert, JsonBool(j, "invert", path));
    return Ptr(new SplitPreTokenizer(j["pattern"], std::move(regex), b, invert));
  }
  if (type == "Sequence") {
    if (!j.contains("pretokenizers") || !j["pretokenizers"].is_array()) {
      return Status::InvalidArgument(p + ".pretokenizers: expected array");
    }
    std::vector<Ptr> parts;
    for (size_t i = 0; i < j["pretokenizers"].size(); ++i) {
      MHUB_ASSIGN_OR_RETURN(auto part,
                            FromJson(j["pretokenizers"][i], p + ".pretokenizers[" + std::to_string(i) + "]"));
      parts.push_back(std::move(part));
    }
    return Ptr(new SequencePreTokenizer(std::move(parts)));
  }
  return Status::InvalidArgument(p + ".type: unknown pre-tokenizer '" + type + "'");
}

}  // namespace mhub::tokenizers
