#include "mhub/hub/http_client.h"

#include <curl/curl.h>

#include <cctype>
#include <cstdio>
#include <memory>
#include <mutex>

namespace mhub::hub {
namespace {

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// One easy handle per thread: curl keeps the connection cache inside it, so repeated requests
// from one thread reuse their keep-alive connection.
CURL* ThreadHandle() {
  struct Holder {
    CURL* h = nullptr;
    ~Holder() {
      if (h) curl_easy_cleanup(h);
    }
  };
  thread_local Holder holder;
  if (!holder.h)
    holder.h = curl_easy_init();
  else
    curl_easy_reset(holder.h);
  return holder.h;
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

struct TransferState {
  HttpResponse* response = nullptr;
  const BodySink* sink = nullptr;
  Status sink_status;
  // Upload from file.
  FILE* file = nullptr;
  uint64_t remaining = 0;
  uint64_t sent = 0;
  const SendProgress* progress = nullptr;
};

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* st = static_cast<TransferState*>(user);
  std::string_view line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    st->response->headers.clear();  // a new response (after a redirect or 100-continue)
    st->response->body.clear();
    return size * n;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  std::string name = Lower(std::string(line.substr(0, colon)));
  std::string value = Trim(line.substr(colon + 1));
  auto& slot = st->response->headers[name];
  slot = slot.empty() ? value : slot + ", " + value;
  return size * n;
}

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* st = static_cast<TransferState*>(user);
  size_t bytes = size * n;
  if (st->sink != nullptr) {
    if (st->response->status >= 200 && st->response->status < 300) {
      Status s = (*st->sink)(st->response->status, data, bytes);
      if (!s.ok()) {
        st->sink_status = s;
        return 0;  // aborts the transfer
      }
      return bytes;
    }
  }
  st->response->body.append(data, bytes);
  return bytes;
}

size_t OnRead(char* buffer, size_t size, size_t n, void* user) {
  auto* st = static_cast<TransferState*>(user);
  size_t want = size * n;
  if (want > st->remaining) want = static_cast<size_t>(st->remaining);
  if (want == 0) return 0;
  size_t got = std::fread(buffer, 1, want, st->file);
  if (got == 0) return CURL_READFUNC_ABORT;
  st->remaining -= got;
  st->sent += got;
  if (st->progress && *st->progress) (*st->progress)(st->sent);
  return got;
}

}  // namespace

std::string HttpResponse::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

HttpClient::HttpClient() { GlobalInitOnce(); }

Result<HttpResponse> HttpClient::Perform(const HttpRequest& request) const {
  return Perform(request, nullptr, nullptr);
}

Result<HttpResponse> HttpClient::Perform(const HttpRequest& request, const BodySink& sink,
                                         const SendProgress& progress) const {
  CURL* h = ThreadHandle();
  if (!h) return Status::Internal("curl_easy_init failed");
  HttpResponse response;
  TransferState st;
  st.response = &response;
  st.sink = sink ? &sink : nullptr;
  st.progress = progress ? &progress : nullptr;

  // The status is only known once headers are in; record it before the body starts.
  struct StatusPeek {
    static size_t OnHeaderWithStatus(char* data, size_t size, size_t n, void* user) {
      auto* s = static_cast<TransferState*>(user);
      std::string_view line(data, size * n);
      if (line.rfind("HTTP/", 0) == 0) {
        auto sp = line.find(' ');
        if (sp != std::string_view::npos) s->response->status = std::atol(std::string(line.substr(sp + 1, 3)).c_str());
      }
      return OnHeader(data, size, n, user);
    }
  };

  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &StatusPeek::OnHeaderWithStatus);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &st);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &st);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, request.follow_redirects ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 512L * 1024L);
  curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, 2L * 1024L * 1024L);
  if (request.timeout_seconds > 0) curl_easy_setopt(h, CURLOPT_TIMEOUT, request.timeout_seconds);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "mhub/0.1; hf_hub-compatible");

  struct curl_slist* headers = nullptr;
  for (const auto& [k, v] : request.headers) headers = curl_slist_append(headers, (k + ": " + v).c_str());
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_guard(headers, &curl_slist_free_all);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);

  std::unique_ptr<FILE, int (*)(FILE*)> file(nullptr, &std::fclose);
  if (!request.body_file.empty()) {
    file.reset(std::fopen(request.body_file.c_str(), "rb"));
    if (!file) return Status::IOError("cannot open " + request.body_file + " for upload");
    if (std::fseek(file.get(), 0, SEEK_END) != 0) return Status::IOError("cannot seek " + request.body_file);
    uint64_t total = static_cast<uint64_t>(std::ftell(file.get()));
    uint64_t offset = request.body_file_offset;
    if (offset > total) return Status::InvalidArgument("upload slice starts past the end of " + request.body_file);
    uint64_t length = request.body_file_length ? request.body_file_length : total - offset;
    if (offset + length > total) length = total - offset;
    std::fseek(file.get(), static_cast<long>(offset), SEEK_SET);
    st.file = file.get();
    st.remaining = length;
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, &OnRead);
    curl_easy_setopt(h, CURLOPT_READDATA, &st);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(length));
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  } else if (request.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    }
  }

  CURLcode rc = curl_easy_perform(h);
  if (!st.sink_status.ok()) return st.sink_status;
  if (rc != CURLE_OK) {
    return Status::Unavailable(std::string(request.method) + " " + request.url + ": " + curl_easy_strerror(rc));
  }
  long code = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  response.status = code;
  char* eff = nullptr;
  curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &eff);
  if (eff) response.effective_url = eff;
  return response;
}

std::string NextLinkFromHeader(std::string_view link) {
  // Entries: <url>; rel="next", <url2>; rel="prev"
  size_t pos = 0;
  while (pos < link.size()) {
    auto lt = link.find('<', pos);
    if (lt == std::string_view::npos) break;
    auto gt = link.find('>', lt);
    if (gt == std::string_view::npos) break;
    auto next_lt = link.find('<', gt);
    std::string_view params =
        link.substr(gt + 1, next_lt == std::string_view::npos ? std::string_view::npos : next_lt - gt - 1);
    if (params.find("rel=\"next\"") != std::string_view::npos || params.find("rel=next") != std::string_view::npos) {
      return std::string(link.substr(lt + 1, gt - lt - 1));
    }
    pos = gt + 1;
  }
  return "";
}

std::string ResolveUrl(const std::string& base, const std::string& location) {
  if (location.find("://") != std::string::npos) return location;
  auto scheme = base.find("://");
  if (scheme == std::string::npos) return location;
  auto path_start = base.find('/', scheme + 3);
  std::string origin = path_start == std::string::npos ? base : base.substr(0, path_start);
  if (!location.empty() && location[0] == '/') return origin + location;
  auto last_slash = base.rfind('/');
  if (last_slash == std::string::npos || last_slash < scheme + 3) return origin + "/" + location;
  return base.substr(0, last_slash + 1) + location;
}

}  // namespace mhub::hub
