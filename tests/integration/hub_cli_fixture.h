// A real `mhub server` and a way to run the mhub CLI against it with its own HF_HOME, for the
// black-box tests of the hub commands.
#pragma once

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "hub/hub_test_server.h"
#include "support/test_support.h"

namespace mhub::testing {

inline std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

inline std::string Sha256Sum(const std::string& path) {
  auto r = RunCommand("sha256sum " + ShellQuote(path));
  return r.out.substr(0, 64);
}

// True when `err` is exactly one line starting with "mhub: error: ".
inline bool OneErrorLine(const std::string& err) {
  return Lines(err).size() == 1 && err.rfind("mhub: error: ", 0) == 0;
}

class HubCliTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.ok()) << server_.error(); }

  // The environment for `mhub` with HF_HOME/HF_HUB_CACHE in the temp dir and the server as endpoint.
  std::string Env(bool with_token = true) const {
    std::string env = "HF_HOME=" + ShellQuote(home_.path()) + " HF_HUB_CACHE=" + ShellQuote(home_ / "cache") +
                      " HF_ENDPOINT=" + ShellQuote(server_.url()) +
                      " MHUB_ENDPOINT= MHUB_TOKEN= HF_TOKEN= HUGGING_FACE_HUB_TOKEN= MHUB_NO_PROGRESS=1";
    if (with_token) env += " HF_TOKEN=" + ShellQuote(server_.token());
    return env;
  }
  // Runs `mhub <args>`.
  CommandResult Mhub(const std::string& args, bool with_token = true, const std::string& input = "") {
    return RunCommand("env " + Env(with_token) + " " + ShellQuote(MhubBin()) + " " + args, input);
  }

  HubTestServer server_{"bob", "bobs-org"};
  TempDir home_;
  TempDir work_;
};

}  // namespace mhub::testing
