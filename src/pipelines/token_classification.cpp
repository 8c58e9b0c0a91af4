#include "mhub/pipelines/token_classification.h"

#include <algorithm>
#include <cmath>

namespace mhub::pipelines {

Result<AggregationStrategy> ParseAggregationStrategy(std::string_view name) {
  if (name == "none") return AggregationStrategy::kNone;
  if (name == "simple") return AggregationStrategy::kSimple;
  if (name == "first") return AggregationStrategy::kFirst;
  if (name == "average") return AggregationStrategy::kAverage;
  if (name == "max") return AggregationStrategy::kMax;
  return Status::InvalidArgument("aggregation_strategy must be none, simple, first, average or max, got '" +
                                 std::string(name) + "'");
}

std::string SubstrByCodePoints(const std::string& text, size_t start, size_t end) {
  size_t cp = 0, byte_start = text.size(), byte_end = text.size();
  for (size_t i = 0; i <= text.size(); ++i) {
    bool boundary = i == text.size() || (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    if (!boundary) continue;
    if (cp == start) byte_start = i;
    if (cp == end) {
      byte_end = i;
      break;
    }
    ++cp;
  }
  if (byte_start > byte_end) return "";
  return text.substr(byte_start, byte_end - byte_start);
}

namespace {

struct PreEntity {
  std::string word;
  std::vector<float> scores;
  size_t start, end, index;
  bool is_subword;
};

struct Entity {
  std::string entity;
  float score;
  std::string word;
  size_t start, end;
  std::optional<size_t> index;
};

size_t ArgMaxOf(const std::vector<float>& v) {
  return static_cast<size_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

// Splits "B-PER" into ("B", "PER"); names without a B-/I- prefix count as "I".
std::pair<std::string, std::string> GetTag(const std::string& name) {
  if (name.rfind("B-", 0) == 0) return {"B", name.substr(2)};
  if (name.rfind("I-", 0) == 0) return {"I", name.substr(2)};
  return {"I", name};
}

bool HasSpaceAround(const std::string& text, size_t start) {
  // Python: " " not in sentence[start - 1 : start + 1]
  std::string around = SubstrByCodePoints(text, start - 1, start + 1);
  return around.find(' ') != std::string::npos;
}

}  // namespace

Result<Json> PostprocessTokenClassification(const std::string& text, const std::vector<TokenInfo>& tokens,
                                            const std::vector<float>& logits, size_t num_labels,
                                            const std::vector<std::string>& id2label,
                                            const TokenClassificationOptions& options,
                                            const TokensToString& tokens_to_string) {
  if (num_labels == 0 || logits.size() != tokens.size() * num_labels)
    return Status::InvalidArgument("token-classification: logits do not match tokens x labels");
  if (id2label.size() < num_labels) return Status::InvalidArgument("token-classification: id2label is too short");

  // Per-token softmax, skipping special tokens.
  std::vector<PreEntity> pre;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const TokenInfo& t = tokens[i];
    if (t.special) continue;
    const float* row = logits.data() + i * num_labels;
    float mx = *std::max_element(row, row + num_labels);
    std::vector<float> scores(num_labels);
    double sum = 0;
    for (size_t j = 0; j < num_labels; ++j) sum += scores[j] = std::exp(row[j] - mx);
    for (float& s : scores) s = static_cast<float>(s / sum);
    std::string word_ref = SubstrByCodePoints(text, t.start, t.end);
    bool is_subword;
    std::string word = t.token;
    if (options.word_aware_tokenizer) {
      is_subword = word.size() != word_ref.size();
    } else {
      is_subword = t.start > 0 && !HasSpaceAround(text, t.start);
    }
    if (options.unk_token_id && t.id == *options.unk_token_id) {
      word = word_ref;
      is_subword = false;
    }
    pre.push_back({word, std::move(scores), t.start, t.end, i, is_subword});
  }

  std::vector<Entity> entities;
  if (options.strategy == AggregationStrategy::kNone || options.strategy == AggregationStrategy::kSimple) {
    for (const PreEntity& p : pre) {
      size_t idx = ArgMaxOf(p.scores);
      entities.push_back({id2label[idx], p.scores[idx], p.word, p.start, p.end, p.index});
    }
  } else {
    auto aggregate_word = [&](const std::vector<const PreEntity*>& group) {
      std::vector<std::string> words;
      for (const PreEntity* e : group) words.push_back(e->word);
      std::vector<float> scores;
      if (options.strategy == AggregationStrategy::kFirst) {
        scores = group.front()->scores;
      } else if (options.strategy == AggregationStrategy::kMax) {
        const PreEntity* best = group.front();
        float best_max = *std::max_element(best->scores.begin(), best->scores.end());
        for (const PreEntity* e : group) {
          float m = *std::max_element(e->scores.begin(), e->scores.end());
          if (m > best_max) {
            best = e;
            best_max = m;
          }
        }
        scores = best->scores;
      } else {
        scores.assign(num_labels, 0.0f);
        for (const PreEntity* e : group)
          for (size_t j = 0; j < num_labels; ++j) scores[j] += e->scores[j];
        for (float& s : scores) s /= static_cast<float>(group.size());
      }
      size_t idx = ArgMaxOf(scores);
      return Entity{id2label[idx],        scores[idx],       tokens_to_string(words),
                    group.front()->start, group.back()->end, std::nullopt};
    };
    std::vector<const PreEntity*> group;
    for (const PreEntity& p : pre) {
      if (group.empty() || p.is_subword) {
        group.push_back(&p);
      } else {
        entities.push_back(aggregate_word(group));
        group.assign(1, &p);
      }
    }
    if (!group.empty()) entities.push_back(aggregate_word(group));
  }

  auto ignored = [&](const std::string& label) {
    return std::find(options.ignore_labels.begin(), options.ignore_labels.end(), label) != options.ignore_labels.end();
  };

  Json out = Json::array();
  if (options.strategy == AggregationStrategy::kNone) {
    for (const Entity& e : entities) {
      if (ignored(e.entity)) continue;
      out.push_back({{"entity", e.entity},
                     {"score", e.score},
                     {"index", *e.index},
                     {"word", e.word},
                     {"start", e.start},
                     {"end", e.end}});
    }
    return out;
  }

  // Group adjacent entities with the same tag unless a B- starts a new one.
  auto emit_group = [&](const std::vector<const Entity*>& g) {
    std::string tag = g.front()->entity;
    size_t dash = tag.find('-');
    if (dash != std::string::npos) tag = tag.substr(dash + 1);
    double sum = 0;
    std::vector<std::string> words;
    for (const Entity* e : g) {
      sum += e->score;
      words.push_back(e->word);
    }
    if (ignored(tag)) return;
    out.push_back({{"entity_group", tag},
                   {"score", static_cast<float>(sum / static_cast<double>(g.size()))},
                   {"word", tokens_to_string(words)},
                   {"start", g.front()->start},
                   {"end", g.back()->end}});
  };
  std::vector<const Entity*> disagg;
  for (const Entity& e : entities) {
    if (disagg.empty()) {
      disagg.push_back(&e);
      continue;
    }
    auto [bi, tag] = GetTag(e.entity);
    auto [last_bi, last_tag] = GetTag(disagg.back()->entity);
    (void)last_bi;
    if (tag == last_tag && bi != "B") {
      disagg.push_back(&e);
    } else {
      emit_group(disagg);
      disagg.assign(1, &e);
    }
  }
  if (!disagg.empty()) emit_group(disagg);
  return out;
}

}  // namespace mhub::pipelines
