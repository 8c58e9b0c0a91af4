// WordPiece (HF models/wordpiece): greedy longest-match-first; any failure makes the whole word
// one unk token.
#include "tokenizers/models/vocab_model.h"
#include "tokenizers/unicode.h"

namespace mhub::tokenizers {
namespace {

class WordPieceModel final : public VocabModel {
 public:
  Status Init(const Json& options, ModelTables tables, std::string_view path) {
    std::string p(path);
    MHUB_ASSIGN_OR_RETURN(unk_token_, JsonStringOr(options, "unk_token", path, "[UNK]"));
    MHUB_ASSIGN_OR_RETURN(prefix_, JsonStringOr(options, "continuing_subword_prefix", path, "##"));
    MHUB_ASSIGN_OR_RETURN(int64_t max_chars, JsonIntOr(options, "max_input_chars_per_word", path, 100));
    if (max_chars < 0) return Status::InvalidArgument(p + ".max_input_chars_per_word: must be >= 0");
    max_chars_ = static_cast<size_t>(max_chars);
    if (!tables.scored.empty()) return Status::InvalidArgument(p + ".vocab: expected an object for WordPiece");
    // Greedy longest-match asks mostly for absent substrings: filtered indexes.
    vocab_.EnableFilter();
    continuing_.EnableFilter();
    SetVocab(tables.vocab);
    continuing_.Reserve(vocab_.size(), 0);
    for (const auto& [tok, id] : tables.vocab) {
      max_token_bytes_ = std::max(max_token_bytes_, tok.size());
      if (tok.size() >= prefix_.size() && tok.compare(0, prefix_.size(), prefix_) == 0) {
        continuing_.Insert(std::string_view(tok).substr(prefix_.size()), id);
      }
    }
    unk_id_ = TokenToId(unk_token_);
    span_text_ok_ = IdsAreDistinct();
    serial_ = NextModelSerial();
    return Status::OK();
  }

  std::string_view SpanPrefix() const override { return prefix_; }

  void Prefetch(std::string_view word, bool) const override {
    if (word.empty() || word.size() > 16) return;
    uint64_t a, b;
    ShortKeyWords(word.data(), word.size(), a, b);
    const uint64_t hash = HashShortWords(a, b, word.size());
    const Hot& hot = ThreadHot();
    if (hot.owner == serial_) hot.cache.Prefetch(hash);
    vocab_.PrefetchShort(hash);
  }

  Status Tokenize(std::string_view word, bool, std::vector<ModelToken>& out) const override {
    const uint32_t len = static_cast<uint32_t>(word.size());
    if (word.empty()) return Status::OK();
    Hot& hot = ThreadHot();
    const bool short_word = word.size() <= 16;
    uint64_t a = 0, b = 0, hash = 0;
    if (short_word) {
      if (hot.owner != serial_) {
        hot.cache.Reset();
        hot.owner = serial_;
      }
      ShortKeyWords(word.data(), word.size(), a, b);
      hash = HashShortWords(a, b, word.size());
      const uint32_t id = hot.cache.Find(a, b, word.size(), hash);
      if (id != HotWordCache::kMiss) {
        out.push_back({id, 0, len, span_text_ok_ ? kTokenTextSpan : kTokenTextVocab});
        return Status::OK();
      }
    }
    if (unicode::CountChars(word) > max_chars_) return EmitUnk(len, out);
    size_t first_new = out.size();
    size_t start = 0;
    while (start < word.size()) {
      const StringIndex& map = start > 0 ? continuing_ : vocab_;
      size_t end = std::min(word.size(), start + max_token_bytes_);
      while (end > start && end < word.size() && (static_cast<unsigned char>(word[end]) & 0xC0) == 0x80) --end;
      bool found = false;
      while (end > start) {
        const uint32_t id = map.Find(word.substr(start, end - start));
        if (id != StringIndex::kNotFound) {
          uint8_t text = kTokenTextVocab;
          if (span_text_ok_) text = start > 0 ? kTokenTextPrefixedSpan : kTokenTextSpan;
          out.push_back({id, static_cast<uint32_t>(start), static_cast<uint32_t>(end), text});
          found = true;
          break;
        }
        size_t cs;
        unicode::PrevChar(word, end, cs);
        end = cs;
      }
      if (!found) {
        out.resize(first_new);
        return EmitUnk(len, out);
      }
      start = end;
    }
    if (short_word && out.size() == first_new + 1) hot.cache.Put(a, b, word.size(), hash, out.back().id);
    return Status::OK();
  }

  Json ToJson() const override {
    return Json{{"type", "WordPiece"},
                {"unk_token", unk_token_},
                {"continuing_subword_prefix", prefix_},
                {"max_input_chars_per_word", max_chars_},
                {"vocab", VocabJson()}};
  }

 private:
  // Short words seen before that were one vocabulary entry: a per-thread memo.
  struct Hot {
    uint64_t owner = 0;
    HotWordCache cache;
  };
  static Hot& ThreadHot() {
    thread_local Hot hot;
    return hot;
  }

  Status EmitUnk(uint32_t len, std::vector<ModelToken>& out) const {
    if (!unk_id_) return Status::InvalidArgument("WordPiece: unk token '" + unk_token_ + "' is not in the vocabulary");
    out.push_back({*unk_id_, 0, len});
    return Status::OK();
  }

  StringIndex continuing_;  // entries that start with the prefix, keyed without it
  std::string unk_token_, prefix_;
  std::optional<uint32_t> unk_id_;
  size_t max_chars_ = 100;
  size_t max_token_bytes_ = 0;
  bool span_text_ok_ = false;  // every id has one string: tokens can be spelled from the word
  uint64_t serial_ = 0;
};

class WordLevelModel final : public VocabModel {
 public:
  Status Init(const Json& options, ModelTables tables, std::string_view path) {
    std::string p(path);
    MHUB_ASSIGN_OR_RETURN(unk_token_, JsonStringOr(options, "unk_token", path, "<unk>"));
    if (!tables.scored.empty()) return Status::InvalidArgument(p + ".vocab: expected an object for WordLevel");
    SetVocab(tables.vocab);
    unk_id_ = TokenToId(unk_token_);
    return Status::OK();
  }
  Status Tokenize(std::string_view word, bool, std::vector<ModelToken>& out) const override {
    const uint32_t id = vocab_.Find(word);
    if (id != StringIndex::kNotFound) {
      out.push_back({id, 0, static_cast<uint32_t>(word.size())});
      return Status::OK();
    }
    if (!unk_id_) return Status::InvalidArgument("WordLevel: unk token '" + unk_token_ + "' is not in the vocabulary");
    out.push_back({*unk_id_, 0, static_cast<uint32_t>(word.size())});
    return Status::OK();
  }
  Json ToJson() const override {
    return Json{{"type", "WordLevel"}, {"vocab", VocabJson()}, {"unk_token", unk_token_}};
  }

 private:
  std::string unk_token_;
  std::optional<uint32_t> unk_id_;
};

}  // namespace

Result<std::unique_ptr<Model>> MakeWordPieceModel(const Json& options, ModelTables tables, std::string_view path) {
  auto model = std::make_unique<WordPieceModel>();
  MHUB_RETURN_IF_ERROR(model->Init(options, std::move(tables), path));
  return std::unique_ptr<Model>(std::move(model));
}

Result<std::unique_ptr<Model>> MakeWordLevelModel(const Json& options, ModelTables tables, std::string_view path) {
  auto model = std::make_unique<WordLevelModel>();
  MHUB_RETURN_IF_ERROR(model->Init(options, std::move(tables), path));
  return std::unique_ptr<Model>(std::move(model));
}

}  // namespace mhub::tokenizers
