// Generation routes: TGI's /generate, /generate_stream and POST / (compat), OpenAI's
// /v1/completions and /v1/chat/completions, streamed as Server-Sent Events when asked.
#include <ctime>
#include <random>

#include "serve/request_parsing.h"
#include "serve/routes.h"

namespace mhub::serve {
namespace {

bool IsOpenAi(GenerationRoute r) {
  return r == GenerationRoute::kOpenAiCompletion || r == GenerationRoute::kOpenAiChat;
}

std::string NewId(const char* prefix) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(rng()));
  return std::string(prefix) + buf;
}

const char* OpenAiFinish(const std::string& reason) { return reason == "length" ? "length" : "stop"; }

// OpenAI leaves the stop string out of the text (TGI keeps it): `text` without its tail `stop`.
std::string StripStop(const std::string& text, const std::string& stop) {
  if (stop.empty()) return text;
  if (text.size() >= stop.size() && text.compare(text.size() - stop.size(), stop.size(), stop) == 0)
    return text.substr(0, text.size() - stop.size());
  return text;
}

// Text released at the end (id -1: held back as a possible stop string) belongs to the token before.
void MergeReleasedText(std::vector<TokenEvent>& tokens) {
  std::vector<TokenEvent> merged;
  for (auto& ev : tokens) {
    if (ev.id < 0 && !merged.empty()) {
      merged.back().text += ev.text;
    } else {
      merged.push_back(std::move(ev));
    }
  }
  tokens = std::move(merged);
}

size_t GeneratedCount(const GenerationOutput& out) {
  size_t n = 0;
  for (const auto& t : out.tokens) n += t.id >= 0 ? 1 : 0;
  return n;
}

Json TgiToken(const ModelEndpoint& m, const TokenEvent& ev) {
  return Json{{"id", ev.id}, {"text", ev.text}, {"logprob", ev.logprob}, {"special", false}};
}

Json TgiTopTokens(const ModelEndpoint& m, const TokenEvent& ev) {
  Json top = Json::array();
  for (const auto& [id, lp] : ev.top)
    top.push_back({{"id", id}, {"text", m.TokenText(id)}, {"logprob", lp}, {"special", false}});
  return top;
}

Json Bytes(const std::string& s) {
  Json b = Json::array();
  for (unsigned char c : s) b.push_back(static_cast<int>(c));
  return b;
}

// One entry of a chat choice's logprobs.content.
Json ChatLogprob(const ModelEndpoint& m, const TokenEvent& ev) {
  Json top = Json::array();
  for (const auto& [id, lp] : ev.top) {
    std::string t = m.TokenText(id);
    top.push_back({{"token", t}, {"logprob", lp}, {"bytes", Bytes(t)}});
  }
  return Json{{"token", ev.text}, {"logprob", ev.logprob}, {"bytes", Bytes(ev.text)}, {"top_logprobs", top}};
}

// A legacy completion choice's logprobs, for tokens [begin, end) of `tokens`; offsets start at `offset`.
Json CompletionLogprobs(const ModelEndpoint& m, const std::vector<TokenEvent>& tokens, size_t offset, bool with_top) {
  Json out = {{"tokens", Json::array()}, {"token_logprobs", Json::array()}, {"text_offset", Json::array()}};
  out["top_logprobs"] = with_top ? Json::array() : Json(nullptr);
  for (const auto& ev : tokens) {
    out["tokens"].push_back(ev.text);
    out["token_logprobs"].push_back(ev.logprob);
    out["text_offset"].push_back(offset);
    offset += ev.text.size();
    if (with_top) {
      Json alt = Json::object();
      for (const auto& [id, lp] : ev.top) alt[m.TokenText(id)] = lp;
      out["top_logprobs"].push_back(alt);
    }
  }
  return out;
}

Json Usage(const GenerationOutput& out) {
  const size_t gen = GeneratedCount(out);
  return Json{
      {"prompt_tokens", out.input_length}, {"completion_tokens", gen}, {"total_tokens", out.input_length + gen}};
}

void RecordFailure(const RouteContext& ctx, const ApiError& e) {
  ctx.metrics->Add("tgi_request_failure", 1, "err=\"" + e.type + "\"");
}

void RecordSuccess(const RouteContext& ctx, const GenerationOutput& out, int64_t queue_ms, int64_t inference_ms) {
  ctx.metrics->Add("tgi_request_success");
  ctx.metrics->Observe("tgi_request_duration", (NowMs() - ctx.start_ms) / 1000.0);
  ctx.metrics->Observe("tgi_request_queue_duration", queue_ms / 1000.0);
  ctx.metrics->Observe("tgi_request_inference_duration", inference_ms / 1000.0);
  const size_t gen = GeneratedCount(out);
  ctx.metrics->Observe("tgi_request_generated_tokens", static_cast<double>(gen));
  if (gen > 0) ctx.metrics->Observe("tgi_request_mean_time_per_token_duration", inference_ms / 1000.0 / gen);
}

const ApiError kTimedOut{503, "the request did not finish within the server's request timeout", "timeout"};

// The answer of a finished non-streamed generation, in the route's shape.
Json Answer(const RouteContext& ctx, GenerationRoute route, const PreparedGeneration& p, const GenerationOutput& out) {
  const ModelEndpoint& m = *ctx.model;
  const GenerationRequest& req = p.request;
  if (route == GenerationRoute::kOpenAiChat || route == GenerationRoute::kOpenAiCompletion) {
    const bool chat = route == GenerationRoute::kOpenAiChat;
    Json choice = {{"index", 0}, {"finish_reason", OpenAiFinish(out.finish_reason)}, {"logprobs", nullptr}};
    if (chat) {
      choice["message"] = {{"role", "assistant"}, {"content", StripStop(out.text, out.stop_sequence)}};
      if (req.logprobs) {
        Json content = Json::array();
        for (const auto& ev : out.tokens) content.push_back(ChatLogprob(m, ev));
        choice["logprobs"] = {{"content", content}};
      }
    } else {
      const std::string prefix = req.echo ? out.prompt : "";
      choice["text"] = prefix + StripStop(out.text, out.stop_sequence);
      if (req.logprobs) choice["logprobs"] = CompletionLogprobs(m, out.tokens, prefix.size(), req.top_logprobs > 0);
    }
    return Json{{"id", NewId(chat ? "chatcmpl-" : "cmpl-")},
                {"object", chat ? "chat.completion" : "text_completion"},
                {"created", static_cast<int64_t>(std::time(nullptr))},
                {"model", m.model_id()},
                {"system_fingerprint", "mhub-" + (m.model_sha().empty() ? std::string("local") : m.model_sha())},
                {"choices", Json::array({choice})},
                {"usage", Usage(out)}};
  }
  const bool full = req.return_full_text.value_or(route == GenerationRoute::kTgiCompat);
  Json item;
  if (!req.messages.is_null() && full) {
    Json messages = req.messages;
    messages.push_back({{"role", "assistant"}, {"content", out.text}});
    item["generated_text"] = messages;
  } else {
    item["generated_text"] = full ? out.prompt + out.text : out.text;
  }
  if (req.details) {
    Json tokens = Json::array(), top = Json::array();
    for (const auto& ev : out.tokens) {
      tokens.push_back(TgiToken(m, ev));
      if (req.top_logprobs > 0) top.push_back(TgiTopTokens(m, ev));
    }
    Json details = {{"finish_reason", out.finish_reason},
                    {"generated_tokens", GeneratedCount(out)},
                    {"seed", out.sampled ? Json(out.seed) : Json(nullptr)},
                    {"prefill", Json::array()},
                    {"tokens", tokens}};
    if (req.top_logprobs > 0) details["top_tokens"] = top;
    item["details"] = details;
  }
  return route == GenerationRoute::kTgiCompat ? Json::array({item}) : item;
}

void SetTimingHeaders(server::HttpResponse& res, const RouteContext& ctx, const GenerationOutput& out,
                      int64_t validation_ms, int64_t queue_ms, int64_t inference_ms) {
  const size_t gen = GeneratedCount(out);
  res.SetHeader("x-compute-type", "cpu");
  res.SetHeader("x-compute-time", std::to_string((validation_ms + inference_ms) / 1000.0));
  res.SetHeader("x-total-time", std::to_string(NowMs() - ctx.start_ms));
  res.SetHeader("x-validation-time", std::to_string(validation_ms));
  res.SetHeader("x-queue-time", std::to_string(queue_ms));
  res.SetHeader("x-inference-time", std::to_string(inference_ms));
  res.SetHeader("x-time-per-token", std::to_string(gen > 0 ? inference_ms / static_cast<int64_t>(gen) : 0));
  res.SetHeader("x-prompt-tokens", std::to_string(out.input_length));
  res.SetHeader("x-generated-tokens", std::to_string(gen));
}

// SSE writer for one streamed generation. TGI events are `data:{json}` with generated_text on the
// last one only (so one event is held back until the next token or the end); OpenAI chunks are
// `data: {json}` and the stream ends with `data: [DONE]`.
class SseGeneration {
 public:
  SseGeneration(const RouteContext& ctx, GenerationRoute route, const PreparedGeneration& p, server::BodyStream& out)
      : ctx_(ctx),
        route_(route),
        p_(p),
        out_(out),
        id_(NewId(route == GenerationRoute::kOpenAiChat ? "chatcmpl-" : "cmpl-")),
        created_(static_cast<int64_t>(std::time(nullptr))) {}

  void Run() {
    int64_t queue_ms = 0, inference_ms = 0;
    GenerationOutput result;
    if (route_ == GenerationRoute::kOpenAiChat && !Chunk({{"role", "assistant"}, {"content", ""}}, nullptr, nullptr))
      return;
    const int64_t start = NowMs();
    auto r = ctx_.model->Generate(
        p_, [&](const TokenEvent& ev) { return OnToken(ev); }, ctx_.deadline_ms, &queue_ms);
    inference_ms = NowMs() - start - queue_ms;
    Status st = r.ok() ? Status::OK() : r.status();
    if (r.ok()) result = std::move(r).value();
    if (gone_) {
      RecordFailure(ctx_, {499, "", "cancelled"});
      return;
    }
    if (!st.ok() && st.code() == StatusCode::kUnavailable && NowMs() >= ctx_.deadline_ms) timed_out_ = true;
    if (timed_out_) return Error(kTimedOut);
    if (!st.ok()) return Error(ErrorFromStatus(st));
    RecordSuccess(ctx_, result, queue_ms, inference_ms);
    Finish(result);
  }

 private:
  bool Write(const std::string& json) {
    const bool openai = IsOpenAi(route_);
    if (!out_.Write((openai ? "data: " : "data:") + json + "\n\n")) gone_ = true;
    return !gone_;
  }

  // One token is held back: TGI puts generated_text on the last event, OpenAI leaves the stop
  // string out of the text, and neither is known before the next token or the end.
  bool OnToken(const TokenEvent& ev) {
    if (out_.ClientGone()) {
      gone_ = true;
      return false;
    }
    if (NowMs() >= ctx_.deadline_ms) {
      timed_out_ = true;
      return false;
    }
    if (ev.id < 0 && held_) {  // released text: part of the held token
      held_->text += ev.text;
      return true;
    }
    if (held_ && !Emit(*held_)) return false;
    held_ = ev;
    return true;
  }

  bool Emit(const TokenEvent& ev) { return IsOpenAi(route_) ? OpenAiToken(ev) : TgiEvent(ev, nullptr); }

  bool OpenAiToken(const TokenEvent& ev) {
    if (route_ == GenerationRoute::kOpenAiChat) {
      Json logprobs = nullptr;
      if (p_.request.logprobs && ev.id >= 0) logprobs = {{"content", Json::array({ChatLogprob(*ctx_.model, ev)})}};
      return Chunk({{"content", ev.text}}, nullptr, &logprobs);
    }
    Json choice = {{"index", 0}, {"text", ev.text}, {"finish_reason", nullptr}, {"logprobs", nullptr}};
    if (p_.request.logprobs && ev.id >= 0)
      choice["logprobs"] = CompletionLogprobs(*ctx_.model, {ev}, text_offset_, p_.request.top_logprobs > 0);
    text_offset_ += ev.text.size();
    return Write(DumpJson(CompletionChunk(Json::array({choice}))));
  }

  Json CompletionChunk(Json choices) const {
    const bool chat = route_ == GenerationRoute::kOpenAiChat;
    return Json{{"id", id_},
                {"object", chat ? "chat.completion.chunk" : "text_completion"},
                {"created", created_},
                {"model", ctx_.model->model_id()},
                {"system_fingerprint", "mhub"},
                {"choices", std::move(choices)}};
  }

  // A chat chunk with `delta`, and a finish reason and logprobs when given.
  bool Chunk(Json delta, const char* finish, const Json* logprobs) {
    Json choice = {{"index", 0},
                   {"delta", std::move(delta)},
                   {"logprobs", logprobs ? *logprobs : Json(nullptr)},
                   {"finish_reason", finish ? Json(finish) : Json(nullptr)}};
    return Write(DumpJson(CompletionChunk(Json::array({choice}))));
  }

  bool TgiEvent(const TokenEvent& ev, const GenerationOutput* last, bool special = false) {
    Json token = TgiToken(*ctx_.model, ev);
    token["special"] = special;
    Json e = {{"index", index_++}, {"token", token}, {"generated_text", nullptr}, {"details", nullptr}};
    if (p_.request.top_logprobs > 0) e["top_tokens"] = TgiTopTokens(*ctx_.model, ev);
    if (last) {
      const bool full = p_.request.return_full_text.value_or(route_ == GenerationRoute::kTgiCompat);
      e["generated_text"] = full && p_.request.messages.is_null() ? last->prompt + last->text : last->text;
      if (p_.request.details)
        e["details"] = {{"finish_reason", last->finish_reason},
                        {"generated_tokens", GeneratedCount(*last)},
                        {"seed", last->sampled ? Json(last->seed) : Json(nullptr)},
                        {"input_length", last->input_length}};
    }
    return Write(DumpJson(e));
  }

  void Finish(const GenerationOutput& result) {
    if (!IsOpenAi(route_)) {
      // TGI ends an eos-terminated stream with the eos token itself, marked special.
      if (result.finish_reason == "eos_token" && ctx_.model->eos_token_id() >= 0) {
        if (held_ && !TgiEvent(*held_, nullptr)) return;
        TokenEvent eos;
        eos.id = ctx_.model->eos_token_id();
        TgiEvent(eos, &result, true);
      } else if (held_) {
        TgiEvent(*held_, &result);
      } else {
        TokenEvent none;
        TgiEvent(none, &result, true);
      }
      return;
    }
    if (held_) {
      held_->text = StripStop(held_->text, result.stop_sequence);
      if (!Emit(*held_)) return;
    }
    const char* finish = OpenAiFinish(result.finish_reason);
    if (route_ == GenerationRoute::kOpenAiChat) {
      if (!Chunk(Json::object(), finish, nullptr)) return;
    } else {
      Json choice = {{"index", 0}, {"text", ""}, {"finish_reason", finish}, {"logprobs", nullptr}};
      if (!Write(DumpJson(CompletionChunk(Json::array({choice}))))) return;
    }
    if (p_.request.include_usage) {
      Json chunk = CompletionChunk(Json::array());
      chunk["usage"] = Usage(result);
      if (!Write(DumpJson(chunk))) return;
    }
    out_.Write("data: [DONE]\n\n");
  }

  void Error(const ApiError& e) {
    RecordFailure(ctx_, e);
    const ApiFamily family = IsOpenAi(route_) ? ApiFamily::kOpenAi : ApiFamily::kHf;
    Write(ErrorEventJson(family, e));
  }

  const RouteContext& ctx_;
  GenerationRoute route_;
  const PreparedGeneration& p_;
  server::BodyStream& out_;
  std::string id_;
  int64_t created_;
  std::optional<TokenEvent> held_;
  size_t index_ = 0;
  size_t text_offset_ = 0;
  bool gone_ = false;
  bool timed_out_ = false;
};

}  // namespace

void ServeGeneration(const RouteContext& ctx, GenerationRoute route, const Json& body, server::HttpResponse& res) {
  const ApiFamily family = IsOpenAi(route) ? ApiFamily::kOpenAi : ApiFamily::kHf;
  ctx.metrics->Add("tgi_request_count");
  auto fail = [&](const ApiError& e) {
    RecordFailure(ctx, e);
    WriteError(res, family, e);
    if (e.status == 503) res.SetHeader("Retry-After", "1");
  };
  Result<GenerationRequest> parsed = route == GenerationRoute::kOpenAiChat         ? ParseOpenAiChat(body)
                                     : route == GenerationRoute::kOpenAiCompletion ? ParseOpenAiCompletion(body)
                                                                                   : ParseTgiGenerate(body);
  if (!parsed.ok()) return fail(ErrorFromStatus(parsed.status()));
  if (route == GenerationRoute::kTgiStream) parsed->stream = true;
  if (route == GenerationRoute::kTgiGenerate) parsed->stream = false;
  auto prepared = ctx.model->Prepare(*parsed);
  if (!prepared.ok()) return fail(ErrorFromStatus(prepared.status()));
  const int64_t validation_ms = NowMs() - ctx.start_ms;
  ctx.metrics->Observe("tgi_request_validation_duration", validation_ms / 1000.0);
  ctx.metrics->Observe("tgi_request_input_length", static_cast<double>(prepared->prompt_ids.size()));
  ctx.metrics->Observe("tgi_request_max_new_tokens", prepared->max_new_tokens);

  if (prepared->request.stream) {
    res.status = 200;
    res.content_type = "text/event-stream";
    res.SetHeader("Cache-Control", "no-cache");
    res.SetHeader("X-Accel-Buffering", "no");
    auto p = std::make_shared<PreparedGeneration>(std::move(prepared).value());
    RouteContext c = ctx;
    res.stream = [c, p, route](server::BodyStream& out) { SseGeneration(c, route, *p, out).Run(); };
    return;
  }

  GenerationOutput out;
  int64_t queue_ms = 0, inference_ms = 0;
  bool timed_out = false;
  const int64_t start = NowMs();
  auto r = ctx.model->Generate(
      *prepared,
      [&](const TokenEvent&) {
        timed_out = NowMs() >= ctx.deadline_ms;
        return !timed_out;
      },
      ctx.deadline_ms, &queue_ms);
  inference_ms = NowMs() - start - queue_ms;
  Status st = r.ok() ? Status::OK() : r.status();
  if (r.ok()) out = std::move(r).value();
  // Past the deadline while waiting in the batch (Unavailable) is a timeout too.
  if (!st.ok() && st.code() == StatusCode::kUnavailable && NowMs() >= ctx.deadline_ms) timed_out = true;
  if (timed_out) return fail(kTimedOut);
  if (!st.ok()) return fail(ErrorFromStatus(st));
  MergeReleasedText(out.tokens);
  RecordSuccess(ctx, out, queue_ms, inference_ms);
  WriteJson(res, 200, Answer(ctx, route, *prepared, out));
  SetTimingHeaders(res, ctx, out, validation_ms, queue_ms, inference_ms);
}

}  // namespace mhub::serve
