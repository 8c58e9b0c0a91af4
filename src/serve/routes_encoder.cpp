// Encoder routes: the Inference API task shapes on POST / (every pipeline task but generation),
// TEI's /embed, /predict, /similarity, OpenAI's /v1/embeddings, and the tokenizer routes.
#include <cstring>

#include "mhub/base/base64.h"
#include "mhub/pipelines/embeddings.h"
#include "serve/request_parsing.h"
#include "serve/routes.h"

namespace mhub::serve {
namespace {

bool IsEmbedding(const std::string& task) { return task == "feature-extraction" || task == "sentence-similarity"; }

// Counts one request under TEI's names; `kind` is "embed" or "predict" (or "" for other tasks).
void CountRequest(const RouteContext& ctx, const std::string& kind, bool batch) {
  ctx.metrics->Add("te_request_count", 1, batch ? "method=\"batch\"" : "method=\"single\"");
  if (!kind.empty()) ctx.metrics->Add("te_" + kind + "_count");
}

// Runs `request` through the task pipeline with the model to itself.
Result<Json> RunModel(const RouteContext& ctx, const Json& request, const std::string& kind, size_t inputs) {
  Json out;
  int64_t queue_ms = 0, inference_ms = 0;
  ctx.metrics->Set("te_queue_size", ctx.model->waiting() + 1);
  Status st = ctx.model->RunExclusive(
      ctx.deadline_ms,
      [&]() -> Status {
        const int64_t start = NowMs();
        auto r = ctx.model->RunPipeline(request);
        inference_ms = NowMs() - start;
        if (!r.ok()) return r.status();
        out = std::move(r).value();
        return Status::OK();
      },
      &queue_ms);
  ctx.metrics->Set("te_queue_size", ctx.model->waiting());
  if (!st.ok()) {
    ctx.metrics->Add("te_request_failure", 1, "err=\"" + ErrorFromStatus(st).type + "\"");
    return st;
  }
  ctx.metrics->Add("te_request_success");
  if (!kind.empty()) ctx.metrics->Add("te_" + kind + "_success");
  ctx.metrics->Observe("te_request_duration", (NowMs() - ctx.start_ms) / 1000.0);
  ctx.metrics->Observe("te_request_queue_duration", queue_ms / 1000.0);
  ctx.metrics->Observe("te_request_inference_duration", inference_ms / 1000.0);
  ctx.metrics->Observe("te_request_input_length", static_cast<double>(inputs));
  ctx.metrics->Observe("te_batch_next_size", static_cast<double>(inputs));
  return out;
}

void Fail(const RouteContext& ctx, server::HttpResponse& res, ApiFamily family, const Status& st) {
  ApiError e = ErrorFromStatus(st);
  if (st.code() == StatusCode::kResourceExhausted) e.type = "batch_size";
  WriteError(res, family, e);
  if (e.status == 503) res.SetHeader("Retry-After", "1");
}

Result<Json> Embed(const RouteContext& ctx, const TextBatchRequest& req) {
  if (!IsEmbedding(ctx.model->task()))
    return Status::InvalidArgument("this endpoint serves " + ctx.model->task() +
                                   "; embeddings need a feature-extraction model");
  EmbedBatcher::Stats stats;
  auto out = ctx.batcher->Embed(req.inputs, req.normalize, req.truncate, ctx.deadline_ms, &stats);
  if (!out.ok()) {
    ctx.metrics->Add("te_request_failure", 1, "err=\"" + ErrorFromStatus(out.status()).type + "\"");
    return out;
  }
  ctx.metrics->Add("te_request_success");
  ctx.metrics->Add("te_embed_success");
  ctx.metrics->Observe("te_request_duration", (NowMs() - ctx.start_ms) / 1000.0);
  ctx.metrics->Observe("te_request_queue_duration", stats.queue_ms / 1000.0);
  ctx.metrics->Observe("te_request_inference_duration", stats.inference_ms / 1000.0);
  ctx.metrics->Observe("te_request_input_length", static_cast<double>(req.inputs.size()));
  ctx.metrics->Observe("te_batch_next_size", static_cast<double>(stats.batch_inputs));
  return out;
}

// Little-endian float32 bytes in base64, as OpenAI's encoding_format "base64".
std::string Base64Floats(const Json& vec) {
  std::string bytes;
  bytes.reserve(vec.size() * 4);
  for (const Json& v : vec) {
    float f = v.get<float>();
    char b[4];
    std::memcpy(b, &f, 4);
    bytes.append(b, 4);
  }
  return Base64Encode(bytes);
}

}  // namespace

void WriteJson(server::HttpResponse& res, int status, const Json& body) {
  res.status = status;
  res.content_type = "application/json";
  res.body = DumpJson(body);
}

void ServeTaskApi(const RouteContext& ctx, const Json& body, server::HttpResponse& res) {
  const std::string& task = ctx.model->task();
  const std::string kind = task == "feature-extraction" ? "embed" : task == "text-classification" ? "predict" : "";
  const bool batch = body.contains("inputs") && body["inputs"].is_array();
  CountRequest(ctx, kind, batch);
  if (task == "feature-extraction") {
    auto req = ParseTeiInputs(body, static_cast<size_t>(ctx.options->max_client_batch_size));
    if (!req.ok()) return Fail(ctx, res, ApiFamily::kHf, req.status());
    auto out = Embed(ctx, *req);
    if (!out.ok()) return Fail(ctx, res, ApiFamily::kHf, out.status());
    return WriteJson(res, 200, *out);
  }
  if (body.contains("inputs") && body["inputs"].is_array() &&
      body["inputs"].size() > static_cast<size_t>(ctx.options->max_client_batch_size))
    return Fail(ctx, res, ApiFamily::kHf,
                Status::ResourceExhausted("batch size " + std::to_string(body["inputs"].size()) +
                                          " > maximum allowed batch size " +
                                          std::to_string(ctx.options->max_client_batch_size)));
  // The pipeline checks inputs and parameters (InvalidArgument -> 422) and answers in the task's
  // Inference API shape (text-classification nested, token-classification with entity_group).
  auto out = RunModel(ctx, body, kind, batch ? body["inputs"].size() : 1);
  if (!out.ok()) return Fail(ctx, res, ApiFamily::kHf, out.status());
  WriteJson(res, 200, *out);
}

void ServeEncoder(const RouteContext& ctx, EncoderRoute route, const Json& body, server::HttpResponse& res) {
  const ApiFamily family = route == EncoderRoute::kOpenAiEmbeddings ? ApiFamily::kOpenAi : ApiFamily::kHf;
  const size_t max_batch = static_cast<size_t>(ctx.options->max_client_batch_size);
  if (route == EncoderRoute::kSimilarity) {
    CountRequest(ctx, "embed", false);
    const Json* inputs = body.contains("inputs") ? &body["inputs"] : nullptr;
    if (!inputs || !inputs->is_object() || !inputs->contains("source_sentence") ||
        !(*inputs)["source_sentence"].is_string() || !inputs->contains("sentences") ||
        !(*inputs)["sentences"].is_array())
      return Fail(ctx, res, family,
                  Status::InvalidArgument("`inputs` must be {\"source_sentence\": str, \"sentences\": [str]}"));
    TextBatchRequest req;
    req.inputs.push_back((*inputs)["source_sentence"].get<std::string>());
    for (const Json& s : (*inputs)["sentences"]) {
      if (!s.is_string()) return Fail(ctx, res, family, Status::InvalidArgument("`sentences` must be strings"));
      req.inputs.push_back(s.get<std::string>());
    }
    if (req.inputs.size() > max_batch + 1)
      return Fail(ctx, res, family, Status::ResourceExhausted("too many sentences for one request"));
    auto out = Embed(ctx, req);
    if (!out.ok()) return Fail(ctx, res, family, out.status());
    std::vector<float> source = (*out)[0].get<std::vector<float>>();
    Json sims = Json::array();
    for (size_t i = 1; i < out->size(); ++i)
      sims.push_back(pipelines::CosineSimilarity(source, (*out)[i].get<std::vector<float>>()));
    return WriteJson(res, 200, sims);
  }
  if (route == EncoderRoute::kPredict) {
    auto req = ParseTeiInputs(body, max_batch);
    CountRequest(ctx, "predict", req.ok() && req->batch);
    if (!req.ok()) return Fail(ctx, res, family, req.status());
    if (ctx.model->task() != "text-classification")
      return Fail(ctx, res, family,
                  Status::InvalidArgument("this endpoint serves " + ctx.model->task() +
                                          "; /predict needs a text-classification model"));
    Json params = Json::object();
    if (req->raw_scores) params["function_to_apply"] = "none";
    auto out = RunModel(ctx, Json{{"inputs", req->inputs}, {"parameters", params}}, "predict", req->inputs.size());
    if (!out.ok()) return Fail(ctx, res, family, out.status());
    // TEI: a single input answers flat [{score, label}], a batch nested.
    return WriteJson(res, 200, req->batch ? *out : (*out)[0]);
  }
  auto req = route == EncoderRoute::kOpenAiEmbeddings ? ParseOpenAiEmbeddings(body, max_batch)
                                                      : ParseTeiInputs(body, max_batch);
  CountRequest(ctx, "embed", req.ok() && req->batch);
  if (!req.ok()) return Fail(ctx, res, family, req.status());
  auto out = Embed(ctx, *req);
  if (!out.ok()) return Fail(ctx, res, family, out.status());
  if (route == EncoderRoute::kEmbed) return WriteJson(res, 200, *out);
  Json data = Json::array();
  size_t tokens = 0;
  for (size_t i = 0; i < out->size(); ++i) {
    auto enc = ctx.model->tokenizer().Encode(req->inputs[i], true);
    if (enc.ok()) tokens += enc->ids.size();
    data.push_back({{"object", "embedding"},
                    {"index", i},
                    {"embedding", req->base64 ? Json(Base64Floats((*out)[i])) : (*out)[i]}});
  }
  WriteJson(res, 200,
            Json{{"object", "list"},
                 {"data", data},
                 {"model", ctx.model->model_id()},
                 {"usage", {{"prompt_tokens", tokens}, {"total_tokens", tokens}}}});
}

void ServeTokenize(const RouteContext& ctx, const Json& body, server::HttpResponse& res) {
  const bool tgi = ctx.model->is_generator();
  auto inputs = body.find("inputs");
  std::vector<std::string> texts;
  if (inputs != body.end() && inputs->is_string()) {
    texts.push_back(inputs->get<std::string>());
  } else if (!tgi && inputs != body.end() && inputs->is_array() && !inputs->empty() &&
             inputs->size() <= static_cast<size_t>(ctx.options->max_client_batch_size)) {
    for (const Json& t : *inputs) {
      if (!t.is_string()) return Fail(ctx, res, ApiFamily::kHf, Status::InvalidArgument("`inputs` must be strings"));
      texts.push_back(t.get<std::string>());
    }
  } else {
    return Fail(
        ctx, res, ApiFamily::kHf,
        Status::InvalidArgument(tgi ? "`inputs` must be a string" : "`inputs` must be a string or a list of strings"));
  }
  bool add_special = true;
  if (body.contains("add_special_tokens")) {
    if (!body["add_special_tokens"].is_boolean())
      return Fail(ctx, res, ApiFamily::kHf, Status::InvalidArgument("`add_special_tokens` must be a boolean"));
    add_special = body["add_special_tokens"].get<bool>();
  }
  tokenizers::EncodeOptions eo;
  eo.add_special_tokens = add_special;
  eo.offset_type = tokenizers::OffsetType::kByte;  // TGI/TEI slice the input by these (Rust byte offsets)
  Json all = Json::array();
  for (const std::string& text : texts) {
    auto enc = ctx.model->tokenizer().Encode(text, eo);
    if (!enc.ok()) return Fail(ctx, res, ApiFamily::kHf, Status::InvalidArgument(enc.status().message()));
    Json toks = Json::array();
    for (size_t i = 0; i < enc->ids.size(); ++i) {
      const auto [start, stop] = enc->offsets[i];
      const bool special = i < enc->special_tokens_mask.size() && enc->special_tokens_mask[i] != 0;
      Json t = {{"id", enc->ids[i]},
                {"text", special ? enc->tokens[i] : text.substr(start, stop - start)},
                {"start", start},
                {"stop", stop}};
      if (!tgi) t["special"] = special;
      toks.push_back(t);
    }
    all.push_back(toks);
  }
  WriteJson(res, 200, tgi ? all[0] : all);  // TEI answers nested even for one input
}

void ServeDecode(const RouteContext& ctx, const Json& body, server::HttpResponse& res) {
  auto ids = body.find("ids");
  const auto bad = Status::InvalidArgument("`ids` must be a list of token ids or a list of such lists");
  if (ids == body.end() || !ids->is_array() || ids->empty()) return Fail(ctx, res, ApiFamily::kHf, bad);
  const bool batch = (*ids)[0].is_array();
  std::vector<std::vector<uint32_t>> rows;
  for (const Json& row : batch ? *ids : Json::array({*ids})) {
    if (!row.is_array()) return Fail(ctx, res, ApiFamily::kHf, bad);
    std::vector<uint32_t> r;
    for (const Json& id : row) {
      if (!id.is_number_unsigned() || id.get<uint64_t>() > UINT32_MAX) return Fail(ctx, res, ApiFamily::kHf, bad);
      r.push_back(static_cast<uint32_t>(id.get<uint64_t>()));
    }
    rows.push_back(std::move(r));
  }
  if (rows.size() > static_cast<size_t>(ctx.options->max_client_batch_size))
    return Fail(ctx, res, ApiFamily::kHf, Status::ResourceExhausted("too many sequences in one request"));
  bool skip = true;
  if (body.contains("skip_special_tokens")) {
    if (!body["skip_special_tokens"].is_boolean())
      return Fail(ctx, res, ApiFamily::kHf, Status::InvalidArgument("`skip_special_tokens` must be a boolean"));
    skip = body["skip_special_tokens"].get<bool>();
  }
  Json out = Json::array();
  for (const auto& r : rows) {
    auto text = ctx.model->tokenizer().Decode(r, skip);
    if (!text.ok()) return Fail(ctx, res, ApiFamily::kHf, Status::InvalidArgument(text.status().message()));
    out.push_back(*text);
  }
  WriteJson(res, 200, batch ? out : out[0]);
}

}  // namespace mhub::serve
