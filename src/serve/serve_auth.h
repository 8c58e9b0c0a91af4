// Who may call an endpoint's inference routes: anyone (--no-auth), holders of the endpoint key
// (--api-key, TGI/TEI's Bearer check), or holders of a hub token that can read the served repo
// (checked against the hub, remembered for a minute). Thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

#include "mhub/base/status.h"
#include "mhub/server/http_types.h"

namespace mhub::serve {

class ServeAuth {
 public:
  // `hub_url` empty: no hub tokens. `repo_id`/`revision`: the repo the token must read.
  ServeAuth(bool no_auth, std::string api_key, std::string hub_url, std::string repo_id, std::string revision);

  // OK, Unauthenticated (no or unknown credentials), PermissionDenied is never returned: a token
  // that cannot read the repo is unknown to it (as the hub answers 401/404 for private repos), or
  // Unavailable when the hub cannot be asked.
  Status Check(const server::HttpRequest& req);

 private:
  bool no_auth_;
  std::string api_key_, hub_url_, repo_id_, revision_;
  std::mutex mu_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> allowed_;  // token -> until
};

}  // namespace mhub::serve
