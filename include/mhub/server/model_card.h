// Model/dataset cards: the YAML front matter of README.md (between a first line "---" and the
// next "---" line), parsed with yaml-cpp into the metadata the Hub indexes and returns as
// `cardData`. No function throws (yaml-cpp exceptions are caught inside).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/result.h"
#include "mhub/server/repo_path.h"

namespace mhub::server {

struct CardData {
  bool has_front_matter = false;
  Json raw = Json::object();           // the whole front matter as JSON (API `cardData`)
  std::string license;                 // "mit"; "" when absent
  std::vector<std::string> languages;  // `language` as a string or a list
  std::vector<std::string> tags;
  std::string pipeline_tag;
  std::string library_name;
  std::vector<std::string> datasets;
  std::vector<std::string> base_models;  // `base_model` as a string or a list
  Json model_index = nullptr;            // `model-index` as JSON, null when absent
};

struct ParsedCard {
  CardData data;
  std::string body;  // the Markdown after the front matter (all of it when there is none)
};

// Splits off and parses the front matter. No front matter -> empty CardData and OK.
// InvalidArgument (with yaml-cpp's line/column) when the YAML is malformed or not a mapping.
// Fields of the wrong type (e.g. `license: [1, 2]`) are left empty here; ValidateCardYaml
// reports them.
Result<ParsedCard> ParseModelCard(std::string_view readme);

// The typed fields of CardData read from front matter already converted to JSON (an object; other
// values give an empty CardData with has_front_matter set).
CardData CardDataFromJson(Json raw);

// Converts YAML text (one document) to JSON: plain scalars become null/bool/int/float when they
// read as such in YAML 1.2 core schema, quoted scalars stay strings. InvalidArgument on bad YAML.
Result<Json> YamlToJson(std::string_view yaml);

// What POST /api/validate-yaml answers (hub-api.md 7.5): errors make the client refuse the
// upload, warnings are printed.
struct YamlValidation {
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
  bool ok() const { return errors.empty(); }
};
// `content` is the README.md text. Errors: malformed YAML, front matter that is not a mapping,
// wrong types for license/language/tags/pipeline_tag/library_name/datasets/base_model,
// a `model-index` that is not a list of {name, results}. Warnings: unknown license id, no
// front matter / empty metadata.
YamlValidation ValidateCardYaml(std::string_view content, RepoType type);

// Tags the Hub derives for search, de-duplicated, in this order: the card's `tags`,
// library_name, "dataset:<id>" per dataset, "base_model:<id>" per base model, pipeline_tag,
// language codes as given (e.g. "en"; datasets use "language:en"), "license:<id>".
std::vector<std::string> DeriveSearchTags(const CardData& card, RepoType type);

}  // namespace mhub::server
