// "Files and versions": /{id}/tree/{rev}/{path} (folder listing with sizes and LFS badges, a
// revision selector) and /{id}/blob/{rev}/{path} (text with line numbers; LFS files show their
// pointer; big and binary files are not inlined). Revisions in links are one encoded segment.
#include "mhub/base/utf8.h"
#include "server/web/pages.h"

namespace mhub::server::web {
namespace {

// Files above this are not shown inline ("too big to display"), as the Hub does.
constexpr uint64_t kMaxInline = 512u << 10;

std::string Breadcrumb(const RepoKey& key, const std::string& rev, const std::string& path) {
  std::string base = RepoHref(key) + "/tree/" + UrlPart(rev);
  std::string h = "<nav aria-label=\"Path\" class=\"crumbs\"><a href=\"" + base + "\">" + Escape(key.id.name) + "</a>";
  size_t start = 0;
  while (start < path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    h += " / <a href=\"" + base + "/" + UrlPath(path.substr(0, slash)) + "\">" +
         Escape(path.substr(start, slash - start)) + "</a>";
    start = slash + 1;
  }
  return h + "</nav>";
}

std::string RevisionSelector(WebCall& call, const RepoKey& key, const std::string& rev, const std::string& kind,
                             const std::string& path) {
  auto refs = call.ctx.repos->ListRefs(key);
  std::string h = "<details class=\"revs\"><summary>Revision: <strong>" + Escape(rev) + "</strong></summary><ul>";
  if (refs.ok()) {
    auto add = [&](const char* what, const std::vector<RefInfo>& list, bool full_ref) {
      for (const auto& r : list) {
        std::string name = full_ref ? r.ref : r.name;
        h += "<li><a href=\"" + RepoHref(key) + "/" + kind + "/" + UrlPart(name) +
             (path.empty() ? "" : "/" + UrlPath(path)) + "\">" + what + " " + Escape(name) + "</a></li>";
      }
    };
    add("branch", refs->branches, false);
    add("tag", refs->tags, false);
    add("pull request", refs->pull_requests, true);
    add("convert", refs->converts, true);
  }
  return h + "</ul></details>";
}

bool LooksBinary(std::string_view data) {
  if (data.substr(0, 8000).find('\0') != std::string_view::npos) return true;
  return FirstInvalidUtf8(data) != std::string_view::npos;
}

}  // namespace

void PageTree(WebCall& call, const RepoKey& key, const std::string& rev, const std::string& path) {
  auto record = ReadableRepo(call, key);
  if (!record) return;
  auto sha = call.ctx.repos->ResolveRevision(key, rev);
  if (!sha.ok()) return SendNotFound(call.v, call.res, "No such revision: " + rev);
  auto entries = call.ctx.repos->ListTree(key, *sha, path, false, false);
  if (!entries.ok()) return SendNotFound(call.v, call.res, "No such folder: " + path);
  std::string body = RepoHeader(call, *record, "files");
  body += RevisionSelector(call, key, rev, "tree", path);
  body += Breadcrumb(key, rev, path);
  body +=
      "<table class=\"files\" aria-label=\"Files\"><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Size"
      "</th><th scope=\"col\">Storage</th></tr></thead><tbody>";
  std::string href = RepoHref(key);
  for (const auto& e : *entries) {
    std::string name = e.path.substr(e.path.rfind('/') == std::string::npos ? 0 : e.path.rfind('/') + 1);
    bool dir = e.type == TreeEntry::Type::kDirectory;
    body += "<tr><td><a href=\"" + href + (dir ? "/tree/" : "/blob/") + UrlPart(rev) + "/" + UrlPath(e.path) + "\">" +
            (dir ? "📁 " : "") + Escape(name) + (dir ? "/" : "") + "</a></td><td>" + (dir ? "" : HumanSize(e.size)) +
            "</td><td>" + (e.lfs ? "<span class=\"badge\">LFS</span>" : "") + "</td></tr>";
  }
  body += "</tbody></table><p class=\"muted\">Commit <code>" + Escape(sha->substr(0, 12)) + "</code> · <a href=\"" +
          href + "/commits/" + UrlPart(rev) + "\">History</a></p>";
  SendHtml(call.res, 200, RenderPage(call.v, key.id.ToString() + " at " + rev, body));
}

void PageBlob(WebCall& call, const RepoKey& key, const std::string& rev, const std::string& path) {
  auto record = ReadableRepo(call, key);
  if (!record) return;
  auto sha = call.ctx.repos->ResolveRevision(key, rev);
  if (!sha.ok()) return SendNotFound(call.v, call.res, "No such revision: " + rev);
  auto blob = call.ctx.repos->ReadFile(key, *sha, path);
  if (!blob.ok()) return SendNotFound(call.v, call.res, "No such file: " + path);
  std::string href = RepoHref(key);
  std::string rev_path = UrlPart(rev) + "/" + UrlPath(path);
  std::string body = RepoHeader(call, *record, "files");
  body += RevisionSelector(call, key, rev, "blob", path);
  body += Breadcrumb(key, rev, path.find('/') == std::string::npos ? "" : path.substr(0, path.rfind('/')));
  body += "<h2 class=\"file-name\">" + Escape(path) + "</h2><p><span data-size>" + HumanSize(blob->size) +
          "</span> · <a href=\"" + href + "/raw/" + rev_path + "\">raw</a> · <a href=\"" + href + "/resolve/" +
          rev_path + "?download=true\" download>download</a> · <a href=\"" + href + "/commits/" + UrlPart(rev) +
          "\">history</a>";
  if (RequireWrite(call.ctx, call.v.who, key).ok() && !blob->lfs && blob->size <= kMaxInline &&
      !LooksBinary(blob->data)) {
    body += " · <a href=\"" + href + "/edit/" + rev_path + "\">edit</a>";
  }
  body += "</p>";
  if (blob->lfs) {
    body +=
        "<section class=\"note lfs\" aria-labelledby=\"lfs\"><h3 id=\"lfs\">Git LFS pointer</h3><p>This file is "
        "stored with Git LFS. It is too big to display here, but you can still download it.</p><dl><dt>SHA256"
        "</dt><dd><code data-lfs-oid>" +
        Escape(blob->lfs->oid) + "</code></dd><dt>Pointer size</dt><dd data-pointer-size>" +
        HumanSize(blob->lfs->pointer_size) + "</dd><dt>Size of remote file</dt><dd>" + HumanSize(blob->lfs->size) +
        "</dd></dl><pre class=\"code\"><code>" + Escape(blob->data) + "</code></pre></section>";
  } else if (blob->size > kMaxInline) {
    body += "<p class=\"note\">This file is too big to display (" + HumanSize(blob->size) +
            "). Use the raw or download link.</p>";
  } else if (LooksBinary(blob->data)) {
    body += "<p class=\"note\" data-binary>This is a binary file; it is not shown. Use the download link.</p>";
  } else {
    body += "<table class=\"lines\" aria-label=\"File content\"><tbody>";
    size_t start = 0, n = 0;
    const std::string& d = blob->data;
    while (start < d.size()) {
      size_t nl = d.find('\n', start);
      size_t end = nl == std::string::npos ? d.size() : nl;
      ++n;
      body += "<tr id=\"L" + std::to_string(n) + "\"><td class=\"n\">" + std::to_string(n) + "</td><td>" +
              Escape(std::string_view(d).substr(start, end - start)) + "</td></tr>";
      start = end + 1;
    }
    body += "</tbody></table>";
  }
  SendHtml(call.res, 200, RenderPage(call.v, path + " · " + key.id.ToString(), body));
}

}  // namespace mhub::server::web
