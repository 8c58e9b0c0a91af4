// A fixed-size thread pool. Thread-safe: Submit and ParallelFor may be called from any thread,
// but ParallelFor must not be called from inside one of this pool's own tasks (it would wait on itself).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace mhub {

class ThreadPool {
 public:
  // num_threads == 0 means std::thread::hardware_concurrency() (at least 1).
  explicit ThreadPool(size_t num_threads = 0);
  ~ThreadPool();  // finishes queued tasks, then joins
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  size_t size() const { return workers_.size(); }

  // Queues `task`; the future becomes ready when it has run.
  std::future<void> Submit(std::function<void()> task);

  // Runs fn(begin, end) over [0, n) split into about size() contiguous chunks of at least
  // `min_chunk` items; the calling thread runs one chunk itself. Returns when all are done.
  void ParallelFor(size_t n, const std::function<void(size_t begin, size_t end)>& fn, size_t min_chunk = 1);

  // A process-wide pool sized to the machine, created on first use.
  static ThreadPool& Default();

 private:
  void WorkerLoop();

  std::vector<std::thread> workers_;
  std::deque<std::packaged_task<void()>> queue_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
};

}  // namespace mhub
