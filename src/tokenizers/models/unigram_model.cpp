// Unigram (HF models/unigram, SentencePiece's encode_optimized): Viterbi over all vocabulary
// pieces that start at each char; unknown chars get an unk edge; consecutive unks fuse.
#include <cmath>

#include "tokenizers/models/model.h"
#include "tokenizers/unicode.h"

namespace mhub::tokenizers {
namespace {

class UnigramModel final : public Model {
 public:
  Status Init(const Json& options, ModelTables tables, std::string_view path) {
    std::string p(path);
    if (options.contains("unk_id") && !options["unk_id"].is_null()) {
      MHUB_ASSIGN_OR_RETURN(int64_t unk, JsonInt(options, "unk_id", path));
      if (unk < 0 || static_cast<size_t>(unk) >= tables.scored.size()) {
        return Status::InvalidArgument(p + ".unk_id: out of range of the vocabulary");
      }
      unk_id_ = static_cast<uint32_t>(unk);
    }
    MHUB_ASSIGN_OR_RETURN(byte_fallback_, JsonBoolOr(options, "byte_fallback", path, false));
    if (!tables.vocab.empty()) return Status::InvalidArgument(p + ".vocab: expected [[piece, score], ...] for Unigram");
    pieces_ = std::move(tables.scored);
    min_score_ = INFINITY;
    for (size_t i = 0; i < pieces_.size(); ++i) {
      ids_[pieces_[i].first] = static_cast<uint32_t>(i);
      min_score_ = std::min(min_score_, pieces_[i].second);
      max_piece_bytes_ = std::max(max_piece_bytes_, pieces_[i].first.size());
    }
    if (pieces_.empty()) min_score_ = 0.0;
    for (int b = 0; b < 256; ++b) {
      char name[8];
      std::snprintf(name, sizeof(name), "<0x%02X>", b);
      auto it = ids_.find(std::string_view(name, 6));
      byte_ids_[b] = it == ids_.end() ? -1 : static_cast<int64_t>(it->second);
    }
    return Status::OK();
  }

  Status Tokenize(std::string_view s, bool, std::vector<ModelToken>& out) const override {
    if (s.empty()) return Status::OK();
    const size_t size = s.size();
    const double unk_score = min_score_ - 10.0;
    struct Node {
      int64_t starts_at = -1;
      uint32_t id = 0;
      double score = 0.0;
    };
    std::vector<Node> best(size + 1);
    size_t start = 0;
    while (start < size) {
      const double base = best[start].score;
      const size_t mblen = unicode::CharLen(static_cast<unsigned char>(s[start]));
      bool has_single = false;
      const size_t limit = std::min(size, start + max_piece_bytes_);
      for (size_t end = start + 1; end <= limit; ++end) {
        auto it = ids_.find(s.substr(start, end - start));
        if (it == ids_.end()) continue;
        Node& target = best[end];
        double cand = pieces_[it->second].second + base;
        if (target.starts_at < 0 || cand > target.score) {
          target.score = cand;
          target.starts_at = static_cast<int64_t>(start);
          target.id = it->second;
        }
        if (end - start == mblen) has_single = true;
      }
      if (!has_single) {
        if (!unk_id_) return Status::InvalidArgument("Unigram: unknown character and the model has no unk_id");
        Node& target = best[start + mblen];
        double cand = unk_score + base;
        if (target.starts_at < 0 || cand > target.score) {
          target.score = cand;
          target.starts_at = static_cast<int64_t>(start);
          target.id = *unk_id_;
        }
      }
      start += mblen;
    }
    // Backtrack; fuse consecutive unk pieces.
    std::vector<std::pair<uint32_t, uint32_t>> spans;  // [begin, end) in reverse order
    size_t end = size;
    int64_t unk_end = -1;
    while (end > 0) {
      const Node& node = best[end];
      size_t st = static_cast<size_t>(node.starts_at);
      if (unk_id_ && node.id == *unk_id_) {
        if (unk_end < 0) unk_end = static_cast<int64_t>(end);
      } else {
        if (unk_end >= 0) {
          spans.emplace_back(static_cast<uint32_t>(end), static_cast<uint32_t>(unk_end));
          unk_end = -1;
        }
        spans.emplace_back(static_cast<uint32_t>(st), static_cast<uint32_t>(end));
      }
      end = st;
    }
    if (unk_end >= 0) spans.emplace_back(0, static_cast<uint32_t>(unk_end));
    for (size_t k = spans.size(); k-- > 0;) {
      auto [b, e] = spans[k];
      std::string_view piece = s.substr(b, e - b);
      auto it = ids_.find(piece);
      if (it != ids_.end()) {
        out.push_back({it->second, b, e, true});
        continue;
      }
      if (byte_fallback_) {
        bool all = true;
        for (unsigned char c : piece) all = all && byte_ids_[c] >= 0;
        if (all) {
          for (unsigned char c : piece) out.push_back({static_cast<uint32_t>(byte_ids_[c]), b, e, false});
          continue;
        }
      }
      if (!unk_id_) return Status::InvalidArgument("Unigram: unknown piece and the model has no unk_id");
      out.push_back({*unk_id_, b, e, true});
    }
    return Status::OK();
  }

  std::optional<uint32_t> TokenToId(std::string_view token) const override {
    auto it = ids_.find(token);
    if (it == ids_.end()) return std::nullopt;
    return it->second;
  }
  const std::string* IdToToken(uint32_t id) const override {
    return id < pieces_.size() ? &pieces_[id].first : nullptr;
  }
  size_t VocabSize() const override { return pieces_.size(); }
  std::unordered_map<std::string, uint32_t> GetVocab() const override { return {ids_.begin(), ids_.end()}; }
  Json ToJson() const override {
    Json vocab = Json::array();
    for (const auto& [piece, score] : pieces_) vocab.push_back(Json::array({piece, score}));
    return Json{{"type", "Unigram"},
                {"unk_id", unk_id_ ? Json(*unk_id_) : Json(nullptr)},
                {"vocab", vocab},
                {"byte_fallback", byte_fallback_}};
  }

 private:
  std::vector<std::pair<std::string, double>> pieces_;
  StringIdMap ids_;
  std::optional<uint32_t> unk_id_;
  bool byte_fallback_ = false;
  double min_score_ = 0.0;
  size_t max_piece_bytes_ = 0;
  std::array<int64_t, 256> byte_ids_{};
};

}  // namespace

Result<std::unique_ptr<Model>> MakeUnigramModel(const Json& options, ModelTables tables, std::string_view path) {
  auto model = std::make_unique<UnigramModel>();
  MHUB_RETURN_IF_ERROR(model->Init(options, std::move(tables), path));
  return std::unique_ptr<Model>(std::move(model));
}

}  // namespace mhub::tokenizers
