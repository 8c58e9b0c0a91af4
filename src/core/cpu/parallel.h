// ParallelFor over [0, n) on the OpenMP team oneDNN also uses (see mhub/core/cpu.h).
#pragma once

#include <omp.h>

#include <cstdint>

namespace mhub::core::cpu {

// Calls fn(begin, end) on contiguous chunks of [0, n); one chunk per thread, each at least
// `min_chunk` items (so tiny problems stay on the calling thread). Blocks until all are done.
template <typename Fn>
void ParallelFor(int64_t n, int64_t min_chunk, const Fn& fn) {
  if (n <= 0) return;
  int threads = omp_get_max_threads();
  if (min_chunk < 1) min_chunk = 1;
  int64_t useful = n / min_chunk;
  if (useful < threads) threads = static_cast<int>(useful < 1 ? 1 : useful);
  if (threads <= 1 || omp_in_parallel()) {
    fn(int64_t{0}, n);
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    const int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
    const int64_t begin = n * t / nt, end = n * (t + 1) / nt;
    if (begin < end) fn(begin, end);
  }
}

}  // namespace mhub::core::cpu
