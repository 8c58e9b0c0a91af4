// The data directory is private to the server's user (issue 20, finding 9): server_secret (the
// HMAC key of LFS URLs) and db.sqlite (token hashes, private repo records) are 0600, the data
// directory, the repos folder and each repo 0700, for a new data dir and for one an older
// version left world-readable. Oracle: stat(2).
#include <gtest/gtest.h>

#include <sys/stat.h>

#include "mhub/base/json.h"
#include "server/http_test_support.h"

namespace mhub::testing {
namespace {

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

void ExpectPrivate(const std::string& data) {
  EXPECT_EQ(ModeOf(data) & 077, 0u) << data;
  EXPECT_EQ(ModeOf(data + "/server_secret"), 0600u);
  EXPECT_EQ(ModeOf(data + "/db.sqlite") & 077, 0u);
  struct stat st {};
  if (::stat((data + "/db.sqlite-wal").c_str(), &st) == 0) {
    EXPECT_EQ(st.st_mode & 077, 0u);
  }
  EXPECT_EQ(ModeOf(data + "/repos") & 077, 0u);
}

TEST(DataDirModesTest, NewDataDirIsPrivate) {
  InProcessHub hub;
  const std::string token = hub.CreateUser("alice");
  ASSERT_EQ(Curl("POST", hub.url() + "/api/repos/create",
                 {"Authorization: Bearer " + token, "Content-Type: application/json"},
                 "{\"name\":\"secret\",\"private\":true}")
                .status,
            200);
  ExpectPrivate(hub.data_dir());
  EXPECT_EQ(ModeOf(hub.data_dir() + "/repos/models/alice/secret.git") & 077, 0u);
}

TEST(DataDirModesTest, OldWorldReadableDataDirIsFixedAtStart) {
  TempDir root;
  const std::string data = root / "data";
  ASSERT_EQ(RunCommand("mkdir -p " + ShellQuote(data + "/repos") + " && chmod 755 " + ShellQuote(data) + " " +
                       ShellQuote(data + "/repos"))
                .exit_code,
            0);
  WriteFileOrDie(data + "/server_secret", std::string(64, 'a') + "\n");
  ASSERT_EQ(::chmod((data + "/server_secret").c_str(), 0644), 0);
  ServerProcess server(data, FreePort());
  ASSERT_TRUE(server.Start());
  ExpectPrivate(data);
}

}  // namespace
}  // namespace mhub::testing
