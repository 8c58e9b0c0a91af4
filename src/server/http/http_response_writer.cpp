#include "server/http/http_response_writer.h"

#include <sys/socket.h>

#include <ctime>
#include <optional>

namespace mhub::server {

const char* ReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 416:
      return "Range Not Satisfiable";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    case 507:
      return "Insufficient Storage";
    default:
      return status < 300 ? "OK" : status < 400 ? "Redirect" : status < 500 ? "Client Error" : "Server Error";
  }
}

bool StatusHasNoBody(int status) { return status < 200 || status == 204 || status == 304; }

namespace {

std::string HttpDate() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buf, n);
}

bool IsServerHeader(const std::string& name) {
  return HeaderNameEquals(name, "Connection") || HeaderNameEquals(name, "Transfer-Encoding") ||
         HeaderNameEquals(name, "Content-Length") || HeaderNameEquals(name, "Keep-Alive") ||
         HeaderNameEquals(name, "Date");
}

// Header values go on the wire as they are: a CR or LF in one would split the answer.
bool SafeHeaderValue(const std::string& v) { return v.find_first_of("\r\n") == std::string::npos; }

}  // namespace

namespace {

// `content_length` unset: the body is sent chunked (a streamed answer).
std::string FormatHead(const HttpResponse& res, std::optional<uint64_t> content_length, bool keep_alive) {
  std::string head;
  head.reserve(256);
  head += "HTTP/1.1 ";
  head += std::to_string(res.status);
  head += ' ';
  head += ReasonPhrase(res.status);
  head += "\r\nDate: ";
  head += HttpDate();
  head += "\r\n";
  bool has_type = false;
  for (const auto& [name, value] : res.headers) {
    if (IsServerHeader(name) || !SafeHeaderValue(name) || !SafeHeaderValue(value)) continue;
    if (HeaderNameEquals(name, "Content-Type")) has_type = true;
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  }
  if (!has_type && !StatusHasNoBody(res.status) &&
      (!res.content_type.empty() || !content_length || *content_length > 0)) {
    head += "Content-Type: ";
    head += res.content_type.empty() ? "application/octet-stream" : res.content_type;
    head += "\r\n";
  }
  if (!StatusHasNoBody(res.status)) {
    if (content_length) {
      head += "Content-Length: ";
      head += std::to_string(*content_length);
      head += "\r\n";
    } else {
      head += "Transfer-Encoding: chunked\r\n";
    }
  }
  head += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
  return head;
}

}  // namespace

std::string FormatResponseHead(const HttpResponse& res, uint64_t content_length, bool keep_alive) {
  return FormatHead(res, content_length, keep_alive);
}

std::string FormatStreamedResponseHead(const HttpResponse& res, bool keep_alive) {
  return FormatHead(res, std::nullopt, keep_alive);
}

void WriteSimpleAnswer(int fd, int status, const std::string& message, bool keep_alive) {
  std::string escaped;
  for (char c : message) {
    if (c == '"' || c == '\\') escaped += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) escaped += c;
  }
  HttpResponse res;
  res.status = status;
  res.content_type = "application/json";
  res.body = "{\"error\":\"" + escaped + "\"}";
  res.SetHeader("X-Error-Message", escaped);
  std::string bytes = FormatResponseHead(res, res.body.size(), keep_alive) + res.body;
  (void)::send(fd, bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

}  // namespace mhub::server
