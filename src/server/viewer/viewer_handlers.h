// HTTP handlers of the dataset viewer API (web.md §2): GET /api/viewer/{route}?dataset=... with the
// public viewer's parameters, shapes and errors, and the Hub's GET /api/datasets/{id}/parquet[...]
// listing of the converted files. Auth is the hub's: a dataset the caller may not read is the
// same RepoNotFound as on every other route (401 to an anonymous caller).
#pragma once

#include <string>
#include <vector>

#include "server/http/handler_common.h"

namespace mhub::server::viewer {

// `route`: is-valid, splits, first-rows, rows, search, filter, size, info, statistics, parquet.
HubError HandleViewerRoute(HubContext& ctx, const HttpRequest& req, HttpResponse& res, const Principal& who,
                           const std::string& route);

// /api/datasets/{id}/parquet, /parquet/{config}, /parquet/{config}/{split} (URL lists) and
// /parquet/{config}/{split}/{n}.parquet (a redirect to the file on refs/convert/parquet).
// `rest`: the decoded segments from "parquet" on (rest[0] == "parquet").
HubError HandleDatasetParquet(RepoCall& call, const std::vector<std::string>& rest);

}  // namespace mhub::server::viewer
