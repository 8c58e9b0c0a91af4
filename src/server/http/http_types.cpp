#include "mhub/server/http_types.h"

#include <cctype>

namespace mhub::server {

bool HeaderNameEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

std::string HttpRequest::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (HeaderNameEquals(k, name)) return v;
  }
  return "";
}

bool HttpRequest::HasHeader(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (HeaderNameEquals(k, name)) return true;
  }
  return false;
}

static bool QueryKeyMatches(const std::string& k, std::string_view key) {
  if (k == key) return true;
  return k.size() == key.size() + 2 && k.compare(0, key.size(), key) == 0 && k.compare(key.size(), 2, "[]") == 0;
}

std::string HttpRequest::Query(std::string_view key) const {
  for (const auto& [k, v] : query) {
    if (QueryKeyMatches(k, key)) return v;
  }
  return "";
}

bool HttpRequest::HasQuery(std::string_view key) const {
  for (const auto& [k, v] : query) {
    if (QueryKeyMatches(k, key)) return true;
  }
  return false;
}

std::vector<std::string> HttpRequest::QueryAll(std::string_view key) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : query) {
    if (QueryKeyMatches(k, key)) out.push_back(v);
  }
  return out;
}

bool HttpRequest::QueryBool(std::string_view key, bool fallback) const {
  std::string v = Query(key);
  if (v.empty()) return fallback;
  for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return v == "1" || v == "true" || v == "yes";
}

Result<std::string> HttpRequest::ReadBody(size_t limit) const {
  std::string body;
  if (!read_body) return body;
  bool too_large = content_length && *content_length > limit;
  if (too_large) {
    return Status::ResourceExhausted("request body is larger than the limit of " + std::to_string(limit) + " bytes");
  }
  Status st = read_body([&](const char* data, size_t size) {
    if (body.size() + size > limit) {
      too_large = true;
      return false;
    }
    body.append(data, size);
    return true;
  });
  if (too_large) {
    return Status::ResourceExhausted("request body is larger than the limit of " + std::to_string(limit) + " bytes");
  }
  if (!st.ok()) return st;
  return body;
}

void HttpResponse::SetHeader(std::string_view name, std::string value) {
  for (auto it = headers.begin(); it != headers.end();) {
    if (HeaderNameEquals(it->first, name))
      it = headers.erase(it);
    else
      ++it;
  }
  headers.emplace_back(std::string(name), std::move(value));
}

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (HeaderNameEquals(k, name)) return v;
  }
  return "";
}

void HttpResponse::SetText(int status_code, std::string text, std::string type) {
  status = status_code;
  body = std::move(text);
  content_type = std::move(type);
  file.reset();
}

}  // namespace mhub::server
