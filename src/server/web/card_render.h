// Model and dataset cards as HTML: the README body through cmark-gfm (tables, strikethrough,
// autolinks; raw HTML is omitted and javascript: links dropped by cmark's safe mode, and the
// tagfilter extension on top), the YAML metadata as chips, and model-index as a results table.
#pragma once

#include <string>
#include <string_view>

#include "mhub/base/json.h"
#include "mhub/server/model_card.h"

namespace mhub::server::web {

// Markdown to safe HTML (no element or attribute from the input survives except what Markdown
// itself produces).
std::string RenderMarkdown(std::string_view markdown);

// The text after a front matter block (or all of it), even when the YAML in it is malformed.
std::string_view CardBody(std::string_view readme);

// <ul class="chips"> of task, library, languages, license, datasets, base models and tags.
std::string MetadataChips(const CardData& card);

// The eval results of `model-index` ([{name, results: [{task, dataset, metrics}]}]) as a table;
// "" when there are none. Values of any JSON type are shown as text.
std::string EvalResultsTable(const Json& model_index);

}  // namespace mhub::server::web
