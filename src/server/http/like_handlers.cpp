// Likes: POST/DELETE /api/{type}s/{repo}/like, GET /api/{type}s/{repo}/likers and
// GET /api/users/{user}/likes, shaped as huggingface_hub's like/unlike, list_repo_likers and
// list_liked_repos read them (hf_api.py):
//   likes:  [{"createdAt": "...", "repo": {"name": "ns/name", "type": "model"}}, ...]
//   likers: [{"user": "alice", "fullname": "...", "avatarUrl": "...", "type": "user"}, ...]
// Liking needs a user's write token (401 anonymous, 403 read token); a repo the caller may not
// read is RepoNotFound (404), as for every other route. Lists show private repos only to those
// who may read them.
#include "mhub/server/iso_time.h"
#include "server/http/handlers.h"

namespace mhub::server {

HubError HandleLike(RepoCall& call, bool like) {
  if (!call.who.authenticated) {
    return HubError(Status::Unauthenticated("You must be logged in to like a repository"), "", 401);
  }
  MHUB_RETURN_IF_ERROR(RequireRead(call.ctx, call.who, call.key).status());
  if (!call.who.write_token()) {
    return HubError::Forbidden("a read token cannot like or unlike repositories; use a write token");
  }
  MHUB_ASSIGN_OR_RETURN(int64_t likes, call.ctx.db->SetLike(call.who.user(), call.key, like));
  SetJson(call.res, Json{{"likes", likes}});
  return {};
}

HubError HandleRepoLikers(RepoCall& call) {
  MHUB_RETURN_IF_ERROR(RequireRead(call.ctx, call.who, call.key).status());
  MHUB_ASSIGN_OR_RETURN(std::vector<RepoLiker> likers, call.ctx.db->ListRepoLikers(call.key));
  Json out = Json::array();
  for (const auto& l : likers) {
    out.push_back(Json{{"user", l.user.name},
                       {"fullname", l.user.fullname.empty() ? l.user.name : l.user.fullname},
                       {"avatarUrl", ""},
                       {"type", "user"},
                       {"isPro", false}});
  }
  SetJson(call.res, out);
  return {};
}

HubError HandleUserLikes(HubContext& ctx, const Principal& who, const std::string& user, HttpResponse& res) {
  auto likes = ctx.db->ListUserLikes(user);
  if (!likes.ok()) {
    if (likes.status().code() == StatusCode::kNotFound) {
      return HubError(Status::NotFound("User not found: " + user.substr(0, 100)), "", 404);
    }
    return likes.status();
  }
  const std::string viewer = who.authenticated ? who.user() : "";
  Json out = Json::array();
  for (const auto& l : *likes) {
    MHUB_ASSIGN_OR_RETURN(bool visible, ctx.db->CanRead(viewer, l.repo));
    if (!visible) continue;
    out.push_back(
        Json{{"createdAt", FormatIsoMillis(l.liked_ms)},
             {"repo", Json{{"name", l.repo.key.id.ToString()}, {"type", std::string(RepoTypeName(l.repo.key.type))}}}});
  }
  SetJson(res, out);
  return {};
}

}  // namespace mhub::server
