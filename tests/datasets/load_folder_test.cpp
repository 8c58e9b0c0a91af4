// imagefolder / audiofolder as `datasets` builds them (folder_based_builder): labels from the
// parent folders when there is no metadata, metadata.csv / metadata.jsonl joined by file_name, splits
// from train/test folders; the media column holds each file's bytes and repo-relative path.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "mhub/datasets/features.h"
#include "mhub/datasets/load.h"
#include "mhub/datasets/value.h"

namespace mhub::datasets {
namespace {

class LoadFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() / ("mhub_folder_" + std::to_string(getpid()))).string();
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  // Writes `path` (under dir_) with `content`, folders included.
  void Put(const std::string& path, const std::string& content) {
    std::filesystem::create_directories(std::filesystem::path(dir_ + "/" + path).parent_path());
    std::ofstream(dir_ + "/" + path, std::ios::binary) << content;
  }
  Result<DatasetDict> Load() {
    LoadOptions o;
    o.cache_dir = dir_ + "-cache";
    return LoadDataset(dir_, o);
  }
  std::string dir_;
};

// A file's bytes: distinct per file, with NULs and high bytes (binary).
std::string Blob(int k) {
  std::string s = "\x89PNG\r\n\x1a\n";
  s += std::string(static_cast<size_t>(k % 5), '\0');
  for (int i = 0; i < 100 + k; ++i) s += static_cast<char>((i * 37 + k) & 0xff);
  return s;
}

TEST_F(LoadFolder, LabelsFromFoldersAndSplitsFromTrainTest) {
  std::vector<std::tuple<std::string, std::string, int>> files = {
      {"train", "dog", 1}, {"train", "cat", 2}, {"train", "cat", 3}, {"train", "bird", 4}, {"test", "dog", 5}};
  for (const auto& [split, label, k] : files) Put(split + "/" + label + "/" + std::to_string(k) + ".png", Blob(k));
  auto d = Load();
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_EQ(d->splits.size(), 2u);
  EXPECT_EQ(d->splits[0].first, "train");
  EXPECT_EQ(d->splits[1].first, "test");
  const Dataset& train = d->splits[0].second;
  const Features& f = train.features();
  ASSERT_EQ(f.columns.size(), 2u);
  EXPECT_EQ(f.columns[0].first, "image");
  EXPECT_EQ(f.columns[0].second.kind, Feature::Kind::kImage);
  EXPECT_EQ(f.columns[1].first, "label");
  ASSERT_EQ(f.columns[1].second.kind, Feature::Kind::kClassLabel);
  // Every label of the config, sorted (datasets collects them over all splits' files).
  EXPECT_EQ(f.columns[1].second.names, (std::vector<std::string>{"bird", "cat", "dog"}));
  // The test split (one folder) has the same label column and names.
  const Features& tf = d->splits[1].second.features();
  ASSERT_EQ(tf.columns.size(), 2u);
  EXPECT_EQ(tf.columns[1].second.names, f.columns[1].second.names);
  auto t = train.Slice(0, train.num_rows());
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->num_rows, 4);
  // Rows in path order: bird/4, cat/2, cat/3, dog/1.
  const int want_k[] = {4, 2, 3, 1};
  const int64_t want_label[] = {0, 1, 1, 2};
  for (int64_t r = 0; r < 4; ++r) {
    Value row = GetRow(*t, r);
    const Value* img = row.Get("image");
    ASSERT_NE(img, nullptr);
    EXPECT_EQ(img->Get("bytes")->as_string(), Blob(want_k[r])) << r;
    EXPECT_EQ(img->Get("path")->as_string().substr(0, 6), "train/") << r;
    EXPECT_EQ(row.Get("label")->as_int(), want_label[r]) << r;
  }
}

TEST_F(LoadFolder, MetadataJoinsByFileNameAndDropsLabels) {
  Put("train/a/x.jpg", Blob(1));
  Put("train/b/y.jpg", Blob(2));
  Put("train/metadata.csv", "file_name,caption,score\nb/y.jpg,a yellow thing,2\na/x.jpg,\"an x, quoted\",1\n");
  auto d = Load();
  ASSERT_TRUE(d.ok()) << d.status();
  const Dataset& train = d->splits[0].second;
  const Features& f = train.features();
  ASSERT_EQ(f.columns.size(), 3u);
  EXPECT_EQ(f.columns[0].first, "image");
  EXPECT_EQ(f.columns[1].first, "caption");
  EXPECT_EQ(f.columns[2].first, "score");
  auto t = train.Slice(0, 2);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(GetRow(*t, 0).Get("caption")->as_string(), "an x, quoted");
  EXPECT_EQ(GetRow(*t, 0).Get("image")->Get("bytes")->as_string(), Blob(1));
  EXPECT_EQ(GetRow(*t, 1).Get("caption")->as_string(), "a yellow thing");
  EXPECT_EQ(GetRow(*t, 1).Get("score")->as_int(), 2);
}

TEST_F(LoadFolder, AudioWithJsonlMetadataAndAFileWithoutARow) {
  Put("data/train/one.wav", Blob(7));
  Put("data/train/two.wav", Blob(8));
  Put("data/train/metadata.jsonl",
      "{\"file_name\": \"one.wav\", \"text\": \"one\"}\n{\"file_name\": \"two.wav\", \"text\": \"two\"}\n");
  auto d = Load();
  ASSERT_TRUE(d.ok()) << d.status();
  const Dataset& train = d->splits[0].second;
  EXPECT_EQ(train.features().columns[0].first, "audio");
  EXPECT_EQ(train.features().columns[0].second.kind, Feature::Kind::kAudio);
  auto t = train.Slice(0, 2);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(GetRow(*t, 1).Get("text")->as_string(), "two");
  EXPECT_EQ(GetRow(*t, 1).Get("audio")->Get("path")->as_string(), "data/train/two.wav");
  // A file no metadata row names: an error that names it.
  Put("data/train/three.wav", Blob(9));
  auto bad = Load();
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("three.wav"), std::string::npos) << bad.status();
}

// Zip archives (written by Python's zipfile, deflated): the media inside them are rows, labelled by
// their folders inside the archive; a corrupt archive is a clear error.
TEST_F(LoadFolder, ZipArchivesAreReadMemberByMember) {
  Put("train/x", "");
  Put("test/x", "");
  std::filesystem::remove(dir_ + "/train/x");
  std::filesystem::remove(dir_ + "/test/x");
  Put("blobs/1", Blob(1));
  Put("blobs/2", Blob(2));
  Put("blobs/3", Blob(3));
  const std::string py =
      "import sys, zipfile\n"
      "d = sys.argv[1]\n"
      "def mk(path, items):\n"
      "    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:\n"
      "        for name, src in items:\n"
      "            z.write(d + '/blobs/' + src, name)\n"
      "mk(d + '/train/part.zip', [('dog/b.png', '2'), ('cat/a.png', '1'), ('cat/', '1')])\n"
      "mk(d + '/test/part.zip', [('cat/c.png', '3')])\n";
  std::ofstream(dir_ + "-mk.py") << py;
  ASSERT_EQ(std::system(("python3 '" + dir_ + "-mk.py' '" + dir_ + "'").c_str()), 0);
  std::filesystem::remove_all(dir_ + "/blobs");
  std::filesystem::remove(dir_ + "-mk.py");
  auto d = Load();
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_EQ(d->splits.size(), 2u);
  const Dataset& train = d->splits[0].second;
  ASSERT_EQ(train.features().columns.size(), 2u);
  EXPECT_EQ(train.features().columns[1].second.names, (std::vector<std::string>{"cat", "dog"}));
  auto t = train.Slice(0, train.num_rows());
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->num_rows, 2);
  EXPECT_EQ(GetRow(*t, 0).Get("image")->Get("bytes")->as_string(), Blob(1));
  EXPECT_EQ(GetRow(*t, 0).Get("image")->Get("path")->as_string(), "zip://cat/a.png::train/part.zip");
  EXPECT_EQ(GetRow(*t, 0).Get("label")->as_int(), 0);
  EXPECT_EQ(GetRow(*t, 1).Get("image")->Get("bytes")->as_string(), Blob(2));
  EXPECT_EQ(GetRow(*t, 1).Get("label")->as_int(), 1);
  // A damaged archive: one clear error naming it.
  Put("test/part.zip", "PK\x03\x04 not really a zip");
  auto bad = Load();
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("part.zip"), std::string::npos) << bad.status();
}

}  // namespace
}  // namespace mhub::datasets
