// EndpointServer: the HTTP front of one served model. Open routes (/health, /info, /metrics) first,
// then auth, admission (at most max_concurrent_requests in flight, else 429 + Retry-After), the
// body (size-limited, one JSON object), and the route's handler (routes.h).
#include "mhub/serve/endpoint_server.h"

#include <atomic>
#include <condition_variable>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <thread>

#include "mhub/base/logging.h"
#include "mhub/hub/hub_config.h"
#include "mhub/server/http_service.h"
#include "serve/api_errors.h"
#include "serve/model_endpoint.h"
#include "serve/routes.h"
#include "serve/serve_auth.h"
#include "serve/serve_metrics.h"
#include "server/http/url_codec.h"

namespace mhub::serve {
namespace {

// TEI's --max-batch-tokens default: the token budget of one embedding batch.
constexpr size_t kMaxBatchTokens = 16384;

bool IsRepoId(const std::string& model) {
  std::error_code ec;
  return !std::filesystem::exists(model, ec) && model.find('/') != std::string::npos;
}

}  // namespace

struct EndpointServer::Impl {
  ServeOptions options;
  std::unique_ptr<server::HttpService> http;
  std::unique_ptr<ModelEndpoint> model;  // set once, before `ready`
  std::unique_ptr<EmbedBatcher> batcher;
  std::atomic<bool> ready{false};
  std::mutex load_mu;
  std::condition_variable load_cv;
  bool load_done = false;
  Status load_status;
  std::thread loader;
  ServeMetrics metrics;
  std::atomic<int> in_flight{0};
  std::unique_ptr<ServeAuth> auth;

  // Leaves the in-flight count when the request is done (after its stream, for streamed answers).
  struct Ticket {
    explicit Ticket(std::atomic<int>* c) : count(c) {}
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    ~Ticket() { count->fetch_sub(1); }
    std::atomic<int>* count;
  };

  void Load() {
    auto loaded = ModelEndpoint::Load(options);
    std::lock_guard<std::mutex> lock(load_mu);
    if (loaded.ok()) {
      model = std::move(loaded).value();
      batcher = std::make_unique<EmbedBatcher>(model.get(), kMaxBatchTokens);
      metrics.Set("tgi_batch_max_total_tokens", model->max_total_tokens());
      if (BatchScheduler* sched = model->scheduler()) {
        sched->SetStepObserver([this](int64_t sequences, int64_t tokens, double seconds) {
          metrics.Observe("tgi_batch_next_size", static_cast<double>(sequences));
          metrics.Observe("mhub_batch_step_tokens", static_cast<double>(tokens));
          metrics.Observe("tgi_batch_forward_duration", seconds);
          metrics.Add("tgi_batch_inference_count");
        });
      }
      ready.store(true);
      MHUB_LOG(kInfo) << "serving " << model->model_id() << " (" << model->task() << ")";
    } else {
      load_status = loaded.status();  // WaitLoaded's caller reports it (the CLI: one error line)
    }
    load_done = true;
    load_cv.notify_all();
  }

  Json Info() const {
    return Json{{"model_id", model->model_id()},
                {"model_sha", model->model_sha().empty() ? Json(nullptr) : Json(model->model_sha())},
                {"model_dtype", "float32"},
                {"model_device_type", "cpu"},
                {"model_pipeline_tag", model->task()},
                {"max_concurrent_requests", options.max_concurrent_requests},
                {"max_best_of", 1},
                {"max_stop_sequences", kMaxStopSequences},
                {"max_input_tokens", model->max_total_tokens() - 1},
                {"max_total_tokens", model->max_total_tokens()},
                {"validation_workers", 1},
                {"max_client_batch_size", options.max_client_batch_size},
                {"router", "mhub-serve"},
                {"version", "0.1.0"},
                {"sha", nullptr},
                {"docker_label", nullptr}};
  }

  void Handle(const server::HttpRequest& req, server::HttpResponse& res) {
    const int64_t start = NowMs();
    Dispatch(req, res, start);
    // Structured access log (one JSON object per request; streamed answers log when they start).
    if (LogEnabled(LogLevel::kInfo)) {
      MHUB_LOG(kInfo) << DumpJson(Json{{"time", static_cast<int64_t>(std::time(nullptr))},
                                       {"remote", req.remote_addr},
                                       {"method", req.method},
                                       {"path", req.raw_path},
                                       {"status", res.status},
                                       {"stream", static_cast<bool>(res.stream)},
                                       {"ms", NowMs() - start}});
    }
  }

  void Dispatch(const server::HttpRequest& req, server::HttpResponse& res, int64_t start) {
    const std::string& path = req.raw_path;
    const ApiFamily family = path.rfind("/v1/", 0) == 0 ? ApiFamily::kOpenAi : ApiFamily::kHf;
    // Open routes: probes and monitoring (TGI keeps them outside --api-key).
    if (req.method == "GET" || req.method == "HEAD") {
      if (path == "/health" || path == "/ping" || path == "/") {
        if (ready.load()) return res.SetText(200, "");
        return WriteError(res, ApiFamily::kHf, {503, "unhealthy", "healthcheck"});
      }
      if (path == "/metrics") {
        if (model) metrics.Set("tgi_queue_size", model->waiting());
        if (model) metrics.Set("te_queue_size", model->waiting());
        if (const BatchScheduler* sched = model ? model->scheduler() : nullptr) {
          const SchedulerStats st = sched->stats();
          metrics.Set("tgi_batch_current_size", static_cast<double>(st.sequences - st.waiting));
          metrics.Set("tgi_queue_size", static_cast<double>(st.waiting));
          metrics.Set("mhub_kv_cache_blocks", static_cast<double>(st.blocks_used), "state=\"used\"");
          metrics.Set("mhub_kv_cache_blocks", static_cast<double>(st.blocks_cached), "state=\"cached\"");
          metrics.Set("mhub_kv_cache_blocks", static_cast<double>(st.blocks_total - st.blocks_used - st.blocks_cached),
                      "state=\"free\"");
          metrics.Set("mhub_kv_cache_preemptions_total", static_cast<double>(st.preemptions));
          metrics.Set("mhub_prefix_cache_lookup_tokens_total", static_cast<double>(st.prefix_lookup_tokens));
          metrics.Set("mhub_prefix_cache_hit_tokens_total", static_cast<double>(st.prefix_hit_tokens));
        }
        return res.SetText(200, metrics.Render(), "text/plain; version=0.0.4; charset=utf-8");
      }
      if (path == "/info") {
        if (!ready.load()) return WriteError(res, ApiFamily::kHf, {503, "the model is loading", "unhealthy"});
        return WriteJson(res, 200, Info());
      }
    }
    enum class R {
      kTask,
      kGenerate,
      kStream,
      kCompletions,
      kChat,
      kEmbed,
      kPredict,
      kSimilarity,
      kOaiEmbed,
      kTokenize,
      kDecode,
      kModels,
      kNone
    };
    R route = R::kNone;
    std::string model_in_path;
    if (path == "/" || path == "/invocations") route = R::kTask;
    if (path.rfind("/models/", 0) == 0) {
      auto decoded = server::PercentDecode(std::string_view(path).substr(8));
      route = R::kTask;
      model_in_path = decoded.ok() ? *decoded : path.substr(8);
    }
    if (path == "/generate") route = R::kGenerate;
    if (path == "/generate_stream") route = R::kStream;
    if (path == "/v1/completions") route = R::kCompletions;
    if (path == "/v1/chat/completions") route = R::kChat;
    if (path == "/embed") route = R::kEmbed;
    if (path == "/predict") route = R::kPredict;
    if (path == "/similarity") route = R::kSimilarity;
    if (path == "/v1/embeddings" || path == "/embeddings") route = R::kOaiEmbed;
    if (path == "/tokenize") route = R::kTokenize;
    if (path == "/decode") route = R::kDecode;
    if (path == "/v1/models") route = R::kModels;
    if (route == R::kNone) return WriteError(res, family, {404, "no route " + path + " on this endpoint", "not_found"});
    const bool get_route = route == R::kModels;
    if (req.method != (get_route ? "GET" : "POST")) {
      WriteError(res, family,
                 {405, "use " + std::string(get_route ? "GET" : "POST") + " for " + path, "method_not_allowed"});
      return res.SetHeader("Allow", get_route ? "GET" : "POST");
    }
    if (!ready.load()) {
      WriteError(res, family, {503, "the model is loading", "unhealthy"});
      return res.SetHeader("Retry-After", "1");
    }
    if (Status st = auth->Check(req); !st.ok()) {
      WriteStatusError(res, family, st);
      if (st.code() == StatusCode::kUnavailable) res.SetHeader("Retry-After", "5");
      return;
    }
    if (!model_in_path.empty() && model_in_path != model->model_id())
      return WriteError(res, family, {404, "Model " + model_in_path + " does not exist", "not_found"});
    if (route == R::kModels) {
      return WriteJson(res, 200,
                       Json{{"object", "list"},
                            {"data", Json::array({{{"id", model->model_id()},
                                                   {"object", "model"},
                                                   {"created", static_cast<int64_t>(std::time(nullptr))},
                                                   {"owned_by", "mhub"}}})}});
    }
    // Admission: TGI's max_concurrent_requests (queued + running).
    if (in_flight.fetch_add(1) >= options.max_concurrent_requests) {
      in_flight.fetch_sub(1);
      metrics.Add(model->is_generator() ? "tgi_request_failure" : "te_request_failure", 1, "err=\"overloaded\"");
      WriteError(res, family, {429, "Model is overloaded", "overloaded"});
      return res.SetHeader("Retry-After", "1");
    }
    RouteContext ctx;
    ctx.ticket = std::make_shared<Ticket>(&in_flight);
    ctx.model = model.get();
    ctx.metrics = &metrics;
    ctx.batcher = batcher.get();
    ctx.options = &options;
    ctx.start_ms = start;
    ctx.deadline_ms = start + options.request_timeout_ms;
    auto text = req.ReadBody(options.max_body_bytes);
    if (!text.ok()) {
      if (text.status().code() == StatusCode::kResourceExhausted)
        return WriteError(res, family,
                          {413, "the request body is larger than " + std::to_string(options.max_body_bytes) + " bytes",
                           "payload_too_large"});
      return WriteError(res, family, {400, text.status().message(), "validation"});
    }
    auto body = ParseRequestBody(*text);
    if (!body.ok()) return WriteError(res, family, {400, body.status().message(), "validation"});
    switch (route) {
      case R::kTask:
        if (model->is_generator()) return ServeGeneration(ctx, GenerationRoute::kTgiCompat, *body, res);
        return ServeTaskApi(ctx, *body, res);
      case R::kGenerate:
        return ServeGeneration(ctx, GenerationRoute::kTgiGenerate, *body, res);
      case R::kStream:
        return ServeGeneration(ctx, GenerationRoute::kTgiStream, *body, res);
      case R::kCompletions:
        return ServeGeneration(ctx, GenerationRoute::kOpenAiCompletion, *body, res);
      case R::kChat:
        return ServeGeneration(ctx, GenerationRoute::kOpenAiChat, *body, res);
      case R::kEmbed:
        return ServeEncoder(ctx, EncoderRoute::kEmbed, *body, res);
      case R::kPredict:
        return ServeEncoder(ctx, EncoderRoute::kPredict, *body, res);
      case R::kSimilarity:
        return ServeEncoder(ctx, EncoderRoute::kSimilarity, *body, res);
      case R::kOaiEmbed:
        return ServeEncoder(ctx, EncoderRoute::kOpenAiEmbeddings, *body, res);
      case R::kTokenize:
        return ServeTokenize(ctx, *body, res);
      case R::kDecode:
        return ServeDecode(ctx, *body, res);
      default:
        return;
    }
  }
};

EndpointServer::EndpointServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

EndpointServer::~EndpointServer() { Stop(); }

Result<std::unique_ptr<EndpointServer>> EndpointServer::Start(const ServeOptions& options) {
  if (options.max_concurrent_requests < 1) return Status::InvalidArgument("--max-concurrent-requests must be >= 1");
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  std::string hub_url = options.hub_url;
  if (hub_url.empty() && !options.no_auth && options.api_key.empty() && IsRepoId(options.model))
    hub_url = hub::HubConfig::FromEnv().endpoint;
  if (!options.no_auth && options.api_key.empty() && hub_url.empty())
    return Status::InvalidArgument(
        "a local folder has no hub readers to check: give --api-key KEY (or --hub-url for a repo id), or --no-auth");
  impl->auth = std::make_unique<ServeAuth>(options.no_auth, options.api_key, hub_url, options.model, options.revision);
  server::HttpServiceOptions http;
  http.host = options.host;
  http.port = options.port;
  // Every admitted request may hold a worker (waiting for the model or streaming), plus room for
  // the cheap answers (429, /health, /metrics) so they never wait behind them.
  http.threads = options.max_concurrent_requests + 8;
  http.access_log = false;  // Handle logs JSON
  Impl* raw = impl.get();
  MHUB_ASSIGN_OR_RETURN(
      impl->http, server::HttpService::Start(http, [raw](const server::HttpRequest& req, server::HttpResponse& res) {
        raw->Handle(req, res);
      }));
  impl->loader = std::thread([raw] { raw->Load(); });
  return std::unique_ptr<EndpointServer>(new EndpointServer(std::move(impl)));
}

Status EndpointServer::WaitLoaded() {
  std::unique_lock<std::mutex> lock(impl_->load_mu);
  impl_->load_cv.wait(lock, [this] { return impl_->load_done; });
  return impl_->load_status;
}

int EndpointServer::port() const { return impl_->http->port(); }

void EndpointServer::Stop() {
  if (!impl_) return;
  if (impl_->http) impl_->http->Stop();
  if (impl_->loader.joinable()) impl_->loader.join();
  // The step observer writes into `metrics`, which goes before the model.
  if (impl_->model && impl_->model->scheduler()) impl_->model->scheduler()->SetStepObserver(nullptr);
}

}  // namespace mhub::serve
