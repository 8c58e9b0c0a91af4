// The real @huggingface/hub client (npm, node_modules) against an in-process hub: whoAmI,
// createRepo, uploadFiles (regular + LFS through preupload, the LFS batch API and the NDJSON
// commit), listFiles, fileDownloadInfo, downloadFile, fileExists, modelInfo, listModels,
// listCommits, pathsInfo, branches, deleteFile, deleteRepo (tests/clients/server_js_client.js).
#include <gtest/gtest.h>

#include "server/http_test_support.h"

namespace mhub::testing {
namespace {

TEST(HttpJsClientTest, HuggingfaceHubJsWorksUnchanged) {
  InProcessHub hub;
  std::string token = hub.CreateUser("alice");
  CommandResult r = RunCommand("NODE_MODULES=" + ShellQuote(NodeModulesDir()) + " node " +
                               ShellQuote(SourceDir() + "/tests/clients/server_js_client.js") + " " +
                               ShellQuote(hub.url()) + " " + ShellQuote(token) + " alice");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("OK"), std::string::npos) << r.out << r.err;
}

}  // namespace
}  // namespace mhub::testing
