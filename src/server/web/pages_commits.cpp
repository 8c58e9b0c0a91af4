// History: /{id}/commits/{rev} (paged, 50 a page) and /{id}/commit/{sha}: message, parent, and
// per changed file a line diff (text files both sides under 256 kB; others say why not).
#include <algorithm>
#include <map>

#include "mhub/base/utf8.h"
#include "server/web/line_diff.h"
#include "server/web/pages.h"

namespace mhub::server::web {
namespace {

constexpr uint64_t kCommitsPerPage = 50;
constexpr uint64_t kMaxDiffFile = 256u << 10;
constexpr size_t kMaxDiffFiles = 300;

// Files of a commit by path (recursive listing, folders left out).
std::map<std::string, TreeEntry> FilesAt(WebCall& call, const RepoKey& key, const std::string& commit) {
  std::map<std::string, TreeEntry> out;
  if (commit.empty()) return out;
  auto entries = call.ctx.repos->ListTree(key, commit, "", true);
  if (!entries.ok()) return out;
  for (auto& e : *entries) {
    if (e.type == TreeEntry::Type::kFile) out.emplace(e.path, std::move(e));
  }
  return out;
}

std::string FileText(WebCall& call, const RepoKey& key, const std::string& commit, const TreeEntry* e, bool* diffable) {
  if (!e) return "";
  if (e->lfs || e->size > kMaxDiffFile) {
    *diffable = false;
    return "";
  }
  auto blob = call.ctx.repos->ReadFile(key, commit, e->path);
  if (!blob.ok() || blob->data.substr(0, 8000).find('\0') != std::string::npos ||
      FirstInvalidUtf8(blob->data) != std::string::npos) {
    *diffable = false;
    return "";
  }
  return blob->data;
}

}  // namespace

void PageCommits(WebCall& call, const RepoKey& key, const std::string& rev) {
  auto record = ReadableRepo(call, key);
  if (!record) return;
  uint64_t page_no = 0;
  std::string p = call.req.Query("p");
  if (!p.empty() && p.size() <= 6 && p.find_first_not_of("0123456789") == std::string::npos) page_no = std::stoull(p);
  auto page = call.ctx.repos->ListCommits(key, rev, page_no * kCommitsPerPage, kCommitsPerPage);
  if (!page.ok()) return SendNotFound(call.v, call.res, "No such revision: " + rev);
  std::string href = RepoHref(key);
  std::string body = RepoHeader(call, *record, "commits");
  body += "<h2>History of " + Escape(rev) + " <span class=\"muted\">(" + std::to_string(page->total) +
          " commits)</span></h2><ol class=\"commits\">";
  for (const auto& c : page->commits) {
    std::string authors;
    for (const auto& a : c.authors) authors += (authors.empty() ? "" : ", ") + a;
    body += "<li><a href=\"" + href + "/commit/" + c.id + "\">" + Escape(c.title.empty() ? "(no message)" : c.title) +
            "</a> <span class=\"muted\">" + Escape(authors) + " · " + DateText(c.date_ms) + " · <code>" +
            c.id.substr(0, 7) + "</code></span></li>";
  }
  body += "</ol><nav class=\"pager\" aria-label=\"Pages\">";
  if (page_no > 0) {
    body += "<a rel=\"prev\" href=\"" + href + "/commits/" + UrlPart(rev) + "?p=" + std::to_string(page_no - 1) +
            "\">Newer</a>";
  }
  if ((page_no + 1) * kCommitsPerPage < page->total) {
    body += "<a rel=\"next\" href=\"" + href + "/commits/" + UrlPart(rev) + "?p=" + std::to_string(page_no + 1) +
            "\">Older</a>";
  }
  body += "</nav>";
  SendHtml(call.res, 200, RenderPage(call.v, "History of " + key.id.ToString(), body));
}

void PageCommit(WebCall& call, const RepoKey& key, const std::string& sha) {
  auto record = ReadableRepo(call, key);
  if (!record) return;
  auto resolved = call.ctx.repos->ResolveRevision(key, sha);
  if (!resolved.ok()) return SendNotFound(call.v, call.res, "No such commit: " + sha);
  auto one = call.ctx.repos->ListCommits(key, *resolved, 0, 1);
  if (!one.ok() || one->commits.empty()) return SendNotFound(call.v, call.res, "No such commit: " + sha);
  const CommitInfo& c = one->commits[0];
  std::string parent = c.parents.empty() ? "" : c.parents[0];
  std::string href = RepoHref(key);
  std::string body = RepoHeader(call, *record, "commits");
  body += "<h2>" + Escape(c.title) + "</h2><pre class=\"code\">" + Escape(c.message) +
          "</pre><p class=\"muted\">"
          "Commit <code>" +
          c.id + "</code>";
  if (!parent.empty())
    body += " · parent <a href=\"" + href + "/commit/" + parent + "\"><code>" + parent.substr(0, 7) + "</code></a>";
  body += " · <a href=\"" + href + "/tree/" + c.id + "\">Browse files</a></p>";

  auto before = FilesAt(call, key, parent);
  auto after = FilesAt(call, key, c.id);
  std::vector<std::string> changed;
  for (const auto& [path, e] : after) {
    auto it = before.find(path);
    if (it == before.end() || it->second.oid != e.oid) changed.push_back(path);
  }
  for (const auto& [path, e] : before) {
    if (!after.count(path)) changed.push_back(path);
  }
  std::sort(changed.begin(), changed.end());
  body += "<p>" + std::to_string(changed.size()) + " changed files</p>";
  size_t shown = 0;
  for (const auto& path : changed) {
    if (++shown > kMaxDiffFiles) {
      body += "<p class=\"note\">More files changed; not all are shown.</p>";
      break;
    }
    auto b = before.find(path);
    auto a = after.find(path);
    const TreeEntry* old_e = b == before.end() ? nullptr : &b->second;
    const TreeEntry* new_e = a == after.end() ? nullptr : &a->second;
    std::string status = !old_e ? "added" : !new_e ? "deleted" : "modified";
    body += "<section class=\"diff\" aria-label=\"" + Escape(path) + "\"><h3>" + Escape(path) +
            " <span class=\"muted\">" + status + "</span></h3>";
    bool diffable = true;
    std::string old_text = FileText(call, key, parent, old_e, &diffable);
    std::string new_text = FileText(call, key, c.id, new_e, &diffable);
    std::optional<std::vector<DiffLine>> lines;
    if (diffable) lines = DiffLines(SplitLines(old_text), SplitLines(new_text));
    if (!diffable || !lines) {
      body += "<p class=\"note\">Binary, LFS or large file: no diff shown.";
      if (new_e) body += " <a href=\"" + href + "/raw/" + c.id + "/" + UrlPath(path) + "\">Raw file</a>";
      body += "</p></section>";
      continue;
    }
    // Three lines of context around each change, as `git diff` shows; the rest is elided.
    std::vector<bool> keep(lines->size(), false);
    for (size_t i = 0; i < lines->size(); ++i) {
      if ((*lines)[i].op == ' ') continue;
      for (size_t j = i >= 3 ? i - 3 : 0; j < lines->size() && j <= i + 3; ++j) keep[j] = true;
    }
    body += "<table class=\"lines\"><tbody>";
    for (size_t i = 0; i < lines->size(); ++i) {
      if (!keep[i]) {
        if (i == 0 || keep[i - 1]) body += "<tr><td class=\"n\"></td><td class=\"muted\">…</td></tr>";
        continue;
      }
      const DiffLine& l = (*lines)[i];
      const char* cls = l.op == '+' ? " class=\"add\"" : l.op == '-' ? " class=\"del\"" : "";
      body += "<tr" + std::string(cls) + "><td class=\"n\">" + std::string(1, l.op) + "</td><td>" + Escape(l.text) +
              "</td></tr>";
    }
    body += "</tbody></table></section>";
  }
  SendHtml(call.res, 200, RenderPage(call.v, "Commit " + c.id.substr(0, 7), body));
}

}  // namespace mhub::server::web
