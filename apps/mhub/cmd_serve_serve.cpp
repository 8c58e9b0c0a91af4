// mhub serve REPO_OR_DIR[@REV] [--task T] [--host H] [--port P] [--no-auth] [--api-key K] [--hub-url URL]
// One model as an inference endpoint (HF Inference API, TGI, TEI and OpenAI routes); runs until
// killed. /health answers 503 while the model loads, 200 once it is served.
#include <pthread.h>

#include <csignal>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "command_registry.h"
#include "mhub/serve/endpoint_server.h"

namespace {

struct ServeCliOptions {
  mhub::serve::ServeOptions serve;
  std::string model;
};

}  // namespace

MHUB_REGISTER_COMMAND(serve) {
  auto opts = std::make_shared<ServeCliOptions>();
  auto* sub =
      app.add_subcommand("serve", "Serve a model as an inference endpoint (HF Inference API, TGI, TEI, OpenAI)");
  sub->add_option("model", opts->model, "Model folder or hub repo id, optionally @revision")->required();
  sub->add_option("--task", opts->serve.task, "Task (default: from the model's architecture)");
  sub->add_option("--host", opts->serve.host, "Address to listen on")->capture_default_str();
  sub->add_option("--port", opts->serve.port, "Port (0: any free one, printed on stdout)")->capture_default_str();
  sub->add_flag("--no-auth", opts->serve.no_auth, "Serve without authentication (local use)");
  sub->add_option("--api-key", opts->serve.api_key, "Endpoint key clients send as `Authorization: Bearer KEY`");
  sub->add_option("--hub-url", opts->serve.hub_url,
                  "Accept hub tokens that can read the repo, checked against this hub (default for repo ids: "
                  "MHUB_ENDPOINT)");
  sub->add_option("--max-concurrent-requests", opts->serve.max_concurrent_requests,
                  "Requests queued or running; beyond: 429 with Retry-After")
      ->capture_default_str();
  sub->add_option("--max-total-tokens", opts->serve.max_total_tokens,
                  "Prompt + generated tokens per request (default: the model's positions)");
  sub->add_option("--max-client-batch-size", opts->serve.max_client_batch_size, "Inputs per embed/predict request")
      ->capture_default_str();
  sub->add_option("--request-timeout", opts->serve.request_timeout_ms, "Milliseconds a request may wait and run")
      ->capture_default_str();
  sub->add_option("--kv-cache-blocks", opts->serve.kv_blocks,
                  "Paged KV cache size in blocks (0: as many as --kv-cache-bytes hold)")
      ->capture_default_str();
  sub->add_option("--kv-cache-bytes", opts->serve.kv_cache_bytes, "KV cache memory when --kv-cache-blocks is 0")
      ->capture_default_str();
  sub->add_option("--kv-block-size", opts->serve.kv_block_size, "Positions per KV cache block")->capture_default_str();
  sub->add_option("--max-batch-tokens", opts->serve.max_batch_tokens,
                  "New tokens per generation step (decode tokens + prefill chunks)")
      ->capture_default_str();
  sub->add_option("--prefill-chunk", opts->serve.prefill_chunk, "Prompt tokens one request adds to a step at most")
      ->capture_default_str();
  sub->add_flag("!--no-prefix-cache", opts->serve.prefix_cache, "Do not share prompt prefixes' KV blocks");
  auto* quantize = sub->add_option("--quantize", "int8: linear layers in int8")->check(CLI::IsMember({"int8"}));
  return [opts, quantize]() -> int {
    mhub::serve::ServeOptions o = opts->serve;
    o.model = opts->model;
    // REPO@REVISION (a folder whose name holds '@' is taken as it is).
    const size_t at = opts->model.rfind('@');
    if (at != std::string::npos && at > 0 && opts->model.find('/', at) == std::string::npos) {
      std::error_code ec;
      if (!std::filesystem::exists(opts->model, ec)) {
        o.model = opts->model.substr(0, at);
        o.revision = opts->model.substr(at + 1);
      }
    }
    o.quantize_int8 = quantize->count() > 0;
    if (o.port < 0 || o.port > 65535) {
      mhub::cli::print_error("--port must be between 0 and 65535");
      return 2;
    }
    if (o.no_auth && !o.api_key.empty()) {
      mhub::cli::print_error("--no-auth and --api-key contradict each other");
      return 2;
    }
    // SIGINT/SIGTERM are taken by sigwait below: blocked before any server thread exists, so no
    // thread gets them.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    auto server = mhub::serve::EndpointServer::Start(o);
    if (!server.ok()) {
      mhub::cli::print_error(server.status());
      return server.status().code() == mhub::StatusCode::kInvalidArgument ? 2 : 1;
    }
    // The port first (a test or a supervisor started us with --port 0), then the model loads.
    std::cout << "mhub serve listening on http://" << o.host << ":" << (*server)->port() << std::endl;
    mhub::Status loaded = (*server)->WaitLoaded();
    if (!loaded.ok()) return mhub::cli::print_error(loaded);
    std::cout << "ready" << std::endl;
    int sig = 0;
    sigwait(&set, &sig);
    (*server)->Stop();
    return 0;
  };
}
