// `mhub serve`: one model as an inference endpoint speaking the HF Inference API task shapes
// (POST /, /models/{id}), TGI (/generate, /generate_stream, /info, /tokenize), TEI (/embed,
// /predict, /similarity, /tokenize, /decode) and the OpenAI routes (/v1/chat/completions,
// /v1/completions, /v1/embeddings, /v1/models), with /health, Prometheus /metrics, a bounded
// number of requests in flight (429 + Retry-After beyond it), request timeouts, and Bearer auth
// (a fixed endpoint key, or hub tokens that can read the served repo).
//
//   ServeOptions o; o.model = "org/tiny-gpt2"; o.no_auth = true;
//   MHUB_ASSIGN_OR_RETURN(auto server, EndpointServer::Start(o));   // listening; loads in the background
//   MHUB_RETURN_IF_ERROR(server->WaitLoaded());                     // /health is 200 from here on
//
// Thread safety: Start/Stop from one thread; requests are served on the HTTP worker threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "mhub/base/result.h"

namespace mhub::serve {

struct ServeOptions {
  std::string model;              // a local folder or a hub repo id
  std::string revision = "main";  // for repo ids
  std::string task;               // "" = from the model's architecture (config.json)
  std::string host = "127.0.0.1";
  int port = 3000;  // 0: any free port
  // Auth. With none of these set for a repo id, hub tokens are checked against the hub the model
  // comes from (MHUB_ENDPOINT / HF_ENDPOINT). A request passes with the endpoint key or with a hub
  // token that can read the repo.
  bool no_auth = false;
  std::string api_key;
  std::string hub_url;
  // Back-pressure (TGI's names): requests queued or running beyond this get 429.
  int max_concurrent_requests = 128;
  int max_total_tokens = 0;        // prompt + generated; 0 = the model's positions
  int max_client_batch_size = 32;  // inputs in one embed/predict request (413 beyond)
  size_t max_body_bytes = 2 << 20;
  int request_timeout_ms = 60000;  // waiting + running; a generation is cut at the deadline
  bool quantize_int8 = false;
  // Continuous batching of generation (paged KV cache). kv_blocks = 0: as many blocks of
  // kv_block_size positions as kv_cache_bytes hold.
  int64_t kv_blocks = 0;
  int64_t kv_block_size = 16;
  int64_t kv_cache_bytes = int64_t{1} << 30;
  int64_t max_batch_tokens = 512;  // new tokens per model step (decode tokens + prefill chunks)
  int64_t prefill_chunk = 128;     // prompt tokens one request adds to a step at most
  bool prefix_cache = true;        // share full prompt blocks between requests with the same prefix
};

class EndpointServer {
 public:
  // Listens at once (/health answers 503 until the model is loaded), loads on a thread.
  static Result<std::unique_ptr<EndpointServer>> Start(const ServeOptions& options);
  ~EndpointServer();
  EndpointServer(const EndpointServer&) = delete;
  EndpointServer& operator=(const EndpointServer&) = delete;

  // Blocks until the model is loaded; its error when loading failed.
  Status WaitLoaded();
  int port() const;
  void Stop();

  struct Impl;

 private:
  explicit EndpointServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mhub::serve
