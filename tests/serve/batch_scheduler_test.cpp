// Continuous batching (BatchScheduler over CausalLM::ForwardPaged) against the library's ordinary
// one-sequence generation path (ForwardCausal with a contiguous KvCache), on tiny random GPT-2 and
// Llama models: concurrent greedy sequences get exactly the tokens each gets alone, whatever the
// batch, the chunking, the preemptions or the prefix cache did.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>
#include <thread>

#include "mhub/models/auto_model.h"
#include "serve/batch_scheduler.h"

namespace mhub::serve {
namespace {

int64_t Far() { return std::numeric_limits<int64_t>::max() / 4; }

std::unique_ptr<models::CausalLM> Gpt2() {
  Json c = {{"model_type", "gpt2"}, {"vocab_size", 300},       {"n_embd", 32}, {"n_layer", 2}, {"n_head", 4},
            {"n_positions", 256},   {"initializer_range", 0.3}};
  auto m = models::AutoModelForCausalLM::FromConfig(c, 7);
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? std::move(m).value() : nullptr;
}

std::unique_ptr<models::CausalLM> Llama() {
  Json c = {{"model_type", "llama"},    {"vocab_size", 300},
            {"hidden_size", 32},        {"intermediate_size", 64},
            {"num_hidden_layers", 2},   {"num_attention_heads", 4},
            {"num_key_value_heads", 2}, {"max_position_embeddings", 512},
            {"initializer_range", 0.3}};
  auto m = models::AutoModelForCausalLM::FromConfig(c, 9);
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? std::move(m).value() : nullptr;
}

int32_t Argmax(const std::vector<float>& v) {
  return static_cast<int32_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

// Greedy tokens through ForwardCausal and a contiguous cache (no scheduler).
std::vector<int32_t> Alone(const models::CausalLM& lm, const std::vector<int32_t>& prompt, int steps) {
  auto cache = lm.NewCache(1, static_cast<int64_t>(prompt.size()) + steps + 1);
  EXPECT_TRUE(cache.ok());
  std::vector<int32_t> out, feed = prompt;
  for (int i = 0; i < steps; ++i) {
    models::ModelInputs in;
    in.batch = 1;
    in.seq_len = static_cast<int64_t>(feed.size());
    in.input_ids.assign(feed.begin(), feed.end());
    auto logits = lm.ForwardCausal(in, cache->get(), false);
    EXPECT_TRUE(logits.ok()) << logits.status();
    if (!logits.ok()) return out;
    out.push_back(Argmax(logits->values));
    feed = {out.back()};
  }
  return out;
}

// The same greedy loop through a scheduler stream.
Result<std::vector<int32_t>> Batched(BatchScheduler& s, const std::vector<int32_t>& prompt, int steps) {
  BatchScheduler::Stream stream = s.Open();
  std::vector<int32_t> out, feed = prompt;
  for (int i = 0; i < steps; ++i) {
    MHUB_ASSIGN_OR_RETURN(std::vector<float> logits, stream.Next(feed, Far()));
    out.push_back(Argmax(logits));
    feed = {out.back()};
  }
  return out;
}

std::vector<int32_t> Prompt(int i, int length) {
  std::vector<int32_t> p;
  for (int t = 0; t < length; ++t) p.push_back((i * 37 + t * 11 + 5) % 300);
  return p;
}

void WaitUntilNoBlocksUsed(const BatchScheduler& s) {
  for (int i = 0; i < 200 && s.stats().blocks_used != 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

// 16 concurrent sequences with prompts of 3..150 tokens (longer than a prefill chunk) and 4..40 new
// tokens (they finish at different times) against each one alone.
void SixteenStreamsMatchAlone(const models::CausalLM& lm, SchedulerOptions o) {
  std::vector<std::vector<int32_t>> prompts;
  std::vector<int> steps;
  for (int i = 0; i < 16; ++i) {
    prompts.push_back(Prompt(i, 3 + (i * 29) % 148));
    steps.push_back(4 + (i * 7) % 37);
  }
  auto sched = BatchScheduler::Start(lm, o);
  ASSERT_TRUE(sched.ok()) << sched.status();
  std::vector<std::vector<int32_t>> together(16);
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      auto r = Batched(**sched, prompts[i], steps[i]);
      EXPECT_TRUE(r.ok()) << r.status();
      if (r.ok()) together[i] = *r;
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < 16; ++i) EXPECT_EQ(together[i], Alone(lm, prompts[i], steps[i])) << "sequence " << i;
  const SchedulerStats st = (*sched)->stats();
  EXPECT_GT(st.max_batch, 4u) << "the sequences never shared a step";
  WaitUntilNoBlocksUsed(**sched);
  EXPECT_EQ((*sched)->stats().blocks_used, 0);
}

TEST(BatchScheduler, Gpt2SixteenStreamsMatchAlone) {
  auto lm = Gpt2();
  SchedulerOptions o;
  o.prefill_chunk = 32;
  o.max_batch_tokens = 64;
  SixteenStreamsMatchAlone(*lm, o);
}

TEST(BatchScheduler, LlamaSixteenStreamsMatchAlone) {
  auto lm = Llama();
  SchedulerOptions o;
  o.prefill_chunk = 24;
  o.block_size = 8;
  SixteenStreamsMatchAlone(*lm, o);
}

// A pool far smaller than 16 sequences need: sequences give their blocks back and are recomputed,
// and still match.
TEST(BatchScheduler, SmallPoolPreemptsAndStillMatches) {
  auto lm = Llama();
  SchedulerOptions o;
  o.block_size = 8;
  o.kv_blocks = 30;  // 240 positions; the 16 sequences need ~1500
  o.prefill_chunk = 16;
  o.prefix_cache = false;
  SixteenStreamsMatchAlone(*lm, o);
}

TEST(BatchScheduler, SequenceLargerThanThePoolFails) {
  auto lm = Gpt2();
  SchedulerOptions o;
  o.block_size = 4;
  o.kv_blocks = 3;
  auto sched = BatchScheduler::Start(*lm, o);
  ASSERT_TRUE(sched.ok());
  auto r = Batched(**sched, Prompt(1, 20), 2);
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted) << r.status();
  auto ok = Batched(**sched, Prompt(1, 5), 2);  // the scheduler keeps serving
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(*ok, Alone(*lm, Prompt(1, 5), 2));
}

// A stream dropped mid-generation (client gone) frees its blocks.
TEST(BatchScheduler, CancelFreesBlocks) {
  auto lm = Gpt2();
  auto sched = BatchScheduler::Start(*lm, {});
  ASSERT_TRUE(sched.ok());
  {
    BatchScheduler::Stream a = (*sched)->Open(), b = (*sched)->Open();
    ASSERT_TRUE(a.Next(Prompt(2, 40), Far()).ok());
    ASSERT_TRUE(b.Next(Prompt(3, 70), Far()).ok());
    EXPECT_GE((*sched)->stats().blocks_used, 3 + 5);
  }
  WaitUntilNoBlocksUsed(**sched);
  EXPECT_EQ((*sched)->stats().blocks_used, 0);
  EXPECT_EQ((*sched)->stats().sequences, 0);
}

// Requests sharing a long system prompt reuse its blocks: the same tokens as without the cache (and
// as alone), and the hit counter shows the reuse.
TEST(BatchScheduler, PrefixCacheHitsAndSameOutputs) {
  auto lm = Llama();
  std::vector<int32_t> system = Prompt(42, 100);
  std::vector<std::vector<int32_t>> prompts;
  for (int i = 0; i < 6; ++i) {
    std::vector<int32_t> p = system;
    for (int32_t t : Prompt(i, 5 + i)) p.push_back(t);
    prompts.push_back(p);
  }
  for (bool cache : {true, false}) {
    SchedulerOptions o;
    o.block_size = 16;
    o.prefix_cache = cache;
    auto sched = BatchScheduler::Start(*lm, o);
    ASSERT_TRUE(sched.ok());
    for (const auto& p : prompts) {
      auto r = Batched(**sched, p, 6);
      ASSERT_TRUE(r.ok()) << r.status();
      EXPECT_EQ(*r, Alone(*lm, p, 6)) << "prefix cache " << cache;
    }
    WaitUntilNoBlocksUsed(**sched);
    const SchedulerStats st = (*sched)->stats();
    if (cache) {
      // 6 full blocks of the system prompt, found by the 5 requests after the first.
      EXPECT_EQ(st.prefix_hit_tokens, 5u * 96u);
      EXPECT_GT(st.blocks_cached, 0);
    } else {
      EXPECT_EQ(st.prefix_hit_tokens, 0u);
      EXPECT_EQ(st.blocks_cached, 0);
    }
    EXPECT_EQ(st.blocks_used, 0);
  }
}

// ForwardPaged's logits equal ForwardCausal's for sequences at different positions in one step.
TEST(BatchScheduler, ForwardPagedMatchesForwardCausal) {
  std::vector<std::unique_ptr<models::CausalLM>> models;
  models.push_back(Gpt2());
  models.push_back(Llama());
  for (const auto& lm : models) {
    auto pool = lm->NewPagedPool(64, 4);
    ASSERT_TRUE(pool.ok());
    std::vector<models::PagedSequence> seqs(3);
    const int lengths[] = {1, 9, 17};
    int32_t next_block = 0;
    for (int i = 0; i < 3; ++i) {
      for (int32_t t : Prompt(i, lengths[i])) seqs[i].tokens.push_back(t);
      for (int b = 0; b < (lengths[i] + 3) / 4; ++b) seqs[i].blocks.push_back(next_block++);
    }
    auto paged = lm->ForwardPaged(seqs, **pool);
    ASSERT_TRUE(paged.ok()) << paged.status();
    ASSERT_EQ(paged->shape, (std::vector<int64_t>{3, 300}));
    for (int i = 0; i < 3; ++i) {
      models::ModelInputs in;
      in.batch = 1;
      in.seq_len = lengths[i];
      in.input_ids = seqs[i].tokens;
      auto ref = lm->ForwardCausal(in, nullptr, false);
      ASSERT_TRUE(ref.ok());
      for (int v = 0; v < 300; ++v) EXPECT_NEAR(paged->values[i * 300 + v], ref->values[v], 1e-4) << i << " " << v;
    }
    // Bad blocks and ids are refused.
    seqs[0].blocks = {};
    EXPECT_EQ(lm->ForwardPaged(seqs, **pool).status().code(), StatusCode::kInvalidArgument);
    seqs[0].blocks = {64};
    EXPECT_EQ(lm->ForwardPaged(seqs, **pool).status().code(), StatusCode::kInvalidArgument);
    seqs[0].blocks = {0};
    seqs[0].tokens = {300};
    EXPECT_EQ(lm->ForwardPaged(seqs, **pool).status().code(), StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace mhub::serve
