// The inference routes of `mhub serve`, by family. Each parses and validates its body, waits for
// the model (ModelEndpoint::RunExclusive) and answers in its family's shape, errors included.
#pragma once

#include <memory>
#include <string>

#include "mhub/base/json.h"
#include "mhub/server/http_types.h"
#include "serve/api_errors.h"
#include "serve/embed_batcher.h"
#include "serve/model_endpoint.h"
#include "serve/serve_metrics.h"

namespace mhub::serve {

// What a route needs; copied into streamed answers, so it holds pointers to what outlives them.
struct RouteContext {
  ModelEndpoint* model = nullptr;
  ServeMetrics* metrics = nullptr;
  EmbedBatcher* batcher = nullptr;  // embeddings (feature-extraction models)
  const ServeOptions* options = nullptr;
  int64_t start_ms = 0;
  int64_t deadline_ms = 0;
  // Released (the request leaves the in-flight count) when the last copy goes: after the stream.
  std::shared_ptr<void> ticket;
};

enum class GenerationRoute { kTgiGenerate, kTgiStream, kTgiCompat, kOpenAiCompletion, kOpenAiChat };
void ServeGeneration(const RouteContext& ctx, GenerationRoute route, const Json& body, server::HttpResponse& res);

// POST / and /models/{id} for the encoder tasks (the Inference API task shapes).
void ServeTaskApi(const RouteContext& ctx, const Json& body, server::HttpResponse& res);
enum class EncoderRoute { kEmbed, kPredict, kSimilarity, kOpenAiEmbeddings };
void ServeEncoder(const RouteContext& ctx, EncoderRoute route, const Json& body, server::HttpResponse& res);

// /tokenize (TGI's flat shape on a generator, TEI's nested one otherwise) and TEI's /decode.
void ServeTokenize(const RouteContext& ctx, const Json& body, server::HttpResponse& res);
void ServeDecode(const RouteContext& ctx, const Json& body, server::HttpResponse& res);

void WriteJson(server::HttpResponse& res, int status, const Json& body);

}  // namespace mhub::serve
