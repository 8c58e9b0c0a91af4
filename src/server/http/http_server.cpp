// HubServer: an HTTP/1.1 server of its own (no HTTP library). One event-loop thread
// (http_event_loop.h) accepts connections and reads request heads, so idle and slow clients hold
// no thread; complete heads go to a worker pool that reads the body, asks the router
// (DispatchRequest) and writes the answer (http_exchange.h), then gives the connection back.
#include "mhub/server/server.h"

#include <netdb.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>

#include "mhub/base/env.h"
#include "mhub/base/logging.h"
#include "mhub/server/repo_sync.h"
#include "server/http/auth.h"
#include "server/http/http_event_loop.h"
#include "server/http/http_exchange.h"
#include "server/http/http_listen.h"
#include "server/http/http_worker_pool.h"
#include "server/http/lfs_setup.h"
#include "server/http/response_cache.h"
#include "server/http/router.h"
#include "server/viewer/viewer_service.h"

namespace mhub::server {
namespace {

// MHUB_RESPONSE_CACHE_MB: size of the response cache (default 64; 0 turns it off).
size_t ResponseCacheBytes() {
  const char* env = std::getenv("MHUB_RESPONSE_CACHE_MB");
  if (env == nullptr || *env == '\0') return size_t{64} << 20;
  char* end = nullptr;
  unsigned long long mb = std::strtoull(env, &end, 10);
  if (end == env || *end != '\0') return size_t{64} << 20;
  return static_cast<size_t>(std::min<unsigned long long>(mb, 1u << 20)) << 20;
}

// Requests that cannot change anything the cache holds.
bool IsReadOnlyMethod(const std::string& method) { return method == "GET" || method == "HEAD" || method == "OPTIONS"; }

}  // namespace

struct HubServer::Impl {
  ServerOptions options;
  ConnectionLimits limits;
  HttpHeadLimits head_limits;
  HubContext ctx;
  std::unique_ptr<ResponseCache> cache;  // null when turned off
  std::unique_ptr<HttpEventLoop> loop;
  std::unique_ptr<WorkerPool> pool;
  std::thread thread;
  int bound_port = 0;
  std::mutex stop_mu;
  std::condition_variable stop_cv;  // Run() waits on it
  bool stopped = false;
  bool done = false;
  // Connections a worker is serving: Stop() shuts them down so blocked reads end at once.
  std::mutex busy_mu;
  std::unordered_set<int> busy;

  void Handle(const HttpRequest& request, HttpResponse& response) {
    // Read-only API answers come from the cache while nothing was written since they were made.
    std::optional<CacheGeneration> generation;
    std::string cache_key;
    if (cache && !request.read_body && ResponseCache::Cacheable(request)) {
      generation = cache->Current();
      if (generation) {
        cache_key = ResponseCache::Key(request);
        if (auto hit = cache->Lookup(cache_key, *generation)) {
          response.status = hit->status;
          response.headers = hit->headers;
          response.content_type = hit->content_type;
          response.body = hit->body;
          response.SetHeader("X-Mhub-Cache", "hit");
          return;
        }
      }
    }
    DispatchRequest(ctx, request, response);
    ExplainMissingAuthorization(request, response);
    if (generation) cache->Store(cache_key, *generation, response);
    // Before the answer leaves: whoever sees it must not get a cached answer from before.
    if (cache && !IsReadOnlyMethod(request.method)) cache->NoteWrite();
  }

  // On a worker: serves requests of `conn` while their heads are already buffered, then hands it
  // back to the loop (or closes it).
  void Serve(std::unique_ptr<HttpConnection> conn, RequestHead head) {
    {
      std::lock_guard<std::mutex> lock(busy_mu);
      busy.insert(conn->fd);
    }
    const int64_t start = MonotonicMs();
    std::string method = head.method;
    std::string target = head.target;
    ExchangeOutcome outcome = ServeExchange(*conn, std::move(head), limits,
                                            [this](const HttpRequest& req, HttpResponse& res) { Handle(req, res); });
    // One access-log line per request. The query is left out: signed LFS URLs carry their
    // signature there.
    if (LogEnabled(LogLevel::kInfo)) {
      size_t q = target.find('?');
      MHUB_LOG(kInfo) << conn->peer_ip << " \"" << method << " " << target.substr(0, q)
                      << (q == std::string::npos ? "" : "?...") << "\" " << outcome.status << " "
                      << outcome.body_bytes_sent << " " << (MonotonicMs() - start) << "ms";
    }
    {
      std::lock_guard<std::mutex> lock(busy_mu);
      busy.erase(conn->fd);
    }
    if (!outcome.keep_alive && !conn->linger) {  // a lingering close is the loop's to finish
      ::close(conn->fd);
      conn->fd = -1;
    }
    loop->Return(std::move(conn));
  }

  Status Bind() {
    RaiseFileLimit();
    limits.head_timeout_ms = std::max(100, options.head_timeout_ms);
    limits.max_connections_per_ip = static_cast<size_t>(std::max(1, options.max_connections_per_ip));
    head_limits = HttpHeadLimits();
    MHUB_ASSIGN_OR_RETURN(int fd, ListenTcp(options.host, options.port, options.reuse_port, &bound_port));
    loop = std::make_unique<HttpEventLoop>(fd, limits, head_limits,
                                           [this](std::unique_ptr<HttpConnection> conn, RequestHead head) {
                                             auto* raw = conn.release();
                                             auto* h = new RequestHead(std::move(head));
                                             pool->Post([this, raw, h] {
                                               std::unique_ptr<RequestHead> owned_head(h);
                                               Serve(std::unique_ptr<HttpConnection>(raw), std::move(*owned_head));
                                             });
                                           });
    MHUB_RETURN_IF_ERROR(loop->Init());
    pool = std::make_unique<WorkerPool>(options.threads);
    return Status::OK();
  }

  void Shutdown() {
    {
      std::lock_guard<std::mutex> lock(stop_mu);
      if (stopped || !loop) return;
      stopped = true;
    }
    loop->Stop();
    if (thread.joinable()) thread.join();
    {
      std::lock_guard<std::mutex> lock(busy_mu);
      for (int fd : busy) ::shutdown(fd, SHUT_RDWR);
    }
    pool.reset();  // runs what is queued (its connections are closed by the stopped loop)
    {
      std::lock_guard<std::mutex> lock(stop_mu);
      done = true;
    }
    stop_cv.notify_all();
  }
};

HubServer::HubServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HubServer::~HubServer() {
  Stop();
  if (impl_) impl_->loop.reset();
}

Result<std::unique_ptr<HubServer>> HubServer::Open(const ServerOptions& options) {
  if (options.data_dir.empty()) return Status::InvalidArgument("the server needs a data directory (--data)");
  // sendfile() to a socket the client closed raises SIGPIPE (send() has MSG_NOSIGNAL, sendfile has
  // no such flag): an aborted download must not kill the process that embeds the server.
  ::signal(SIGPIPE, SIG_IGN);
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  HubContext& ctx = impl->ctx;
  std::error_code ec;
  ctx.data_dir = std::filesystem::absolute(options.data_dir, ec).lexically_normal().string();
  while (ctx.data_dir.size() > 1 && ctx.data_dir.back() == '/') ctx.data_dir.pop_back();
  MHUB_RETURN_IF_ERROR(Env::Default()->CreateDirs(ctx.data_dir));
  ctx.tmp_dir = ctx.data_dir + "/tmp/http";
  // Spooled bodies and CGI outputs of a previous run are garbage now.
  std::filesystem::remove_all(ctx.tmp_dir, ec);
  MHUB_RETURN_IF_ERROR(Env::Default()->CreateDirs(ctx.tmp_dir));
  // So are half-written inflated blobs (blob_file.h).
  for (const auto& entry : std::filesystem::directory_iterator(ctx.data_dir + "/cache/blobs", ec)) {
    if (entry.path().filename().string().find(".tmp-") != std::string::npos) std::filesystem::remove(entry.path(), ec);
  }
  ctx.public_url = options.public_url;
  while (!ctx.public_url.empty() && ctx.public_url.back() == '/') ctx.public_url.pop_back();
  ctx.lfs = std::make_unique<LfsStore>(ctx.data_dir);
  MHUB_RETURN_IF_ERROR(ctx.lfs->Init());
  ctx.repos = std::make_unique<RepoStore>(ctx.data_dir, ctx.lfs.get());
  MHUB_RETURN_IF_ERROR(ctx.repos->Init());
  MHUB_ASSIGN_OR_RETURN(ctx.db, OpenSqliteMetadataDb(ctx.data_dir + "/db.sqlite"));
  MHUB_ASSIGN_OR_RETURN(LfsUrlSigner signer, LfsUrlSigner::Open(ctx.data_dir));
  ctx.signer = std::make_unique<LfsUrlSigner>(std::move(signer));
  if (size_t bytes = ResponseCacheBytes(); bytes > 0)
    impl->cache = std::make_unique<ResponseCache>(ctx.db.get(), bytes);
  MHUB_ASSIGN_OR_RETURN(int imported, ImportMissingRepos(*ctx.repos, *ctx.db));
  if (imported > 0) {
    MHUB_LOG(kInfo) << "imported " << imported << " repos found on disk";
  }
  MHUB_RETURN_IF_ERROR(SetUpLfsAccess(ctx));  // lfs_setup.h: per-repo LFS access, file modes
  // The dataset viewer: its Parquet conversion worker resumes unfinished jobs (viewer_service.h).
  MHUB_ASSIGN_OR_RETURN(ctx.viewer, viewer::ViewerService::Start(&ctx));

  return std::unique_ptr<HubServer>(new HubServer(std::move(impl)));
}

Status HubServer::Start() {
  MHUB_RETURN_IF_ERROR(impl_->Bind());
  impl_->thread = std::thread([this] { impl_->loop->Run(); });
  return Status::OK();
}

Status HubServer::Run() {
  MHUB_RETURN_IF_ERROR(Start());
  MHUB_LOG(kInfo) << "mhub server listening on http://" << impl_->options.host << ":" << impl_->bound_port;
  std::unique_lock<std::mutex> lock(impl_->stop_mu);
  impl_->stop_cv.wait(lock, [this] { return impl_->done; });
  return Status::OK();
}

void HubServer::Stop() {
  if (!impl_) return;
  impl_->Shutdown();
}

int HubServer::port() const { return impl_->bound_port; }

}  // namespace mhub::server
