// README.md front matter -> CardData, and the search tags derived from it.
#include "mhub/server/model_card.h"

#include <set>

#include "server/cards/front_matter.h"

namespace mhub::server {
namespace {

// A string, or a list whose string items are taken (other items skipped).
std::vector<std::string> StringOrList(const Json& v) {
  std::vector<std::string> out;
  if (v.is_string()) {
    out.push_back(v.get<std::string>());
  } else if (v.is_array()) {
    for (const Json& item : v) {
      if (item.is_string()) out.push_back(item.get<std::string>());
    }
  }
  return out;
}

std::string StringField(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

std::vector<std::string> ListField(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end()) return {};
  return StringOrList(*it);
}

}  // namespace

FrontMatterSplit SplitFrontMatter(std::string_view text) {
  FrontMatterSplit out;
  out.body = text;
  size_t i = 0;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
  if (text.substr(i, 3) != "---") return out;
  i += 3;
  if (i >= text.size() || (text[i] != '\n' && text[i] != '\r')) return out;
  while (i < text.size() && (text[i] == '\n' || text[i] == '\r')) ++i;
  const size_t yaml_start = i;
  // Line by line until a line that is exactly "---" (a trailing '\r' allowed).
  size_t line = yaml_start;
  while (line <= text.size()) {
    size_t end = text.find('\n', line);
    const bool last = end == std::string_view::npos;
    if (last) end = text.size();
    std::string_view content = text.substr(line, end - line);
    if (!content.empty() && content.back() == '\r') content.remove_suffix(1);
    if (content == "---") {
      size_t yaml_end = line;
      while (yaml_end > yaml_start && (text[yaml_end - 1] == '\n' || text[yaml_end - 1] == '\r')) --yaml_end;
      out.found = true;
      out.yaml = text.substr(yaml_start, yaml_end - yaml_start);
      out.body = last ? std::string_view() : text.substr(end + 1);
      return out;
    }
    if (last) break;
    line = end + 1;
  }
  return out;
}

CardData CardDataFromJson(Json raw) {
  CardData d;
  d.has_front_matter = true;
  if (!raw.is_object()) return d;
  d.license = StringField(raw, "license");
  d.languages = ListField(raw, "language");
  d.tags = ListField(raw, "tags");
  d.pipeline_tag = StringField(raw, "pipeline_tag");
  d.library_name = StringField(raw, "library_name");
  d.datasets = ListField(raw, "datasets");
  d.base_models = ListField(raw, "base_model");
  if (auto it = raw.find("model-index"); it != raw.end()) d.model_index = *it;
  d.raw = std::move(raw);
  return d;
}

Result<ParsedCard> ParseModelCard(std::string_view readme) {
  ParsedCard card;
  const FrontMatterSplit split = SplitFrontMatter(readme);
  card.body = std::string(split.body);
  if (!split.found) return card;
  MHUB_ASSIGN_OR_RETURN(Json raw, YamlToJson(split.yaml));
  if (raw.is_null()) raw = Json::object();
  if (!raw.is_object()) return Status::InvalidArgument("README.md metadata must be a YAML mapping");
  card.data = CardDataFromJson(std::move(raw));
  return card;
}

std::vector<std::string> DeriveSearchTags(const CardData& card, RepoType type) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& tag) {
    if (!tag.empty() && seen.insert(tag).second) out.push_back(tag);
  };
  for (const auto& t : card.tags) add(t);
  add(card.library_name);
  for (const auto& d : card.datasets) add("dataset:" + d);
  for (const auto& b : card.base_models) add("base_model:" + b);
  add(card.pipeline_tag);
  if (type == RepoType::kDataset) {
    for (const char* key : {"task_categories", "task_ids", "size_categories", "multilinguality"}) {
      if (auto it = card.raw.find(key); it != card.raw.end()) {
        for (const auto& v : StringOrList(*it)) add(std::string(key) + ":" + v);
      }
    }
  }
  for (const auto& lang : card.languages) add(type == RepoType::kDataset ? "language:" + lang : lang);
  if (!card.license.empty()) add("license:" + card.license);
  return out;
}

}  // namespace mhub::server
