#include "serve/serve_metrics.h"

#include <cmath>
#include <cstdio>

namespace mhub::serve {
namespace {

const std::vector<double> kSeconds = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
const std::vector<double> kLengths = {1, 4, 16, 64, 256, 1024, 4096, 16384};
const std::vector<double> kBatch = {1, 2, 4, 8, 16, 32, 64, 128};

std::string Number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.15g", v);  // 0.025, not 0.025000000000000001
  return buf;
}

std::string WithLabels(const std::string& name, const std::string& labels, const std::string& extra = "") {
  std::string all = labels;
  if (!extra.empty()) all += (all.empty() ? "" : ",") + extra;
  return all.empty() ? name : name + "{" + all + "}";
}

}  // namespace

ServeMetrics::ServeMetrics() {
  using T = Type;
  // TGI (docs/source/reference/metrics.md)
  Declare("tgi_request_count", T::kCounter, "Requests received by the generation routes");
  Declare("tgi_request_success", T::kCounter, "Generation requests that succeeded");
  Declare("tgi_request_failure", T::kCounter, "Generation requests that failed, by error type");
  Declare("tgi_request_duration", T::kHistogram, "End-to-end generation request latency (s)", kSeconds);
  Declare("tgi_request_validation_duration", T::kHistogram, "Validation and tokenization time (s)", kSeconds);
  Declare("tgi_request_queue_duration", T::kHistogram, "Time waiting for the model (s)", kSeconds);
  Declare("tgi_request_inference_duration", T::kHistogram, "Time generating (s)", kSeconds);
  Declare("tgi_request_mean_time_per_token_duration", T::kHistogram, "Mean time per generated token (s)", kSeconds);
  Declare("tgi_request_input_length", T::kHistogram, "Prompt length in tokens", kLengths);
  Declare("tgi_request_max_new_tokens", T::kHistogram, "Requested max_new_tokens", kLengths);
  Declare("tgi_request_generated_tokens", T::kHistogram, "Generated tokens per request", kLengths);
  Declare("tgi_queue_size", T::kGauge, "Generation requests waiting for the model");
  Declare("tgi_batch_current_size", T::kGauge, "Sequences in the running generation batch");
  Declare("tgi_batch_current_max_tokens", T::kGauge, "Token budget (prompt + new tokens) of the running batch");
  Declare("tgi_batch_max_total_tokens", T::kGauge, "Largest prompt + generated tokens one request may use");
  Declare("tgi_batch_next_size", T::kHistogram, "Sequences in each generation model step", kBatch);
  Declare("tgi_batch_inference_count", T::kCounter, "Generation model steps run");
  Declare("tgi_batch_forward_duration", T::kHistogram, "Time of one generation model step (s)", kSeconds);
  // Continuous batching internals (no TGI equivalent)
  Declare("mhub_batch_step_tokens", T::kHistogram, "New tokens (decode + prefill chunks) in each model step", kLengths);
  Declare("mhub_kv_cache_blocks", T::kGauge, "Paged KV cache blocks by state (used, cached, free)");
  Declare("mhub_kv_cache_preemptions_total", T::kCounter, "Sequences that gave their KV blocks back to be recomputed");
  Declare("mhub_prefix_cache_lookup_tokens_total", T::kCounter,
          "Prompt tokens in full blocks looked up in the prefix cache");
  Declare("mhub_prefix_cache_hit_tokens_total", T::kCounter,
          "Prompt tokens found in the prefix cache (not recomputed)");
  // TEI (router/src/...: te_*)
  Declare("te_request_count", T::kCounter, "Requests received by the encoder routes");
  Declare("te_request_success", T::kCounter, "Encoder requests that succeeded");
  Declare("te_request_failure", T::kCounter, "Encoder requests that failed, by error type");
  Declare("te_request_duration", T::kHistogram, "End-to-end encoder request latency (s)", kSeconds);
  Declare("te_request_queue_duration", T::kHistogram, "Time waiting for the model (s)", kSeconds);
  Declare("te_request_inference_duration", T::kHistogram, "Time running the model (s)", kSeconds);
  Declare("te_request_input_length", T::kHistogram, "Inputs per request", kBatch);
  Declare("te_queue_size", T::kGauge, "Encoder requests waiting for the model");
  Declare("te_batch_next_size", T::kHistogram, "Inputs in each forward batch", kBatch);
  Declare("te_embed_count", T::kCounter, "Embedding requests (/embed, /v1/embeddings, feature-extraction)");
  Declare("te_embed_success", T::kCounter, "Embedding requests that succeeded");
  Declare("te_predict_count", T::kCounter, "Classification requests (/predict, text-classification)");
  Declare("te_predict_success", T::kCounter, "Classification requests that succeeded");
}

void ServeMetrics::Declare(const std::string& name, Type type, const std::string& help, std::vector<double> bounds) {
  Family f;
  f.type = type;
  f.help = help;
  f.bounds = std::move(bounds);
  families_.emplace(name, std::move(f));
}

ServeMetrics::Family* ServeMetrics::Find(const std::string& name) {
  auto it = families_.find(name);
  return it == families_.end() ? nullptr : &it->second;
}

void ServeMetrics::Add(const std::string& name, double value, const std::string& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Family* f = Find(name)) f->series[labels].value += value;
}

void ServeMetrics::Set(const std::string& name, double value, const std::string& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Family* f = Find(name)) f->series[labels].value = value;
}

void ServeMetrics::Observe(const std::string& name, double value, const std::string& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Family* f = Find(name);
  if (!f || f->type != Type::kHistogram) return;
  Series& s = f->series[labels];
  if (s.buckets.empty()) s.buckets.assign(f->bounds.size(), 0);
  for (size_t i = 0; i < f->bounds.size(); ++i)
    if (value <= f->bounds[i]) s.buckets[i]++;
  s.count++;
  s.sum += value;
}

std::string ServeMetrics::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    out += "# HELP " + name + " " + f.help + "\n";
    out += "# TYPE " + name + " " +
           (f.type == Type::kCounter ? "counter"
            : f.type == Type::kGauge ? "gauge"
                                     : "histogram") +
           "\n";
    if (f.series.empty() && f.type != Type::kHistogram) out += name + " 0\n";
    for (const auto& [labels, s] : f.series) {
      if (f.type != Type::kHistogram) {
        out += WithLabels(name, labels) + " " + Number(s.value) + "\n";
        continue;
      }
      for (size_t i = 0; i < f.bounds.size(); ++i)
        out += WithLabels(name + "_bucket", labels, "le=\"" + Number(f.bounds[i]) + "\"") + " " +
               std::to_string(s.buckets[i]) + "\n";
      out += WithLabels(name + "_bucket", labels, "le=\"+Inf\"") + " " + std::to_string(s.count) + "\n";
      out += WithLabels(name + "_sum", labels) + " " + Number(s.sum) + "\n";
      out += WithLabels(name + "_count", labels) + " " + std::to_string(s.count) + "\n";
    }
  }
  return out;
}

}  // namespace mhub::serve
