// POST /api/validate-yaml semantics: errors block an upload, warnings are shown (model_card.h).
#include <set>
#include <string>

#include "mhub/server/model_card.h"
#include "server/cards/front_matter.h"

namespace mhub::server {
namespace {

// License ids the Hub offers (https://huggingface.co/docs/hub/repositories-licenses).
const std::set<std::string>& KnownLicenses() {
  static const std::set<std::string> kLicenses = {"apache-2.0",
                                                  "mit",
                                                  "openrail",
                                                  "bigscience-openrail-m",
                                                  "creativeml-openrail-m",
                                                  "bigscience-bloom-rail-1.0",
                                                  "bigcode-openrail-m",
                                                  "afl-3.0",
                                                  "artistic-2.0",
                                                  "bsl-1.0",
                                                  "bsd",
                                                  "bsd-2-clause",
                                                  "bsd-3-clause",
                                                  "bsd-3-clause-clear",
                                                  "c-uda",
                                                  "cc",
                                                  "cc0-1.0",
                                                  "cc-by-2.0",
                                                  "cc-by-2.5",
                                                  "cc-by-3.0",
                                                  "cc-by-4.0",
                                                  "cc-by-sa-3.0",
                                                  "cc-by-sa-4.0",
                                                  "cc-by-nc-2.0",
                                                  "cc-by-nc-3.0",
                                                  "cc-by-nc-4.0",
                                                  "cc-by-nd-4.0",
                                                  "cc-by-nc-nd-3.0",
                                                  "cc-by-nc-nd-4.0",
                                                  "cc-by-nc-sa-2.0",
                                                  "cc-by-nc-sa-3.0",
                                                  "cc-by-nc-sa-4.0",
                                                  "cdla-sharing-1.0",
                                                  "cdla-permissive-1.0",
                                                  "cdla-permissive-2.0",
                                                  "wtfpl",
                                                  "ecl-2.0",
                                                  "epl-1.0",
                                                  "epl-2.0",
                                                  "etalab-2.0",
                                                  "eupl-1.1",
                                                  "eupl-1.2",
                                                  "agpl-3.0",
                                                  "gfdl",
                                                  "gpl",
                                                  "gpl-2.0",
                                                  "gpl-3.0",
                                                  "lgpl",
                                                  "lgpl-2.1",
                                                  "lgpl-3.0",
                                                  "isc",
                                                  "h-research",
                                                  "intel-research",
                                                  "lppl-1.3c",
                                                  "ms-pl",
                                                  "apple-ascl",
                                                  "apple-amlr",
                                                  "mpl-2.0",
                                                  "odc-by",
                                                  "odbl",
                                                  "openrail++",
                                                  "osl-3.0",
                                                  "postgresql",
                                                  "ofl-1.1",
                                                  "ncsa",
                                                  "unlicense",
                                                  "zlib",
                                                  "pddl",
                                                  "lgpl-lr",
                                                  "deepfloyd-if-license",
                                                  "fair-noncommercial-research-license",
                                                  "llama2",
                                                  "llama3",
                                                  "llama3.1",
                                                  "llama3.2",
                                                  "llama3.3",
                                                  "llama4",
                                                  "gemma",
                                                  "unknown",
                                                  "other"};
  return kLicenses;
}

// Task ids of the Hub's pipeline_tag taxonomy.
const std::set<std::string>& KnownPipelineTags() {
  static const std::set<std::string> kTags = {"text-classification",
                                              "token-classification",
                                              "table-question-answering",
                                              "question-answering",
                                              "zero-shot-classification",
                                              "translation",
                                              "summarization",
                                              "feature-extraction",
                                              "text-generation",
                                              "text2text-generation",
                                              "fill-mask",
                                              "sentence-similarity",
                                              "text-to-speech",
                                              "text-to-audio",
                                              "automatic-speech-recognition",
                                              "audio-to-audio",
                                              "audio-classification",
                                              "audio-text-to-text",
                                              "voice-activity-detection",
                                              "depth-estimation",
                                              "image-classification",
                                              "object-detection",
                                              "image-segmentation",
                                              "text-to-image",
                                              "image-to-text",
                                              "image-to-image",
                                              "image-to-video",
                                              "unconditional-image-generation",
                                              "video-classification",
                                              "reinforcement-learning",
                                              "robotics",
                                              "tabular-classification",
                                              "tabular-regression",
                                              "tabular-to-text",
                                              "table-to-text",
                                              "multiple-choice",
                                              "text-ranking",
                                              "text-retrieval",
                                              "time-series-forecasting",
                                              "text-to-video",
                                              "image-text-to-text",
                                              "visual-question-answering",
                                              "document-question-answering",
                                              "zero-shot-image-classification",
                                              "graph-ml",
                                              "mask-generation",
                                              "zero-shot-object-detection",
                                              "text-to-3d",
                                              "image-to-3d",
                                              "image-feature-extraction",
                                              "video-text-to-text",
                                              "keypoint-detection",
                                              "visual-document-retrieval",
                                              "any-to-any",
                                              "video-to-video",
                                              "other"};
  return kTags;
}

bool IsStringList(const Json& v) {
  if (!v.is_array()) return false;
  for (const Json& item : v) {
    if (!item.is_string()) return false;
  }
  return true;
}

void CheckStringOrList(const Json& meta, const char* key, YamlValidation* out) {
  auto it = meta.find(key);
  if (it == meta.end() || it->is_null()) return;
  if (!it->is_string() && !IsStringList(*it)) {
    out->errors.push_back(std::string("\"") + key + "\" must be a string or a list of strings");
  }
}

void CheckString(const Json& meta, const char* key, YamlValidation* out) {
  auto it = meta.find(key);
  if (it == meta.end() || it->is_null()) return;
  if (!it->is_string()) out->errors.push_back(std::string("\"") + key + "\" must be a string");
}

void CheckModelIndex(const Json& meta, YamlValidation* out) {
  auto it = meta.find("model-index");
  if (it == meta.end() || it->is_null()) return;
  if (!it->is_array()) {
    out->errors.push_back("\"model-index\" must be a list");
    return;
  }
  for (size_t i = 0; i < it->size(); ++i) {
    const Json& entry = (*it)[i];
    const std::string where = "\"model-index[" + std::to_string(i) + "]\"";
    if (!entry.is_object()) {
      out->errors.push_back(where + " must be an object");
      continue;
    }
    auto name = entry.find("name");
    if (name == entry.end() || !name->is_string()) out->errors.push_back(where + ".name must be a string");
    auto results = entry.find("results");
    if (results == entry.end() || !results->is_array()) {
      out->errors.push_back(where + ".results must be a list");
      continue;
    }
    for (size_t r = 0; r < results->size(); ++r) {
      const Json& res = (*results)[r];
      const std::string rw = where + ".results[" + std::to_string(r) + "]";
      if (!res.is_object()) {
        out->errors.push_back(rw + " must be an object");
        continue;
      }
      auto task = res.find("task");
      if (task == res.end() || !task->is_object() || !task->contains("type")) {
        out->errors.push_back(rw + ".task.type is required");
      }
      auto metrics = res.find("metrics");
      if (metrics != res.end() && !metrics->is_array()) out->errors.push_back(rw + ".metrics must be a list");
    }
  }
}

}  // namespace

YamlValidation ValidateCardYaml(std::string_view content, RepoType type) {
  YamlValidation out;
  const FrontMatterSplit split = SplitFrontMatter(content);
  if (!split.found) {
    out.warnings.push_back("empty or missing yaml metadata in repo card");
    return out;
  }
  auto parsed = YamlToJson(split.yaml);
  if (!parsed.ok()) {
    out.errors.push_back(parsed.status().message());
    return out;
  }
  Json meta = std::move(parsed).value();
  if (meta.is_null() || (meta.is_object() && meta.empty())) {
    out.warnings.push_back("empty or missing yaml metadata in repo card");
    return out;
  }
  if (!meta.is_object()) {
    out.errors.push_back("metadata must be a YAML mapping (key: value), got " + JsonTypeName(meta));
    return out;
  }
  // license: one id (a list is accepted by the Hub for datasets).
  if (auto it = meta.find("license"); it != meta.end() && !it->is_null()) {
    if (it->is_string() || (type == RepoType::kDataset && IsStringList(*it))) {
      for (const Json& l : it->is_string() ? Json::array({*it}) : *it) {
        if (!KnownLicenses().count(l.get<std::string>())) {
          out.warnings.push_back("\"license\" '" + l.get<std::string>() +
                                 "' is not a known license id; use 'other' with license_name and license_link");
        }
      }
    } else {
      out.errors.push_back("\"license\" must be a string");
    }
  }
  CheckStringOrList(meta, "language", &out);
  CheckStringOrList(meta, "tags", &out);
  CheckStringOrList(meta, "datasets", &out);
  CheckStringOrList(meta, "base_model", &out);
  CheckString(meta, "library_name", &out);
  CheckString(meta, "pipeline_tag", &out);
  if (auto it = meta.find("pipeline_tag");
      it != meta.end() && it->is_string() && !KnownPipelineTags().count(it->get<std::string>())) {
    out.warnings.push_back("\"pipeline_tag\" '" + it->get<std::string>() + "' is not a known task");
  }
  if (type == RepoType::kDataset) {
    CheckStringOrList(meta, "task_categories", &out);
    CheckStringOrList(meta, "size_categories", &out);
  }
  CheckModelIndex(meta, &out);
  return out;
}

}  // namespace mhub::server
