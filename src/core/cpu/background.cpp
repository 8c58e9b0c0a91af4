// The background thread of background.h.
#include "core/cpu/background.h"

#include <pthread.h>
#include <sched.h>

#include <atomic>
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

  void Add(std::function<void()> job) {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
    jobs_.push_back(std::move(job));
    ++queued_;
    cv_.notify_all();
  }

  // While someone waits, the thread runs at normal priority: the waiter wants the work done now.
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    const uint64_t target = queued_;
    if (done_ >= target || stopping_) return;
    if (waiters_++ == 0) SetPriority(SCHED_OTHER);
    cv_.wait(lock, [&] { return done_ >= target || stopping_; });
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
      cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      std::function<void()> job = std::move(jobs_.front());
      jobs_.pop_front();
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
  std::deque<std::function<void()>> jobs_;
  uint64_t queued_ = 0, done_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace

bool RunInBackground(std::function<void()> job) {
  Background& b = Background::Get();
  if (g_forked.load(std::memory_order_relaxed)) return false;
  b.Add(std::move(job));
  return true;
}

void WaitForBackground() {
  Background& b = Background::Get();
  if (g_forked.load(std::memory_order_relaxed)) return;
  b.Wait();
}

}  // namespace mhub::core::cpu
