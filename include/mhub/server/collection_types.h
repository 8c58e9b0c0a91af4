// What MetadataDb stores for collections (curated lists of repos, web.md 5) and for repo
// redirects (renamed repos and admin-declared legacy ids such as "gpt2" -> "openai-community/gpt2").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mhub/server/repo_path.h"

namespace mhub::server {

// `from` keeps answering for `to`: a 307 to the new name on the API, resolve and git routes.
struct RepoRedirect {
  RepoType type = RepoType::kModel;
  std::string from;  // "ns/name", or a one-part legacy id ("gpt2")
  RepoId to;
  bool legacy = false;  // declared by an admin (not left behind by a move)
  int64_t created_ms = 0;
};

struct CollectionItem {
  int64_t row_id = 0;     // stable; the API `_id` is derived from it
  std::string item_type;  // "model" | "dataset" | "space" | "paper" | "collection"
  std::string item_id;    // repo id "ns/name", paper id, or collection slug
  int64_t position = 0;
  std::string note;  // "" for none
  int64_t added_ms = 0;
};

struct Collection {
  int64_t row_id = 0;  // the slug's 24-hex suffix is derived from it
  std::string ns;      // owner (user or org)
  std::string title;
  std::string description;
  bool is_private = false;
  std::string theme = "orange";
  int64_t position = 0;  // order on the owner's profile
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  std::vector<CollectionItem> items;  // ordered by position, then row_id
};

// A change to a collection; unset fields stay.
struct CollectionUpdate {
  std::optional<std::string> title;
  std::optional<std::string> description;
  std::optional<bool> is_private;
  std::optional<std::string> theme;
  std::optional<int64_t> position;
};

}  // namespace mhub::server
