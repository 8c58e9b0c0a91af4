#include "serve/model_endpoint.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <random>
#include <thread>

#include "mhub/base/env.h"
#include "mhub/hub/resolve.h"
#include "mhub/models/auto_model.h"
#include "mhub/models/pipeline_tag.h"
#include "mhub/pipelines/generation.h"
#include "mhub/tokenizers/chat_template.h"
#include "serve/regex_automaton.h"

namespace mhub::serve {
namespace {

bool IsCommitHash(const std::string& s) {
  return s.size() == 40 && std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(c) && !std::isupper(c); });
}

// log_softmax(logits)[i] for the chosen token and the `top` best ones.
void FillLogprobs(const std::vector<float>& logits, int32_t token, int top, TokenEvent& ev) {
  float max = -INFINITY;
  for (float v : logits) max = std::max(max, v);
  double sum = 0;
  for (float v : logits) sum += std::exp(static_cast<double>(v - max));
  const float log_z = max + static_cast<float>(std::log(sum));
  if (token >= 0 && static_cast<size_t>(token) < logits.size()) ev.logprob = logits[token] - log_z;
  if (top <= 0) return;
  std::vector<int32_t> idx(logits.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = static_cast<int32_t>(i);
  const size_t k = std::min<size_t>(static_cast<size_t>(top), idx.size());
  std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(k), idx.end(),
                    [&](int32_t a, int32_t b) { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b); });
  for (size_t i = 0; i < k; ++i) ev.top.emplace_back(idx[i], logits[idx[i]] - log_z);
}

}  // namespace

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string DefaultTaskFor(models::Task head) {
  const std::string tag = models::PipelineTagFor(head);
  return tag.empty() ? "feature-extraction" : tag;
}

Result<std::unique_ptr<ModelEndpoint>> ModelEndpoint::Load(const ServeOptions& options) {
  std::unique_ptr<ModelEndpoint> ep(new ModelEndpoint());
  auto folder = hub::ResolveModelPath(options.model, options.revision);
  if (!folder.ok()) return folder.status().WithContext("while resolving " + options.model);
  ep->folder_ = *folder;
  std::error_code ec;
  if (std::filesystem::is_directory(options.model, ec)) {
    ep->model_id_ = std::filesystem::path(options.model).lexically_normal().string();
    while (ep->model_id_.size() > 1 && ep->model_id_.back() == '/') ep->model_id_.pop_back();
  } else {
    ep->model_id_ = options.model;
    // The cache's snapshots/<commit> folder names the commit that answers.
    std::string leaf = std::filesystem::path(*folder).filename().string();
    if (IsCommitHash(leaf)) ep->model_sha_ = leaf;
  }
  MHUB_ASSIGN_OR_RETURN(Json config, models::LoadConfigJson(ep->folder_));
  ep->task_ = options.task;
  if (ep->task_.empty()) {
    models::Task head = models::Task::kBase;
    if (config.contains("architectures") && config["architectures"].is_array() && !config["architectures"].empty() &&
        config["architectures"][0].is_string()) {
      auto t = models::TaskFromArchitecture(config["architectures"][0].get<std::string>());
      if (t.ok()) head = *t;
    }
    ep->task_ = DefaultTaskFor(head);
  }
  if (ep->task_ == "sentiment-analysis") ep->task_ = "text-classification";
  if (ep->task_ == "ner") ep->task_ = "token-classification";
  auto supported = pipelines::Pipeline::SupportedTasks();
  if (std::find(supported.begin(), supported.end(), ep->task_) == supported.end())
    return Status::InvalidArgument("unknown task '" + ep->task_ + "'");

  auto tok = tokenizers::Tokenizer::FromPretrained(ep->folder_);
  if (!tok.ok()) return tok.status().WithContext("while loading the tokenizer of " + options.model);
  ep->tokenizer_ = std::make_unique<tokenizers::Tokenizer>(std::move(tok).value());
  ep->tokenizer_->SetPadding(std::nullopt);
  MHUB_RETURN_IF_ERROR(ep->tokenizer_->SetTruncation(std::nullopt));
  const std::string tc_path = ep->folder_ + "/tokenizer_config.json";
  if (Env::Default()->FileExists(tc_path)) {
    MHUB_ASSIGN_OR_RETURN(ep->tokenizer_config_, tokenizers::TokenizerConfig::FromFile(tc_path));
  }

  if (ep->task_ == "text-generation") {
    models::LoadOptions load;
    load.revision = options.revision;
    if (options.quantize_int8) load.quantize = models::Quantization::kInt8;
    auto model = models::LoadModel(ep->folder_, models::Task::kCausalLM, load);
    if (!model.ok()) return model.status().WithContext("while loading model " + options.model);
    ep->model_ = std::move(model).value();
    ep->lm_ = dynamic_cast<models::CausalLM*>(ep->model_.get());
    if (!ep->lm_) return Status::InvalidArgument("text-generation needs a causal LM (GPT-2, Llama, Mistral, Qwen2)");
    auto gen = formats::LoadGenerationConfig(ep->folder_);
    if (gen.ok()) {
      ep->generation_config_ = std::move(gen).value();
    } else if (gen.status().code() != StatusCode::kNotFound) {
      return gen.status().WithContext("while loading generation_config.json");
    }
    for (int64_t id : ep->generation_config_.eos_token_ids) ep->eos_ids_.push_back(static_cast<int32_t>(id));
    for (int64_t id : ep->model_->info().eos_token_ids) ep->eos_ids_.push_back(static_cast<int32_t>(id));
    if (const auto& eos = ep->tokenizer_config_.eos_token)
      if (auto id = ep->tokenizer_->TokenToId(*eos)) ep->eos_ids_.push_back(static_cast<int32_t>(*id));
    int64_t positions = ep->model_->info().max_position_embeddings;
    ep->max_total_tokens_ = static_cast<int>(positions > 0 ? positions : 4096);
    // What each token adds to the text, for grammar masks: a token that decodes to part of a UTF-8
    // character alone (U+FFFD) or to nothing is never allowed under a grammar.
    const int64_t vocab = ep->model_->info().vocab_size;
    ep->token_bytes_.resize(static_cast<size_t>(vocab));
    for (int64_t id = 0; id < vocab; ++id) {
      auto text = ep->tokenizer_->Decode({static_cast<uint32_t>(id)}, false);
      if (text.ok() && text->find("\xEF\xBF\xBD") == std::string::npos)
        ep->token_bytes_[static_cast<size_t>(id)] = *text;
    }
    SchedulerOptions so;
    so.kv_blocks = options.kv_blocks;
    so.kv_memory_bytes = options.kv_cache_bytes;
    so.block_size = options.kv_block_size;
    so.max_batch_tokens = options.max_batch_tokens;
    so.prefill_chunk = options.prefill_chunk;
    so.prefix_cache = options.prefix_cache;
    auto scheduler = BatchScheduler::Start(*ep->lm_, so);
    if (!scheduler.ok()) return scheduler.status().WithContext("while starting the generation batch");
    ep->scheduler_ = std::move(scheduler).value();
  } else {
    pipelines::PipelineOptions po;
    po.revision = options.revision;
    po.quantize_int8 = options.quantize_int8;
    MHUB_ASSIGN_OR_RETURN(ep->pipeline_, pipelines::Pipeline::Create(ep->task_, ep->folder_, po));
    int64_t positions = 512;
    for (const char* key : {"max_position_embeddings", "n_positions"})
      if (config.contains(key) && config[key].is_number_integer()) positions = config[key].get<int64_t>();
    ep->max_total_tokens_ = static_cast<int>(positions);
  }
  if (options.max_total_tokens > 0) ep->max_total_tokens_ = std::min(ep->max_total_tokens_, options.max_total_tokens);
  return ep;
}

std::string ModelEndpoint::TokenText(int32_t id) const {
  if (id < 0) return "";
  auto r = tokenizer_->Decode({static_cast<uint32_t>(id)}, false);
  return r.ok() ? *r : std::string();
}

Result<Json> ModelEndpoint::RunPipeline(const Json& request) {
  if (!pipeline_) return Status::InvalidArgument("this endpoint serves " + task_ + ", not this route's task");
  return pipeline_->Run(request);
}

Result<PreparedGeneration> ModelEndpoint::Prepare(const GenerationRequest& request) const {
  if (!lm_) return Status::InvalidArgument("this endpoint serves " + task_ + ", not text-generation");
  PreparedGeneration p;
  p.request = request;
  bool add_special = true;
  if (!request.messages.is_null()) {
    tokenizers::ChatTemplateInputs in;
    in.messages = OrderedJson::parse(request.messages.dump());
    in.add_generation_prompt = true;
    auto rendered = tokenizer_config_.ApplyChatTemplate(in);
    if (!rendered.ok())
      return Status::InvalidArgument(rendered.status().message() + " (while applying the chat template)");
    p.prompt = *rendered;
    add_special = false;  // the template placed BOS and friends
  } else {
    p.prompt = request.prompt;
  }
  MHUB_ASSIGN_OR_RETURN(tokenizers::Encoding enc, tokenizer_->Encode(p.prompt, add_special));
  p.prompt_ids.assign(enc.ids.begin(), enc.ids.end());
  if (p.prompt_ids.empty()) {
    // An empty prompt starts from BOS (or EOS for GPT-2 style models), as transformers does.
    int64_t start = model_->info().bos_token_id >= 0 ? model_->info().bos_token_id
                    : eos_ids_.empty()               ? -1
                                                     : eos_ids_[0];
    if (start < 0) return Status::InvalidArgument("`inputs` is empty and the model has no BOS token");
    p.prompt_ids.push_back(static_cast<int32_t>(start));
  }
  const int input = static_cast<int>(p.prompt_ids.size());
  if (input >= max_total_tokens_)
    return Status::InvalidArgument("`inputs` must have less than " + std::to_string(max_total_tokens_) +
                                   " tokens. Given: " + std::to_string(input));
  if (request.max_new_tokens && input + *request.max_new_tokens > max_total_tokens_)
    return Status::InvalidArgument(
        "`inputs` tokens + `max_new_tokens` must be <= " + std::to_string(max_total_tokens_) +
        ". Given: " + std::to_string(input) + " `inputs` tokens and " + std::to_string(*request.max_new_tokens) +
        " `max_new_tokens`");
  p.max_new_tokens = request.max_new_tokens ? *request.max_new_tokens : max_total_tokens_ - input;
  return p;
}

Result<GenerationOutput> ModelEndpoint::Generate(const PreparedGeneration& p, const TokenSink& sink,
                                                 int64_t deadline_ms, int64_t* queue_ms) {
  if (!scheduler_) return Status::InvalidArgument("this endpoint serves " + task_ + ", not text-generation");
  const int64_t start = NowMs();
  const GenerationRequest& req = p.request;
  pipelines::GenerationOptions gen;
  gen.max_new_tokens = p.max_new_tokens;
  gen.eos_token_ids = eos_ids_;
  gen.stop = generation_config_.stop_strings;
  gen.stop.insert(gen.stop.end(), req.stop.begin(), req.stop.end());
  gen.sampling = req.sampling;
  gen.seed = req.seed ? *req.seed : std::random_device{}();

  // TGI grammar: the automaton's state after the text so far; logits of tokens that would leave the
  // language are masked, and end-of-sequence is allowed only where the text matches whole.
  std::optional<RegexAutomaton> grammar;
  int grammar_state = 0;
  bool prompt_fed = false;
  if (!req.grammar_regex.empty()) {
    MHUB_ASSIGN_OR_RETURN(RegexAutomaton a, RegexAutomaton::Compile(req.grammar_regex));
    grammar.emplace(std::move(a));
    grammar_state = grammar->start();
  }
  auto mask = [&](std::span<const int32_t> fed, std::vector<float>& logits) {
    if (prompt_fed)
      for (int32_t t : fed)
        if (t >= 0 && static_cast<size_t>(t) < token_bytes_.size())
          grammar_state = grammar->Walk(grammar_state, token_bytes_[static_cast<size_t>(t)]);
    prompt_fed = true;
    const bool accept = grammar->Accepts(grammar_state);
    bool any = false;
    for (size_t id = 0; id < logits.size(); ++id) {
      const bool eos = std::find(eos_ids_.begin(), eos_ids_.end(), static_cast<int32_t>(id)) != eos_ids_.end();
      bool ok = false;
      if (eos) {
        ok = accept;
      } else if (id < token_bytes_.size() && !token_bytes_[id].empty()) {
        ok = grammar->Walk(grammar_state, token_bytes_[id]) != RegexAutomaton::kDead;
      }
      if (!ok) logits[id] = -INFINITY;
      any = any || ok;
    }
    // Nothing can continue (or only tokens the vocabulary cannot spell): end here.
    if (!any && !eos_ids_.empty() && static_cast<size_t>(eos_ids_[0]) < logits.size()) logits[eos_ids_[0]] = 0;
  };
  BatchScheduler::Stream stream = scheduler_->Open();  // leaves the batch (frees its blocks) on return
  std::vector<float>
      last_logits;  // raw logits of the step that chose the next token (TGI reports a logprob on every token)
  pipelines::NextLogitsFn next = [&](std::span<const int32_t> tokens) -> Result<std::vector<float>> {
    MHUB_ASSIGN_OR_RETURN(std::vector<float> logits, stream.Next(tokens, deadline_ms));
    if (grammar) mask(tokens, logits);
    if (queue_ms && *queue_ms < 0) *queue_ms = std::max<int64_t>(0, stream.first_step_ms() - start);
    last_logits = logits;
    return logits;
  };
  if (queue_ms) *queue_ms = -1;
  const bool cleanup = tokenizer_config_.clean_up_tokenization_spaces.value_or(false);
  pipelines::DecodeFn decode = [&](std::span<const int32_t> ids) {
    auto r = tokenizer_->Decode(std::vector<uint32_t>(ids.begin(), ids.end()), true, cleanup);
    return r.ok() ? *r : std::string();
  };
  GenerationOutput out;
  out.prompt = p.prompt;
  out.input_length = p.prompt_ids.size();
  out.seed = gen.seed;
  out.sampled = gen.sampling.do_sample;
  pipelines::StreamFn on_token = [&](int32_t token, std::string_view text) {
    TokenEvent ev;
    ev.id = token;
    ev.text = std::string(text);
    if (token >= 0) FillLogprobs(last_logits, token, req.top_logprobs, ev);
    out.tokens.push_back(ev);
    return sink ? sink(out.tokens.back()) : true;
  };
  Result<pipelines::GenerationResult> generated = pipelines::Generate(p.prompt_ids, gen, next, decode, on_token);
  if (queue_ms && *queue_ms < 0) *queue_ms = NowMs() - start;
  MHUB_ASSIGN_OR_RETURN(pipelines::GenerationResult r, std::move(generated));
  out.text = r.text;
  out.finish_reason = r.finish_reason;
  if (r.finish_reason == "stop_sequence")
    for (const std::string& stop : gen.stop)
      if (out.text.size() >= stop.size() && out.text.compare(out.text.size() - stop.size(), stop.size(), stop) == 0)
        out.stop_sequence = stop;
  return out;
}

Status ModelEndpoint::RunExclusive(int64_t deadline_ms, const std::function<Status()>& fn, int64_t* queue_ms) {
  const int64_t start = NowMs();
  waiting_.fetch_add(1);
  std::unique_lock<std::timed_mutex> lock(model_mu_, std::defer_lock);
  const bool got = lock.try_lock_for(std::chrono::milliseconds(std::max<int64_t>(0, deadline_ms - start)));
  waiting_.fetch_sub(1);
  if (queue_ms) *queue_ms = NowMs() - start;
  if (!got) return Status::Unavailable("the request timed out waiting for the model");
  return fn();
}

}  // namespace mhub::serve
