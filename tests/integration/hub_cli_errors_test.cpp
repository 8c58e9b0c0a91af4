// Errors that say what to do next: an unreachable hub names the endpoint and MHUB_ENDPOINT, a
// missing repo suggests --type, spelling and login, an id without a namespace is a client error,
// typos get "did you mean", and every error (CLI11's own included) is one `mhub: error:` line.
#include <gtest/gtest.h>

#include "integration/hub_cli_fixture.h"

namespace {

using mhub::testing::FreePort;
using mhub::testing::HubCliTest;
using mhub::testing::Lines;
using mhub::testing::MhubBin;
using mhub::testing::OneErrorLine;
using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;

class ErrorsCliTest : public HubCliTest {};

TEST_F(ErrorsCliTest, UnreachableHubNamesEndpointAndVariable) {
  const std::string dead = "http://127.0.0.1:" + std::to_string(FreePort());
  for (const std::string cmd : {"whoami --token x", "ls alice/m", "download alice/m", "search bert"}) {
    auto r = RunCommand("env HF_TOKEN= MHUB_TOKEN= MHUB_ENDPOINT=" + dead + " " + ShellQuote(MhubBin()) + " " + cmd);
    EXPECT_EQ(r.exit_code, 1) << cmd;
    EXPECT_TRUE(OneErrorLine(r.err)) << cmd << ": " << r.err;
    EXPECT_NE(r.err.find("cannot reach the hub at " + dead), std::string::npos) << cmd << ": " << r.err;
    EXPECT_NE(r.err.find("MHUB_ENDPOINT"), std::string::npos) << cmd << ": " << r.err;
  }
}

TEST_F(ErrorsCliTest, RepoNotFoundSuggestsTypeSpellingAndLogin) {
  ASSERT_EQ(Mhub("repo create bob/a-dataset --type dataset").exit_code, 0);
  auto r = Mhub("ls bob/a-dataset");  // a dataset asked for as a model
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(OneErrorLine(r.err)) << r.err;
  for (const char* hint : {"--type dataset", "spelling", "mhub login"})
    EXPECT_NE(r.err.find(hint), std::string::npos) << hint << ": " << r.err;
  EXPECT_EQ(r.err.find("mhub: error: NotFound"), std::string::npos) << "no internal status names first: " << r.err;
  EXPECT_EQ(Mhub("ls bob/a-dataset --type dataset").exit_code, 0);
}

TEST_F(ErrorsCliTest, IdWithoutNamespaceIsAClientError) {
  for (const std::string cmd :
       {"download bert-base-uncased", "ls bert-base-uncased", "run fill-mask --model bert-base-uncased x",
        "tokenize --tokenizer bert-base-uncased x", "inspect bert-base-uncased"}) {
    auto r = Mhub(cmd);
    EXPECT_EQ(r.exit_code, 1) << cmd << ": " << r.err;
    EXPECT_TRUE(OneErrorLine(r.err)) << cmd << ": " << r.err;
    EXPECT_NE(r.err.find("namespace/name"), std::string::npos) << cmd << ": " << r.err;
    EXPECT_EQ(r.err.find("501"), std::string::npos) << cmd << ": " << r.err;
  }
  EXPECT_EQ(server_.Log().find("bert-base-uncased"), std::string::npos) << "nothing was asked of the hub";
}

TEST_F(ErrorsCliTest, TyposGetDidYouMean) {
  struct Case {
    std::string args, suggestion;
  };
  for (const auto& c : std::vector<Case>{{"uplaod bob/x .", "'upload'"},
                                         {"whomai", "'whoami'"},
                                         {"repo craete bob/x", "'create'"},
                                         {"download bob/x --revison dev", "'--revision'"},
                                         {"run fill-msk --model m x", "'fill-mask'"},
                                         {"cache prnue", "'prune'"}}) {
    auto r = Mhub(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << ": " << r.err;
    EXPECT_TRUE(OneErrorLine(r.err)) << c.args << ": " << r.err;
    EXPECT_NE(r.err.find("did you mean " + c.suggestion), std::string::npos) << c.args << ": " << r.err;
  }
}

TEST_F(ErrorsCliTest, ParserErrorsAreOneLine) {
  for (const std::string args : {"--no-such-flag", "upload", "run fill-mask", "repo create x --type nonsense",
                                 "download bob/x --max-workers many", "cache"}) {
    auto r = Mhub(args);
    EXPECT_EQ(r.exit_code, 2) << args;
    EXPECT_TRUE(OneErrorLine(r.err)) << args << ": " << r.err;
  }
  auto help = Mhub("--help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* part : {"Examples:", "MHUB_ENDPOINT", "HF_TOKEN", "HF_HUB_OFFLINE", "new-model"})
    EXPECT_NE(help.out.find(part), std::string::npos) << part;
}

}  // namespace
