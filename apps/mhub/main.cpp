// mhub: one binary fronting the hub, tokenizers, models, pipelines, training and serving.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <utility>
#include <vector>

#include "command_registry.h"

int main(int argc, char** argv) {
  CLI::App app{"mhub: a self-hosted model hub and a native C++ Hugging Face stack"};
  app.set_version_flag("--version", std::string("mhub ") + MHUB_VERSION);
  app.require_subcommand(0, 1);

  std::vector<std::pair<CLI::App*, mhub::cli::CommandAction>> actions;
  for (const auto& cmd : mhub::cli::command_registry()) {
    size_t before = app.get_subcommands({}).size();
    mhub::cli::CommandAction action = cmd.setup(app);
    auto subs = app.get_subcommands({});
    if (subs.size() > before) actions.emplace_back(subs.back(), std::move(action));
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }

  for (auto& [sub, action] : actions) {
    if (sub->parsed()) {
      try {
        return action();
      } catch (const std::exception& e) {
        return mhub::cli::print_error(e.what());
      }
    }
  }
  std::fputs(app.help().c_str(), stdout);
  return 0;
}
