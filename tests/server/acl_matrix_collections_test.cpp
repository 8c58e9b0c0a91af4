// The access-control matrix of the collection routes (web.md 5), beside acl_matrix_test.cpp's repo
// routes: {anonymous, owner's read token, owner's write token, another user's write token, an
// invalid token} x {public, private collection} x every route, by the owner's rules:
//  - an unknown token: 401 with X-Error-Message "Invalid credentials in Authorization header";
//  - a private collection is 404 to anyone outside the owner (its existence is not revealed);
//  - changing one: anonymous 401, a read token or another user's token 403, the owner's write 2xx.
#include <gtest/gtest.h>

#include <functional>

#include "mhub/base/json.h"
#include "server/http_test_support.h"

namespace mhub::testing {
namespace {

enum class Who { kAnonymous, kOwnerRead, kOwnerWrite, kOtherWrite, kInvalid };

struct Route {
  std::string name;
  bool write;
  // Sends the request on collection `slug`; `n` makes each call unique.
  std::function<CurlReply(const std::string& url, const std::string& slug, const std::vector<std::string>& auth, int n)>
      send;
};

std::vector<std::string> WithJson(std::vector<std::string> auth) {
  auth.push_back("Content-Type: application/json");
  return auth;
}

std::vector<Route> AllRoutes(const std::string& owner_write) {
  // Write routes that consume an item first add one with the owner's token, so each call has its own.
  auto add_item = [owner_write](const std::string& url, const std::string& slug, int n) {
    CurlReply made = Curl("POST", url + "/api/repos/create", WithJson({"Authorization: Bearer " + owner_write}),
                          "{\"name\":\"item" + std::to_string(n) + "\"}");
    EXPECT_EQ(made.status, 200) << made.body;
    CurlReply r =
        Curl("POST", url + "/api/collections/" + slug + "/items", WithJson({"Authorization: Bearer " + owner_write}),
             "{\"item\":{\"type\":\"model\",\"id\":\"alice/item" + std::to_string(n) + "\"}}");
    EXPECT_EQ(r.status, 200) << r.body;
    auto j = ParseJson(r.body);
    std::string id;
    if (j.ok()) {
      for (const auto& item : (*j)["items"]) {
        if (item["id"] == "alice/item" + std::to_string(n)) id = item["_id"];
      }
    }
    return id;
  };
  return {
      {"GET collection", false,
       [](auto url, auto slug, auto auth, int) { return Curl("GET", url + "/api/collections/" + slug, auth); }},
      {"PATCH collection", true,
       [](auto url, auto slug, auto auth, int) {
         return Curl("PATCH", url + "/api/collections/" + slug, WithJson(auth), "{\"description\":\"d\"}");
       }},
      {"POST item", true,
       [](auto url, auto slug, auto auth, int) {
         return Curl("POST", url + "/api/collections/" + slug + "/items", WithJson(auth),
                     "{\"item\":{\"type\":\"paper\",\"id\":\"2510.04871\"}}");
       }},
      {"PATCH item", true,
       [add_item](auto url, auto slug, auto auth, int n) {
         std::string id = add_item(url, slug, n);
         return Curl("PATCH", url + "/api/collections/" + slug + "/items/" + id, WithJson(auth), "{\"note\":\"n\"}");
       }},
      {"DELETE item", true,
       [add_item](auto url, auto slug, auto auth, int n) {
         std::string id = add_item(url, slug, n);
         return Curl("DELETE", url + "/api/collections/" + slug + "/items/" + id, auth);
       }},
  };
}

struct Expected {
  int status;
};

Expected Rule(Who who, bool is_private, const Route& route) {
  if (who == Who::kInvalid) return {401};
  bool can_see = !is_private || who == Who::kOwnerRead || who == Who::kOwnerWrite;
  if (!can_see) return {404};
  if (!route.write) return {200};
  if (who == Who::kAnonymous) return {401};
  if (who == Who::kOwnerWrite) return {200};
  return {403};
}

TEST(AclMatrixCollectionsTest, EveryCollectionRouteFollowsTheOwnersRules) {
  InProcessHub hub;
  std::string alice_write = hub.CreateUser("alice");
  std::string alice_read = hub.CreateToken("alice", "read");
  std::string bob_write = hub.CreateUser("bob");
  std::map<bool, std::string> slugs;
  for (bool is_private : {false, true}) {
    CurlReply r = Curl("POST", hub.url() + "/api/collections", WithJson({"Authorization: Bearer " + alice_write}),
                       std::string("{\"title\":\"") + (is_private ? "priv" : "pub") +
                           "\",\"private\":" + (is_private ? "true" : "false") + "}");
    ASSERT_EQ(r.status, 200) << r.body;
    slugs[is_private] = ParseOrDie(r.body)["slug"];
  }
  std::map<Who, std::vector<std::string>> auth{
      {Who::kAnonymous, {}},
      {Who::kOwnerRead, {"Authorization: Bearer " + alice_read}},
      {Who::kOwnerWrite, {"Authorization: Bearer " + alice_write}},
      {Who::kOtherWrite, {"Authorization: Bearer " + bob_write}},
      {Who::kInvalid, {"Authorization: Bearer hf_thisisnotavalidtoken"}},
  };
  int n = 0;
  for (const Route& route : AllRoutes(alice_write)) {
    for (bool is_private : {false, true}) {
      for (Who who : {Who::kAnonymous, Who::kOwnerRead, Who::kOwnerWrite, Who::kOtherWrite, Who::kInvalid}) {
        Expected want = Rule(who, is_private, route);
        CurlReply got = route.send(hub.url(), slugs[is_private], auth[who], ++n);
        std::string where =
            route.name + (is_private ? " on private" : " on public") + " as " + std::to_string(static_cast<int>(who));
        EXPECT_EQ(got.status, want.status) << where << ": " << got.body;
        if (who == Who::kInvalid) {
          EXPECT_EQ(got.Header("x-error-message"), "Invalid credentials in Authorization header") << where;
        }
      }
    }
  }
  // Creating in someone else's namespace, and anonymously.
  EXPECT_EQ(Curl("POST", hub.url() + "/api/collections", WithJson({"Authorization: Bearer " + bob_write}),
                 "{\"title\":\"x\",\"namespace\":\"alice\"}")
                .status,
            403);
  EXPECT_EQ(
      Curl("POST", hub.url() + "/api/collections", WithJson({}), "{\"title\":\"x\",\"namespace\":\"alice\"}").status,
      401);
  EXPECT_EQ(Curl("POST", hub.url() + "/api/collections", WithJson({"Authorization: Bearer " + alice_read}),
                 "{\"title\":\"x\"}")
                .status,
            403);
  // Listings show the private one to its owner only; deleting follows the same rule.
  auto listed = [&](const std::vector<std::string>& a) {
    std::set<std::string> out;
    for (const auto& c : ParseOrDie(Curl("GET", hub.url() + "/api/collections?owner=alice", a).body)) {
      out.insert(c["slug"].get<std::string>());
    }
    return out;
  };
  EXPECT_EQ(listed(auth[Who::kAnonymous]), (std::set<std::string>{slugs[false]}));
  EXPECT_EQ(listed(auth[Who::kOtherWrite]), (std::set<std::string>{slugs[false]}));
  EXPECT_EQ(listed(auth[Who::kOwnerRead]), (std::set<std::string>{slugs[false], slugs[true]}));
  EXPECT_EQ(Curl("DELETE", hub.url() + "/api/collections/" + slugs[true], auth[Who::kOtherWrite]).status, 404);
  EXPECT_EQ(Curl("DELETE", hub.url() + "/api/collections/" + slugs[false], auth[Who::kOtherWrite]).status, 403);
  EXPECT_EQ(Curl("DELETE", hub.url() + "/api/collections/" + slugs[false], auth[Who::kOwnerRead]).status, 403);
  EXPECT_EQ(Curl("DELETE", hub.url() + "/api/collections/" + slugs[false], auth[Who::kOwnerWrite]).status, 200);
  EXPECT_EQ(Curl("GET", hub.url() + "/api/collections/" + slugs[false], auth[Who::kOwnerWrite]).status, 404);
}

}  // namespace
}  // namespace mhub::testing
