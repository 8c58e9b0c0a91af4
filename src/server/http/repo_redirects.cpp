#include "server/http/repo_redirects.h"

namespace mhub::server {

std::optional<RepoId> FindReadableRedirect(HubContext& ctx, const Principal& who, RepoType type,
                                           const std::string& from) {
  auto redirect = ctx.db->LookupRepoRedirect(type, from);
  if (!redirect.ok()) return std::nullopt;
  // The target's own privacy rules decide: a private target stays invisible behind its old name.
  if (!RequireRead(ctx, who, RepoKey{type, redirect->to}).ok()) return std::nullopt;
  return redirect->to;
}

void SetRepoRedirect(const HttpRequest& req, const std::vector<std::string>& seg, size_t begin, size_t end,
                     const RepoId& to, const std::string& name_suffix, HttpResponse& res) {
  std::string location;
  for (size_t i = 0; i < begin && i < seg.size(); ++i) location += "/" + seg[i];
  // Both parts are validated ids ([A-Za-z0-9._-]): nothing to percent-encode.
  location += "/" + to.ns + "/" + to.name + name_suffix;
  for (size_t i = end; i < seg.size(); ++i) location += "/" + seg[i];
  if (!req.raw_path.empty() && req.raw_path.back() == '/' && end < seg.size()) location += "/";
  size_t q = req.target.find('?');
  if (q != std::string::npos) location += req.target.substr(q);
  res.status = 307;
  res.headers.clear();
  res.SetHeader("Location", location);
  res.content_type.clear();
  res.body.clear();
  res.file.reset();
  res.head_content_length.reset();
}

}  // namespace mhub::server
