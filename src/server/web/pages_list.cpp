// "/" and the listings /models, /datasets, /spaces with the Hub's query parameters (web.md 1.2):
// search, pipeline_tag, library, language, license, author, other/filter (tags), sort, p (page 0
// first). Facet values in the sidebar are counted over public repos only (so a private repo's
// tags never show), and cached until the database changes.
#include <algorithm>
#include <map>
#include <mutex>
#include <unordered_map>

#include "server/web/pages.h"

namespace mhub::server::web {
namespace {

constexpr uint64_t kPageSize = 30;

struct Facet {
  const char* param;  // query parameter
  const char* title;
  std::vector<std::pair<std::string, int64_t>> values;  // value, count (top first)
};

struct FacetCache {
  std::mutex mu;
  std::map<std::pair<std::string, int>, std::pair<uint64_t, std::vector<Facet>>> by_ctx_type;
};

std::string StripPrefix(std::string v, std::string_view prefix) {
  if (v.rfind(prefix, 0) == 0) v.erase(0, prefix.size());
  return v;
}

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t c = s.find(',', start);
    if (c == std::string::npos) c = s.size();
    if (c > start) out.push_back(s.substr(start, c - start));
    start = c + 1;
  }
  return out;
}

std::vector<Facet> ComputeFacets(HubContext& ctx, RepoType type) {
  RepoQuery q;
  q.type = type;
  q.limit = 5000;  // the most downloaded public repos speak for the whole listing
  std::vector<Facet> facets = {{"pipeline_tag", "Tasks", {}}, {"library", "Libraries", {}},
                               {"language", "Languages", {}}, {"license", "Licenses", {}},
                               {"author", "Authors", {}},     {"other", "Other tags", {}}};
  auto page = ctx.db->SearchRepos(q);
  if (!page.ok()) return facets;
  std::vector<std::unordered_map<std::string, int64_t>> counts(facets.size());
  for (const auto& r : page->repos) {
    if (!r.pipeline_tag.empty()) ++counts[0][r.pipeline_tag];
    if (!r.library_name.empty()) ++counts[1][r.library_name];
    for (const auto& l : r.languages) ++counts[2][StripPrefix(l, "language:")];
    if (!r.license.empty()) ++counts[3][r.license];
    ++counts[4][r.author];
    for (const auto& t : r.tags) {
      if (t == r.pipeline_tag || t == r.library_name || t.find(':') != std::string::npos) continue;
      if (std::find(r.languages.begin(), r.languages.end(), t) != r.languages.end()) continue;
      ++counts[5][t];
    }
  }
  for (size_t i = 0; i < facets.size(); ++i) {
    auto& vals = facets[i].values;
    vals.assign(counts[i].begin(), counts[i].end());
    std::sort(vals.begin(), vals.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    if (vals.size() > 12) vals.resize(12);
  }
  return facets;
}

std::vector<Facet> Facets(HubContext& ctx, RepoType type) {
  static FacetCache cache;
  auto counter = ctx.db->ChangeCounter();
  std::pair<std::string, int> k{ctx.data_dir, static_cast<int>(type)};
  if (counter.ok()) {
    std::lock_guard<std::mutex> lock(cache.mu);
    auto it = cache.by_ctx_type.find(k);
    if (it != cache.by_ctx_type.end() && it->second.first == *counter) return it->second.second;
  }
  auto facets = ComputeFacets(ctx, type);
  if (counter.ok()) {
    std::lock_guard<std::mutex> lock(cache.mu);
    cache.by_ctx_type[k] = {*counter, facets};
  }
  return facets;
}

// The listing's query with one parameter set (value "" removes it); `p` is dropped unless set.
std::string ListHref(const std::string& base, const std::vector<std::pair<std::string, std::string>>& params,
                     const std::string& key, const std::string& value) {
  std::string out = base;
  char sep = '?';
  bool done = false;
  for (const auto& [k, v] : params) {
    if (k == "p" && key != "p") continue;
    std::string val = v;
    if (k == key) {
      if (done) continue;
      val = value;
      done = true;
    }
    if (val.empty()) continue;
    out += sep + UrlPart(k) + "=" + UrlPart(val);
    sep = '&';
  }
  if (!done && !value.empty()) out += sep + UrlPart(key) + "=" + UrlPart(value);
  return out;
}

std::string RepoCardItem(const RepoRecord& r) {
  std::string h = "<li><a href=\"" + RepoHref(r.key) + "\"><strong>" + Escape(r.key.id.ToString()) + "</strong></a>";
  if (r.is_private) h += " <span class=\"badge\">private</span>";
  h += "<div class=\"meta\">";
  if (!r.pipeline_tag.empty()) h += Escape(r.pipeline_tag) + " · ";
  h += "Updated " + DateText(r.last_modified_ms) + " · " + HumanCount(r.downloads) + " downloads · " +
       HumanCount(r.likes) + " likes</div></li>";
  return h;
}

const char* TypeTitle(RepoType type) {
  return type == RepoType::kDataset ? "Datasets" : type == RepoType::kSpace ? "Spaces" : "Models";
}

}  // namespace

void PageHome(WebCall& call) {
  std::string body = "<h1>mhub</h1><p>A self-hosted hub for models, datasets and Spaces.</p>";
  for (RepoType type : {RepoType::kModel, RepoType::kDataset, RepoType::kSpace}) {
    RepoQuery q;
    q.type = type;
    q.sort = RepoSort::kTrending;
    q.limit = 10;
    q.viewer = call.v.who.authenticated ? call.v.who.user() : "";
    auto page = call.ctx.db->SearchRepos(q);
    std::string plural(RepoTypePlural(type));
    body += "<section aria-labelledby=\"trending-" + plural + "\"><h2 id=\"trending-" + plural + "\">Trending " +
            plural + "</h2>";
    if (!page.ok() || page->repos.empty()) {
      body += "<p class=\"muted\">None yet.</p>";
    } else {
      body += "<ul class=\"cards\">";
      for (const auto& r : page->repos) body += RepoCardItem(r);
      body += "</ul>";
    }
    body += "<p><a href=\"/" + plural + "\">All " + plural + "</a></p></section>";
  }
  SendHtml(call.res, 200, RenderPage(call.v, "Home", body));
}

void PageList(WebCall& call, RepoType type) {
  const HttpRequest& req = call.req;
  RepoQuery q;
  q.type = type;
  q.viewer = call.v.who.authenticated ? call.v.who.user() : "";
  std::string search = req.Query("search");
  if (!search.empty()) q.search.push_back(search);
  q.pipeline_tag = req.Query("pipeline_tag");
  q.library = req.Query("library");
  q.language = StripPrefix(req.Query("language"), "language:");
  q.license = StripPrefix(req.Query("license"), "license:");
  q.author = req.Query("author");
  for (const char* key : {"other", "filter", "tags"}) {
    for (const auto& v : req.QueryAll(key)) {
      for (auto& t : SplitComma(v)) q.filters.push_back(std::move(t));
    }
  }
  std::string sort = req.Query("sort");
  if (sort.empty() || sort == "trending") {
    q.sort = RepoSort::kTrending;
  } else if (sort == "likes") {
    q.sort = RepoSort::kLikes;
  } else if (sort == "downloads") {
    q.sort = RepoSort::kDownloads;
  } else if (sort == "created") {
    q.sort = RepoSort::kCreatedAt;
  } else if (sort == "modified") {
    q.sort = RepoSort::kLastModified;
  } else {
    auto parsed = ParseRepoSort(sort);
    if (!parsed.ok()) return SendMessage(call.v, call.res, 400, "Bad sort", parsed.status().message());
    q.sort = *parsed;
  }
  uint64_t page_no = 0;
  std::string p = req.Query("p");
  if (!p.empty()) {
    if (p.size() > 6 || p.find_first_not_of("0123456789") != std::string::npos) {
      return SendMessage(call.v, call.res, 400, "Bad page", "p must be a page number (0 is the first)");
    }
    page_no = std::stoull(p);
  }
  q.limit = kPageSize;
  q.offset = page_no * kPageSize;
  auto page = call.ctx.db->SearchRepos(q);
  if (!page.ok()) return SendMessage(call.v, call.res, 500, "Error", page.status().ToString());

  std::string plural(RepoTypePlural(type));
  std::string base = "/" + plural;
  std::vector<std::pair<std::string, std::string>> params = req.query;
  std::string body = "<h1>" + std::string(TypeTitle(type)) + "</h1><div class=\"layout\">";
  body += "<aside class=\"facets\" aria-label=\"Filters\">";
  for (const auto& f : Facets(call.ctx, type)) {
    if (f.values.empty()) continue;
    body += "<h2>" + std::string(f.title) + "</h2><ul>";
    std::string current = req.Query(f.param);
    if (std::string(f.param) == "language" || std::string(f.param) == "license") {
      current = StripPrefix(current, std::string(f.param) + ":");
    }
    for (const auto& [value, count] : f.values) {
      bool on = current == value;
      body += "<li><a " + std::string(on ? "class=\"on\" aria-current=\"true\" " : "") + "href=\"" +
              Escape(ListHref(base, params, f.param, on ? "" : value)) + "\">" + Escape(value) +
              " <span class=\"sr\">(</span>" + std::to_string(count) + "<span class=\"sr\">)</span></a></li>";
    }
    body += "</ul>";
  }
  body += "</aside><section aria-label=\"Results\">";
  body += "<form method=\"get\" action=\"" + base + "\" class=\"pager\">";
  for (const auto& [k, v] : params) {
    if (k == "search" || k == "sort" || k == "p") continue;
    body += "<input type=\"hidden\" name=\"" + Escape(k) + "\" value=\"" + Escape(v) + "\">";
  }
  body += "<label>Filter by name <input type=\"search\" name=\"search\" value=\"" + Escape(search) +
          "\"></label><label>Sort <select name=\"sort\">";
  for (const char* s : {"trending", "likes", "downloads", "created", "modified"}) {
    body += "<option value=\"" + std::string(s) + "\"" + (sort == s ? " selected" : "") + ">" + s + "</option>";
  }
  body += "</select></label><button type=\"submit\">Apply</button></form>";
  if (page->repos.empty()) {
    body += "<p>No " + plural + " match.</p>";
  } else {
    body += "<ul class=\"cards\" id=\"results\">";
    for (const auto& r : page->repos) body += RepoCardItem(r);
    body += "</ul>";
  }
  body += "<nav class=\"pager\" aria-label=\"Pages\">";
  if (page_no > 0) {
    body += "<a rel=\"prev\" href=\"" + Escape(ListHref(base, params, "p", std::to_string(page_no - 1))) +
            "\">Previous</a>";
  }
  body += "<span>Page " + std::to_string(page_no + 1) + "</span>";
  if (page->has_more) {
    body +=
        "<a rel=\"next\" href=\"" + Escape(ListHref(base, params, "p", std::to_string(page_no + 1))) + "\">Next</a>";
  }
  body += "</nav></section></div>";
  SendHtml(call.res, 200, RenderPage(call.v, TypeTitle(type), body, search));
}

}  // namespace mhub::server::web

namespace mhub::server::web {

void PageProfile(WebCall& call, const std::string& name) {
  auto account = call.ctx.db->GetAccount(name);
  if (!account.ok()) return SendNotFound(call.v, call.res, "No such user or organization.");
  std::string body = "<h1>" + Escape(account->fullname.empty() ? account->name : account->fullname) +
                     " <span class=\"muted\">" + Escape(account->name) + " · " +
                     (account->is_org ? "organization" : "user") + "</span></h1>";
  for (RepoType type : {RepoType::kModel, RepoType::kDataset, RepoType::kSpace}) {
    RepoQuery q;
    q.type = type;
    q.author = account->name;
    q.sort = RepoSort::kLastModified;
    q.limit = 100;
    // Private repos appear only to the owner and the org's members (the DB's viewer rule).
    q.viewer = call.v.who.authenticated ? call.v.who.user() : "";
    auto page = call.ctx.db->SearchRepos(q);
    std::string plural(RepoTypePlural(type));
    body += "<section aria-labelledby=\"" + plural + "\"><h2 id=\"" + plural + "\">" + TypeTitle(type) + "</h2>";
    if (!page.ok() || page->repos.empty()) {
      body += "<p class=\"muted\">None.</p></section>";
      continue;
    }
    body += "<ul class=\"cards\">";
    for (const auto& r : page->repos) body += RepoCardItem(r);
    body += "</ul></section>";
  }
  SendHtml(call.res, 200, RenderPage(call.v, account->name, body));
}

}  // namespace mhub::server::web
