// Crash safety of the real `mhub server` binary: 100 uploads and commits over HTTP while the
// server is SIGKILLed at random moments (often in the middle of a request) and restarted. Then:
// `git fsck --full` is clean on every repo, every commit the server acknowledged (HTTP 200 with a
// commitOid) is on main with exactly the bytes sent, and no partial file is visible: every LFS
// object's sha256 (sha256sum) equals its name and every file on main holds bytes that were sent.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <thread>

#include "mhub/base/json.h"
#include "server/http_test_support.h"

namespace mhub::testing {
namespace {

struct Acked {
  std::string repo;
  std::string commit;
  std::map<std::string, std::string> files;  // path -> content
};

TEST(CrashKillTest, KilledServerLosesNothingAcknowledged) {
  TempDir tmp;
  std::string data = tmp / "data";
  std::filesystem::create_directories(data);
  std::string token = MhubAdmin(data, "create-user alice");
  std::string auth = "Authorization: Bearer " + token;
  int port = FreePort();
  auto server = std::make_unique<ServerProcess>(data, port);
  ASSERT_TRUE(server->Start());
  const std::string url = server->url();
  const std::vector<std::string> repos = {"alice/c0", "alice/c1", "alice/c2"};
  for (const auto& r : repos) {
    CurlReply c = Curl("POST", url + "/api/repos/create", {auth, "Content-Type: application/json"},
                       "{\"name\":\"" + r.substr(6) + "\"}");
    ASSERT_EQ(c.status, 200) << c.body;
  }

  std::mt19937 rng(12345);
  std::vector<Acked> acked;
  std::map<std::string, std::string> sent;  // "repo:path" -> content, for everything ever sent
  int kills = 0;
  for (int op = 0; op < 100; ++op) {
    const std::string& repo = repos[rng() % repos.size()];
    bool kill_now = rng() % 6 == 0;
    std::string path = "f" + std::to_string(op) + ".txt";
    std::string content =
        "op " + std::to_string(op) + " " + std::string(rng() % 2000, static_cast<char>('a' + op % 26));
    std::string lfs_path = "w" + std::to_string(op) + ".bin";
    std::string lfs_content(50000 + rng() % 50000, '\0');
    for (auto& c : lfs_content) c = static_cast<char>(rng());
    bool with_lfs = op % 2 == 0;
    sent[repo + ":" + path] = content;
    if (with_lfs) sent[repo + ":" + lfs_path] = lfs_content;

    auto run_op = [&, repo, path, content, lfs_path, lfs_content, with_lfs]() -> std::optional<Acked> {
      Acked a{repo, "", {{path, content}}};
      std::string body = "{\"key\":\"header\",\"value\":{\"summary\":\"op\"}}\n";
      body += DumpJson(Json{{"key", "file"}, {"value", {{"path", path}, {"content", Base64(content)}}}}) + "\n";
      if (with_lfs) {
        std::string oid = Sha256OfString(lfs_content);
        CurlReply b =
            Curl("POST", url + "/" + repo + ".git/info/lfs/objects/batch",
                 {auth, "Content-Type: application/vnd.git-lfs+json"},
                 DumpJson(Json{{"operation", "upload"}, {"objects", {{{"oid", oid}, {"size", lfs_content.size()}}}}}));
        if (b.status != 200) return std::nullopt;
        auto j = ParseJson(b.body);
        if (!j.ok()) return std::nullopt;
        const Json& o = (*j)["objects"][0];
        if (o.contains("actions")) {
          CurlReply put = Curl("PUT", o["actions"]["upload"]["href"].get<std::string>(), {}, lfs_content, true);
          if (put.status != 200) return std::nullopt;
        }
        body += DumpJson(Json{{"key", "lfsFile"},
                              {"value", {{"path", lfs_path}, {"oid", oid}, {"size", lfs_content.size()}}}}) +
                "\n";
        a.files[lfs_path] = lfs_content;
      }
      CurlReply c = Curl("POST", url + "/api/models/" + repo + "/commit/main",
                         {auth, "Content-Type: application/x-ndjson"}, body);
      if (c.status != 200) return std::nullopt;
      auto j = ParseJson(c.body);
      if (!j.ok() || !(*j)["commitOid"].is_string()) return std::nullopt;
      a.commit = (*j)["commitOid"];
      return a;
    };

    if (!kill_now) {
      auto a = run_op();
      ASSERT_TRUE(a.has_value()) << "op " << op << " failed on a live server";
      acked.push_back(*a);
      continue;
    }
    // Kill the server while the op is in flight, then restart it.
    std::optional<Acked> result;
    std::thread worker([&] { result = run_op(); });
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 60));
    server->Kill(SIGKILL);
    worker.join();
    ++kills;
    if (result) acked.push_back(*result);
    server = std::make_unique<ServerProcess>(data, port);
    ASSERT_TRUE(server->Start()) << "restart after kill " << kills;
  }
  server->Kill(SIGKILL);
  EXPECT_GE(kills, 5);
  EXPECT_GE(acked.size(), 80u);

  // git fsck on every repo.
  for (const auto& r : repos) {
    std::string git_dir = data + "/repos/models/" + r + ".git";
    CommandResult fsck = RunCommand("git --git-dir=" + ShellQuote(git_dir) + " fsck --full --strict 2>&1");
    EXPECT_EQ(fsck.exit_code, 0) << r << ": " << fsck.out;
  }
  // Every LFS object is whole: sha256sum(file) == its name.
  int objects = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(data + "/lfs/objects")) {
    if (!entry.is_regular_file()) continue;
    ++objects;
    CommandResult sum = RunCommand("sha256sum " + ShellQuote(entry.path().string()));
    EXPECT_EQ(sum.out.substr(0, 64), entry.path().filename().string()) << entry.path();
  }
  EXPECT_GT(objects, 0);

  server = std::make_unique<ServerProcess>(data, port);
  ASSERT_TRUE(server->Start());
  for (const auto& a : acked) {
    std::string git_dir = data + "/repos/models/" + a.repo + ".git";
    CommandResult anc =
        RunCommand("git --git-dir=" + ShellQuote(git_dir) + " merge-base --is-ancestor " + a.commit + " main");
    EXPECT_EQ(anc.exit_code, 0) << a.repo << " lost acknowledged commit " << a.commit;
    for (const auto& [path, content] : a.files) {
      CurlReply got = Curl("GET", url + "/" + a.repo + "/resolve/" + a.commit + "/" + path);
      EXPECT_EQ(got.status, 200) << a.repo << "@" << a.commit << ":" << path;
      EXPECT_TRUE(got.body == content) << a.repo << "@" << a.commit << ":" << path;
    }
  }
  // Every file on main holds exactly bytes that were sent (no partial file).
  for (const auto& r : repos) {
    CurlReply tree = Curl("GET", url + "/api/models/" + r + "/tree/main?recursive=1");
    ASSERT_EQ(tree.status, 200);
    Json entries = *ParseJson(tree.body);
    for (const auto& e : entries) {
      std::string path = e["path"];
      if (e["type"] != "file" || path == ".gitattributes") continue;
      auto it = sent.find(r + ":" + path);
      ASSERT_NE(it, sent.end()) << "unknown file " << r << ":" << path;
      CurlReply got = Curl("GET", url + "/" + r + "/resolve/main/" + path);
      EXPECT_TRUE(got.body == it->second) << r << ":" << path;
    }
  }
}

}  // namespace
}  // namespace mhub::testing
