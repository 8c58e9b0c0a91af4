// numpy's default_rng(seed): SeedSequence -> PCG64 (XSL-RR 128/64), and Generator.permutation(n),
// bit-exact with numpy >= 1.17 so that shuffle(seed) / train_test_split(seed) give the rows
// `datasets` gives (it calls np.random.default_rng(seed).permutation(n)).
#pragma once

#include <cstdint>
#include <vector>

#include "mhub/base/result.h"

namespace mhub::datasets {

class NumpyPcg64 {
 public:
  explicit NumpyPcg64(uint64_t seed);  // default_rng(seed) for a non-negative int seed
  uint64_t Next64();
  uint32_t Next32();  // numpy's buffered half of a 64-bit draw
  // Generator.integers-style bounded draws in [0, max].
  uint64_t Interval(uint64_t max);       // masked rejection (random_interval)
  uint64_t BoundedLemire(uint64_t max);  // random_bounded_uint64(off=0, rng=max, use_masked=false)

  // Generator.shuffle of a 1-d array (Fisher-Yates from the end, j = random_interval(i)); also what
  // permutation(n) and permutation(array) do.
  void Shuffle(std::vector<int64_t>& v);
  std::vector<int64_t> Permutation(int64_t n);
  // Generator.choice(pop_size, size, replace=False, shuffle=True): positions in [0, pop_size)
  // (Floyd's algorithm with a hash set, or a tail shuffle for large draws, as numpy picks).
  std::vector<int64_t> ChoiceWithoutReplacement(int64_t pop_size, int64_t size);

 private:
  __extension__ typedef unsigned __int128 U128;
  U128 state_ = 0, inc_ = 0;
  bool has_uint32_ = false;
  uint32_t uinteger_ = 0;
};

// np.random.default_rng(seed).permutation(n).
std::vector<int64_t> NumpyPermutation(uint64_t seed, int64_t n);

// datasets.utils.stratify.stratified_shuffle_split_generate_indices(y, n_train, n_test, rng)'s first
// split, with rng = default_rng(seed): (train, test) row positions. Errors as datasets raises them.
struct StratifiedIndices {
  std::vector<int64_t> train, test;
};
Result<StratifiedIndices> StratifiedSplit(const std::vector<int64_t>& labels, int64_t n_train, int64_t n_test,
                                          uint64_t seed);

}  // namespace mhub::datasets
