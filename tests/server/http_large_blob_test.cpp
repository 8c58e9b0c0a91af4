// A large regular (non-LFS) file is served with bounded memory: 300 MB of zeros committed as a
// regular blob straight into the repo with git (a ~300 KB pack: the cheapest way to make a server
// that reads blobs whole allocate 300 MB per download), downloaded by several curl clients at
// once and aborted by many more, while the server's RSS is sampled. Also: `raw` answers text
// files as text/plain, `resolve` stays application/octet-stream.
#include <atomic>
#include <cstdio>
#include <fstream>
#include <thread>
#include <vector>

#include "server/http_test_support.h"

namespace mhub::testing {
namespace {

constexpr uint64_t kBlobBytes = 300ull << 20;

// Resident set size of this process (the in-process hub) in bytes.
uint64_t RssBytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

// Adds `path` with the bytes of `file` to main of the bare repo `git_dir`, with git itself.
void CommitFileWithGit(const std::string& git_dir, const std::string& file, const std::string& path) {
  const std::string g = "git --git-dir=" + ShellQuote(git_dir) + " ";
  CommandResult blob = RunCommand(g + "hash-object -w " + ShellQuote(file));
  ASSERT_EQ(blob.exit_code, 0) << blob.err;
  std::string oid = blob.out.substr(0, 40);
  CommandResult tree = RunCommand("(" + g + "ls-tree main; printf '100644 blob %s\\t%s\\n' " + oid + " " +
                                  ShellQuote(path) + ") | " + g + "mktree");
  ASSERT_EQ(tree.exit_code, 0) << tree.err;
  CommandResult commit = RunCommand(g + "-c user.name=t -c user.email=t@e commit-tree " + tree.out.substr(0, 40) +
                                    " -p main -m 'add " + path + "'");
  ASSERT_EQ(commit.exit_code, 0) << commit.err;
  ASSERT_EQ(RunCommand(g + "update-ref refs/heads/main " + commit.out.substr(0, 40)).exit_code, 0);
  // Packed, as a push would leave it.
  ASSERT_EQ(RunCommand(g + "repack -a -d -q").exit_code, 0);
}

TEST(HttpLargeBlob, RegularBlobDownloadsKeepServerMemoryBounded) {
  InProcessHub hub;
  const std::string token = hub.CreateUser("alice");
  const std::string auth = "Authorization: Bearer " + token;
  ASSERT_EQ(ApiCall(hub.url(), "POST", "/api/repos/create", auth, R"({"name":"big","type":"model"})").status, 200);
  TempDir tmp;
  const std::string zeros = tmp / "zeros";
  ASSERT_EQ(RunCommand("head -c " + std::to_string(kBlobBytes) + " /dev/zero > " + ShellQuote(zeros)).exit_code, 0);
  CommitFileWithGit(hub.data_dir() + "/repos/models/alice/big.git", zeros, "zeros.bin");
  ::unlink(zeros.c_str());
  const std::string url = hub.url() + "/alice/big/resolve/main/zeros.bin";

  const uint64_t baseline = RssBytes();
  std::atomic<bool> done{false};
  std::atomic<uint64_t> peak{baseline};
  std::thread sampler([&] {
    while (!done) {
      uint64_t rss = RssBytes();
      if (rss > peak) peak = rss;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  // 4 whole downloads and 24 aborted after 1 MB, all at once; one whole download is kept.
  std::vector<std::thread> clients;
  std::vector<std::string> sizes(4);
  for (int i = 0; i < 4; ++i) {
    clients.emplace_back([&, i] {
      std::string out = i == 0 ? ShellQuote(tmp / "download") : "/dev/null";
      sizes[i] = RunCommand("curl -sS -o " + out + " -w '%{size_download}' " + ShellQuote(url)).out;
    });
  }
  for (int i = 0; i < 24; ++i) {
    clients.emplace_back([&] { RunCommand("curl -sS " + ShellQuote(url) + " | head -c 1000000 > /dev/null"); });
  }
  for (auto& t : clients) t.join();
  done = true;
  sampler.join();

  for (int i = 0; i < 4; ++i) EXPECT_EQ(sizes[i], std::to_string(kBlobBytes)) << i;
  // The kept download is the blob: git hash-object of it is the ETag the server announced.
  CurlReply head = Curl("HEAD", url);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("content-length"), std::to_string(kBlobBytes));
  CommandResult sha = RunCommand("git hash-object " + ShellQuote(tmp / "download"));
  EXPECT_EQ("\"" + sha.out.substr(0, 40) + "\"", head.Header("etag"));
  // A range from the middle.
  CurlReply part = Curl("GET", url, {"Range: bytes=100000000-100000009"});
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body, std::string(10, '\0'));

  const uint64_t growth = peak > baseline ? peak - baseline : 0;
  std::printf("server RSS: %llu MB before, peak %llu MB while serving (+%llu MB)\n",
              static_cast<unsigned long long>(baseline >> 20), static_cast<unsigned long long>(peak >> 20),
              static_cast<unsigned long long>(growth >> 20));
  EXPECT_LT(growth, 64ull << 20) << "server RSS grew by " << (growth >> 20) << " MB while serving a "
                                 << (kBlobBytes >> 20) << " MB blob";
  // The server is still there and answers.
  EXPECT_EQ(Curl("GET", hub.url() + "/health").status, 200);
}

TEST(HttpLargeBlob, RawServesTextAsTextResolveAsBytes) {
  InProcessHub hub;
  const std::string token = hub.CreateUser("alice");
  const std::string auth = "Authorization: Bearer " + token;
  ASSERT_EQ(ApiCall(hub.url(), "POST", "/api/repos/create", auth, R"({"name":"r","type":"model"})").status, 200);
  TempDir tmp;
  WriteFileOrDie(tmp / "readme", "# Hello\nçà va\n");
  WriteFileOrDie(tmp / "bin", std::string("\x00\x01\x02\xff", 4));
  const std::string git_dir = hub.data_dir() + "/repos/models/alice/r.git";
  CommitFileWithGit(git_dir, tmp / "readme", "README.md");
  CommitFileWithGit(git_dir, tmp / "bin", "data.bin");
  CurlReply raw_text = Curl("GET", hub.url() + "/alice/r/raw/main/README.md");
  EXPECT_EQ(raw_text.status, 200);
  EXPECT_EQ(raw_text.Header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(raw_text.body, "# Hello\nçà va\n");
  EXPECT_EQ(Curl("HEAD", hub.url() + "/alice/r/raw/main/README.md").Header("content-type"),
            "text/plain; charset=utf-8");
  EXPECT_EQ(Curl("GET", hub.url() + "/alice/r/raw/main/data.bin").Header("content-type"), "application/octet-stream");
  EXPECT_EQ(Curl("GET", hub.url() + "/alice/r/resolve/main/README.md").Header("content-type"),
            "application/octet-stream");
}

}  // namespace
}  // namespace mhub::testing
