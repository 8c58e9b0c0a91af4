// The CLI contract every command shares: --help, --version, exit codes.
#include <gtest/gtest.h>

#include "support/test_support.h"

namespace {

using mhub::testing::MhubBin;
using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;

TEST(CliTest, HelpAndVersion) {
  auto help = RunCommand(ShellQuote(MhubBin()) + " --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("mhub"), std::string::npos);
  auto version = RunCommand(ShellQuote(MhubBin()) + " --version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.out.find("mhub 0."), std::string::npos) << version.out;
}

TEST(CliTest, BadUsageExitsTwo) {
  auto r = RunCommand(ShellQuote(MhubBin()) + " --no-such-flag");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(r.err.empty());
  auto sub = RunCommand(ShellQuote(MhubBin()) + " no-such-command");
  EXPECT_EQ(sub.exit_code, 2);
}

}  // namespace
