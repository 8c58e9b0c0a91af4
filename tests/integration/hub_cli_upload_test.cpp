// `mhub upload` as `hf upload` behaves: paths in repo normalized as huggingface_hub does ('.',
// './x', '/x', 'sub/' for a file), --revision creating its branch, unchanged files skipped (no
// empty commit), ignored flags warned about; and `mhub repo branch|tag`. Checked against the
// server's own listings and git's view of the repo.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include "integration/hub_cli_fixture.h"
#include "mhub/base/json.h"

namespace {

namespace fs = std::filesystem;
using mhub::testing::HubCliTest;
using mhub::testing::Lines;
using mhub::testing::OneErrorLine;
using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;
using mhub::testing::WriteFileOrDie;

class UploadCliTest : public HubCliTest {
 protected:
  // Every file path of the repo at `revision`, from the hub's own tree listing.
  std::set<std::string> RemoteFiles(const std::string& repo, const std::string& revision = "main") {
    auto r = Mhub("ls " + repo + " -R --json --revision " + revision);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::set<std::string> files;
    auto j = mhub::ParseJson(r.out);
    if (!j.ok()) return files;
    for (const auto& e : *j)
      if (e["type"] == "file" && e["path"] != ".gitattributes") files.insert(e["path"].get<std::string>());
    return files;
  }
  // The commits on `revision`, newest first, as the hub lists them.
  size_t CommitCount(const std::string& repo, const std::string& revision = "main") {
    auto r = RunCommand("curl -sf -H 'Authorization: Bearer " + server_.token() + "' " + server_.url() +
                        "/api/models/" + repo + "/commits/" + revision);
    auto j = mhub::ParseJson(r.out);
    return j.ok() && j->is_array() ? j->size() : 0;
  }
  std::string MakeFolder() {
    const std::string folder = work_ / "model";
    fs::create_directories(folder + "/nested");
    WriteFileOrDie(folder + "/a.txt", "a\n");
    WriteFileOrDie(folder + "/nested/b.txt", "b\n");
    std::string big(11 * 1024 * 1024, '\0');
    std::mt19937 rng(3);
    for (auto& c : big) c = static_cast<char>(rng());
    WriteFileOrDie(folder + "/big.bin", big);
    return folder;
  }
};

TEST_F(UploadCliTest, PathInRepoIsNormalizedLikeHuggingfaceHub) {
  const std::string folder = MakeFolder();
  // Before the fix: "Corruption: preupload answer does not mention ./big.bin".
  auto dot = Mhub("upload bob/paths " + ShellQuote(folder) + " .");
  ASSERT_EQ(dot.exit_code, 0) << dot.err;
  EXPECT_EQ(RemoteFiles("bob/paths"), (std::set<std::string>{"a.txt", "nested/b.txt", "big.bin"}));

  for (const std::string dest : {"./sub", "sub/", "/sub"}) {
    ASSERT_EQ(Mhub("repo create bob/paths-folder --exist-ok").exit_code, 0);
    auto up = Mhub("upload bob/paths-folder " + ShellQuote(folder) + " " + ShellQuote(dest) + " --json");
    ASSERT_EQ(up.exit_code, 0) << dest << ": " << up.err;
    EXPECT_EQ(RemoteFiles("bob/paths-folder"), (std::set<std::string>{"sub/a.txt", "sub/nested/b.txt", "sub/big.bin"}))
        << dest;
    ASSERT_EQ(Mhub("repo delete bob/paths-folder").exit_code, 0);
  }

  // A single file: '.' and '/' are the root, 'sub/' a folder, './x' and '/x' the file x.
  const std::string file = folder + "/a.txt";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {".", "a.txt"},       {"/", "a.txt"},      {"sub/", "sub/a.txt"},      {"./sub/", "sub/a.txt"},
      {"./x.txt", "x.txt"}, {"/x.txt", "x.txt"}, {"/sub/x.txt", "sub/x.txt"}};
  for (const auto& [dest, expected] : cases) {
    ASSERT_EQ(Mhub("repo create bob/paths-file --exist-ok").exit_code, 0);
    auto up = Mhub("upload bob/paths-file " + ShellQuote(file) + " " + ShellQuote(dest));
    ASSERT_EQ(up.exit_code, 0) << dest << ": " << up.err;
    EXPECT_EQ(RemoteFiles("bob/paths-file"), (std::set<std::string>{expected})) << dest;
    ASSERT_EQ(Mhub("repo delete bob/paths-file").exit_code, 0);
  }
  auto escape = Mhub("upload bob/paths " + ShellQuote(file) + " ../x.txt");
  EXPECT_EQ(escape.exit_code, 1);
  EXPECT_TRUE(OneErrorLine(escape.err)) << escape.err;
}

TEST_F(UploadCliTest, UnchangedReuploadMakesNoCommit) {
  const std::string folder = MakeFolder();
  auto first = Mhub("upload bob/same " + ShellQuote(folder) + " --json");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const size_t commits = CommitCount("bob/same");
  ASSERT_GE(commits, 1u);
  const std::string head = (*mhub::ParseJson(first.out))["commitOid"];

  auto again = Mhub("upload bob/same " + ShellQuote(folder) + " --json");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  auto j = mhub::ParseJson(again.out);
  ASSERT_TRUE(j.ok()) << again.out;
  EXPECT_TRUE((*j)["empty"].get<bool>());
  EXPECT_EQ((*j)["commitOid"], head) << "the branch head is reported";
  EXPECT_EQ((*j)["unchanged"].size(), 3u);
  EXPECT_NE(again.err.find("nothing to commit"), std::string::npos) << again.err;
  EXPECT_EQ(CommitCount("bob/same"), commits) << "no empty commit";

  // One changed file: a commit with that file only.
  WriteFileOrDie(folder + "/a.txt", "changed\n");
  auto changed = Mhub("upload bob/same " + ShellQuote(folder) + " --json");
  ASSERT_EQ(changed.exit_code, 0) << changed.err;
  auto cj = mhub::ParseJson(changed.out);
  EXPECT_FALSE((*cj)["empty"].get<bool>());
  EXPECT_EQ((*cj)["unchanged"].size(), 2u);
  EXPECT_EQ(CommitCount("bob/same"), commits + 1);
  auto a = Mhub("download bob/same a.txt");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(mhub::testing::ReadFileOrDie(Lines(a.out).back()), "changed\n");
}

TEST_F(UploadCliTest, RevisionCreatesTheBranchAndRefCommandsWork) {
  const std::string folder = MakeFolder();
  ASSERT_EQ(Mhub("upload bob/refs " + ShellQuote(folder)).exit_code, 0);
  WriteFileOrDie(work_ / "dev.txt", "dev\n");
  auto dev = Mhub("upload bob/refs " + ShellQuote(work_ / "dev.txt") + " --revision dev");
  ASSERT_EQ(dev.exit_code, 0) << dev.err;
  EXPECT_NE(dev.err.find("Created branch 'dev'"), std::string::npos) << dev.err;
  EXPECT_TRUE(RemoteFiles("bob/refs", "dev").count("dev.txt"));
  EXPECT_FALSE(RemoteFiles("bob/refs", "main").count("dev.txt"));
  EXPECT_TRUE(RemoteFiles("bob/refs", "dev").count("big.bin")) << "the branch starts from main";

  // git itself sees the branch and the tag.
  ASSERT_EQ(Mhub("repo tag create bob/refs v1 -m 'first release'").exit_code, 0);
  ASSERT_EQ(Mhub("repo branch create bob/refs feature --revision dev").exit_code, 0);
  auto git = RunCommand("git ls-remote " + ShellQuote(server_.url() + "/bob/refs"));
  ASSERT_EQ(git.exit_code, 0) << git.err;
  EXPECT_NE(git.out.find("refs/heads/dev"), std::string::npos) << git.out;
  EXPECT_NE(git.out.find("refs/heads/feature"), std::string::npos) << git.out;
  EXPECT_NE(git.out.find("refs/tags/v1"), std::string::npos) << git.out;
  auto tags = Mhub("repo tag list bob/refs --json");
  ASSERT_EQ(tags.exit_code, 0) << tags.err;
  EXPECT_EQ((*mhub::ParseJson(tags.out))[0]["name"], "v1");
  auto branches = Lines(Mhub("repo branch list bob/refs").out);
  EXPECT_EQ(branches.size(), 3u);

  ASSERT_EQ(Mhub("repo tag delete bob/refs v1").exit_code, 0);
  ASSERT_EQ(Mhub("repo branch delete bob/refs feature").exit_code, 0);
  git = RunCommand("git ls-remote " + ShellQuote(server_.url() + "/bob/refs"));
  EXPECT_EQ(git.out.find("refs/tags/v1"), std::string::npos) << git.out;
  EXPECT_EQ(git.out.find("refs/heads/feature"), std::string::npos) << git.out;
  auto missing = Mhub("repo branch delete bob/refs nope");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_TRUE(OneErrorLine(missing.err)) << missing.err;
}

TEST_F(UploadCliTest, FlagsIgnoredForOneFileAreWarnedAbout) {
  WriteFileOrDie(work_ / "one.txt", "1\n");
  auto up =
      Mhub("upload bob/flags " + ShellQuote(work_ / "one.txt") + " --include '*.md' --exclude '*.txt' --delete '*'");
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_NE(up.err.find("warning: ignoring --include since a single file is uploaded"), std::string::npos) << up.err;
  EXPECT_NE(up.err.find("warning: ignoring --exclude"), std::string::npos) << up.err;
  EXPECT_NE(up.err.find("warning: ignoring --delete"), std::string::npos) << up.err;
  EXPECT_EQ(RemoteFiles("bob/flags"), (std::set<std::string>{"one.txt"}));
}

}  // namespace

namespace {

// Ctrl-C in the middle of an upload says what happened, and the re-run sends only what the hub
// does not have yet.
TEST_F(UploadCliTest, InterruptedUploadResumesWithoutResendingStoredFiles) {
  const std::string folder = work_ / "three";
  fs::create_directories(folder);
  std::vector<std::string> oids;
  std::mt19937 rng(11);
  for (int i = 0; i < 3; ++i) {
    std::string data(48 * 1024 * 1024, '\0');
    for (auto& c : data) c = static_cast<char>(rng());
    const std::string path = folder + "/part" + std::to_string(i) + ".bin";
    WriteFileOrDie(path, data);
    oids.push_back(mhub::testing::Sha256Sum(path));
  }
  auto stored = [&](const std::string& oid) {
    return fs::exists(server_.data_dir() + "/lfs/objects/" + oid.substr(0, 2) + "/" + oid.substr(2, 2) + "/" + oid);
  };
  // One worker, so the files go one after the other; stop the client as soon as the first is stored.
  const std::string log = work_ / "upload.err";
  const std::string cmd = "env " + Env() + " " + ShellQuote(mhub::testing::MhubBin()) + " upload bob/resume " +
                          ShellQuote(folder) + " --max-workers 1 >/dev/null 2>" + ShellQuote(log) + " & echo $!";
  auto started = RunCommand("sh -c " + ShellQuote(cmd));
  const pid_t pid = std::stoi(started.out);
  bool first = false;
  for (int i = 0; i < 3000 && !first; ++i) {
    for (const auto& oid : oids) first = first || stored(oid);
    if (!first) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(first) << "no file reached the hub";
  ::kill(pid, SIGINT);
  for (int i = 0; i < 400 && ::kill(pid, 0) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  const std::string err = mhub::testing::ReadFileOrDie(log);
  size_t already = 0;
  for (const auto& oid : oids) already += stored(oid) ? 1 : 0;
  ASSERT_LT(already, 3u) << "the upload finished before the interrupt; nothing to resume:\n" << err;
  EXPECT_NE(err.find("upload interrupted: nothing was committed"), std::string::npos) << err;
  EXPECT_NE(err.find("run the same command to finish"), std::string::npos) << err;
  EXPECT_EQ(Mhub("ls bob/resume -R").out.find("part"), std::string::npos) << "no partial commit";

  auto rerun = Mhub("upload bob/resume " + ShellQuote(folder) + " --max-workers 1");
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_NE(rerun.err.find(std::to_string(already) + " large file(s) were already on the hub"), std::string::npos)
      << rerun.err;
  for (int i = 0; i < 3; ++i) {
    auto d = Mhub("download bob/resume part" + std::to_string(i) + ".bin");
    ASSERT_EQ(d.exit_code, 0) << d.err;
    EXPECT_EQ(mhub::testing::Sha256Sum(Lines(d.out).back()), oids[static_cast<size_t>(i)]);
  }
}

}  // namespace
