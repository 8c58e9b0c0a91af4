// The SQLite schema of the metadata DB. Statements are idempotent (IF NOT EXISTS), so opening an
// existing database runs them harmlessly. Internal to the SQLite backend.
//
// Search relies on: repos_* indexes for each sort order (type first), repo_tags (tag, repo_id)
// for `filter=` lookups, and likes/members keyed for both directions.
#pragma once

namespace mhub::server::sqlite {

inline constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS accounts(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  fullname TEXT NOT NULL DEFAULT '',
  email TEXT NOT NULL DEFAULT '',
  is_org INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS members(
  org_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  role TEXT NOT NULL,
  PRIMARY KEY(org_id, user_id));
CREATE INDEX IF NOT EXISTS members_user ON members(user_id);
CREATE TABLE IF NOT EXISTS tokens(
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  created_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS tokens_user ON tokens(user_id);
CREATE TABLE IF NOT EXISTS repos(
  id INTEGER PRIMARY KEY,
  type INTEGER NOT NULL,
  ns TEXT NOT NULL,
  name TEXT NOT NULL,
  full_id TEXT NOT NULL,
  private INTEGER NOT NULL DEFAULT 0,
  gated TEXT NOT NULL DEFAULT '',
  disabled INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL,
  last_modified_ms INTEGER NOT NULL,
  sha TEXT NOT NULL DEFAULT '',
  downloads INTEGER NOT NULL DEFAULT 0,
  likes INTEGER NOT NULL DEFAULT 0,
  author TEXT NOT NULL DEFAULT '',
  sdk TEXT NOT NULL DEFAULT '',
  card_data TEXT NOT NULL DEFAULT '{}',
  tags TEXT NOT NULL DEFAULT '[]',
  pipeline_tag TEXT NOT NULL DEFAULT '',
  library_name TEXT NOT NULL DEFAULT '',
  license TEXT NOT NULL DEFAULT '',
  languages TEXT NOT NULL DEFAULT '[]',
  UNIQUE(type, ns, name));
CREATE INDEX IF NOT EXISTS repos_downloads ON repos(type, downloads, id);
CREATE INDEX IF NOT EXISTS repos_likes ON repos(type, likes, id);
CREATE INDEX IF NOT EXISTS repos_modified ON repos(type, last_modified_ms, id);
CREATE INDEX IF NOT EXISTS repos_created ON repos(type, created_ms, id);
CREATE INDEX IF NOT EXISTS repos_full_id ON repos(type, full_id);
CREATE INDEX IF NOT EXISTS repos_ns ON repos(type, ns);
CREATE INDEX IF NOT EXISTS repos_pipeline ON repos(type, pipeline_tag);
CREATE TABLE IF NOT EXISTS repo_tags(
  tag TEXT NOT NULL,
  repo_id INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
  PRIMARY KEY(tag, repo_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS repo_tags_repo ON repo_tags(repo_id);
CREATE TABLE IF NOT EXISTS likes(
  user_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  repo_id INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
  created_ms INTEGER NOT NULL,
  PRIMARY KEY(user_id, repo_id));
CREATE INDEX IF NOT EXISTS likes_repo ON likes(repo_id);
-- Renamed repos and admin-declared legacy ids: `from_id` ("ns/name" or "gpt2") answers with a
-- redirect to to_ns/to_name (type as in repos).
CREATE TABLE IF NOT EXISTS repo_redirects(
  type INTEGER NOT NULL,
  from_id TEXT NOT NULL,
  to_ns TEXT NOT NULL,
  to_name TEXT NOT NULL,
  legacy INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL,
  PRIMARY KEY(type, from_id));
CREATE INDEX IF NOT EXISTS repo_redirects_to ON repo_redirects(type, to_ns, to_name);
CREATE TABLE IF NOT EXISTS collections(
  id INTEGER PRIMARY KEY,
  ns TEXT NOT NULL,
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  private INTEGER NOT NULL DEFAULT 0,
  theme TEXT NOT NULL DEFAULT 'orange',
  position INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  UNIQUE(ns, title));
CREATE TABLE IF NOT EXISTS collection_items(
  id INTEGER PRIMARY KEY,
  collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  item_type TEXT NOT NULL,
  item_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  added_ms INTEGER NOT NULL,
  UNIQUE(collection_id, item_type, item_id));
CREATE INDEX IF NOT EXISTS collection_items_item ON collection_items(item_type, item_id);
)sql";

}  // namespace mhub::server::sqlite
