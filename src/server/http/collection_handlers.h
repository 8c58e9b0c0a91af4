// Collections (reference/web.md 5): /api/collections[/{ns}/{slug}[/items[/{item}]]], in the Hub's
// JSON shapes (huggingface_hub's Collection / CollectionItem, @huggingface/hub's
// createCollection / deleteCollection / listCollections). A private collection is visible to its
// owner and the owning org's members only; changing one needs a write token that may write the
// owner's namespace; items naming repos the caller cannot read are left out.
#pragma once

#include <string>
#include <vector>

#include "server/http/handler_common.h"

namespace mhub::server {

// `seg` is the split path starting with "api", "collections".
HubError RouteCollections(HubContext& ctx, const HttpRequest& req, HttpResponse& res, const Principal& who,
                          const std::vector<std::string>& seg);

}  // namespace mhub::server
