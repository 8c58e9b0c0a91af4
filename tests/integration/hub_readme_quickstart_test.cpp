// The README's quick start, run top to bottom on a fresh data folder: the test reads the block
// marked "quick-start" out of README.md (so the README cannot drift from what works), points it at
// this test's hub and binary (the only two substitutions), and runs it with bash -e.
#include <gtest/gtest.h>

#include <regex>

#include "hub/hub_test_server.h"
#include "mhub/base/json.h"
#include "support/test_support.h"

namespace {

using mhub::testing::HubTestServer;
using mhub::testing::MhubBin;
using mhub::testing::NonEmptyLines;
using mhub::testing::ReadFileOrDie;
using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;
using mhub::testing::SourceDir;
using mhub::testing::TempDir;
using mhub::testing::WriteFileOrDie;

// The ```sh block right after the "<!-- quick-start" marker.
std::string QuickStartBlock() {
  std::string readme = ReadFileOrDie(SourceDir() + "/README.md");
  size_t marker = readme.find("<!-- quick-start");
  if (marker == std::string::npos) return "";
  size_t start = readme.find("```sh\n", marker);
  size_t end = readme.find("\n```", start + 6);
  if (start == std::string::npos || end == std::string::npos) return "";
  return readme.substr(start + 6, end - start - 6);
}

TEST(ReadmeQuickStart, RunsTopToBottomOnAFreshDataFolder) {
  std::string script = QuickStartBlock();
  ASSERT_FALSE(script.empty()) << "README.md has no quick-start block";
  ASSERT_NE(script.find("mhub=build/release/apps/mhub/mhub"), std::string::npos) << script;
  ASSERT_NE(script.find("127.0.0.1:8080"), std::string::npos) << script;

  TempDir cwd;
  HubTestServer server("", "", cwd / "data");  // nobody yet: the README creates its user
  ASSERT_TRUE(server.ok()) << server.error();
  script = std::regex_replace(script, std::regex("mhub=build/release/apps/mhub/mhub"), "mhub=" + ShellQuote(MhubBin()));
  script = std::regex_replace(script, std::regex("127\\.0\\.0\\.1:8080"), "127.0.0.1:" + std::to_string(server.port()));
  WriteFileOrDie(cwd / "quickstart.sh", "set -euo pipefail\ncd " + ShellQuote(cwd.path()) + "\n" + script + "\n");
  auto r = RunCommand("env -u MHUB_TOKEN -u HF_TOKEN -u HF_ENDPOINT -u MHUB_ENDPOINT -u HF_HUB_CACHE HF_HOME=" +
                      ShellQuote(cwd / "home") + " bash " + ShellQuote(cwd / "quickstart.sh"));
  ASSERT_EQ(r.exit_code, 0) << "stdout:\n" << r.out << "\nstderr:\n" << r.err << "\nserver log:\n" << server.Log();

  // The last command's answer: fill-mask predictions, each sequence the text with its token in.
  auto lines = NonEmptyLines(r.out);
  ASSERT_FALSE(lines.empty());
  auto preds = mhub::ParseJson(lines.back());
  ASSERT_TRUE(preds.ok() && preds->is_array() && preds->size() == 5) << lines.back();
  for (const auto& p : *preds) {
    ASSERT_TRUE(p.contains("score") && p.contains("token") && p.contains("token_str")) << p;
    EXPECT_EQ(p["sequence"].get<std::string>().rfind("paris is the ", 0), 0u) << p;
  }
  // What the README says happened did: the model is on the hub and in the huggingface_hub cache.
  EXPECT_NE(r.out.find("model.safetensors"), std::string::npos) << "ls -R lists the weights:\n" << r.out;
  auto cached = RunCommand("ls " + ShellQuote(cwd / "home/hub/models--alice--tiny-bert/snapshots"));
  EXPECT_EQ(cached.exit_code, 0) << cached.err;
}

}  // namespace
