#include "mhub/base/progress.h"

#include <gtest/gtest.h>

namespace mhub {
namespace {

TEST(ProgressTest, FormatsPercentRateAndEta) {
  std::string line = ProgressBar::FormatLine("model.safetensors", 50'000'000, 100'000'000, 10'000'000, 5);
  EXPECT_NE(line.find("50%"), std::string::npos) << line;
  EXPECT_NE(line.find("50.0MB/100.0MB"), std::string::npos) << line;
  EXPECT_NE(line.find("10.0MB/s"), std::string::npos) << line;
  EXPECT_NE(line.find("ETA 0:05"), std::string::npos) << line;
}

TEST(ProgressTest, UnknownTotalHasNoEta) {
  std::string line = ProgressBar::FormatLine("x", 1500, 0, 1000, -1);
  EXPECT_EQ(line.find("ETA"), std::string::npos) << line;
  EXPECT_NE(line.find("1.5kB"), std::string::npos) << line;
}

TEST(ProgressTest, SilentWhenNotATty) {
  // Under CTest stderr is a pipe or file, never a TTY.
  ProgressBar bar("x", 10);
  EXPECT_FALSE(bar.enabled());
  bar.Add(5);
  EXPECT_EQ(bar.done(), 5u);
}

}  // namespace
}  // namespace mhub
