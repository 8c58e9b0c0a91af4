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
int print_error(const Status& status);

}  // namespace mhub::cli

#define MHUB_REGISTER_COMMAND(name)                                                              \
  static ::mhub::cli::CommandAction mhub_cmd_setup_##name(CLI::App& app);                        \
  static ::mhub::cli::CommandRegistrar mhub_cmd_registrar_##name(#name, &mhub_cmd_setup_##name); \
  static ::mhub::cli::CommandAction mhub_cmd_setup_##name(CLI::App& app)
