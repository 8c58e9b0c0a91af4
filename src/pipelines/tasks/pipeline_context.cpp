#include "pipelines/tasks/pipeline_context.h"

#include <algorithm>
#include <filesystem>

#include "mhub/base/env.h"
#include "mhub/models/auto_model.h"

#ifdef MHUB_PIPELINES_WITH_HUB
#include "mhub/hub/resolve.h"
#endif

namespace mhub::pipelines {

namespace {

Result<std::string> ResolveFolder(const std::string& model, const std::string& revision) {
  if (std::filesystem::is_directory(model)) return model;
#ifdef MHUB_PIPELINES_WITH_HUB
  return hub::ResolveModelPath(model, revision);
#else
  return Status::NotFound("no such model folder: " + model);
#endif
}

}  // namespace

Result<PipelineContext> LoadPipelineContext(const std::string& model, models::Task head,
                                            const PipelineOptions& options) {
  PipelineContext ctx;
  ctx.options = options;
  MHUB_ASSIGN_OR_RETURN(ctx.folder, ResolveFolder(model, options.revision));
  auto tok = tokenizers::Tokenizer::FromPretrained(ctx.folder);
  if (!tok.ok()) return tok.status().WithContext("while loading the tokenizer of " + model);
  ctx.tokenizer = std::make_unique<tokenizers::Tokenizer>(std::move(tok).value());
  ctx.tokenizer->SetPadding(std::nullopt);
  MHUB_RETURN_IF_ERROR(ctx.tokenizer->SetTruncation(std::nullopt));
  models::LoadOptions load;
  load.revision = options.revision;
  if (options.quantize_int8) load.quantize = models::Quantization::kInt8;
  auto loaded = models::LoadModel(ctx.folder, head, load);
  if (!loaded.ok()) return loaded.status().WithContext("while loading model " + model);
  ctx.model = std::move(loaded).value();
  std::string tc_path = ctx.folder + "/tokenizer_config.json";
  if (Env::Default()->FileExists(tc_path)) {
    auto tc = tokenizers::TokenizerConfig::FromFile(tc_path);
    if (!tc.ok()) return tc.status().WithContext("while loading tokenizer_config.json");
    ctx.tokenizer_config = std::move(tc).value();
  }
  auto gen = formats::LoadGenerationConfig(ctx.folder);
  if (gen.ok()) {
    ctx.generation = std::move(gen).value();
  } else if (gen.status().code() != StatusCode::kNotFound) {
    return gen.status().WithContext("while loading generation_config.json");
  }
  return ctx;
}

Result<Json> MergedParameters(const Json& request, const PipelineOptions& options) {
  Json params = options.default_parameters.is_object() ? options.default_parameters : Json::object();
  if (request.is_object() && request.contains("parameters") && !request["parameters"].is_null()) {
    if (!request["parameters"].is_object()) return Status::InvalidArgument("\"parameters\" must be an object");
    for (auto& [k, v] : request["parameters"].items()) params[k] = v;
  }
  return params;
}

Result<std::vector<std::string>> StringInputs(const Json& request, bool* was_list) {
  if (!request.is_object() || !request.contains("inputs"))
    return Status::InvalidArgument("the request must be an object with \"inputs\"");
  const Json& in = request["inputs"];
  std::vector<std::string> out;
  if (was_list) *was_list = in.is_array();
  if (in.is_string()) {
    out.push_back(in.get<std::string>());
  } else if (in.is_array() && !in.empty()) {
    for (const Json& x : in) {
      if (!x.is_string()) return Status::InvalidArgument("\"inputs\" must be a string or a list of strings");
      out.push_back(x.get<std::string>());
    }
  } else {
    return Status::InvalidArgument("\"inputs\" must be a string or a non-empty list of strings");
  }
  return out;
}

Result<std::optional<int64_t>> OptInt(const Json& params, const char* name) {
  if (!params.contains(name) || params[name].is_null()) return std::optional<int64_t>();
  if (!params[name].is_number_integer())
    return Status::InvalidArgument(std::string("parameter ") + name + " must be an integer");
  return std::optional<int64_t>(params[name].get<int64_t>());
}

Result<std::optional<double>> OptNumber(const Json& params, const char* name) {
  if (!params.contains(name) || params[name].is_null()) return std::optional<double>();
  if (!params[name].is_number()) return Status::InvalidArgument(std::string("parameter ") + name + " must be a number");
  return std::optional<double>(params[name].get<double>());
}

Result<std::optional<bool>> OptBool(const Json& params, const char* name) {
  if (!params.contains(name) || params[name].is_null()) return std::optional<bool>();
  if (!params[name].is_boolean())
    return Status::InvalidArgument(std::string("parameter ") + name + " must be a boolean");
  return std::optional<bool>(params[name].get<bool>());
}

Result<std::optional<std::string>> OptString(const Json& params, const char* name) {
  if (!params.contains(name) || params[name].is_null()) return std::optional<std::string>();
  if (!params[name].is_string()) return Status::InvalidArgument(std::string("parameter ") + name + " must be a string");
  return std::optional<std::string>(params[name].get<std::string>());
}

size_t ModelMaxLength(const PipelineContext& ctx) {
  size_t n = ctx.model->info().max_position_embeddings > 0
                 ? static_cast<size_t>(ctx.model->info().max_position_embeddings)
                 : 512;
  int64_t m = ctx.tokenizer_config.model_max_length;
  if (m > 0 && static_cast<uint64_t>(m) < n) n = static_cast<size_t>(m);
  return n;
}

Result<models::ModelInputs> EncodeForModel(const PipelineContext& ctx, const std::vector<std::string>& first,
                                           const std::vector<std::string>* second,
                                           std::vector<tokenizers::Encoding>* encodings) {
  tokenizers::TruncationParams trunc;
  trunc.max_length = ModelMaxLength(ctx);
  trunc.strategy = tokenizers::TruncationStrategy::kLongestFirst;
  MHUB_RETURN_IF_ERROR(ctx.tokenizer->SetTruncation(trunc));
  std::vector<tokenizers::Encoding> encs;
  for (size_t i = 0; i < first.size(); ++i) {
    Result<tokenizers::Encoding> e =
        second ? ctx.tokenizer->EncodePair(first[i], (*second)[i]) : ctx.tokenizer->Encode(first[i]);
    if (!e.ok()) {
      (void)ctx.tokenizer->SetTruncation(std::nullopt);
      return e.status().WithContext("input " + std::to_string(i));
    }
    encs.push_back(std::move(e).value());
  }
  MHUB_RETURN_IF_ERROR(ctx.tokenizer->SetTruncation(std::nullopt));
  std::vector<const tokenizers::Encoding*> ptrs;
  for (const auto& e : encs) ptrs.push_back(&e);
  models::ModelInputs in = BatchInputs(ctx, ptrs);
  if (encodings) *encodings = std::move(encs);
  return in;
}

models::ModelInputs BatchInputs(const PipelineContext& ctx, const std::vector<const tokenizers::Encoding*>& encodings) {
  size_t longest = 0;
  for (const auto* e : encodings) longest = std::max(longest, e->size());
  int64_t pad_id = std::max<int64_t>(0, ctx.model->info().pad_token_id);
  models::ModelInputs in;
  in.batch = static_cast<int64_t>(encodings.size());
  in.seq_len = static_cast<int64_t>(longest);
  for (const auto* e : encodings) {
    for (size_t t = 0; t < longest; ++t) {
      bool real = t < e->size();
      in.input_ids.push_back(real ? e->ids[t] : pad_id);
      in.attention_mask.push_back(real ? 1 : 0);
      in.token_type_ids.push_back(real ? e->type_ids[t] : 0);
    }
  }
  return in;
}

std::string DecodeIds(const PipelineContext& ctx, const std::vector<uint32_t>& ids, bool skip_special) {
  bool cleanup = ctx.tokenizer_config.clean_up_tokenization_spaces.value_or(false);
  auto r = ctx.tokenizer->Decode(ids, skip_special, cleanup);
  return r.ok() ? *r : std::string();
}

}  // namespace mhub::pipelines
