#include "mhub/base/json.h"
#include "mhub/hub/hub_client.h"

namespace mhub::hub {

Status StatusFromResponse(const HttpResponse& response, const std::string& what) {
  std::string message = response.header("x-error-message");
  if (message.empty() && !response.body.empty()) {
    auto parsed = ParseJson(response.body, "error body");
    if (parsed.ok() && parsed->is_object()) {
      const Json& j = *parsed;
      auto pick = [&](const char* key) -> std::string {
        auto it = j.find(key);
        if (it == j.end()) return "";
        if (it->is_string()) return it->get<std::string>();
        if (it->is_array() && !it->empty() && (*it)[0].is_string()) return (*it)[0].get<std::string>();
        return "";
      };
      message = pick("error");
      if (message.empty()) message = pick("message");
    } else if (response.body.size() < 300) {
      message = response.body;
    }
  }
  std::string code = response.header("x-error-code");
  std::string text = what + ": HTTP " + std::to_string(response.status);
  // The server's message often starts with the code already ("RepoNotFound: ..."): say it once.
  if (!code.empty() && message.rfind(code, 0) != 0) text += " " + code;
  if (!message.empty()) text += ": " + message;
  // The code decides first, as in huggingface_hub (hf_raise_for_status): the Hub answers an
  // anonymous caller's missing or private repo with 401 + RepoNotFound, still a "not found".
  if (code == "RepoNotFound" || code == "RevisionNotFound" || code == "EntryNotFound") {
    return Status::NotFound(text);
  }
  switch (response.status) {
    case 400:
    case 422:
      return Status::InvalidArgument(text);
    case 401:
      return Status::Unauthenticated(text);
    case 403:
      return Status::PermissionDenied(text);
    case 404:
      return Status::NotFound(text);
    case 409:
      return Status::AlreadyExists(text);
    case 412:
      return Status::Conflict(text);
    case 413:
    case 507:
      return Status::ResourceExhausted(text);
    case 501:
      return Status::Unsupported(text);
    default:
      break;
  }
  if (response.status >= 500) return Status::Unavailable(text);
  return Status::Internal(text);
}

}  // namespace mhub::hub
