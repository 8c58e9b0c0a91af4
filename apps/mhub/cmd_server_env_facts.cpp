// Server library facts for `mhub env`: libgit2, SQLite, OpenSSL.
#include <git2.h>
#include <openssl/crypto.h>
#include <sqlite3.h>

#include "command_registry.h"

MHUB_REGISTER_ENV_FACTS(server, 30) {
  int major = 0, minor = 0, rev = 0;
  git_libgit2_version(&major, &minor, &rev);
  std::vector<mhub::cli::EnvFact> facts;
  facts.push_back({"libgit2", std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(rev), false});
  facts.push_back({"SQLite", sqlite3_libversion(), false});
  facts.push_back({"OpenSSL", OpenSSL_version(OPENSSL_VERSION), false});
  return facts;
}
