// `mhub login [--token T]` stores a token where huggingface_hub reads it, after the hub has
// accepted it; `mhub logout` removes it. Also `mhub auth login|logout` (main.cpp).
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "cmd_hub_common.h"
#include "mhub/hub/hub_config.h"

namespace {

struct LoginOptions {
  std::string token;
};

std::string TrimLine(std::string s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  size_t start = s.find_first_not_of(" \t");
  return start == std::string::npos ? "" : s.substr(start);
}

// Reads the token: on a terminal, from a prompt that does not echo what is typed (as getpass);
// otherwise one line of stdin (scripts: `echo $TOKEN | mhub login`).
std::string ReadToken() {
  std::string token;
  if (!::isatty(STDIN_FILENO)) {
    std::getline(std::cin, token);
    return TrimLine(token);
  }
  // Echo goes off before the prompt shows, so nothing typed after the prompt can be echoed, and
  // TCSANOW (not TCSAFLUSH) keeps what was typed early.
  termios old_mode{};
  bool restore = ::tcgetattr(STDIN_FILENO, &old_mode) == 0;
  if (restore) {
    termios quiet = old_mode;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::cerr << "Enter your token (input will not be visible): " << std::flush;
  std::getline(std::cin, token);
  if (restore) ::tcsetattr(STDIN_FILENO, TCSANOW, &old_mode);
  return TrimLine(token);
}

}  // namespace

MHUB_REGISTER_COMMAND(login) {
  auto* sub = app.add_subcommand("login", "Check a hub access token and store it ($HF_HOME/token)");
  auto opts = std::make_shared<LoginOptions>();
  sub->add_option("--token", opts->token, "the token (default: prompted for without echo, or one line of stdin)");
  sub->footer("Example: mhub login --token \"$TOKEN\"   (the token is checked against $MHUB_ENDPOINT first)");
  return [opts]() -> int {
    std::string token = opts->token.empty() ? ReadToken() : opts->token;
    if (token.empty())
      return mhub::cli::print_error("no token given (type it at the prompt, pass --token or pipe it in)");
    mhub::hub::HubConfig config = mhub::hub::HubConfig::FromEnv();
    config.token = token;
    // The token is stored only once the hub has said whose it is: a token nobody checked would make
    // every later command fail with a less clear error.
    auto me = mhub::hub::HubClient(config).whoami();
    if (!me.ok()) {
      if (me.status().code() == mhub::StatusCode::kUnauthenticated)
        return mhub::cli::print_error("the hub at " + config.endpoint +
                                      " did not accept the token: " + me.status().message() + "; nothing was stored");
      return mhub::cli::print_error(mhub::cli::ErrorText(me.status()) + "; the token was not checked and not stored");
    }
    mhub::Status stored = mhub::hub::StoreToken(token);
    if (!stored.ok()) return mhub::cli::print_error(stored);
    std::cout << "Login successful: logged in as " << me->name << " on " << config.endpoint << ". Token saved to "
              << mhub::hub::TokenPath() << "\n";
    for (const char* name : {"MHUB_TOKEN", "HF_TOKEN"}) {
      const char* v = std::getenv(name);
      if (v != nullptr && *v != '\0' && token != v)
        mhub::cli::print_warning(std::string("$") + name + " is set and takes precedence over the stored token");
    }
    return 0;
  };
}

MHUB_REGISTER_COMMAND(logout) {
  auto* sub = app.add_subcommand("logout", "Remove the stored hub token");
  (void)sub;
  return []() -> int {
    std::error_code ec;
    bool had_token = std::filesystem::exists(mhub::hub::TokenPath(), ec);
    mhub::Status s = mhub::hub::DeleteStoredToken();
    if (!s.ok()) return mhub::cli::print_error(s);
    if (had_token)
      std::cout << "Logged out: removed " << mhub::hub::TokenPath() << "\n";
    else
      std::cout << "Not logged in: there was no stored token at " << mhub::hub::TokenPath() << "\n";
    for (const char* name : {"MHUB_TOKEN", "HF_TOKEN"}) {
      const char* v = std::getenv(name);
      if (v != nullptr && *v != '\0')
        mhub::cli::print_warning(std::string("$") + name + " is still set: commands keep using that token");
    }
    return 0;
  };
}
