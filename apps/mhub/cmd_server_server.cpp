// `mhub server --data DIR [--host H] [--port P] [--public-url URL]`: runs the hub.
#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>

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
};

int RunServer(const ServerCommandOptions& opts) {
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
  return [opts]() { return RunServer(*opts); };
}
