#include "serve/serve_auth.h"

#include "mhub/hub/hub_client.h"

namespace mhub::serve {
namespace {

constexpr auto kRemember = std::chrono::seconds(60);

// Compares without an early exit, so the time taken says nothing about how much of a key matched.
bool SameSecret(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  return diff == 0;
}

std::string BearerToken(const server::HttpRequest& req) {
  std::string h = req.Header("Authorization");
  if (h.size() > 7 && (h.compare(0, 7, "Bearer ") == 0 || h.compare(0, 7, "bearer ") == 0)) return h.substr(7);
  return "";
}

}  // namespace

ServeAuth::ServeAuth(bool no_auth, std::string api_key, std::string hub_url, std::string repo_id, std::string revision)
    : no_auth_(no_auth),
      api_key_(std::move(api_key)),
      hub_url_(std::move(hub_url)),
      repo_id_(std::move(repo_id)),
      revision_(std::move(revision)) {}

Status ServeAuth::Check(const server::HttpRequest& req) {
  if (no_auth_) return Status::OK();
  const std::string token = BearerToken(req);
  if (token.empty())
    return Status::Unauthenticated("this endpoint needs `Authorization: Bearer <token>` (an endpoint key" +
                                   std::string(hub_url_.empty() ? "" : " or a hub token that can read " + repo_id_) +
                                   ")");
  if (!api_key_.empty() && SameSecret(token, api_key_)) return Status::OK();
  if (hub_url_.empty()) return Status::Unauthenticated("invalid endpoint key");
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = allowed_.find(token);
    if (it != allowed_.end() && it->second > now) return Status::OK();
  }
  hub::HubConfig config;
  config.endpoint = hub_url_;
  config.token = token;
  config.offline = false;
  hub::HubClient client(config);
  auto info = client.model_info(repo_id_, revision_);
  if (info.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    if (allowed_.size() > 10000) allowed_.clear();  // bounded: tokens are re-checked after a clear
    allowed_[token] = now + kRemember;
    return Status::OK();
  }
  const StatusCode code = info.status().code();
  if (code == StatusCode::kNotFound || code == StatusCode::kUnauthenticated || code == StatusCode::kPermissionDenied)
    return Status::Unauthenticated("the token cannot read " + repo_id_ + " on " + hub_url_);
  return Status::Unavailable("cannot check the token with the hub at " + hub_url_ + ": " + info.status().message());
}

}  // namespace mhub::serve
