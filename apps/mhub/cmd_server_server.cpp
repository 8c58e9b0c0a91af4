// `mhub server --data DIR [--init] [--host H] [--port P] [--public-url URL] [--log-level L]`: runs the hub.
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include "command_registry.h"
#include "mhub/base/logging.h"
#include "mhub/server/server.h"

namespace {

struct ServerCommandOptions {
  std::string data_dir;
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string public_url;
  int threads = 128;
  bool init = false;
  bool reuse_port = false;
  std::string log_level = "info";
};

// A --data that does not exist is most often a typo: serving it would be an empty new hub that
// clients then push into. It is created only when asked (--init).
mhub::Status CheckDataDir(const std::string& dir, bool init) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) {
    if (!std::filesystem::is_directory(dir, ec))
      return mhub::Status::InvalidArgument("--data " + dir + " is not a directory");
    if (!std::filesystem::exists(std::filesystem::path(dir) / "db.sqlite", ec)) {
      std::fprintf(stderr, "mhub: creating a new hub in %s\n", dir.c_str());
    }
    return mhub::Status::OK();
  }
  if (!init) {
    return mhub::Status::NotFound("the data directory " + dir +
                                  " does not exist (pass --init to create a new hub there)");
  }
  std::fprintf(stderr, "mhub: creating a new hub in %s\n", dir.c_str());
  return mhub::Status::OK();
}

int RunServer(const ServerCommandOptions& opts) {
  mhub::LogLevel level;
  if (!mhub::ParseLogLevel(opts.log_level, &level)) {
    return mhub::cli::print_error("--log-level must be debug, info, warn, error or off, not '" + opts.log_level + "'");
  }
  mhub::SetLogLevel(level);
  if (mhub::Status st = CheckDataDir(opts.data_dir, opts.init); !st.ok()) return mhub::cli::print_error(st);
  // SIGINT/SIGTERM are taken synchronously by this thread; workers never see them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  mhub::server::ServerOptions options;
  options.data_dir = opts.data_dir;
  options.host = opts.host;
  options.port = opts.port;
  options.public_url = opts.public_url;
  options.threads = opts.threads;
  options.reuse_port = opts.reuse_port;
  auto server = mhub::server::HubServer::Open(options);
  if (!server.ok()) return mhub::cli::print_error(server.status());
  mhub::Status st = (*server)->Start();
  if (!st.ok()) return mhub::cli::print_error(st);
  std::printf("mhub server listening on http://%s:%d (data: %s)\n", opts.host.c_str(), (*server)->port(),
              opts.data_dir.c_str());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop_signals, &sig);
  (*server)->Stop();
  return 0;
}

}  // namespace

MHUB_REGISTER_COMMAND(server) {
  auto* sub = app.add_subcommand("server", "Run the hub: Hub API, downloads, git and LFS over HTTP");
  auto opts = std::make_shared<ServerCommandOptions>();
  sub->add_option("--data", opts->data_dir, "Data directory (repos, LFS objects, db.sqlite)")->required();
  sub->add_option("--host", opts->host, "Address to listen on")->capture_default_str();
  sub->add_option("--port", opts->port, "Port to listen on (0: any free port)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  sub->add_option("--public-url", opts->public_url, "Base URL clients reach the hub at (default: from Host)");
  sub->add_option("--threads", opts->threads, "Worker threads")->capture_default_str()->check(CLI::Range(1, 1024));
  sub->add_flag("--init", opts->init, "Create the data directory (a new, empty hub) when it does not exist");
  sub->add_flag("--reuse-port", opts->reuse_port,
                "Share the port with other servers that also pass --reuse-port (else a busy port is an error)");
  sub->add_option("--log-level", opts->log_level, "debug, info (one access-log line per request), warn, error or off")
      ->capture_default_str();
  return [opts]() { return RunServer(*opts); };
}
