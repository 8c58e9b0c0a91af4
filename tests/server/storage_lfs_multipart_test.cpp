// LfsMultipartStore and the part plan (lfs_multipart.h): properties of the cut (parts cover the
// object exactly, at most 10000 of them), parts written concurrently and assembled into a verified
// object (sha256sum as the oracle), and the clean-up of abandoned uploads.
#include "mhub/server/lfs_multipart.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <thread>

#include "server/http_test_support.h"

namespace mhub::server {
namespace {

namespace fs = std::filesystem;
using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;
using mhub::testing::TempDir;

TEST(LfsMultipartPlanTest, PartsCoverTheObjectExactly) {
  std::mt19937_64 rng(7);
  const uint64_t kMiB = uint64_t{1} << 20;
  std::vector<std::pair<uint64_t, uint64_t>> cases = {
      {1, kMiB}, {kMiB, kMiB}, {kMiB + 1, kMiB}, {64ull << 30, kMiB}, {(64ull << 30) + 3, 16 * kMiB}, {10, 1}};
  for (int i = 0; i < 200; ++i) cases.emplace_back(1 + rng() % (uint64_t{1} << 40), 1 + rng() % (64 * kMiB));
  for (const auto& [size, chunk] : cases) {
    MultipartPlan plan = PlanMultipart(size, chunk);
    ASSERT_GE(plan.num_parts, 1u);
    EXPECT_LE(plan.num_parts, kMaxMultipartParts) << size << " " << chunk;
    EXPECT_GE(plan.chunk_size, chunk);
    if (plan.chunk_size != chunk) {
      EXPECT_EQ(plan.chunk_size % kMiB, 0u);
    }
    EXPECT_GE(plan.chunk_size * plan.num_parts, size);
    EXPECT_LT(plan.chunk_size * (plan.num_parts - 1), size);
    if (plan.num_parts < 100) {
      uint64_t total = 0;
      for (uint64_t n = 1; n <= plan.num_parts; ++n) total += MultipartPartLength(size, plan, n);
      EXPECT_EQ(total, size);
    }
    EXPECT_EQ(MultipartPartLength(size, plan, 0), 0u);
    EXPECT_EQ(MultipartPartLength(size, plan, plan.num_parts + 1), 0u);
  }
}

TEST(LfsMultipartStoreTest, ConcurrentPartsAssembleIntoTheObject) {
  TempDir data;
  LfsStore store(data.path());
  ASSERT_TRUE(store.Init().ok());
  LfsMultipartStore multipart(data.path(), &store);
  std::string content(1000003, '\0');
  std::mt19937 rng(3);
  for (auto& c : content) c = static_cast<char>(rng());
  mhub::testing::WriteFileOrDie(data / "whole", content);
  const std::string oid = RunCommand("sha256sum " + ShellQuote(data / "whole")).out.substr(0, 64);
  const MultipartPlan plan = PlanMultipart(content.size(), 100000);
  ASSERT_EQ(plan.num_parts, 11u);
  auto id = LfsMultipartStore::NewUploadId();
  ASSERT_TRUE(id.ok());
  EXPECT_TRUE(LfsMultipartStore::IsUploadId(*id));
  std::vector<std::string> etags(plan.num_parts);
  std::vector<std::thread> threads;
  for (uint64_t n = 1; n <= plan.num_parts; ++n) {
    threads.emplace_back([&, n] {
      auto w = multipart.BeginPart(*id, n, MultipartPartLength(content.size(), plan, n));
      ASSERT_TRUE(w.ok());
      const std::string part = content.substr((n - 1) * plan.chunk_size, plan.chunk_size);
      // In two writes, as a body arrives.
      ASSERT_TRUE((*w)->Append(part.data(), part.size() / 2).ok());
      ASSERT_TRUE((*w)->Append(part.data() + part.size() / 2, part.size() - part.size() / 2).ok());
      auto etag = (*w)->Commit();
      ASSERT_TRUE(etag.ok()) << etag.status();
      etags[n - 1] = *etag;
    });
  }
  for (auto& t : threads) t.join();
  std::vector<CompletedPart> parts;
  for (uint64_t n = plan.num_parts; n >= 1; --n) parts.push_back({n, etags[n - 1]});  // any order
  Status st = multipart.Complete(*id, oid, content.size(), plan, parts);
  ASSERT_TRUE(st.ok()) << st;
  auto back = store.Read(oid);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(*back == content);
  EXPECT_FALSE(fs::exists(multipart.root() + "/" + *id));
}

TEST(LfsMultipartStoreTest, BadInputsAndStaleUploads) {
  TempDir data;
  LfsStore store(data.path());
  ASSERT_TRUE(store.Init().ok());
  LfsMultipartStore multipart(data.path(), &store);
  EXPECT_FALSE(multipart.BeginPart("../../etc", 1, 10).ok());
  EXPECT_FALSE(multipart.BeginPart(std::string(32, 'A'), 1, 10).ok());
  EXPECT_FALSE(multipart.BeginPart(std::string(32, 'a'), 0, 10).ok());
  // A part that is cut short or overflows never becomes visible.
  {
    auto w = multipart.BeginPart(std::string(32, 'a'), 1, 10);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Append("12345", 5).ok());
    EXPECT_FALSE((*w)->Commit().ok());
    auto w2 = multipart.BeginPart(std::string(32, 'a'), 1, 3);
    ASSERT_TRUE(w2.ok());
    EXPECT_EQ((*w2)->Append("12345", 5).code(), StatusCode::kResourceExhausted);
  }
  EXPECT_FALSE(fs::exists(multipart.root() + "/" + std::string(32, 'a') + "/1"));
  // Uploads idle for longer than the limit go; fresh ones stay.
  auto old_part = multipart.BeginPart(std::string(32, 'b'), 1, 1);
  ASSERT_TRUE(old_part.ok());
  ASSERT_TRUE((*old_part)->Append("x", 1).ok());
  ASSERT_TRUE((*old_part)->Commit().ok());
  auto new_part = multipart.BeginPart(std::string(32, 'c'), 1, 1);
  ASSERT_TRUE(new_part.ok());
  ASSERT_TRUE((*new_part)->Append("y", 1).ok());
  ASSERT_TRUE((*new_part)->Commit().ok());
  const std::string old_dir = multipart.root() + "/" + std::string(32, 'b');
  fs::last_write_time(old_dir, fs::file_time_type::clock::now() - std::chrono::hours(5));
  multipart.RemoveStale(3600);
  EXPECT_FALSE(fs::exists(old_dir));
  EXPECT_TRUE(fs::exists(multipart.root() + "/" + std::string(32, 'c') + "/1"));
}

}  // namespace
}  // namespace mhub::server
