// Hub client pieces that need no server, checked against outside oracles: Python's fnmatch and
// urllib.parse.quote, coreutils base64, and the JS client's own cache-folder naming.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>

#include "mhub/base/base64.h"
#include "mhub/hub/cache.h"
#include "mhub/hub/http_client.h"
#include "mhub/hub/hub_config.h"
#include "mhub/hub/patterns.h"
#include "support/test_support.h"

namespace {

using mhub::testing::NodeModulesDir;
using mhub::testing::Python;
using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;
using mhub::testing::TempDir;

TEST(HubPatternsTest, GlobMatchAgreesWithPythonFnmatch) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"*.json", "config.json"},
      {"*.json", "sub/config.json"},
      {"*.bin", "model.safetensors"},
      {"sub/*", "sub/a/b.txt"},
      {"sub/*", "other/sub/a"},
      {"model-?"
       "?"
       "?"
       "?"
       "?-of-*.safetensors",
       "model-00001-of-00002.safetensors"},
      {"[ab]*.txt", "a1.txt"},
      {"[!ab]*.txt", "a1.txt"},
      {"*", ".gitattributes"},
      {"README.md", "README.md"},
      {"*.md", "docs/README.mdx"},
  };
  std::string script = "import fnmatch,sys\n";
  for (const auto& [p, s] : cases)
    script += "print(int(fnmatch.fnmatchcase(" + ShellQuote(s) + ", " + ShellQuote(p) + ")))\n";
  // ShellQuote gives '...' which Python also reads as a string literal.
  auto r = RunCommand(Python() + " -", script);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<bool> expected;
  for (char c : r.out)
    if (c == '0' || c == '1') expected.push_back(c == '1');
  ASSERT_EQ(expected.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(mhub::hub::GlobMatch(cases[i].first, cases[i].second), expected[i])
        << cases[i].first << " vs " << cases[i].second;
  }
  // huggingface_hub's extra rule: a trailing '/' means the whole folder.
  EXPECT_TRUE(mhub::hub::GlobMatch("logs/", "logs/a/b.txt"));
  EXPECT_TRUE(mhub::hub::PathPassesFilters("a.json", {"*.json"}, {}));
  EXPECT_FALSE(mhub::hub::PathPassesFilters("a.json", {"*.json"}, {"a.*"}));
  EXPECT_TRUE(mhub::hub::PathPassesFilters("x", {}, {}));
}

TEST(HubHttpTest, UrlEncodeAgreesWithPythonQuote) {
  const std::vector<std::string> inputs = {"refs/pr/1", "main", "a b+c&d=e", "dir/file name.txt", "ünï/cødé", "~-._"};
  for (const auto& s : inputs) {
    auto safe_none = RunCommand(Python() + " -c " +
                                ShellQuote("import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1], safe=''))") +
                                " " + ShellQuote(s));
    auto keep_slash =
        RunCommand(Python() + " -c " + ShellQuote("import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1]))") +
                   " " + ShellQuote(s));
    EXPECT_EQ(mhub::hub::UrlEncode(s) + "\n", safe_none.out) << s;
    EXPECT_EQ(mhub::hub::UrlEncode(s, true) + "\n", keep_slash.out) << s;
  }
}

TEST(HubHttpTest, LinkHeaderAndRelativeUrls) {
  EXPECT_EQ(mhub::hub::NextLinkFromHeader(
                "<http://h:1/api/models?cursor=abc&limit=2>; rel=\"next\", <http://h:1/api/models>; rel=\"first\""),
            "http://h:1/api/models?cursor=abc&limit=2");
  EXPECT_EQ(mhub::hub::NextLinkFromHeader("<http://h/x>; rel=\"prev\""), "");
  EXPECT_EQ(mhub::hub::NextLinkFromHeader(""), "");
  EXPECT_EQ(mhub::hub::ResolveUrl("http://h:8/a/resolve/main/x", "/b/resolve/main/x"), "http://h:8/b/resolve/main/x");
  EXPECT_EQ(mhub::hub::ResolveUrl("http://h:8/a/b", "https://s3/x"), "https://s3/x");
}

TEST(HubBase64Test, AgreesWithCoreutils) {
  for (std::string s : {std::string(""), std::string("a"), std::string("ab"), std::string("abc"),
                        std::string("\x00\xff\x10 binary\n", 11), std::string(1000, 'z')}) {
    TempDir t;
    mhub::testing::WriteFileOrDie(t / "in", s);
    auto r = RunCommand("base64 -w0 " + ShellQuote(t / "in"));
    EXPECT_EQ(mhub::Base64Encode(s), r.out);
  }
}

TEST(HubCacheTest, FolderNamesMatchTheJsClient) {
  const std::string js = "const h=require(" + ShellQuote(NodeModulesDir() + "/@huggingface/hub") +
                         ");for (const [t,n] of [['model','org/name'],['dataset','a/b-c'],['space','x/y.z']])"
                         "console.log(h.getRepoFolderName({type:t,name:n}));";
  auto r = RunCommand("node -e " + ShellQuote(js));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mhub::hub::RepoFolderName({"org/name", mhub::hub::RepoType::kModel}) + "\n" +
                mhub::hub::RepoFolderName({"a/b-c", mhub::hub::RepoType::kDataset}) + "\n" +
                mhub::hub::RepoFolderName({"x/y.z", mhub::hub::RepoType::kSpace}) + "\n",
            r.out);
}

TEST(HubCacheTest, RefsAndSnapshotLinks) {
  TempDir cache;
  const std::string repo = cache / "models--o--n";
  const std::string commit(40, 'a');
  ASSERT_TRUE(mhub::hub::WriteCachedRef(repo, "refs/pr/1", commit).ok());
  auto c = mhub::hub::CachedCommitForRevision(repo, "refs/pr/1");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(*c, commit);
  EXPECT_EQ(*mhub::hub::CachedCommitForRevision(repo, commit), commit);
  EXPECT_EQ(mhub::hub::CachedCommitForRevision(repo, "main").status().code(), mhub::StatusCode::kNotFound);

  std::filesystem::create_directories(repo + "/blobs");
  mhub::testing::WriteFileOrDie(repo + "/blobs/e1", "data");
  ASSERT_TRUE(mhub::hub::LinkSnapshotFile(repo, commit, "a/b/c.txt", "e1").ok());
  const std::string link = repo + "/snapshots/" + commit + "/a/b/c.txt";
  EXPECT_EQ(std::filesystem::read_symlink(link).string(), "../../../../blobs/e1");
  EXPECT_EQ(mhub::testing::ReadFileOrDie(link), "data");
  // Relinking is idempotent.
  ASSERT_TRUE(mhub::hub::LinkSnapshotFile(repo, commit, "a/b/c.txt", "e1").ok());

  // The JS client's scanCacheDir reads a cache we wrote the same way (it lists only top-level
  // snapshot files and refs, so this cache has only those): same size, ref and file count.
  TempDir flat;
  const std::string flat_repo = flat / "models--o--n";
  std::filesystem::create_directories(flat_repo + "/blobs");
  mhub::testing::WriteFileOrDie(flat_repo + "/blobs/e2", "12345");
  ASSERT_TRUE(mhub::hub::WriteCachedRef(flat_repo, "main", commit).ok());
  ASSERT_TRUE(mhub::hub::LinkSnapshotFile(flat_repo, commit, "top.txt", "e2").ok());
  const std::string js = "require(" + ShellQuote(NodeModulesDir() + "/@huggingface/hub") + ").scanCacheDir(" +
                         ShellQuote(flat.path()) +
                         ").then(s=>{const r=s.repos[0];console.log(r.id.name,r.size,r.revisions[0].refs.join(','),"
                         "r.revisions[0].files.length)})";
  auto r = RunCommand("node -e " + ShellQuote(js));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto scan = mhub::hub::ScanCache(flat.path());
  ASSERT_TRUE(scan.ok());
  ASSERT_EQ(scan->size(), 1u);
  const auto& repo_scan = (*scan)[0];
  ASSERT_EQ(repo_scan.revisions.size(), 1u);
  ASSERT_EQ(repo_scan.revisions[0].refs.size(), 1u);
  EXPECT_EQ(r.out, repo_scan.repo.id + " " + std::to_string(repo_scan.size_on_disk) + " " +
                       repo_scan.revisions[0].refs[0] + " " + std::to_string(repo_scan.revisions[0].nb_files) + "\n");
  // Our own scan also sees nested files and nested refs.
  auto nested = mhub::hub::ScanCache(cache.path());
  ASSERT_TRUE(nested.ok());
  ASSERT_EQ(nested->size(), 1u);
  EXPECT_EQ((*nested)[0].refs.at("refs/pr/1"), commit);
  EXPECT_EQ((*nested)[0].revisions[0].nb_files, 1u);
  EXPECT_EQ((*nested)[0].size_on_disk, 4u);
  EXPECT_EQ(repo_scan.repo.id, "o/n");
}

TEST(HubConfigTest, EnvironmentPrecedence) {
  TempDir home;
  ::setenv("HF_HOME", home.path().c_str(), 1);
  ::unsetenv("HF_TOKEN_PATH");
  ::unsetenv("HF_HUB_CACHE");
  ::unsetenv("HUGGINGFACE_HUB_CACHE");
  ::unsetenv("MHUB_TOKEN");
  ::unsetenv("HF_TOKEN");
  ::unsetenv("HUGGING_FACE_HUB_TOKEN");
  ::unsetenv("MHUB_ENDPOINT");
  ::setenv("HF_ENDPOINT", "http://example:9/", 1);
  ::setenv("HF_HUB_OFFLINE", "1", 1);
  ASSERT_TRUE(mhub::hub::StoreToken("hf_stored").ok());
  auto c = mhub::hub::HubConfig::FromEnv();
  EXPECT_EQ(c.endpoint, "http://example:9");
  EXPECT_EQ(c.token, "hf_stored");
  EXPECT_EQ(c.cache_dir, home.path() + "/hub");
  EXPECT_TRUE(c.offline);
  ::setenv("HF_TOKEN", "hf_env", 1);
  ::setenv("MHUB_ENDPOINT", "http://mhub:1", 1);
  c = mhub::hub::HubConfig::FromEnv();
  EXPECT_EQ(c.token, "hf_env");
  EXPECT_EQ(c.endpoint, "http://mhub:1");
  for (const char* v : {"HF_HOME", "HF_ENDPOINT", "HF_HUB_OFFLINE", "HF_TOKEN", "MHUB_ENDPOINT"}) ::unsetenv(v);
}

}  // namespace
