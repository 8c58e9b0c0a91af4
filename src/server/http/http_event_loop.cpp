#include "server/http/http_event_loop.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string_view>

#include "mhub/base/logging.h"
#include "server/http/http_response_writer.h"

namespace mhub::server {
namespace {

constexpr int64_t kLingerMs = 2000;  // how long a refused client may still send before we close
// After an answer that left a body unread: what the client still sends is dropped while it keeps
// coming (kLingerMs without a byte ends it), up to this much and this long in all.
constexpr uint64_t kMaxLingerBytes = uint64_t{64} << 20;
constexpr int64_t kMaxLingerMs = 30000;
constexpr int64_t kSweepEveryMs = 250;
constexpr size_t kReadChunk = 16 << 10;

// Whether the event loop waits for the body before a worker takes the request: for a small body
// (all of it) or a chunked one (its first body_preread_bytes). Not when the client waits for "100
// Continue" (only the handler may send that: a refused upload is never sent), nor for a large
// announced body (the handler may refuse it by its Content-Length at once; a worker that does read
// it is bounded by the minimum rate, http_exchange.h).
bool NeedsBodyPrefix(const RequestHead& head, const ConnectionLimits& limits) {
  if (limits.body_preread_bytes == 0 || head.expect_continue) return false;
  if (head.chunked) return true;
  return head.content_length && *head.content_length > 0 && *head.content_length <= limits.body_preread_bytes;
}

// Whether `buffer` (the bytes after the head) holds the body prefix the loop waits for: the whole
// body when it is small, else body_preread_bytes. A chunked body is followed chunk by chunk up to
// its last chunk and trailers (from where the last call stopped); framing it cannot follow (a bad
// size line) ends the wait too: the worker reads it and reports the error.
bool BodyPrefixArrived(const std::string& buffer, PendingBody& pending, const ConnectionLimits& limits) {
  if (buffer.size() >= limits.body_preread_bytes) return true;
  if (!pending.head.chunked) return buffer.size() >= *pending.head.content_length;
  using Chunk = PendingBody::Chunk;
  constexpr size_t kMaxLine = 4096;
  size_t& pos = pending.scanned;
  while (pending.chunk != Chunk::kDone) {
    if (pending.chunk == Chunk::kData) {
      const uint64_t take = std::min<uint64_t>(pending.chunk_left, buffer.size() - pos);
      pos += static_cast<size_t>(take);
      pending.chunk_left -= take;
      if (pending.chunk_left > 0) return false;
      pending.chunk = Chunk::kDataEnd;
      continue;
    }
    const size_t nl = buffer.find('\n', pos);
    if (nl == std::string::npos) return buffer.size() - pos > kMaxLine;  // a line too long: the worker says so
    std::string_view line(buffer.data() + pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = nl + 1;
    if (pending.chunk == Chunk::kSizeLine) {
      uint64_t size = 0;
      size_t digits = 0;
      for (char c : line) {
        const int v = c >= '0' && c <= '9'   ? c - '0'
                      : c >= 'a' && c <= 'f' ? c - 'a' + 10
                      : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                             : -1;
        if (v < 0 || ++digits > 15) break;
        size = size * 16 + static_cast<uint64_t>(v);
      }
      if (digits == 0 || digits > 15) return true;  // malformed: the worker says so
      pending.chunk_left = size;
      pending.chunk = size == 0 ? Chunk::kTrailers : Chunk::kData;
    } else if (pending.chunk == Chunk::kDataEnd) {
      pending.chunk = Chunk::kSizeLine;  // (a non-empty line here is the worker's error to report)
    } else if (line.empty()) {           // kTrailers end at the blank line
      pending.chunk = Chunk::kDone;
    }
  }
  return true;
}

std::string PeerIp(const sockaddr_storage& addr) {
  char text[INET6_ADDRSTRLEN] = {0};
  if (addr.ss_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(addr).sin_addr, text, sizeof(text));
  } else if (addr.ss_family == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(addr).sin6_addr, text, sizeof(text));
  }
  return text;
}

}  // namespace

int64_t MonotonicMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

HttpEventLoop::HttpEventLoop(int listen_fd, const ConnectionLimits& limits, const HttpHeadLimits& head_limits,
                             HeadHandler on_head)
    : listen_fd_(listen_fd), limits_(limits), head_limits_(head_limits), on_head_(std::move(on_head)) {}

HttpEventLoop::~HttpEventLoop() {
  for (auto& [ptr, conn] : held_) ::close(conn->fd);
  for (auto& conn : returned_) {
    if (conn->fd >= 0) ::close(conn->fd);
  }
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

Status HttpEventLoop::Init() {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0) return Status::IOError("cannot create the server's event loop");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;  // the listening socket
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev) != 0) return Status::IOError("epoll_ctl(listen)");
  ev.data.ptr = &wake_fd_;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) return Status::IOError("epoll_ctl(eventfd)");
  return Status::OK();
}

void HttpEventLoop::Run() {
  epoll_event events[256];
  int64_t next_sweep = MonotonicMs() + kSweepEveryMs;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) break;
    }
    int n = ::epoll_wait(epoll_fd_, events, 256, static_cast<int>(kSweepEveryMs));
    for (int i = 0; i < n; ++i) {
      void* tag = events[i].data.ptr;
      if (tag == nullptr) {
        Accept();
      } else if (tag == &wake_fd_) {
        uint64_t v;
        while (::read(wake_fd_, &v, sizeof(v)) > 0) {
        }
      } else {
        OnReadable(static_cast<HttpConnection*>(tag));
      }
    }
    TakeReturned();
    int64_t now = MonotonicMs();
    if (now >= next_sweep) {
      Sweep(now);
      next_sweep = now + kSweepEveryMs;
    }
  }
  for (auto& [ptr, conn] : held_) ::close(conn->fd);
  held_.clear();
  awaiting_body_.clear();
}

void HttpEventLoop::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof(one));
}

void HttpEventLoop::Return(std::unique_ptr<HttpConnection> conn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      returned_.push_back(std::move(conn));
    } else if (conn->fd >= 0) {
      ::close(conn->fd);
      return;
    } else {
      return;
    }
  }
  uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof(one));
}

void HttpEventLoop::Accept() {
  for (int i = 0; i < 256; ++i) {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE) {
        MHUB_LOG(kWarn) << "out of file descriptors: connection not accepted";
      }
      return;
    }
    // Without TCP_NODELAY, Nagle + delayed ACKs add ~40 ms to each answer after the first on a
    // kept-alive connection.
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    std::string ip = PeerIp(addr);
    size_t& count = per_ip_[ip];
    if (count >= limits_.max_connections_per_ip || open_ >= limits_.max_connections) {
      if (count == 0) per_ip_.erase(ip);
      WriteSimpleAnswer(fd, 503, "too many connections", false);
      ::close(fd);
      continue;
    }
    ++count;
    ++open_;
    auto conn = std::make_unique<HttpConnection>();
    conn->fd = fd;
    conn->peer_ip = std::move(ip);
    conn->phase = HttpConnection::Phase::kHead;
    conn->deadline_ms = MonotonicMs() + limits_.head_timeout_ms;
    HttpConnection* raw = conn.get();
    held_.emplace(raw, std::move(conn));
    Watch(raw);
  }
}

void HttpEventLoop::Watch(HttpConnection* conn) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP;
  ev.data.ptr = conn;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, conn->fd, &ev) != 0) Close(conn);
}

void HttpEventLoop::OnReadable(HttpConnection* conn) {
  char buf[kReadChunk];
  bool saw_newline = false;
  // Never buffer more than a head (or the body prefix) can take, plus one read: the rest waits in
  // the socket.
  const size_t cap =
      conn->phase == HttpConnection::Phase::kBody ? limits_.body_preread_bytes : head_limits_.max_head_bytes;
  while (conn->buffer.size() <= cap) {
    ssize_t n = ::recv(conn->fd, buf, sizeof(buf), 0);
    if (n > 0) {
      size_t skip = 0;
      if (conn->phase == HttpConnection::Phase::kLingering) {  // discarded
        conn->discard_bytes += static_cast<uint64_t>(n);
        if (conn->discard_bytes < kMaxLingerBytes) {
          conn->deadline_ms = std::min(MonotonicMs() + kLingerMs, conn->linger_end_ms);
        }
        continue;
      }
      if (conn->phase == HttpConnection::Phase::kDiscard) {  // the rest of an unread body
        skip = static_cast<size_t>(std::min<uint64_t>(conn->discard_bytes, static_cast<uint64_t>(n)));
        conn->discard_bytes -= skip;
        if (conn->discard_bytes > 0) continue;
        conn->phase = HttpConnection::Phase::kIdle;
        if (skip == static_cast<size_t>(n)) {
          conn->deadline_ms = MonotonicMs() + limits_.keep_alive_idle_ms;
          continue;
        }
      }
      if (conn->phase == HttpConnection::Phase::kIdle) {
        conn->phase = HttpConnection::Phase::kHead;
        conn->deadline_ms = MonotonicMs() + limits_.head_timeout_ms;
      }
      conn->buffer.append(buf + skip, static_cast<size_t>(n) - skip);
      if (std::memchr(buf + skip, '\n', static_cast<size_t>(n) - skip) != nullptr) saw_newline = true;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0 && errno == EINTR) continue;
    // End of stream or error. A client may send a whole request and then shut its side down:
    // that request is still served (the answer can be written), so parse what came first.
    if (n == 0 && conn->phase == HttpConnection::Phase::kHead && !conn->buffer.empty()) TryParse(conn, true);
    // Nothing more will come: the worker serves what did (a short body is its error to report).
    if (n == 0 && held_.count(conn) != 0 && conn->phase == HttpConnection::Phase::kBody) Dispatch(conn);
    if (held_.count(conn) == 0) return;  // handed to a worker
    Close(conn);
    return;
  }
  if (conn->phase == HttpConnection::Phase::kHead) {
    TryParse(conn, saw_newline);
  } else if (conn->phase == HttpConnection::Phase::kBody &&
             BodyPrefixArrived(conn->buffer, awaiting_body_.at(conn), limits_)) {
    Dispatch(conn);
  }
}

void HttpEventLoop::TryParse(HttpConnection* conn, bool saw_newline) {
  // Parsing only when a line ended keeps a client that sends one byte at a time from making the
  // loop rescan its head for every byte.
  if (!saw_newline && conn->buffer.size() <= head_limits_.max_head_bytes) return;
  RequestHead head;
  HeadParseResult r = ParseRequestHead(conn->buffer, head_limits_, &head);
  if (r.state == HeadState::kIncomplete) return;
  if (r.state == HeadState::kError) {
    Refuse(conn, r.status, r.message);
    return;
  }
  conn->buffer.erase(0, r.head_bytes);
  const bool wait = NeedsBodyPrefix(head, limits_);
  PendingBody& pending = awaiting_body_[conn];
  pending = PendingBody{std::move(head)};
  if (wait && !BodyPrefixArrived(conn->buffer, pending, limits_)) {
    // A body trickled a byte at a time must cost the client its own deadline, not a worker.
    conn->phase = HttpConnection::Phase::kBody;
    conn->deadline_ms = MonotonicMs() + limits_.head_timeout_ms;
    return;
  }
  Dispatch(conn);
}

void HttpEventLoop::Dispatch(HttpConnection* conn) {
  auto pending = awaiting_body_.find(conn);
  RequestHead head = std::move(pending->second.head);
  awaiting_body_.erase(pending);
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, conn->fd, nullptr);
  auto it = held_.find(conn);
  std::unique_ptr<HttpConnection> owned = std::move(it->second);
  held_.erase(it);
  owned->requests++;
  on_head_(std::move(owned), std::move(head));
}

void HttpEventLoop::Refuse(HttpConnection* conn, int status, const std::string& message) {
  WriteSimpleAnswer(conn->fd, status, message, false);
  // Lingering close: the client may still be sending; closing with unread bytes would reset the
  // connection and could destroy the answer before the client reads it.
  ::shutdown(conn->fd, SHUT_WR);
  conn->buffer.clear();
  conn->buffer.shrink_to_fit();
  conn->phase = HttpConnection::Phase::kLingering;
  conn->deadline_ms = MonotonicMs() + kLingerMs;
  conn->linger_end_ms = conn->deadline_ms;  // no extension: the client sent a bad head
}

void HttpEventLoop::Close(HttpConnection* conn) {
  // Explicitly: close() alone leaves the registration (and its pointer to `conn`) in the epoll
  // set while a forked child (a CGI or git process being spawned) still holds a copy of the fd.
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, conn->fd, nullptr);
  ::close(conn->fd);
  Forget(conn->peer_ip);
  awaiting_body_.erase(conn);
  held_.erase(conn);
}

void HttpEventLoop::Forget(const std::string& ip) {
  auto it = per_ip_.find(ip);
  if (it != per_ip_.end() && --it->second == 0) per_ip_.erase(it);
  if (open_ > 0) --open_;
}

void HttpEventLoop::TakeReturned() {
  std::vector<std::unique_ptr<HttpConnection>> back;
  {
    std::lock_guard<std::mutex> lock(mu_);
    back.swap(returned_);
  }
  int64_t now = MonotonicMs();
  for (auto& conn : back) {
    if (conn->fd < 0) {
      Forget(conn->peer_ip);
      continue;
    }
    if (conn->linger) {  // the worker sent the answer and shut its side down
      conn->linger = false;
      conn->buffer.clear();
      conn->buffer.shrink_to_fit();
      conn->discard_bytes = 0;
      conn->phase = HttpConnection::Phase::kLingering;
      conn->deadline_ms = now + kLingerMs;
      conn->linger_end_ms = now + kMaxLingerMs;
      HttpConnection* raw = conn.get();
      held_.emplace(raw, std::move(conn));
      Watch(raw);
      continue;
    }
    if (conn->discard_bytes > 0) {  // the unread rest of the last body: buffered bytes go first
      size_t drop = static_cast<size_t>(std::min<uint64_t>(conn->discard_bytes, conn->buffer.size()));
      conn->buffer.erase(0, drop);
      conn->discard_bytes -= drop;
    }
    if (conn->requests >= limits_.max_requests_per_connection) {
      ::close(conn->fd);
      Forget(conn->peer_ip);
      continue;
    }
    bool pending = !conn->buffer.empty();
    conn->phase = pending ? HttpConnection::Phase::kHead : HttpConnection::Phase::kIdle;
    conn->deadline_ms = now + (pending ? limits_.head_timeout_ms : limits_.keep_alive_idle_ms);
    if (conn->discard_bytes > 0) {  // it must come within the head deadline
      conn->phase = HttpConnection::Phase::kDiscard;
      conn->deadline_ms = now + limits_.head_timeout_ms;
    }
    HttpConnection* raw = conn.get();
    held_.emplace(raw, std::move(conn));
    Watch(raw);
    if (pending && held_.count(raw)) TryParse(raw, true);
  }
}

void HttpEventLoop::Sweep(int64_t now) {
  std::vector<HttpConnection*> expired;
  for (auto& [ptr, conn] : held_) {
    if (conn->deadline_ms <= now) expired.push_back(ptr);
  }
  for (HttpConnection* conn : expired) {
    if (conn->phase == HttpConnection::Phase::kHead && !conn->buffer.empty()) {
      WriteSimpleAnswer(conn->fd, 408, "the request head did not arrive in time", false);
    } else if (conn->phase == HttpConnection::Phase::kBody) {
      WriteSimpleAnswer(conn->fd, 408, "the request body did not arrive in time", false);
    }
    Close(conn);
  }
}

}  // namespace mhub::server
