// The Space sandbox in headless chromium (tests/clients/spaces_browser_sandbox.js): a signed-in
// visitor opens a static Space whose script tries to use the visitor's hub session; the CSP
// sandbox must give it an opaque origin, refuse document.cookie and keep signed-in pages out of
// its reach. Screenshots under <build>/web-artifacts.
#include <gtest/gtest.h>

#include <filesystem>

#include "mhub/base/json.h"
#include "server/http_test_support.h"

namespace mhub::testing {
namespace {

const char* kProbe = R"html(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>probe</title></head>
<body><main><pre id="out">pending</pre></main><script src="probe.js"></script></body></html>
)html";

const char* kProbeJs = R"js((async () => {
  const r = { ran: true, origin: self.origin };
  try { r.cookie = document.cookie; } catch (e) { r.cookie_error = e.name; }
  try {
    const x = await fetch("/settings/tokens", { credentials: "include" });
    r.tokens_status = x.status;
    r.tokens_text = (await x.text()).slice(0, 50000);
  } catch (e) { r.fetch_error = String(e); }
  try {
    const x = await fetch("/api/whoami-v2", { credentials: "include" });
    r.whoami_status = x.status;
  } catch (e) { r.whoami_error = String(e); }
  document.getElementById("out").textContent = JSON.stringify(r);
})();
)js";

TEST(SpacesBrowserTest, SpaceScriptsCannotUseTheVisitorsSession) {
  if (!std::filesystem::exists("/usr/bin/chromium") && !getenv("CHROMIUM")) {
    FAIL() << "Debian chromium is not installed (scripts/install-deps installs it)";
  }
  InProcessHub hub;
  std::string token = hub.CreateUser("alice");
  std::string auth = "Authorization: Bearer " + token;
  CurlReply r = ApiCall(hub.url(), "POST", "/api/repos/create", auth,
                        DumpJson(Json{{"name", "probe"}, {"type", "space"}, {"sdk", "static"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  std::string body = DumpJson(Json{{"key", "header"}, {"value", {{"summary", "probe"}}}}) + "\n";
  for (const auto& [path, content] :
       {std::pair<std::string, std::string>{"index.html", kProbe}, {"probe.js", kProbeJs}}) {
    body += DumpJson(Json{{"key", "file"},
                          {"value", {{"path", path}, {"content", Base64(content)}, {"encoding", "base64"}}}}) +
            "\n";
  }
  r = ApiCall(hub.url(), "POST", "/api/spaces/alice/probe/commit/main", auth, body, "application/x-ndjson");
  ASSERT_EQ(r.status, 200) << r.body;

  std::string out_dir = BinaryDir() + "/web-artifacts";
  CommandResult run =
      RunCommand("timeout 60 node " + ShellQuote(SourceDir() + "/tests/clients/spaces_browser_sandbox.js") + " " +
                 ShellQuote(hub.url()) + " " + ShellQuote(token) + " /spaces/alice/probe/ " + ShellQuote(out_dir));
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("all sandbox checks passed"), std::string::npos) << run.out << run.err;
  std::cout << run.out;
}

}  // namespace
}  // namespace mhub::testing
