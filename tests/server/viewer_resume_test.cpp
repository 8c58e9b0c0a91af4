// The Parquet conversion queue survives a kill -9 of the real `mhub server`: killed while the job of
// a pushed dataset runs (seen in the viewer_jobs table with python's sqlite3), refs/convert/parquet
// still shows the previous conversion whole (plain git: fsck, every LFS pointer's object downloadable
// with the sha256 and size the pointer names, a Parquet file end to end), and the restarted server
// re-runs the job and serves the new rows. A job that dies with the server every time is failed
// after kMaxInterruptedRuns (3) runs instead of taking every restart down with it.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "mhub/base/json.h"
#include "server/http_test_support.h"

namespace mhub::testing {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// "state attempts" of the repo's job row, read by python's sqlite3 (an outside reader of the table).
std::string JobRow(const std::string& db, const std::string& repo) {
  CommandResult r = RunCommand(Python() + " -c " +
                               ShellQuote("import sqlite3,sys\n"
                                          "c=sqlite3.connect(sys.argv[1], timeout=10)\n"
                                          "row=c.execute('select state, attempts from viewer_jobs where repo=?',"
                                          "(sys.argv[2],)).fetchone()\n"
                                          "print(f'{row[0]} {row[1]}' if row else '')") +
                               " " + ShellQuote(db) + " " + ShellQuote(repo));
  return Trim(r.out);
}

// Polls the table every few milliseconds (one python process) until the job is running with at
// least `attempts` runs, or done/failed; returns the last "state attempts" seen.
std::string WaitRunning(const std::string& db, const std::string& repo, int attempts) {
  CommandResult r = RunCommand(
      Python() + " -c " +
      ShellQuote("import sqlite3,sys,time\n"
                 "want=int(sys.argv[3]); end=time.time()+180; last=''\n"
                 "while time.time()<end:\n"
                 "  try:\n"
                 "    c=sqlite3.connect(sys.argv[1], timeout=10)\n"
                 "    row=c.execute('select state, attempts from viewer_jobs where repo=?',(sys.argv[2],)).fetchone()\n"
                 "    c.close()\n"
                 "  except sqlite3.Error:\n"
                 "    row=None\n"
                 "  if row:\n"
                 "    last=f'{row[0]} {row[1]}'\n"
                 "    if (row[0]=='running' and row[1]>=want) or row[0] in ('done','failed'): break\n"
                 "  time.sleep(0.003)\n"
                 "print(last)") +
      " " + ShellQuote(db) + " " + ShellQuote(repo) + " " + std::to_string(attempts));
  return Trim(r.out);
}

std::string Jsonl(int64_t first, int64_t n) {
  std::string out;
  for (int64_t id = first; id < first + n; ++id) {
    out += "{\"id\": " + std::to_string(id) + ", \"text\": \"row number " + std::to_string(id) +
           " of the resume test\", \"x\": " + std::to_string(id) + ".5}\n";
  }
  return out;
}

// One commit replacing data/ with `files` (path -> JSONL text).
CurlReply Push(const std::string& url, const std::string& auth, const std::vector<std::string>& deletes,
               const std::vector<std::pair<std::string, std::string>>& files) {
  std::string body = "{\"key\":\"header\",\"value\":{\"summary\":\"data\"}}\n";
  for (const auto& path : deletes) body += DumpJson(Json{{"key", "deletedFile"}, {"value", {{"path", path}}}}) + "\n";
  for (const auto& [path, content] : files) {
    body += DumpJson(Json{{"key", "file"},
                          {"value", {{"path", path}, {"content", Base64(content)}, {"encoding", "base64"}}}}) +
            "\n";
  }
  return ApiCall(url, "POST", "/api/datasets/alice/big/commit/main", auth, body, "application/x-ndjson");
}

std::string Git(const std::string& git_dir, const std::string& args) {
  return RunCommand("git --git-dir=" + ShellQuote(git_dir) + " " + args + " 2>&1").out;
}

// refs/convert/parquet is whole: git fsck passes, and every file on it is an LFS pointer whose
// object downloads (resolve) with the pointer's sha256 and size and is a Parquet file end to end.
// Returns the branch's file list.
std::string ExpectBranchWhole(const std::string& url, const std::string& git_dir) {
  CommandResult fsck = RunCommand("git --git-dir=" + ShellQuote(git_dir) + " fsck --no-dangling 2>&1");
  EXPECT_EQ(fsck.exit_code, 0) << fsck.out;
  const std::string tree = Git(git_dir, "ls-tree -r --name-only refs/convert/parquet");
  size_t at = 0;
  while (at < tree.size()) {
    size_t nl = tree.find('\n', at);
    const std::string path = tree.substr(at, nl - at);
    at = nl == std::string::npos ? tree.size() : nl + 1;
    if (path.empty() || path == ".gitattributes") continue;
    const std::string pointer = Git(git_dir, "cat-file -p " + ShellQuote("refs/convert/parquet:" + path));
    const size_t oid_at = pointer.find("oid sha256:"), size_at = pointer.find("\nsize ");
    EXPECT_TRUE(oid_at != std::string::npos && size_at != std::string::npos) << path << ": " << pointer;
    if (oid_at == std::string::npos || size_at == std::string::npos) continue;
    const std::string oid = pointer.substr(oid_at + 11, 64);
    const uint64_t size = std::stoull(pointer.substr(size_at + 6));
    CurlReply file =
        Curl("GET", url + "/datasets/alice/big/resolve/refs%2Fconvert%2Fparquet/" + path, {}, "", false, "-L");
    EXPECT_EQ(file.status, 200) << path;
    EXPECT_EQ(file.body.size(), size) << path;
    EXPECT_EQ(Sha256OfString(file.body), oid) << path;
    if (file.body.size() < 8) continue;
    EXPECT_EQ(file.body.substr(0, 4), "PAR1") << path;
    EXPECT_EQ(file.body.substr(file.body.size() - 4), "PAR1") << path;
  }
  return tree;
}

bool WaitRows(const std::string& url, int64_t rows, int seconds) {
  for (int i = 0; i < seconds * 10; ++i) {
    CurlReply r = Curl("GET", url + "/api/viewer/rows?dataset=alice/big&config=default&split=train&length=1");
    if (r.status == 200 && ParseOrDie(r.body).value("num_rows_total", int64_t{-1}) == rows) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

class ViewerResumeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = root_ / "data";
    std::filesystem::create_directories(data_);
    port_ = FreePort();
    server_ = std::make_unique<ServerProcess>(data_, port_);
    ASSERT_TRUE(server_->Start());
    auth_ = "Authorization: Bearer " + MhubAdmin(data_, "create-user alice");
    url_ = server_->url();
    ASSERT_EQ(ApiCall(url_, "POST", "/api/repos/create", auth_, "{\"name\":\"big\",\"type\":\"dataset\"}").status, 200);
    // A first, small conversion: the branch the interrupted one must leave as it is.
    ASSERT_EQ(Push(url_, auth_, {}, {{"data/train.jsonl", Jsonl(0, 1000)}}).status, 200);
    ASSERT_TRUE(WaitRows(url_, 1000, 120));
  }
  // Pushes 150k rows in two files (a conversion of a few seconds) and waits until its job runs with
  // at least `attempts` runs.
  void PushBig() {
    CurlReply c = Push(url_, auth_, {"data/train.jsonl"},
                       {{"data/train-00000-of-00002.jsonl", Jsonl(0, 75000)},
                        {"data/train-00001-of-00002.jsonl", Jsonl(75000, 75000)}});
    ASSERT_EQ(c.status, 200) << c.body;
  }
  std::string Db() const { return data_ + "/db.sqlite"; }
  std::string GitDir() const { return data_ + "/repos/datasets/alice/big.git"; }

  TempDir root_;
  std::string data_, url_, auth_;
  int port_ = 0;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(ViewerResumeTest, KillDuringConversionKeepsTheBranchWholeAndRestartReRuns) {
  const std::string before = ExpectBranchWhole(url_, GitDir());
  EXPECT_EQ(before, ".gitattributes\ndefault/train/0000.parquet\n");
  const std::string head_before = Git(GitDir(), "rev-parse refs/convert/parquet");
  PushBig();
  ASSERT_EQ(WaitRunning(Db(), "alice/big", 1), "running 1") << "the conversion finished before it could be killed";
  server_->Kill(SIGKILL);

  // Nothing of the interrupted conversion is visible: the branch is the first conversion's.
  EXPECT_EQ(JobRow(Db(), "alice/big"), "running 1");
  EXPECT_EQ(Git(GitDir(), "rev-parse refs/convert/parquet"), head_before);

  server_ = std::make_unique<ServerProcess>(data_, port_);
  ASSERT_TRUE(server_->Start());
  ASSERT_TRUE(WaitRows(url_, 150000, 240));
  EXPECT_EQ(JobRow(Db(), "alice/big"), "done 2");
  CurlReply page = Curl("GET", url_ + "/api/viewer/rows?dataset=alice/big&config=default&split=train&offset=149990");
  ASSERT_EQ(page.status, 200) << page.body;
  Json j = ParseOrDie(page.body);
  ASSERT_EQ(j["rows"].size(), 10u);
  for (size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(j["rows"][i]["row_idx"], 149990 + static_cast<int64_t>(i));
    EXPECT_EQ(j["rows"][i]["row"]["id"], 149990 + static_cast<int64_t>(i));
    EXPECT_EQ(j["rows"][i]["row"]["text"], "row number " + std::to_string(149990 + i) + " of the resume test");
  }
  const std::string after = ExpectBranchWhole(url_, GitDir());
  EXPECT_NE(after.find("default/train/0000.parquet"), std::string::npos) << after;
  EXPECT_NE(Git(GitDir(), "rev-parse refs/convert/parquet"), head_before);
}

TEST_F(ViewerResumeTest, JobKilledWithTheServerThreeTimesFailsVisibly) {
  const std::string head_before = Git(GitDir(), "rev-parse refs/convert/parquet");
  PushBig();
  for (int run = 1; run <= 3; ++run) {
    ASSERT_EQ(WaitRunning(Db(), "alice/big", run), "running " + std::to_string(run))
        << "run " << run << " finished before it could be killed";
    server_->Kill(SIGKILL);
    server_ = std::make_unique<ServerProcess>(data_, port_);
    ASSERT_TRUE(server_->Start());
  }
  // The fourth start does not run it again: the job is failed, the server answers, the branch is
  // the first conversion's.
  std::string state;
  for (int i = 0; i < 300 && state.rfind("failed", 0) != 0; ++i) {
    state = JobRow(Db(), "alice/big");
    if (state.rfind("failed", 0) != 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(state, "failed 3");
  CurlReply splits = Curl("GET", url_ + "/api/viewer/splits?dataset=alice/big");
  EXPECT_EQ(splits.status, 500) << splits.body;
  EXPECT_EQ(splits.Header("x-error-code"), "DatasetGenerationError");
  EXPECT_NE(ParseOrDie(splits.body).value("error", "").find("interrupted 3 times"), std::string::npos) << splits.body;
  EXPECT_EQ(Git(GitDir(), "rev-parse refs/convert/parquet"), head_before);
  ExpectBranchWhole(url_, GitDir());
  // A new push is converted again.
  ASSERT_EQ(Push(url_, auth_, {"data/train-00000-of-00002.jsonl", "data/train-00001-of-00002.jsonl"},
                 {{"data/train.jsonl", Jsonl(0, 500)}})
                .status,
            200);
  EXPECT_TRUE(WaitRows(url_, 500, 120));
}

}  // namespace
}  // namespace mhub::testing
