// The "multipart" LFS transfer (hub-api.md 7.2): the batch API hands out one signed part URL per
// chunk plus a signed completion URL; parts answer ETags; the completion assembles and verifies
// the object. Driven by the real @huggingface/hub client (tests/clients/server_multipart_client.js)
// and, for the failure cases, by curl. Oracles: node's crypto and sha256sum for hashes, openssl
// for HMAC-signed URLs, the file system for "nothing half-visible".
#include <gtest/gtest.h>

#include <stdlib.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <random>
#include <regex>

#include "mhub/base/json.h"
#include "server/http_test_support.h"

namespace mhub::testing {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kChunk = uint64_t{5} << 20;
// The hub reads its chunk size from the environment once, at its first multipart batch.
const bool kChunkEnvSet = [] { return setenv("MHUB_LFS_CHUNK_SIZE", std::to_string(kChunk).c_str(), 1) == 0; }();

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

size_t FilesUnder(const std::string& dir) {
  size_t n = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file()) ++n;
  }
  return n;
}

// The multipart upload action of one object, as the batch API answered it.
struct MultipartAction {
  std::string href;                    // completion URL
  uint64_t chunk = 0;                  // header.chunk_size
  std::vector<std::string> part_urls;  // header["1"], header["2"], ...
};

class LfsMultipartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(kChunkEnvSet);
    token_ = hub_.CreateUser("alice");
    auth_ = "Authorization: Bearer " + token_;
    Json body{{"name", "mp"}, {"type", "model"}};
    CurlReply r =
        Curl("POST", hub_.url() + "/api/repos/create", {auth_, "Content-Type: application/json"}, DumpJson(body));
    ASSERT_EQ(r.status, 200) << r.body;
  }

  Json Batch(const std::string& oid, uint64_t size, const Json& transfers, const std::string& operation = "upload") {
    Json batch{{"operation", operation}, {"objects", {{{"oid", oid}, {"size", size}}}}, {"hash_algo", "sha256"}};
    if (!transfers.is_null()) batch["transfers"] = transfers;
    CurlReply r = Curl("POST", hub_.url() + "/alice/mp.git/info/lfs/objects/batch",
                       {auth_, "Accept: application/vnd.git-lfs+json", "Content-Type: application/vnd.git-lfs+json"},
                       DumpJson(batch));
    EXPECT_EQ(r.status, 200) << r.body;
    return ParseOrDie(r.body);
  }

  MultipartAction StartMultipart(const std::string& oid, uint64_t size) {
    Json answer = Batch(oid, size, Json{"basic", "multipart"});
    MultipartAction a;
    EXPECT_EQ(answer["transfer"], "multipart") << answer.dump();
    const Json& upload = answer["objects"][0]["actions"]["upload"];
    if (!upload.is_object()) {
      ADD_FAILURE() << answer.dump();
      return a;
    }
    a.href = upload["href"];
    a.chunk = std::stoull(upload["header"]["chunk_size"].get<std::string>());
    for (int n = 1;; ++n) {
      auto it = upload["header"].find(std::to_string(n));
      if (it == upload["header"].end()) break;
      a.part_urls.push_back(*it);
    }
    return a;
  }

  // PUT without Authorization, as both HF clients do.
  static CurlReply PutPart(const std::string& url, const std::string& data) {
    return Curl("PUT", url, {"Content-Type: application/octet-stream"}, data, true);
  }
  static CurlReply Complete(const std::string& href, const std::string& body) {
    return Curl("POST", href, {"Accept: application/vnd.git-lfs+json", "Content-Type: application/vnd.git-lfs+json"},
                body, true);
  }
  static std::string CompletionBody(const std::string& oid, const std::vector<std::string>& etags) {
    Json parts = Json::array();
    for (size_t i = 0; i < etags.size(); ++i) parts.push_back(Json{{"partNumber", i + 1}, {"etag", etags[i]}});
    return DumpJson(Json{{"oid", oid}, {"parts", parts}});
  }
  // Uploads every part of `content`; returns the ETags answered.
  std::vector<std::string> PutAllParts(const MultipartAction& a, const std::string& content) {
    std::vector<std::string> etags;
    for (size_t i = 0; i < a.part_urls.size(); ++i) {
      CurlReply r = PutPart(a.part_urls[i], content.substr(i * a.chunk, a.chunk));
      EXPECT_EQ(r.status, 200) << r.body;
      etags.push_back(r.Header("etag"));
    }
    return etags;
  }

  std::string StorePath(const std::string& oid) const {
    return hub_.data_dir() + "/lfs/objects/" + oid.substr(0, 2) + "/" + oid.substr(2, 2) + "/" + oid;
  }
  bool InStore(const std::string& oid) const { return fs::exists(StorePath(oid)); }
  size_t StoreTmpFiles() const { return FilesUnder(hub_.data_dir() + "/lfs/tmp"); }
  size_t MultipartFiles() const { return FilesUnder(hub_.data_dir() + "/lfs/multipart"); }

  // HMAC-SHA256 over the signed fields, computed with the openssl command line and the hub's
  // secret file: an outside check of the URL signature scheme.
  std::string OpensslSign(const std::string& action, const std::string& oid, uint64_t size, int64_t exp) {
    std::string secret = ReadFileOrDie(hub_.data_dir() + "/server_secret");
    while (!secret.empty() && secret.back() == '\n') secret.pop_back();
    TempDir tmp;
    WriteFileOrDie(tmp / "payload",
                   action + "\nmodels/alice/mp\n" + oid + "\n" + std::to_string(size) + "\n" + std::to_string(exp));
    CommandResult r =
        RunCommand("openssl dgst -sha256 -r -hmac " + ShellQuote(secret) + " " + ShellQuote(tmp / "payload"));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.substr(0, 64);
  }

  InProcessHub hub_;
  std::string token_;
  std::string auth_;
};

TEST_F(LfsMultipartTest, HuggingfaceHubJsUploadsALargeFileInPartsAndDownloadsItBack) {
  const uint64_t size = 21'000'123;  // a little over 4 chunks of 5 MiB: 5 parts
  CommandResult r =
      RunCommand("NODE_MODULES=" + ShellQuote(NodeModulesDir()) + " node " +
                 ShellQuote(SourceDir() + "/tests/clients/server_multipart_client.js") + " " + ShellQuote(hub_.url()) +
                 " " + ShellQuote(token_) + " alice " + std::to_string(kChunk) + " " + std::to_string(size));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_NE(r.out.find("OK"), std::string::npos) << r.out << r.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex("sha256 ([0-9a-f]{64})"))) << r.out;
  const std::string oid = m[1];
  // The stored object hashes (sha256sum) to the sha256 node computed over the bytes it sent.
  ASSERT_TRUE(InStore(oid));
  CommandResult sum = RunCommand("sha256sum " + ShellQuote(StorePath(oid)));
  EXPECT_EQ(sum.out.substr(0, 64), oid);
  EXPECT_EQ(fs::file_size(StorePath(oid)), size);
  // Parts are cleaned up, and no temp file is left behind.
  EXPECT_EQ(MultipartFiles(), 0u);
  EXPECT_EQ(StoreTmpFiles(), 0u);
}

TEST_F(LfsMultipartTest, MhubClientUploadsInPartsAndDownloadsTheSameBytes) {
  // mhub's own client (src/hub) offers multipart too: a 12 MB file takes 3 parts of 5 MiB.
  TempDir home;
  const std::string content = RandomBytes(12'000'000, 6);
  WriteFileOrDie(home / "big.bin", content);
  const std::string oid = RunCommand("sha256sum " + ShellQuote(home / "big.bin")).out.substr(0, 64);
  const std::string env = "HF_HOME=" + ShellQuote(home.path()) + " HF_HUB_CACHE=" + ShellQuote(home / "cache") +
                          " HF_ENDPOINT=" + ShellQuote(hub_.url()) +
                          " MHUB_ENDPOINT= MHUB_TOKEN= HF_TOKEN=" + ShellQuote(token_) + " ";
  CommandResult up =
      RunCommand(env + ShellQuote(MhubBin()) + " upload alice/mp " + ShellQuote(home / "big.bin") + " weights/big.bin");
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  ASSERT_TRUE(InStore(oid));
  EXPECT_EQ(MultipartFiles(), 0u);
  CommandResult down = RunCommand(env + ShellQuote(MhubBin()) + " download alice/mp weights/big.bin");
  ASSERT_EQ(down.exit_code, 0) << down.out << down.err;
  std::string path = down.out;
  while (!path.empty() && path.back() == '\n') path.pop_back();
  path = path.substr(path.rfind('\n') == std::string::npos ? 0 : path.rfind('\n') + 1);
  EXPECT_EQ(RunCommand("sha256sum " + ShellQuote(path)).out.substr(0, 64), oid) << path;
}

TEST_F(LfsMultipartTest, MultipartOnlyWhenOfferedAndLargerThanAChunk) {
  const std::string oid = std::string(64, 'a');
  const uint64_t large = 2 * kChunk + 1;
  // git-lfs sends no multipart (or no transfers at all): basic, a plain href.
  for (const Json& transfers : {Json(), Json{"basic"}, Json{"basic", "lfs-standalone-file"}}) {
    Json a = Batch(oid, large, transfers);
    EXPECT_EQ(a["transfer"], "basic") << a.dump();
    EXPECT_FALSE(a["objects"][0]["actions"]["upload"]["header"].contains("chunk_size")) << a.dump();
  }
  // Offered but not larger than one chunk: basic.
  Json small = Batch(oid, kChunk, Json{"basic", "multipart"});
  EXPECT_EQ(small["transfer"], "basic") << small.dump();
  EXPECT_FALSE(small["objects"][0]["actions"]["upload"]["header"].contains("chunk_size"));
  // Offered and larger: chunk_size plus ceil(size / chunk) part URLs numbered from 1.
  Json big = Batch(oid, large, Json{"basic", "multipart", "xet"});
  EXPECT_EQ(big["transfer"], "multipart") << big.dump();
  const Json& upload = big["objects"][0]["actions"]["upload"];
  EXPECT_EQ(upload["header"]["chunk_size"], std::to_string(kChunk));
  size_t numeric = 0;
  for (const auto& [key, value] : upload["header"].items()) {
    if (key == "chunk_size") continue;
    ++numeric;
    EXPECT_TRUE(key == "1" || key == "2" || key == "3") << key;
    EXPECT_EQ(value.get<std::string>().rfind(hub_.url() + "/alice/mp.git/info/lfs/objects/" + oid + "/multipart/", 0),
              0u)
        << value;
  }
  EXPECT_EQ(numeric, 3u);
  EXPECT_EQ(upload["href"].get<std::string>().rfind(hub_.url() + "/", 0), 0u);
  EXPECT_TRUE(big["objects"][0]["actions"].contains("verify"));
  // Downloads never go multipart.
  Json down = Batch(oid, large, Json{"basic", "multipart"}, "download");
  EXPECT_EQ(down["transfer"], "basic");
}

TEST_F(LfsMultipartTest, PartsCompleteIntoAVerifiedObject) {
  const std::string content = RandomBytes(2 * kChunk + 777, 1);
  const std::string oid = Sha256OfString(content);
  MultipartAction a = StartMultipart(oid, content.size());
  ASSERT_EQ(a.part_urls.size(), 3u);
  ASSERT_EQ(a.chunk, kChunk);
  // Parts in any order; each ETag is the quoted sha256 of the part's bytes.
  std::vector<std::string> etags(3);
  for (int i = 2; i >= 0; --i) {
    std::string part = content.substr(static_cast<size_t>(i) * kChunk, kChunk);
    CurlReply r = PutPart(a.part_urls[static_cast<size_t>(i)], part);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.Header("etag"), "\"" + Sha256OfString(part) + "\"");
    etags[static_cast<size_t>(i)] = r.Header("etag");
  }
  // Sending a part again replaces it with the same bytes and ETag.
  CurlReply again = PutPart(a.part_urls[1], content.substr(kChunk, kChunk));
  EXPECT_EQ(again.Header("etag"), etags[1]);
  EXPECT_FALSE(InStore(oid));  // nothing visible before the completion
  CurlReply done = Complete(a.href, CompletionBody(oid, etags));
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(ParseOrDie(done.body)["oid"], oid);
  ASSERT_TRUE(InStore(oid));
  EXPECT_EQ(RunCommand("sha256sum " + ShellQuote(StorePath(oid))).out.substr(0, 64), oid);
  EXPECT_EQ(MultipartFiles(), 0u);
  EXPECT_EQ(StoreTmpFiles(), 0u);
  // huggingface_hub then calls verify with its token; the object is usable in a commit.
  CurlReply v = Curl("POST", hub_.url() + "/alice/mp.git/info/lfs/objects/" + oid + "/verify",
                     {auth_, "Content-Type: application/vnd.git-lfs+json"},
                     DumpJson(Json{{"oid", oid}, {"size", content.size()}}));
  EXPECT_EQ(v.status, 200) << v.body;
  std::string ndjson =
      DumpJson(Json{{"key", "header"}, {"value", {{"summary", "add big"}, {"description", ""}}}}) + "\n" +
      DumpJson(Json{{"key", "lfsFile"},
                    {"value", {{"path", "big.bin"}, {"algo", "sha256"}, {"oid", oid}, {"size", content.size()}}}}) +
      "\n";
  CurlReply commit = Curl("POST", hub_.url() + "/api/models/alice/mp/commit/main",
                          {auth_, "Content-Type: application/x-ndjson"}, ndjson);
  ASSERT_EQ(commit.status, 200) << commit.body;
  CurlReply get = Curl("GET", hub_.url() + "/alice/mp/resolve/main/big.bin");
  ASSERT_EQ(get.status, 200);
  EXPECT_EQ(Sha256OfString(get.body), oid);
  // Asked again, the batch API needs no upload.
  EXPECT_FALSE(Batch(oid, content.size(), Json{"basic", "multipart"})["objects"][0].contains("actions"));
}

TEST_F(LfsMultipartTest, BadCompletionsAreRefusedAndChangeNothing) {
  const std::string content = RandomBytes(2 * kChunk + 5, 2);
  const std::string oid = Sha256OfString(content);
  const std::string other_oid = Sha256OfString(content + "x");
  MultipartAction a = StartMultipart(oid, content.size());
  ASSERT_EQ(a.part_urls.size(), 3u);
  std::vector<std::string> etags = PutAllParts(a, content);

  auto expect_refused = [&](const CurlReply& r, int status, const std::string& what) {
    EXPECT_EQ(r.status, status) << what << ": " << r.body;
    EXPECT_FALSE(r.Header("x-error-message").empty()) << what;
    EXPECT_TRUE(ParseOrDie(r.body).contains("error")) << what << ": " << r.body;
    EXPECT_FALSE(InStore(oid)) << what;
    EXPECT_EQ(StoreTmpFiles(), 0u) << what;
  };
  std::vector<std::string> bad = etags;
  bad[1] = "\"" + Sha256OfString("not part two") + "\"";
  expect_refused(Complete(a.href, CompletionBody(oid, bad)), 400, "wrong etag of part 2");
  expect_refused(Complete(a.href, CompletionBody(oid, {etags[0], etags[1]})), 400, "part 3 left out");
  expect_refused(Complete(a.href, DumpJson(Json{{"oid", oid},
                                                {"parts",
                                                 {{{"partNumber", 1}, {"etag", etags[0]}},
                                                  {{"partNumber", 2}, {"etag", etags[1]}},
                                                  {{"partNumber", 2}, {"etag", etags[1]}}}}})),
                 400, "part 2 twice");
  expect_refused(Complete(a.href, CompletionBody(other_oid, etags)), 400, "oid of another object");
  expect_refused(Complete(a.href, "{\"oid\": \"" + oid + "\", \"parts\": ["), 400, "truncated JSON");
  expect_refused(Complete(a.href, DumpJson(Json{{"oid", oid}, {"parts", {{{"partNumber", "1"}, {"etag", "x"}}}}})), 400,
                 "partNumber as a string");
  // The completion URL is self-authorising and tamper-proof.
  std::string tampered = a.href;
  tampered.back() = tampered.back() == '0' ? '1' : '0';
  expect_refused(Complete(tampered, CompletionBody(oid, etags)), 403, "altered signature");
  expect_refused(
      Complete(std::regex_replace(a.href, std::regex("size=[0-9]+"), "size=" + std::to_string(content.size() - 5)),
               CompletionBody(oid, etags)),
      403, "altered size");
  expect_refused(Complete(a.href.substr(0, a.href.find('?')), CompletionBody(oid, etags)), 403, "no signature");
  // The refused attempts kept the parts: the correct completion still succeeds.
  CurlReply done = Complete(a.href, CompletionBody(oid, etags));
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_TRUE(InStore(oid));
}

TEST_F(LfsMultipartTest, MissingPartOrWrongContentIsRefused) {
  const std::string content = RandomBytes(2 * kChunk + 100, 3);
  const std::string oid = Sha256OfString(content);
  // Part 3 never uploaded.
  MultipartAction a = StartMultipart(oid, content.size());
  ASSERT_EQ(a.part_urls.size(), 3u);
  std::vector<std::string> etags;
  for (size_t i = 0; i < 2; ++i)
    etags.push_back(PutPart(a.part_urls[i], content.substr(i * kChunk, kChunk)).Header("etag"));
  etags.push_back("\"" + Sha256OfString(content.substr(2 * kChunk)) + "\"");
  CurlReply missing = Complete(a.href, CompletionBody(oid, etags));
  EXPECT_EQ(missing.status, 400) << missing.body;
  EXPECT_NE(missing.Header("x-error-message").find("part 3"), std::string::npos) << missing.Header("x-error-message");
  EXPECT_FALSE(InStore(oid));

  // Parts whose ETags match but whose whole is another object: refused, nothing stored.
  const std::string other = RandomBytes(content.size(), 4);
  MultipartAction b = StartMultipart(oid, content.size());
  ASSERT_EQ(b.part_urls.size(), 3u);
  std::vector<std::string> other_etags = PutAllParts(b, other);
  CurlReply wrong = Complete(b.href, CompletionBody(oid, other_etags));
  EXPECT_EQ(wrong.status, 400) << wrong.body;
  EXPECT_FALSE(wrong.Header("x-error-message").empty());
  EXPECT_FALSE(InStore(oid));
  EXPECT_FALSE(InStore(Sha256OfString(other)));
  EXPECT_EQ(StoreTmpFiles(), 0u);
}

TEST_F(LfsMultipartTest, PartUrlsAreSelfAuthorisingTamperProofAndExpire) {
  const std::string content = RandomBytes(kChunk + 10, 5);
  const std::string oid = Sha256OfString(content);
  MultipartAction a = StartMultipart(oid, content.size());
  ASSERT_EQ(a.part_urls.size(), 2u);
  const std::string part1 = content.substr(0, kChunk);
  auto refused = [&](const CurlReply& r, int status, const std::string& what) {
    EXPECT_EQ(r.status, status) << what << ": " << r.body;
    EXPECT_FALSE(r.Header("x-error-message").empty()) << what;
    EXPECT_FALSE(r.HasHeader("etag")) << what;
  };
  std::string url = a.part_urls[0];
  std::string bad_sig = url;
  bad_sig.back() = bad_sig.back() == 'a' ? 'b' : 'a';
  refused(PutPart(bad_sig, part1), 403, "altered signature");
  // Part 1's signature does not open part 2's URL.
  std::string path2 = a.part_urls[1].substr(0, a.part_urls[1].find('?'));
  refused(PutPart(path2 + url.substr(url.find('?')), part1), 403, "signature of another part");
  refused(PutPart(std::regex_replace(url, std::regex("chunk=[0-9]+"), "chunk=1048576"), part1), 403, "altered chunk");
  refused(PutPart(url.substr(0, url.find('?')), part1), 403, "no signature");
  // Wrong lengths for the part.
  refused(PutPart(url, part1 + "x"), 400, "one byte too many");
  refused(PutPart(url, part1.substr(1)), 400, "one byte too few");
  EXPECT_EQ(MultipartFiles(), 0u);  // no refused part became visible

  // URLs signed (with openssl, over the documented fields) for a past expiry are refused; the
  // same signing with a future expiry is accepted, so the refusal is the expiry.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(url, m, std::regex("/multipart/([0-9a-f]{32})/1\\?")));
  const std::string upload_id = m[1];
  // The grant (the token id and user that asked the batch) is signed into the action too.
  ASSERT_TRUE(std::regex_search(url, m, std::regex("&t=([0-9]+)&u=([A-Za-z0-9._-]+)&")));
  const std::string token_id = m[1], user = m[2];
  EXPECT_EQ(user, "alice");
  const std::string action =
      "upload-part/" + upload_id + "/" + std::to_string(kChunk) + "/1\nt=" + token_id + "\nu=" + user;
  const std::string base = url.substr(0, url.find('?'));
  auto signed_url = [&](int64_t exp) {
    return base + "?size=" + std::to_string(content.size()) + "&chunk=" + std::to_string(kChunk) +
           "&exp=" + std::to_string(exp) + "&t=" + token_id + "&u=" + user +
           "&sig=" + OpensslSign(action, oid, content.size(), exp);
  };
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  CurlReply expired = PutPart(signed_url(now - 5), part1);
  refused(expired, 403, "expired URL");
  EXPECT_NE(expired.Header("x-error-message").find("expired"), std::string::npos);
  CurlReply fresh = PutPart(signed_url(now + 600), part1);
  EXPECT_EQ(fresh.status, 200) << fresh.body;
  EXPECT_EQ(fresh.Header("etag"), "\"" + Sha256OfString(part1) + "\"");
}

}  // namespace
}  // namespace mhub::testing
