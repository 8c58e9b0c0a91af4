// The access-control matrix: {anonymous, owner's read token, owner's write token, another user's
// write token, an invalid token} x {public, private repo} x every route, each answered as the Hub
// answers (hub-api.md 1.2, 1.3):
//  - an unknown token: 401 with X-Error-Message "Invalid credentials in Authorization header";
//  - reading a private repo without access: 404 + X-Error-Code RepoNotFound (401 to an anonymous
//    caller; the repo's existence is not revealed); git routes challenge an anonymous client with 401 +
//    WWW-Authenticate;
//  - writing: anonymous 401, a read token or someone else's token 403 (404 RepoNotFound when
//    the repo is private and not readable), the owner's write token 2xx.
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>

#include "mhub/base/json.h"
#include "server/http_test_support.h"

namespace mhub::testing {
namespace {

enum class Who { kAnonymous, kOwnerRead, kOwnerWrite, kOtherWrite, kInvalid };
const char* WhoName(Who w) {
  switch (w) {
    case Who::kAnonymous:
      return "anonymous";
    case Who::kOwnerRead:
      return "owner-read-token";
    case Who::kOwnerWrite:
      return "owner-write-token";
    case Who::kOtherWrite:
      return "other-user-write-token";
    case Who::kInvalid:
      return "invalid-token";
  }
  return "?";
}

struct Route {
  std::string name;
  bool write;  // needs write access
  bool git;    // a git smart-HTTP route (anonymous gets a Basic challenge)
  // Sends the request for `repo` ("alice/pub") with `auth` headers; `n` makes each call unique.
  std::function<CurlReply(const std::string& url, const std::string& repo, const std::vector<std::string>& auth, int n)>
      send;
};

std::vector<std::string> With(std::vector<std::string> auth, const std::string& header) {
  auth.push_back(header);
  return auth;
}

// An LFS object both repos hold (uploaded by the owner before the matrix runs).
const std::string kAclObject = "acl matrix LFS object";
const std::string& AclObjectOid() {
  static const std::string oid = Sha256OfString(kAclObject);
  return oid;
}

std::vector<Route> AllRoutes() {
  const std::string json = "Content-Type: application/json";
  const std::string gattr = "Content-Type: application/vnd.git-lfs+json";
  std::string some_oid(64, 'a');
  return {
      {"GET info", false, false,
       [](auto url, auto repo, auto auth, int) { return Curl("GET", url + "/api/models/" + repo, auth); }},
      {"GET revision", false, false,
       [](auto url, auto repo, auto auth, int) {
         return Curl("GET", url + "/api/models/" + repo + "/revision/main", auth);
       }},
      {"GET tree", false, false,
       [](auto url, auto repo, auto auth, int) {
         return Curl("GET", url + "/api/models/" + repo + "/tree/main?recursive=1", auth);
       }},
      {"POST paths-info", false, false,
       [json](auto url, auto repo, auto auth, int) {
         return Curl("POST", url + "/api/models/" + repo + "/paths-info/main", With(auth, json), "{\"paths\":[\"a\"]}");
       }},
      {"GET refs", false, false,
       [](auto url, auto repo, auto auth, int) { return Curl("GET", url + "/api/models/" + repo + "/refs", auth); }},
      {"GET commits", false, false,
       [](auto url, auto repo, auto auth, int) {
         return Curl("GET", url + "/api/models/" + repo + "/commits/main", auth);
       }},
      {"GET auth-check", false, false,
       [](auto url, auto repo, auto auth, int) {
         return Curl("GET", url + "/api/models/" + repo + "/auth-check", auth);
       }},
      {"HEAD resolve", false, false,
       [](auto url, auto repo, auto auth, int) {
         return Curl("HEAD", url + "/" + repo + "/resolve/main/.gitattributes", auth);
       }},
      {"GET raw", false, false,
       [](auto url, auto repo, auto auth, int) {
         return Curl("GET", url + "/" + repo + "/raw/main/.gitattributes", auth);
       }},
      {"LFS batch download", false, false,
       [gattr](auto url, auto repo, auto auth, int) {
         return Curl("POST", url + "/" + repo + ".git/info/lfs/objects/batch", With(auth, gattr),
                     "{\"operation\":\"download\",\"objects\":[]}");
       }},
      {"git info/refs upload-pack", false, true,
       [](auto url, auto repo, auto auth, int) {
         return Curl("GET", url + "/" + repo + ".git/info/refs?service=git-upload-pack", auth);
       }},
      {"POST preupload", true, false,
       [json](auto url, auto repo, auto auth, int) {
         return Curl("POST", url + "/api/models/" + repo + "/preupload/main", With(auth, json),
                     "{\"files\":[{\"path\":\"a.txt\",\"size\":1,\"sample\":\"YQ==\"}]}");
       }},
      {"POST commit", true, false,
       [](auto url, auto repo, auto auth, int n) {
         std::string body =
             "{\"key\":\"header\",\"value\":{\"summary\":\"acl\"}}\n{\"key\":\"file\",\"value\":{\"path\":\"f" +
             std::to_string(n) + ".txt\",\"content\":\"eA==\",\"encoding\":\"base64\"}}\n";
         return Curl("POST", url + "/api/models/" + repo + "/commit/main",
                     With(auth, "Content-Type: application/x-ndjson"), body);
       }},
      {"LFS batch upload", true, false,
       [gattr, some_oid](auto url, auto repo, auto auth, int) {
         return Curl("POST", url + "/" + repo + ".git/info/lfs/objects/batch", With(auth, gattr),
                     "{\"operation\":\"upload\",\"objects\":[{\"oid\":\"" + some_oid + "\",\"size\":3}]}");
       }},
      {"POST+DELETE branch", true, false,
       [json](auto url, auto repo, auto auth, int n) {
         std::string b = url + "/api/models/" + repo + "/branch/acl" + std::to_string(n);
         CurlReply r = Curl("POST", b, With(auth, json), "{\"startingPoint\":\"main\"}");
         if (r.status != 200) return r;
         return Curl("DELETE", b, auth);
       }},
      {"PUT settings", true, false,
       [json](auto url, auto repo, auto auth, int) {
         bool is_private = repo.find("priv") != std::string::npos;
         return Curl("PUT", url + "/api/models/" + repo + "/settings", With(auth, json),
                     std::string("{\"private\":") + (is_private ? "true" : "false") + "}");
       }},
      {"GET auth-check/write", true, false,
       [](auto url, auto repo, auto auth, int) {
         return Curl("GET", url + "/api/models/" + repo + "/auth-check/write", auth);
       }},
      {"git info/refs receive-pack", true, true,
       [](auto url, auto repo, auto auth, int) {
         return Curl("GET", url + "/" + repo + ".git/info/refs?service=git-receive-pack", auth);
       }},
      // LFS object routes (issue 20): the object of kAclObject is held by both repos.
      {"GET LFS object", false, false,
       [](auto url, auto repo, auto auth, int) {
         return Curl("GET", url + "/" + repo + ".git/info/lfs/objects/" + AclObjectOid(), auth);
       }},
      {"GET LFS object via batch URL", false, false,
       [gattr](auto url, auto repo, auto auth, int) {
         CurlReply r = Curl("POST", url + "/" + repo + ".git/info/lfs/objects/batch", With(auth, gattr),
                            DumpJson(Json{{"operation", "download"},
                                          {"objects", {{{"oid", AclObjectOid()}, {"size", kAclObject.size()}}}}}));
         if (r.status != 200) return r;
         Json o = (*ParseJson(r.body))["objects"][0];
         if (!o.contains("actions")) return CurlReply{599, {}, r.body};
         return Curl("GET", o["actions"]["download"]["href"].get<std::string>());
       }},
      {"PUT LFS object", true, false,
       [](auto url, auto repo, auto auth, int) {
         return Curl("PUT", url + "/" + repo + ".git/info/lfs/objects/" + AclObjectOid(),
                     With(auth, "Content-Type: application/octet-stream"), kAclObject, true);
       }},
      {"POST LFS verify", true, false,
       [gattr](auto url, auto repo, auto auth, int) {
         return Curl("POST", url + "/" + repo + ".git/info/lfs/objects/" + AclObjectOid() + "/verify",
                     With(auth, gattr), DumpJson(Json{{"oid", AclObjectOid()}, {"size", kAclObject.size()}}));
       }},
      {"LFS multipart upload (batch, parts, complete)", true, false,
       [gattr](auto url, auto repo, auto auth, int n) {
         // A fresh object per call, larger than the 4-byte chunk the test sets.
         const std::string content = "multipart acl object " + std::to_string(n);
         const std::string oid = Sha256OfString(content);
         CurlReply r = Curl("POST", url + "/" + repo + ".git/info/lfs/objects/batch", With(auth, gattr),
                            DumpJson(Json{{"operation", "upload"},
                                          {"transfers", {"basic", "multipart"}},
                                          {"objects", {{{"oid", oid}, {"size", content.size()}}}}}));
         if (r.status != 200) return r;
         Json action = (*ParseJson(r.body))["objects"][0]["actions"]["upload"];
         if (!action["header"].contains("chunk_size")) return CurlReply{598, {}, r.body};
         const size_t chunk = std::stoul(action["header"]["chunk_size"].get<std::string>());
         Json parts = Json::array();
         for (size_t part = 1; (part - 1) * chunk < content.size(); ++part) {
           CurlReply put = Curl("PUT", action["header"][std::to_string(part)].get<std::string>(), {},
                                content.substr((part - 1) * chunk, chunk), true);
           if (put.status != 200) return put;
           parts.push_back(Json{{"partNumber", part}, {"etag", put.Header("etag")}});
         }
         return Curl("POST", action["href"].get<std::string>(), {gattr},
                     DumpJson(Json{{"oid", oid}, {"parts", parts}}));
       }},
      // The dataset viewer (issue 12) on the datasets of the same names, converted before the matrix runs.
      {"GET viewer is-valid", false, false,
       [](auto url, auto repo, auto auth, int) {
         return Curl("GET", url + "/api/viewer/is-valid?dataset=" + repo, auth);
       }},
      {"GET viewer splits", false, false,
       [](auto url, auto repo, auto auth, int) {
         return Curl("GET", url + "/api/viewer/splits?dataset=" + repo, auth);
       }},
      {"GET viewer first-rows", false, false,
       [](auto url, auto repo, auto auth, int) {
         return Curl("GET", url + "/api/viewer/first-rows?dataset=" + repo + "&config=default&split=train", auth);
       }},
      {"GET viewer rows", false, false,
       [](auto url, auto repo, auto auth, int) {
         return Curl("GET", url + "/api/viewer/rows?dataset=" + repo + "&config=default&split=train&length=2", auth);
       }},
      {"GET viewer search", false, false,
       [](auto url, auto repo, auto auth, int) {
         return Curl("GET", url + "/api/viewer/search?dataset=" + repo + "&config=default&split=train&query=acl", auth);
       }},
      {"GET viewer filter", false, false,
       [](auto url, auto repo, auto auth, int) {
         return Curl(
             "GET", url + "/api/viewer/filter?dataset=" + repo + "&config=default&split=train&where=%22n%22%3E0", auth);
       }},
      {"GET viewer size", false, false,
       [](auto url, auto repo, auto auth, int) { return Curl("GET", url + "/api/viewer/size?dataset=" + repo, auth); }},
      {"GET viewer info", false, false,
       [](auto url, auto repo, auto auth, int) { return Curl("GET", url + "/api/viewer/info?dataset=" + repo, auth); }},
      {"GET viewer statistics", false, false,
       [](auto url, auto repo, auto auth, int) {
         return Curl("GET", url + "/api/viewer/statistics?dataset=" + repo + "&config=default&split=train", auth);
       }},
      {"GET viewer parquet", false, false,
       [](auto url, auto repo, auto auth, int) {
         return Curl("GET", url + "/api/viewer/parquet?dataset=" + repo, auth);
       }},
      {"GET datasets parquet", false, false,
       [](auto url, auto repo, auto auth, int) {
         return Curl("GET", url + "/api/datasets/" + repo + "/parquet", auth);
       }},
      // Static Spaces (spaces/space_handlers.h) of the same names, with an index.html.
      {"GET space app", false, false,
       [](auto url, auto repo, auto auth, int) { return Curl("GET", url + "/spaces/" + repo + "/", auth); }},
      {"GET space runtime", false, false,
       [](auto url, auto repo, auto auth, int) { return Curl("GET", url + "/api/spaces/" + repo + "/runtime", auth); }},
      {"POST space restart", true, false,
       [](auto url, auto repo, auto auth, int) {
         return Curl("POST", url + "/api/spaces/" + repo + "/restart", auth, "", true);
       }},
      // Discussions (reading; who may open or comment is in web_discussions_test: any signed-in reader).
      {"GET discussions", false, false,
       [](auto url, auto repo, auto auth, int) {
         return Curl("GET", url + "/api/models/" + repo + "/discussions?type=all", auth);
       }},
  };
}

struct Expected {
  int status;
  std::string error_code;  // "" = don't care
};

// The rule, written from the Hub's documented behaviour (see the file comment).
Expected Rule(Who who, bool is_private, const Route& route) {
  if (who == Who::kInvalid) return {401, ""};
  bool can_read = !is_private || who == Who::kOwnerRead || who == Who::kOwnerWrite;
  if (!can_read) {
    if (route.git && who == Who::kAnonymous) return {401, ""};
    if (who == Who::kAnonymous) return {401, "RepoNotFound"};  // the Hub: 401, so signing in may help
    return {404, "RepoNotFound"};
  }
  if (!route.write) return {200, ""};
  if (who == Who::kAnonymous) return {401, ""};
  if (who == Who::kOwnerWrite) return {200, ""};
  // As on the Hub, a reader with a write token may push to their own pull requests (refs/pr/N),
  // so git's push advertisement answers them; each pushed ref is checked at pre-receive
  // (web_discussions_test pushes and is refused elsewhere).
  if (who == Who::kOtherWrite && route.name == "git info/refs receive-pack") return {200, ""};
  return {403, ""};
}

TEST(AclMatrixTest, EveryRouteAnswersAsTheHub) {
  ::setenv("MHUB_LFS_CHUNK_SIZE", "4", 1);  // read once per process: multipart for tiny objects
  InProcessHub hub;
  std::string alice_write = hub.CreateUser("alice");
  std::string alice_read = hub.CreateToken("alice", "read");
  std::string bob_write = hub.CreateUser("bob");
  for (const auto& [name, is_private] : {std::pair<std::string, bool>{"pub", false}, {"priv", true}}) {
    CurlReply r = Curl("POST", hub.url() + "/api/repos/create",
                       {"Authorization: Bearer " + alice_write, "Content-Type: application/json"},
                       "{\"name\":\"" + name + "\",\"private\":" + (is_private ? "true" : "false") + "}");
    ASSERT_EQ(r.status, 200) << r.body;
    // A dataset of the same name with a few rows, for the viewer routes.
    r = Curl("POST", hub.url() + "/api/repos/create",
             {"Authorization: Bearer " + alice_write, "Content-Type: application/json"},
             "{\"name\":\"" + name + "\",\"type\":\"dataset\",\"private\":" + (is_private ? "true" : "false") + "}");
    ASSERT_EQ(r.status, 200) << r.body;
    r = Curl("POST", hub.url() + "/api/datasets/alice/" + name + "/commit/main",
             {"Authorization: Bearer " + alice_write, "Content-Type: application/x-ndjson"},
             "{\"key\":\"header\",\"value\":{\"summary\":\"rows\"}}\n{\"key\":\"file\",\"value\":{\"path\":"
             "\"train.jsonl\",\"content\":\"" +
                 Base64("{\"n\": 1, \"t\": \"acl\"}\n{\"n\": 2, \"t\": \"b\"}\n") + "\",\"encoding\":\"base64\"}}\n");
    ASSERT_EQ(r.status, 200) << r.body;
    r = Curl("POST", hub.url() + "/api/repos/create",
             {"Authorization: Bearer " + alice_write, "Content-Type: application/json"},
             "{\"name\":\"" + name +
                 "\",\"type\":\"space\",\"sdk\":\"static\",\"private\":" + (is_private ? "true" : "false") + "}");
    ASSERT_EQ(r.status, 200) << r.body;
    r = Curl("POST", hub.url() + "/api/spaces/alice/" + name + "/commit/main",
             {"Authorization: Bearer " + alice_write, "Content-Type: application/x-ndjson"},
             "{\"key\":\"header\",\"value\":{\"summary\":\"site\"}}\n{\"key\":\"file\",\"value\":{\"path\":"
             "\"index.html\",\"content\":\"" +
                 Base64("<p>acl</p>\n") + "\",\"encoding\":\"base64\"}}\n");
    ASSERT_EQ(r.status, 200) << r.body;
  }
  for (const std::string name : {"pub", "priv"}) {  // the conversion of both datasets
    bool ready = false;
    for (int i = 0; i < 600 && !ready; ++i) {
      CurlReply v = Curl("GET", hub.url() + "/api/viewer/is-valid?dataset=alice/" + name,
                         {"Authorization: Bearer " + alice_write});
      ready = v.body.find("\"viewer\":true") != std::string::npos;
      if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_TRUE(ready) << name;
  }
  for (const std::string repo : {"alice/pub", "alice/priv"}) {
    CurlReply put =
        Curl("PUT", hub.url() + "/" + repo + ".git/info/lfs/objects/" + AclObjectOid(),
             {"Authorization: Bearer " + alice_write, "Content-Type: application/octet-stream"}, kAclObject, true);
    ASSERT_EQ(put.status, 200) << put.body;
  }
  std::map<Who, std::vector<std::string>> auth{
      {Who::kAnonymous, {}},
      {Who::kOwnerRead, {"Authorization: Bearer " + alice_read}},
      {Who::kOwnerWrite, {"Authorization: Bearer " + alice_write}},
      {Who::kOtherWrite, {"Authorization: Bearer " + bob_write}},
      {Who::kInvalid, {"Authorization: Bearer hf_thisisnotavalidtoken"}},
  };
  int n = 0;
  int checked = 0;
  for (const Route& route : AllRoutes()) {
    for (bool is_private : {false, true}) {
      std::string repo = is_private ? "alice/priv" : "alice/pub";
      for (Who who : {Who::kAnonymous, Who::kOwnerRead, Who::kOwnerWrite, Who::kOtherWrite, Who::kInvalid}) {
        Expected want = Rule(who, is_private, route);
        CurlReply got = route.send(hub.url(), repo, auth[who], ++n);
        std::string where = route.name + " on " + repo + " as " + WhoName(who);
        EXPECT_EQ(got.status, want.status) << where << ": " << got.body;
        if (!want.error_code.empty() && route.name.rfind("HEAD", 0) != 0) {
          EXPECT_EQ(got.Header("x-error-code"), want.error_code) << where;
        }
        if (want.error_code == "RepoNotFound" && route.name.rfind("HEAD", 0) == 0) {
          EXPECT_EQ(got.Header("x-error-code"), "RepoNotFound") << where;
        }
        if (who == Who::kInvalid && !route.git) {
          EXPECT_EQ(got.Header("x-error-message"), "Invalid credentials in Authorization header") << where;
        }
        if (want.status == 401 && route.git) {
          EXPECT_NE(got.Header("www-authenticate").find("Basic"), std::string::npos) << where;
        }
        EXPECT_FALSE(got.HasHeader("x-xet-hash")) << where;
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, static_cast<int>(AllRoutes().size()) * 2 * 5);

  // Listings show a private repo to its owner only.
  auto ids = [&](const std::vector<std::string>& a) {
    Json j = *ParseJson(Curl("GET", hub.url() + "/api/models?author=alice", a).body);
    std::set<std::string> out;
    for (const auto& r : j) out.insert(r["id"].get<std::string>());
    return out;
  };
  EXPECT_EQ(ids(auth[Who::kAnonymous]), (std::set<std::string>{"alice/pub"}));
  EXPECT_EQ(ids(auth[Who::kOtherWrite]), (std::set<std::string>{"alice/pub"}));
  EXPECT_EQ(ids(auth[Who::kOwnerRead]), (std::set<std::string>{"alice/priv", "alice/pub"}));
}

TEST(AclMatrixTest, OrgMembersWriteByRole) {
  InProcessHub hub;
  std::string admin = hub.CreateUser("carol", "acme");
  std::string writer = hub.CreateUser("dave");
  std::string reader = hub.CreateUser("erin");
  std::string outsider = hub.CreateUser("frank");
  hub.AddMember("acme", "dave", "write");
  hub.AddMember("acme", "erin", "read");
  CurlReply created = Curl("POST", hub.url() + "/api/repos/create",
                           {"Authorization: Bearer " + writer, "Content-Type: application/json"},
                           "{\"name\":\"team\",\"organization\":\"acme\",\"private\":true}");
  ASSERT_EQ(created.status, 200) << created.body;
  CurlReply by_reader = Curl("POST", hub.url() + "/api/repos/create",
                             {"Authorization: Bearer " + reader, "Content-Type: application/json"},
                             "{\"name\":\"nope\",\"organization\":\"acme\"}");
  EXPECT_EQ(by_reader.status, 403);
  auto commit = [&](const std::string& token, int n) {
    std::string body = "{\"key\":\"header\",\"value\":{\"summary\":\"s\"}}\n{\"key\":\"file\",\"value\":{\"path\":\"f" +
                       std::to_string(n) + "\",\"content\":\"eA==\"}}\n";
    return Curl("POST", hub.url() + "/api/models/acme/team/commit/main",
                {"Authorization: Bearer " + token, "Content-Type: application/x-ndjson"}, body)
        .status;
  };
  EXPECT_EQ(commit(admin, 1), 200);
  EXPECT_EQ(commit(writer, 2), 200);
  EXPECT_EQ(commit(reader, 3), 403);
  EXPECT_EQ(commit(outsider, 4), 404);
  EXPECT_EQ(Curl("GET", hub.url() + "/api/models/acme/team", {"Authorization: Bearer " + reader}).status, 200);
  EXPECT_EQ(Curl("GET", hub.url() + "/api/models/acme/team", {"Authorization: Bearer " + outsider}).status, 404);
}

}  // namespace
}  // namespace mhub::testing
