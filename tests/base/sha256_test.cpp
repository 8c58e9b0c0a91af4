#include "mhub/base/sha256.h"

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace mhub {
namespace {

using testing::RunCommand;
using testing::ShellQuote;
using testing::TempDir;

// coreutils' sha256sum is the outside oracle.
std::string Sha256sum(const std::string& path) {
  auto r = RunCommand("sha256sum " + ShellQuote(path));
  return r.out.substr(0, 64);
}

TEST(Sha256Test, MatchesSha256sumOnFilesAndStreams) {
  TempDir dir;
  std::string data;
  for (int i = 0; i < 3 * 1024 * 1024 + 17; ++i) data.push_back(static_cast<char>((i * 131) ^ (i >> 7)));
  for (size_t size : {size_t{0}, size_t{1}, size_t{63}, size_t{64}, size_t{1 << 20}, data.size()}) {
    std::string path = dir / ("f" + std::to_string(size));
    testing::WriteFileOrDie(path, data.substr(0, size));
    std::string want = Sha256sum(path);
    EXPECT_EQ(Sha256Hex(data.substr(0, size)), want);
    EXPECT_EQ(*Sha256File(path), want);
    Sha256 streaming;
    for (size_t off = 0; off < size; off += 1000)
      streaming.Update(data.data() + off, std::min<size_t>(1000, size - off));
    EXPECT_EQ(streaming.FinishHex(), want);
  }
}

TEST(Sha256Test, MissingFileIsIOError) {
  EXPECT_EQ(Sha256File("/nonexistent/x").status().code(), StatusCode::kIOError);
}

}  // namespace
}  // namespace mhub
