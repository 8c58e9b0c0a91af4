// The NDJSON commit body is parsed as it streams in (issue 20, finding 8): a 200 MB body of
// base64 across several files is committed while the server's peak RSS grows by far less than
// the body. The hub runs in this process; its peak (VmHWM from /proc/self/status) is reset with
// /proc/self/clear_refs before the request. Oracle for the result: `git hash-object` of each file.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "server/http_test_support.h"

namespace mhub::testing {
namespace {

// A field of /proc/self/status in kB ("VmHWM", "VmRSS").
uint64_t ProcStatusKb(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::strtoull(line.c_str() + field.size() + 1, nullptr, 10);
  }
  return 0;
}

TEST(CommitStreamMemoryTest, LargeCommitBodyIsParsedWithBoundedMemory) {
  ::setenv("MHUB_MAX_REGULAR_FILE_SIZE", "0", 1);  // no cap: this is about the body, not the files
  InProcessHub hub;
  const std::string token = hub.CreateUser("alice");
  const std::string auth = "Authorization: Bearer " + token;
  CurlReply created = Curl("POST", hub.url() + "/api/repos/create", {auth, "Content-Type: application/json"},
                           DumpJson(Json{{"name", "big"}}));
  ASSERT_EQ(created.status, 200) << created.body;

  // 4 files x 37.5 MiB of random bytes = 200 MiB of base64, built by the shell (not in memory here).
  TempDir tmp;
  constexpr int kFiles = 4;
  constexpr uint64_t kFileBytes = 75ull << 19;
  std::string script = "set -e; cd " + ShellQuote(tmp.path()) +
                       "; printf '%s\\n' '{\"key\":\"header\",\"value\":{\"summary\":\"big\"}}' > body";
  for (int i = 0; i < kFiles; ++i) {
    const std::string n = std::to_string(i);
    script += "; head -c " + std::to_string(kFileBytes) + " /dev/urandom > part" + n +
              "; printf '%s' '{\"key\":\"file\",\"value\":{\"content\":\"' >> body; base64 -w0 part" + n +
              " >> body; printf '%s\\n' '\",\"path\":\"weights/part" + n + ".dat\",\"encoding\":\"base64\"}}' >> body";
  }
  CommandResult made = RunCommand(script);
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const uint64_t body_bytes = std::stoull(RunCommand("stat -c %s " + ShellQuote(tmp / "body")).out);
  ASSERT_GT(body_bytes, 200ull << 20);

  std::ofstream("/proc/self/clear_refs") << "5";  // resets VmHWM to the current RSS
  const uint64_t rss_before_kb = ProcStatusKb("VmRSS");
  const uint64_t hwm_reset_kb = ProcStatusKb("VmHWM");
  CommandResult post =
      RunCommand("curl -sS -o " + ShellQuote(tmp / "answer") + " -w '%{http_code}' -X POST -H " + ShellQuote(auth) +
                 " -H 'Content-Type: application/x-ndjson' --data-binary @" + ShellQuote(tmp / "body") + " " +
                 ShellQuote(hub.url() + "/api/models/alice/big/commit/main"));
  const uint64_t hwm_after_kb = ProcStatusKb("VmHWM");
  ::unsetenv("MHUB_MAX_REGULAR_FILE_SIZE");
  ASSERT_EQ(post.out, "200") << ReadFileOrDie(tmp / "answer");
  const uint64_t growth_mb = (hwm_after_kb - std::min(hwm_after_kb, std::max(rss_before_kb, hwm_reset_kb))) / 1024;
  std::printf("commit body %llu MB: server RSS before %llu MB, peak during the request %llu MB (+%llu MB)\n",
              static_cast<unsigned long long>(body_bytes >> 20), static_cast<unsigned long long>(rss_before_kb / 1024),
              static_cast<unsigned long long>(hwm_after_kb / 1024), static_cast<unsigned long long>(growth_mb));
  // Holding the body (200 MB) or one decoded file (37.5 MB) would already break this bound.
  EXPECT_LT(growth_mb, 32u);

  // What landed is byte-exact: git's own blob ids of the source files.
  const std::string git = "git --git-dir=" + ShellQuote(hub.data_dir() + "/repos/models/alice/big.git");
  for (int i = 0; i < kFiles; ++i) {
    const std::string n = std::to_string(i);
    const std::string want = RunCommand("git hash-object " + ShellQuote(tmp / ("part" + n))).out.substr(0, 40);
    const std::string got = RunCommand(git + " rev-parse main:weights/part" + n + ".dat").out.substr(0, 40);
    EXPECT_EQ(got, want) << "part" << n;
  }
  EXPECT_EQ(RunCommand(git + " fsck --strict --no-dangling").exit_code, 0);
}

}  // namespace
}  // namespace mhub::testing
