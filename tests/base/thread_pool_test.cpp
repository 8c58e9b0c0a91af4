#include "mhub/base/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <numeric>
#include <vector>

namespace mhub {
namespace {

TEST(ThreadPoolTest, ParallelForCoversEveryIndexOnce) {
  ThreadPool pool(3);
  for (size_t n : {0u, 1u, 2u, 7u, 1000u}) {
    std::vector<std::atomic<int>> hits(n);
    pool.ParallelFor(n, [&](size_t b, size_t e) {
      for (size_t i = b; i < e; ++i) hits[i]++;
    });
    for (size_t i = 0; i < n; ++i) EXPECT_EQ(hits[i].load(), 1) << "n=" << n << " i=" << i;
  }
}

TEST(ThreadPoolTest, SubmitRunsEveryTask) {
  std::atomic<int> sum{0};
  {
    ThreadPool pool(2);
    std::vector<std::future<void>> fs;
    for (int i = 1; i <= 100; ++i) fs.push_back(pool.Submit([&sum, i] { sum += i; }));
    for (auto& f : fs) f.get();
  }
  EXPECT_EQ(sum.load(), 5050);
}

}  // namespace
}  // namespace mhub
