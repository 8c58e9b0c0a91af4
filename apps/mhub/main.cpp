// mhub: one binary fronting the hub, tokenizers, models, pipelines, training and serving.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "command_registry.h"
#include "did_you_mean.h"

namespace {

using mhub::cli::CommandAction;

constexpr const char* kFooter = R"(Examples:
  mhub new-model bert --task fill-mask ./tiny-bert      a small random model folder to try things with
  mhub login                                             store a token (prompted, not echoed)
  mhub upload alice/tiny-bert ./tiny-bert                upload a folder in one commit
  mhub download alice/tiny-bert                          into the huggingface_hub cache
  mhub run fill-mask --model alice/tiny-bert "paris is the [MASK] of france."
  echo "Hello world" | mhub tokenize --tokenizer ./tiny-bert
  mhub env                                               versions, CPU, ISA, endpoint (for bug reports)

Environment:
  MHUB_ENDPOINT / HF_ENDPOINT   the hub (default http://127.0.0.1:8080)
  MHUB_TOKEN / HF_TOKEN         access token (else the one `mhub login` stored in $HF_HOME/token)
  HF_HOME, HF_HUB_CACHE         where tokens and downloads live (huggingface_hub layout)
  HF_HUB_OFFLINE=1              use the cache only
  OMP_NUM_THREADS, MHUB_ISA     kernel threads; force a lower ISA (avx2, scalar)

Run `mhub COMMAND --help` for a command's options.)";

// Commands that take no --token of their own (the server side, and login whose --token is the
// token to store).
bool TakesGlobalToken(const CLI::App* sub) {
  const std::string& name = sub->get_name();
  return name != "server" && name != "admin" && name != "login" && name != "new-model";
}

void AddTokenOptions(CLI::App* app, std::string* token) {
  for (CLI::App* sub : app->get_subcommands([](CLI::App*) { return true; })) {
    if (!TakesGlobalToken(sub)) continue;
    if (sub->get_subcommands([](CLI::App*) { return true; }).empty()) {
      if (sub->get_option_no_throw("--token") == nullptr)
        sub->add_option("--token", *token,
                        "access token for this call (default: MHUB_TOKEN, HF_TOKEN, the stored one)");
    } else {
      AddTokenOptions(sub, token);
    }
  }
}

// CLI11 reads an argument written "[a,b]" as a list ("[1,2]" becomes two values, "[MASK]" becomes
// "MASK"), but texts and patterns must arrive as typed. Such arguments are marked with a leading
// kVerbatim before parsing (CLI11 then leaves them whole) and every option drops the mark.
constexpr char kVerbatim = '\x1f';

std::vector<std::string> MarkBracketedArguments(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  for (size_t i = 1; i < args.size(); ++i)
    if (args[i].size() >= 2 && args[i].front() == '[' && args[i].back() == ']')
      args[i].insert(args[i].begin(), kVerbatim);
  return args;
}

std::string Unmarked(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), kVerbatim), s.end());
  return s;
}

void UnmarkOptions(CLI::App* app) {
  for (CLI::Option* opt : app->get_options())
    if (opt->get_items_expected_max() > 0) opt->transform([](std::string s) { return Unmarked(std::move(s)); });
  for (CLI::App* sub : app->get_subcommands([](CLI::App*) { return true; })) UnmarkOptions(sub);
}

// The deepest subcommand the parser entered.
const CLI::App* DeepestParsed(const CLI::App* app) {
  for (const CLI::App* sub : app->get_subcommands([](const CLI::App* s) { return s->parsed(); }))
    return DeepestParsed(sub);
  return app;
}

std::string CommandPath(const CLI::App* app) {
  std::string path;
  for (const CLI::App* a = app; a != nullptr; a = a->get_parent())
    path = a->get_parent() == nullptr ? "mhub" + path : " " + a->get_name() + path;
  return path;
}

// One `mhub: error:` line for a parse error, with a "did you mean" for a mistyped subcommand or
// option of the command being parsed.
int ReportParseError(const CLI::App& app, const CLI::ParseError& e, int argc, char** argv) {
  const CLI::App* where = DeepestParsed(&app);
  std::string message = Unmarked(e.what());
  std::string hint;
  std::vector<std::string> subs;
  for (const CLI::App* s : where->get_subcommands([](const CLI::App*) { return true; })) subs.push_back(s->get_name());
  std::vector<std::string> options;
  for (const CLI::Option* o : where->get_options()) {
    for (const auto& n : o->get_lnames()) options.push_back("--" + n);
  }
  // The first argument after the deepest command's name that it did not take.
  bool after = where == &app;
  for (int i = 1; i < argc && hint.empty(); ++i) {
    std::string arg = Unmarked(argv[i]);
    if (!after) {
      after = arg == where->get_name();
      continue;
    }
    if (arg.rfind("--", 0) == 0) {
      std::string name = arg.substr(0, arg.find('='));
      bool known = false;
      for (const auto& o : options) known = known || o == name;
      if (!known && message.find(name) != std::string::npos) hint = mhub::cli::DidYouMean(name, options);
    } else if (!subs.empty() && !arg.empty() && arg[0] != '-') {
      // A command that takes subcommands got a word that is none of them.
      hint = mhub::cli::DidYouMean(arg, subs);
      if (hint.empty()) hint = " (`" + CommandPath(where) + " --help` lists the commands)";
      message = "unknown command '" + arg + "'";
    }
  }
  if (hint.empty()) hint = "; see `" + CommandPath(where) + " --help`";
  mhub::cli::print_error(message + hint);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"mhub: a self-hosted model hub and a native C++ Hugging Face stack"};
  app.footer(kFooter);
  bool version = false;
  app.add_flag("--version", version, "print the version, CPU and ISA, and exit");
  app.require_subcommand(0, 1);

  std::vector<std::pair<CLI::App*, CommandAction>> actions;
  auto setup_into = [&](CLI::App& parent, const mhub::cli::RegisteredCommand& cmd) {
    size_t before = parent.get_subcommands({}).size();
    CommandAction action = cmd.setup(parent);
    auto subs = parent.get_subcommands({});
    if (subs.size() > before) actions.emplace_back(subs.back(), std::move(action));
  };
  for (const auto& cmd : mhub::cli::command_registry()) setup_into(app, cmd);
  // `mhub auth login|logout|whoami`, as `hf auth ...`.
  CLI::App* auth = app.add_subcommand("auth", "Log in or out, or show who you are (login, logout, whoami)");
  auth->require_subcommand(1);
  for (const auto& cmd : mhub::cli::command_registry()) {
    std::string name = cmd.name;
    if (name == "login" || name == "logout" || name == "whoami") setup_into(*auth, cmd);
  }
  auto token = std::make_shared<std::string>();
  AddTokenOptions(&app, token.get());
  UnmarkOptions(&app);
  std::vector<std::string> marked = MarkBracketedArguments(argc, argv);
  std::vector<char*> marked_argv;
  for (auto& a : marked) marked_argv.push_back(a.data());

  try {
    app.parse(argc, marked_argv.data());
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return ReportParseError(app, e, argc, argv);
  }
  if (version) {
    std::cout << "mhub " << MHUB_VERSION << "\n";
    for (const auto& f : mhub::cli::CollectEnvFacts())
      if (f.essential) std::cout << f.key << ": " << f.value << "\n";
    return 0;
  }
  // --token wins over the environment and the stored token for this process.
  if (!token->empty()) ::setenv("MHUB_TOKEN", token->c_str(), 1);

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
