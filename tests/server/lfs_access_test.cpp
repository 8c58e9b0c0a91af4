// Per-repo access to LFS objects (issue 20, finding 1; lfs_access.h), tried from outside as an
// attacker would: curl against a real hub, plain git for a handmade pointer push. The store keeps
// one copy of each object, but a repo serves only the objects it holds, as on the Hub:
//  - another repo's object is a 404 through a repo that does not hold it (anonymous or not);
//  - a batch download answers 404 per object, a batch upload answers "upload" (never "already
//    there") unless this repo holds the object;
//  - a commit or push that points at an object the committer cannot read is refused / not served;
//  - a deleted repo's objects are no longer served, nor can they be committed from memory;
//  - signed URLs die with the token or the access that obtained them.
// Also: the per-namespace quota, the garbage collector, and the upgrade scan of old repos.
#include <gtest/gtest.h>

#include <cstdlib>

#include "mhub/base/json.h"
#include "mhub/server/iso_time.h"
#include "mhub/server/lfs_gc.h"
#include "mhub/server/lfs_store.h"
#include "mhub/server/metadata_db.h"
#include "mhub/server/repo_store.h"
#include "server/http_test_support.h"

namespace mhub::testing {
namespace {

const char* kLfsType = "Content-Type: application/vnd.git-lfs+json";

std::string Bearer(const std::string& token) { return "Authorization: Bearer " + token; }

// Plain git with a private HOME (no git-lfs hooks or filters from the user's config) and no prompts.
std::string GitEnv(const TempDir& home) {
  return "HOME=" + ShellQuote(home.path()) + " GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 ";
}

// Deterministic bytes that differ per `seed`.
std::string Bytes(size_t n, int seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + static_cast<size_t>(seed) * 7919) % 251);
  return s;
}

class LfsAccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    alice_ = hub_.CreateUser("alice");
    bob_ = hub_.CreateUser("bob");
    CreateRepo(alice_, "secret", true);
    CreateRepo(alice_, "pub", false);
    CreateRepo(bob_, "mine", false);
  }

  void CreateRepo(const std::string& token, const std::string& name, bool is_private) {
    CurlReply r = Curl("POST", hub_.url() + "/api/repos/create", {Bearer(token), "Content-Type: application/json"},
                       DumpJson(Json{{"name", name}, {"private", is_private}}));
    ASSERT_EQ(r.status, 200) << r.body;
  }

  CurlReply Batch(const std::vector<std::string>& auth, const std::string& repo, const std::string& operation,
                  const std::string& oid, uint64_t size) {
    Json body{{"operation", operation},
              {"transfers", {"basic"}},
              {"objects", {{{"oid", oid}, {"size", size}}}},
              {"hash_algo", "sha256"}};
    std::vector<std::string> headers = auth;
    headers.push_back(kLfsType);
    return Curl("POST", hub_.url() + "/" + repo + ".git/info/lfs/objects/batch", headers, DumpJson(body));
  }

  // Uploads `content` to `repo` as the HF clients do (batch, PUT without Authorization, verify).
  std::string Upload(const std::string& token, const std::string& repo, const std::string& content) {
    const std::string oid = Sha256OfString(content);
    CurlReply r = Batch({Bearer(token)}, repo, "upload", oid, content.size());
    EXPECT_EQ(r.status, 200) << r.body;
    Json object = ParseOrDie(r.body)["objects"][0];
    if (!object.contains("actions")) return oid;  // this repo holds it already
    CurlReply put = Curl("PUT", object["actions"]["upload"]["href"].get<std::string>(),
                         {"Content-Type: application/octet-stream"}, content, true);
    EXPECT_EQ(put.status, 200) << put.body;
    CurlReply verify = Curl("POST", object["actions"]["verify"]["href"].get<std::string>(), {kLfsType},
                            DumpJson(Json{{"oid", oid}, {"size", content.size()}}));
    EXPECT_EQ(verify.status, 200) << verify.body;
    return oid;
  }

  CurlReply CommitLfs(const std::string& token, const std::string& repo, const std::string& path,
                      const std::string& oid, uint64_t size) {
    std::string body = DumpJson(Json{{"key", "header"}, {"value", {{"summary", "add " + path}}}}) + "\n" +
                       DumpJson(Json{{"key", "lfsFile"},
                                     {"value", {{"path", path}, {"algo", "sha256"}, {"oid", oid}, {"size", size}}}}) +
                       "\n";
    return Curl("POST", hub_.url() + "/api/models/" + repo + "/commit/main",
                {Bearer(token), "Content-Type: application/x-ndjson"}, body);
  }

  CurlReply CommitRegular(const std::string& token, const std::string& repo, const std::string& path,
                          const std::string& content) {
    std::string body =
        DumpJson(Json{{"key", "header"}, {"value", {{"summary", "add " + path}}}}) + "\n" +
        DumpJson(
            Json{{"key", "file"}, {"value", {{"path", path}, {"content", Base64(content)}, {"encoding", "base64"}}}}) +
        "\n";
    return Curl("POST", hub_.url() + "/api/models/" + repo + "/commit/main",
                {Bearer(token), "Content-Type: application/x-ndjson"}, body);
  }

  CurlReply GetObject(const std::vector<std::string>& auth, const std::string& repo, const std::string& oid) {
    return Curl("GET", hub_.url() + "/" + repo + ".git/info/lfs/objects/" + oid, auth);
  }

  // Alice's private weights, committed to alice/secret.
  std::string SecretWeights() {
    const std::string content = Bytes(40000, 1);
    const std::string oid = Upload(alice_, "alice/secret", content);
    EXPECT_EQ(CommitLfs(alice_, "alice/secret", "model.safetensors", oid, content.size()).status, 200);
    return content;
  }

  InProcessHub hub_;
  std::string alice_;
  std::string bob_;
};

TEST_F(LfsAccessTest, AnotherReposObjectIsNotServedThroughAPublicRepo) {
  const std::string content = SecretWeights();
  const std::string oid = Sha256OfString(content);
  // The owner reads it through the repo that holds it.
  CurlReply own = GetObject({Bearer(alice_)}, "alice/secret", oid);
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(own.body, content);
  // Through a public repo that does not hold it: anonymous, bob, and alice herself get a 404.
  for (const auto& auth : std::vector<std::vector<std::string>>{{}, {Bearer(bob_)}, {Bearer(alice_)}}) {
    CurlReply r = GetObject(auth, "alice/pub", oid);
    EXPECT_EQ(r.status, 404) << r.body;
    EXPECT_EQ(r.body.find(content.substr(0, 64)), std::string::npos);
    CurlReply b = GetObject(auth, "bob/mine", oid);
    EXPECT_EQ(b.status, 404) << b.body;
  }
  // The private repo itself: a miss for anonymous (401 or 404, as the Hub answers), RepoNotFound.
  CurlReply anonymous_direct = GetObject({}, "alice/secret", oid);
  EXPECT_TRUE(anonymous_direct.status == 401 || anonymous_direct.status == 404) << anonymous_direct.status;
  EXPECT_EQ(anonymous_direct.Header("x-error-code"), "RepoNotFound");
}

TEST_F(LfsAccessTest, BatchDownloadOfAnotherReposObjectHasNoUrl) {
  const std::string content = SecretWeights();
  const std::string oid = Sha256OfString(content);
  for (const std::string repo : {"bob/mine", "alice/pub"}) {
    CurlReply r = Batch({Bearer(bob_)}, repo, "download", oid, content.size());
    ASSERT_EQ(r.status, 200) << r.body;
    Json object = ParseOrDie(r.body)["objects"][0];
    EXPECT_FALSE(object.contains("actions")) << r.body;
    EXPECT_EQ(object["error"]["code"], 404) << r.body;
  }
  // The repo that holds it answers with a URL that works.
  CurlReply ok = Batch({Bearer(alice_)}, "alice/secret", "download", oid, content.size());
  Json object = ParseOrDie(ok.body)["objects"][0];
  ASSERT_TRUE(object.contains("actions")) << ok.body;
  CurlReply get = Curl("GET", object["actions"]["download"]["href"].get<std::string>());
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.body, content);
}

TEST_F(LfsAccessTest, UploadBatchIsNoExistenceOracle) {
  const std::string content = SecretWeights();
  const std::string oid = Sha256OfString(content);
  const std::string unknown = Sha256OfString("never uploaded anywhere");
  // Bob asks to upload alice's object and an unknown one: the answers have the same shape.
  for (const std::string& o : {oid, unknown}) {
    CurlReply r = Batch({Bearer(bob_)}, "bob/mine", "upload", o, content.size());
    ASSERT_EQ(r.status, 200) << r.body;
    Json object = ParseOrDie(r.body)["objects"][0];
    ASSERT_TRUE(object.contains("actions")) << r.body;
    EXPECT_TRUE(object["actions"].contains("upload")) << r.body;
    // Skipping the PUT and calling verify does not make bob's repo hold the object.
    CurlReply verify = Curl("POST", object["actions"]["verify"]["href"].get<std::string>(), {kLfsType},
                            DumpJson(Json{{"oid", o}, {"size", content.size()}}));
    EXPECT_EQ(verify.status, 404) << verify.body;
  }
  EXPECT_EQ(GetObject({Bearer(bob_)}, "bob/mine", oid).status, 404);
  // The repo that holds it needs no upload.
  CurlReply held = Batch({Bearer(alice_)}, "alice/secret", "upload", oid, content.size());
  EXPECT_FALSE(ParseOrDie(held.body)["objects"][0].contains("actions")) << held.body;
  // Bob who really has the bytes uploads them (deduplicated on disk) and then holds the object.
  EXPECT_EQ(Upload(bob_, "bob/mine", content), oid);
  CurlReply now = GetObject({}, "bob/mine", oid);
  EXPECT_EQ(now.status, 200);
  EXPECT_EQ(now.body, content);
}

TEST_F(LfsAccessTest, CommittingAPointerToAnUnreadableObjectIsRefused) {
  const std::string content = SecretWeights();
  const std::string oid = Sha256OfString(content);
  CurlReply smuggled = CommitLfs(bob_, "bob/mine", "stolen.safetensors", oid, content.size());
  EXPECT_EQ(smuggled.status, 400) << smuggled.body;
  EXPECT_NE(smuggled.body.find("was not uploaded"), std::string::npos) << smuggled.body;
  EXPECT_EQ(Curl("GET", hub_.url() + "/bob/mine/resolve/main/stolen.safetensors").status, 404);
  // The same pointer committed as a regular file's text is stored as text but never served as
  // alice's object.
  const std::string pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:" + oid + "\nsize " +
                              std::to_string(content.size()) + "\n";
  (void)CommitRegular(bob_, "bob/mine", "raw.safetensors", pointer);  // stored as text, or refused
  CurlReply resolved = Curl("GET", hub_.url() + "/bob/mine/resolve/main/raw.safetensors");
  EXPECT_NE(resolved.status, 200) << resolved.body.substr(0, 200);
  EXPECT_NE(resolved.body, content);
  // Alice may publish her own object into her public repo (she can read it), and then anyone
  // downloads it from there.
  ASSERT_EQ(CommitLfs(alice_, "alice/pub", "model.safetensors", oid, content.size()).status, 200);
  CurlReply published = Curl("GET", hub_.url() + "/alice/pub/resolve/main/model.safetensors");
  EXPECT_EQ(published.status, 200);
  EXPECT_EQ(published.body, content);
  // Now it is public, bob may point at it too.
  EXPECT_EQ(CommitLfs(bob_, "bob/mine", "copy.safetensors", oid, content.size()).status, 200);
}

TEST_F(LfsAccessTest, PushedPointerToAnotherReposObjectIsRefused) {
  const std::string content = SecretWeights();
  const std::string oid = Sha256OfString(content);
  TempDir work;
  const std::string dir = work / "clone";
  const std::string remote =
      "http://bob:" + bob_ + "@127.0.0.1:" + hub_.url().substr(hub_.url().rfind(':') + 1) + "/bob/mine.git";
  const std::string git =
      GitEnv(work) + "git -c user.name=bob -c user.email=bob@example.com -C " + ShellQuote(dir) + " ";
  CommandResult clone = RunCommand(GitEnv(work) + "git clone -q " + ShellQuote(remote) + " " + ShellQuote(dir));
  ASSERT_EQ(clone.exit_code, 0) << clone.err;
  // A handmade pointer, committed and pushed without git-lfs (nothing is uploaded).
  WriteFileOrDie(dir + "/stolen.txt", "version https://git-lfs.github.com/spec/v1\noid sha256:" + oid + "\nsize " +
                                          std::to_string(content.size()) + "\n");
  ASSERT_EQ(RunCommand(git + "add stolen.txt").exit_code, 0);
  ASSERT_EQ(RunCommand(git + "commit -q -m smuggle").exit_code, 0);
  CommandResult push = RunCommand(git + "push --no-verify -q origin HEAD:main 2>&1");
  // Refused by the push checks, with the Hub's message, before any ref moves.
  EXPECT_NE(push.exit_code, 0);
  EXPECT_NE((push.out + push.err).find("LFS pointer pointed to a file that does not exist"), std::string::npos)
      << push.out << push.err;
  CurlReply resolved = Curl("GET", hub_.url() + "/bob/mine/resolve/main/stolen.txt");
  EXPECT_NE(resolved.status, 200) << push.err;
  EXPECT_NE(resolved.body, content);
  CurlReply batch = Batch({}, "bob/mine", "download", oid, content.size());
  EXPECT_FALSE(ParseOrDie(batch.body)["objects"][0].contains("actions")) << batch.body;
  EXPECT_EQ(GetObject({}, "bob/mine", oid).status, 404);
}

TEST_F(LfsAccessTest, DeletedReposObjectsAreGone) {
  CreateRepo(alice_, "tmp", true);
  const std::string content = Bytes(30000, 2);
  const std::string oid = Upload(alice_, "alice/tmp", content);
  ASSERT_EQ(CommitLfs(alice_, "alice/tmp", "w.bin", oid, content.size()).status, 200);
  ASSERT_EQ(GetObject({Bearer(alice_)}, "alice/tmp", oid).status, 200);
  CurlReply del = Curl("DELETE", hub_.url() + "/api/repos/delete", {Bearer(alice_), "Content-Type: application/json"},
                       DumpJson(Json{{"name", "tmp"}}));
  ASSERT_EQ(del.status, 200) << del.body;
  // A new repo under the same name does not inherit the objects.
  CreateRepo(alice_, "tmp", true);
  EXPECT_EQ(GetObject({Bearer(alice_)}, "alice/tmp", oid).status, 404);
  CurlReply batch = Batch({Bearer(alice_)}, "alice/tmp", "download", oid, content.size());
  EXPECT_FALSE(ParseOrDie(batch.body)["objects"][0].contains("actions")) << batch.body;
  CurlReply upload = Batch({Bearer(alice_)}, "alice/tmp", "upload", oid, content.size());
  EXPECT_TRUE(ParseOrDie(upload.body)["objects"][0].contains("actions")) << upload.body;
  // Nor can anyone commit a pointer to it from memory.
  EXPECT_EQ(CommitLfs(alice_, "alice/pub", "w.bin", oid, content.size()).status, 400);
}

TEST_F(LfsAccessTest, SignedUrlsDieWithTheAccessThatObtainedThem) {
  const std::string content = SecretWeights();
  const std::string oid = Sha256OfString(content);
  const std::string reader = hub_.CreateToken("alice", "read");
  CurlReply batch = Batch({Bearer(reader)}, "alice/secret", "download", oid, content.size());
  Json object = ParseOrDie(batch.body)["objects"][0];
  ASSERT_TRUE(object.contains("actions")) << batch.body;
  const std::string href = object["actions"]["download"]["href"];
  EXPECT_LE(object["actions"]["download"]["expires_in"].get<int64_t>(), 900);
  ASSERT_EQ(Curl("GET", href).status, 200);
  // The signature covers who asked: swapping the user name breaks it.
  std::string forged = href;
  const size_t u = forged.find("&u=alice");
  ASSERT_NE(u, std::string::npos) << href;
  forged.replace(u, 8, "&u=bob");
  EXPECT_EQ(Curl("GET", forged).status, 403);
  // Revoke the read token (there is no HTTP route for it: through the database, as an admin would).
  {
    auto db = server::OpenSqliteMetadataDb(hub_.data_dir() + "/db.sqlite");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto tokens = (*db)->ListTokens("alice");
    ASSERT_TRUE(tokens.ok());
    bool revoked = false;
    for (const auto& t : *tokens) {
      if (t.role == server::TokenRole::kRead) revoked = (*db)->RevokeToken("alice", t.id).ok();
    }
    ASSERT_TRUE(revoked);
  }
  CurlReply after = Curl("GET", href);
  EXPECT_NE(after.status, 200);
  EXPECT_NE(after.body, content);

  // An anonymous download URL of a public repo stops working when the repo turns private.
  ASSERT_EQ(CommitLfs(alice_, "alice/pub", "model.safetensors", oid, content.size()).status, 200);
  Json pub = ParseOrDie(Batch({}, "alice/pub", "download", oid, content.size()).body)["objects"][0];
  ASSERT_TRUE(pub.contains("actions")) << pub.dump();
  const std::string pub_href = pub["actions"]["download"]["href"];
  ASSERT_EQ(Curl("GET", pub_href).status, 200);
  CurlReply settings = Curl("PUT", hub_.url() + "/api/models/alice/pub/settings",
                            {Bearer(alice_), "Content-Type: application/json"}, "{\"private\":true}");
  ASSERT_EQ(settings.status, 200) << settings.body;
  CurlReply hidden = Curl("GET", pub_href);
  EXPECT_TRUE(hidden.status == 401 || hidden.status == 404) << hidden.status;
  EXPECT_NE(hidden.body, content);
}

TEST(LfsQuotaTest, UploadsPastTheNamespaceQuotaAreRefused) {
  ::setenv("MHUB_LFS_QUOTA_BYTES", "50000", 1);
  InProcessHub hub;
  ::unsetenv("MHUB_LFS_QUOTA_BYTES");
  const std::string carol = hub.CreateUser("carol");
  ASSERT_EQ(Curl("POST", hub.url() + "/api/repos/create", {Bearer(carol), "Content-Type: application/json"},
                 "{\"name\":\"q\"}")
                .status,
            200);
  auto batch = [&](const std::string& content) {
    Json body{{"operation", "upload"}, {"objects", {{{"oid", Sha256OfString(content)}, {"size", content.size()}}}}};
    return Curl("POST", hub.url() + "/carol/q.git/info/lfs/objects/batch", {Bearer(carol), kLfsType}, DumpJson(body));
  };
  const std::string first = Bytes(30000, 3);
  CurlReply ok = batch(first);
  ASSERT_EQ(ok.status, 200) << ok.body;
  Json action = ParseOrDie(ok.body)["objects"][0]["actions"]["upload"];
  ASSERT_EQ(Curl("PUT", action["href"].get<std::string>(), {}, first, true).status, 200);
  // 30000 used + 30000 more > 50000: the whole batch is refused as git-lfs expects (507, message).
  CurlReply over = batch(Bytes(30000, 4));
  EXPECT_EQ(over.status, 507) << over.body;
  EXPECT_NE(ParseOrDie(over.body)["message"].get<std::string>().find("quota"), std::string::npos);
  // Within the quota still works.
  EXPECT_EQ(batch(Bytes(10000, 5)).status, 200);
}

TEST_F(LfsAccessTest, GarbageCollectorRemovesWhatNoRepoHoldsAfterTheGracePeriod) {
  const std::string kept = Bytes(20000, 6);
  const std::string kept_oid = Upload(alice_, "alice/pub", kept);
  ASSERT_EQ(CommitLfs(alice_, "alice/pub", "kept.bin", kept_oid, kept.size()).status, 200);
  const std::string never_committed = Bytes(20000, 7);
  const std::string lost_oid = Upload(alice_, "alice/pub", never_committed);
  CreateRepo(alice_, "doomed", false);
  const std::string doomed = Bytes(20000, 8);
  const std::string doomed_oid = Upload(alice_, "alice/doomed", doomed);
  ASSERT_EQ(CommitLfs(alice_, "alice/doomed", "d.bin", doomed_oid, doomed.size()).status, 200);
  ASSERT_EQ(Curl("DELETE", hub_.url() + "/api/repos/delete", {Bearer(alice_), "Content-Type: application/json"},
                 "{\"name\":\"doomed\"}")
                .status,
            200);
  // A file committed through a plain git push after its LFS upload (no API commit) is kept too.
  const std::string pushed = Bytes(20000, 9);
  const std::string pushed_oid = Upload(alice_, "alice/pub", pushed);
  {
    TempDir work;
    const std::string dir = work / "c";
    const std::string port = hub_.url().substr(hub_.url().rfind(':') + 1);
    const std::string remote = "http://alice:" + alice_ + "@127.0.0.1:" + port + "/alice/pub.git";
    ASSERT_EQ(RunCommand(GitEnv(work) + "git clone -q " + ShellQuote(remote) + " " + ShellQuote(dir)).exit_code, 0);
    WriteFileOrDie(dir + "/pushed.txt", "version https://git-lfs.github.com/spec/v1\noid sha256:" + pushed_oid +
                                            "\nsize " + std::to_string(pushed.size()) + "\n");
    const std::string git = GitEnv(work) + "git -c user.name=a -c user.email=a@example.com -C " + ShellQuote(dir) + " ";
    ASSERT_EQ(RunCommand(git + "add pushed.txt && " + git + "commit -q -m p && " + git +
                         "push --no-verify -q origin HEAD:main")
                  .exit_code,
              0);
  }

  server::LfsStore store(hub_.data_dir());
  server::RepoStore repos(hub_.data_dir(), &store);
  auto db = server::OpenSqliteMetadataDb(hub_.data_dir() + "/db.sqlite");
  ASSERT_TRUE(db.ok());
  const int64_t hour = 3600 * 1000;
  const int64_t now = server::NowMillis();
  // Now: nothing goes; the deleted repo's object is held by none from now on.
  auto early = server::CollectLfsGarbage(store, repos, **db, 24 * hour, now);
  ASSERT_TRUE(early.ok()) << early.status().ToString();
  EXPECT_EQ(early->objects_removed, 0);
  EXPECT_EQ(early->objects_orphaned, 1);
  for (const auto& oid : {kept_oid, lost_oid, doomed_oid, pushed_oid}) EXPECT_TRUE(store.Has(oid)) << oid;
  // A day later: the deleted repo's object goes; the upload never committed loses its reference
  // (the one a plain git push committed keeps it) and starts its grace period...
  auto day = server::CollectLfsGarbage(store, repos, **db, 24 * hour, now + 25 * hour);
  ASSERT_TRUE(day.ok());
  EXPECT_EQ(day->objects_removed, 1);
  EXPECT_EQ(day->uncommitted_refs_dropped, 1);
  EXPECT_EQ(day->objects_orphaned, 1);
  EXPECT_FALSE(store.Has(doomed_oid));
  EXPECT_TRUE(store.Has(lost_oid));
  // ...and goes a grace period later.
  auto later = server::CollectLfsGarbage(store, repos, **db, 24 * hour, now + 50 * hour);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->objects_removed, 1);
  EXPECT_FALSE(store.Has(lost_oid));
  EXPECT_TRUE(store.Has(kept_oid));
  EXPECT_TRUE(store.Has(pushed_oid));
  CurlReply still = Curl("GET", hub_.url() + "/alice/pub/resolve/main/pushed.txt");
  EXPECT_EQ(still.status, 200);
  EXPECT_EQ(still.body, pushed);
}

// Repos written before lfs_refs existed (and repos copied into the data dir) keep serving their
// LFS files: the server scans their history at start.
TEST(LfsUpgradeTest, OldReposAreScannedAtStart) {
  TempDir root;
  const std::string data = root / "data";
  const int port = FreePort();
  std::string token;
  std::string oid;
  const std::string content = Bytes(25000, 10);
  ASSERT_EQ(RunCommand("mkdir -p " + ShellQuote(data)).exit_code, 0);
  {
    ServerProcess server(data, port);
    ASSERT_TRUE(server.Start());
    token = MhubAdmin(data, "create-user dora");
    ASSERT_EQ(Curl("POST", server.url() + "/api/repos/create", {Bearer(token), "Content-Type: application/json"},
                   "{\"name\":\"old\",\"private\":true}")
                  .status,
              200);
    Json body{{"operation", "upload"}, {"objects", {{{"oid", Sha256OfString(content)}, {"size", content.size()}}}}};
    Json answer = ParseOrDie(
        Curl("POST", server.url() + "/dora/old.git/info/lfs/objects/batch", {Bearer(token), kLfsType}, DumpJson(body))
            .body);
    oid = Sha256OfString(content);
    ASSERT_EQ(
        Curl("PUT", answer["objects"][0]["actions"]["upload"]["href"].get<std::string>(), {}, content, true).status,
        200);
    std::string commit =
        DumpJson(Json{{"key", "header"}, {"value", {{"summary", "w"}}}}) + "\n" +
        DumpJson(Json{{"key", "lfsFile"}, {"value", {{"path", "w.bin"}, {"oid", oid}, {"size", content.size()}}}}) +
        "\n";
    ASSERT_EQ(Curl("POST", server.url() + "/api/models/dora/old/commit/main",
                   {Bearer(token), "Content-Type: application/x-ndjson"}, commit)
                  .status,
              200);
    server.Kill(SIGTERM);
  }
  // The database as it was before this version: no references, no scans.
  CommandResult wipe =
      RunCommand("python3 -c " +
                 ShellQuote("import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); "
                            "c.execute('DELETE FROM lfs_refs'); c.execute('DELETE FROM lfs_ref_scans'); "
                            "c.commit()") +
                 " " + ShellQuote(data + "/db.sqlite"));
  ASSERT_EQ(wipe.exit_code, 0) << wipe.err;
  // And a repo copied in from elsewhere.
  ASSERT_EQ(RunCommand("cp -a " + ShellQuote(data + "/repos/models/dora/old.git") + " " +
                       ShellQuote(data + "/repos/models/dora/copied.git"))
                .exit_code,
            0);
  ServerProcess server(data, port);
  ASSERT_TRUE(server.Start());
  for (const std::string repo : {"dora/old", "dora/copied"}) {
    CurlReply r = Curl("GET", server.url() + "/" + repo + "/resolve/main/w.bin", {Bearer(token)});
    EXPECT_EQ(r.status, 200) << repo << ": " << r.body;
    EXPECT_EQ(r.body, content) << repo;
  }
}

}  // namespace
}  // namespace mhub::testing
