// ParallelFor over [0, n) on the core worker pool (see team.h).
#pragma once

#include <cstdint>

#include "core/cpu/team.h"
#include "mhub/core/cpu.h"

namespace mhub::core::cpu {

// Calls fn(begin, end) on contiguous chunks of [0, n); one chunk per thread, each at least
// `min_chunk` items (so tiny problems stay on the calling thread). Blocks until all are done.
template <typename Fn>
void ParallelFor(int64_t n, int64_t min_chunk, const Fn& fn) {
  if (n <= 0) return;
  int threads = NumThreads();
  if (min_chunk < 1) min_chunk = 1;
  const int64_t useful = n / min_chunk;
  if (useful < threads) threads = static_cast<int>(useful < 1 ? 1 : useful);
  if (threads <= 1) {
    fn(int64_t{0}, n);
    return;
  }
  RunTeam(threads, [&](int t, int nt) {
    const int64_t begin = n * t / nt, end = n * (t + 1) / nt;
    if (begin < end) fn(begin, end);
  });
}

}  // namespace mhub::core::cpu
