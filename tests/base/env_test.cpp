#include "mhub/base/env.h"
#include "mhub/base/mmap_file.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "support/test_support.h"

namespace mhub {
namespace {

TEST(EnvTest, AtomicWriteReplacesWholeFileAndLeavesNoTemp) {
  testing::TempDir dir;
  std::string path = dir / "a.txt";
  ASSERT_TRUE(WriteFileAtomic(path, "first").ok());
  ASSERT_TRUE(WriteFileAtomic(path, "second version").ok());
  EXPECT_EQ(*ReadFile(path), "second version");
  int entries = 0;
  for (auto& e : std::filesystem::directory_iterator(dir.path())) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1);
}

TEST(EnvTest, AtomicWriteIntoMissingDirFailsCleanly) {
  testing::TempDir dir;
  Status st = WriteFileAtomic(dir / "nope/a.txt", "x");
  EXPECT_EQ(st.code(), StatusCode::kIOError);
}

TEST(EnvTest, ReadMissingIsNotFound) {
  EXPECT_EQ(ReadFile("/nonexistent/file").status().code(), StatusCode::kNotFound);
}

TEST(MmapFileTest, MapsContentAndEmptyFiles) {
  testing::TempDir dir;
  testing::WriteFileOrDie(dir / "x", "hello mmap");
  testing::WriteFileOrDie(dir / "empty", "");
  auto m = MmapFile::Open(dir / "x");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->view(), "hello mmap");
  MmapFile moved = std::move(m).value();
  EXPECT_EQ(moved.size(), 10u);
  auto e = MmapFile::Open(dir / "empty");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->size(), 0u);
  EXPECT_EQ(MmapFile::Open(dir / "missing").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(MmapFile::Open(dir.path()).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mhub
