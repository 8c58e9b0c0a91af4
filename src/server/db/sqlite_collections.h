// The SQLite side of repo redirects and collections (tables repo_redirects, collections,
// collection_items in sqlite_schema.h). Internal to the SQLite MetadataDb, which forwards its
// MetadataDb calls here with a leased connection; the contracts are those of metadata_db.h.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "mhub/server/collection_types.h"
#include "server/db/sqlite_conn.h"

namespace mhub::server::sqlite {

Status AddRepoRedirect(Conn& c, const RepoRedirect& redirect);
Result<RepoRedirect> LookupRepoRedirect(Conn& c, RepoType type, std::string_view from);
Status DeleteRepoRedirect(Conn& c, RepoType type, std::string_view from);
Result<std::vector<RepoRedirect>> ListRepoRedirects(Conn& c);

Result<Collection> CreateCollection(Conn& c, const Collection& collection);
Result<Collection> GetCollection(Conn& c, int64_t row_id);
Status UpdateCollection(Conn& c, int64_t row_id, const CollectionUpdate& update);
Status DeleteCollection(Conn& c, int64_t row_id);
Result<std::vector<Collection>> ListCollections(Conn& c, std::string_view ns, std::string_view item_type,
                                                std::string_view item_id);
Result<CollectionItem> AddCollectionItem(Conn& c, int64_t collection, const CollectionItem& item);
Status UpdateCollectionItem(Conn& c, int64_t collection, int64_t item, std::optional<int64_t> position,
                            std::optional<std::string> note);
Status DeleteCollectionItem(Conn& c, int64_t collection, int64_t item);

}  // namespace mhub::server::sqlite
