// Model dispatch on "type" and the shared vocabulary helpers.
#include "tokenizers/models/model.h"

#include <atomic>

namespace mhub::tokenizers {

size_t StringHash::operator()(std::string_view s) const noexcept {
  // FNV-1a, 64-bit: fast on short tokens.
  uint64_t h = 1469598103934665603ull;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return static_cast<size_t>(h ^ (h >> 29));
}

std::vector<std::string> InvertVocab(const StringIdMap& vocab, std::vector<bool>* present) {
  uint32_t max_id = 0;
  for (const auto& [tok, id] : vocab) max_id = std::max(max_id, id);
  std::vector<std::string> by_id(vocab.empty() ? 0 : max_id + 1);
  if (present) present->assign(by_id.size(), false);
  for (const auto& [tok, id] : vocab) {
    by_id[id] = tok;
    if (present) (*present)[id] = true;
  }
  return by_id;
}

uint64_t NextModelSerial() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1);
}

std::vector<std::string> InvertVocab(const StringIndex& vocab, std::vector<bool>* present) {
  uint32_t max_id = 0;
  for (size_t i = 0; i < vocab.size(); ++i) max_id = std::max(max_id, vocab.ValueAt(i));
  std::vector<std::string> by_id(vocab.empty() ? 0 : max_id + 1);
  if (present) present->assign(by_id.size(), false);
  for (size_t i = 0; i < vocab.size(); ++i) {
    by_id[vocab.ValueAt(i)] = vocab.KeyAt(i);
    if (present) (*present)[vocab.ValueAt(i)] = true;
  }
  return by_id;
}

void BuildVocabIndex(const std::vector<std::pair<std::string, uint32_t>>& vocab, StringIndex& index) {
  std::vector<std::string_view> keys;
  std::vector<uint32_t> values;
  keys.reserve(vocab.size());
  values.reserve(vocab.size());
  for (const auto& [tok, id] : vocab) {
    keys.emplace_back(tok);
    values.push_back(id);
  }
  index.InsertAll(keys, values);
}

Json VocabToJson(const std::vector<std::string>& by_id, const std::vector<bool>& present) {
  Json j = Json::object();
  for (size_t id = 0; id < by_id.size(); ++id) {
    if (present[id]) j[by_id[id]] = id;
  }
  return j;
}

Result<ModelTables> Model::TablesFromJson(const Json& j, std::string_view path) {
  std::string p(path);
  ModelTables t;
  if (j.contains("vocab")) {
    const Json& v = j["vocab"];
    if (v.is_object()) {
      t.vocab.reserve(v.size());
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!it.value().is_number_unsigned() && !it.value().is_number_integer()) {
          return Status::InvalidArgument(p + ".vocab." + it.key() + ": expected integer, got " +
                                         JsonTypeName(it.value()));
        }
        int64_t id = it.value().get<int64_t>();
        if (id < 0 || id > 0x7FFFFFFF) return Status::InvalidArgument(p + ".vocab." + it.key() + ": id out of range");
        t.vocab.emplace_back(it.key(), static_cast<uint32_t>(id));
      }
    } else if (v.is_array()) {
      t.scored.reserve(v.size());
      for (size_t i = 0; i < v.size(); ++i) {
        const Json& e = v[i];
        if (!e.is_array() || e.size() != 2 || !e[0].is_string() || !e[1].is_number()) {
          return Status::InvalidArgument(p + ".vocab[" + std::to_string(i) + "]: expected [piece, score]");
        }
        t.scored.emplace_back(e[0].get<std::string>(), e[1].get<double>());
      }
    } else {
      return Status::InvalidArgument(p + ".vocab: expected object or array, got " + JsonTypeName(v));
    }
  }
  if (j.contains("merges") && !j["merges"].is_null()) {
    const Json& m = j["merges"];
    if (!m.is_array()) return Status::InvalidArgument(p + ".merges: expected array, got " + JsonTypeName(m));
    t.merges.reserve(m.size());
    for (size_t i = 0; i < m.size(); ++i) {
      const Json& e = m[i];
      std::string ep = p + ".merges[" + std::to_string(i) + "]";
      if (e.is_string()) {
        const std::string& s = e.get_ref<const std::string&>();
        if (s.rfind("#version", 0) == 0) continue;
        size_t sp = s.find(' ');
        if (sp == std::string::npos || s.find(' ', sp + 1) != std::string::npos) {
          return Status::InvalidArgument(ep + ": merge '" + s + "' is not two tokens separated by one space");
        }
        t.merges.emplace_back(s.substr(0, sp), s.substr(sp + 1));
      } else if (e.is_array() && e.size() == 2 && e[0].is_string() && e[1].is_string()) {
        t.merges_as_pairs = true;
        t.merges.emplace_back(e[0].get<std::string>(), e[1].get<std::string>());
      } else {
        return Status::InvalidArgument(ep + ": expected \"a b\" or [\"a\", \"b\"]");
      }
    }
  }
  return t;
}

Result<std::unique_ptr<Model>> Model::FromJson(const Json& j, std::string_view path) {
  MHUB_ASSIGN_OR_RETURN(ModelTables tables, TablesFromJson(j, path));
  return FromJson(j, std::move(tables), path);
}

Result<std::unique_ptr<Model>> Model::FromJson(const Json& options, ModelTables tables, std::string_view path) {
  std::string p(path);
  if (!options.is_object()) return Status::InvalidArgument(p + ": expected object, got " + JsonTypeName(options));
  std::string type;
  if (options.contains("type")) {
    MHUB_ASSIGN_OR_RETURN(type, JsonString(options, "type", path));
  } else if (!tables.merges.empty() || options.contains("merges")) {
    type = "BPE";
  } else if (!tables.scored.empty()) {
    type = "Unigram";
  } else if (options.contains("continuing_subword_prefix") && options.contains("max_input_chars_per_word")) {
    type = "WordPiece";
  } else {
    type = "WordLevel";
  }
  if (type == "BPE") return MakeBpeModel(options, std::move(tables), path);
  if (type == "WordPiece") return MakeWordPieceModel(options, std::move(tables), path);
  if (type == "Unigram") return MakeUnigramModel(options, std::move(tables), path);
  if (type == "WordLevel") return MakeWordLevelModel(options, std::move(tables), path);
  return Status::InvalidArgument(p + ".type: unknown model '" + type + "'");
}

}  // namespace mhub::tokenizers
