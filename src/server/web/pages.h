// The page functions of the website, one file per group of pages. Each writes the whole answer
// (page, redirect or error page) into call.res.
#pragma once

#include <string>
#include <vector>

#include "mhub/server/repo_path.h"
#include "server/web/web_site.h"

namespace mhub::server::web {

// pages_list.cpp: "/" and the /models, /datasets, /spaces listings (HF query parameters).
void PageHome(WebCall& call);
void PageList(WebCall& call, RepoType type);
// /{user} or /{org}: their repos (private ones only to themselves / the org's members).
void PageProfile(WebCall& call, const std::string& name);

// pages_repo.cpp: the model / dataset / Space page with its card.
void PageRepo(WebCall& call, const RepoKey& key);

// pages_files.cpp: /{id}/tree/{rev}/{path} and /{id}/blob/{rev}/{path}.
void PageTree(WebCall& call, const RepoKey& key, const std::string& rev, const std::string& path);
void PageBlob(WebCall& call, const RepoKey& key, const std::string& rev, const std::string& path);

// pages_commits.cpp: /{id}/commits/{rev} and /{id}/commit/{sha} (with the diff of text files).
void PageCommits(WebCall& call, const RepoKey& key, const std::string& rev);
void PageCommit(WebCall& call, const RepoKey& key, const std::string& sha);

// pages_account.cpp: sign in / out, tokens, password.
void PageLogin(WebCall& call);
void PageLogout(WebCall& call);
void PageTokens(WebCall& call);
void PageTokenRevoke(WebCall& call, const std::string& id);
void PagePassword(WebCall& call);

// pages_manage.cpp: /new, /{id}/settings, /{id}/edit/{rev}/{path} (browser commits).
void PageNewRepo(WebCall& call);
void PageRepoSettings(WebCall& call, const RepoKey& key);
void PageEditFile(WebCall& call, const RepoKey& key, const std::string& rev, const std::string& path);

// pages_discussions.cpp: /{id}/discussions[/{num}[/comment|status|merge]]; `rest` is what
// follows "discussions" (decoded).
void PageDiscussions(WebCall& call, const RepoKey& key, const std::vector<std::string>& rest);

// assets.cpp: /static/mhub.css.
bool ServeStatic(WebCall& call, const std::string& name);

// The repo header shared by the repo pages (title, type, private badge, tabs); `tab` is "card",
// "files", "commits" or "settings".
std::string RepoHeader(WebCall& call, const RepoRecord& record, const std::string& tab);
// RequireRead for a page: the record, or the 404 page written and nullopt.
std::optional<RepoRecord> ReadableRepo(WebCall& call, const RepoKey& key);

}  // namespace mhub::server::web
