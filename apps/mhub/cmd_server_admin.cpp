// `mhub admin ...`: accounts and tokens of a hub's data directory (works while the server runs).
//   mhub admin create-user NAME --data DIR [--org ORG] [--email E]   (prints a write token last)
//   mhub admin create-org NAME --data DIR [--member USER]...
//   mhub admin create-token USER --data DIR [--role read|write] [--name N]
//   mhub admin add-member ORG USER --data DIR [--role read|write|admin]
//   mhub admin alias-repo ALIAS TARGET --data DIR [--type model|dataset|space] [--remove]
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "command_registry.h"
#include "mhub/base/env.h"
#include "mhub/server/metadata_db.h"
#include "mhub/server/repo_aliases.h"

namespace {

using mhub::server::MetadataDb;

struct AdminOptions {
  std::string data_dir;
  std::string name;
  std::string user;
  std::string org;
  std::string email;
  std::string role = "write";
  std::string token_name = "default";
  std::vector<std::string> members;
  std::string alias_target;  // alias-repo: "ns/name"
  std::string repo_type = "model";
  bool remove = false;
};

// `admin create-user` is the first step of a new hub (README), so there (and for create-org) a
// missing --data is created, but said out loud: a typo in --data would otherwise make accounts in
// a hub nobody serves. Tokens and memberships need an existing hub.
mhub::Result<std::unique_ptr<MetadataDb>> OpenDb(const std::string& data_dir, bool may_create = false) {
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::path(data_dir) / "db.sqlite", ec)) {
    if (!may_create) {
      return mhub::Status::NotFound("no hub in " + data_dir + " (db.sqlite is missing; create a user first)");
    }
    std::fprintf(stderr, "mhub: creating a new hub in %s\n", data_dir.c_str());
  }
  MHUB_RETURN_IF_ERROR(mhub::Env::Default()->CreateDirs(data_dir));
  return mhub::server::OpenSqliteMetadataDb(data_dir + "/db.sqlite");
}

mhub::Result<mhub::server::TokenRole> ParseTokenRole(const std::string& role) {
  if (role == "read") return mhub::server::TokenRole::kRead;
  if (role == "write") return mhub::server::TokenRole::kWrite;
  return mhub::Status::InvalidArgument("token role must be read or write, not '" + role + "'");
}

int CreateUser(const AdminOptions& o) {
  auto db = OpenDb(o.data_dir, true);
  if (!db.ok()) return mhub::cli::print_error(db.status());
  auto user = (*db)->CreateUser(o.name, o.email, "");
  if (!user.ok()) return mhub::cli::print_error(user.status());
  if (!o.org.empty()) {
    if (!(*db)->GetAccount(o.org).ok()) {
      auto org = (*db)->CreateOrg(o.org, "");
      if (!org.ok()) return mhub::cli::print_error(org.status());
    }
    mhub::Status st = (*db)->SetOrgMember(o.org, o.name, mhub::server::OrgRole::kAdmin);
    if (!st.ok()) return mhub::cli::print_error(st);
  }
  auto token = (*db)->CreateToken(o.name, o.token_name, mhub::server::TokenRole::kWrite);
  if (!token.ok()) return mhub::cli::print_error(token.status());
  std::printf("created user %s%s\n", o.name.c_str(), o.org.empty() ? "" : (" (admin of " + o.org + ")").c_str());
  std::printf("%s\n", token->secret.c_str());
  return 0;
}

int CreateOrg(const AdminOptions& o) {
  auto db = OpenDb(o.data_dir, true);
  if (!db.ok()) return mhub::cli::print_error(db.status());
  auto org = (*db)->CreateOrg(o.name, "");
  if (!org.ok()) return mhub::cli::print_error(org.status());
  for (const auto& m : o.members) {
    mhub::Status st = (*db)->SetOrgMember(o.name, m, mhub::server::OrgRole::kWrite);
    if (!st.ok()) return mhub::cli::print_error(st);
  }
  std::printf("created org %s\n", o.name.c_str());
  return 0;
}

int CreateToken(const AdminOptions& o) {
  auto role = ParseTokenRole(o.role);
  if (!role.ok()) return mhub::cli::print_error(role.status());
  auto db = OpenDb(o.data_dir);
  if (!db.ok()) return mhub::cli::print_error(db.status());
  auto token = (*db)->CreateToken(o.user, o.token_name, *role);
  if (!token.ok()) return mhub::cli::print_error(token.status());
  std::printf("%s\n", token->secret.c_str());
  return 0;
}

int AddMember(const AdminOptions& o) {
  auto role = mhub::server::ParseOrgRole(o.role);
  if (!role.ok()) return mhub::cli::print_error(role.status());
  auto db = OpenDb(o.data_dir);
  if (!db.ok()) return mhub::cli::print_error(db.status());
  mhub::Status st = (*db)->SetOrgMember(o.org, o.user, *role);
  if (!st.ok()) return mhub::cli::print_error(st);
  std::printf("%s is now %s of %s\n", o.user.c_str(), o.role.c_str(), o.org.c_str());
  return 0;
}

// A legacy id ("gpt2") that redirects to TARGET on the API, resolve and git routes (repo_aliases.h).
int AliasRepo(const AdminOptions& o) {
  auto type = mhub::server::ParseRepoType(o.repo_type);
  if (!type.ok()) return mhub::cli::print_error(type.status());
  auto db = OpenDb(o.data_dir);
  if (!db.ok()) return mhub::cli::print_error(db.status());
  if (o.remove) {
    mhub::Status st = mhub::server::RemoveRepoAlias(**db, *type, o.name);
    if (!st.ok()) return mhub::cli::print_error(st);
    std::printf("%s no longer redirects\n", o.name.c_str());
    return 0;
  }
  auto target = mhub::server::ParseRepoId(o.alias_target);
  if (!target.ok()) return mhub::cli::print_error(target.status());
  mhub::Status st = mhub::server::DeclareRepoAlias(**db, *type, o.name, *target);
  if (!st.ok()) return mhub::cli::print_error(st);
  std::printf("%s now redirects to %s\n", o.name.c_str(), target->ToString().c_str());
  return 0;
}

}  // namespace

MHUB_REGISTER_COMMAND(admin) {
  auto* admin = app.add_subcommand("admin", "Manage users, organizations and tokens of a hub data directory");
  admin->require_subcommand(1);
  auto opts = std::make_shared<AdminOptions>();

  auto* user = admin->add_subcommand("create-user", "Create a user and print a new write token (last line)");
  user->add_option("name", opts->name, "User name")->required();
  user->add_option("--data", opts->data_dir, "Hub data directory")->required();
  user->add_option("--org", opts->org, "Also make the user an admin of this org (created if missing)");
  user->add_option("--email", opts->email, "E-mail address");
  user->add_option("--token-name", opts->token_name, "Display name of the token")->capture_default_str();

  auto* org = admin->add_subcommand("create-org", "Create an organization");
  org->add_option("name", opts->name, "Organization name")->required();
  org->add_option("--data", opts->data_dir, "Hub data directory")->required();
  org->add_option("--member", opts->members, "User to add with the write role (repeatable)");

  auto* token = admin->add_subcommand("create-token", "Create a token for a user and print it");
  token->add_option("user", opts->user, "User name")->required();
  token->add_option("--data", opts->data_dir, "Hub data directory")->required();
  token->add_option("--role", opts->role, "read or write")->capture_default_str();
  token->add_option("--name", opts->token_name, "Display name of the token")->capture_default_str();

  auto* member = admin->add_subcommand("add-member", "Add a user to an organization or change their role");
  member->add_option("org", opts->org, "Organization name")->required();
  member->add_option("user", opts->user, "User name")->required();
  member->add_option("--data", opts->data_dir, "Hub data directory")->required();
  member->add_option("--role", opts->role, "read, write or admin")->capture_default_str();

  auto* alias = admin->add_subcommand("alias-repo", "Make a legacy repo id (e.g. gpt2) redirect to a repo");
  alias->add_option("alias", opts->name, "Legacy id: one part (gpt2) or ns/name naming no repo")->required();
  alias->add_option("target", opts->alias_target, "The repo it redirects to (ns/name)");
  alias->add_option("--data", opts->data_dir, "Hub data directory")->required();
  alias->add_option("--type", opts->repo_type, "model, dataset or space")->capture_default_str();
  alias->add_flag("--remove", opts->remove, "Remove the alias instead");

  return [opts, user, org, token, member, alias]() -> int {
    if (user->parsed()) return CreateUser(*opts);
    if (org->parsed()) return CreateOrg(*opts);
    if (token->parsed()) return CreateToken(*opts);
    if (member->parsed()) return AddMember(*opts);
    if (alias->parsed()) {
      if (!opts->remove && opts->alias_target.empty()) {
        std::fprintf(stderr, "mhub: error: alias-repo needs a TARGET (or --remove)\n");
        return 2;
      }
      return AliasRepo(*opts);
    }
    return 2;
  };
}
