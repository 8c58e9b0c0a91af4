// `mhub env [--json]`: what a bug report needs (as `transformers env` / `hf env`): mhub's version,
// the platform, CPU and ISA chosen, threads, hub endpoint and cache, and library versions. Each
// library compiled in adds its own facts (cmd_<lib>_env_facts.cpp).
#include <sys/utsname.h>

#include <iostream>
#include <thread>

#include "command_registry.h"
#include "mhub/base/json.h"

MHUB_REGISTER_ENV_FACTS(base, 0) {
  std::vector<mhub::cli::EnvFact> facts;
  facts.push_back({"mhub version", MHUB_VERSION, false});
  utsname u{};
  if (::uname(&u) == 0) facts.push_back({"Platform", std::string(u.sysname) + " " + u.release + " " + u.machine, true});
  facts.push_back({"Compiler", __VERSION__, false});
  facts.push_back({"CPU cores (online)", std::to_string(std::thread::hardware_concurrency()), false});
  facts.push_back({"nlohmann_json",
                   std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." + std::to_string(NLOHMANN_JSON_VERSION_MINOR) +
                       "." + std::to_string(NLOHMANN_JSON_VERSION_PATCH),
                   false});
  facts.push_back({"CLI11", CLI11_VERSION, false});
  return facts;
}

namespace {

struct EnvOptions {
  bool json = false;
};

}  // namespace

MHUB_REGISTER_COMMAND(env) {
  auto* sub = app.add_subcommand("env", "Print versions, CPU and ISA, threads, endpoint and cache (for bug reports)");
  auto opts = std::make_shared<EnvOptions>();
  sub->add_flag("--json", opts->json, "print the facts as one JSON object");
  return [opts]() -> int {
    auto facts = mhub::cli::CollectEnvFacts();
    if (opts->json) {
      mhub::Json out = mhub::Json::object();
      for (const auto& f : facts) out[f.key] = f.value;
      std::cout << mhub::DumpJson(out, 2) << "\n";
      return 0;
    }
    std::cout << "Copy-and-paste the text below in your issue.\n\n";
    for (const auto& f : facts) std::cout << "- " << f.key << ": " << f.value << "\n";
    return 0;
  };
}
