// Continuous batching for one causal LM: a scheduler thread runs model steps over every sequence
// that has tokens waiting; sequences join and leave between steps. Each sequence's keys/values live
// in fixed-size blocks of one paged pool, taken as it grows (nothing is reserved for the maximum
// length). A long prompt is prefilled in chunks that share each step with the running sequences'
// decode tokens, so it does not stall them. Full prompt blocks go to the prefix cache
// (KvBlockAllocator) for later sequences with the same prefix.
//
// A request thread drives its own generation loop (sampling, stop strings) and asks for logits:
//
//   BatchScheduler::Stream s = scheduler->Open();
//   auto logits = s.Next(prompt_ids, deadline);   // waits for the step that finishes the prompt
//   auto logits2 = s.Next({chosen}, deadline);    // one decode token, batched with the others
//   // s's destructor leaves the batch and frees its blocks
//
// When the pool runs out, the youngest sequence holding blocks gives them back and is recomputed
// later (preemption by recompute); a sequence that cannot fit even alone fails ResourceExhausted.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "mhub/base/result.h"
#include "mhub/models/model.h"
#include "serve/kv_block_allocator.h"

namespace mhub::serve {

struct SchedulerOptions {
  int64_t kv_blocks = 0;                       // pool size; 0 = as many as kv_memory_bytes allow
  int64_t kv_memory_bytes = int64_t{1} << 30;  // used when kv_blocks is 0
  int64_t block_size = 16;                     // positions per block
  int64_t max_batch_tokens = 512;              // new tokens in one step (decode tokens + prefill chunks)
  int64_t prefill_chunk = 128;                 // prompt tokens one sequence adds to a step at most
  bool prefix_cache = true;
  int gather_ms = 2;  // after a step, how long to wait for its sequences' next tokens before the next
};

struct SchedulerStats {
  int64_t blocks_total = 0, blocks_used = 0, blocks_cached = 0;
  int64_t sequences = 0;     // open streams
  int64_t waiting = 0;       // open streams whose first step has not run yet (the queue)
  int64_t last_batch = 0;    // sequences in the last step
  uint64_t steps = 0;        // model steps run
  uint64_t max_batch = 0;    // most sequences in one step so far
  uint64_t preemptions = 0;  // sequences that gave their blocks back to be recomputed
  uint64_t prefix_lookup_tokens = 0, prefix_hit_tokens = 0;  // prompt tokens looked up / found cached
};

class BatchScheduler {
  struct Seq;

 public:
  // Makes the pool and starts the thread. `lm` must outlive the scheduler.
  static Result<std::unique_ptr<BatchScheduler>> Start(const models::CausalLM& lm, const SchedulerOptions& options);
  ~BatchScheduler();  // stops the thread; open streams then get Unavailable
  BatchScheduler(const BatchScheduler&) = delete;
  BatchScheduler& operator=(const BatchScheduler&) = delete;

  // One sequence's handle, used by one thread.
  class Stream {
   public:
    Stream(Stream&& other) noexcept;
    Stream& operator=(Stream&&) = delete;
    ~Stream();
    // Appends `tokens` and waits for the logits (V) after the last one, until `deadline_ms`
    // (NowMs clock) at most: Unavailable when it passes or the scheduler stops.
    Result<std::vector<float>> Next(std::span<const int32_t> tokens, int64_t deadline_ms);
    // When this sequence's first step ran (NowMs), -1 before: the end of its queue time.
    int64_t first_step_ms() const;

   private:
    friend class BatchScheduler;
    Stream(BatchScheduler* owner, std::shared_ptr<Seq> seq) : owner_(owner), seq_(std::move(seq)) {}
    BatchScheduler* owner_;
    std::shared_ptr<Seq> seq_;
  };

  Stream Open();
  SchedulerStats stats() const;
  // Called after every step (on the scheduler thread, under its lock: keep it short) with the
  // step's number of sequences, new tokens and model time in seconds (metrics).
  void SetStepObserver(std::function<void(int64_t sequences, int64_t tokens, double seconds)> observer);

 private:
  struct Seq {
    std::vector<int64_t> tokens;  // every token fed so far (prompt + generated)
    int64_t computed = 0;         // tokens whose keys/values are in `blocks`
    std::vector<int32_t> blocks;
    int64_t hashed = 0;      // leading full blocks whose prefix hash is known
    uint64_t last_hash = 0;  // hash of the prefix up to block `hashed`
    bool looked_up = false;  // prefix cache consulted since the sequence last had no blocks
    bool ready = false;      // logits holds the answer to the last Next
    bool delivered = false;  // got logits in the last step and has not asked again yet
    bool closed = false;
    uint64_t order = 0;  // admission order (older first)
    int64_t first_step_ms = -1;
    std::vector<float> logits;
    Status error;
  };
  struct Planned {
    std::shared_ptr<Seq> seq;
    int64_t n = 0;
  };

  BatchScheduler(const models::CausalLM& lm, std::unique_ptr<models::PagedKvPool> pool,
                 const SchedulerOptions& options);
  void Loop();
  bool HasWork() const;  // under mu_
  void Reap();           // under mu_: frees the blocks of closed sequences
  void LookUpPrefix(Seq& s);
  void FreeBlocks(Seq& s);
  std::vector<Planned> Plan();  // under mu_
  void Finish(const std::vector<Planned>& step, Result<models::Array>& logits);
  void Close(Seq& s);

  const models::CausalLM& lm_;
  std::unique_ptr<models::PagedKvPool> pool_;
  SchedulerOptions options_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // the scheduler waits for work
  std::condition_variable done_cv_;  // streams wait for their logits
  std::vector<std::shared_ptr<Seq>> seqs_;
  KvBlockAllocator blocks_;
  SchedulerStats stats_;
  int64_t awaiting_ = 0;  // sequences delivered in the last step that have not asked again or closed
  uint64_t next_order_ = 0;
  bool stop_ = false;
  std::function<void(int64_t, int64_t, double)> observer_;
  std::thread thread_;
};

}  // namespace mhub::serve
