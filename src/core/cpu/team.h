// The one pool of worker threads every parallel mhub_core kernel runs on (own GEMM, attention,
// norms, element-wise kernels). Internal to mhub_core.
//
// Workers spin for a short while after a job (MHUB_SPIN_US, default 2000 µs) and then sleep on a
// futex, so the back-to-back parallel regions of a forward pass start without a wake-up (a
// sleeping vCPU can take tens of µs to wake on a VM) while an idle process costs nothing. oneDNN
// keeps its own OpenMP team; Quiesce() sends spinning workers to sleep before a oneDNN call so the
// two teams do not compete for the cores.
#pragma once

#include <atomic>
#include <cstdint>

namespace mhub::core::cpu {

// Runs body(ctx, tid, team) on `team` threads, the caller being tid 0, and returns when all have
// returned. Runs body(ctx, 0, 1) on the caller instead when team <= 1, when called from inside a
// job, from inside an OpenMP region, or while another thread's job holds the pool. Bodies must not
// throw.
void RunTeam(int team, void (*body)(void* ctx, int tid, int team), void* ctx);

// RunTeam over a callable fn(tid, team).
template <typename Fn>
void RunTeam(int team, const Fn& fn) {
  RunTeam(
      team, [](void* c, int tid, int n) { (*static_cast<const Fn*>(c))(tid, n); },
      const_cast<void*>(static_cast<const void*>(&fn)));
}

// Whether the calling thread is running a job body (nested parallel calls then run serially).
bool InTeam();

// Sends spinning workers to sleep now (before work on another thread team, such as oneDNN's).
void Quiesce();

// fn(item) for every item in [0, items) on up to `threads` threads, each taking the next item as it
// finishes one (for items of uneven cost).
template <typename Fn>
void ForEachItem(int64_t items, int threads, const Fn& fn) {
  if (items <= 0) return;
  if (threads > items) threads = static_cast<int>(items);
  std::atomic<int64_t> next{0};
  RunTeam(threads, [&](int, int) {
    for (int64_t i = next.fetch_add(1, std::memory_order_relaxed); i < items;
         i = next.fetch_add(1, std::memory_order_relaxed))
      fn(i);
  });
}

}  // namespace mhub::core::cpu
