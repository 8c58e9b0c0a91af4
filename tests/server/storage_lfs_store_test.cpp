// LfsStore and LFS pointers. Outside checks: sha256sum for object names, `git lfs pointer` for
// the pointer text, and the file system for "nothing partial is ever visible".
#include "mhub/server/lfs_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <thread>

#include "mhub/server/lfs_pointer.h"
#include "support/test_support.h"

namespace mhub::server {
namespace {

namespace fs = std::filesystem;
using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;
using mhub::testing::TempDir;
using mhub::testing::WriteFileOrDie;

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

std::string Sha256sum(const std::string& path) {
  auto r = RunCommand("sha256sum " + ShellQuote(path));
  EXPECT_EQ(r.exit_code, 0);
  return r.out.substr(0, 64);
}

size_t CountFiles(const std::string& dir) {
  size_t n = 0;
  std::error_code ec;
  for (auto& e : fs::recursive_directory_iterator(dir, ec)) n += e.is_regular_file() ? 1 : 0;
  return n;
}

TEST(LfsPointerTest, FormatIsByteIdenticalToGitLfs) {
  TempDir dir;
  for (size_t size : {size_t{0}, size_t{1}, size_t{4096}, size_t{1000003}}) {
    const std::string data = RandomBytes(size, static_cast<uint32_t>(size));
    WriteFileOrDie(dir / "f", data);
    auto r = RunCommand("cd " + ShellQuote(dir.path()) + " && git lfs pointer --file=f 2>/dev/null");
    ASSERT_EQ(r.exit_code, 0);
    const std::string oid = Sha256sum(dir / "f");
    EXPECT_EQ(FormatLfsPointer(LfsPointer{oid, size}), r.out);
    if (size == 0) {  // the empty file stays an empty (regular) blob, as with git-lfs
      EXPECT_FALSE(ParseLfsPointer(r.out).ok());
      continue;
    }
    auto parsed = ParseLfsPointer(r.out);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(parsed->oid, oid);
    EXPECT_EQ(parsed->size, size);
  }
}

TEST(LfsPointerTest, RefusesNonPointers) {
  const std::string oid(64, 'a');
  EXPECT_TRUE(ParseLfsPointer("version https://git-lfs.github.com/spec/v1\noid sha256:" + oid + "\nsize 12\n").ok());
  EXPECT_TRUE(ParseLfsPointer("version https://git-lfs.github.com/spec/v1\next-0-foo sha256:" + oid +
                              "\noid sha256:" + oid + "\nsize 12\n")
                  .ok());
  for (const std::string& bad :
       {std::string("hello\n"), std::string(""),
        "version https://git-lfs.github.com/spec/v1\noid sha256:" + oid + "\nsize 12",             // no final newline
        "version https://git-lfs.github.com/spec/v1\nsize 12\noid sha256:" + oid + "\n",           // unsorted
        "version https://git-lfs.github.com/spec/v1\noid sha256:" + oid.substr(1) + "\nsize 1\n",  // short oid
        "version https://git-lfs.github.com/spec/v1\noid sha256:" + oid + "\nsize -1\n",
        "version https://git-lfs.github.com/spec/v1\noid sha256:" + oid + "\n",
        "version https://git-lfs.github.com/spec/v1\noid sha256:" + oid + "\nsize 1\n" + std::string(1100, 'x') +
            "\n"}) {
    EXPECT_FALSE(ParseLfsPointer(bad).ok()) << bad.substr(0, 120);
  }
  EXPECT_TRUE(IsSha256Hex(oid));
  EXPECT_FALSE(IsSha256Hex(std::string(64, 'A')));
  EXPECT_FALSE(IsSha256Hex("../../etc/passwd"));
}

TEST(LfsStoreTest, PutStoresUnderShaFanOut) {
  TempDir dir;
  LfsStore store(dir.path());
  ASSERT_TRUE(store.Init().ok());
  const std::string data = RandomBytes(3 << 20, 7);
  auto oid = store.Put(data);
  ASSERT_TRUE(oid.ok()) << oid.status();
  const std::string path = dir / ("lfs/objects/" + oid->substr(0, 2) + "/" + oid->substr(2, 2) + "/" + *oid);
  EXPECT_EQ(store.PathOf(*oid), path);
  EXPECT_EQ(Sha256sum(path), *oid);
  EXPECT_TRUE(store.Has(*oid));
  EXPECT_EQ(*store.Size(*oid), data.size());
  EXPECT_EQ(*store.Read(*oid), data);
  // Idempotent; no temp files left behind.
  EXPECT_EQ(*store.Put(data), *oid);
  EXPECT_EQ(CountFiles(store.tmp_dir()), 0u);
  EXPECT_EQ(store.Size(std::string(64, '0')).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store.Size("nothex").status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(store.Has("../../x"));
}

TEST(LfsStoreTest, StreamingWriteVerifiesHashAndSize) {
  TempDir dir;
  LfsStore store(dir.path());
  ASSERT_TRUE(store.Init().ok());
  const std::string data = RandomBytes(1 << 20, 9);
  WriteFileOrDie(dir / "src", data);
  const std::string oid = Sha256sum(dir / "src");

  {  // Wrong content: refused, nothing visible, temp removed.
    auto w = store.BeginWrite(oid, data.size());
    ASSERT_TRUE(w.ok());
    std::string wrong = data;
    wrong[100] ^= 1;
    ASSERT_TRUE((*w)->Append(wrong).ok());
    Status st = (*w)->Commit();
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st;
    EXPECT_FALSE(store.Has(oid));
  }
  {  // Short: refused.
    auto w = store.BeginWrite(oid, data.size());
    ASSERT_TRUE((*w)->Append(std::string_view(data).substr(0, 1000)).ok());
    EXPECT_EQ((*w)->Commit().code(), StatusCode::kInvalidArgument);
    EXPECT_FALSE(store.Has(oid));
  }
  {  // Too long: refused at Append.
    auto w = store.BeginWrite(oid, 10);
    EXPECT_EQ((*w)->Append(data).code(), StatusCode::kResourceExhausted);
  }
  {  // Abandoned half-way (client went away): nothing visible.
    auto w = store.BeginWrite(oid, data.size());
    ASSERT_TRUE((*w)->Append(std::string_view(data).substr(0, 5000)).ok());
  }
  EXPECT_FALSE(store.Has(oid));
  EXPECT_EQ(CountFiles(store.tmp_dir()), 0u);
  {  // In chunks: accepted.
    auto w = store.BeginWrite(oid, data.size());
    for (size_t off = 0; off < data.size(); off += 65537) {
      ASSERT_TRUE((*w)->Append(std::string_view(data).substr(off, 65537)).ok());
    }
    EXPECT_EQ((*w)->written(), data.size());
    ASSERT_TRUE((*w)->Commit().ok());
  }
  EXPECT_EQ(Sha256sum(store.PathOf(oid)), oid);
  EXPECT_EQ(*store.PutFile(dir / "src"), oid);
  EXPECT_EQ(CountFiles(store.objects_dir()), 1u);
}

TEST(LfsStoreTest, ConcurrentWritersOfSameObjectBothSucceed) {
  TempDir dir;
  LfsStore store(dir.path());
  ASSERT_TRUE(store.Init().ok());
  const std::string data = RandomBytes(2 << 20, 11);
  std::vector<std::thread> threads;
  std::vector<Status> results(6);
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] {
      auto oid = store.Put(data);
      results[i] = oid.status();
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& st : results) EXPECT_TRUE(st.ok()) << st;
  EXPECT_EQ(CountFiles(store.objects_dir()), 1u);
  EXPECT_EQ(CountFiles(store.tmp_dir()), 0u);
}

}  // namespace
}  // namespace mhub::server
