// `mhub whoami [--json]`: the user the configured token belongs to.
#include <iostream>

#include "cmd_hub_common.h"

namespace {

struct WhoamiOptions {
  bool json = false;
};

}  // namespace

MHUB_REGISTER_COMMAND(whoami) {
  auto* sub = app.add_subcommand("whoami", "Show the user of the configured token");
  auto opts = std::make_shared<WhoamiOptions>();
  sub->add_flag("--json", opts->json, "print the hub's whoami JSON");
  return [opts]() -> int {
    auto client = mhub::hub::HubClient::FromEnv();
    if (client.config().token.empty())
      return mhub::cli::print_error("not logged in: run `mhub login`, or pass --token or set MHUB_TOKEN");
    auto me = client.whoami();
    if (!me.ok()) return mhub::cli::print_error(me.status());
    if (opts->json) {
      std::cout << mhub::DumpJson(me->raw) << "\n";
      return 0;
    }
    std::cout << me->name << "\n";
    if (!me->orgs.empty()) {
      std::cout << "orgs: ";
      for (size_t i = 0; i < me->orgs.size(); ++i) std::cout << (i ? "," : "") << me->orgs[i];
      std::cout << "\n";
    }
    return 0;
  };
}
