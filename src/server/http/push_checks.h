// Checks every git push must pass before any ref moves, run in the server at git's pre-receive
// stage (git_pre_receive_hook.h) while the pushed objects sit in git's quarantine. git itself has
// already applied its fsck rules to them (receive.fsckObjects, see git_cgi.h); these add what
// git cannot know: the cap on regular (non-LFS) files, mhub's own path rules, and (from the LFS
// code) LFS pointer rules.
//
// To add a check: write a function with the PushCheck signature below and list it in
// PushChecks() in push_checks.cpp. It returns OK, or an error whose message is shown to the
// pusher (as "remote:" lines) and refuses the whole push; no ref of it moves.
#pragma once

#include <git2.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/server/repo_path.h"
#include "server/http/hub_context.h"

namespace mhub::server {

// One ref update of the push; oids are 40 hex, all zeros for a created (old) or deleted (new) ref.
struct PushedRef {
  std::string ref;  // "refs/heads/main"
  std::string old_oid;
  std::string new_oid;
};

struct PushCheckInput {
  const HubContext& ctx;
  const RepoKey& key;
  const std::string& user;  // the pushing user (always authenticated)
  git_repository* repo;     // the repo, with the quarantined (pushed) objects readable
  // git's quarantine object directory, holding exactly the pushed objects; "" when the push
  // brings none (it only deletes a branch).
  const std::string& quarantine;
  const std::vector<PushedRef>& refs;
};

using PushCheck = Status (*)(const PushCheckInput& in);

// A blob the push brings (it is in the quarantine), with one path where a pushed commit has it
// ("" when no pushed commit names it).
struct PushedBlob {
  git_oid oid;
  uint64_t size = 0;
  std::string path;
};
// Calls `fn` for each blob the push brings, in no particular order; stops at the first error.
// Paths come from walking the trees of the pushed commits (each tree once).
Status ForEachPushedBlob(const PushCheckInput& in, const std::function<Status(const PushedBlob&)>& fn);

// The non-LFS file cap for commits and pushes: HttpLimits::max_regular_file, or the environment
// variable MHUB_MAX_REGULAR_FILE_SIZE (bytes; 0 = no cap) when set.
uint64_t RegularFileCap(const HubContext& ctx);

// The checks, in order.
const std::vector<PushCheck>& PushChecks();

// Parses git's "<old> <new> <ref>" lines and runs PushChecks() on a fresh handle of the repo with
// `quarantine` added as an object source. The first error wins.
Status RunPushChecks(const HubContext& ctx, const RepoKey& key, const std::string& user, const std::string& quarantine,
                     const std::string& ref_lines);

}  // namespace mhub::server
