// The background thread of background.h.
#include "core/cpu/background.h"

#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>

#include "mhub/core/cpu.h"

namespace mhub::core::cpu {
namespace {

std::atomic<bool> g_forked{false};

// How long a quiet job waits after the last job was queued.
constexpr std::chrono::milliseconds kQuiet{300};

class Background {
 public:
  // Created on first use and never destroyed; an atexit handler stops the thread first.
  static Background& Get() {
    static Background* b = [] {
      pthread_atfork(nullptr, nullptr, [] { g_forked.store(true, std::memory_order_relaxed); });
      auto* created = new Background;
      std::atexit([] { Get().Stop(); });
      return created;
    }();
    return *b;
  }

  void Add(std::function<void()> job, bool when_quiet) {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
    (when_quiet ? quiet_jobs_ : jobs_).push_back(std::move(job));
    ++queued_;
    last_add_ = std::chrono::steady_clock::now();
    cv_.notify_all();
  }

  // Until the queue is empty, with the jobs that jobs queue. While someone waits, the thread runs at
  // normal priority: the waiter wants the work done now.
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    if (done_ >= queued_ || stopping_) return;
    if (waiters_++ == 0) SetPriority(SCHED_OTHER);
    cv_.notify_all();  // a quiet job no longer waits
    cv_.wait(lock, [&] { return done_ >= queued_ || stopping_; });
    if (--waiters_ == 0 && !stopping_) SetPriority(SCHED_IDLE);
  }

 private:
  void Loop() {
    SetNumThreads(1);
    // Idle priority: the thread runs on cores nothing else wants, so packing does not slow the
    // forward passes it is packing for (a normal-priority packer made the first forward of BERT-base
    // slower than packing in the call: 271-299 ms against 231-255 ms on 2 cores).
    std::unique_lock<std::mutex> lock(mu_);
    if (waiters_ == 0) SetPriority(SCHED_IDLE);
    for (;;) {
      cv_.wait(lock, [&] { return stopping_ || !jobs_.empty() || !quiet_jobs_.empty(); });
      if (stopping_) return;
      std::deque<std::function<void()>>* from = &jobs_;
      if (jobs_.empty()) {
        // A quiet job waits for kQuiet without new jobs (or for a waiter).
        const auto quiet_at = last_add_ + kQuiet;
        if (waiters_ == 0 && std::chrono::steady_clock::now() < quiet_at) {
          cv_.wait_until(lock, quiet_at);
          continue;
        }
        from = &quiet_jobs_;
      }
      std::function<void()> job = std::move(from->front());
      from->pop_front();
      lock.unlock();
      job();
      job = nullptr;  // drops what it held before the job counts as done
      lock.lock();
      ++done_;
      cv_.notify_all();
    }
  }

  void Stop() {
    std::unique_lock<std::mutex> lock(mu_);
    stopping_ = true;
    jobs_.clear();
    quiet_jobs_.clear();
    cv_.notify_all();
    lock.unlock();
    if (!thread_.joinable()) return;
    // Back to normal priority, so that a job in progress finishes now even on a busy machine
    // (at idle priority it could wait for a free core for seconds, and the exit with it).
    lock.lock();
    SetPriority(SCHED_OTHER);
    lock.unlock();
    thread_.join();
  }

  // The thread's scheduling policy (under mu_; advisory: fine if refused).
  void SetPriority(int policy) {
    sched_param param{};
    if (thread_.joinable()) (void)pthread_setschedparam(thread_.native_handle(), policy, &param);
  }

  std::mutex mu_;
  std::condition_variable cv_;
  int waiters_ = 0;
  std::deque<std::function<void()>> jobs_, quiet_jobs_;
  std::chrono::steady_clock::time_point last_add_;
  uint64_t queued_ = 0, done_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace

bool RunInBackground(std::function<void()> job, bool when_quiet) {
  Background& b = Background::Get();
  if (g_forked.load(std::memory_order_relaxed)) return false;
  b.Add(std::move(job), when_quiet);
  return true;
}

void WaitForBackground() {
  Background& b = Background::Get();
  if (g_forked.load(std::memory_order_relaxed)) return;
  b.Wait();
}

}  // namespace mhub::core::cpu
