#include "server/http/http_exchange.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <string_view>

#include "server/http/http_response_writer.h"
#include "server/http/url_codec.h"

namespace mhub::server {
namespace {

// A body the handler did not read is dropped after the answer is written (by the event loop):
// up to this much to keep the connection alive; beyond, the connection closes after a lingering
// read (closing with unread bytes makes the kernel reset the connection, and a client still
// sending, e.g. an LFS part of up to 16 MiB, would lose the answer).
constexpr uint64_t kKeepAliveDrainBytes = uint64_t{1} << 20;
constexpr size_t kReadChunk = 64 << 10;
constexpr size_t kMaxChunkLine = 4096;
constexpr int kMaxTrailers = 100;
// The minimum rate applies once a transfer has waited on the client this long in total. Shorter
// for request bodies: a worker that waits on a trickled body serves nobody else (small bodies
// never get here, the event loop reads them; see ConnectionLimits::body_preread_bytes).
constexpr int64_t kSendRateGraceMs = 10000;
constexpr int64_t kRecvRateGraceMs = 5000;

// Socket I/O with the connection's deadlines: no single wait longer than the idle timeout, and a
// client that has made us wait more than the grace must have kept up min_bytes_per_s.
class SocketIo {
 public:
  SocketIo(int fd, const ConnectionLimits& limits) : fd_(fd), limits_(limits), idle_ms_(limits.io_idle_timeout_ms) {}

  // Appends up to `max` bytes to `out`. False on end of stream, error or a broken deadline.
  bool Recv(std::string* out, size_t max) {
    char buf[64 << 10];
    for (;;) {
      ssize_t n = ::recv(fd_, buf, std::min(max, sizeof(buf)), 0);
      if (n > 0) {
        out->append(buf, static_cast<size_t>(n));
        received_ += static_cast<uint64_t>(n);
        return true;
      }
      if (n == 0) return false;
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return false;
      if (!Wait(POLLIN, received_, kRecvRateGraceMs)) return false;
    }
  }

  bool SendAll(const char* data, size_t size) {
    while (size > 0) {
      ssize_t n = ::send(fd_, data, size, MSG_NOSIGNAL);
      if (n > 0) {
        data += n;
        size -= static_cast<size_t>(n);
        sent_ += static_cast<uint64_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && Wait(POLLOUT, sent_, kSendRateGraceMs)) continue;
      return false;
    }
    return true;
  }

  bool SendFile(int file_fd, uint64_t offset, uint64_t length) {
    off_t off = static_cast<off_t>(offset);
    while (length > 0) {
      ssize_t n = ::sendfile(fd_, file_fd, &off, static_cast<size_t>(std::min<uint64_t>(length, 4 << 20)));
      if (n > 0) {
        length -= static_cast<uint64_t>(n);
        sent_ += static_cast<uint64_t>(n);
        continue;
      }
      if (n == 0) return false;  // the file is shorter than announced
      if (errno == EINTR) continue;
      if ((errno == EAGAIN || errno == EWOULDBLOCK) && Wait(POLLOUT, sent_, kSendRateGraceMs)) continue;
      return false;
    }
    return true;
  }

  uint64_t sent() const { return sent_; }

 private:
  // Waits for `events` until the client would break the minimum rate (`progressed` bytes so far,
  // grace_ms of waiting free) or the idle timeout: a silent client is dropped when the rate says
  // so, not after the whole idle timeout.
  bool Wait(short events, uint64_t progressed, int64_t grace_ms) {
    int64_t allowed_ms = idle_ms_ + waited_ms_;  // no rate: only the idle timeout
    if (limits_.min_bytes_per_s > 0) {
      const uint64_t earned = progressed * 1000 / limits_.min_bytes_per_s;
      allowed_ms = std::max<int64_t>(grace_ms, static_cast<int64_t>(std::min<uint64_t>(earned, INT64_MAX / 2)));
    }
    const int64_t budget = std::min(idle_ms_, allowed_ms - waited_ms_);
    if (budget <= 0) return false;
    int64_t start = MonotonicMs();
    pollfd p{fd_, events, 0};
    int rc;
    do {
      rc = ::poll(&p, 1, static_cast<int>(budget));
    } while (rc < 0 && errno == EINTR);
    waited_ms_ += MonotonicMs() - start;
    if (rc <= 0) return false;
    return (p.revents & (POLLERR | POLLNVAL)) == 0;
  }

  int fd_;
  const ConnectionLimits& limits_;
  uint64_t received_ = 0;
  uint64_t sent_ = 0;
  int64_t waited_ms_ = 0;
  int64_t idle_ms_;
};

// The request body, read on demand from the connection's buffered bytes, then the socket.
class BodyReader {
 public:
  BodyReader(HttpConnection& conn, SocketIo& io, const RequestHead& head)
      : conn_(conn), io_(io), chunked_(head.chunked), expect_continue_(head.expect_continue) {
    if (chunked_) {
      state_ = State::kSize;
    } else if (head.content_length && *head.content_length > 0) {
      state_ = State::kData;
      remaining_ = *head.content_length;
    }
  }

  bool has_body() const { return chunked_ || state_ != State::kDone; }
  // What is left unread, when known (Content-Length bodies).
  bool remaining_known() const { return !chunked_; }
  uint64_t remaining() const { return remaining_; }
  bool complete() const { return state_ == State::kDone; }
  bool failed() const { return failed_; }
  bool continue_pending() const { return expect_continue_ && !sent_continue_; }
  // Gives the unconsumed bytes (a pipelined next request) back to the connection.
  void Release() {
    conn_.buffer.erase(0, pos_);
    pos_ = 0;
  }

  // Feeds body bytes to `sink` until the end or until it returns false. IOError when the client
  // broke the framing, stalled or went away.
  Status Read(const BodyChunkSink& sink) {
    if (failed_) return Status::IOError("the request body could not be read");
    if (continue_pending() && !complete()) {
      static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
      if (!io_.SendAll(kContinue, sizeof(kContinue) - 1)) return Fail("cannot send 100 Continue");
      sent_continue_ = true;
    }
    while (state_ != State::kDone) {
      if (state_ == State::kData) {
        if (Available() == 0 && !Fill()) return Fail("the request body ended early");
        size_t n = static_cast<size_t>(std::min<uint64_t>(Available(), remaining_));
        const char* data = conn_.buffer.data() + pos_;
        pos_ += n;
        remaining_ -= n;
        if (remaining_ == 0) state_ = chunked_ ? State::kDataEnd : State::kDone;
        if (!sink(data, n)) return Status::OK();
        continue;
      }
      std::string line;
      if (!ReadLine(&line)) return Fail("malformed chunked request body");
      if (state_ == State::kSize) {
        uint64_t size = 0;
        size_t digits = 0;
        for (char c : line) {
          int v = c >= '0' && c <= '9'   ? c - '0'
                  : c >= 'a' && c <= 'f' ? c - 'a' + 10
                  : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                         : -1;
          if (v < 0) break;
          if (++digits > 15) return Fail("chunk size too large");
          size = size * 16 + static_cast<uint64_t>(v);
        }
        if (digits == 0 || (digits < line.size() && line[digits] != ';' && line[digits] != ' ' && line[digits] != '\t'))
          return Fail("malformed chunk size");
        if (size == 0) {
          state_ = State::kTrailers;
        } else {
          remaining_ = size;
          state_ = State::kData;
        }
      } else if (state_ == State::kDataEnd) {
        if (!line.empty()) return Fail("chunk data longer than its size");
        state_ = State::kSize;
      } else {  // kTrailers: ignored, up to the blank line
        if (line.empty()) {
          state_ = State::kDone;
        } else if (++trailers_ > kMaxTrailers) {
          return Fail("too many trailer fields");
        }
      }
    }
    return Status::OK();
  }

 private:
  enum class State { kSize, kData, kDataEnd, kTrailers, kDone };

  size_t Available() const { return conn_.buffer.size() - pos_; }

  bool Fill() {
    if (pos_ > 0) {
      conn_.buffer.erase(0, pos_);
      pos_ = 0;
    }
    return io_.Recv(&conn_.buffer, kReadChunk);
  }

  bool ReadLine(std::string* line) {
    for (;;) {
      size_t nl = conn_.buffer.find('\n', pos_);
      if (nl != std::string::npos) {
        line->assign(conn_.buffer, pos_, nl - pos_);
        if (!line->empty() && line->back() == '\r') line->pop_back();
        pos_ = nl + 1;
        return line->size() <= kMaxChunkLine;
      }
      if (Available() > kMaxChunkLine || !Fill()) return false;
    }
  }

  Status Fail(const std::string& why) {
    failed_ = true;
    return Status::IOError(why);
  }

  HttpConnection& conn_;
  SocketIo& io_;
  bool chunked_;
  bool expect_continue_;
  bool sent_continue_ = false;
  bool failed_ = false;
  State state_ = State::kDone;
  uint64_t remaining_ = 0;
  size_t pos_ = 0;  // bytes of conn_.buffer already consumed
  int trailers_ = 0;
};

// HttpResponse::stream's writer: each Write is one HTTP chunk, sent at once.
class ChunkedBodyStream : public BodyStream {
 public:
  ChunkedBodyStream(int fd, SocketIo& io) : fd_(fd), io_(io) {}

  bool Write(std::string_view data) override {
    if (failed_) return false;
    if (data.empty()) return true;
    char size_line[32];
    int n = std::snprintf(size_line, sizeof(size_line), "%zx\r\n", data.size());
    std::string bytes;
    bytes.reserve(static_cast<size_t>(n) + data.size() + 2);
    bytes.append(size_line, static_cast<size_t>(n));
    bytes.append(data);
    bytes.append("\r\n");
    if (!io_.SendAll(bytes.data(), bytes.size())) failed_ = true;
    return !failed_;
  }

  bool ClientGone() override {
    if (failed_) return true;
    pollfd p{fd_, static_cast<short>(POLLIN | POLLRDHUP), 0};
    if (::poll(&p, 1, 0) <= 0) return false;
    if (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) return failed_ = true;
    // Readable: a pipelined request, or the end of the stream.
    char c;
    if (::recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0) failed_ = true;
    return failed_;
  }

  // The last chunk; false when the stream already failed.
  bool Finish() {
    static const char kLast[] = "0\r\n\r\n";
    return !failed_ && io_.SendAll(kLast, sizeof(kLast) - 1);
  }

 private:
  int fd_;
  SocketIo& io_;
  bool failed_ = false;
};

HttpRequest MakeRequest(RequestHead& head, const HttpConnection& conn) {
  HttpRequest req;
  req.method = std::move(head.method);
  req.target = std::move(head.target);
  size_t q = req.target.find('?');
  req.raw_path = req.target.substr(0, q);
  if (q != std::string::npos) req.query = ParseQueryString(std::string_view(req.target).substr(q + 1));
  req.headers = std::move(head.headers);
  req.remote_addr = conn.peer_ip;
  if (head.content_length) req.content_length = head.content_length;
  return req;
}

}  // namespace

ExchangeOutcome ServeExchange(HttpConnection& conn, RequestHead head, const ConnectionLimits& limits,
                              const RequestHandler& handler) {
  SocketIo io(conn.fd, limits);
  BodyReader body(conn, io, head);
  // The last request a connection may carry says so (Connection: close), so the client does not
  // send another one into a connection about to close.
  bool keep_alive = head.keep_alive && conn.requests < limits.max_requests_per_connection;
  HttpRequest req = MakeRequest(head, conn);
  if (body.has_body()) {
    req.read_body = [&body](const BodyChunkSink& sink) { return body.Read(sink); };
  }
  HttpResponse res;
  handler(req, res);

  // The answer goes out first: a refused body is never waited for. What the handler left unread
  // must still leave the connection before another request can be parsed from it.
  if (!body.complete()) {
    bool small = body.remaining_known() && body.remaining() <= kKeepAliveDrainBytes;
    if (body.failed() || body.continue_pending() || !small) keep_alive = false;
  }
  if (HeaderNameEquals(res.Header("Connection"), "close")) keep_alive = false;

  ExchangeOutcome out;
  out.status = res.status;
  const bool head_only = req.method == "HEAD";
  const bool no_body = StatusHasNoBody(res.status);
  int file_fd = -1;
  uint64_t length = res.body.size();
  if (res.file) {
    length = res.file->length;
    if (!head_only && !no_body) {
      file_fd = ::open(res.file->path.c_str(), O_RDONLY | O_CLOEXEC);
      if (file_fd < 0) {
        if (res.file->remove_after) ::unlink(res.file->path.c_str());
        res = HttpResponse();
        res.SetText(500, "{\"error\":\"cannot open file to send\"}", "application/json");
        length = res.body.size();
        out.status = 500;
      }
    }
    // The file stays reachable through file_fd; its name is no longer needed.
    if (res.file && res.file->remove_after) ::unlink(res.file->path.c_str());
  } else if (res.head_content_length) {
    length = *res.head_content_length;
  }
  const bool streamed = res.stream && !res.file && !head_only && !no_body;
  std::string bytes =
      streamed ? FormatStreamedResponseHead(res, keep_alive) : FormatResponseHead(res, length, keep_alive);
  const size_t head_size = bytes.size();
  bool ok = true;
  if (streamed) {
    ok = io.SendAll(bytes.data(), bytes.size());
    if (ok) {
      ChunkedBodyStream stream(conn.fd, io);
      res.stream(stream);
      ok = stream.Finish();
    }
  } else if (!head_only && !no_body && file_fd < 0) {
    bytes += res.body;
    ok = io.SendAll(bytes.data(), bytes.size());
  } else {
    ok = io.SendAll(bytes.data(), bytes.size());
    if (ok && file_fd >= 0) ok = io.SendFile(file_fd, res.file->offset, res.file->length);
  }
  if (file_fd >= 0) ::close(file_fd);
  out.body_bytes_sent = io.sent() > head_size ? io.sent() - head_size : 0;
  body.Release();
  // The unread rest of the body is the event loop's to drop (HttpConnection::discard_bytes).
  if (ok && !body.complete()) {
    if (keep_alive) {
      conn.discard_bytes = body.remaining();  // known and small (see above)
    } else if (!body.failed() && !body.continue_pending()) {
      ::shutdown(conn.fd, SHUT_WR);
      conn.linger = true;
    }
  }
  out.keep_alive = ok && keep_alive;
  return out;
}

}  // namespace mhub::server
