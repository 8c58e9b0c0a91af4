// Range requests on /resolve (issue 20, finding 10), for an LFS file (streamed from the LFS store)
// and a regular file (read from git), against RFC 9110 section 14 as S3 applies it: a single
// range is served as 206 with Content-Range; a suffix longer than the file selects the whole
// file; several ranges, other units and invalid specs (last < first) are ignored (200, whole
// file); only a start at or past the end is 416 with "Content-Range: bytes */size". The unit is
// case-insensitive.
#include <gtest/gtest.h>

#include "mhub/base/json.h"
#include "server/http_test_support.h"

namespace mhub::testing {
namespace {

struct Case {
  std::string range;
  int status;
  uint64_t first = 0;  // 206 only
  uint64_t last = 0;
};

TEST(ResolveRangeTest, RangesFollowRfc9110) {
  InProcessHub hub;
  const std::string token = hub.CreateUser("alice");
  const std::string auth = "Authorization: Bearer " + token;
  ASSERT_EQ(Curl("POST", hub.url() + "/api/repos/create", {auth, "Content-Type: application/json"}, "{\"name\":\"r\"}")
                .status,
            200);
  std::string content(100, '\0');
  for (size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>('a' + i % 26);
  const std::string oid = Sha256OfString(content);
  Json batch{{"operation", "upload"}, {"objects", {{{"oid", oid}, {"size", content.size()}}}}};
  Json answer = ParseOrDie(Curl("POST", hub.url() + "/alice/r.git/info/lfs/objects/batch",
                                {auth, "Content-Type: application/vnd.git-lfs+json"}, DumpJson(batch))
                               .body);
  ASSERT_EQ(Curl("PUT", answer["objects"][0]["actions"]["upload"]["href"].get<std::string>(), {}, content, true).status,
            200);
  std::string commit =
      DumpJson(Json{{"key", "header"}, {"value", {{"summary", "files"}}}}) + "\n" +
      DumpJson(Json{{"key", "lfsFile"}, {"value", {{"path", "w.bin"}, {"oid", oid}, {"size", content.size()}}}}) +
      "\n" +
      DumpJson(
          Json{{"key", "file"}, {"value", {{"path", "t.txt"}, {"content", Base64(content)}, {"encoding", "base64"}}}}) +
      "\n";
  CurlReply c =
      Curl("POST", hub.url() + "/api/models/alice/r/commit/main", {auth, "Content-Type: application/x-ndjson"}, commit);
  ASSERT_EQ(c.status, 200) << c.body;

  const uint64_t n = content.size();
  const std::vector<Case> cases = {
      {"bytes=0-0", 206, 0, 0},
      {"bytes=2-4", 206, 2, 4},
      {"Bytes=2-4", 206, 2, 4},
      {"bytes=90-", 206, 90, n - 1},
      {"bytes=95-1000", 206, 95, n - 1},
      {"bytes=-10", 206, n - 10, n - 1},
      {"bytes=-1000", 206, 0, n - 1},  // suffix past the size: the whole file
      {"bytes=0-1,5-6", 200},          // several ranges: ignored
      {"bytes=0-0,-1", 200},
      {"bytes=5-2", 200},  // invalid: ignored
      {"items=0-1", 200},  // unknown unit: ignored
      {"bytes=abc", 200},
      {"bytes=100-", 416},
      {"bytes=100-200", 416},
  };
  for (const std::string path : {"w.bin", "t.txt"}) {
    for (const Case& k : cases) {
      const std::string where = path + " Range: " + k.range;
      CurlReply r = Curl("GET", hub.url() + "/alice/r/resolve/main/" + path, {"Range: " + k.range});
      ASSERT_EQ(r.status, k.status) << where << ": " << r.body.substr(0, 200);
      if (k.status == 200) {
        EXPECT_EQ(r.body, content) << where;
        EXPECT_FALSE(r.HasHeader("content-range")) << where;
      } else if (k.status == 206) {
        EXPECT_EQ(r.body, content.substr(k.first, k.last - k.first + 1)) << where;
        EXPECT_EQ(r.Header("content-range"),
                  "bytes " + std::to_string(k.first) + "-" + std::to_string(k.last) + "/" + std::to_string(n))
            << where;
      } else {
        EXPECT_EQ(r.Header("content-range"), "bytes */" + std::to_string(n)) << where;
      }
    }
  }
}

}  // namespace
}  // namespace mhub::testing
