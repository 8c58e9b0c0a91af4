// The Hub's listing filters (hub-api.md 4) read into a RepoQuery. Every query parameter is either
// applied or refused with 400: a filter this hub cannot apply never widens the answer silently.
#pragma once

#include "mhub/server/http_types.h"
#include "mhub/server/metadata_db.h"

namespace mhub::server {

struct ListingFilters {
  RepoQuery query;
  // True when a filter can match nothing here (e.g. inference_provider=together: this hub serves
  // no provider endpoints yet): the answer is an empty list.
  bool matches_nothing = false;
};

// Reads search, author, filter, other, pipeline_tag, library, language, license, gated, apps,
// inference, inference_provider, sort and direction; the presentation parameters (limit, cursor,
// full, config, cardData, expand) are known and left to the caller. InvalidArgument naming the
// parameter for an unknown one or an unknown value (app, provider).
Result<ListingFilters> ParseListingFilters(const HttpRequest& req, RepoType type);

}  // namespace mhub::server
