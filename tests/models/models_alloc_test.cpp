// A forward pass allocates nothing per layer: its activations come from the model's arena and the
// kernels' reused buffers. Property checked: once warm, a forward (and a cached decode step) of a
// model with 6 layers makes exactly as many heap allocations as the same model with 2 layers (the
// remaining ones are the outputs handed to the caller). This binary replaces the global operator
// new to count them.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "mhub/core/cpu.h"
#include "mhub/core/linear.h"
#include "mhub/models/auto_model.h"
#include "models_test_util.h"

// GCC sees std::free in the replaced operator delete and new-expressions' operator new as a mismatch.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<int64_t> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace mhub::models {
namespace {

using testing::RandomInputs;
using testing::TinyConfig;

Json WithLayers(Json config, int layers) {
  for (const char* key : {"num_hidden_layers", "n_layers", "n_layer"})
    if (config.contains(key)) config[key] = layers;
  return config;
}

int64_t VocabOf(const Json& config) { return config["vocab_size"].get<int64_t>(); }

// Kernels run on the calling thread only: the pool's workers grow their own reused buffers the first
// time a kind of work item lands on them, which depends on scheduling, not on the model.
void OneThread() { core::SetNumThreads(1); }

// Heap allocations of the third forward of `in`. The first queues the weights for packing, which
// is awaited; the second warms the arena and the buffers of the packed path: the steady state is
// measured.
int64_t ForwardAllocations(const Model& model, const ModelInputs& in) {
  OneThread();
  EXPECT_TRUE(model.Forward(in).ok());
  core::WaitForPackedWeights();
  EXPECT_TRUE(model.Forward(in).ok());
  g_allocations = 0;
  g_counting = true;
  const bool ok = model.Forward(in).ok();
  g_counting = false;
  EXPECT_TRUE(ok);
  return g_allocations.load();
}

// Heap allocations of one cached decode step, after a prefill and two warm steps.
int64_t DecodeStepAllocations(const CausalLM& lm, int64_t vocab) {
  OneThread();
  auto cache = lm.NewCache(1, 32);
  EXPECT_TRUE(cache.ok());
  if (!cache.ok()) return -1;
  ModelInputs prompt = RandomInputs(5, {6}, vocab, 0);
  EXPECT_TRUE(lm.ForwardCausal(prompt, cache->get()).ok());
  core::WaitForPackedWeights();
  ModelInputs step{1, 1, {7}, {}, {}, {}};
  for (int i = 0; i < 2; ++i) EXPECT_TRUE(lm.ForwardCausal(step, cache->get()).ok());
  g_allocations = 0;
  g_counting = true;
  const bool ok = lm.ForwardCausal(step, cache->get()).ok();
  g_counting = false;
  EXPECT_TRUE(ok);
  return g_allocations.load();
}

class ForwardAlloc : public ::testing::TestWithParam<std::string> {};
class DecodeAlloc : public ::testing::TestWithParam<std::string> {};

// Params are "model_type" or "model_type/dtype".
Json ConfigOf(const std::string& param) {
  const size_t slash = param.find('/');
  return slash == std::string::npos ? TinyConfig(param) : TinyConfig(param.substr(0, slash), param.substr(slash + 1));
}

TEST_P(ForwardAlloc, NothingPerLayer) {
  const Json base = ConfigOf(GetParam());
  const ModelInputs in = RandomInputs(3, {9, 5}, VocabOf(base), 0);
  int64_t counts[2];
  int i = 0;
  for (const int layers : {2, 6}) {
    auto model = ModelFromConfig(WithLayers(base, layers), Task::kBase, 1);
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    counts[i++] = ForwardAllocations(**model, in);
  }
  EXPECT_GT(counts[0], 0) << "the counter must see the outputs' allocations";
  EXPECT_EQ(counts[0], counts[1]) << "2 layers: " << counts[0] << " allocations, 6 layers: " << counts[1];
}

TEST_P(DecodeAlloc, NothingPerLayer) {
  const Json base = ConfigOf(GetParam());
  int64_t counts[2];
  int i = 0;
  for (const int layers : {2, 6}) {
    auto lm = AutoModelForCausalLM::FromConfig(WithLayers(base, layers), 1);
    ASSERT_TRUE(lm.ok()) << lm.status().ToString();
    counts[i++] = DecodeStepAllocations(**lm, VocabOf(base));
  }
  EXPECT_GT(counts[0], 0) << "the counter must see the outputs' allocations";
  EXPECT_EQ(counts[0], counts[1]) << "2 layers: " << counts[0] << " allocations, 6 layers: " << counts[1];
}

INSTANTIATE_TEST_SUITE_P(Architectures, ForwardAlloc,
                         ::testing::Values("bert", "roberta", "distilbert", "gpt2", "llama", "mistral", "qwen2",
                                           "bert/bfloat16", "distilbert/bfloat16", "llama/bfloat16"));
INSTANTIATE_TEST_SUITE_P(Decoders, DecodeAlloc,
                         ::testing::Values("gpt2", "llama", "mistral", "qwen2", "gpt2/bfloat16"));

}  // namespace
}  // namespace mhub::models
