// `mhub login [--token T]` stores a token where huggingface_hub reads it; `mhub logout` removes it.
#include <iostream>

#include "cmd_hub_common.h"
#include "mhub/hub/hub_config.h"

namespace {

struct LoginOptions {
  std::string token;
};

}  // namespace

MHUB_REGISTER_COMMAND(login) {
  auto* sub = app.add_subcommand("login", "Store a hub access token ($HF_HOME/token)");
  auto opts = std::make_shared<LoginOptions>();
  sub->add_option("--token", opts->token, "the token (default: read one line from stdin)");
  return [opts]() -> int {
    std::string token = opts->token;
    if (token.empty()) {
      std::getline(std::cin, token);
      while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
    }
    if (token.empty()) return mhub::cli::print_error("no token given (use --token or pass it on stdin)");
    mhub::hub::HubConfig config = mhub::hub::HubConfig::FromEnv();
    config.token = token;
    auto me = mhub::hub::HubClient(config).whoami();
    if (!me.ok() && me.status().code() != mhub::StatusCode::kUnavailable) {
      return mhub::cli::print_error(me.status().WithContext("the token was not accepted"));
    }
    mhub::Status stored = mhub::hub::StoreToken(token);
    if (!stored.ok()) return mhub::cli::print_error(stored);
    if (me.ok()) {
      std::cout << "Login successful: logged in as " << me->name << ". Token saved to " << mhub::hub::TokenPath()
                << "\n";
    } else {
      std::cerr << "mhub: warning: could not reach " << config.endpoint << " to check the token\n";
      std::cout << "Token saved to " << mhub::hub::TokenPath() << "\n";
    }
    return 0;
  };
}

MHUB_REGISTER_COMMAND(logout) {
  auto* sub = app.add_subcommand("logout", "Remove the stored hub token");
  (void)sub;
  return []() -> int {
    mhub::Status s = mhub::hub::DeleteStoredToken();
    if (!s.ok()) return mhub::cli::print_error(s);
    std::cout << "Logged out\n";
    return 0;
  };
}
