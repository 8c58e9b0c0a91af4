// Subcommands register themselves here, so each lives in its own file (cmd_<lib>_<name>.cpp)
// and main.cpp never changes when one is added.
//
//   static int setup_inspect(CLI::App& app) ... see cmd_formats_inspect.cpp for the pattern:
//
//   MHUB_REGISTER_COMMAND(inspect) {            // body receives `CLI::App& app`
//     auto* sub = app.add_subcommand("inspect", "Show tensors, dtypes, shapes of a checkpoint");
//     auto opts = std::make_shared<Options>();
//     sub->add_option("path", opts->path)->required();
//     return [opts]() -> int { ...; return 0; };
//   }
//
// The returned action runs when that subcommand was chosen. It returns the exit code:
// 0 ok, 1 failure (after printing one line via print_error), 2 bad usage.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/base/status.h"

namespace mhub::cli {

using CommandAction = std::function<int()>;
using CommandSetup = CommandAction (*)(CLI::App& app);

struct RegisteredCommand {
  const char* name;
  CommandSetup setup;
};

// All registered commands, in registration order.
std::vector<RegisteredCommand>& command_registry();

struct CommandRegistrar {
  CommandRegistrar(const char* name, CommandSetup setup) { command_registry().push_back({name, setup}); }
};

// Prints "mhub: error: <message>" as one line on stderr and returns 1.
int print_error(std::string_view message);
// The same for a Status: its message (no internal code name first) and, where the code says what
// went wrong, what to do next (hub unreachable: MHUB_ENDPOINT; repo not found: --type, spelling,
// login; not logged in: `mhub login` or --token).
int print_error(const Status& status);
std::string ErrorText(const Status& status);
// "mhub: warning: <message>" on stderr.
void print_warning(std::string_view message);

// A local file or folder as given, or, when nothing exists at `path` and a hub client is compiled
// in, the snapshot folder of the model repo `path` (downloading the files matching `patterns`, all
// when empty). Lets inspect, tokenize and run take a folder or a repo id alike.
using ModelPathResolver = Result<std::string> (*)(const std::string& path, const std::string& revision,
                                                  const std::vector<std::string>& patterns);
ModelPathResolver& model_path_resolver();
Result<std::string> ResolveLocalOrRepo(const std::string& path, const std::string& revision = "main",
                                       const std::vector<std::string>& patterns = {});

// `mhub run --model` given a PEFT LoRA adapter (folder or repo holding adapter_config.json): the
// train commands, when compiled in, set this to merge the adapter into its base_model_name_or_path
// and answer that merged folder; any other model comes back unchanged. Null without mhub_train.
using AdapterResolver = Result<std::string> (*)(const std::string& model, const std::string& revision);
AdapterResolver& adapter_resolver();

// Facts for `mhub env` and `mhub --version` (CPU, ISA, threads, endpoint, library versions), from
// whichever libraries are compiled in; `essential` ones are printed by --version too.
struct EnvFact {
  std::string key;
  std::string value;
  bool essential = false;
};
struct EnvFactSource {
  int order;  // sources print in this order
  std::vector<EnvFact> (*facts)();
};
std::vector<EnvFactSource>& env_fact_sources();
// Every registered source's facts, in order.
std::vector<EnvFact> CollectEnvFacts();
struct EnvFactRegistrar {
  EnvFactRegistrar(int order, std::vector<EnvFact> (*facts)()) { env_fact_sources().push_back({order, facts}); }
};

}  // namespace mhub::cli

#define MHUB_REGISTER_ENV_FACTS(name, order)                                                     \
  static std::vector<::mhub::cli::EnvFact> mhub_env_facts_##name();                              \
  static ::mhub::cli::EnvFactRegistrar mhub_env_registrar_##name(order, &mhub_env_facts_##name); \
  static std::vector<::mhub::cli::EnvFact> mhub_env_facts_##name()

#define MHUB_REGISTER_COMMAND(name)                                                              \
  static ::mhub::cli::CommandAction mhub_cmd_setup_##name(CLI::App& app);                        \
  static ::mhub::cli::CommandRegistrar mhub_cmd_registrar_##name(#name, &mhub_cmd_setup_##name); \
  static ::mhub::cli::CommandAction mhub_cmd_setup_##name(CLI::App& app)
