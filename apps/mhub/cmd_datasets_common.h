// Shared bits of `mhub datasets info|head|rows|convert|push` (one file per subcommand; the
// `datasets` group is registered in cmd_datasets_group.cpp).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

#include "command_registry.h"
#include "mhub/datasets/load.h"

namespace mhub::cli::datasets_cmd {

struct Subcommand {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

// --config, --split, --revision bound to `options`.
inline void AddLoadOptions(CLI::App* sub, mhub::datasets::LoadOptions& options) {
  sub->add_option("--config,--name", options.config, "config (subset) name; default: the dataset's default config");
  sub->add_option("--split", options.split, "split name; default: the first split");
  sub->add_option("--revision", options.revision,
                  "hub repos: branch, tag or commit (refs/convert/parquet reads the "
                  "Parquet export)");
}

Subcommand SetupInfo(CLI::App* parent);
Subcommand SetupHead(CLI::App* parent);
Subcommand SetupRows(CLI::App* parent);
Subcommand SetupConvert(CLI::App* parent);
Subcommand SetupPush(CLI::App* parent);

}  // namespace mhub::cli::datasets_cmd
