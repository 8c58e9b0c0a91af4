// Listing and search: GET /api/models, /api/datasets, /api/spaces (hub-api.md 4), paginated with
// an absolute `Link: <...>; rel="next"` header whose URL keeps every original query parameter.
// Filters: search_filters.h (an unknown one is a 400, never ignored).
#include <set>

#include "server/http/handlers.h"
#include "server/http/search_filters.h"

namespace mhub::server {
namespace {

constexpr uint64_t kMaxPage = 1000;

}  // namespace

HubError HandleListRepos(HubContext& ctx, const HttpRequest& req, const Principal& who, RepoType type,
                         HttpResponse& res) {
  MHUB_ASSIGN_OR_RETURN(ListingFilters filters, ParseListingFilters(req, type));
  RepoQuery& query = filters.query;
  MHUB_ASSIGN_OR_RETURN(query.limit, ParseLimit(req, kMaxPage, kMaxPage));
  MHUB_ASSIGN_OR_RETURN(query.offset, DecodeCursor(req.Query("cursor")));
  query.viewer = who.authenticated ? who.user() : "";
  RepoPage page;
  if (!filters.matches_nothing) {
    MHUB_ASSIGN_OR_RETURN(page, ctx.db->SearchRepos(query));
  }

  bool full = req.QueryBool("full");
  std::set<std::string> expand;
  for (const auto& e : req.QueryAll("expand")) expand.insert(e);
  if (expand.empty() && !full) {
    // The Hub's default list item.
    expand = {"author", "likes", "downloads", "tags", "createdAt", "private", "gated", "lastModified"};
    if (type == RepoType::kModel) expand.insert({"pipeline_tag", "library_name", "modelId"});
    if (type == RepoType::kSpace) expand.insert("sdk");
    if (req.QueryBool("cardData")) expand.insert("cardData");
  }
  bool want_siblings = full || expand.count("siblings");
  Json out = Json::array();
  for (const auto& record : page.repos) {
    Json siblings = nullptr;
    if (want_siblings && !record.sha.empty()) {
      auto entries = ctx.repos->ListTree(record.key, record.sha, "", true);
      if (entries.ok()) {
        siblings = Json::array();
        for (const auto& e : *entries) {
          if (e.type == TreeEntry::Type::kFile) siblings.push_back({{"rfilename", e.path}});
        }
      }
    }
    Json item = RepoInfoJson(record, record.sha, siblings, full ? std::set<std::string>{} : expand);
    if (full && !req.QueryBool("cardData") && !expand.count("cardData")) item.erase("cardData");
    out.push_back(std::move(item));
  }
  if (page.has_more) {
    res.SetHeader("Link",
                  "<" + NextPageUrl(ctx, req, EncodeCursor(query.offset + page.repos.size())) + ">; rel=\"next\"");
  }
  SetJson(res, out);
  return {};
}

}  // namespace mhub::server
