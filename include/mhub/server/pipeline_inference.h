// What the Hub shows for a model whose card does not say: the task (`pipeline_tag`) from
// config.json's `architectures` (GPT2LMHeadModel -> text-generation, *ForMaskedLM -> fill-mask,
// ...) and the library from the files (config.json -> transformers). The inferred values feed
// repo info, listings and search filters; the card's own `cardData` is left as written.
#pragma once

#include <string>
#include <string_view>

#include "mhub/base/json.h"
#include "mhub/server/model_card.h"
#include "mhub/server/repo_store.h"

namespace mhub::server {

// The task for `architectures[0]` of a config.json (an object), or, failing that, the library's
// usual task ("sentence-transformers" -> sentence-similarity). "" when nothing fits.
std::string InferPipelineTag(const Json& config, std::string_view library_name);

// Fills `card->library_name` and `card->pipeline_tag` where empty, from config.json and the
// sentence-transformers files at `commit` of a model repo. Missing or unreadable files infer
// nothing; only storage failures other than "not found" are errors.
Status InferCardDefaults(const RepoStore& repos, const RepoKey& key, const std::string& commit, CardData* card);

}  // namespace mhub::server
