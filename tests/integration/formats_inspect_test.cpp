// `mhub inspect` on checkpoints written by PyTorch (tests/clients/formats_torch_safetensors.py):
// the parameter count must equal torch's sum of numel.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mhub/base/json.h"
#include "support/test_support.h"

namespace {

using mhub::Json;
using mhub::testing::MhubBin;
using mhub::testing::Python;
using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;
using mhub::testing::SourceDir;
using mhub::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Inspect(const std::string& args) { return ShellQuote(MhubBin()) + " inspect " + args; }

class InspectTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    auto run = RunCommand(Python() + " " + ShellQuote(SourceDir() + "/tests/clients/formats_torch_safetensors.py") +
                          " shards " + ShellQuote(dir_->path()) + " 3");
    ASSERT_EQ(run.exit_code, 0) << run.err;
    torch_ = new Json(Json::parse(run.out));
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete torch_;
  }
  static TempDir* dir_;
  static Json* torch_;
};
TempDir* InspectTest::dir_ = nullptr;
Json* InspectTest::torch_ = nullptr;

TEST_F(InspectTest, ShardedFolderJsonMatchesTorch) {
  auto run = RunCommand(Inspect(ShellQuote(dir_->path()) + " --json"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(run.err.empty()) << run.err;
  Json out = Json::parse(run.out);
  EXPECT_EQ(out["total_parameters"], (*torch_)["total_parameters"]);
  EXPECT_EQ(out["total_bytes"], (*torch_)["total_size"]);
  EXPECT_EQ(out["tensors"].size(), (*torch_)["tensors"].get<size_t>());
  EXPECT_EQ(out["shards"].size(), 3u);
  EXPECT_EQ(out["metadata"]["format"], "pt");
  int64_t sum = 0;
  for (const Json& t : out["tensors"]) {
    int64_t numel = 1;
    for (const Json& d : t["shape"]) numel *= d.get<int64_t>();
    EXPECT_EQ(t["parameters"], numel);
    EXPECT_EQ(t["dtype"], "BF16");
    EXPECT_EQ(t["bytes"], numel * 2);
    sum += numel;
  }
  EXPECT_EQ(sum, (*torch_)["total_parameters"].get<int64_t>());

  Json config = Json::parse(mhub::testing::ReadFileOrDie(dir_->path() + "/config.json"));
  EXPECT_EQ(out["config"]["model_type"], "llama");
  EXPECT_EQ(out["config"]["hidden_size"], config["hidden_size"]);
  EXPECT_EQ(out["config"]["num_hidden_layers"], config["num_hidden_layers"]);
  EXPECT_EQ(out["config"]["num_key_value_heads"], config["num_key_value_heads"]);
  EXPECT_EQ(out["config"]["architectures"], config["architectures"]);
}

TEST_F(InspectTest, TextOutputShowsTensorsAndCount) {
  auto run = RunCommand(Inspect(ShellQuote(dir_->path())));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("total parameters: " + std::to_string((*torch_)["total_parameters"].get<int64_t>())));
  EXPECT_THAT(run.out, HasSubstr("model.embed_tokens.weight"));
  EXPECT_THAT(run.out, HasSubstr("BF16"));
  EXPECT_THAT(run.out, HasSubstr("model_type=llama"));
  EXPECT_THAT(run.out, HasSubstr("(3 shards)"));
}

TEST_F(InspectTest, IndexFileAndSingleShard) {
  auto index = RunCommand(Inspect(ShellQuote(dir_->path() + "/model.safetensors.index.json") + " --json"));
  ASSERT_EQ(index.exit_code, 0) << index.err;
  EXPECT_EQ(Json::parse(index.out)["total_parameters"], (*torch_)["total_parameters"]);
  EXPECT_EQ(Json::parse(index.out)["config"], nullptr);

  auto single = RunCommand(Inspect(ShellQuote(dir_->path() + "/model-00002-of-00003.safetensors") + " --json"));
  ASSERT_EQ(single.exit_code, 0) << single.err;
  Json out = Json::parse(single.out);
  EXPECT_EQ(out["shards"].size(), 1u);
  EXPECT_EQ(out["index"], nullptr);
  EXPECT_GT(out["total_parameters"].get<int64_t>(), 0);
  EXPECT_LT(out["total_parameters"].get<int64_t>(), (*torch_)["total_parameters"].get<int64_t>());
}

TEST(InspectErrorTest, FailuresAreOneLineAndExitCodes) {
  auto missing = RunCommand(Inspect("/nonexistent/model.safetensors"));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, StartsWith("mhub: error: "));
  EXPECT_EQ(std::count(missing.err.begin(), missing.err.end(), '\n'), 1);

  TempDir dir;
  // Valid header length and JSON, but the data is 2 bytes short.
  std::string header = R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  std::string file(8, '\0');
  file[0] = static_cast<char>(header.size());
  file += header + "123456";
  mhub::testing::WriteFileOrDie(dir / "bad.safetensors", file);
  auto bad = RunCommand(Inspect(ShellQuote(dir / "bad.safetensors")));
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("MetadataIncompleteBuffer"));
  EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1);

  auto usage = RunCommand(ShellQuote(MhubBin()) + " inspect");
  EXPECT_EQ(usage.exit_code, 2);
  auto empty_dir = RunCommand(Inspect(ShellQuote(dir.path())));
  EXPECT_EQ(empty_dir.exit_code, 1);
}

}  // namespace
