#include "serve/request_parsing.h"

#include <cmath>

#include "serve/json_schema_regex.h"
#include "serve/regex_automaton.h"

namespace mhub::serve {
namespace {

Status Bad(const std::string& message) { return Status::InvalidArgument(message); }

// Optional typed fields: absent or null is unset; a wrong type names the field.
Result<std::optional<double>> Number(const Json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return std::optional<double>();
  if (!it->is_number()) return Bad(std::string("`") + name + "` must be a number");
  double v = it->get<double>();
  if (!std::isfinite(v)) return Bad(std::string("`") + name + "` must be finite");
  return std::optional<double>(v);
}

Result<std::optional<int64_t>> Integer(const Json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return std::optional<int64_t>();
  if (it->is_number_unsigned()) {
    uint64_t v = it->get<uint64_t>();
    if (v > static_cast<uint64_t>(INT64_MAX)) return Bad(std::string("`") + name + "` is too large");
    return std::optional<int64_t>(static_cast<int64_t>(v));
  }
  if (!it->is_number_integer()) return Bad(std::string("`") + name + "` must be an integer");
  return std::optional<int64_t>(it->get<int64_t>());
}

Result<std::optional<bool>> Boolean(const Json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return std::optional<bool>();
  if (!it->is_boolean()) return Bad(std::string("`") + name + "` must be a boolean");
  return std::optional<bool>(it->get<bool>());
}

Result<std::optional<std::string>> String(const Json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return Bad(std::string("`") + name + "` must be a string");
  return std::optional<std::string>(it->get<std::string>());
}

Status ReadStop(const Json& obj, GenerationRequest& out) {
  auto it = obj.find("stop");
  if (it == obj.end() || it->is_null()) return Status::OK();
  if (it->is_string()) {
    out.stop.push_back(it->get<std::string>());
  } else if (it->is_array()) {
    for (const Json& s : *it) {
      if (!s.is_string()) return Bad("`stop` must be a string or a list of strings");
      out.stop.push_back(s.get<std::string>());
    }
  } else {
    return Bad("`stop` must be a string or a list of strings");
  }
  if (out.stop.size() > static_cast<size_t>(kMaxStopSequences))
    return Bad("`stop` supports up to " + std::to_string(kMaxStopSequences) +
               " stop sequences. Given: " + std::to_string(out.stop.size()));
  for (const auto& s : out.stop)
    if (s.empty()) return Bad("`stop` sequences must not be empty");
  return Status::OK();
}

Status ReadMaxTokens(std::optional<int64_t> v, const char* name, GenerationRequest& out) {
  if (!v) return Status::OK();
  if (*v <= 0) return Bad(std::string("`") + name + "` must be strictly positive");
  if (*v > (1 << 24)) return Bad(std::string("`") + name + "` is too large");
  out.max_new_tokens = static_cast<int>(*v);
  return Status::OK();
}

Status ReadSeed(const Json& obj, GenerationRequest& out) {
  auto it = obj.find("seed");
  if (it == obj.end() || it->is_null()) return Status::OK();
  if (it->is_number_unsigned()) {
    out.seed = it->get<uint64_t>();
  } else if (it->is_number_integer()) {
    out.seed = static_cast<uint64_t>(it->get<int64_t>());
  } else {
    return Bad("`seed` must be an integer");
  }
  return Status::OK();
}

// Knobs other servers have that this one does not implement: refused rather than ignored when set
// to anything but their neutral value, so a client never silently gets something else.
Status RefuseUnsupported(const Json& obj) {
  MHUB_ASSIGN_OR_RETURN(auto fp, Number(obj, "frequency_penalty"));
  if (fp && *fp != 0) return Bad("`frequency_penalty` is not supported by this server");
  MHUB_ASSIGN_OR_RETURN(auto pp, Number(obj, "presence_penalty"));
  if (pp && *pp != 0) return Bad("`presence_penalty` is not supported by this server");
  MHUB_ASSIGN_OR_RETURN(auto n, Integer(obj, "n"));
  if (n && *n != 1) return Bad("`n` must be 1 on this server");
  MHUB_ASSIGN_OR_RETURN(auto best_of, Integer(obj, "best_of"));
  if (best_of && *best_of != 1) return Bad("`best_of` must be 1 on this server");
  MHUB_ASSIGN_OR_RETURN(auto typical, Number(obj, "typical_p"));
  if (typical && *typical != 1) return Bad("`typical_p` is not supported by this server");
  MHUB_ASSIGN_OR_RETURN(auto watermark, Boolean(obj, "watermark"));
  if (watermark && *watermark) return Bad("`watermark` is not supported by this server");
  for (const char* name : {"grammar", "tools", "adapter_id", "suffix"}) {
    auto it = obj.find(name);
    if (it != obj.end() && !it->is_null()) return Bad(std::string("`") + name + "` is not supported by this server");
  }
  return Status::OK();
}

// TGI's sampling fields (also flattened into OpenAI bodies by @huggingface/inference).
Status ReadTgiSampling(const Json& p, GenerationRequest& out, bool sampling_by_default) {
  MHUB_ASSIGN_OR_RETURN(auto temperature, Number(p, "temperature"));
  MHUB_ASSIGN_OR_RETURN(auto top_k, Integer(p, "top_k"));
  MHUB_ASSIGN_OR_RETURN(auto top_p, Number(p, "top_p"));
  MHUB_ASSIGN_OR_RETURN(auto rep, Number(p, "repetition_penalty"));
  MHUB_ASSIGN_OR_RETURN(auto do_sample, Boolean(p, "do_sample"));
  if (temperature && *temperature <= 0) return Bad("`temperature` must be strictly positive");
  if (top_k && *top_k <= 0) return Bad("`top_k` must be strictly positive");
  if (top_p && (*top_p <= 0 || *top_p > 1)) return Bad("`top_p` must be > 0.0 and <= 1.0");
  if (rep && *rep <= 0) return Bad("`repetition_penalty` must be strictly positive");
  auto& s = out.sampling;
  s.top_k = 0;  // TGI: no top-k unless asked
  if (temperature) s.temperature = static_cast<float>(*temperature);
  if (top_k) s.top_k = static_cast<int>(*top_k);
  if (top_p) s.top_p = static_cast<float>(*top_p);
  if (rep) s.repetition_penalty = static_cast<float>(*rep);
  // TGI: sampling when asked, or when any sampling knob is set.
  s.do_sample = do_sample.value_or(sampling_by_default || (temperature && *temperature != 1.0) || top_k ||
                                   (top_p && *top_p < 1.0));
  return Status::OK();
}

}  // namespace

Result<Json> ParseRequestBody(std::string_view body) {
  if (body.empty()) return Bad("the request body is empty; expected a JSON object");
  Json j = Json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Bad("the request body is not valid JSON");
  if (!j.is_object()) return Bad("the request body must be a JSON object");
  return j;
}

// TGI's `grammar`: {"type": "regex", "value": PATTERN}; the pattern is compiled here so that a bad
// one is a validation error (422) before anything runs. JSON-schema grammars are not built yet.
static Status ReadGrammar(const Json& p, GenerationRequest& out) {
  auto it = p.find("grammar");
  if (it == p.end() || it->is_null()) return Status::OK();
  if (!it->is_object() || !it->contains("type") || !(*it)["type"].is_string() || !it->contains("value"))
    return Bad("`grammar` must be {\"type\": \"regex\" | \"json\", \"value\": ...}");
  const std::string type = (*it)["type"].get<std::string>();
  if (type == "json" || type == "json_schema") {
    Json schema = (*it)["value"];
    if (schema.is_string()) {  // TGI also takes the schema as a JSON string
      auto parsed = ParseJson(schema.get<std::string>());
      if (!parsed.ok()) return Bad("`grammar` value is not a JSON schema: " + parsed.status().message());
      schema = *parsed;
    }
    MHUB_ASSIGN_OR_RETURN(out.grammar_regex, JsonSchemaToRegex(schema));
    return RegexAutomaton::Compile(out.grammar_regex).status();
  }
  if (type != "regex") return Bad("`grammar` type must be \"regex\" or \"json\"");
  if (!(*it)["value"].is_string()) return Bad("`grammar` value must be a string for type regex");
  out.grammar_regex = (*it)["value"].get<std::string>();
  MHUB_RETURN_IF_ERROR(RegexAutomaton::Compile(out.grammar_regex).status());
  return Status::OK();
}

Result<GenerationRequest> ParseTgiGenerate(const Json& body) {
  GenerationRequest out;
  auto inputs = body.find("inputs");
  if (inputs == body.end()) return Bad("missing field `inputs`");
  if (inputs->is_string()) {
    out.prompt = inputs->get<std::string>();
  } else if (inputs->is_array() && !inputs->empty() && (*inputs)[0].is_object()) {
    out.messages = *inputs;  // the Inference API's chat input to text-generation
  } else {
    return Bad("`inputs` must be a string");
  }
  MHUB_ASSIGN_OR_RETURN(auto stream, Boolean(body, "stream"));
  out.stream = stream.value_or(false);
  auto pit = body.find("parameters");
  const Json empty = Json::object();
  if (pit != body.end() && !pit->is_null() && !pit->is_object()) return Bad("`parameters` must be an object");
  const Json& p = pit == body.end() || pit->is_null() ? empty : *pit;
  MHUB_RETURN_IF_ERROR(ReadGrammar(p, out));
  Json rest = p;  // grammar is read above; the other unsupported fields are refused
  rest.erase("grammar");
  MHUB_RETURN_IF_ERROR(RefuseUnsupported(rest));
  MHUB_RETURN_IF_ERROR(ReadTgiSampling(p, out, false));
  MHUB_ASSIGN_OR_RETURN(auto max_new, Integer(p, "max_new_tokens"));
  MHUB_RETURN_IF_ERROR(ReadMaxTokens(max_new, "max_new_tokens", out));
  MHUB_RETURN_IF_ERROR(ReadStop(p, out));
  MHUB_RETURN_IF_ERROR(ReadSeed(p, out));
  MHUB_ASSIGN_OR_RETURN(auto details, Boolean(p, "details"));
  out.details = details.value_or(false);
  MHUB_ASSIGN_OR_RETURN(auto full, Boolean(p, "return_full_text"));
  out.return_full_text = full;
  MHUB_ASSIGN_OR_RETURN(auto top_n, Integer(p, "top_n_tokens"));
  if (top_n && (*top_n < 0 || *top_n > kMaxTopLogprobs))
    return Bad("`top_n_tokens` must be between 0 and " + std::to_string(kMaxTopLogprobs));
  out.top_logprobs = static_cast<int>(top_n.value_or(0));
  MHUB_ASSIGN_OR_RETURN(auto truncate, Integer(p, "truncate"));
  if (truncate) return Bad("`truncate` is not supported by this server");
  return out;
}

namespace {

// The fields the two OpenAI generation routes share.
// OpenAI response_format: text, json_object (any JSON object) or json_schema {schema}.
Status ReadResponseFormat(const Json& body, GenerationRequest& out) {
  auto rf = body.find("response_format");
  if (rf == body.end() || rf->is_null()) return Status::OK();
  if (!rf->is_object() || !rf->contains("type") || !(*rf)["type"].is_string())
    return Bad("`response_format` must be an object with a string `type`");
  const std::string type = (*rf)["type"].get<std::string>();
  if (type == "text") return Status::OK();
  if (type == "json_object") {
    out.grammar_regex = AnyJsonObjectRegex();
  } else if (type == "json_schema") {
    auto js = rf->find("json_schema");
    if (js == rf->end() || !js->is_object() || !js->contains("schema"))
      return Bad("`response_format.json_schema.schema` is required for type json_schema");
    MHUB_ASSIGN_OR_RETURN(out.grammar_regex, JsonSchemaToRegex((*js)["schema"]));
  } else {
    return Bad("`response_format.type` must be text, json_object or json_schema");
  }
  return RegexAutomaton::Compile(out.grammar_regex).status();
}

Status ReadOpenAiCommon(const Json& body, GenerationRequest& out) {
  MHUB_RETURN_IF_ERROR(RefuseUnsupported(body));
  MHUB_RETURN_IF_ERROR(ReadResponseFormat(body, out));
  MHUB_ASSIGN_OR_RETURN(auto model, String(body, "model"));
  (void)model;  // any name: clients send the endpoint URL when they have no model name
  MHUB_ASSIGN_OR_RETURN(auto temperature, Number(body, "temperature"));
  MHUB_ASSIGN_OR_RETURN(auto top_p, Number(body, "top_p"));
  MHUB_ASSIGN_OR_RETURN(auto top_k, Integer(body, "top_k"));
  MHUB_ASSIGN_OR_RETURN(auto rep, Number(body, "repetition_penalty"));
  MHUB_ASSIGN_OR_RETURN(auto do_sample, Boolean(body, "do_sample"));
  if (temperature && (*temperature < 0 || *temperature > 2)) return Bad("`temperature` must be between 0 and 2");
  if (top_p && (*top_p <= 0 || *top_p > 1)) return Bad("`top_p` must be > 0.0 and <= 1.0");
  if (top_k && *top_k <= 0) return Bad("`top_k` must be strictly positive");
  if (rep && *rep <= 0) return Bad("`repetition_penalty` must be strictly positive");
  auto& s = out.sampling;
  s.top_k = static_cast<int>(top_k.value_or(0));
  s.top_p = static_cast<float>(top_p.value_or(1.0));
  s.repetition_penalty = static_cast<float>(rep.value_or(1.0));
  // OpenAI: temperature 1 by default (sampling); 0 is greedy.
  const double t = temperature.value_or(1.0);
  s.do_sample = do_sample.value_or(t > 0);
  s.temperature = t > 0 ? static_cast<float>(t) : 1.0f;
  MHUB_ASSIGN_OR_RETURN(auto max_tokens, Integer(body, "max_tokens"));
  MHUB_ASSIGN_OR_RETURN(auto max_completion, Integer(body, "max_completion_tokens"));
  MHUB_RETURN_IF_ERROR(ReadMaxTokens(max_completion ? max_completion : max_tokens,
                                     max_completion ? "max_completion_tokens" : "max_tokens", out));
  MHUB_RETURN_IF_ERROR(ReadStop(body, out));
  MHUB_RETURN_IF_ERROR(ReadSeed(body, out));
  MHUB_ASSIGN_OR_RETURN(auto stream, Boolean(body, "stream"));
  out.stream = stream.value_or(false);
  auto so = body.find("stream_options");
  if (so != body.end() && !so->is_null()) {
    if (!so->is_object()) return Bad("`stream_options` must be an object");
    MHUB_ASSIGN_OR_RETURN(auto usage, Boolean(*so, "include_usage"));
    out.include_usage = usage.value_or(false);
  }
  return Status::OK();
}

}  // namespace

Result<GenerationRequest> ParseOpenAiCompletion(const Json& body) {
  GenerationRequest out;
  auto prompt = body.find("prompt");
  if (prompt == body.end()) return Bad("missing field `prompt`");
  if (prompt->is_string()) {
    out.prompt = prompt->get<std::string>();
  } else if (prompt->is_array() && prompt->size() == 1 && (*prompt)[0].is_string()) {
    out.prompt = (*prompt)[0].get<std::string>();
  } else if (prompt->is_array() && prompt->size() > 1) {
    return Bad("`prompt` with several prompts is not supported by this server; send one per request");
  } else {
    return Bad("`prompt` must be a string");
  }
  MHUB_RETURN_IF_ERROR(ReadOpenAiCommon(body, out));
  // Legacy completions: `logprobs` is how many alternatives per position (0..5); 0 gives the
  // chosen token's logprob only.
  MHUB_ASSIGN_OR_RETURN(auto logprobs, Integer(body, "logprobs"));
  if (logprobs && (*logprobs < 0 || *logprobs > 5)) return Bad("`logprobs` must be between 0 and 5");
  out.logprobs = logprobs.has_value();
  out.top_logprobs = static_cast<int>(logprobs.value_or(0));
  MHUB_ASSIGN_OR_RETURN(auto echo, Boolean(body, "echo"));
  out.echo = echo.value_or(false);
  // @huggingface/inference's textGeneration flattens TGI parameters into the body.
  MHUB_ASSIGN_OR_RETURN(auto max_new, Integer(body, "max_new_tokens"));
  if (!out.max_new_tokens) MHUB_RETURN_IF_ERROR(ReadMaxTokens(max_new, "max_new_tokens", out));
  return out;
}

Result<GenerationRequest> ParseOpenAiChat(const Json& body) {
  GenerationRequest out;
  auto messages = body.find("messages");
  if (messages == body.end()) return Bad("missing field `messages`");
  if (!messages->is_array() || messages->empty()) return Bad("`messages` must be a non-empty list");
  out.messages = Json::array();
  for (const Json& m : *messages) {
    if (!m.is_object()) return Bad("each message must be an object with `role` and `content`");
    MHUB_ASSIGN_OR_RETURN(auto role, String(m, "role"));
    if (!role) return Bad("a message has no `role`");
    if (*role != "system" && *role != "user" && *role != "assistant" && *role != "developer" && *role != "tool")
      return Bad("unknown message role '" + *role + "'");
    std::string content;
    auto c = m.find("content");
    if (c != m.end() && c->is_string()) {
      content = c->get<std::string>();
    } else if (c != m.end() && c->is_array()) {
      for (const Json& part : *c) {
        // Checked before reading: json::value() throws when `type` is there but not a string.
        const auto type = part.is_object() ? part.find("type") : part.end();
        if (!part.is_object() || type == part.end() || !type->is_string() || *type != "text" ||
            !part.contains("text") || !part["text"].is_string())
          return Bad("only text content parts ({\"type\": \"text\", \"text\": ...}) are supported");
        content += part["text"].get<std::string>();
      }
    } else if (c != m.end() && !c->is_null()) {
      return Bad("`content` must be a string or a list of text parts");
    }
    out.messages.push_back({{"role", *role == "developer" ? "system" : *role}, {"content", content}});
  }
  MHUB_RETURN_IF_ERROR(ReadOpenAiCommon(body, out));
  MHUB_ASSIGN_OR_RETURN(auto logprobs, Boolean(body, "logprobs"));
  out.logprobs = logprobs.value_or(false);
  MHUB_ASSIGN_OR_RETURN(auto top, Integer(body, "top_logprobs"));
  if (top && (*top < 0 || *top > kMaxTopLogprobs))
    return Bad("`top_logprobs` must be between 0 and " + std::to_string(kMaxTopLogprobs));
  if (top && *top > 0 && !out.logprobs) return Bad("`top_logprobs` needs `logprobs: true`");
  out.top_logprobs = static_cast<int>(top.value_or(0));
  return out;
}

namespace {

Result<TextBatchRequest> Texts(const Json& value, const char* name, size_t max_batch) {
  TextBatchRequest out;
  if (value.is_string()) {
    out.inputs.push_back(value.get<std::string>());
    return out;
  }
  if (!value.is_array()) return Bad(std::string("`") + name + "` must be a string or a list of strings");
  if (value.empty()) return Bad(std::string("`") + name + "` cannot be empty");
  if (value.size() > max_batch)
    return Status::ResourceExhausted("batch size " + std::to_string(value.size()) + " > maximum allowed batch size " +
                                     std::to_string(max_batch));
  out.batch = true;
  for (const Json& v : value) {
    if (!v.is_string()) return Bad(std::string("`") + name + "` must be a string or a list of strings");
    out.inputs.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace

Result<TextBatchRequest> ParseTeiInputs(const Json& body, size_t max_batch) {
  auto inputs = body.find("inputs");
  if (inputs == body.end()) return Bad("missing field `inputs`");
  MHUB_ASSIGN_OR_RETURN(TextBatchRequest out, Texts(*inputs, "inputs", max_batch));
  // TEI keeps these top level; the Inference API's feature-extraction also has `parameters`.
  const Json empty = Json::object();
  auto pit = body.find("parameters");
  if (pit != body.end() && !pit->is_null() && !pit->is_object()) return Bad("`parameters` must be an object");
  const Json& p = pit == body.end() || pit->is_null() ? empty : *pit;
  for (const Json* obj : {&p, &body}) {
    MHUB_ASSIGN_OR_RETURN(auto normalize, Boolean(*obj, "normalize"));
    if (normalize) out.normalize = *normalize;
    MHUB_ASSIGN_OR_RETURN(auto truncate, Boolean(*obj, "truncate"));
    if (truncate) out.truncate = *truncate;
    MHUB_ASSIGN_OR_RETURN(auto raw, Boolean(*obj, "raw_scores"));
    if (raw) out.raw_scores = *raw;
    MHUB_ASSIGN_OR_RETURN(auto direction, String(*obj, "truncation_direction"));
    if (direction && *direction != "right" && *direction != "Right")
      return Bad("`truncation_direction` other than right is not supported by this server");
    MHUB_ASSIGN_OR_RETURN(auto prompt_name, String(*obj, "prompt_name"));
    if (prompt_name) return Bad("`prompt_name` is not supported by this server");
  }
  return out;
}

Result<TextBatchRequest> ParseOpenAiEmbeddings(const Json& body, size_t max_batch) {
  auto input = body.find("input");
  if (input == body.end()) return Bad("missing field `input`");
  MHUB_ASSIGN_OR_RETURN(TextBatchRequest out, Texts(*input, "input", max_batch));
  MHUB_ASSIGN_OR_RETURN(auto format, String(body, "encoding_format"));
  if (format && *format != "float" && *format != "base64")
    return Bad("`encoding_format` must be \"float\" or \"base64\"");
  out.base64 = format && *format == "base64";
  MHUB_ASSIGN_OR_RETURN(auto dims, Integer(body, "dimensions"));
  if (dims) return Bad("`dimensions` is not supported by this server");
  MHUB_ASSIGN_OR_RETURN(auto model, String(body, "model"));
  (void)model;
  return out;
}

}  // namespace mhub::serve
