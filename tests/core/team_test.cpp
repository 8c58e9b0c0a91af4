// The core worker pool (src/core/cpu/team.h): every thread of a job runs exactly once, nested and
// concurrent callers fall back to running on their own thread, jobs after the workers went to sleep
// still reach them, and a forked child runs jobs without the parent's workers.
#include "core/cpu/team.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "core/cpu/parallel.h"

namespace mhub::core::cpu {
namespace {

TEST(Team, EveryThreadOfAJobRunsOnceOnItsOwnThread) {
  for (int team : {2, 3, 4}) {
    std::vector<std::atomic<int>> calls(static_cast<size_t>(team));
    std::mutex mu;
    std::set<std::thread::id> ids;
    std::atomic<int> bad_team{0};
    RunTeam(team, [&](int tid, int n) {
      if (n != team) bad_team.fetch_add(1);
      calls[static_cast<size_t>(tid)].fetch_add(1);
      std::lock_guard<std::mutex> lock(mu);
      ids.insert(std::this_thread::get_id());
    });
    EXPECT_EQ(bad_team.load(), 0);
    for (int t = 0; t < team; ++t)
      EXPECT_EQ(calls[static_cast<size_t>(t)].load(), 1) << "team " << team << " tid " << t;
    EXPECT_EQ(ids.size(), static_cast<size_t>(team));
    EXPECT_TRUE(ids.count(std::this_thread::get_id()));  // the caller is tid 0
  }
}

TEST(Team, NestedJobsRunOnTheCallingThread) {
  std::atomic<int> inner_calls{0}, inner_team_not_one{0}, not_in_team{0};
  RunTeam(2, [&](int, int) {
    if (!InTeam()) not_in_team.fetch_add(1);
    const auto outer = std::this_thread::get_id();
    RunTeam(2, [&](int, int n) {
      if (n != 1 || std::this_thread::get_id() != outer) inner_team_not_one.fetch_add(1);
      inner_calls.fetch_add(1);
    });
  });
  EXPECT_EQ(not_in_team.load(), 0);
  EXPECT_EQ(inner_calls.load(), 2);
  EXPECT_EQ(inner_team_not_one.load(), 0);
  EXPECT_FALSE(InTeam());
}

// Many short jobs of changing sizes back to back (a lost wake-up hangs, a double run miscounts),
// with pauses longer than the spin so some jobs find the workers asleep, and Quiesce in between.
TEST(Team, BackToBackJobsOfChangingSizesCoverEveryItemOnce) {
  std::vector<int> hits(997);
  for (int round = 0; round < 3000; ++round) {
    const int threads = 1 + round % 4;
    const int64_t items = 1 + (round * 37) % static_cast<int64_t>(hits.size());
    std::fill(hits.begin(), hits.end(), 0);
    ForEachItem(items, threads, [&](int64_t i) { ++hits[static_cast<size_t>(i)]; });
    for (int64_t i = 0; i < static_cast<int64_t>(hits.size()); ++i)
      ASSERT_EQ(hits[static_cast<size_t>(i)], i < items ? 1 : 0) << "round " << round << " item " << i;
    if (round % 500 == 499) std::this_thread::sleep_for(std::chrono::milliseconds(30));
    if (round % 700 == 3) Quiesce();
  }
}

TEST(Team, ConcurrentCallersEachGetTheirWorkDone) {
  constexpr int kCallers = 3, kRounds = 400;
  std::atomic<int64_t> total{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < kCallers; ++c)
    callers.emplace_back([&] {
      for (int r = 0; r < kRounds; ++r) {
        std::atomic<int64_t> sum{0};
        ParallelFor(1000, 1, [&](int64_t b, int64_t e) {
          for (int64_t i = b; i < e; ++i) sum.fetch_add(i, std::memory_order_relaxed);
        });
        total.fetch_add(sum.load() == 999 * 1000 / 2 ? 1 : 0);
      }
    });
  for (auto& t : callers) t.join();
  EXPECT_EQ(total.load(), kCallers * kRounds);
}

TEST(Team, ForkedChildRunsJobsOnItsOwnThread) {
  RunTeam(2, [](int, int) {});  // the parent's pool has its worker now
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::atomic<int> calls{0}, team_sum{0};
    RunTeam(2, [&](int, int n) {
      calls.fetch_add(1);
      team_sum.fetch_add(n);
    });
    _exit(calls.load() == 1 && team_sum.load() == 1 ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace mhub::core::cpu
