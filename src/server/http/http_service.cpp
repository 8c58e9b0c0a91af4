// HttpService over the hub server's parts: the event loop reads heads, the worker pool runs
// ServeExchange with the service's handler, connections go back to the loop between requests.
#include "mhub/server/http_service.h"

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "mhub/base/logging.h"
#include "server/http/http_event_loop.h"
#include "server/http/http_exchange.h"
#include "server/http/http_listen.h"
#include "server/http/http_worker_pool.h"

namespace mhub::server {

struct HttpService::Impl {
  HttpServiceOptions options;
  HttpHandler handler;
  ConnectionLimits limits;
  HttpHeadLimits head_limits;
  std::unique_ptr<HttpEventLoop> loop;
  std::unique_ptr<WorkerPool> pool;
  std::thread thread;
  int bound_port = 0;
  std::mutex mu;  // guards stopped and busy
  bool stopped = false;
  std::unordered_set<int> busy;  // connections on a worker: Stop() shuts them down

  void Serve(std::unique_ptr<HttpConnection> conn, RequestHead head) {
    {
      std::lock_guard<std::mutex> lock(mu);
      busy.insert(conn->fd);
    }
    const int64_t start = MonotonicMs();
    const std::string method = head.method;
    const std::string target = head.target;
    ExchangeOutcome outcome = ServeExchange(*conn, std::move(head), limits, handler);
    if (options.access_log && LogEnabled(LogLevel::kInfo)) {
      MHUB_LOG(kInfo) << conn->peer_ip << " \"" << method << " " << target.substr(0, target.find('?')) << "\" "
                      << outcome.status << " " << outcome.body_bytes_sent << " " << (MonotonicMs() - start) << "ms";
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      busy.erase(conn->fd);
    }
    if (!outcome.keep_alive && !conn->linger) {
      ::close(conn->fd);
      conn->fd = -1;
    }
    loop->Return(std::move(conn));
  }
};

HttpService::HttpService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpService::~HttpService() {
  Stop();
  if (impl_) impl_->loop.reset();
}

Result<std::unique_ptr<HttpService>> HttpService::Start(const HttpServiceOptions& options, HttpHandler handler) {
  // A client that goes away mid-answer must not kill the process (send() has MSG_NOSIGNAL; this
  // covers the rest).
  ::signal(SIGPIPE, SIG_IGN);
  RaiseFileLimit();
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->handler = std::move(handler);
  impl->limits.head_timeout_ms = std::max(100, options.head_timeout_ms);
  impl->limits.max_connections_per_ip = static_cast<size_t>(std::max(1, options.max_connections_per_ip));
  MHUB_ASSIGN_OR_RETURN(int fd, ListenTcp(options.host, options.port, false, &impl->bound_port));
  Impl* raw_impl = impl.get();
  impl->loop = std::make_unique<HttpEventLoop>(
      fd, impl->limits, impl->head_limits, [raw_impl](std::unique_ptr<HttpConnection> conn, RequestHead head) {
        auto* raw = conn.release();
        auto* h = new RequestHead(std::move(head));
        raw_impl->pool->Post([raw_impl, raw, h] {
          std::unique_ptr<RequestHead> owned_head(h);
          raw_impl->Serve(std::unique_ptr<HttpConnection>(raw), std::move(*owned_head));
        });
      });
  MHUB_RETURN_IF_ERROR(impl->loop->Init());
  impl->pool = std::make_unique<WorkerPool>(std::max(1, options.threads));
  impl->thread = std::thread([raw_impl] { raw_impl->loop->Run(); });
  return std::unique_ptr<HttpService>(new HttpService(std::move(impl)));
}

int HttpService::port() const { return impl_->bound_port; }

void HttpService::Stop() {
  if (!impl_) return;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (impl_->stopped || !impl_->loop) return;
    impl_->stopped = true;
  }
  impl_->loop->Stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    for (int fd : impl_->busy) ::shutdown(fd, SHUT_RDWR);
  }
  impl_->pool.reset();
}

}  // namespace mhub::server
