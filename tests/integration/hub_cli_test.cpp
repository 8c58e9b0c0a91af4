// The hub CLI (login, whoami, repo, upload, download, ls, search, cache ls) against a real
// `mhub server`; contents checked with sha256sum and the bytes we wrote.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <set>
#include <sstream>

#include "integration/hub_cli_fixture.h"
#include "mhub/base/json.h"
#include "support/test_support.h"

namespace {

namespace fs = std::filesystem;
using mhub::testing::CommandResult;
using mhub::testing::HubCliTest;
using mhub::testing::HubTestServer;
using mhub::testing::Lines;
using mhub::testing::MhubBin;
using mhub::testing::ReadFileOrDie;
using mhub::testing::RunCommand;
using mhub::testing::Sha256Sum;
using mhub::testing::ShellQuote;
using mhub::testing::TempDir;
using mhub::testing::WriteFileOrDie;

TEST_F(HubCliTest, LoginStoresTokenWhereHuggingfaceHubReadsIt) {
  auto bad = Mhub("login --token hf_wrong", false);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(Lines(bad.err).size(), 1u) << bad.err;
  EXPECT_FALSE(fs::exists(home_ / "token"));

  auto ok = Mhub("login --token " + ShellQuote(server_.token()), false);
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ReadFileOrDie(home_ / "token"), server_.token());
  EXPECT_EQ(fs::status(home_ / "token").permissions() & fs::perms::others_read, fs::perms::none);

  // whoami now works from the stored token alone.
  auto who = Mhub("whoami", false);
  ASSERT_EQ(who.exit_code, 0) << who.err;
  EXPECT_EQ(Lines(who.out)[0], "bob");
  auto who_json = Mhub("whoami --json", false);
  auto j = mhub::ParseJson(who_json.out);
  ASSERT_TRUE(j.ok()) << who_json.out;
  EXPECT_EQ((*j)["name"], "bob");

  auto stdin_login = Mhub("login", false, server_.token() + "\n");
  EXPECT_EQ(stdin_login.exit_code, 0) << stdin_login.err;
  EXPECT_EQ(Mhub("logout", false).exit_code, 0);
  EXPECT_FALSE(fs::exists(home_ / "token"));
  auto anon = Mhub("whoami", false);
  EXPECT_EQ(anon.exit_code, 1);
  EXPECT_EQ(Lines(anon.err).size(), 1u);
}

TEST_F(HubCliTest, RepoUploadLsDownloadSearchCacheDelete) {
  auto created = Mhub("repo create cli-model");
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_NE(created.out.find("bob/cli-model"), std::string::npos);
  auto again = Mhub("repo create bob/cli-model");
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(Lines(again.err).size(), 1u) << again.err;
  EXPECT_EQ(again.err.rfind("mhub: error: ", 0), 0u) << again.err;
  EXPECT_EQ(Mhub("repo create bob/cli-model --exist-ok").exit_code, 0);
  auto ds = Mhub("repo create bobs-org/cli-data --type dataset --private --json");
  ASSERT_EQ(ds.exit_code, 0) << ds.err;
  EXPECT_EQ((*mhub::ParseJson(ds.out))["type"], "dataset");

  // A folder with a large (LFS) file, and a single file.
  const std::string folder = work_ / "model";
  fs::create_directories(folder + "/sub");
  std::string big(11 * 1024 * 1024, '\0');
  std::mt19937 rng(7);
  for (auto& c : big) c = static_cast<char>(rng());
  WriteFileOrDie(folder + "/sub/weights.bin", big);
  WriteFileOrDie(folder + "/config.json", "{\"a\": 1}\n");
  WriteFileOrDie(folder + "/ignored.tmp", "x");
  auto up = Mhub("upload bob/cli-model " + ShellQuote(folder) + " --exclude '*.tmp' --commit-message 'folder upload'");
  ASSERT_EQ(up.exit_code, 0) << up.err << "\n" << server_.Log();
  EXPECT_NE(up.out.find("/api/models/bob/cli-model/tree/"), std::string::npos) << up.out;
  WriteFileOrDie(work_ / "notes.txt", "notes\n");
  auto up_file = Mhub("upload bob/cli-model " + ShellQuote(work_ / "notes.txt") + " docs/notes.txt --json");
  ASSERT_EQ(up_file.exit_code, 0) << up_file.err;
  auto commit = mhub::ParseJson(up_file.out);
  ASSERT_TRUE(commit.ok()) << up_file.out;
  const std::string head = (*commit)["commitOid"];

  // ls: top level, recursive, JSON sizes.
  auto ls = Mhub("ls bob/cli-model");
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  auto top_lines = Lines(ls.out);
  std::set<std::string> top(top_lines.begin(), top_lines.end());
  EXPECT_TRUE(top.count("config.json") && top.count("sub/") && top.count("docs/")) << ls.out;
  EXPECT_FALSE(top.count("ignored.tmp"));
  auto lsr = Mhub("ls bob/cli-model -R --json");
  ASSERT_EQ(lsr.exit_code, 0) << lsr.err;
  auto entries = mhub::ParseJson(lsr.out);
  ASSERT_TRUE(entries.ok());
  std::map<std::string, mhub::Json> by_path;
  for (auto& e : *entries) by_path[e["path"]] = e;
  ASSERT_TRUE(by_path.count("sub/weights.bin")) << lsr.out;
  EXPECT_EQ(by_path["sub/weights.bin"]["size"], big.size());
  EXPECT_EQ(by_path["sub/weights.bin"]["lfs"]["oid"], Sha256Sum(folder + "/sub/weights.bin"));
  EXPECT_EQ(by_path["docs/notes.txt"]["size"], 6);

  // download: one file prints the file; the repo prints the snapshot; --local-dir places files.
  auto one = Mhub("download bob/cli-model sub/weights.bin");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  std::string path = Lines(one.out).back();
  EXPECT_EQ(path, home_.path() + "/cache/models--bob--cli-model/snapshots/" + head + "/sub/weights.bin");
  EXPECT_EQ(Sha256Sum(path), Sha256Sum(folder + "/sub/weights.bin"));
  auto all = Mhub("download bob/cli-model --include '*.json' --include 'docs/*'");
  ASSERT_EQ(all.exit_code, 0) << all.err;
  std::string snap = Lines(all.out).back();
  EXPECT_EQ(ReadFileOrDie(snap + "/config.json"), "{\"a\": 1}\n");
  EXPECT_EQ(ReadFileOrDie(snap + "/docs/notes.txt"), "notes\n");
  TempDir local;
  auto to_local = Mhub("download bob/cli-model --local-dir " + ShellQuote(local.path()));
  ASSERT_EQ(to_local.exit_code, 0) << to_local.err;
  EXPECT_EQ(Lines(to_local.out).back(), local.path());
  EXPECT_EQ(Sha256Sum(local / "sub/weights.bin"), Sha256Sum(folder + "/sub/weights.bin"));
  auto missing = Mhub("download bob/cli-model nope.txt");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(Lines(missing.err).size(), 1u) << missing.err;

  // Offline: the cache answers without the server.
  auto offline =
      RunCommand("env HF_HUB_OFFLINE=1 HF_ENDPOINT=http://127.0.0.1:1 HF_HUB_CACHE=" + ShellQuote(home_ / "cache") +
                 " " + ShellQuote(MhubBin()) + " download bob/cli-model config.json");
  ASSERT_EQ(offline.exit_code, 0) << offline.err;
  EXPECT_EQ(ReadFileOrDie(Lines(offline.out).back()), "{\"a\": 1}\n");

  // search
  ASSERT_EQ(Mhub("repo create bob/cli-other").exit_code, 0);
  auto search = Mhub("search cli- --limit 10 -q");
  ASSERT_EQ(search.exit_code, 0) << search.err;
  auto found_lines = Lines(search.out);
  std::set<std::string> found(found_lines.begin(), found_lines.end());
  EXPECT_EQ(found, (std::set<std::string>{"bob/cli-model", "bob/cli-other"}));
  auto search_json = Mhub("search cli-model --json");
  ASSERT_EQ(search_json.exit_code, 0);
  auto sj = mhub::ParseJson(search_json.out);
  ASSERT_TRUE(sj.ok());
  ASSERT_EQ(sj->size(), 1u);
  EXPECT_EQ((*sj)[0]["id"], "bob/cli-model");
  EXPECT_EQ(Lines(Mhub("search cli- --limit 1 -q").out).size(), 1u);

  // Card metadata filters: only cli-other has a README saying what it is.
  WriteFileOrDie(work_ / "README.md",
                 "---\nlicense: mit\nlibrary_name: transformers\nlanguage: en\npipeline_tag: text-classification\n---\n"
                 "# other\n");
  ASSERT_EQ(Mhub("upload bob/cli-other " + ShellQuote(work_ / "README.md")).exit_code, 0);
  for (std::string filter : {"--license mit", "--library transformers", "--language en", "--task text-classification",
                             "--license mit --task text-classification"}) {
    auto r = Mhub("search cli- -q " + filter);
    ASSERT_EQ(r.exit_code, 0) << filter << ": " << r.err;
    EXPECT_EQ(Lines(r.out), std::vector<std::string>{"bob/cli-other"}) << filter;
  }
  auto none = Mhub("search cli- -q --license apache-2.0");
  ASSERT_EQ(none.exit_code, 0);
  EXPECT_TRUE(Lines(none.out).empty()) << none.out;
  auto by_author = Mhub("search --author bob --sort lastModified --json");
  ASSERT_EQ(by_author.exit_code, 0) << by_author.err;
  auto aj = mhub::ParseJson(by_author.out);
  ASSERT_TRUE(aj.ok());
  ASSERT_GE(aj->size(), 2u);
  EXPECT_EQ((*aj)[0]["id"], "bob/cli-other") << "the latest change comes first";

  // cache ls: the repo, its size (the two blobs + config + notes), the main ref.
  auto cache = Mhub("cache ls --json");
  ASSERT_EQ(cache.exit_code, 0) << cache.err;
  auto cj = mhub::ParseJson(cache.out);
  ASSERT_TRUE(cj.ok()) << cache.out;
  ASSERT_EQ(cj->size(), 1u);
  EXPECT_EQ((*cj)[0]["repo_id"], "bob/cli-model");
  EXPECT_EQ((*cj)[0]["repo_type"], "model");
  uint64_t expected_size = fs::file_size(folder + "/sub/weights.bin") + fs::file_size(folder + "/config.json") +
                           fs::file_size(work_ / "notes.txt");
  auto gitattributes = by_path.find(".gitattributes");
  if (gitattributes != by_path.end()) expected_size += gitattributes->second["size"].get<uint64_t>();
  EXPECT_EQ((*cj)[0]["size_on_disk"], expected_size);
  EXPECT_EQ((*cj)[0]["refs"]["main"], head);
  auto table = Mhub("cache ls");
  ASSERT_EQ(table.exit_code, 0);
  auto table_lines = Lines(table.out);
  ASSERT_GE(table_lines.size(), 2u) << table.out;
  EXPECT_EQ(table_lines[0].rfind("REPO ID", 0), 0u) << table.out;
  EXPECT_EQ(table_lines[1].rfind("bob/cli-model  ", 0), 0u) << table.out;

  // repo delete
  auto del = Mhub("repo delete bob/cli-model");
  ASSERT_EQ(del.exit_code, 0) << del.err;
  auto gone = Mhub("ls bob/cli-model");
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_EQ(Mhub("repo delete bob/cli-model").exit_code, 1);
  EXPECT_EQ(Mhub("repo delete bob/cli-model --missing-ok").exit_code, 0);
}

TEST_F(HubCliTest, BadUsageExitsTwo) {
  EXPECT_EQ(Mhub("repo").exit_code, 2);
  EXPECT_EQ(Mhub("upload").exit_code, 2);
  EXPECT_EQ(Mhub("download").exit_code, 2);
  EXPECT_EQ(Mhub("repo create x --type nonsense").exit_code, 2);
  EXPECT_EQ(Mhub("cache").exit_code, 2);
}

}  // namespace
