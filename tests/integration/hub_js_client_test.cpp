// The real @huggingface/hub JS client (tests/clients/hub_js_client.js) against a real mhub server;
// the script asserts every step and prints ALL OK.
#include <gtest/gtest.h>

#include "hub/hub_test_server.h"
#include "support/test_support.h"

namespace {

using mhub::testing::HubTestServer;
using mhub::testing::MhubBin;
using mhub::testing::NodeModulesDir;
using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;
using mhub::testing::SourceDir;
using mhub::testing::TempDir;

TEST(HubJsClientTest, OfficialJsClientAgainstMhubServer) {
  HubTestServer server("jsuser");
  ASSERT_TRUE(server.ok()) << server.error();
  TempDir work;
  std::string cmd = "HUB_URL=" + ShellQuote(server.url()) + " HUB_TOKEN=" + ShellQuote(server.token()) +
                    " HUB_USER=jsuser MHUB_BIN=" + ShellQuote(MhubBin()) + " WORK_DIR=" + ShellQuote(work.path()) +
                    " NODE_MODULES=" + ShellQuote(NodeModulesDir()) + " HF_HOME=" + ShellQuote(work / "hf_home") +
                    " MHUB_NO_PROGRESS=1 node " + ShellQuote(SourceDir() + "/tests/clients/hub_js_client.js");
  auto r = RunCommand(cmd);
  EXPECT_EQ(r.exit_code, 0) << "stdout:\n" << r.out << "\nstderr:\n" << r.err << "\nserver log:\n" << server.Log();
  EXPECT_NE(r.out.find("ALL OK"), std::string::npos) << r.out;
}

}  // namespace
