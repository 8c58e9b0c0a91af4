#include "serve/api_errors.h"

#include "mhub/base/json.h"

namespace mhub::serve {
namespace {

int OpenAiStatus(int status) { return status == 422 ? 400 : status; }

std::string OpenAiType(int status) {
  switch (status) {
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 429:
      return "rate_limit_error";
    case 503:
      return "unavailable_error";
    default:
      return status < 500 ? "invalid_request_error" : "server_error";
  }
}

Json ErrorJson(ApiFamily family, const ApiError& e) {
  if (family == ApiFamily::kOpenAi) {
    return Json{{"error",
                 {{"message", e.message},
                  {"type", OpenAiType(OpenAiStatus(e.status))},
                  {"param", nullptr},
                  {"code", e.type.empty() ? Json(nullptr) : Json(e.type)}}}};
  }
  return Json{{"error", e.message}, {"error_type", e.type}};
}

}  // namespace

ApiError ErrorFromStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      return {422, status.message(), "validation"};
    case StatusCode::kNotFound:
      return {404, status.message(), "not_found"};
    case StatusCode::kUnauthenticated:
      return {401, status.message(), "authentication"};
    case StatusCode::kPermissionDenied:
      return {403, status.message(), "authorization"};
    case StatusCode::kResourceExhausted:
      return {413, status.message(), "payload_too_large"};
    case StatusCode::kUnavailable:
      return {503, status.message(), "unavailable"};
    default:
      return {424, status.message(), "generation"};
  }
}

void WriteError(server::HttpResponse& res, ApiFamily family, const ApiError& error) {
  res.status = family == ApiFamily::kOpenAi ? OpenAiStatus(error.status) : error.status;
  res.content_type = "application/json";
  res.body = DumpJson(ErrorJson(family, error));
  if (error.status == 401) res.SetHeader("WWW-Authenticate", "Bearer");
}

void WriteStatusError(server::HttpResponse& res, ApiFamily family, const Status& status) {
  WriteError(res, family, ErrorFromStatus(status));
}

std::string ErrorEventJson(ApiFamily family, const ApiError& error) { return DumpJson(ErrorJson(family, error)); }

}  // namespace mhub::serve
