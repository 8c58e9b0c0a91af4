// The Hub's discussions API under /api/{type}s/{id}/discussions (reference/web.md 4.2):
//   GET  .../discussions?p=&type=&status=&author=      list (50 a page)
//   POST .../discussions {title, description, pullRequest}
//   GET  .../discussions/{num}[?diff=1]                 details with events
//   POST .../discussions/{num}/comment {comment}
//   POST .../discussions/{num}/comment/{id}/edit {content}
//   POST|PUT .../discussions/{num}/comment/{id}/hide
//   POST .../discussions/{num}/title {title}
//   POST .../discussions/{num}/status {status, comment?}
//   POST .../discussions/{num}/merge [{comment}]
#pragma once

#include <string>
#include <vector>

#include "server/http/handler_common.h"

namespace mhub::server {

// `rest`: the decoded segments after "discussions" (may be empty).
HubError HandleDiscussionsApi(RepoCall& call, const std::vector<std::string>& rest);

}  // namespace mhub::server
