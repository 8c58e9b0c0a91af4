// The Parquet converter reads configs as `datasets` does (training.md §6.1): a root
// .huggingface.yaml is merged over the card's YAML, so its `configs:` name the configs and their
// splits; the viewer lists the default config first, then the others alphabetically (web.md §2.4).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mhub/base/json.h"
#include "server/http_test_support.h"

namespace mhub::testing {
namespace {

TEST(ViewerConfigsTest, HuggingfaceYamlConfigsAreConverted) {
  InProcessHub hub;
  const std::string auth = "Authorization: Bearer " + hub.CreateUser("alice");
  ASSERT_EQ(ApiCall(hub.url(), "POST", "/api/repos/create", auth, "{\"name\":\"cfg\",\"type\":\"dataset\"}").status,
            200);
  const std::vector<std::pair<std::string, std::string>> files = {
      {".huggingface.yaml",
       "configs:\n"
       "- config_name: zeta\n"
       "  data_files: \"z/*.jsonl\"\n"
       "- config_name: alpha\n"
       "  data_files:\n"
       "  - split: test\n"
       "    path: \"a/test.jsonl\"\n"
       "  - split: train\n"
       "    path: \"a/train.jsonl\"\n"},
      {"a/train.jsonl", "{\"x\": 1}\n{\"x\": 2}\n{\"x\": 3}\n"},
      {"a/test.jsonl", "{\"x\": 4}\n"},
      {"z/one.jsonl", "{\"y\": \"a\"}\n{\"y\": \"b\"}\n"},
  };
  std::string body = "{\"key\":\"header\",\"value\":{\"summary\":\"data\"}}\n";
  for (const auto& [path, content] : files) {
    body += DumpJson(Json{{"key", "file"},
                          {"value", {{"path", path}, {"content", Base64(content)}, {"encoding", "base64"}}}}) +
            "\n";
  }
  CurlReply c = ApiCall(hub.url(), "POST", "/api/datasets/alice/cfg/commit/main", auth, body, "application/x-ndjson");
  ASSERT_EQ(c.status, 200) << c.body;
  CurlReply r;
  for (int i = 0; i < 600; ++i) {
    r = Curl("GET", hub.url() + "/api/viewer/splits?dataset=alice/cfg");
    if (r.status != 500 || r.Header("x-error-code") != "ResponseNotReady") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(r.status, 200) << r.body;
  Json splits = ParseOrDie(r.body)["splits"];
  std::vector<std::string> got;
  for (const auto& s : splits) got.push_back(s["config"].get<std::string>() + "/" + s["split"].get<std::string>());
  EXPECT_EQ(got, (std::vector<std::string>{"alpha/test", "alpha/train", "zeta/train"}));

  Json rows = ParseOrDie(Curl("GET", hub.url() + "/api/viewer/rows?dataset=alice/cfg&config=alpha&split=train").body);
  ASSERT_EQ(rows["rows"].size(), 3u) << rows;
  EXPECT_EQ(rows["rows"][2]["row"]["x"], 3);
  rows = ParseOrDie(Curl("GET", hub.url() + "/api/viewer/rows?dataset=alice/cfg&config=zeta&split=train").body);
  ASSERT_EQ(rows["rows"].size(), 2u) << rows;
  EXPECT_EQ(rows["rows"][1]["row"]["y"], "b");
  const std::string tree = RunCommand("git --git-dir=" + ShellQuote(hub.data_dir() + "/repos/datasets/alice/cfg.git") +
                                      " ls-tree -r --name-only refs/convert/parquet")
                               .out;
  EXPECT_EQ(tree, ".gitattributes\nalpha/test/0000.parquet\nalpha/train/0000.parquet\nzeta/train/0000.parquet\n");
}

}  // namespace
}  // namespace mhub::testing
