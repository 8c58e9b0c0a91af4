// Error answers in each API family's own shape. HF Inference API, TGI and TEI:
// {"error": msg, "error_type": type}; OpenAI routes: {"error": {"message", "type", "param", "code"}}
// (what the openai SDK reads). One mapping from Status to HTTP status for all routes.
#pragma once

#include <string>

#include "mhub/base/status.h"
#include "mhub/server/http_types.h"

namespace mhub::serve {

enum class ApiFamily { kHf, kOpenAi };

struct ApiError {
  int status = 500;
  std::string message;
  std::string type;  // TGI's error_type: validation, overloaded, generation, unhealthy, ...
};

// InvalidArgument -> 422 validation, NotFound -> 404, Unauthenticated -> 401, PermissionDenied ->
// 403, ResourceExhausted -> 413, Unavailable -> 503, anything else -> 424 generation (TGI's).
ApiError ErrorFromStatus(const Status& status);
// The error as JSON in `family`'s shape; OpenAI answers 400 where TGI answers 422.
void WriteError(server::HttpResponse& res, ApiFamily family, const ApiError& error);
void WriteStatusError(server::HttpResponse& res, ApiFamily family, const Status& status);
// The body of an error event inside an SSE stream (the same shapes).
std::string ErrorEventJson(ApiFamily family, const ApiError& error);

}  // namespace mhub::serve
