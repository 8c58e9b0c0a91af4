// HubServer on cpp-httplib. This is the only file that includes <httplib.h>: it converts
// httplib's request/response to HttpRequest/HttpResponse and hands them to the router.
#include "mhub/server/server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <thread>

#include "mhub/base/env.h"
#include "mhub/base/logging.h"
#include "mhub/server/repo_sync.h"
#include "server/http/lfs_setup.h"
#include "server/http/response_cache.h"
#include "server/http/router.h"
#include "server/http/url_codec.h"

namespace mhub::server {
namespace {

constexpr size_t kMaxTargetBytes = 8000;
// A refused request's unread body is read and dropped up to this size before the answer goes out
// (an LFS part is up to the 16 MiB default chunk): closing with unread bytes makes the kernel reset
// the connection, and the client can lose the answer (an error status and its headers) with it.
constexpr size_t kMaxDrainBytes = size_t{64} << 20;
// Requests one kept-alive connection may carry before the server closes it (httplib's default
// of 5 makes busy clients reconnect every few requests).
constexpr size_t kKeepAliveMaxRequests = 100;
// Debian's httplib listens with a backlog of 5 (compiled into its shared library): clients that
// connect together (64 at once in the API benchmark) overflow it and each dropped connection
// costs its client a 1 s SYN retransmit. The socket is listened on again with this backlog.
constexpr int kListenBacklog = 1024;

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

HttpRequest ConvertRequest(const httplib::Request& in) {
  HttpRequest out;
  out.method = in.method;
  out.target = in.target;
  size_t q = in.target.find('?');
  out.raw_path = in.target.substr(0, q);
  if (q != std::string::npos) out.query = ParseQueryString(std::string_view(in.target).substr(q + 1));
  for (const auto& [k, v] : in.headers) out.headers.emplace_back(k, v);
  out.remote_addr = in.remote_addr;
  return out;
}

// Streams a file slice without reading it whole.
void SetFileBody(httplib::Response& res, const FileBody& body, const std::string& content_type) {
  int fd = ::open(body.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    res.status = 500;
    res.set_content("{\"error\":\"cannot open file to send\"}", "application/json");
    if (body.remove_after) ::unlink(body.path.c_str());
    return;
  }
  auto state = std::make_shared<FileBody>(body);
  res.set_content_provider(
      static_cast<size_t>(body.length), content_type,
      [fd, state](size_t offset, size_t length, httplib::DataSink& sink) {
        std::string buf(std::min<size_t>(length, 1 << 20), '\0');
        ssize_t n = ::pread(fd, buf.data(), buf.size(), static_cast<off_t>(state->offset + offset));
        if (n <= 0) return false;
        return sink.write(buf.data(), static_cast<size_t>(n));
      },
      [fd, state](bool) {
        ::close(fd);
        if (state->remove_after) ::unlink(state->path.c_str());
      });
}

void ApplyResponse(const HttpResponse& in, const httplib::Request& req, httplib::Response& out) {
  // This server does its own Range handling (resolve_handler.cpp); stop httplib from slicing
  // the answer again. The Request object httplib passes is a mutable local of its own.
  const_cast<httplib::Request&>(req).ranges.clear();
  out.status = in.status;
  for (const auto& [k, v] : in.headers) out.set_header(k, v);
  std::string type = in.content_type.empty() ? "application/octet-stream" : in.content_type;
  if (in.file) {
    if (req.method == "HEAD") {
      out.set_header("Content-Type", type);
      out.set_header("Content-Length", std::to_string(in.file->length));
      if (in.file->remove_after) ::unlink(in.file->path.c_str());
    } else {
      SetFileBody(out, *in.file, type);
    }
  } else if (in.head_content_length) {
    out.set_header("Content-Type", type);
    out.set_header("Content-Length", std::to_string(*in.head_content_length));
  } else if (!in.body.empty() || !in.content_type.empty()) {
    out.set_content(in.body, type);
  }
}

// The hit path: the stored answer goes straight into httplib's response (one copy of the body).
void ApplyCached(const CachedResponse& hit, const httplib::Request& req, httplib::Response& out) {
  const_cast<httplib::Request&>(req).ranges.clear();  // see ApplyResponse
  out.status = hit.status;
  for (const auto& [k, v] : hit.headers) out.set_header(k, v);
  out.set_header("X-Mhub-Cache", "hit");
  if (!hit.body.empty() || !hit.content_type.empty()) {
    out.set_content(hit.body, hit.content_type.empty() ? "application/octet-stream" : hit.content_type);
  }
}

}  // namespace

struct HubServer::Impl {
  ServerOptions options;
  HubContext ctx;
  std::unique_ptr<ResponseCache> cache;  // null when turned off
  httplib::Server http;
  std::thread thread;
  int bound_port = 0;
  int listen_fd = -1;  // the listening socket, seen through the socket-options hook

  void Handle(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* reader) {
    HttpRequest request = ConvertRequest(req);
    // Read-only API answers come from the cache while nothing was written since they were made.
    std::optional<CacheGeneration> generation;
    std::string cache_key;
    if (cache && reader == nullptr && ResponseCache::Cacheable(request)) {
      generation = cache->Current();
      if (generation) {
        cache_key = ResponseCache::Key(request);
        if (auto hit = cache->Lookup(cache_key, *generation)) {
          ApplyCached(*hit, req, res);
          return;
        }
      }
    }
    // body_read: the handler asked for the body; body_cut: it stopped reading before the end.
    auto body_read = std::make_shared<bool>(false);
    auto body_cut = std::make_shared<bool>(false);
    if (reader) {
      request.read_body = [reader, body_read, body_cut](const BodyChunkSink& sink) -> Status {
        *body_read = true;
        bool stopped_by_sink = false;
        bool ok = (*reader)([&](const char* data, size_t n) {
          if (!sink(data, n)) {
            stopped_by_sink = true;
            return false;
          }
          return true;
        });
        if (!ok) *body_cut = true;
        if (!ok && !stopped_by_sink) return Status::IOError("the request body could not be read");
        return Status::OK();
      };
    }
    HttpResponse response;
    DispatchRequest(ctx, request, response);
    if (generation) cache->Store(cache_key, *generation, response);
    // Before the answer leaves: whoever sees it must not get a cached answer from before.
    if (cache && !IsReadOnlyMethod(request.method)) cache->NoteWrite();
    if (reader && !*body_read) {
      // A body the handler did not want must still leave the connection, or the next request on
      // this keep-alive connection would be parsed from its bytes. Small ones are drained.
      size_t drained = 0;
      bool ok = (*reader)([&](const char*, size_t n) {
        drained += n;
        return drained <= kMaxDrainBytes;
      });
      if (!ok || drained > kMaxDrainBytes) response.SetHeader("Connection", "close");
    }
    if (*body_cut) response.SetHeader("Connection", "close");
    ApplyResponse(response, req, res);
  }

  void Install() {
    http.new_task_queue = [threads = options.threads] { return new httplib::ThreadPool(threads); };
    http.set_payload_max_length(std::numeric_limits<size_t>::max());
    // Without TCP_NODELAY, Nagle + delayed ACKs add ~40 ms to each request after the first on a
    // kept-alive connection.
    http.set_tcp_nodelay(true);
    http.set_socket_options([this](socket_t sock) {
      httplib::default_socket_options(sock);
      listen_fd = sock;
    });
    // Each kept-alive connection holds a worker; idle ones give it back quickly.
    http.set_keep_alive_timeout(2);
    http.set_keep_alive_max_count(kKeepAliveMaxRequests);
    http.set_read_timeout(60);
    http.set_write_timeout(60);
    // GET/HEAD (no body) are served here, before httplib's regex routing.
    http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (req.target.size() > kMaxTargetBytes) {
        res.status = 414;
        res.set_content("{\"error\":\"URL too long\"}", "application/json");
        return httplib::Server::HandlerResponse::Handled;
      }
      if (req.method == "GET" || req.method == "HEAD" || req.method == "OPTIONS") {
        Handle(req, res, nullptr);
        return httplib::Server::HandlerResponse::Handled;
      }
      // A request with neither Content-Length nor Transfer-Encoding has no body (RFC 9112 6.3).
      // httplib would read one until the client closes the connection (or for the read timeout),
      // so such requests are answered here, as bodiless; the connection stays usable.
      if (!req.has_header("Content-Length") && !req.has_header("Transfer-Encoding")) {
        Handle(req, res, nullptr);
        return httplib::Server::HandlerResponse::Handled;
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
    const std::string any = "[\\s\\S]*";
    auto with_body = [this](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& r) {
      Handle(req, res, &r);
    };
    auto without_body = [this](const httplib::Request& req, httplib::Response& res) { Handle(req, res, nullptr); };
    http.Post(any, with_body);
    http.Post(any, without_body);
    http.Put(any, with_body);
    http.Put(any, without_body);
    http.Patch(any, with_body);
    http.Patch(any, without_body);
    http.Delete(any, with_body);
    http.Delete(any, without_body);
  }
};

HubServer::HubServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HubServer::~HubServer() { Stop(); }

Result<std::unique_ptr<HubServer>> HubServer::Open(const ServerOptions& options) {
  if (options.data_dir.empty()) return Status::InvalidArgument("the server needs a data directory (--data)");
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
  impl->Install();
  return std::unique_ptr<HubServer>(new HubServer(std::move(impl)));
}

// Binds the configured address (any free port for port 0) and records the port.
static Status Bind(httplib::Server& http, const ServerOptions& options, const int* listen_fd, int* bound_port) {
  int port = options.port;
  if (port == 0) {
    port = http.bind_to_any_port(options.host);
    if (port < 0) return Status::Unavailable("cannot bind " + options.host);
  } else if (!http.bind_to_port(options.host, port)) {
    return Status::Unavailable("cannot bind " + options.host + ":" + std::to_string(port));
  }
  *bound_port = port;
  // Linux applies a second listen() on a listening socket as a new backlog.
  if (*listen_fd >= 0) (void)::listen(*listen_fd, kListenBacklog);
  return Status::OK();
}

Status HubServer::Start() {
  MHUB_RETURN_IF_ERROR(Bind(impl_->http, impl_->options, &impl_->listen_fd, &impl_->bound_port));
  impl_->thread = std::thread([this] { impl_->http.listen_after_bind(); });
  return Status::OK();
}

Status HubServer::Run() {
  MHUB_RETURN_IF_ERROR(Bind(impl_->http, impl_->options, &impl_->listen_fd, &impl_->bound_port));
  MHUB_LOG(kInfo) << "mhub server listening on http://" << impl_->options.host << ":" << impl_->bound_port;
  if (!impl_->http.listen_after_bind()) return Status::IOError("the server stopped with an error");
  return Status::OK();
}

void HubServer::Stop() {
  if (!impl_) return;
  impl_->http.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int HubServer::port() const { return impl_->bound_port; }

}  // namespace mhub::server
