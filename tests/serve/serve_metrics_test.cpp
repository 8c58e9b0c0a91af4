// /metrics text checked by Prometheus' own promtool (Debian `prometheus`): it parses, and the only
// lint findings are the two naming rules TGI's and TEI's own metric names break (counters without
// `_total`, `tgi_request_count` ending in `_count`), which clients of those names rely on.
#include <gtest/gtest.h>

#include <sstream>

#include "serve/serve_metrics.h"
#include "support/test_support.h"

namespace mhub::serve {
namespace {

using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;
using mhub::testing::TempDir;

TEST(ServeMetrics, PromtoolParsesTheExposition) {
  ServeMetrics m;
  m.Add("tgi_request_count", 3);
  m.Add("tgi_request_failure", 1, "err=\"validation\"");
  m.Add("tgi_request_failure", 2, "err=\"overloaded\"");
  for (double v : {0.0004, 0.02, 0.3, 7.0, 100.0}) m.Observe("tgi_request_duration", v);
  m.Set("tgi_queue_size", 2);
  m.Add("te_request_count", 1, "method=\"batch\"");
  const std::string text = m.Render();
  EXPECT_NE(text.find("tgi_request_failure{err=\"overloaded\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("tgi_request_duration_bucket{le=\"+Inf\"} 5"), std::string::npos) << text;
  EXPECT_NE(text.find("tgi_request_duration_bucket{le=\"0.025\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("tgi_request_duration_count 5"), std::string::npos) << text;

  TempDir dir;
  mhub::testing::WriteFileOrDie(dir / "metrics.txt", text);
  auto r = RunCommand("promtool check metrics < " + ShellQuote(dir / "metrics.txt") + " 2>&1");
  // 0: clean; 3: lint findings only (1 would be a parse error).
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 3) << r.exit_code << "\n" << r.out << r.err;
  std::istringstream lines(r.out + r.err);
  std::string line;
  int findings = 0;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    ++findings;
    const bool naming =
        line.find("counter metrics should have \"_total\" suffix") != std::string::npos ||
        line.find("non-histogram and non-summary metrics should not have \"_count\" suffix") != std::string::npos;
    EXPECT_TRUE(naming) << "promtool: " << line;
    EXPECT_TRUE(line.rfind("tgi_", 0) == 0 || line.rfind("te_", 0) == 0) << line;
  }
  EXPECT_GT(findings, 0);  // promtool did read the counters
}

}  // namespace
}  // namespace mhub::serve
