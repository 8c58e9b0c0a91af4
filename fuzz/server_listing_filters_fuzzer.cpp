// Fuzzes what a listing request and a pushed config.json feed the Hub-conformance code: the search
// filters of GET /api/{models,datasets,spaces} (input split at '&' and '=' into query pairs) and
// the task inference from config.json (the input as JSON). Beyond "no crash": a refused filter
// names a reason, and an inferred task is a plain lowercase Hub task id.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "mhub/base/json.h"
#include "mhub/server/pipeline_inference.h"
#include "server/http/search_filters.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  mhub::server::HttpRequest req;
  req.method = "GET";
  size_t start = 0;
  while (start <= input.size()) {
    size_t amp = input.find('&', start);
    if (amp == std::string::npos) amp = input.size();
    std::string pair = input.substr(start, amp - start);
    size_t eq = pair.find('=');
    req.query.emplace_back(pair.substr(0, eq), eq == std::string::npos ? "" : pair.substr(eq + 1));
    start = amp + 1;
  }
  for (auto type : {mhub::hub::RepoType::kModel, mhub::hub::RepoType::kDataset, mhub::hub::RepoType::kSpace}) {
    auto filters = mhub::server::ParseListingFilters(req, type);
    if (!filters.ok()) Check(!filters.status().message().empty());
  }
  auto config = mhub::ParseJson(input, "config.json");
  if (config.ok()) {
    for (const char* library : {"", "transformers", "sentence-transformers", "timm"}) {
      std::string task = mhub::server::InferPipelineTag(*config, library);
      for (char c : task) Check((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
    }
  }
  return 0;
}
