// The server's cache of inflated regular blobs (<data>/cache/blobs, blob_file.h) stays within
// MHUB_BLOB_CACHE_MB: the least recently used files go first, the newest always stays, and
// downloads that race with evictions still get every byte (curl's output compared with cmp
// against the file committed with git). Before the cap, every regular blob above 1 MiB ever
// downloaded stayed on disk.
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "server/http_test_support.h"

namespace mhub::testing {
namespace {

constexpr uint64_t kCapBytes = 3ull << 20;  // MHUB_BLOB_CACHE_MB=3

// Adds the files to main of the bare repo `git_dir` as `<name>` each, with git itself (packed, as
// a push would leave them); returns each one's blob id.
std::vector<std::string> CommitFilesWithGit(const std::string& git_dir, const std::vector<std::string>& files) {
  const std::string g = "git --git-dir=" + ShellQuote(git_dir) + " ";
  std::vector<std::string> oids;
  std::string entries;
  for (const std::string& file : files) {
    CommandResult blob = RunCommand(g + "hash-object -w " + ShellQuote(file));
    EXPECT_EQ(blob.exit_code, 0) << blob.err;
    oids.push_back(blob.out.substr(0, 40));
    entries += "100644 blob " + oids.back() + "\t" + std::filesystem::path(file).filename().string() + "\n";
  }
  CommandResult tree = RunCommand(g + "mktree", entries);
  EXPECT_EQ(tree.exit_code, 0) << tree.err;
  CommandResult commit =
      RunCommand(g + "-c user.name=t -c user.email=t@e commit-tree " + tree.out.substr(0, 40) + " -p main -m files");
  EXPECT_EQ(commit.exit_code, 0) << commit.err;
  EXPECT_EQ(RunCommand(g + "update-ref refs/heads/main " + commit.out.substr(0, 40)).exit_code, 0);
  EXPECT_EQ(RunCommand(g + "repack -a -d -q").exit_code, 0);
  return oids;
}

// Blob id -> size of the files in the cache directory.
std::map<std::string, uint64_t> Cached(const std::string& data_dir) {
  std::map<std::string, uint64_t> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(data_dir + "/cache/blobs", ec)) {
    out[e.path().filename().string()] = e.file_size();
  }
  return out;
}

uint64_t Total(const std::map<std::string, uint64_t>& cached) {
  uint64_t total = 0;
  for (const auto& [oid, size] : cached) total += size;
  return total;
}

class BlobCache : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("MHUB_BLOB_CACHE_MB", "3", 1);
    hub_ = std::make_unique<InProcessHub>();
    token_ = hub_->CreateUser("alice");
    ASSERT_EQ(ApiCall(hub_->url(), "POST", "/api/repos/create", "Authorization: Bearer " + token_,
                      R"({"name":"files","type":"model"})")
                  .status,
              200);
  }
  void TearDown() override {
    hub_.reset();
    ::unsetenv("MHUB_BLOB_CACHE_MB");
  }

  // Files f0..f{n-1} of the given sizes with random bytes, committed; their blob ids.
  std::vector<std::string> Commit(const std::vector<uint64_t>& sizes) {
    std::vector<std::string> files;
    for (size_t i = 0; i < sizes.size(); ++i) {
      files.push_back(tmp_ / ("f" + std::to_string(i)));
      EXPECT_EQ(
          RunCommand("head -c " + std::to_string(sizes[i]) + " /dev/urandom > " + ShellQuote(files.back())).exit_code,
          0);
    }
    return CommitFilesWithGit(hub_->data_dir() + "/repos/models/alice/files.git", files);
  }

  // Downloads f<i> with curl and compares it with the committed file. True when equal.
  bool Download(size_t i, const std::string& out_name = "out") {
    const std::string name = "f" + std::to_string(i);
    const std::string out = tmp_ / out_name;
    CommandResult r = RunCommand("curl -sS -f -o " + ShellQuote(out) + " " +
                                 ShellQuote(hub_->url() + "/alice/files/resolve/main/" + name) + " && cmp " +
                                 ShellQuote(out) + " " + ShellQuote(tmp_ / name));
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err << r.out;
    return r.exit_code == 0;
  }

  std::unique_ptr<InProcessHub> hub_;
  std::string token_;
  TempDir tmp_;
};

TEST_F(BlobCache, LeastRecentlyUsedFilesAreEvictedBeyondTheCap) {
  // 1.5 MB each: above the 1 MiB served from memory; two fit under the 3 MiB cap, three do not.
  // The last one alone is larger than the cap.
  const std::vector<std::string> oid = Commit({1500000, 1500000, 1500000, 1500000, 4000000});
  ASSERT_EQ(oid.size(), 5u);
  ASSERT_TRUE(Download(0));
  ASSERT_TRUE(Download(1));
  EXPECT_EQ(Cached(hub_->data_dir()).size(), 2u);
  ASSERT_TRUE(Download(0));  // f0 is used again: f1 is now the least recently used
  ASSERT_TRUE(Download(2));
  auto cached = Cached(hub_->data_dir());
  EXPECT_EQ(cached.count(oid[0]), 1u);
  EXPECT_EQ(cached.count(oid[1]), 0u) << "the least recently used file stayed";
  EXPECT_EQ(cached.count(oid[2]), 1u);
  EXPECT_LE(Total(cached), kCapBytes);
  ASSERT_TRUE(Download(3));
  cached = Cached(hub_->data_dir());
  EXPECT_EQ(cached.count(oid[0]), 0u);
  EXPECT_EQ(cached.count(oid[2]), 1u);
  EXPECT_EQ(cached.count(oid[3]), 1u);
  EXPECT_LE(Total(cached), kCapBytes);
  // A file larger than the cap is still served, and is then the only one kept.
  ASSERT_TRUE(Download(4));
  cached = Cached(hub_->data_dir());
  EXPECT_EQ(cached.size(), 1u);
  EXPECT_EQ(cached.count(oid[4]), 1u);
  // ... until the next one takes its place.
  ASSERT_TRUE(Download(1));
  cached = Cached(hub_->data_dir());
  EXPECT_EQ(cached.size(), 1u);
  EXPECT_EQ(cached.count(oid[1]), 1u);
}

TEST_F(BlobCache, DownloadsRacingWithEvictionsGetEveryByte) {
  // Six files of 1.2 MB under a cap that holds two: eight clients download them in random
  // orders, so files are evicted while others are being sent.
  const std::vector<std::string> oid = Commit({1200000, 1200000, 1200000, 1200000, 1200000, 1200000});
  ASSERT_EQ(oid.size(), 6u);
  std::vector<std::thread> clients;
  std::atomic<int> failed{0};
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&, c] {
      std::mt19937 rng(static_cast<uint32_t>(c));
      for (int k = 0; k < 6; ++k) {
        if (!Download(rng() % 6, "out" + std::to_string(c))) ++failed;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(failed, 0);
  // Within the cap plus the newest file, and the per-download links are gone.
  EXPECT_LE(Total(Cached(hub_->data_dir())), kCapBytes + 1200000);
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(hub_->data_dir() + "/tmp/http", ec)) {
    ADD_FAILURE() << "left in tmp: " << e.path();
  }
}

}  // namespace
}  // namespace mhub::testing
