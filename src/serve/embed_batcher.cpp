#include "serve/embed_batcher.h"

#include <algorithm>
#include <numeric>

namespace mhub::serve {
namespace {

// A cheap token estimate for the budget (the tokenizer runs once, inside the pipeline).
size_t EstimateTokens(const std::string& text) { return text.size() / 3 + 2; }

}  // namespace

Result<Json> EmbedBatcher::Embed(const std::vector<std::string>& texts, bool normalize, bool truncate,
                                 int64_t deadline_ms, Stats* stats) {
  auto job = std::make_shared<Job>();
  job->texts = texts;
  job->normalize = normalize;
  job->truncate = truncate;
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.push_back(job);
  }
  const int64_t start = NowMs();
  for (;;) {
    Status st = model_->RunExclusive(
        deadline_ms, [&] { return RunBatch(job); }, nullptr);
    std::lock_guard<std::mutex> lock(mu_);
    if (job->done) {
      if (stats) {
        *stats = job->stats;
        stats->queue_ms = NowMs() - start - job->stats.inference_ms;
      }
      return job->result;
    }
    if (!st.ok()) {
      pending_.erase(std::remove(pending_.begin(), pending_.end(), job), pending_.end());
      return st;
    }
  }
}

Status EmbedBatcher::RunBatch(const std::shared_ptr<Job>& own) {
  std::vector<std::shared_ptr<Job>> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (own->done) return Status::OK();  // an earlier batch took it
    size_t tokens = 0;
    for (const auto& t : own->texts) tokens += EstimateTokens(t);
    batch.push_back(own);
    for (const auto& job : pending_) {
      if (job == own || job->normalize != own->normalize || job->truncate != own->truncate) continue;
      size_t more = 0;
      for (const auto& t : job->texts) more += EstimateTokens(t);
      if (tokens + more > max_batch_tokens_) continue;
      tokens += more;
      batch.push_back(job);
    }
    for (const auto& job : batch) pending_.erase(std::remove(pending_.begin(), pending_.end(), job), pending_.end());
  }
  // Every input, longest first: the pipeline's forward passes take neighbours, so they pad little.
  std::vector<std::pair<size_t, size_t>> where;  // (job, text) per input
  for (size_t j = 0; j < batch.size(); ++j)
    for (size_t t = 0; t < batch[j]->texts.size(); ++t) where.emplace_back(j, t);
  std::vector<size_t> order(where.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return batch[where[a].first]->texts[where[a].second].size() > batch[where[b].first]->texts[where[b].second].size();
  });
  Json inputs = Json::array();
  for (size_t i : order) inputs.push_back(batch[where[i].first]->texts[where[i].second]);
  const int64_t start = NowMs();
  auto out = model_->RunPipeline(
      Json{{"inputs", inputs}, {"parameters", {{"normalize", own->normalize}, {"truncate", own->truncate}}}});
  const int64_t inference_ms = NowMs() - start;
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Json> rows(batch.size());
  for (auto& r : rows) r = Json::array();
  if (out.ok() && (!out->is_array() || out->size() != order.size()))
    out = Status::Internal("the feature-extraction pipeline answered " + std::to_string(out->size()) + " rows for " +
                           std::to_string(order.size()) + " inputs");
  if (out.ok()) {
    std::vector<std::vector<Json>> per_job(batch.size());
    for (size_t j = 0; j < batch.size(); ++j) per_job[j].resize(batch[j]->texts.size());
    for (size_t k = 0; k < order.size(); ++k) per_job[where[order[k]].first][where[order[k]].second] = (*out)[k];
    for (size_t j = 0; j < batch.size(); ++j) rows[j] = Json(per_job[j]);
  }
  for (size_t j = 0; j < batch.size(); ++j) {
    batch[j]->result = out.ok() ? Result<Json>(std::move(rows[j])) : Result<Json>(out.status());
    batch[j]->stats.inference_ms = inference_ms;
    batch[j]->stats.batch_inputs = order.size();
    batch[j]->done = true;
  }
  return Status::OK();
}

}  // namespace mhub::serve
