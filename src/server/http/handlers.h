// The HTTP handlers, one per Hub route (hub-api.md). The router (router.cpp) parses the URL,
// authenticates, and calls one of these; each fills `res` or returns the HubError to send.
#pragma once

#include <string>

#include "server/http/handler_common.h"

namespace mhub::server {

// --- account and repo administration (admin_handlers.cpp) -----------------------------------
HubError HandleWhoami(HubContext& ctx, const HttpRequest& req, const Principal& who, HttpResponse& res);
HubError HandleCreateRepo(HubContext& ctx, const HttpRequest& req, const Principal& who, HttpResponse& res);
HubError HandleDeleteRepo(HubContext& ctx, const HttpRequest& req, const Principal& who, HttpResponse& res);
HubError HandleMoveRepo(HubContext& ctx, const HttpRequest& req, const Principal& who, HttpResponse& res);
HubError HandleRepoSettings(RepoCall& call);
HubError HandleAuthCheck(RepoCall& call, bool write);
HubError HandleValidateYaml(HubContext& ctx, const HttpRequest& req, HttpResponse& res);

// --- listing (list_handler.cpp) --------------------------------------------------------------
HubError HandleListRepos(HubContext& ctx, const HttpRequest& req, const Principal& who, RepoType type,
                         HttpResponse& res);

// --- reading a repo (repo_read_handlers.cpp) -------------------------------------------------
// `revision` empty: the plain /api/{type}s/{id} form (main).
HubError HandleRepoInfo(RepoCall& call, const std::string& revision);
HubError HandleTree(RepoCall& call, const std::string& revision, const std::string& folder);
HubError HandlePathsInfo(RepoCall& call, const std::string& revision);
HubError HandleRefs(RepoCall& call);
HubError HandleCommits(RepoCall& call, const std::string& revision);

// --- refs (ref_handlers.cpp) ----------------------------------------------------------------
HubError HandleCreateBranch(RepoCall& call, const std::string& branch);
HubError HandleDeleteBranch(RepoCall& call, const std::string& branch);
HubError HandleCreateTag(RepoCall& call, const std::string& revision);
HubError HandleDeleteTag(RepoCall& call, const std::string& tag);

// --- downloads (resolve_handler.cpp) ---------------------------------------------------------
// `raw`: the /raw/ route (LFS files answer with their pointer text).
HubError HandleResolve(RepoCall& call, const std::string& revision, const std::string& path, bool raw);

// --- uploads (upload_handlers.cpp) -----------------------------------------------------------
HubError HandlePreupload(RepoCall& call, const std::string& revision);
HubError HandleCommit(RepoCall& call, const std::string& revision);

// --- git LFS (lfs_handlers.cpp) --------------------------------------------------------------
HubError HandleLfsBatch(RepoCall& call);
// PUT/GET of one object through a signed URL (no Authorization header needed).
HubError HandleLfsObject(RepoCall& call, const std::string& oid);
HubError HandleLfsVerify(RepoCall& call);
HubError HandleLfsLocksVerify(RepoCall& call);
// Multipart transfer (lfs_handlers.cpp): PUT of part `part` of upload `upload_id` through its
// signed URL (answers the part's ETag), and the signed completion POST that assembles them.
HubError HandleLfsMultipartPart(RepoCall& call, const std::string& oid, const std::string& upload_id,
                                const std::string& part);
HubError HandleLfsMultipartComplete(RepoCall& call, const std::string& oid, const std::string& upload_id);

// --- likes (like_handlers.cpp) ----------------------------------------------------------------
// POST (like = true) / DELETE (false) /api/{type}s/{repo}/like.
HubError HandleLike(RepoCall& call, bool like);
// GET /api/{type}s/{repo}/likers.
HubError HandleRepoLikers(RepoCall& call);
// GET /api/users/{user}/likes.
HubError HandleUserLikes(HubContext& ctx, const Principal& who, const std::string& user, HttpResponse& res);

// --- git smart HTTP (git_handler.cpp) --------------------------------------------------------
// `service_path` is what follows "<repo>.git": "info/refs", "git-upload-pack", "git-receive-pack".
HubError HandleGitSmartHttp(RepoCall& call, const std::string& service_path);

}  // namespace mhub::server
