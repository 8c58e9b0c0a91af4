// HubClient against a real `mhub server`: every API call, with sizes and hashes checked against
// outside tools (sha256sum, git hash-object) and the cache layout checked on disk.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "hub/hub_test_server.h"
#include "mhub/hub/cache.h"
#include "mhub/hub/hub_client.h"
#include "mhub/hub/resolve.h"
#include "support/test_support.h"

namespace {

namespace fs = std::filesystem;
using mhub::StatusCode;
using mhub::hub::CommitOperation;
using mhub::hub::HubClient;
using mhub::hub::HubConfig;
using mhub::hub::RepoRef;
using mhub::hub::RepoType;
using mhub::testing::HubTestServer;
using mhub::testing::ReadFileOrDie;
using mhub::testing::RunCommand;
using mhub::testing::ShellQuote;
using mhub::testing::TempDir;
using mhub::testing::WriteFileOrDie;

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

// First word of a shell command's output (sha256sum, git hash-object).
std::string FirstWord(const std::string& cmd) {
  auto r = RunCommand(cmd);
  EXPECT_EQ(r.exit_code, 0) << cmd << ": " << r.err;
  return r.out.substr(0, r.out.find_first_of(" \n"));
}

class HubClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new HubTestServer("alice", "acme"); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(server_->ok()) << server_->error(); }

  HubConfig Config() const {
    HubConfig c;
    c.endpoint = server_->url();
    c.token = server_->token();
    c.cache_dir = cache_.path();
    return c;
  }

  static HubTestServer* server_;
  TempDir cache_;
  TempDir work_;
};

HubTestServer* HubClientTest::server_ = nullptr;

TEST_F(HubClientTest, WhoamiAndBadToken) {
  HubClient client(Config());
  auto me = client.whoami();
  ASSERT_TRUE(me.ok()) << me.status();
  EXPECT_EQ(me->name, "alice");
  EXPECT_NE(std::find(me->orgs.begin(), me->orgs.end(), "acme"), me->orgs.end());

  HubConfig bad = Config();
  bad.token = "hf_not_a_real_token";
  auto denied = HubClient(bad).whoami();
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().code(), StatusCode::kUnauthenticated) << denied.status();
}

TEST_F(HubClientTest, CreateRepoExistOkAndDelete) {
  HubClient client(Config());
  RepoRef repo{"alice/created", RepoType::kModel};
  auto url = client.create_repo(repo);
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_NE(url->find("alice/created"), std::string::npos);
  auto again = client.create_repo(repo);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(client.create_repo(repo, {false, true}).ok());
  auto info = client.repo_info(repo);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->id, "alice/created");

  RepoRef dataset{"acme/data", RepoType::kDataset};
  ASSERT_TRUE(client.create_repo(dataset, {true, false}).ok());
  auto dinfo = client.repo_info(dataset);
  ASSERT_TRUE(dinfo.ok()) << dinfo.status();
  EXPECT_TRUE(dinfo->is_private);

  ASSERT_TRUE(client.delete_repo(repo).ok());
  auto gone = client.repo_info(repo);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(client.delete_repo(repo, /*missing_ok=*/true).ok());
  EXPECT_EQ(client.delete_repo(repo).code(), StatusCode::kNotFound);
}

TEST_F(HubClientTest, UploadDownloadCacheLayoutAndOffline) {
  HubClient client(Config());
  RepoRef repo{"alice/model-a", RepoType::kModel};
  ASSERT_TRUE(client.create_repo(repo).ok());
  const std::string big = work_ / "weights.bin";
  WriteFileOrDie(big, RandomBytes(12 * 1024 * 1024 + 17, 1));
  WriteFileOrDie(work_ / "config.json", "{\"model_type\": \"bert\", \"hidden_size\": 8}\n");

  auto c1 = client.upload_file(repo, work_ / "config.json", "config.json");
  ASSERT_TRUE(c1.ok()) << c1.status();
  auto c2 = client.upload_file(repo, big, "sub/weights.bin");
  ASSERT_TRUE(c2.ok()) << c2.status();
  EXPECT_EQ(c2->commit_oid.size(), 40u);
  EXPECT_NE(c1->commit_oid, c2->commit_oid);

  auto files = client.list_repo_files(repo);
  ASSERT_TRUE(files.ok()) << files.status();
  std::set<std::string> set(files->begin(), files->end());
  EXPECT_TRUE(set.count("config.json"));
  EXPECT_TRUE(set.count("sub/weights.bin"));

  auto tree = client.list_repo_tree(repo, "main", "sub");
  ASSERT_TRUE(tree.ok()) << tree.status();
  ASSERT_EQ(tree->size(), 1u);
  const std::string big_sha = FirstWord("sha256sum " + ShellQuote(big));
  EXPECT_EQ((*tree)[0].lfs_oid, big_sha) << "a 12 MB file goes through LFS";
  EXPECT_EQ((*tree)[0].size, fs::file_size(big));

  auto info = client.model_info(repo.id);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->sha, c2->commit_oid);

  // hf_hub_download: content, blob names (sha256 for LFS, git blob sha1 for regular files), links.
  auto big_path = client.hf_hub_download(repo, "weights.bin", {"main", "sub", "", false});
  ASSERT_TRUE(big_path.ok()) << big_path.status();
  EXPECT_EQ(ReadFileOrDie(*big_path), ReadFileOrDie(big));
  const std::string repo_dir = cache_.path() + "/models--alice--model-a";
  EXPECT_EQ(*big_path, repo_dir + "/snapshots/" + c2->commit_oid + "/sub/weights.bin");
  EXPECT_EQ(fs::read_symlink(*big_path).string(), "../../../blobs/" + big_sha);
  EXPECT_EQ(ReadFileOrDie(repo_dir + "/refs/main"), c2->commit_oid);

  auto cfg_path = client.hf_hub_download(repo, "config.json");
  ASSERT_TRUE(cfg_path.ok()) << cfg_path.status();
  const std::string git_sha1 = FirstWord("git hash-object " + ShellQuote(work_ / "config.json"));
  EXPECT_EQ(fs::read_symlink(*cfg_path).string(), "../../blobs/" + git_sha1);
  EXPECT_FALSE(fs::exists(repo_dir + "/blobs/" + big_sha + ".incomplete"));

  // Missing file: NotFound.
  auto missing = client.hf_hub_download(repo, "nope.txt");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound) << missing.status();

  // Resume: a partial .incomplete with the right first half is completed with a Range request.
  fs::remove(*big_path);
  fs::remove(repo_dir + "/blobs/" + big_sha);
  std::string content = ReadFileOrDie(big);
  WriteFileOrDie(repo_dir + "/blobs/" + big_sha + ".incomplete", content.substr(0, content.size() / 2));
  auto resumed = client.hf_hub_download(repo, "sub/weights.bin");
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_EQ(FirstWord("sha256sum " + ShellQuote(*resumed)), big_sha);
  EXPECT_FALSE(fs::exists(repo_dir + "/blobs/" + big_sha + ".incomplete"));

  // Offline: served from refs/ + snapshots/, no network (the endpoint is unreachable on purpose).
  HubConfig offline = Config();
  offline.offline = true;
  offline.endpoint = "http://127.0.0.1:1";
  auto off = HubClient(offline).hf_hub_download(repo, "config.json");
  ASSERT_TRUE(off.ok()) << off.status();
  EXPECT_EQ(*off, *cfg_path);
  auto off_missing = HubClient(offline).hf_hub_download(repo, "never-downloaded.txt");
  EXPECT_FALSE(off_missing.ok());
  auto off_snapshot = HubClient(offline).snapshot_download(repo);
  ASSERT_TRUE(off_snapshot.ok()) << off_snapshot.status();
  EXPECT_EQ(*off_snapshot, repo_dir + "/snapshots/" + c2->commit_oid);

  // local_dir: a real file at <local_dir>/<path>.
  TempDir local;
  auto placed = client.hf_hub_download(repo, "sub/weights.bin", {"main", "", local.path(), false});
  ASSERT_TRUE(placed.ok()) << placed.status();
  EXPECT_EQ(*placed, local.path() + "/sub/weights.bin");
  EXPECT_FALSE(fs::is_symlink(*placed));
  EXPECT_EQ(FirstWord("sha256sum " + ShellQuote(*placed)), big_sha);

  // The cache scan sees one repo, two blobs, the main ref.
  auto scan = mhub::hub::ScanCache(cache_.path());
  ASSERT_TRUE(scan.ok()) << scan.status();
  ASSERT_EQ(scan->size(), 1u);
  EXPECT_EQ((*scan)[0].repo.id, "alice/model-a");
  EXPECT_EQ((*scan)[0].nb_files, 2u);
  EXPECT_EQ((*scan)[0].size_on_disk, fs::file_size(big) + fs::file_size(work_ / "config.json"));
  EXPECT_EQ((*scan)[0].refs.at("main"), c2->commit_oid);
}

TEST_F(HubClientTest, FolderUploadDeletionsSnapshotPatternsRevisions) {
  HubClient client(Config());
  RepoRef repo{"acme/folder-model", RepoType::kModel};
  ASSERT_TRUE(client.create_repo(repo).ok());
  const std::string folder = work_ / "folder";
  fs::create_directories(folder + "/logs");
  fs::create_directories(folder + "/nested/deep");
  WriteFileOrDie(folder + "/README.md", "# folder model\n");
  WriteFileOrDie(folder + "/model.safetensors", RandomBytes(4096, 2));
  WriteFileOrDie(folder + "/logs/run.log", "log\n");
  WriteFileOrDie(folder + "/nested/deep/a.txt", "a\n");
  WriteFileOrDie(folder + "/skip.tmp", "tmp\n");

  mhub::hub::UploadFolderOptions up;
  up.ignore_patterns = {"*.tmp"};
  up.commit.commit_message = "first folder upload";
  auto c1 = client.upload_folder(repo, folder, up);
  ASSERT_TRUE(c1.ok()) << c1.status();
  auto files = client.list_repo_files(repo);
  ASSERT_TRUE(files.ok()) << files.status();
  std::set<std::string> got(files->begin(), files->end());
  got.erase(".gitattributes");
  EXPECT_EQ(got, (std::set<std::string>{"README.md", "model.safetensors", "logs/run.log", "nested/deep/a.txt"}));

  // Second upload: only a.txt, deleting logs/*.
  fs::remove_all(folder + "/logs");
  mhub::hub::UploadFolderOptions up2;
  up2.allow_patterns = {"nested/*"};
  up2.delete_patterns = {"logs/*"};
  auto c2 = client.upload_folder(repo, folder, up2);
  ASSERT_TRUE(c2.ok()) << c2.status();
  files = client.list_repo_files(repo);
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(std::count(files->begin(), files->end(), "logs/run.log"), 0);
  EXPECT_EQ(std::count(files->begin(), files->end(), "README.md"), 1);

  // Explicit delete operation and bytes add in one commit.
  auto c3 = client.create_commit(
      repo, {CommitOperation::Delete("README.md"), CommitOperation::AddBytes("notes/hello.txt", "hello\n")},
      {"main", "edit", "", "", 4, nullptr});
  ASSERT_TRUE(c3.ok()) << c3.status();
  files = client.list_repo_files(repo);
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(std::count(files->begin(), files->end(), "README.md"), 0);
  EXPECT_EQ(std::count(files->begin(), files->end(), "notes/hello.txt"), 1);

  // A stale parent commit is refused.
  auto stale = client.create_commit(repo, {CommitOperation::AddBytes("x.txt", "x")},
                                    {"main", "stale", "", c1->commit_oid, 4, nullptr});
  EXPECT_FALSE(stale.ok());

  // snapshot_download with allow patterns: exactly the matching files.
  mhub::hub::SnapshotOptions snap;
  snap.allow_patterns = {"*.safetensors", "notes/*"};
  auto dir = client.snapshot_download(repo, snap);
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_EQ(*dir, cache_.path() + "/models--acme--folder-model/snapshots/" + c3->commit_oid);
  std::set<std::string> local;
  for (auto& e : fs::recursive_directory_iterator(*dir))
    if (!e.is_directory()) local.insert(e.path().lexically_relative(*dir).generic_string());
  EXPECT_EQ(local, (std::set<std::string>{"model.safetensors", "notes/hello.txt"}));
  EXPECT_EQ(ReadFileOrDie(*dir + "/model.safetensors"), ReadFileOrDie(folder + "/model.safetensors"));

  // Branches, tags, refs and commits.
  ASSERT_TRUE(client.create_branch(repo, "dev").ok());
  EXPECT_EQ(client.create_branch(repo, "dev").code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(client.create_branch(repo, "dev", "", /*exist_ok=*/true).ok());
  ASSERT_TRUE(client.create_tag(repo, "v1", "main", "first release").ok());
  auto refs = client.list_repo_refs(repo);
  ASSERT_TRUE(refs.ok()) << refs.status();
  std::map<std::string, std::string> branches, tags;
  for (auto& b : refs->branches) branches[b.name] = b.target_commit;
  for (auto& t : refs->tags) tags[t.name] = t.target_commit;
  EXPECT_EQ(branches["main"], c3->commit_oid);
  EXPECT_EQ(branches["dev"], c3->commit_oid);
  EXPECT_EQ(tags["v1"], c3->commit_oid);

  auto on_dev = client.create_commit(repo, {CommitOperation::AddBytes("dev.txt", "dev\n")},
                                     {"dev", "on dev", "", "", 4, nullptr});
  ASSERT_TRUE(on_dev.ok()) << on_dev.status();
  auto dev_files = client.list_repo_files(repo, "dev");
  ASSERT_TRUE(dev_files.ok());
  EXPECT_EQ(std::count(dev_files->begin(), dev_files->end(), "dev.txt"), 1);
  auto main_files = client.list_repo_files(repo, "main");
  EXPECT_EQ(std::count(main_files->begin(), main_files->end(), "dev.txt"), 0);
  auto tagged = client.hf_hub_download(repo, "notes/hello.txt", {"v1", "", "", false});
  ASSERT_TRUE(tagged.ok()) << tagged.status();
  EXPECT_EQ(ReadFileOrDie(*tagged), "hello\n");
  EXPECT_EQ(ReadFileOrDie(cache_.path() + "/models--acme--folder-model/refs/v1"), c3->commit_oid);

  auto commits = client.list_repo_commits(repo);
  ASSERT_TRUE(commits.ok()) << commits.status();
  ASSERT_GE(commits->size(), 3u);
  EXPECT_EQ((*commits)[0].id, c3->commit_oid);
  EXPECT_EQ((*commits)[0].title, "edit");
  std::set<std::string> ids;
  for (auto& c : *commits) ids.insert(c.id);
  EXPECT_TRUE(ids.count(c1->commit_oid) && ids.count(c2->commit_oid));

  ASSERT_TRUE(client.delete_branch(repo, "dev").ok());
  ASSERT_TRUE(client.delete_tag(repo, "v1").ok());
  refs = client.list_repo_refs(repo);
  ASSERT_TRUE(refs.ok());
  EXPECT_EQ(refs->branches.size(), 1u);
  EXPECT_TRUE(refs->tags.empty());
}

TEST_F(HubClientTest, ListModelsSearchAuthorLimit) {
  HubClient client(Config());
  for (std::string name : {"search-one", "search-two", "other-thing"}) {
    ASSERT_TRUE(client.create_repo(RepoRef{"alice/" + name, RepoType::kModel}).ok());
  }
  mhub::hub::ListModelsOptions o;
  o.search = "search-";
  auto found = client.list_models(o);
  ASSERT_TRUE(found.ok()) << found.status();
  std::set<std::string> ids;
  for (auto& r : *found) ids.insert(r.id);
  EXPECT_EQ(ids, (std::set<std::string>{"alice/search-one", "alice/search-two"}));
  o.limit = 1;
  found = client.list_models(o);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->size(), 1u);
  mhub::hub::ListModelsOptions by_author;
  by_author.author = "alice";
  found = client.list_models(by_author);
  ASSERT_TRUE(found.ok());
  for (auto& r : *found) EXPECT_EQ(r.id.rfind("alice/", 0), 0u) << r.id;
  EXPECT_GE(found->size(), 3u);
}

TEST_F(HubClientTest, ResolveModelPathFolderAndRepoId) {
  TempDir folder;
  auto same = mhub::hub::ResolveModelPath(folder.path());
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(*same, folder.path());

  HubClient client(Config());
  RepoRef repo{"alice/resolvable", RepoType::kModel};
  ASSERT_TRUE(client.create_repo(repo).ok());
  ASSERT_TRUE(client.create_commit(repo, {CommitOperation::AddBytes("config.json", "{}")}).ok());
  ::setenv("HF_ENDPOINT", server_->url().c_str(), 1);
  ::setenv("HF_TOKEN", server_->token().c_str(), 1);
  ::setenv("HF_HUB_CACHE", cache_.path().c_str(), 1);
  auto dir = mhub::hub::ResolveModelPath("alice/resolvable");
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_EQ(ReadFileOrDie(*dir + "/config.json"), "{}");
  auto missing = mhub::hub::ResolveModelPath("alice/does-not-exist");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  ::unsetenv("HF_ENDPOINT");
  ::unsetenv("HF_TOKEN");
  ::unsetenv("HF_HUB_CACHE");
}

}  // namespace
