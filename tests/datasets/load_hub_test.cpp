// LoadDataset / OpenSplit of hub dataset repos through a real `mhub server` started by the test:
// files committed with the hub client, resolved by the card's configs or the automatic patterns,
// fetched into the HF cache, pinned to a revision, and a private repo refused without a token.
#include <gtest/gtest.h>

#include <cstdlib>

#include "hub/hub_test_server.h"
#include "mhub/datasets/load.h"
#include "mhub/datasets/value.h"
#include "mhub/hub/hub_client.h"
#include "support/test_support.h"

namespace mhub::datasets {
namespace {

using testing::HubTestServer;
using testing::TempDir;

class LoadHubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.ok()) << server_.error();
    ::setenv("HF_ENDPOINT", server_.url().c_str(), 1);
    ::setenv("HF_TOKEN", server_.token().c_str(), 1);
    ::setenv("HF_HOME", home_.path().c_str(), 1);
    ::setenv("HF_HUB_CACHE", (home_ / "hub").c_str(), 1);
    ::unsetenv("MHUB_ENDPOINT");
    ::unsetenv("MHUB_TOKEN");
    ::unsetenv("HF_HUB_OFFLINE");
  }
  // Creates the dataset repo and commits `files` (path -> content); returns the commit.
  std::string Commit(const std::string& repo_id, const std::vector<std::pair<std::string, std::string>>& files,
                     bool is_private = false) {
    hub::HubClient client = hub::HubClient::FromEnv();
    hub::RepoRef repo{repo_id, hub::RepoType::kDataset};
    hub::CreateRepoOptions co;
    co.exist_ok = true;
    co.is_private = is_private;
    EXPECT_TRUE(client.create_repo(repo, co).ok());
    std::vector<hub::CommitOperation> ops;
    for (const auto& [path, content] : files) ops.push_back(hub::CommitOperation::AddBytes(path, content));
    auto info = client.create_commit(repo, ops);
    EXPECT_TRUE(info.ok()) << info.status();
    return info.ok() ? info->commit_oid : "";
  }
  static std::vector<std::string> Rows(const Dataset& ds) {
    std::vector<std::string> out;
    for (int64_t i = 0; i < ds.num_rows(); ++i) out.push_back(ds.Row(i)->ToJson());
    return out;
  }

  HubTestServer server_{"bob"};
  TempDir home_;
};

TEST_F(LoadHubTest, AutomaticSplitsAndRevisions) {
  std::string first = Commit("bob/auto", {{"train.csv", "a,b\n1,x\n2,y\n"}, {"test.csv", "a,b\n3,z\n"}});
  LoadOptions o;
  o.cache_dir = home_ / "datasets";
  auto dd = LoadDataset("bob/auto", o);
  ASSERT_TRUE(dd.ok()) << dd.status();
  ASSERT_EQ(dd->splits.size(), 2u);
  EXPECT_EQ(dd->splits[0].first, "train");
  EXPECT_EQ(Rows(dd->splits[0].second), (std::vector<std::string>{R"({"a":1,"b":"x"})", R"({"a":2,"b":"y"})"}));
  EXPECT_EQ(Rows(dd->splits[1].second), (std::vector<std::string>{R"({"a":3,"b":"z"})"}));

  // A second commit changes train; the first commit still loads what it held.
  Commit("bob/auto", {{"train.csv", "a,b\n7,q\n"}});
  auto now = LoadDataset("bob/auto", o);
  ASSERT_TRUE(now.ok()) << now.status();
  EXPECT_EQ(Rows(now->splits[0].second), std::vector<std::string>{R"({"a":7,"b":"q"})"});
  o.revision = first;
  auto then = LoadDataset("bob/auto", o);
  ASSERT_TRUE(then.ok()) << then.status();
  EXPECT_EQ(then->splits[0].second.num_rows(), 2);
}

TEST_F(LoadHubTest, CardConfigsAndStreaming) {
  Commit("bob/cards", {{"README.md",
                        "---\nconfigs:\n- config_name: en\n  data_files:\n  - split: train\n    path: en/*.jsonl\n"
                        "  default: true\n- config_name: fr\n  data_files: fr/data.jsonl\n---\n"},
                       {"en/a.jsonl", "{\"t\": \"hello\"}\n"},
                       {"en/b.jsonl", "{\"t\": \"world\"}\n"},
                       {"fr/data.jsonl", "{\"t\": \"bonjour\"}\n"}});
  LoadOptions o;
  o.cache_dir = home_ / "datasets";
  auto en = LoadDataset("bob/cards", o);
  ASSERT_TRUE(en.ok()) << en.status();
  EXPECT_EQ(Rows(en->splits[0].second), (std::vector<std::string>{R"({"t":"hello"})", R"({"t":"world"})"}));
  o.config = "fr";
  auto stream = OpenSplit("bob/cards", o);
  ASSERT_TRUE(stream.ok()) << stream.status();
  EXPECT_EQ(stream->split, "train");
  auto batch = stream->reader->Next();
  ASSERT_TRUE(batch.ok() && *batch) << batch.status();
  EXPECT_EQ(RowToJson(**batch, 0), R"({"t":"bonjour"})");
  o.config = "de";
  EXPECT_EQ(LoadDataset("bob/cards", o).status().code(), StatusCode::kNotFound);
}

TEST_F(LoadHubTest, PrivateRepoNeedsTheToken) {
  Commit("bob/secret", {{"data.jsonl", "{\"x\": 1}\n"}}, /*is_private=*/true);
  LoadOptions o;
  o.cache_dir = home_ / "datasets";
  ASSERT_TRUE(LoadDataset("bob/secret", o).ok());
  ::unsetenv("HF_TOKEN");
  auto anonymous = LoadDataset("bob/secret", o);
  ASSERT_FALSE(anonymous.ok());
  EXPECT_TRUE(anonymous.status().code() == StatusCode::kNotFound ||
              anonymous.status().code() == StatusCode::kUnauthenticated)
      << anonymous.status();
}

}  // namespace
}  // namespace mhub::datasets
