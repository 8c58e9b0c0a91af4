// The website (src/server/web) against a real in-process hub, driven with curl as a browser would
// (cookies, url-encoded forms): every page x (anonymous / reader / writer / other user) x
// (public / private), sign-in with a token and with a password, session cookie flags, CSRF
// refusals, escaping of a card and a file name holding <script>, the 404 page, and what the model
// and file pages show, checked against the API's own JSON answers and the inputs the test wrote.
#include <gtest/gtest.h>

#include <map>
#include <regex>

#include "mhub/base/json.h"
#include "server/http_test_support.h"

namespace mhub::testing {
namespace {

const char* kReadme = R"md(---
license: apache-2.0
language:
- en
- fr
library_name: transformers
pipeline_tag: text-classification
tags:
- sentiment
datasets:
- imdb
model-index:
- name: tiny-sentiment
  results:
  - task:
      type: text-classification
      name: Text Classification
    dataset:
      name: IMDB
      type: imdb
    metrics:
    - type: accuracy
      value: 0.9375
      name: Accuracy
---
# Tiny sentiment

<script>alert("card")</script>
<img src=x onerror="alert(1)">
[click](javascript:alert(2))

| a | b |
|---|---|
| 1 | 2 |

```python
print("hi")
```
)md";

// A safetensors file with two tensors: F32 [3, 4] and BF16 [5].
std::string Safetensors() {
  std::string header =
      R"({"a":{"dtype":"F32","shape":[3,4],"data_offsets":[0,48]},"b":{"dtype":"BF16","shape":[5],"data_offsets":[48,58]}})";
  std::string out(8, '\0');
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return out + header + std::string(58, '\x01');
}

struct Session {
  std::string cookie;  // "mhub_session=..."
  std::string csrf;
};

std::string FormEncode(const std::map<std::string, std::string>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += "&";
    out += k + "=";
    for (unsigned char c : v) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
        out += static_cast<char>(c);
      } else {
        char buf[4];
        std::snprintf(buf, sizeof(buf), "%%%02X", c);
        out += buf;
      }
    }
  }
  return out;
}

std::string HiddenCsrf(const std::string& html) {
  std::smatch m;
  if (std::regex_search(html, m, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\""))) return m[1];
  return "";
}

std::string SetCookieValue(const CurlReply& r, const std::string& name) {
  auto range = r.headers.equal_range("set-cookie");
  for (auto it = range.first; it != range.second; ++it) {
    if (it->second.rfind(name + "=", 0) == 0) return it->second;
  }
  return "";
}

class WebPagesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    hub_ = new InProcessHub();
    writer_token_ = hub_->CreateUser("alice", "team");
    reader_token_ = hub_->CreateUser("rita");
    hub_->AddMember("team", "rita", "read");
    other_token_ = hub_->CreateUser("olga");
    for (const char* name : {"pub-model", "priv-model"}) {
      Json body{
          {"name", name}, {"organization", "team"}, {"type", "model"}, {"private", std::string(name) == "priv-model"}};
      CurlReply r = ApiCall(hub_->url(), "POST", "/api/repos/create", Bearer(writer_token_), DumpJson(body));
      ASSERT_EQ(r.status, 200) << r.body;
      Commit(std::string("team/") + name,
             {FileOp("README.md", kReadme), FileOp("model.safetensors", Safetensors()),
              FileOp("src/<script>x.txt", "line one\nline <two>\n"), FileOp("blob.bin", std::string("\0\1\2\3", 4)),
              FileOp("big.txt", std::string(600 * 1024, 'a'))});
    }
    UploadLfs("team/pub-model", std::string(70000, 'L'));
    Json lfs_op{{"key", "lfsFile"},
                {"value",
                 {{"path", "weights.bin"},
                  {"algo", "sha256"},
                  {"oid", Sha256OfString(std::string(70000, 'L'))},
                  {"size", 70000}}}};
    Commit("team/pub-model", {lfs_op});
  }
  static void TearDownTestSuite() {
    delete hub_;
    hub_ = nullptr;
  }

  static std::string Bearer(const std::string& token) { return "Authorization: Bearer " + token; }
  static Json FileOp(const std::string& path, const std::string& content) {
    return Json{{"key", "file"}, {"value", {{"path", path}, {"content", Base64(content)}, {"encoding", "base64"}}}};
  }
  static void Commit(const std::string& repo, const std::vector<Json>& ops) {
    std::string body = DumpJson(Json{{"key", "header"}, {"value", {{"summary", "add files"}}}}) + "\n";
    for (const auto& op : ops) body += DumpJson(op) + "\n";
    CurlReply r = ApiCall(hub_->url(), "POST", "/api/models/" + repo + "/commit/main", Bearer(writer_token_), body,
                          "application/x-ndjson");
    ASSERT_EQ(r.status, 200) << r.body;
  }
  static void UploadLfs(const std::string& repo, const std::string& content) {
    std::string oid = Sha256OfString(content);
    Json batch{{"operation", "upload"},
               {"transfers", {"basic"}},
               {"objects", {{{"oid", oid}, {"size", content.size()}}}},
               {"hash_algo", "sha256"}};
    CurlReply r = Curl("POST", hub_->url() + "/" + repo + ".git/info/lfs/objects/batch",
                       {Bearer(writer_token_), "Content-Type: application/vnd.git-lfs+json"}, DumpJson(batch));
    ASSERT_EQ(r.status, 200) << r.body;
    Json object = ParseOrDie(r.body)["objects"][0];
    ASSERT_TRUE(object.contains("actions")) << r.body;
    CurlReply put = Curl("PUT", object["actions"]["upload"]["href"].get<std::string>(),
                         {"Content-Type: application/octet-stream"}, content, true);
    ASSERT_EQ(put.status, 200) << put.body;
  }

  // GET as a browser (Accept: text/html), with the session's cookie when given.
  static CurlReply Page(const std::string& path, const Session* s = nullptr) {
    std::vector<std::string> h = {"Accept: text/html"};
    if (s) h.push_back("Cookie: " + s->cookie);
    return Curl("GET", hub_->url() + path, h);
  }
  static CurlReply Post(const std::string& path, const std::map<std::string, std::string>& form, const Session* s,
                        const std::vector<std::string>& extra = {}) {
    std::vector<std::string> h = {"Content-Type: application/x-www-form-urlencoded", "Accept: text/html"};
    if (s) h.push_back("Cookie: " + s->cookie);
    for (const auto& e : extra) h.push_back(e);
    return Curl("POST", hub_->url() + path, h, FormEncode(form), true);
  }

  // Signs in through the /login form; returns the session (cookie + CSRF of a signed-in page).
  static Session SignIn(const std::map<std::string, std::string>& credentials) {
    CurlReply form = Page("/login");
    EXPECT_EQ(form.status, 200);
    std::string login_cookie = SetCookieValue(form, "mhub_login_csrf");
    std::string cookie = login_cookie.substr(0, login_cookie.find(';'));
    std::map<std::string, std::string> fields = credentials;
    fields["csrf"] = HiddenCsrf(form.body);
    Session pre{cookie, ""};
    CurlReply r = Post("/login", fields, &pre);
    EXPECT_EQ(r.status, 303) << r.body;
    std::string set = SetCookieValue(r, "mhub_session");
    Session s{set.substr(0, set.find(';')), ""};
    CurlReply tokens = Page("/settings/tokens", &s);
    s.csrf = HiddenCsrf(tokens.body);
    return s;
  }

  static InProcessHub* hub_;
  static std::string writer_token_, reader_token_, other_token_;
};

InProcessHub* WebPagesTest::hub_ = nullptr;
std::string WebPagesTest::writer_token_, WebPagesTest::reader_token_, WebPagesTest::other_token_;

TEST_F(WebPagesTest, EveryPageAgainstTheAccessMatrix) {
  Session writer = SignIn({{"token", writer_token_}});
  Session reader = SignIn({{"token", reader_token_}});
  Session other = SignIn({{"token", other_token_}});
  struct Who {
    const char* name;
    const Session* s;
    bool member;  // may read the private repo
    bool write;
  };
  const Who whos[] = {{"anonymous", nullptr, false, false},
                      {"reader", &reader, true, false},
                      {"writer", &writer, true, true},
                      {"other", &other, false, false}};
  for (const char* repo : {"team/pub-model", "team/priv-model"}) {
    bool is_private = std::string(repo) == "team/priv-model";
    CurlReply commits =
        ApiCall(hub_->url(), "GET", "/api/models/" + std::string(repo) + "/commits/main", Bearer(writer_token_));
    ASSERT_EQ(commits.status, 200);
    std::string sha = ParseOrDie(commits.body)[0]["id"];
    const std::string base = "/" + std::string(repo);
    const std::vector<std::string> read_pages = {base,
                                                 base + "/tree/main",
                                                 base + "/tree/main/src",
                                                 base + "/blob/main/README.md",
                                                 base + "/commits/main",
                                                 base + "/commit/" + sha};
    const std::vector<std::string> write_pages = {base + "/settings", base + "/edit/main/README.md"};
    for (const auto& who : whos) {
      bool can_read = !is_private || who.member;
      for (const auto& p : read_pages) {
        CurlReply r = Page(p, who.s);
        EXPECT_EQ(r.status, can_read ? 200 : 404) << who.name << " " << p;
        EXPECT_EQ(r.Header("content-type"), "text/html; charset=utf-8") << p;
        if (!can_read) {
          EXPECT_EQ(r.body.find("priv-model</h1>"), std::string::npos) << who.name << " " << p;
        }
      }
      for (const auto& p : write_pages) {
        CurlReply r = Page(p, who.s);
        EXPECT_EQ(r.status, !can_read ? 404 : who.write ? 200 : 403) << who.name << " " << p;
      }
      // Lists and the home page name the private repo only to those who may read it.
      for (const std::string list : {"/models?search=model", "/", "/models?other=sentiment", "/models?author=team"}) {
        CurlReply r = Page(list, who.s);
        EXPECT_EQ(r.status, 200) << list;
        if (is_private) {
          EXPECT_EQ(r.body.find("priv-model") != std::string::npos, can_read) << who.name << " " << list;
        } else {
          EXPECT_NE(r.body.find("pub-model"), std::string::npos) << who.name << " " << list;
        }
      }
    }
  }
}

TEST_F(WebPagesTest, SessionCookieFlagsAndSignOut) {
  CurlReply form = Page("/login");
  std::string login_cookie = SetCookieValue(form, "mhub_login_csrf");
  EXPECT_NE(login_cookie.find("HttpOnly"), std::string::npos) << login_cookie;
  Session pre{login_cookie.substr(0, login_cookie.find(';')), ""};
  CurlReply r = Post("/login", {{"token", writer_token_}, {"csrf", HiddenCsrf(form.body)}}, &pre);
  ASSERT_EQ(r.status, 303) << r.body;
  std::string set = SetCookieValue(r, "mhub_session");
  EXPECT_NE(set.find("; HttpOnly"), std::string::npos) << set;
  EXPECT_NE(set.find("; SameSite=Lax"), std::string::npos) << set;
  EXPECT_NE(set.find("; Path=/"), std::string::npos) << set;
  EXPECT_EQ(set.find("Secure"), std::string::npos) << "plain HTTP: " << set;
  // Behind a TLS proxy the cookie is Secure.
  CurlReply tls =
      Post("/login", {{"token", writer_token_}, {"csrf", HiddenCsrf(form.body)}}, &pre, {"X-Forwarded-Proto: https"});
  ASSERT_EQ(tls.status, 303);
  EXPECT_NE(SetCookieValue(tls, "mhub_session").find("; Secure"), std::string::npos);

  Session s{set.substr(0, set.find(';')), ""};
  CurlReply home = Page("/", &s);
  EXPECT_NE(home.body.find("alice"), std::string::npos);
  s.csrf = HiddenCsrf(home.body);
  ASSERT_FALSE(s.csrf.empty());
  // Sign out without the CSRF token is refused and the session lives on.
  EXPECT_EQ(Post("/logout", {}, &s).status, 403);
  EXPECT_EQ(Page("/team/priv-model", &s).status, 200);
  CurlReply out = Post("/logout", {{"csrf", s.csrf}}, &s);
  EXPECT_EQ(out.status, 303);
  EXPECT_NE(SetCookieValue(out, "mhub_session").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(Page("/team/priv-model", &s).status, 404) << "the session is gone on the server too";
}

TEST_F(WebPagesTest, CsrfIsRequiredOnEveryForm) {
  Session s = SignIn({{"token", writer_token_}});
  ASSERT_FALSE(s.csrf.empty());
  const std::vector<std::pair<std::string, std::map<std::string, std::string>>> forms = {
      {"/settings/tokens", {{"name", "x"}, {"role", "read"}}},
      {"/settings/tokens/1/delete", {}},
      {"/settings/password", {{"password", "correct horse"}, {"confirm", "correct horse"}}},
      {"/new", {{"type", "model"}, {"name", "csrf-victim"}}},
      {"/team/pub-model/settings", {{"action", "visibility"}, {"visibility", "private"}}},
      {"/team/pub-model/settings", {{"action", "delete"}, {"confirm", "team/pub-model"}}},
      {"/team/pub-model/edit/main/README.md", {{"content", "pwned"}}},
      {"/logout", {}},
  };
  for (const auto& [path, fields] : forms) {
    EXPECT_EQ(Post(path, fields, &s).status, 403) << path << " without a token";
    auto wrong = fields;
    wrong["csrf"] = std::string(s.csrf.size(), '0');
    EXPECT_EQ(Post(path, wrong, &s).status, 403) << path << " with a wrong token";
    auto cross = fields;
    cross["csrf"] = s.csrf;
    EXPECT_EQ(Post(path, cross, &s, {"Origin: http://evil.example"}).status, 403) << path << " cross-origin";
  }
  // Nothing happened.
  EXPECT_EQ(ApiCall(hub_->url(), "GET", "/api/models/team/pub-model", "").status, 200);
  EXPECT_EQ(ApiCall(hub_->url(), "GET", "/api/models/alice/csrf-victim", Bearer(writer_token_)).status, 404);
  // The sign-in form needs its own cookie + field pair.
  EXPECT_EQ(Post("/login", {{"token", writer_token_}}, nullptr).status, 403);
}

TEST_F(WebPagesTest, TokenCreatedOnThePageWorksWithTheApiAndCanBeRevoked) {
  Session s = SignIn({{"token", writer_token_}});
  CurlReply r = Post("/settings/tokens", {{"name", "from the web"}, {"role", "read"}, {"csrf", s.csrf}}, &s);
  ASSERT_EQ(r.status, 200) << r.body;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.body, m, std::regex("id=\"token-secret\">(hf_[A-Za-z0-9]+)<")));
  std::string secret = m[1];
  CurlReply who = ApiCall(hub_->url(), "GET", "/api/whoami-v2", Bearer(secret));
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(ParseOrDie(who.body)["name"], "alice");
  EXPECT_EQ(ParseOrDie(who.body)["auth"]["accessToken"]["role"], "read");
  // Shown once: the list page does not carry the secret.
  EXPECT_EQ(Page("/settings/tokens", &s).body.find(secret), std::string::npos);
  // A read session cannot mint write tokens.
  Session read_session = SignIn({{"token", secret}});
  EXPECT_EQ(
      Post("/settings/tokens", {{"name", "up"}, {"role", "write"}, {"csrf", read_session.csrf}}, &read_session).status,
      403);
  // Revoke it from the page.
  CurlReply list = Page("/settings/tokens", &s);
  std::smatch id;
  std::string body = list.body;
  std::regex row(
      "from the web</td><td>read</td><td>[0-9-]+</td><td><form method=\"post\" "
      "action=\"/settings/tokens/([0-9]+)/delete\"");
  ASSERT_TRUE(std::regex_search(body, id, row)) << body;
  EXPECT_EQ(Post("/settings/tokens/" + std::string(id[1]) + "/delete", {{"csrf", s.csrf}}, &s).status, 303);
  EXPECT_EQ(ApiCall(hub_->url(), "GET", "/api/whoami-v2", Bearer(secret)).status, 401);
}

TEST_F(WebPagesTest, PasswordSignIn) {
  Session s = SignIn({{"token", other_token_}});
  EXPECT_EQ(Post("/settings/password", {{"password", "short"}, {"confirm", "short"}, {"csrf", s.csrf}}, &s).status,
            400);
  ASSERT_EQ(Post("/settings/password",
                 {{"password", "olga's long secret"}, {"confirm", "olga's long secret"}, {"csrf", s.csrf}}, &s)
                .status,
            200);
  Session by_password = SignIn({{"username", "olga"}, {"password", "olga's long secret"}});
  CurlReply home = Page("/", &by_password);
  EXPECT_NE(home.body.find("<span class=\"user\">olga</span>"), std::string::npos);
  // Wrong password / unknown user: 401 and no session.
  CurlReply form = Page("/login");
  std::string c = SetCookieValue(form, "mhub_login_csrf");
  Session pre{c.substr(0, c.find(';')), ""};
  for (auto creds : std::vector<std::map<std::string, std::string>>{
           {{"username", "olga"}, {"password", "wrong one!"}}, {{"username", "nobody"}, {"password", "whatever1"}}}) {
    creds["csrf"] = HiddenCsrf(form.body);
    CurlReply r = Post("/login", creds, &pre);
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(SetCookieValue(r, "mhub_session"), "");
  }
}

TEST_F(WebPagesTest, ScriptInCardAndFileNameRendersAsText) {
  CurlReply card = Page("/team/pub-model");
  ASSERT_EQ(card.status, 200);
  EXPECT_EQ(card.body.find("<script"), std::string::npos);
  EXPECT_EQ(card.body.find("onerror"), std::string::npos);
  EXPECT_EQ(card.body.find("javascript:"), std::string::npos);
  EXPECT_NE(card.Header("content-security-policy").find("script-src 'self'"), std::string::npos);
  CurlReply tree = Page("/team/pub-model/tree/main/src");
  ASSERT_EQ(tree.status, 200);
  EXPECT_EQ(tree.body.find("<script"), std::string::npos);
  EXPECT_NE(tree.body.find("&lt;script&gt;x.txt"), std::string::npos) << tree.body;
  CurlReply blob = Page("/team/pub-model/blob/main/src/%3Cscript%3Ex.txt");
  ASSERT_EQ(blob.status, 200);
  EXPECT_EQ(blob.body.find("<script"), std::string::npos);
  EXPECT_NE(blob.body.find("line &lt;two&gt;"), std::string::npos);
}

TEST_F(WebPagesTest, ModelPageShowsCardChipsEvalAndStatsFromTheApi) {
  CurlReply r = Page("/team/pub-model");
  ASSERT_EQ(r.status, 200);
  Json info = ParseOrDie(ApiCall(hub_->url(), "GET", "/api/models/team/pub-model", "").body);
  EXPECT_NE(r.body.find("<strong data-downloads>" + std::to_string(info["downloads"].get<int64_t>()) + "</strong>"),
            std::string::npos);
  EXPECT_NE(r.body.find("<strong data-likes>" + std::to_string(info["likes"].get<int64_t>()) + "</strong>"),
            std::string::npos);
  // Chips: every cardData value the API reports.
  const Json& cd = info["cardData"];
  EXPECT_NE(r.body.find("task:</span> " + cd["pipeline_tag"].get<std::string>()), std::string::npos);
  EXPECT_NE(r.body.find("library:</span> " + cd["library_name"].get<std::string>()), std::string::npos);
  for (const auto& l : cd["language"])
    EXPECT_NE(r.body.find("language:</span> " + l.get<std::string>()), std::string::npos);
  EXPECT_NE(r.body.find("license:</span> " + cd["license"].get<std::string>()), std::string::npos);
  // Eval table: the model-index metric value as the API parsed it.
  std::string value = cd["model-index"][0]["results"][0]["metrics"][0]["value"].dump();
  EXPECT_NE(r.body.find("<td>Accuracy</td><td>" + value + "</td>"), std::string::npos) << value;
  // Markdown: the table and the fenced code.
  EXPECT_NE(r.body.find("<th>a</th>"), std::string::npos);
  EXPECT_NE(r.body.find("<pre lang=\"python\"><code>"), std::string::npos);
  // Safetensors: 3*4 F32 + 5 BF16 parameters, as written into the header above.
  EXPECT_NE(r.body.find("data-params=\"17\""), std::string::npos);
  EXPECT_NE(r.body.find("<td>F32</td><td>12</td>"), std::string::npos);
  EXPECT_NE(r.body.find("<td>BF16</td><td>5</td>"), std::string::npos);
}

TEST_F(WebPagesTest, FilePagesShowLfsPointersBinaryAndBigFiles) {
  CurlReply tree = Page("/team/pub-model/tree/main");
  ASSERT_EQ(tree.status, 200);
  EXPECT_NE(tree.body.find("href=\"/team/pub-model/tree/main/src\""), std::string::npos);
  EXPECT_NE(tree.body.find("<span class=\"badge\">LFS</span>"), std::string::npos);
  CurlReply lfs = Page("/team/pub-model/blob/main/weights.bin");
  ASSERT_EQ(lfs.status, 200);
  EXPECT_NE(lfs.body.find("<code data-lfs-oid>" + Sha256OfString(std::string(70000, 'L')) + "</code>"),
            std::string::npos);
  // The pointer text the page shows is the one /raw serves.
  CurlReply raw = Curl("GET", hub_->url() + "/team/pub-model/raw/main/weights.bin");
  ASSERT_EQ(raw.status, 200);
  EXPECT_NE(lfs.body.find("version https://git-lfs.github.com/spec/v1"), std::string::npos);
  EXPECT_NE(raw.body.find("size 70000"), std::string::npos);
  EXPECT_NE(Page("/team/pub-model/blob/main/blob.bin").body.find("data-binary"), std::string::npos);
  CurlReply big = Page("/team/pub-model/blob/main/big.txt");
  EXPECT_NE(big.body.find("too big to display"), std::string::npos);
  EXPECT_LT(big.body.size(), 100000u);
  CurlReply text = Page("/team/pub-model/blob/main/README.md");
  EXPECT_NE(text.body.find("<tr id=\"L1\"><td class=\"n\">1</td><td>---</td></tr>"), std::string::npos);
}

TEST_F(WebPagesTest, EditFromTheBrowserCommitsAndTheCommitPageShowsTheDiff) {
  Session s = SignIn({{"token", writer_token_}});
  CurlReply r = Post("/team/pub-model/edit/main/src/notes.md",
                     {{"content", "first\n<b>bold</b>\n"}, {"summary", "Add notes"}, {"csrf", s.csrf}}, &s);
  ASSERT_EQ(r.status, 303) << r.body;
  CurlReply commits = ApiCall(hub_->url(), "GET", "/api/models/team/pub-model/commits/main", "");
  Json head = ParseOrDie(commits.body)[0];
  EXPECT_EQ(head["title"], "Add notes");
  CurlReply page = Page("/team/pub-model/commit/" + head["id"].get<std::string>());
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<tr class=\"add\"><td class=\"n\">+</td><td>&lt;b&gt;bold&lt;/b&gt;</td></tr>"),
            std::string::npos)
      << page.body;
  CurlReply history = Page("/team/pub-model/commits/main");
  EXPECT_NE(history.body.find("Add notes"), std::string::npos);
}

TEST_F(WebPagesTest, ListingFiltersSortAndPaging) {
  CurlReply r =
      Page("/models?pipeline_tag=text-classification&library=transformers&language=fr&license=license:apache-2.0");
  EXPECT_NE(r.body.find("team/pub-model"), std::string::npos);
  CurlReply none = Page("/models?pipeline_tag=translation");
  EXPECT_EQ(none.body.find("team/pub-model"), std::string::npos);
  EXPECT_NE(none.body.find("No models match"), std::string::npos);
  EXPECT_EQ(Page("/models?sort=likes").status, 200);
  EXPECT_EQ(Page("/models?sort=bogus").status, 400);
  EXPECT_EQ(Page("/models?p=x").status, 400);
  CurlReply far = Page("/models?p=7");
  EXPECT_EQ(far.status, 200);
  EXPECT_NE(far.body.find("rel=\"prev\""), std::string::npos);
}

TEST_F(WebPagesTest, UnknownPathsGiveTheNotFoundPage) {
  for (const char* p : {"/no/such/page/here", "/team/missing-repo", "/team/pub-model/tree/no-such-branch",
                        "/team/pub-model/blob/main/nope.txt", "/datasets/team/pub-model"}) {
    CurlReply r = Page(p);
    EXPECT_EQ(r.status, 404) << p;
    EXPECT_NE(r.body.find("<h1>404</h1>"), std::string::npos) << p;
  }
  // API clients keep the Hub's JSON errors.
  CurlReply api = Curl("GET", hub_->url() + "/api/models/team/missing-repo");
  EXPECT_EQ(api.Header("x-error-code"), "RepoNotFound");
}

TEST_F(WebPagesTest, MalformedCardYamlShowsTheCardWithABanner) {
  Commit("team/pub-model", {FileOp("README.md", "---\nlicense: [unclosed\n---\n# Still here\n")});
  CurlReply r = Page("/team/pub-model");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("class=\"banner\""), std::string::npos);
  EXPECT_NE(r.body.find("<h1>Still here</h1>"), std::string::npos);
  Commit("team/pub-model", {FileOp("README.md", kReadme)});
}

}  // namespace
}  // namespace mhub::testing
