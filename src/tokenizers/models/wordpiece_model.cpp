// WordPiece (HF models/wordpiece): greedy longest-match-first; any failure makes the whole word
// one unk token.
#include "tokenizers/models/model.h"
#include "tokenizers/unicode.h"

namespace mhub::tokenizers {
namespace {

class WordPieceModel final : public Model {
 public:
  Status Init(const Json& options, ModelTables tables, std::string_view path) {
    std::string p(path);
    MHUB_ASSIGN_OR_RETURN(unk_token_, JsonStringOr(options, "unk_token", path, "[UNK]"));
    MHUB_ASSIGN_OR_RETURN(prefix_, JsonStringOr(options, "continuing_subword_prefix", path, "##"));
    MHUB_ASSIGN_OR_RETURN(int64_t max_chars, JsonIntOr(options, "max_input_chars_per_word", path, 100));
    if (max_chars < 0) return Status::InvalidArgument(p + ".max_input_chars_per_word: must be >= 0");
    max_chars_ = static_cast<size_t>(max_chars);
    if (!tables.scored.empty()) return Status::InvalidArgument(p + ".vocab: expected an object for WordPiece");
    for (auto& [tok, id] : tables.vocab) {
      max_token_bytes_ = std::max(max_token_bytes_, tok.size());
      if (tok.size() >= prefix_.size() && tok.compare(0, prefix_.size(), prefix_) == 0) {
        continuing_[tok.substr(prefix_.size())] = id;
      }
      vocab_[std::move(tok)] = id;
    }
    vocab_r_ = InvertVocab(vocab_, &present_);
    auto it = vocab_.find(unk_token_);
    if (it != vocab_.end()) unk_id_ = it->second;
    return Status::OK();
  }

  Status Tokenize(std::string_view word, bool, std::vector<ModelToken>& out) const override {
    const uint32_t len = static_cast<uint32_t>(word.size());
    if (word.empty()) return Status::OK();
    if (unicode::CountChars(word) > max_chars_) return EmitUnk(len, out);
    size_t first_new = out.size();
    size_t start = 0;
    while (start < word.size()) {
      const StringIdMap& map = start > 0 ? continuing_ : vocab_;
      size_t end = std::min(word.size(), start + max_token_bytes_);
      while (end > start && end < word.size() && (static_cast<unsigned char>(word[end]) & 0xC0) == 0x80) --end;
      bool found = false;
      while (end > start) {
        auto it = map.find(word.substr(start, end - start));
        if (it != map.end()) {
          out.push_back({it->second, static_cast<uint32_t>(start), static_cast<uint32_t>(end)});
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
    return Status::OK();
  }

  std::optional<uint32_t> TokenToId(std::string_view token) const override {
    auto it = vocab_.find(token);
    if (it == vocab_.end()) return std::nullopt;
    return it->second;
  }
  const std::string* IdToToken(uint32_t id) const override {
    return id < vocab_r_.size() && present_[id] ? &vocab_r_[id] : nullptr;
  }
  size_t VocabSize() const override { return vocab_.size(); }
  std::unordered_map<std::string, uint32_t> GetVocab() const override { return {vocab_.begin(), vocab_.end()}; }
  Json ToJson() const override {
    return Json{{"type", "WordPiece"},
                {"unk_token", unk_token_},
                {"continuing_subword_prefix", prefix_},
                {"max_input_chars_per_word", max_chars_},
                {"vocab", VocabToJson(vocab_r_, present_)}};
  }

 private:
  Status EmitUnk(uint32_t len, std::vector<ModelToken>& out) const {
    if (!unk_id_) return Status::InvalidArgument("WordPiece: unk token '" + unk_token_ + "' is not in the vocabulary");
    out.push_back({*unk_id_, 0, len});
    return Status::OK();
  }

  StringIdMap vocab_;
  StringIdMap continuing_;  // entries that start with the prefix, keyed without it
  std::vector<std::string> vocab_r_;
  std::vector<bool> present_;
  std::string unk_token_, prefix_;
  std::optional<uint32_t> unk_id_;
  size_t max_chars_ = 100;
  size_t max_token_bytes_ = 0;
};

class WordLevelModel final : public Model {
 public:
  Status Init(const Json& options, ModelTables tables, std::string_view path) {
    std::string p(path);
    MHUB_ASSIGN_OR_RETURN(unk_token_, JsonStringOr(options, "unk_token", path, "<unk>"));
    if (!tables.scored.empty()) return Status::InvalidArgument(p + ".vocab: expected an object for WordLevel");
    for (auto& [tok, id] : tables.vocab) vocab_[std::move(tok)] = id;
    vocab_r_ = InvertVocab(vocab_, &present_);
    auto it = vocab_.find(unk_token_);
    if (it != vocab_.end()) unk_id_ = it->second;
    return Status::OK();
  }
  Status Tokenize(std::string_view word, bool, std::vector<ModelToken>& out) const override {
    auto it = vocab_.find(word);
    if (it != vocab_.end()) {
      out.push_back({it->second, 0, static_cast<uint32_t>(word.size())});
      return Status::OK();
    }
    if (!unk_id_) return Status::InvalidArgument("WordLevel: unk token '" + unk_token_ + "' is not in the vocabulary");
    out.push_back({*unk_id_, 0, static_cast<uint32_t>(word.size())});
    return Status::OK();
  }
  std::optional<uint32_t> TokenToId(std::string_view token) const override {
    auto it = vocab_.find(token);
    if (it == vocab_.end()) return std::nullopt;
    return it->second;
  }
  const std::string* IdToToken(uint32_t id) const override {
    return id < vocab_r_.size() && present_[id] ? &vocab_r_[id] : nullptr;
  }
  size_t VocabSize() const override { return vocab_.size(); }
  std::unordered_map<std::string, uint32_t> GetVocab() const override { return {vocab_.begin(), vocab_.end()}; }
  Json ToJson() const override {
    return Json{{"type", "WordLevel"}, {"vocab", VocabToJson(vocab_r_, present_)}, {"unk_token", unk_token_}};
  }

 private:
  StringIdMap vocab_;
  std::vector<std::string> vocab_r_;
  std::vector<bool> present_;
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
