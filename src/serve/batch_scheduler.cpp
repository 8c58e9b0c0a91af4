#include "serve/batch_scheduler.h"

#include <algorithm>
#include <chrono>
#include <cstring>

namespace mhub::serve {
namespace {

int64_t SteadyMs() {  // the clock of NowMs() (model_endpoint.h)
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<std::unique_ptr<BatchScheduler>> BatchScheduler::Start(const models::CausalLM& lm,
                                                              const SchedulerOptions& options) {
  SchedulerOptions o = options;
  if (o.block_size <= 0 || o.max_batch_tokens <= 0 || o.prefill_chunk <= 0)
    return Status::InvalidArgument("block size, max batch tokens and prefill chunk must be positive");
  if (o.kv_blocks <= 0) {
    // Bytes of one block: every layer's keys and values for block_size positions.
    MHUB_ASSIGN_OR_RETURN(std::unique_ptr<models::PagedKvPool> probe, lm.NewPagedPool(1, o.block_size));
    o.kv_blocks = std::max<int64_t>(1, o.kv_memory_bytes / std::max<int64_t>(1, probe->bytes()));
  }
  MHUB_ASSIGN_OR_RETURN(std::unique_ptr<models::PagedKvPool> pool, lm.NewPagedPool(o.kv_blocks, o.block_size));
  std::unique_ptr<BatchScheduler> s(new BatchScheduler(lm, std::move(pool), o));
  s->thread_ = std::thread([p = s.get()] { p->Loop(); });
  return s;
}

BatchScheduler::BatchScheduler(const models::CausalLM& lm, std::unique_ptr<models::PagedKvPool> pool,
                               const SchedulerOptions& options)
    : lm_(lm),
      pool_(std::move(pool)),
      options_(options),
      blocks_(pool_->num_blocks(), pool_->block_size(), options.prefix_cache) {
  stats_.blocks_total = pool_->num_blocks();
}

BatchScheduler::~BatchScheduler() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  done_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

BatchScheduler::Stream BatchScheduler::Open() {
  auto seq = std::make_shared<Seq>();
  std::lock_guard<std::mutex> lock(mu_);
  seq->order = next_order_++;
  seqs_.push_back(seq);
  return Stream(this, std::move(seq));
}

BatchScheduler::Stream::Stream(Stream&& other) noexcept : owner_(other.owner_), seq_(std::move(other.seq_)) {}

BatchScheduler::Stream::~Stream() {
  if (seq_) owner_->Close(*seq_);
}

int64_t BatchScheduler::Stream::first_step_ms() const {
  std::lock_guard<std::mutex> lock(owner_->mu_);
  return seq_->first_step_ms;
}

void BatchScheduler::Close(Seq& s) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (s.closed) return;
    s.closed = true;
    if (s.delivered) {
      s.delivered = false;
      --awaiting_;
    }
  }
  work_cv_.notify_all();
}

Result<std::vector<float>> BatchScheduler::Stream::Next(std::span<const int32_t> tokens, int64_t deadline_ms) {
  BatchScheduler& o = *owner_;
  Seq& s = *seq_;
  std::unique_lock<std::mutex> lock(o.mu_);
  if (tokens.empty()) return Status::InvalidArgument("Next needs at least one token");
  if (o.stop_) return Status::Unavailable("the batch scheduler stopped");
  s.tokens.insert(s.tokens.end(), tokens.begin(), tokens.end());
  s.ready = false;
  if (s.delivered) {
    s.delivered = false;
    --o.awaiting_;
  }
  o.work_cv_.notify_all();
  // Capped at a day: a far deadline must not overflow the clock's nanoseconds.
  const int64_t wait_ms = std::clamp<int64_t>(deadline_ms - SteadyMs(), 0, int64_t{86'400'000});
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  if (!o.done_cv_.wait_until(lock, until, [&] { return s.ready || o.stop_; }))
    return Status::Unavailable("the request timed out waiting for the model");
  if (!s.ready) return Status::Unavailable("the batch scheduler stopped");
  if (!s.error.ok()) return s.error;
  return std::move(s.logits);
}

SchedulerStats BatchScheduler::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  SchedulerStats st = stats_;
  st.blocks_used = blocks_.used();
  st.blocks_cached = blocks_.cached();
  st.sequences = 0;
  for (const auto& s : seqs_) {
    st.sequences += s->closed ? 0 : 1;
    st.waiting += !s->closed && s->first_step_ms < 0 && !s->tokens.empty() ? 1 : 0;
  }
  return st;
}

void BatchScheduler::SetStepObserver(std::function<void(int64_t, int64_t, double)> observer) {
  std::lock_guard<std::mutex> lock(mu_);
  observer_ = std::move(observer);
}

bool BatchScheduler::HasWork() const {
  for (const auto& s : seqs_) {
    if (s->closed) return true;  // to reap
    if (!s->ready && s->error.ok() && s->computed < static_cast<int64_t>(s->tokens.size())) return true;
  }
  return false;
}

void BatchScheduler::FreeBlocks(Seq& s) {
  for (int32_t b : s.blocks) blocks_.Release(b);
  s.blocks.clear();
  s.computed = 0;
  s.hashed = 0;
  s.last_hash = 0;
  s.looked_up = false;
}

void BatchScheduler::Reap() {
  auto it = std::remove_if(seqs_.begin(), seqs_.end(), [&](const std::shared_ptr<Seq>& s) {
    if (!s->closed) return false;
    FreeBlocks(*s);
    return true;
  });
  seqs_.erase(it, seqs_.end());
}

// Shares the cached blocks of the longest cached prefix of the prompt; at least one token is left
// to compute, so the step that finishes the prompt has logits to give.
void BatchScheduler::LookUpPrefix(Seq& s) {
  s.looked_up = true;
  const int64_t bs = pool_->block_size(), n = static_cast<int64_t>(s.tokens.size());
  const int64_t candidates = (n - 1) / bs;
  stats_.prefix_lookup_tokens += static_cast<uint64_t>(candidates * bs);
  while (s.hashed < candidates) {
    std::span<const int64_t> block(s.tokens.data() + s.hashed * bs, static_cast<size_t>(bs));
    const uint64_t h = KvBlockAllocator::ChainHash(s.last_hash, block);
    const int32_t b = blocks_.Lookup(h, s.last_hash, block);
    if (b < 0) break;
    s.blocks.push_back(b);
    s.last_hash = h;
    ++s.hashed;
    s.computed += bs;
    stats_.prefix_hit_tokens += static_cast<uint64_t>(bs);
  }
}

std::vector<BatchScheduler::Planned> BatchScheduler::Plan() {
  const int64_t bs = pool_->block_size();
  std::vector<std::shared_ptr<Seq>> order;
  for (const auto& s : seqs_)
    if (!s->closed && !s->ready && s->error.ok() && s->computed < static_cast<int64_t>(s->tokens.size()))
      order.push_back(s);
  // Running sequences (decode tokens, prompts under way) before new ones; older first.
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    const bool ra = a->computed > 0, rb = b->computed > 0;
    return ra != rb ? ra : a->order < b->order;
  });
  std::vector<Planned> step;
  int64_t budget = options_.max_batch_tokens;
  for (const auto& s : order) {
    if (budget == 0) break;
    if (s->computed == 0 && !s->looked_up) LookUpPrefix(*s);
    const int64_t pending = static_cast<int64_t>(s->tokens.size()) - s->computed;
    int64_t n = std::min({pending, budget, pending > 1 ? options_.prefill_chunk : pending});
    const int64_t need = (s->computed + n + bs - 1) / bs;
    while (static_cast<int64_t>(s->blocks.size()) < need) {
      const int32_t b = blocks_.Allocate();
      if (b < 0) break;
      s->blocks.push_back(b);
    }
    n = std::min(n, static_cast<int64_t>(s->blocks.size()) * bs - s->computed);
    if (n <= 0) continue;
    step.push_back({s, n});
    budget -= n;
  }
  if (!step.empty() || order.empty()) return step;
  // Nothing fits: the youngest sequence holding blocks gives them back (it is recomputed later); a
  // sequence that is alone with the whole pool and still does not fit can never run.
  std::shared_ptr<Seq> victim;
  for (const auto& s : seqs_)
    if (!s->closed && !s->blocks.empty() && (!victim || s->order > victim->order)) victim = s;
  const std::shared_ptr<Seq>& oldest = order.front();
  if (victim && !(victim == oldest && blocks_.used() == static_cast<int64_t>(victim->blocks.size()))) {
    FreeBlocks(*victim);
    ++stats_.preemptions;
    return step;  // the caller plans again
  }
  oldest->error =
      Status::ResourceExhausted("the sequence needs more KV cache blocks than the pool has (" +
                                std::to_string(blocks_.total()) + " of " + std::to_string(bs) + " positions)");
  oldest->ready = true;
  FreeBlocks(*oldest);
  done_cv_.notify_all();
  return step;
}

void BatchScheduler::Finish(const std::vector<Planned>& step, Result<models::Array>& logits) {
  const int64_t bs = pool_->block_size();
  size_t row = 0;
  const int64_t vocab = logits.ok() && logits->shape.size() == 2 ? logits->shape[1] : 0;
  for (const Planned& p : step) {
    Seq& s = *p.seq;
    if (!logits.ok()) {
      s.error = logits.status();
      s.ready = true;
      continue;
    }
    s.computed += p.n;
    // Full blocks are final: offer them to the prefix cache.
    while ((s.hashed + 1) * bs <= s.computed) {
      std::span<const int64_t> block(s.tokens.data() + s.hashed * bs, static_cast<size_t>(bs));
      const uint64_t h = KvBlockAllocator::ChainHash(s.last_hash, block);
      blocks_.Register(h, s.last_hash, block, s.blocks[static_cast<size_t>(s.hashed)]);
      s.last_hash = h;
      ++s.hashed;
    }
    if (s.computed == static_cast<int64_t>(s.tokens.size())) {
      const float* src = logits->values.data() + row * static_cast<size_t>(vocab);
      s.logits.assign(src, src + vocab);
      ++row;
      s.ready = true;
      if (!s.closed) {
        s.delivered = true;
        ++awaiting_;
      }
    }
  }
}

void BatchScheduler::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    work_cv_.wait(lock, [&] { return stop_ || HasWork(); });
    if (stop_) return;
    // Let the sequences that just got logits come back with their next token, so that they share
    // this step instead of each starting its own.
    if (awaiting_ > 0) {
      work_cv_.wait_for(lock, std::chrono::milliseconds(options_.gather_ms), [&] { return stop_ || awaiting_ == 0; });
      if (stop_) return;
    }
    Reap();
    std::vector<Planned> step = Plan();
    if (step.empty()) continue;
    std::vector<models::PagedSequence> batch(step.size());
    int64_t tokens = 0;
    const int64_t now = SteadyMs();
    for (size_t i = 0; i < step.size(); ++i) {
      Seq& s = *step[i].seq;
      models::PagedSequence& b = batch[i];
      b.past = s.computed;
      b.tokens.assign(s.tokens.begin() + s.computed, s.tokens.begin() + s.computed + step[i].n);
      b.blocks = s.blocks;
      b.want_logits = s.computed + step[i].n == static_cast<int64_t>(s.tokens.size());
      if (s.first_step_ms < 0) s.first_step_ms = now;
      tokens += step[i].n;
    }
    // Sequences from the last step that did not come back in time run in a later one.
    awaiting_ = 0;
    for (const auto& s : seqs_) s->delivered = false;
    lock.unlock();
    const auto t0 = std::chrono::steady_clock::now();
    Result<models::Array> logits = lm_.ForwardPaged(batch, *pool_);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    lock.lock();
    Finish(step, logits);
    ++stats_.steps;
    stats_.last_batch = static_cast<int64_t>(step.size());
    stats_.max_batch = std::max<uint64_t>(stats_.max_batch, step.size());
    if (observer_) observer_(static_cast<int64_t>(step.size()), tokens, seconds);
    done_cv_.notify_all();
  }
}

}  // namespace mhub::serve
