// The served model: loaded once (tokenizer, task pipeline or causal LM), then shared by every
// request. Encoder pipelines run one request at a time (they are not thread-safe); generations
// run concurrently, each on its own thread, their model steps batched by the BatchScheduler.
// Admission (RequestGate) bounds how many wait.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/result.h"
#include "mhub/formats/generation_config.h"
#include "mhub/models/model.h"
#include "mhub/pipelines/pipeline.h"
#include "mhub/serve/endpoint_server.h"
#include "mhub/tokenizers/tokenizer.h"
#include "mhub/tokenizers/tokenizer_config.h"
#include "serve/batch_scheduler.h"
#include "serve/request_parsing.h"

namespace mhub::serve {

// One generated token as the routes report it.
struct TokenEvent {
  int32_t id = -1;  // -1: text held back earlier (a stop-string candidate) released at the end
  std::string text;
  float logprob = 0;
  std::vector<std::pair<int32_t, float>> top;  // the best alternatives (top_logprobs), best first
};

struct GenerationOutput {
  std::vector<TokenEvent> tokens;
  std::string prompt;         // the prompt text (chat: rendered by the template)
  std::string text;           // generated text, cut after a stop string
  std::string finish_reason;  // "length", "eos_token", "stop_sequence"
  std::string stop_sequence;  // the stop string `text` ends with (finish_reason stop_sequence)
  size_t input_length = 0;
  uint64_t seed = 0;
  bool sampled = false;
};

// A generation request after tokenization and the length checks, ready to queue.
struct PreparedGeneration {
  GenerationRequest request;
  std::string prompt;
  std::vector<int32_t> prompt_ids;
  int max_new_tokens = 0;
};

// Called for each new token; return false to stop (the client went away or the deadline passed).
using TokenSink = std::function<bool(const TokenEvent& event)>;

class ModelEndpoint {
 public:
  static Result<std::unique_ptr<ModelEndpoint>> Load(const ServeOptions& options);

  const std::string& task() const { return task_; }
  const std::string& model_id() const { return model_id_; }
  const std::string& model_sha() const { return model_sha_; }  // "" for a plain folder
  bool is_generator() const { return lm_ != nullptr; }
  int max_total_tokens() const { return max_total_tokens_; }
  // The first end-of-sequence id (TGI ends a stream with it as a special token); -1 when none.
  int32_t eos_token_id() const { return eos_ids_.empty() ? -1 : eos_ids_[0]; }
  // The text of one token id as decoded alone (special tokens kept).
  std::string TokenText(int32_t id) const;
  const tokenizers::Tokenizer& tokenizer() const { return *tokenizer_; }

  // Encoder tasks: one request in the Inference API shape through the task pipeline. The caller
  // holds the model (RunExclusive).
  Result<Json> RunPipeline(const Json& request);

  // Tokenizes and checks TGI's length rule (`inputs` tokens + `max_new_tokens` <= max_total_tokens).
  Result<PreparedGeneration> Prepare(const GenerationRequest& request) const;
  // Runs a prepared generation in the running batch, until `deadline_ms` (NowMs clock) at most:
  // Unavailable when the deadline passes while it waits for the model. `queue_ms` receives the
  // time before its first model step.
  Result<GenerationOutput> Generate(const PreparedGeneration& prepared, const TokenSink& sink, int64_t deadline_ms,
                                    int64_t* queue_ms = nullptr);
  // The generation batch (null for encoder tasks).
  const BatchScheduler* scheduler() const { return scheduler_.get(); }
  BatchScheduler* scheduler() { return scheduler_.get(); }

  // Runs `fn` with the model to itself, waiting until `deadline_ms` (MonotonicMs clock) at most:
  // Unavailable when the wait runs out. `queue_ms` receives the time waited.
  Status RunExclusive(int64_t deadline_ms, const std::function<Status()>& fn, int64_t* queue_ms);
  // Requests waiting for the model right now.
  int waiting() const { return waiting_.load(); }

 private:
  ModelEndpoint() = default;

  std::string task_, model_id_, model_sha_;
  std::string folder_;
  int max_total_tokens_ = 0;
  std::unique_ptr<tokenizers::Tokenizer> tokenizer_;
  tokenizers::TokenizerConfig tokenizer_config_;
  formats::GenerationConfig generation_config_;
  std::unique_ptr<pipelines::Pipeline> pipeline_;  // encoder tasks
  std::unique_ptr<models::Model> model_;           // text-generation
  models::CausalLM* lm_ = nullptr;
  std::vector<int32_t> eos_ids_;
  std::vector<std::string> token_bytes_;       // each id decoded alone (constrained decoding walks them)
  std::unique_ptr<BatchScheduler> scheduler_;  // declared after model_: stopped before it goes
  std::timed_mutex model_mu_;
  std::atomic<int> waiting_{0};
};

// Monotonic clock in milliseconds (the HTTP engine's).
int64_t NowMs();

// The task a model's config.json architecture serves by default.
std::string DefaultTaskFor(models::Task head);

}  // namespace mhub::serve
