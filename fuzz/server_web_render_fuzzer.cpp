// Fuzzes what the website renders from repo content (src/server/web): Markdown cards through
// cmark-gfm (property: no raw <script>/<iframe> element and no javascript: link survives), the
// front matter split, safetensors header summaries (no overflow, no exception), and the line diff
// of the input's two halves (property: the edit script rebuilds both sides).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "server/web/card_render.h"
#include "server/web/line_diff.h"
#include "server/web/safetensors_summary.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mhub::server::web;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string html = RenderMarkdown(CardBody(input));
  for (char& c : html) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (html.find("<script") != std::string::npos || html.find("<iframe") != std::string::npos ||
      html.find("href=\"javascript:") != std::string::npos) {
    std::abort();
  }
  SafetensorsSummary sum;
  (void)AddSafetensorsHeader(input, &sum);
  const std::string_view a = input.substr(0, size / 2), b = input.substr(size / 2);
  auto la = SplitLines(a), lb = SplitLines(b);
  auto diff = DiffLines(la, lb, 1u << 20);
  if (diff) {
    std::vector<std::string_view> ra, rb;
    for (const auto& l : *diff) {
      if (l.op != '+') ra.push_back(l.text);
      if (l.op != '-') rb.push_back(l.text);
    }
    if (ra != la || rb != lb) std::abort();
  }
  return 0;
}
