// The worker pool behind RunTeam (see team.h): one job at a time, published through one 32-bit word
// (generation << 8 | team size) that workers spin on and then futex-wait on.
#include "core/cpu/team.h"

#include <linux/futex.h>
#include <omp.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace mhub::core::cpu {
namespace {

using Body = void (*)(void*, int, int);

constexpr int kTeamBits = 8;
constexpr uint32_t kTeamMask = (1u << kTeamBits) - 1;
constexpr int kMaxTeam = static_cast<int>(kTeamMask);
// Pauses spun before waiting loops also yield the core (more threads than free cores: the thread
// we wait for may need ours).
constexpr uint32_t kSpinBeforeYield = 4096;

thread_local bool t_in_team = false;

// Set in a forked child: the parent's workers do not exist there, so every job runs on the caller.
std::atomic<bool> g_forked{false};

inline void Pause() { __builtin_ia32_pause(); }

void FutexWait(std::atomic<uint32_t>* word, uint32_t expected) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr, 0);
}

void FutexWakeAll(std::atomic<uint32_t>* word) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
}

int64_t SpinNanos() {
  const char* env = std::getenv("MHUB_SPIN_US");
  if (env != nullptr && *env != '\0') {
    char* end = nullptr;
    const long long us = std::strtoll(env, &end, 10);
    if (end != env && *end == '\0' && us >= 0) return static_cast<int64_t>(us) * 1000;
  }
  return 2'000'000;
}

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

class Pool {
 public:
  // Never destroyed: workers may still be parked when the process exits.
  static Pool& Get() {
    static Pool* pool = [] {
      pthread_atfork(nullptr, nullptr, [] { g_forked.store(true, std::memory_order_relaxed); });
      return new Pool;
    }();
    return *pool;
  }

  void Run(int team, Body body, void* ctx) {
    std::unique_lock<std::mutex> lock(run_mu_, std::try_to_lock);
    if (!lock.owns_lock()) {
      body(ctx, 0, 1);
      return;
    }
    team = std::min(team, kMaxTeam);
    while (static_cast<int>(workers_.size()) < team - 1) {
      const int tid = static_cast<int>(workers_.size()) + 1;
      const uint32_t now = word_.load(std::memory_order_relaxed);
      try {
        workers_.emplace_back([this, tid, now] { WorkerLoop(tid, now); });
      } catch (const std::system_error&) {
        break;  // no more threads: run with the ones there are
      }
    }
    team = std::min(team, static_cast<int>(workers_.size()) + 1);
    body_ = body;
    ctx_ = ctx;
    done_.store(0, std::memory_order_relaxed);
    const uint32_t gen = (word_.load(std::memory_order_relaxed) >> kTeamBits) + 1;
    word_.store((gen << kTeamBits) | static_cast<uint32_t>(team), std::memory_order_seq_cst);
    if (sleepers_.load(std::memory_order_seq_cst) > 0) FutexWakeAll(&word_);

    t_in_team = true;
    body(ctx, 0, team);
    t_in_team = false;
    // Waits for the workers, yielding the core after a short spin in case one of them waits for it.
    for (uint32_t i = 1; done_.load(std::memory_order_acquire) < team - 1; ++i) {
      Pause();
      if (i >= kSpinBeforeYield && (i & 63) == 0) sched_yield();
    }
  }

  void Quiesce() { quiesce_.fetch_add(1, std::memory_order_relaxed); }

 private:
  Pool() = default;

  void WorkerLoop(int tid, uint32_t seen) {
    t_in_team = true;
    for (;;) {
      const uint32_t word = WaitForChange(seen);
      seen = word;
      const int team = static_cast<int>(word & kTeamMask);
      if (tid >= team) continue;  // not part of this job; the caller does not wait for us
      body_(ctx_, tid, team);
      done_.fetch_add(1, std::memory_order_acq_rel);
    }
  }

  // Spins until the word moves past `seen` (checking the clock and Quiesce every 128 pauses), then
  // sleeps on it.
  uint32_t WaitForChange(uint32_t seen) {
    const uint32_t quiesce = quiesce_.load(std::memory_order_relaxed);
    const int64_t start = NowNanos();
    for (uint32_t i = 1;; ++i) {
      const uint32_t word = word_.load(std::memory_order_acquire);
      if (word != seen) return word;
      Pause();
      if ((i & 127) != 0) continue;
      if (quiesce_.load(std::memory_order_relaxed) != quiesce || NowNanos() - start >= spin_ns_) break;
      if (i >= kSpinBeforeYield) sched_yield();  // lets a runnable thread (the caller, another job) have the core
    }
    for (;;) {
      sleepers_.fetch_add(1, std::memory_order_seq_cst);
      if (word_.load(std::memory_order_seq_cst) == seen) FutexWait(&word_, seen);
      sleepers_.fetch_sub(1, std::memory_order_relaxed);
      const uint32_t word = word_.load(std::memory_order_acquire);
      if (word != seen) return word;
    }
  }

  std::mutex run_mu_;
  std::vector<std::thread> workers_;
  Body body_ = nullptr;  // the current job; written before word_ is published
  void* ctx_ = nullptr;
  const int64_t spin_ns_ = SpinNanos();
  alignas(64) std::atomic<uint32_t> word_{0};  // generation << kTeamBits | team
  alignas(64) std::atomic<int> done_{0};       // workers finished with the current job
  alignas(64) std::atomic<int> sleepers_{0};   // workers in (or entering) FutexWait
  alignas(64) std::atomic<uint32_t> quiesce_{0};
};

}  // namespace

void RunTeam(int team, Body body, void* ctx) {
  if (team <= 1 || t_in_team || g_forked.load(std::memory_order_relaxed) || omp_in_parallel()) {
    body(ctx, 0, 1);
    return;
  }
  Pool::Get().Run(team, body, ctx);
}

bool InTeam() { return t_in_team; }

void Quiesce() {
  if (!g_forked.load(std::memory_order_relaxed)) Pool::Get().Quiesce();
}

}  // namespace mhub::core::cpu
