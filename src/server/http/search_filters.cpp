// Listing filters (see search_filters.h). Local apps follow the `displayOnModelPage` rules of
// @huggingface/tasks' local-apps (GGUF, MLX, diffusers, ... models), written as tag groups.
#include "server/http/search_filters.h"

#include <cstring>

namespace mhub::server {
namespace {

// One app: every group must have at least one of its tags (tags include the pipeline tag and the
// library, sqlite_metadata_db.cpp FilterTags).
struct AppRule {
  const char* name;
  std::vector<std::vector<std::string>> groups;
};

const std::vector<AppRule>& AppRules() {
  static const std::vector<AppRule> rules = [] {
    const std::vector<std::string> gguf{"gguf"};
    const std::vector<std::string> gguf_or_mlx{"gguf", "mlx"};
    const std::vector<std::string> llm_tasks{"text-generation", "image-text-to-text"};
    std::vector<AppRule> r;
    for (const char* app :
         {"llama.cpp", "node-llama-cpp", "localai", "jan", "backyard", "msty", "recursechat", "ollama", "jellybox"}) {
      r.push_back({app, {gguf}});
    }
    r.push_back({"lmstudio", {gguf_or_mlx}});
    r.push_back({"atomic-chat", {gguf_or_mlx}});
    r.push_back({"mlx-lm", {{"mlx"}, {"text-generation"}}});
    r.push_back({"vllm", {{"transformers", "gguf"}, llm_tasks}});
    r.push_back({"sglang", {{"transformers", "gguf"}, llm_tasks}});
    r.push_back({"docker-model-runner", {{"transformers", "gguf"}, llm_tasks}});
    r.push_back({"tgi", {{"text-generation-inference"}}});
    r.push_back({"unsloth", {{"unsloth", "gguf"}}});
    r.push_back({"lemonade", {{"gguf", "ryzenai-hybrid", "ryzenai-npu"}}});
    r.push_back({"drawthings", {{"diffusers"}, {"text-to-image", "lora"}}});
    r.push_back({"diffusionbee", {{"diffusers"}, {"text-to-image"}}});
    r.push_back({"joyfusion", {{"coreml"}, {"joyfusion"}, {"text-to-image"}}});
    for (const char* app : {"pi", "hermes-agent", "openclaw"}) r.push_back({app, {gguf_or_mlx, {"conversational"}}});
    return r;
  }();
  return rules;
}

// Providers the HF clients name (@huggingface/inference INFERENCE_PROVIDERS, huggingface_hub's
// PROVIDER_T). None is served by this hub yet.
bool IsKnownProvider(const std::string& p) {
  static const char* const kProviders[] = {"baseten",      "black-forest-labs",
                                           "cerebras",     "clarifai",
                                           "cohere",       "deepinfra",
                                           "fal-ai",       "featherless-ai",
                                           "fireworks-ai", "groq",
                                           "hf-inference", "hyperbolic",
                                           "nebius",       "novita",
                                           "nscale",       "openai",
                                           "ovhcloud",     "publicai",
                                           "replicate",    "sambanova",
                                           "scaleway",     "together",
                                           "wavespeed",    "zai-org"};
  for (const char* k : kProviders) {
    if (p == k) return true;
  }
  return false;
}

std::vector<std::string> SplitComma(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const std::string& v : values) {
    size_t start = 0;
    while (start <= v.size()) {
      size_t comma = v.find(',', start);
      if (comma == std::string::npos) comma = v.size();
      std::string part = v.substr(start, comma - start);
      while (!part.empty() && part.front() == ' ') part.erase(part.begin());
      while (!part.empty() && part.back() == ' ') part.pop_back();
      if (!part.empty()) out.push_back(part);
      start = comma + 1;
    }
  }
  return out;
}

bool IsKnownParameter(const std::string& key, RepoType type) {
  static const char* const kCommon[] = {"search", "author", "filter",   "other",  "sort",  "direction", "limit",
                                        "cursor", "full",   "cardData", "expand", "gated", "language",  "license"};
  static const char* const kModels[] = {"pipeline_tag", "library", "apps", "inference", "inference_provider", "config"};
  std::string k = key;
  if (k.size() > 2 && k.compare(k.size() - 2, 2, "[]") == 0) k.resize(k.size() - 2);
  for (const char* c : kCommon) {
    if (k == c) return true;
  }
  if (type == RepoType::kModel) {
    for (const char* c : kModels) {
      if (k == c) return true;
    }
  }
  return false;
}

}  // namespace

Result<ListingFilters> ParseListingFilters(const HttpRequest& req, RepoType type) {
  for (const auto& [key, value] : req.query) {
    if (!IsKnownParameter(key, type)) {
      return Status::InvalidArgument("unknown or unsupported " + std::string(RepoTypeName(type)) +
                                     " listing parameter '" + key.substr(0, 60) + "'");
    }
  }
  ListingFilters out;
  RepoQuery& q = out.query;
  q.type = type;
  q.search = req.QueryAll("search");
  q.author = req.Query("author");
  q.filters = req.QueryAll("filter");
  // `other` is a comma list of any tags (web.md 1.2).
  for (std::string& tag : SplitComma(req.QueryAll("other"))) q.filters.push_back(std::move(tag));
  q.pipeline_tag = req.Query("pipeline_tag");
  q.library = req.Query("library");
  q.language = req.Query("language");
  q.license = req.Query("license");
  // The web UI spells these with their tag prefix ("license:mit", datasets' "language:en").
  if (q.license.rfind("license:", 0) == 0) q.license = q.license.substr(8);
  if (q.language.rfind("language:", 0) == 0) q.language = q.language.substr(9);
  if (req.HasQuery("gated")) q.gated = req.QueryBool("gated");
  MHUB_ASSIGN_OR_RETURN(q.sort, ParseRepoSort(req.Query("sort")));
  std::string direction = req.Query("direction");
  if (!direction.empty() && direction != "-1" && direction != "1") {
    return Status::InvalidArgument("direction must be -1 or 1");
  }
  q.descending = direction != "1";

  for (const std::string& app : SplitComma(req.QueryAll("apps"))) {
    const AppRule* rule = nullptr;
    for (const AppRule& r : AppRules()) {
      if (app == r.name) rule = &r;
    }
    if (!rule) return Status::InvalidArgument("unknown app '" + app.substr(0, 60) + "' in apps");
    for (const auto& group : rule->groups) q.any_tag_groups.push_back(group);
  }
  for (const std::string& provider : SplitComma(req.QueryAll("inference_provider"))) {
    if (provider != "all" && !IsKnownProvider(provider)) {
      return Status::InvalidArgument("unknown inference provider '" + provider.substr(0, 60) + "'");
    }
    out.matches_nothing = true;  // no model is served by a provider here
  }
  std::string inference = req.Query("inference");
  if (!inference.empty()) {
    if (inference != "warm") return Status::InvalidArgument("inference must be 'warm'");
    out.matches_nothing = true;  // no model is deployed for inference here
  }
  return out;
}

}  // namespace mhub::server
