// Sharded checkpoints: huggingface_hub's split rule, the index file, one lookup over all shards,
// and the ways a broken index is reported.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "mhub/base/json.h"
#include "mhub/formats/safetensors.h"
#include "support/test_support.h"

namespace mhub::formats {
namespace {

using mhub::testing::ReadFileOrDie;
using mhub::testing::TempDir;
using mhub::testing::WriteFileOrDie;
using ::testing::HasSubstr;

struct Tensors {
  std::vector<std::string> storage;
  std::vector<TensorView> views;
  void Add(const std::string& name, int64_t count) {
    storage.emplace_back(static_cast<size_t>(count) * 4, static_cast<char>('a' + storage.size()));
    views.push_back({name, Dtype::kF32, {count}, nullptr, static_cast<size_t>(count) * 4});
  }
  std::span<const TensorView> Finish() {
    for (size_t i = 0; i < views.size(); ++i) views[i].data = reinterpret_cast<const uint8_t*>(storage[i].data());
    return views;
  }
};

TEST(ShardedCheckpointTest, SplitsWritesIndexAndReadsBack) {
  TempDir dir;
  Tensors t;
  // Sizes in bytes: 40, 40, 200 (above the limit: own shard), 40, 40, 40.
  t.Add("layer.0.w", 10);
  t.Add("layer.0.b", 10);
  t.Add("embed", 50);
  t.Add("layer.1.w", 10);
  t.Add("layer.1.b", 10);
  t.Add("layer.2.w", 10);
  auto views = t.Finish();
  ShardedWriteOptions options;
  options.max_shard_bytes = 100;
  auto result = WriteShardedSafetensors(dir.path(), views, options);
  ASSERT_TRUE(result.ok()) << result.status();

  // huggingface_hub's rule: a tensor above the limit is appended as its own shard at once (before
  // the open one), then greedy in order: [embed], [l0.w, l0.b] 80, [l1.w, l1.b] 80, [l2.w].
  ASSERT_EQ(result->shard_files.size(), 4u);
  EXPECT_EQ(result->shard_files[0], "model-00001-of-00004.safetensors");
  EXPECT_EQ(result->shard_files[3], "model-00004-of-00004.safetensors");
  EXPECT_EQ(result->index_file, "model.safetensors.index.json");
  EXPECT_EQ(result->total_size, 40u * 5 + 200u);

  auto index = ParseJson(ReadFileOrDie(dir / "model.safetensors.index.json"));
  ASSERT_TRUE(index.ok());
  EXPECT_EQ((*index)["metadata"]["total_size"], 400);
  EXPECT_EQ((*index)["metadata"]["total_parameters"], 100);
  EXPECT_EQ((*index)["weight_map"]["embed"], "model-00001-of-00004.safetensors");
  EXPECT_EQ((*index)["weight_map"]["layer.0.b"], "model-00002-of-00004.safetensors");
  EXPECT_EQ((*index)["weight_map"]["layer.1.b"], "model-00003-of-00004.safetensors");
  EXPECT_EQ((*index)["weight_map"]["layer.2.w"], "model-00004-of-00004.safetensors");
  EXPECT_EQ((*index)["weight_map"].size(), 6u);

  for (const std::string& open_path : {dir.path(), dir / "model.safetensors.index.json"}) {
    SCOPED_TRACE(open_path);
    auto ckpt = ShardedCheckpoint::Open(open_path);
    ASSERT_TRUE(ckpt.ok()) << ckpt.status();
    EXPECT_EQ((*ckpt)->shards().size(), 4u);
    EXPECT_EQ((*ckpt)->size(), 6u);
    EXPECT_EQ((*ckpt)->total_bytes(), 400u);
    EXPECT_EQ((*ckpt)->total_parameters(), 100);
    EXPECT_EQ((*ckpt)->declared_total_size(), std::optional<uint64_t>(400));
    EXPECT_EQ((*ckpt)->metadata().at("format"), "pt");
    for (const TensorView& want : views) {
      const TensorView* got = (*ckpt)->Find(want.name);
      ASSERT_NE(got, nullptr) << want.name;
      ASSERT_EQ(got->nbytes, want.nbytes);
      EXPECT_EQ(std::memcmp(got->data, want.data, want.nbytes), 0);
    }
    EXPECT_EQ((*ckpt)->Get("nope").status().code(), StatusCode::kNotFound);
    EXPECT_EQ(std::filesystem::path((*ckpt)->ShardOf("embed")->path()).filename(), "model-00001-of-00004.safetensors");
  }
}

TEST(ShardedCheckpointTest, OneShardWritesASingleFileAndNoIndex) {
  TempDir dir;
  WriteFileOrDie(dir / "model.safetensors.index.json", "stale");
  Tensors t;
  t.Add("a", 3);
  t.Add("b", 4);
  auto result = WriteShardedSafetensors(dir.path(), t.Finish());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->shard_files, std::vector<std::string>{"model.safetensors"});
  EXPECT_TRUE(result->index_file.empty());
  EXPECT_FALSE(std::filesystem::exists(dir / "model.safetensors.index.json"));
  auto ckpt = ShardedCheckpoint::Open(dir.path());
  ASSERT_TRUE(ckpt.ok()) << ckpt.status();
  EXPECT_TRUE((*ckpt)->index_path().empty());
  EXPECT_EQ((*ckpt)->names(), (std::vector<std::string>{"a", "b"}));
  auto single = ShardedCheckpoint::Open(dir / "model.safetensors");
  ASSERT_TRUE(single.ok()) << single.status();
  EXPECT_EQ((*single)->size(), 2u);
}

class BrokenIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Tensors a, b;
    a.Add("x", 2);
    b.Add("y", 2);
    ASSERT_TRUE(WriteSafetensors(dir_ / "s1.safetensors", a.Finish()).ok());
    ASSERT_TRUE(WriteSafetensors(dir_ / "s2.safetensors", b.Finish()).ok());
  }
  Status OpenWithIndex(const std::string& index) {
    WriteFileOrDie(dir_ / "model.safetensors.index.json", index);
    return ShardedCheckpoint::Open(dir_.path()).status();
  }
  TempDir dir_;
};

TEST_F(BrokenIndexTest, ValidIndexOpens) {
  EXPECT_TRUE(OpenWithIndex(R"({"weight_map":{"x":"s1.safetensors","y":"s2.safetensors"}})").ok());
}

TEST_F(BrokenIndexTest, EachProblemIsNamed) {
  Status not_json = OpenWithIndex("{");
  EXPECT_EQ(not_json.code(), StatusCode::kCorruption);
  Status no_map = OpenWithIndex(R"({"metadata":{}})");
  EXPECT_THAT(no_map.message(), HasSubstr("no \"weight_map\""));
  Status escape = OpenWithIndex(R"({"weight_map":{"x":"../s1.safetensors"}})");
  EXPECT_THAT(escape.message(), HasSubstr("not a file in the checkpoint folder"));
  Status absolute = OpenWithIndex(R"({"weight_map":{"x":"/etc/passwd"}})");
  EXPECT_THAT(absolute.message(), HasSubstr("not a file in the checkpoint folder"));
  Status missing_tensor = OpenWithIndex(R"({"weight_map":{"x":"s1.safetensors","z":"s2.safetensors"}})");
  EXPECT_THAT(missing_tensor.message(), HasSubstr("maps tensor 'z' to s2.safetensors, which does not contain it"));
  Status wrong_shard = OpenWithIndex(R"({"weight_map":{"x":"s2.safetensors","y":"s2.safetensors"}})");
  EXPECT_THAT(wrong_shard.message(), HasSubstr("maps tensor 'x' to s2.safetensors"));
  Status missing_shard = OpenWithIndex(R"({"weight_map":{"x":"s9.safetensors"}})");
  EXPECT_EQ(missing_shard.code(), StatusCode::kNotFound);
  EXPECT_THAT(missing_shard.message(), HasSubstr("s9.safetensors"));

  Tensors again;
  again.Add("x", 2);
  ASSERT_TRUE(WriteSafetensors(dir_ / "s3.safetensors", again.Finish()).ok());
  Status twice = OpenWithIndex(R"({"weight_map":{"x":"s1.safetensors","y":"s3.safetensors"}})");
  EXPECT_THAT(twice.message(), HasSubstr("tensor 'x' appears in both"));
}

TEST(ShardedCheckpointOpenTest, EmptyFolderIsNotFound) {
  TempDir dir;
  auto r = ShardedCheckpoint::Open(dir.path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace mhub::formats
