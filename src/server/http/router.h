// The URL router: matches the raw (still percent-encoded) path segment by segment and decodes
// each segment afterwards, so `refs%2Fpr%2F1` stays one revision and `sub%2Fdir` one folder
// (hub-api.md 1.4). Authenticates, calls the handler, and turns every failure into the Hub's
// error answer. Never throws.
#pragma once

#include "mhub/server/http_types.h"
#include "server/http/hub_context.h"

namespace mhub::server {

void DispatchRequest(HubContext& ctx, const HttpRequest& req, HttpResponse& res);

}  // namespace mhub::server
