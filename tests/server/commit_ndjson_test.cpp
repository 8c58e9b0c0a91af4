// The streamed commit body parser (src/server/http/commit_ndjson.h). Oracle for what a line
// means: nlohmann::json parsing the same line whole plus mhub::Base64Decode (the parser the server
// used before streaming); the streamed parser must agree however the body is cut into chunks.
#include "server/http/commit_ndjson.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "mhub/base/base64.h"
#include "mhub/base/json.h"
#include "support/test_support.h"

namespace mhub::server {
namespace {

using testing::TempDir;

std::string Slice(const CommitOperation& op) {
  std::ifstream in(op.content_file, std::ios::binary);
  std::ostringstream all;
  all << in.rdbuf();
  return all.str().substr(op.content_offset, op.content_size);
}

// The content of each "file" line as the whole-line JSON parser and Base64Decode read it.
std::vector<std::string> OracleContents(const std::string& body) {
  std::vector<std::string> out;
  std::istringstream lines(body);
  std::string line;
  while (std::getline(lines, line)) {
    auto j = ParseJson(line);
    if (!j.ok() || (*j)["key"] != "file") continue;
    const std::string content = (*j)["value"]["content"];
    const std::string enc = (*j)["value"].value("encoding", "base64");
    out.push_back(enc == "base64" ? *Base64Decode(content) : content);
  }
  return out;
}

std::string Body() {
  std::string binary;
  for (int i = 0; i < 70000; ++i) binary += static_cast<char>((i * 7919) >> 3);
  std::string b64 = Base64Encode(binary);
  // JSON may escape '/' as "\/"; the parser must unescape inside streamed strings too.
  std::string escaped;
  for (char c : b64) escaped += c == '/' ? std::string("\\/") : std::string(1, c);
  return "{\"key\":\"header\",\"value\":{\"summary\":\"s "
         "\\u00e9\",\"description\":\"d\",\"parentCommit\":\"abcdef0\"}}\n"
         "\n"
         "{\"value\":{\"content\":\"" +
         escaped +
         "\",\"path\":\"bin/a.dat\"},\"key\":\"file\"}\r\n"
         "{\"key\":\"file\",\"value\":{\"encoding\":\"utf-8\",\"path\":\"t\\u00e9xt.md\",\"content\":\"caf\\u00e9 "
         "\\ud83d\\ude00 \\\"q\\\" \\\\ \\n\"}}\n"
         "{\"key\":\"file\",\"value\":{\"path\":\"empty.txt\",\"content\":\"\"}}\n"
         "{\"key\":\"lfsFile\",\"value\":{\"path\":\"w.bin\",\"algo\":\"sha256\",\"oid\":\"" +
         std::string(64, 'a') +
         "\",\"size\":12}}\n"
         "{\"key\":\"deletedFile\",\"value\":{\"path\":\"old.txt\"}}\n"
         "{\"key\":\"deletedFolder\",\"value\":{\"path\":\"olddir/\"}}";
}

TEST(CommitNdjsonTest, StreamedParseAgreesWithWholeLineJsonWhateverTheChunks) {
  TempDir dir;
  const std::string body = Body();
  const std::vector<std::string> want = OracleContents(body);
  ASSERT_EQ(want.size(), 3u);
  for (size_t chunk : {body.size(), size_t{1}, size_t{3}, size_t{4096}}) {
    SCOPED_TRACE(chunk);
    CommitNdjsonParser parser(dir / ("spool" + std::to_string(chunk)), {});
    for (size_t pos = 0; pos < body.size(); pos += chunk) ASSERT_TRUE(parser.Feed(body.substr(pos, chunk)).ok());
    auto r = parser.Finish();
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->summary, "s \xc3\xa9");
    EXPECT_EQ(r->parent_commit.value_or(""), "abcdef0");
    ASSERT_EQ(r->operations.size(), 6u);
    EXPECT_EQ(r->operations[0].path, "bin/a.dat");
    EXPECT_EQ(r->operations[1].path, "t\xc3\xa9xt.md");
    for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(Slice(r->operations[i]) == want[i]) << i;
    EXPECT_EQ(r->operations[3].kind, CommitOperation::Kind::kAddLfsFile);
    EXPECT_EQ(r->operations[3].lfs_size.value_or(0), 12u);
    EXPECT_EQ(r->operations[5].kind, CommitOperation::Kind::kDeleteFolder);
    EXPECT_EQ(r->operations[5].path, "olddir");
  }
}

TEST(CommitNdjsonTest, BadInputIsAClearErrorNamingTheLine) {
  TempDir dir;
  const std::string header = "{\"key\":\"header\",\"value\":{}}\n";
  struct Case {
    std::string body;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"", "no header"},
      {"{\"key\":\"file\",\"value\":{\"path\":\"a\",\"content\":\"\"}}\n", "line 1: the first line must be the header"},
      {header + "{\"key\":\"file\",\"value\":{\"path\":\"a\",\"content\":\"!!\"}}", "line 2: content: base64"},
      {header + "{\"key\":\"file\",\"value\":{\"path\":\"a\",\"content\":\"QQ\",\"content\":\"QQ\"}}", "given twice"},
      {header + "{\"key\":\"file\",\"value\":{\"path\":\"a\",\"content\":7}}", "'content' must be a string"},
      {header + "{\"key\":\"file\",\"value\":{\"path\":\"a\"}}", "missing 'content'"},
      {header + "{\"key\":\"move\",\"value\":{}}", "unknown operation key"},
      {header + "{\"key\":\"file\",\"value\":{\"path\":\"a\",\"content\":\"\\ud800\"}}", "surrogate"},
      {header + "{\"key\":\"file\",\"value\":{\"path\":\"a\",\"content\":\"x\ty\"}}", "control character"},
      {header + "{\"key\":\"file\",\"value\":{\"path\":\"a\",\"content\":\"\"}} x", "line 2: invalid JSON"},
      {header + "{\"key\":\"file\",\"value\":{\"path\":\"a\",\"content\":\"\"", "line 2: invalid JSON"},
      {header + "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]", "deeper"},
      {header + header, "second header"},
      {header + "{\"key\":\"file\",\"value\":{\"path\":\".git\\u200c/config\",\"content\":\"\"}}", "hasDotgit"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body);
    auto r = ParseCommitNdjson(c.body, dir / "spool");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status();
    EXPECT_NE(r.status().message().find(c.says), std::string::npos) << r.status();
  }
}

TEST(CommitNdjsonTest, LimitsAreResourceExhaustedOrAskForLfs) {
  TempDir dir;
  const std::string header = "{\"key\":\"header\",\"value\":{}}\n";
  const std::string op = "{\"key\":\"deletedFile\",\"value\":{\"path\":\"a\"}}\n";
  CommitNdjsonLimits limits;
  limits.max_operations = 2;
  auto many = ParseCommitNdjson(header + op + op + op, dir / "s1", limits);
  EXPECT_EQ(many.status().code(), StatusCode::kResourceExhausted);
  limits = {};
  limits.max_body_bytes = 100;
  auto big = ParseCommitNdjson(header + op + op + op, dir / "s2", limits);
  EXPECT_EQ(big.status().code(), StatusCode::kResourceExhausted);
  limits = {};
  limits.max_line_json_bytes = 1000;
  auto line = ParseCommitNdjson(
      header + "{\"key\":\"header\",\"value\":{\"summary\":\"" + std::string(2000, 'x') + "\"}}", dir / "s3", limits);
  EXPECT_EQ(line.status().code(), StatusCode::kResourceExhausted);
  // A file over the regular-file cap: the error names the path and says to use LFS, and the
  // spool never holds much more than the cap.
  limits = {};
  limits.max_regular_file = 1000;
  const std::string file = "{\"key\":\"file\",\"value\":{\"content\":\"" + Base64Encode(std::string(100000, 'z')) +
                           "\",\"path\":\"big.txt\"}}";
  CommitNdjsonParser parser(dir / "s4", limits);
  ASSERT_TRUE(parser.Feed(header + file).ok());
  EXPECT_LT(std::stoull(testing::RunCommand("stat -c %s " + testing::ShellQuote(dir / "s4")).out), 4000u);
  auto capped = parser.Finish();
  ASSERT_FALSE(capped.ok());
  EXPECT_NE(capped.status().message().find("big.txt"), std::string::npos) << capped.status();
  EXPECT_NE(capped.status().message().find("LFS"), std::string::npos) << capped.status();
  auto at_cap = ParseCommitNdjson(header + "{\"key\":\"file\",\"value\":{\"content\":\"" +
                                      Base64Encode(std::string(1000, 'z')) + "\",\"path\":\"f\"}}",
                                  dir / "s5", limits);
  EXPECT_TRUE(at_cap.ok()) << at_cap.status();
}

}  // namespace
}  // namespace mhub::server
