// Discussions and pull requests (reference/web.md 4) against a real in-process hub: the API with
// curl in the Hub's JSON shapes and its permission rules (anonymous / read token / other user /
// writer x public / private), PRs opened by the unchanged npm @huggingface/hub (commit with
// isPullRequest), pushed to and fetched with Debian git (refs/pr/N), merged as fast-forward and
// as a merge commit (checked with git's own log), and a conflicting PR refused. Oracles: git
// (rev-parse, log --format=%P, show), the JS client, and the texts this test wrote.
#include <gtest/gtest.h>

#include <map>
#include <regex>

#include "mhub/base/json.h"
#include "server/http_test_support.h"

namespace mhub::testing {
namespace {

// --- the community pages, driven as a browser would (cookies, url-encoded forms) ---------------
struct WebSession {
  std::string cookie;
  std::string csrf;
};

std::string FormEncode(const std::map<std::string, std::string>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += "&";
    out += k + "=";
    for (unsigned char c : v) {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += std::isalnum(c) ? std::string(1, static_cast<char>(c)) : std::string(buf);
    }
  }
  return out;
}

std::string HiddenCsrf(const std::string& html) {
  std::smatch m;
  if (std::regex_search(html, m, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\""))) return m[1];
  return "";
}

CurlReply WebGet(const std::string& url, const WebSession* s) {
  std::vector<std::string> h = {"Accept: text/html"};
  if (s) h.push_back("Cookie: " + s->cookie);
  return Curl("GET", url, h);
}

CurlReply WebPost(const std::string& url, const std::map<std::string, std::string>& form, const WebSession* s) {
  std::vector<std::string> h = {"Content-Type: application/x-www-form-urlencoded", "Accept: text/html"};
  if (s) h.push_back("Cookie: " + s->cookie);
  return Curl("POST", url, h, FormEncode(form), true);
}

// Signs in on /login with a token (the form's double-submit cookie included).
WebSession SignIn(const std::string& base, const std::string& token) {
  CurlReply form = WebGet(base + "/login", nullptr);
  std::string pre;
  auto range = form.headers.equal_range("set-cookie");
  for (auto it = range.first; it != range.second; ++it) {
    if (it->second.rfind("mhub_login_csrf=", 0) == 0) pre = it->second.substr(0, it->second.find(';'));
  }
  WebSession login{pre, ""};
  CurlReply r = WebPost(base + "/login", {{"token", token}, {"csrf", HiddenCsrf(form.body)}}, &login);
  EXPECT_EQ(r.status, 303) << r.body;
  WebSession s;
  range = r.headers.equal_range("set-cookie");
  for (auto it = range.first; it != range.second; ++it) {
    if (it->second.rfind("mhub_session=", 0) == 0) s.cookie = it->second.substr(0, it->second.find(';'));
  }
  s.csrf = HiddenCsrf(WebGet(base + "/settings/tokens", &s).body);
  EXPECT_FALSE(s.csrf.empty());
  return s;
}

class WebDiscussionsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    hub_ = new InProcessHub();
    alice_ = hub_->CreateUser("alice", "team");  // writer (org admin)
    rita_ = hub_->CreateUser("rita");            // org reader
    hub_->AddMember("team", "rita", "read");
    olga_ = hub_->CreateUser("olga");  // other user
    olga_read_ = hub_->CreateToken("olga", "read");
    for (const char* name : {"pub", "priv", "git-pr", "js-pr"}) {
      Json body{{"name", name}, {"organization", "team"}, {"private", std::string(name) == "priv"}};
      CurlReply r = ApiCall(hub_->url(), "POST", "/api/repos/create", Auth(alice_), DumpJson(body));
      ASSERT_EQ(r.status, 200) << r.body;
      Commit(std::string("team/") + name, "main", "README.md", "# " + std::string(name) + "\nline two\n");
    }
  }
  static void TearDownTestSuite() {
    delete hub_;
    hub_ = nullptr;
  }

  static std::string Auth(const std::string& token) { return token.empty() ? "" : "Authorization: Bearer " + token; }
  static CurlReply Commit(const std::string& repo, const std::string& rev, const std::string& path,
                          const std::string& content, const std::string& token = alice_, bool create_pr = false) {
    std::string body =
        DumpJson(Json{{"key", "header"}, {"value", {{"summary", "edit " + path}}}}) + "\n" +
        DumpJson(
            Json{{"key", "file"}, {"value", {{"path", path}, {"content", Base64(content)}, {"encoding", "base64"}}}});
    std::string url = "/api/models/" + repo + "/commit/" + rev + (create_pr ? "?create_pr=1" : "");
    CurlReply r = ApiCall(hub_->url(), "POST", url, Auth(token), body, "application/x-ndjson");
    return r;
  }
  static std::string Api(const std::string& repo) { return "/api/models/" + repo + "/discussions"; }
  static CurlReply Post(const std::string& path, const std::string& token, const Json& body) {
    return ApiCall(hub_->url(), "POST", path, Auth(token), DumpJson(body));
  }
  static CurlReply Get(const std::string& path, const std::string& token) {
    return ApiCall(hub_->url(), "GET", path, Auth(token));
  }

  // Shell with a private HOME for git.
  CommandResult Sh(const std::string& script) {
    std::string env = "export HOME=" + ShellQuote(home_.path()) +
                      " GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 GIT_ASKPASS=/bin/false"
                      " GIT_AUTHOR_NAME=Alice GIT_AUTHOR_EMAIL=a@x GIT_COMMITTER_NAME=Alice GIT_COMMITTER_EMAIL=a@x;"
                      " cd " +
                      ShellQuote(work_.path()) + " && ";
    return RunCommand(env + script);
  }
  std::string GitUrl(const std::string& repo, const std::string& user, const std::string& token) {
    std::string host = hub_->url().substr(std::string("http://").size());
    return "http://" + user + ":" + token + "@" + host + "/" + repo + ".git";
  }

  static InProcessHub* hub_;
  static std::string alice_, rita_, olga_, olga_read_;
  TempDir home_, work_;
};

InProcessHub* WebDiscussionsTest::hub_ = nullptr;
std::string WebDiscussionsTest::alice_, WebDiscussionsTest::rita_, WebDiscussionsTest::olga_,
    WebDiscussionsTest::olga_read_;

TEST_F(WebDiscussionsTest, DiscussionLifecycleInTheHubShapes) {
  const std::string api = Api("team/pub");
  // Anonymous and read-only tokens may read but not open discussions.
  EXPECT_EQ(Post(api, "", Json{{"title", "Hello"}, {"description", "x"}}).status, 401);
  EXPECT_EQ(Post(api, olga_read_, Json{{"title", "Hello"}, {"description", "x"}}).status, 403);
  EXPECT_EQ(Post(api, olga_, Json{{"title", "  "}, {"description", "x"}}).status, 400);

  // Another user (no write access to the repo) opens one.
  CurlReply created = Post(api, olga_, Json{{"title", "  Wrong label <b>  "}, {"description", "It says **cat**."}});
  ASSERT_EQ(created.status, 200) << created.body;
  Json d = ParseOrDie(created.body);
  int num = d["num"];
  EXPECT_EQ(d["title"], "Wrong label <b>");  // trimmed
  EXPECT_EQ(d["status"], "open");
  EXPECT_EQ(d["isPullRequest"], false);
  EXPECT_EQ(d["author"]["name"], "olga");
  EXPECT_EQ(d["repo"]["name"], "team/pub");
  EXPECT_EQ(d["repo"]["type"], "model");
  ASSERT_EQ(d["events"].size(), 1u);
  EXPECT_EQ(d["events"][0]["type"], "comment");
  EXPECT_EQ(d["events"][0]["data"]["latest"]["raw"], "It says **cat**.");
  EXPECT_NE(d["events"][0]["data"]["latest"]["html"].get<std::string>().find("<strong>cat</strong>"),
            std::string::npos);
  EXPECT_TRUE(std::string(d["url"]).ends_with("/team/pub/discussions/" + std::to_string(num)));
  std::string first_id = d["events"][0]["id"];
  EXPECT_EQ(first_id.size(), 24u);

  // Comment, edit (author only), hide (writer).
  const std::string one = api + "/" + std::to_string(num);
  CurlReply c = Post(one + "/comment", rita_, Json{{"comment", "Same here"}});
  ASSERT_EQ(c.status, 200) << c.body;
  Json msg = ParseOrDie(c.body)["newMessage"];
  EXPECT_EQ(msg["type"], "comment");
  EXPECT_EQ(msg["author"]["name"], "rita");
  std::string rita_comment = msg["id"];
  EXPECT_EQ(Post(one + "/comment", "", Json{{"comment", "anon"}}).status, 401);
  EXPECT_EQ(Post(one + "/comment", olga_, Json{{"comment", ""}}).status, 400);
  EXPECT_EQ(Post(one + "/comment/" + rita_comment + "/edit", olga_, Json{{"content", "hijack"}}).status, 403);
  CurlReply edited = Post(one + "/comment/" + rita_comment + "/edit", rita_, Json{{"content", "Same here, v2"}});
  ASSERT_EQ(edited.status, 200) << edited.body;
  Json upd = ParseOrDie(edited.body)["updatedComment"];
  EXPECT_EQ(upd["data"]["edited"], true);
  EXPECT_EQ(upd["data"]["latest"]["raw"], "Same here, v2");
  EXPECT_EQ(upd["data"]["history"].size(), 2u);
  EXPECT_EQ(Post(one + "/comment/" + first_id + "/hide", rita_, Json::object()).status, 403);
  CurlReply hidden = ApiCall(hub_->url(), "PUT", one + "/comment/" + first_id + "/hide", Auth(alice_), "", "", true);
  ASSERT_EQ(hidden.status, 200) << hidden.body;
  EXPECT_EQ(ParseOrDie(hidden.body)["updatedComment"]["data"]["hidden"], true);

  // Rename (author) and close / reopen (writer); a reader who is not the author may not.
  EXPECT_EQ(Post(one + "/title", rita_, Json{{"title", "Nope"}}).status, 403);
  CurlReply renamed = Post(one + "/title", olga_, Json{{"title", "Wrong label"}});
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  Json title_ev = ParseOrDie(renamed.body)["newTitle"];
  EXPECT_EQ(title_ev["type"], "title-change");
  EXPECT_EQ(title_ev["data"]["from"], "Wrong label <b>");
  EXPECT_EQ(title_ev["data"]["to"], "Wrong label");
  EXPECT_EQ(Post(one + "/status", rita_, Json{{"status", "closed"}}).status, 403);
  EXPECT_EQ(Post(one + "/status", alice_, Json{{"status", "merged"}}).status, 400);
  CurlReply closed = Post(one + "/status", alice_, Json{{"status", "closed"}, {"comment", "Fixed in main"}});
  ASSERT_EQ(closed.status, 200) << closed.body;
  EXPECT_EQ(ParseOrDie(closed.body)["newStatus"]["data"]["status"], "closed");

  // Details: every event in order; the hidden comment's text is gone.
  CurlReply details = Get(one, "");
  ASSERT_EQ(details.status, 200) << details.body;
  EXPECT_EQ(details.body.find("It says"), std::string::npos);
  Json full = ParseOrDie(details.body);
  std::vector<std::string> types;
  for (const auto& e : full["events"]) types.push_back(e["type"]);
  EXPECT_EQ(types, (std::vector<std::string>{"comment", "comment", "title-change", "comment", "status-change"}));
  EXPECT_EQ(full["status"], "closed");
  EXPECT_EQ(full["numComments"], 3);

  // Listing with the Hub's filters.
  CurlReply second = Post(api, rita_, Json{{"title", "Another one"}, {"description", "?"}});
  ASSERT_EQ(second.status, 200) << second.body;
  Json all = ParseOrDie(Get(api, "").body);
  EXPECT_EQ(all["count"], 2);
  EXPECT_EQ(all["start"], 0);
  EXPECT_EQ(all["numClosedDiscussions"], 1);
  ASSERT_EQ(all["discussions"].size(), 2u);
  EXPECT_EQ(all["discussions"][0]["title"], "Another one");  // newest first
  EXPECT_EQ(ParseOrDie(Get(api + "?status=closed", "").body)["count"], 1);
  EXPECT_EQ(ParseOrDie(Get(api + "?author=rita", "").body)["count"], 1);
  EXPECT_EQ(ParseOrDie(Get(api + "?type=pull_request", "").body)["count"], 0);
  EXPECT_EQ(Get(api + "?status=weird", "").status, 400);
  EXPECT_EQ(Get(api + "/999", "").status, 404);
  EXPECT_EQ(Get(api + "/abc", "").status, 404);
}

TEST_F(WebDiscussionsTest, PrivateRepoDiscussionsAreInvisibleToNonReaders) {
  const std::string api = Api("team/priv");
  CurlReply made = Post(api, rita_, Json{{"title", "Private talk"}, {"description", "secret words"}});
  ASSERT_EQ(made.status, 200) << made.body;
  int num = ParseOrDie(made.body)["num"];
  const std::string one = api + "/" + std::to_string(num);
  for (const std::string& token : {std::string(), olga_}) {
    for (const std::string& path : {api, one}) {
      CurlReply r = Get(path, token);
      EXPECT_EQ(r.status, token.empty() ? 401 : 404) << path;
      EXPECT_EQ(r.Header("x-error-code"), "RepoNotFound") << path;
      EXPECT_EQ(r.body.find("secret"), std::string::npos);
    }
    EXPECT_EQ(Post(api, token, Json{{"title", "Let me in"}}).status, token.empty() ? 401 : 404);
    EXPECT_EQ(Post(one + "/comment", token, Json{{"comment", "hi"}}).status, token.empty() ? 401 : 404);
  }
  EXPECT_EQ(Get(one, rita_).status, 200);
  EXPECT_EQ(Get(one, alice_).status, 200);
}

TEST_F(WebDiscussionsTest, JsClientOpensAPullRequestThatAWriterMerges) {
  const std::string content = "made by the JS client\n";
  std::string env = "HUB_URL=" + ShellQuote(hub_->url()) + " HUB_TOKEN=" + ShellQuote(olga_) +
                    " REPO=team/js-pr NODE_MODULES=" + ShellQuote(NodeModulesDir()) + " CONTENT=" + ShellQuote(content);
  std::string script = ShellQuote(SourceDir() + "/tests/clients/web_discussions_client.js");
  CommandResult r = RunCommand(env + " timeout 60 node " + script);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  size_t at = r.out.find("PR ");
  ASSERT_NE(at, std::string::npos) << r.out;
  std::string num = r.out.substr(at + 3, r.out.find('\n', at) - at - 3);
  std::string commit = r.out.substr(r.out.find("commit ") + 7, 40);
  const std::string one = Api("team/js-pr") + "/" + num;

  Json d = ParseOrDie(Get(one + "?diff=1", "").body);
  EXPECT_EQ(d["isPullRequest"], true);
  EXPECT_EQ(d["status"], "open");
  EXPECT_EQ(d["title"], "Add from-js.txt");
  EXPECT_EQ(d["author"]["name"], "olga");
  EXPECT_EQ(d["changes"]["base"], "refs/heads/main");
  EXPECT_EQ(d["filesWithConflicts"].size(), 0u);
  ASSERT_GE(d["events"].size(), 1u);
  const Json& last = d["events"][d["events"].size() - 1];
  EXPECT_EQ(last["type"], "commit");
  EXPECT_EQ(last["data"]["oid"], commit);
  EXPECT_EQ(last["data"]["subject"], "Add from-js.txt");
  EXPECT_NE(d["diff"].get<std::string>().find("+made by the JS client"), std::string::npos) << d["diff"];
  EXPECT_NE(d["diff"].get<std::string>().find("b/from-js.txt"), std::string::npos);
  // The PR is listed as one.
  Json prs = ParseOrDie(Get(Api("team/js-pr") + "?type=pull_request", "").body);
  ASSERT_EQ(prs["count"], 1);
  EXPECT_EQ(prs["discussions"][0]["isPullRequest"], true);

  // Only writers merge.
  EXPECT_EQ(Post(one + "/merge", olga_, Json::object()).status, 403);
  CurlReply merged = ApiCall(hub_->url(), "POST", one + "/merge", Auth(alice_), "", "", true);
  ASSERT_EQ(merged.status, 200) << merged.body;
  EXPECT_EQ(ParseOrDie(merged.body)["newStatus"]["data"]["status"], "merged");
  Json after = ParseOrDie(Get(one, "").body);
  EXPECT_EQ(after["status"], "merged");
  EXPECT_EQ(after["changes"]["mergeCommitId"], commit);                 // main had not moved: a fast-forward
  EXPECT_EQ(Post(one + "/merge", alice_, Json::object()).status, 400);  // merged once
  EXPECT_EQ(Post(one + "/status", alice_, Json{{"status", "open"}}).status, 400);

  CommandResult again = RunCommand(env + " MODE=after-merge timeout 60 node " + script);
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  // The repo info (README untouched) still answers; main's head is the PR's commit.
  Json info = ParseOrDie(Get("/api/models/team/js-pr", "").body);
  EXPECT_EQ(info["sha"], commit);
}

TEST_F(WebDiscussionsTest, GitPushToPrRefThenMergeCommit) {
  // A draft PR made through the API starts at main's head.
  CurlReply made = Post(Api("team/git-pr"), olga_,
                        Json{{"title", "Add notes"}, {"description", "Pushing with git"}, {"pullRequest", true}});
  ASSERT_EQ(made.status, 200) << made.body;
  Json d = ParseOrDie(made.body);
  EXPECT_EQ(d["status"], "draft");
  EXPECT_EQ(d["isPullRequest"], true);
  std::string num = std::to_string(d["num"].get<int>());
  const std::string one = Api("team/git-pr") + "/" + num;

  // git: fetch the PR ref (not in a default clone), commit, push to refs/pr/N as its author.
  ASSERT_EQ(Sh("git clone -q " + ShellQuote(GitUrl("team/git-pr", "olga", olga_)) + " w 2>&1").exit_code, 0);
  CommandResult fetched = Sh("cd w && git fetch -q origin refs/pr/" + num + ":pr 2>&1 && git checkout -q pr 2>&1");
  ASSERT_EQ(fetched.exit_code, 0) << fetched.out;
  CommandResult pushed =
      Sh("cd w && printf 'note one\\n' > notes.txt && git add notes.txt && "
         "git commit -qm 'Add notes.txt' && git push -q origin HEAD:refs/pr/" +
         num + " 2>&1");
  ASSERT_EQ(pushed.exit_code, 0) << pushed.out;
  std::string pr_head = Sh("cd w && git rev-parse HEAD").out.substr(0, 40);
  // Someone else may not push to it; nor may a read token.
  for (const auto& [user, token] : {std::pair<std::string, std::string>{"rita", rita_}, {"olga", olga_read_}}) {
    CommandResult refused = Sh("cd w && c=$(git commit-tree HEAD^{tree} -p HEAD -m other) && git push -q " +
                               ShellQuote(GitUrl("team/git-pr", user, token)) + " $c:refs/pr/" + num + " 2>&1");
    EXPECT_NE(refused.exit_code, 0) << user << ": " << refused.out;
  }
  // A PR ref exists only for an open PR, even for a writer.
  CommandResult no_pr =
      Sh("cd w && git push -q " + ShellQuote(GitUrl("team/git-pr", "alice", alice_)) + " HEAD:refs/pr/999 2>&1");
  EXPECT_NE(no_pr.exit_code, 0) << no_pr.out;
  // Nor may a non-writer push to main.
  CommandResult to_main = Sh("cd w && git push -q origin HEAD:main 2>&1");
  EXPECT_NE(to_main.exit_code, 0) << to_main.out;
  EXPECT_NE(to_main.out.find("only push to your own pull requests"), std::string::npos) << to_main.out;

  // Meanwhile main moves (another file), so the merge needs a merge commit.
  ASSERT_EQ(Commit("team/git-pr", "main", "other.txt", "other\n").status, 200);

  Json details = ParseOrDie(Get(one + "?diff=1", "").body);
  const Json& last = details["events"][details["events"].size() - 1];
  EXPECT_EQ(last["type"], "commit");
  EXPECT_EQ(last["data"]["oid"], pr_head);
  EXPECT_EQ(last["data"]["subject"], "Add notes.txt");
  EXPECT_NE(details["diff"].get<std::string>().find("+note one"), std::string::npos);
  EXPECT_EQ(details["diff"].get<std::string>().find("other.txt"), std::string::npos);  // main's change is not the PR's

  // A draft cannot be merged; publishing opens it.
  EXPECT_EQ(Post(one + "/merge", alice_, Json::object()).status, 400);
  ASSERT_EQ(Post(one + "/status", olga_, Json{{"status", "open"}}).status, 200);
  CurlReply merged = Post(one + "/merge", alice_, Json{{"comment", "Thanks!"}});
  ASSERT_EQ(merged.status, 200) << merged.body;
  std::string merge_commit = ParseOrDie(Get(one, "").body)["changes"]["mergeCommitId"];

  // git's view of main: a two-parent commit over main's previous head and the PR head.
  ASSERT_EQ(Sh("cd w && git fetch -q origin main 2>&1").exit_code, 0);
  EXPECT_EQ(Sh("cd w && git rev-parse FETCH_HEAD").out.substr(0, 40), merge_commit);
  std::string parents = Sh("cd w && git log -1 --format=%P FETCH_HEAD").out;
  EXPECT_NE(parents.find(pr_head), std::string::npos) << parents;
  EXPECT_EQ(Sh("cd w && git show FETCH_HEAD:notes.txt").out, "note one\n");
  EXPECT_EQ(Sh("cd w && git show FETCH_HEAD:other.txt").out, "other\n");
  EXPECT_EQ(Sh("cd w && git fsck --no-dangling 2>&1").exit_code, 0);
}

TEST_F(WebDiscussionsTest, ConflictingPullRequestIsRefusedAndNamesTheFile) {
  CurlReply pr = Commit("team/git-pr", "main", "README.md", "# PR version\n", olga_, /*create_pr=*/true);
  ASSERT_EQ(pr.status, 200) << pr.body;
  std::string url = ParseOrDie(pr.body)["pullRequestUrl"];
  std::string num = url.substr(url.rfind('/') + 1);
  ASSERT_EQ(Commit("team/git-pr", "main", "README.md", "# main version\n").status, 200);
  const std::string one = Api("team/git-pr") + "/" + num;
  Json d = ParseOrDie(Get(one, "").body);
  ASSERT_EQ(d["filesWithConflicts"].size(), 1u) << d.dump();
  EXPECT_EQ(d["filesWithConflicts"][0], "README.md");
  std::string before = ParseOrDie(Get("/api/models/team/git-pr", "").body)["sha"];
  CurlReply merged = Post(one + "/merge", alice_, Json::object());
  EXPECT_EQ(merged.status, 409) << merged.body;
  EXPECT_NE(merged.body.find("README.md"), std::string::npos);
  EXPECT_EQ(ParseOrDie(Get("/api/models/team/git-pr", "").body)["sha"], before);  // nothing moved
  EXPECT_EQ(ParseOrDie(Get(one, "").body)["status"], "open");
  // Committing more to the PR as a non-author is refused; as its author, it lands on refs/pr/N.
  EXPECT_EQ(Commit("team/git-pr", "refs%2Fpr%2F" + num, "x.txt", "x", rita_).status, 403);
  EXPECT_EQ(Commit("team/git-pr", "refs%2Fpr%2F" + num, "README.md", "# main version\n", olga_).status, 200);
  EXPECT_EQ(ParseOrDie(Get(one, "").body)["filesWithConflicts"].size(), 0u);
  EXPECT_EQ(Commit("team/git-pr", "refs%2Fpr%2F999", "x.txt", "x", olga_).status, 404);
}

TEST_F(WebDiscussionsTest, CommunityPagesOpenCommentAndMergeWithCsrf) {
  const std::string base = hub_->url();
  WebSession olga = SignIn(base, olga_);
  WebSession alice = SignIn(base, alice_);
  const std::string page = base + "/team/pub/discussions";
  // Forms without the session's CSRF secret change nothing.
  EXPECT_EQ(WebPost(page, {{"title", "No csrf"}, {"description", "x"}}, &olga).status, 403);
  EXPECT_EQ(WebPost(page, {{"title", "Anon"}, {"csrf", olga.csrf}}, nullptr).status, 403);
  CurlReply made =
      WebPost(page, {{"title", "From the <web>"}, {"description", "Hello *there*"}, {"csrf", olga.csrf}}, &olga);
  ASSERT_EQ(made.status, 303) << made.body;
  std::string where = made.Header("location");
  ASSERT_NE(where.find("/team/pub/discussions/"), std::string::npos) << where;
  std::string num = where.substr(where.rfind('/') + 1);
  CurlReply shown = WebGet(base + where, &olga);
  ASSERT_EQ(shown.status, 200);
  EXPECT_NE(shown.body.find("From the &lt;web&gt;"), std::string::npos);  // escaped
  EXPECT_NE(shown.body.find("<em>there</em>"), std::string::npos);
  EXPECT_NE(shown.body.find("name=\"comment\""), std::string::npos);
  ASSERT_EQ(WebPost(base + where + "/comment", {{"comment", "A web comment"}, {"csrf", olga.csrf}}, &olga).status, 303);
  EXPECT_EQ(WebPost(base + where + "/comment", {{"comment", "forged"}}, &olga).status, 403);
  // The API sees what the pages did.
  Json d = ParseOrDie(Get(Api("team/pub") + "/" + num, "").body);
  EXPECT_EQ(d["title"], "From the <web>");
  EXPECT_EQ(d["events"][1]["data"]["latest"]["raw"], "A web comment");
  EXPECT_EQ(ParseOrDie(Get(Api("team/pub") + "/" + num, "").body).dump().find("forged"), std::string::npos);
  // The list page links it; the private repo's page is a 404 to another user.
  EXPECT_NE(WebGet(page, nullptr).body.find("/team/pub/discussions/" + num), std::string::npos);
  EXPECT_EQ(WebGet(base + "/team/priv/discussions", &olga).status, 404);

  // A PR page shows its diff; only a writer gets the merge button, and merging works from it.
  CurlReply pr = Commit("team/pub", "main", "web.txt", "web line\n", olga_, /*create_pr=*/true);
  ASSERT_EQ(pr.status, 200) << pr.body;
  std::string pr_url = ParseOrDie(pr.body)["pullRequestUrl"];
  std::string pr_num = pr_url.substr(pr_url.rfind('/') + 1);
  const std::string pr_page = base + "/team/pub/discussions/" + pr_num;
  CurlReply as_olga = WebGet(pr_page, &olga);
  EXPECT_NE(as_olga.body.find("+web line"), std::string::npos);
  EXPECT_EQ(as_olga.body.find("id=\"merge\""), std::string::npos);
  EXPECT_EQ(WebPost(pr_page + "/merge", {{"csrf", olga.csrf}}, &olga).status, 403);
  CurlReply as_alice = WebGet(pr_page, &alice);
  EXPECT_NE(as_alice.body.find("id=\"merge\""), std::string::npos);
  ASSERT_EQ(WebPost(pr_page + "/merge", {{"csrf", alice.csrf}}, &alice).status, 303);
  EXPECT_EQ(ParseOrDie(Get(Api("team/pub") + "/" + pr_num, "").body)["status"], "merged");
  CurlReply raw = Curl("GET", base + "/team/pub/resolve/main/web.txt");
  EXPECT_EQ(raw.body, "web line\n");
}

TEST_F(WebDiscussionsTest, RenameFromSettingsKeepsDiscussionsAndRedirects) {
  const std::string base = hub_->url();
  Json body{{"name", "old-name"}, {"organization", "team"}};
  ASSERT_EQ(ApiCall(base, "POST", "/api/repos/create", Auth(alice_), DumpJson(body)).status, 200);
  ASSERT_EQ(Post(Api("team/old-name"), olga_, Json{{"title", "Kept after rename"}}).status, 200);
  WebSession alice = SignIn(base, alice_);
  WebSession olga = SignIn(base, olga_);
  EXPECT_EQ(
      WebPost(base + "/team/old-name/settings", {{"action", "rename"}, {"to", "x"}, {"csrf", olga.csrf}}, &olga).status,
      403);
  CurlReply moved = WebPost(base + "/team/old-name/settings",
                            {{"action", "rename"}, {"to", "new-name"}, {"csrf", alice.csrf}}, &alice);
  ASSERT_EQ(moved.status, 303) << moved.body;
  EXPECT_EQ(moved.Header("location"), "/team/new-name");
  Json list = ParseOrDie(Get(Api("team/new-name"), "").body);
  ASSERT_EQ(list["count"], 1);
  EXPECT_EQ(list["discussions"][0]["title"], "Kept after rename");
  EXPECT_EQ(list["discussions"][0]["repo"]["name"], "team/new-name");
  // The old name redirects, on the API and on the website.
  CurlReply api_old = Get("/api/models/team/old-name", "");
  EXPECT_TRUE(api_old.status == 301 || api_old.status == 307 || api_old.status == 308) << api_old.status;
  CurlReply page_old = WebGet(base + "/team/old-name", nullptr);
  EXPECT_TRUE(page_old.status == 301 || page_old.status == 307 || page_old.status == 308) << page_old.status;
  EXPECT_NE(page_old.Header("location").find("/team/new-name"), std::string::npos) << page_old.Header("location");
}

TEST_F(WebDiscussionsTest, UserAndOrgPagesShowPrivateReposOnlyToThoseWhoMayRead) {
  const std::string base = hub_->url();
  WebSession rita = SignIn(base, rita_);
  WebSession olga = SignIn(base, olga_);
  CurlReply anon = WebGet(base + "/team", nullptr);
  ASSERT_EQ(anon.status, 200);
  EXPECT_NE(anon.body.find("organization"), std::string::npos);
  EXPECT_NE(anon.body.find("team/pub"), std::string::npos);
  EXPECT_EQ(anon.body.find("team/priv"), std::string::npos);
  EXPECT_EQ(WebGet(base + "/team", &olga).body.find("team/priv"), std::string::npos);
  EXPECT_NE(WebGet(base + "/team", &rita).body.find("team/priv"), std::string::npos);  // a member
  CurlReply user = WebGet(base + "/olga", nullptr);
  ASSERT_EQ(user.status, 200);
  EXPECT_NE(user.body.find("olga"), std::string::npos);
  EXPECT_EQ(WebGet(base + "/nobody-here", nullptr).status, 404);
}

}  // namespace
}  // namespace mhub::testing
