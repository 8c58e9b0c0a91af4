// Dynamic batching for embeddings (TEI's token-budget batching): requests that wait for the model
// at the same time go through it as one batch. Whoever gets the model takes every waiting request
// with the same options, up to a token budget, sorts their inputs by length (so each forward pass
// pads little), runs them together and hands each request its own rows.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "mhub/base/json.h"
#include "mhub/base/result.h"
#include "serve/model_endpoint.h"

namespace mhub::serve {

class EmbedBatcher {
 public:
  EmbedBatcher(ModelEndpoint* model, size_t max_batch_tokens) : model_(model), max_batch_tokens_(max_batch_tokens) {}

  struct Stats {
    int64_t queue_ms = 0;
    int64_t inference_ms = 0;
    size_t batch_inputs = 0;  // inputs in the forward batch this request went through
  };
  // One vector per text (the feature-extraction pipeline's rows), as if embedded alone.
  Result<Json> Embed(const std::vector<std::string>& texts, bool normalize, bool truncate, int64_t deadline_ms,
                     Stats* stats);

 private:
  struct Job {
    std::vector<std::string> texts;
    bool normalize = true, truncate = false;
    bool done = false;
    Result<Json> result = Status::Internal("not run");
    Stats stats;
  };
  // With the model held: runs `own` and the compatible waiting jobs as one batch.
  Status RunBatch(const std::shared_ptr<Job>& own);

  ModelEndpoint* model_;
  size_t max_batch_tokens_;
  std::mutex mu_;
  std::deque<std::shared_ptr<Job>> pending_;
};

}  // namespace mhub::serve
