// Community pages: /{id}/discussions (list + "new discussion" form) and /{id}/discussions/{num}
// (events, comment form; for a pull request its diff, and close/reopen and merge buttons for
// those who may). Every form posts back to the same URL family with the session's CSRF secret;
// the work is done by discussion_ops.h, so the rules are those of the API.
#include "server/discussions/discussion_ops.h"
#include "server/discussions/pr_git.h"
#include "server/web/card_render.h"
#include "server/web/pages.h"

namespace mhub::server::web {
namespace {

std::string FieldOf(const WebCall& call, const std::string& name) {
  auto it = call.form.find(name);
  return it == call.form.end() ? "" : it->second;
}

// A failed operation as a page with the status the API would answer.
void SendStatusPage(WebCall& call, const Status& st) {
  int code = st.code() == StatusCode::kNotFound           ? 404
             : st.code() == StatusCode::kPermissionDenied ? 403
             : st.code() == StatusCode::kUnauthenticated  ? 401
             : st.code() == StatusCode::kConflict         ? 409
             : st.code() == StatusCode::kInvalidArgument  ? 400
                                                          : 500;
  SendMessage(call.v, call.res, code, "Cannot do that", st.message());
}

std::string StatusBadge(const std::string& status) {
  return "<span class=\"badge status-" + Escape(status) + "\">" + Escape(status) + "</span>";
}

void ListPage(WebCall& call, DiscussionScope& s) {
  DiscussionFilter f;
  f.limit = 100;
  auto page = s.store.List(s.record.row_id, f);
  if (!page.ok()) return SendStatusPage(call, page.status());
  std::string href = RepoHref(s.record.key);
  std::string body = RepoHeader(call, s.record, "community");
  body += "<h2>Discussions and pull requests <span class=\"muted\">(" + std::to_string(page->count) +
          ")</span></h2><ul class=\"discussions\">";
  for (const auto& d : page->items) {
    body += "<li><a href=\"" + href + "/discussions/" + std::to_string(d.num) + "\">#" + std::to_string(d.num) + " " +
            Escape(d.title) + "</a> " + StatusBadge(d.status) +
            (d.is_pr ? " <span class=\"badge\">pull request</span>" : "") + " <span class=\"muted\">by " +
            Escape(d.author) + " · " + DateText(d.created_ms) + " · " + std::to_string(d.num_comments) +
            " comments</span></li>";
  }
  body += "</ul>";
  if (call.v.who.authenticated && !call.v.csrf.empty()) {
    body += "<form class=\"stack\" method=\"post\" action=\"" + href +
            "/discussions\" aria-labelledby=\"new-discussion\"><h2 id=\"new-discussion\">New discussion</h2>" +
            CsrfField(call.v) +
            "<label for=\"title\">Title</label><input id=\"title\" name=\"title\" required minlength=\"3\" "
            "maxlength=\"200\"><label for=\"description\">Description</label><textarea id=\"description\" "
            "name=\"description\" rows=\"5\"></textarea><button type=\"submit\">Open discussion</button></form>";
  } else {
    body += "<p><a href=\"/login\">Sign in</a> to open a discussion.</p>";
  }
  SendHtml(call.res, 200, RenderPage(call.v, "Discussions of " + s.record.key.id.ToString(), body));
}

void OnePage(WebCall& call, DiscussionScope& s, int64_t num) {
  auto d = s.store.Get(s.record.row_id, num);
  if (!d.ok()) return SendNotFound(call.v, call.res, "No such discussion.");
  (void)SyncPrCommits(s, *d);
  auto events = s.store.Events(s.record.row_id, num);
  if (!events.ok()) return SendStatusPage(call, events.status());
  std::string href = RepoHref(s.record.key);
  std::string self = href + "/discussions/" + std::to_string(num);
  std::string body = RepoHeader(call, s.record, "community");
  body += "<h2>" + Escape(d->title) + " <span class=\"muted\">#" + std::to_string(num) + "</span> " +
          StatusBadge(d->status) + "</h2><p class=\"muted\">" + (d->is_pr ? "Pull request" : "Discussion") +
          " opened by " + Escape(d->author) + " on " + DateText(d->created_ms) + "</p><ol class=\"events\">";
  for (const auto& e : *events) {
    body += "<li class=\"event event-" + Escape(e.type) + "\"><p class=\"muted\">" + Escape(e.author) + " · " +
            DateText(e.created_ms) + "</p>";
    Json data = ParseJson(e.data_json).value_or(Json::object());
    if (e.type == "comment") {
      bool hidden = false;
      std::string text = CommentText(e, &hidden);
      if (hidden) {
        body += "<p class=\"note\">This comment has been hidden.</p>";
      } else {
        body += "<div class=\"comment\">" + RenderMarkdown(text) + "</div>";
      }
    } else if (e.type == "status-change") {
      body += "<p>changed the status to " + StatusBadge(data.value("status", "")) + "</p>";
    } else if (e.type == "title-change") {
      body += "<p>renamed from “" + Escape(data.value("from", "")) + "” to “" + Escape(data.value("to", "")) + "”</p>";
    } else if (e.type == "commit") {
      std::string oid = data.value("oid", "");
      body += "<p>pushed <a href=\"" + href + "/commit/" + Escape(oid) + "\"><code>" + Escape(oid.substr(0, 7)) +
              "</code></a> " + Escape(data.value("subject", "")) + "</p>";
    }
    body += "</li>";
  }
  body += "</ol>";
  bool live = d->status == "open" || d->status == "draft";
  if (d->is_pr && live) {
    auto conflicts = PrConflicts(*s.ctx.repos, s.record.key, d->target_branch, PrRef(num));
    if (conflicts.ok() && !conflicts->empty()) {
      std::string list;
      for (const auto& p : *conflicts) list += (list.empty() ? "" : ", ") + p;
      body += "<p class=\"banner\" role=\"alert\">Conflicts with " + Escape(d->target_branch) + " in: " + Escape(list) +
              "</p>";
    }
    auto diff = PrRawDiff(*s.ctx.repos, s.record.key, d->target_branch, PrRef(num), 256u << 10);
    if (diff.ok()) {
      body +=
          "<section class=\"diff\" aria-label=\"Files changed\"><h3>Files changed</h3><table class=\"lines\"><tbody>";
      size_t pos = 0;
      while (pos < diff->size()) {
        size_t end = diff->find('\n', pos);
        if (end == std::string::npos) end = diff->size();
        std::string_view line(diff->data() + pos, end - pos);
        pos = end + 1;
        const char* cls = line.starts_with("+++") || line.starts_with("---") ? ""
                          : line.starts_with("+")                            ? " class=\"add\""
                          : line.starts_with("-")                            ? " class=\"del\""
                                                                             : "";
        body += "<tr" + std::string(cls) + "><td>" + Escape(line) + "</td></tr>";
      }
      body += "</tbody></table></section>";
    }
  }
  if (call.v.who.authenticated && !call.v.csrf.empty()) {
    body += "<form class=\"stack\" method=\"post\" action=\"" + self +
            "/comment\" aria-labelledby=\"add-comment\"><h3 id=\"add-comment\">Comment</h3>" + CsrfField(call.v) +
            "<label for=\"comment\">Your comment</label><textarea id=\"comment\" name=\"comment\" rows=\"4\" "
            "required></textarea><button type=\"submit\">Comment</button></form>";
    if (d->status != "merged" && CanModerate(s, *d)) {
      std::string to = d->status == "closed" ? "open" : "closed";
      body += "<form method=\"post\" action=\"" + self + "/status\">" + CsrfField(call.v) +
              "<input type=\"hidden\" name=\"status\" value=\"" + to + "\"><button type=\"submit\">" +
              (to == "open" ? "Reopen" : "Close") + "</button></form>";
    }
    if (d->is_pr && live && CanWriteRepo(s)) {
      body += "<form method=\"post\" action=\"" + self + "/merge\">" + CsrfField(call.v) +
              "<button type=\"submit\" id=\"merge\">Merge into " + Escape(d->target_branch) + "</button></form>";
    }
  } else {
    body += "<p><a href=\"/login\">Sign in</a> to comment.</p>";
  }
  SendHtml(call.res, 200, RenderPage(call.v, d->title + " · #" + std::to_string(num), body));
}

}  // namespace

void PageDiscussions(WebCall& call, const RepoKey& key, const std::vector<std::string>& rest) {
  auto scope = OpenDiscussionScope(call.ctx, call.v.who, key);
  if (!scope.ok()) return SendNotFound(call.v, call.res, "No such repository.");
  DiscussionScope& s = *scope;
  bool get = call.req.method == "GET" || call.req.method == "HEAD";
  std::string href = RepoHref(key);
  if (rest.empty()) {
    if (get) return ListPage(call, s);
    if (call.req.method != "POST") return SendMessage(call.v, call.res, 405, "Method not allowed", "GET or POST.");
    if (!CheckCsrf(call)) return;
    auto made = CreateDiscussion(s, FieldOf(call, "title"), FieldOf(call, "description"), false);
    if (!made.ok()) return SendStatusPage(call, made.status());
    return SendRedirect(call.res, href + "/discussions/" + std::to_string(made->num));
  }
  const std::string& n = rest[0];
  if (n.empty() || n.size() > 9 || n.find_first_not_of("0123456789") != std::string::npos) {
    return SendNotFound(call.v, call.res, "No such discussion.");
  }
  int64_t num = std::stoll(n);
  if (rest.size() == 1 && get) return OnePage(call, s, num);
  if (rest.size() != 2 || call.req.method != "POST") return SendNotFound(call.v, call.res, "No such page.");
  if (!CheckCsrf(call)) return;
  Status st;
  if (rest[1] == "comment") {
    st = AddComment(s, num, FieldOf(call, "comment")).status();
  } else if (rest[1] == "status") {
    st = ChangeStatus(s, num, FieldOf(call, "status"), "").status();
  } else if (rest[1] == "merge") {
    st = MergePullRequest(s, num, "").status();
  } else {
    return SendNotFound(call.v, call.res, "No such page.");
  }
  if (!st.ok()) return SendStatusPage(call, st);
  SendRedirect(call.res, href + "/discussions/" + std::to_string(num));
}

}  // namespace mhub::server::web
