// Bounds of the LFS batch API (issue 20, findings 4, 5 and 11): the request is authorized before
// its body is read and its body is capped; the answer is capped (objects per batch, parts per
// object, part URLs per answer) and objects above the maximum file size are refused in the error
// shapes git-lfs reads (docs/api/batch.md: 413 + {"message"} for the batch, per-object
// {"error": {"code", "message"}}), checked with the real git-lfs client. Header values with NUL
// bytes are refused.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "mhub/base/json.h"
#include "server/http_test_support.h"

namespace mhub::testing {
namespace {

const char* kLfsType = "Content-Type: application/vnd.git-lfs+json";

std::string Bearer(const std::string& token) { return "Authorization: Bearer " + token; }

std::string HexOid(int i) {
  char buf[65];
  std::snprintf(buf, sizeof buf, "%064x", i + 1);
  return buf;
}

// Sends `head` (a request head announcing a body) on a raw connection, sends none of the body,
// and returns what the server answers within `wait`: "" when it answers nothing (it is waiting
// for the body).
std::string AnswerWithoutBody(int port, const std::string& head, std::chrono::milliseconds wait) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "connect failed";
  }
  (void)!::write(fd, head.data(), head.size());
  std::string got;
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (got.find("\r\n\r\n") == std::string::npos) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) break;
    char buf[4096];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return got;
}

class LfsBatchLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    alice_ = hub_.CreateUser("alice");
    for (const auto& [name, is_private] : {std::pair<std::string, bool>{"pub", false}, {"priv", true}}) {
      CurlReply r = Curl("POST", hub_.url() + "/api/repos/create", {Bearer(alice_), "Content-Type: application/json"},
                         DumpJson(Json{{"name", name}, {"private", is_private}}));
      ASSERT_EQ(r.status, 200) << r.body;
    }
    port_ = std::atoi(hub_.url().substr(hub_.url().rfind(':') + 1).c_str());
  }

  CurlReply Batch(const Json& body) {
    return Curl("POST", hub_.url() + "/alice/pub.git/info/lfs/objects/batch", {Bearer(alice_), kLfsType},
                DumpJson(body));
  }

  InProcessHub hub_;
  std::string alice_;
  int port_ = 0;
};

TEST_F(LfsBatchLimitsTest, TooManyObjectsIsA413WithTheMessageGitLfsShows) {
  Json objects = Json::array();
  for (int i = 0; i < 1001; ++i) objects.push_back(Json{{"oid", HexOid(i)}, {"size", 10}});
  CurlReply r = Batch(Json{{"operation", "upload"}, {"objects", objects}});
  EXPECT_EQ(r.status, 413) << r.body.substr(0, 300);
  EXPECT_NE(r.Header("content-type").find("application/vnd.git-lfs+json"), std::string::npos);
  Json j = ParseOrDie(r.body);
  ASSERT_TRUE(j.contains("message")) << r.body;
  EXPECT_NE(j["message"].get<std::string>().find("1000"), std::string::npos);
  // 1000 (10x what git-lfs sends in one batch) is fine.
  objects.erase(objects.end() - 1);
  EXPECT_EQ(Batch(Json{{"operation", "upload"}, {"objects", objects}}).status, 200);
}

TEST_F(LfsBatchLimitsTest, MultipartAnswersAreBounded) {
  // One 40 GB object: at most 1000 part URLs whose chunks cover it.
  const uint64_t size = 40'000'000'000ull;
  CurlReply one = Batch(Json{{"operation", "upload"},
                             {"transfers", {"basic", "multipart"}},
                             {"objects", {{{"oid", HexOid(1)}, {"size", size}}}}});
  ASSERT_EQ(one.status, 200) << one.body.substr(0, 300);
  Json header = ParseOrDie(one.body)["objects"][0]["actions"]["upload"]["header"];
  const uint64_t chunk = std::stoull(header["chunk_size"].get<std::string>());
  const uint64_t parts = header.size() - 1;
  EXPECT_LE(parts, 1000u);
  EXPECT_GE(chunk * parts, size);
  EXPECT_LT(chunk * (parts - 1), size);
  EXPECT_TRUE(header.contains(std::to_string(parts)));
  // 30 of them: the whole answer stays a few MB (at most 10000 part URLs); objects past that
  // budget get a single-PUT action, which the HF clients take when there is no chunk_size.
  Json objects = Json::array();
  for (int i = 0; i < 30; ++i) objects.push_back(Json{{"oid", HexOid(i)}, {"size", size}});
  CurlReply many = Batch(Json{{"operation", "upload"}, {"transfers", {"basic", "multipart"}}, {"objects", objects}});
  ASSERT_EQ(many.status, 200);
  EXPECT_LT(many.body.size(), 8u << 20);
  size_t part_urls = 0;
  const Json answer = ParseOrDie(many.body);
  for (const auto& o : answer["objects"]) {
    ASSERT_TRUE(o.contains("actions")) << o.dump().substr(0, 300);
    const Json& h = o["actions"]["upload"]["header"];
    if (h.contains("chunk_size")) part_urls += h.size() - 1;
  }
  EXPECT_GT(part_urls, 0u);
  EXPECT_LE(part_urls, 10000u);
}

TEST_F(LfsBatchLimitsTest, ObjectsAboveTheMaximumFileSizeGetAPerObjectError) {
  // 60 GB: above the Hub's 50 GB per file.
  CurlReply r =
      Batch(Json{{"operation", "upload"},
                 {"objects", {{{"oid", HexOid(1)}, {"size", 60'000'000'000ull}}, {{"oid", HexOid(2)}, {"size", 5}}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  Json objects = ParseOrDie(r.body)["objects"];
  EXPECT_FALSE(objects[0].contains("actions"));
  EXPECT_EQ(objects[0]["error"]["code"], 422);
  EXPECT_NE(objects[0]["error"]["message"].get<std::string>().find("maximum file size"), std::string::npos);
  EXPECT_TRUE(objects[1].contains("actions"));
}

TEST(LfsMaxFileSizeGitLfsTest, GitLfsShowsTheServersMessage) {
  ::setenv("MHUB_LFS_MAX_FILE_BYTES", "1000", 1);
  InProcessHub hub;
  ::unsetenv("MHUB_LFS_MAX_FILE_BYTES");
  const std::string token = hub.CreateUser("alice");
  ASSERT_EQ(Curl("POST", hub.url() + "/api/repos/create", {Bearer(token), "Content-Type: application/json"},
                 "{\"name\":\"g\"}")
                .status,
            200);
  TempDir home, work;
  const std::string env = "export HOME=" + ShellQuote(home.path()) +
                          " GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 GIT_ASKPASS=/bin/false"
                          " GIT_AUTHOR_NAME=A GIT_AUTHOR_EMAIL=a@x GIT_COMMITTER_NAME=A GIT_COMMITTER_EMAIL=a@x; cd " +
                          ShellQuote(work.path()) + " && ";
  const std::string url =
      "http://alice:" + token + "@127.0.0.1:" + hub.url().substr(hub.url().rfind(':') + 1) + "/alice/g.git";
  ASSERT_EQ(
      RunCommand(env + "git lfs install --skip-repo >/dev/null && git clone -q " + ShellQuote(url) + " w").exit_code,
      0);
  WriteFileOrDie(work / "w/big.bin", std::string(2000, 'x'));
  CommandResult push =
      RunCommand(env + "cd w && git add big.bin && git commit -qm big && git push -q origin main 2>&1");
  EXPECT_NE(push.exit_code, 0);
  EXPECT_NE((push.out + push.err).find("maximum file size"), std::string::npos) << push.out << push.err;
}

TEST_F(LfsBatchLimitsTest, BodiesAreNotReadBeforeAuthorization) {
  // Announces 10 MiB and sends none: a private repo answers its miss at once to whoever may not
  // read it, a public one 413 at once (above the batch body cap), without waiting for the body.
  const std::string head_priv =
      "POST /alice/priv.git/info/lfs/objects/batch HTTP/1.1\r\nHost: x\r\n"
      "Content-Type: application/vnd.git-lfs+json\r\nContent-Length: 10485760\r\n\r\n";
  std::string answer = AnswerWithoutBody(port_, head_priv, std::chrono::seconds(5));
  // The Hub's answer to an anonymous miss: 401 or 404, with X-Error-Code RepoNotFound.
  EXPECT_TRUE(answer.rfind("HTTP/1.1 404", 0) == 0 || answer.rfind("HTTP/1.1 401", 0) == 0) << answer;
  EXPECT_NE(answer.find("RepoNotFound"), std::string::npos) << answer;
  const std::string head_pub =
      "POST /alice/pub.git/info/lfs/objects/batch HTTP/1.1\r\nHost: x\r\n"
      "Content-Type: application/vnd.git-lfs+json\r\nContent-Length: 10485760\r\n\r\n";
  answer = AnswerWithoutBody(port_, head_pub, std::chrono::seconds(5));
  EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0u) << answer;
  // A body that claims less but keeps going past the cap (chunked) is cut off with a 413 too.
  std::string big(2u << 20, ' ');
  big.replace(0, 30, "{\"operation\":\"download\",\"x\":\"");
  big.back() = '}';
  CurlReply chunked =
      Curl("POST", hub_.url() + "/alice/pub.git/info/lfs/objects/batch", {kLfsType, "Transfer-Encoding: chunked"}, big);
  EXPECT_EQ(chunked.status, 413) << chunked.body.substr(0, 200);
}

TEST_F(LfsBatchLimitsTest, HeaderValuesWithNulAreRefused) {
  const std::string head = std::string("GET /api/models/alice/pub HTTP/1.1\r\nHost: x\r\nX-Test: a") + '\0' +
                           "b\r\nConnection: close\r\n\r\n";
  std::string answer = AnswerWithoutBody(port_, head, std::chrono::seconds(5));
  EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << answer;
  const std::string auth = std::string("GET /api/models/alice/priv HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ") +
                           alice_ + '\0' + "junk\r\nConnection: close\r\n\r\n";
  answer = AnswerWithoutBody(port_, auth, std::chrono::seconds(5));
  EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << answer;
}

}  // namespace
}  // namespace mhub::testing
