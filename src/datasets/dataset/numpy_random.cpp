#include "datasets/dataset/numpy_random.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <utility>

namespace mhub::datasets {
namespace {

// numpy/random/bit_generator.pyx SeedSequence constants.
constexpr uint32_t kInitA = 0x43b0d7e5, kMultA = 0x931e8875, kInitB = 0x8b51f9dd, kMultB = 0x58f38ded;
constexpr uint32_t kMixMultL = 0xca01f9dd, kMixMultR = 0x4973f715;
constexpr int kXShift = 16;
constexpr int kPoolSize = 4;

uint32_t HashMix(uint32_t value, uint32_t& hash_const) {
  value ^= hash_const;
  hash_const *= kMultA;
  value *= hash_const;
  value ^= value >> kXShift;
  return value;
}

uint32_t Mix(uint32_t x, uint32_t y) {
  uint32_t r = kMixMultL * x - kMixMultR * y;
  r ^= r >> kXShift;
  return r;
}

// SeedSequence(seed).generate_state(4, uint64).
void SeedSequenceState(uint64_t seed, uint64_t out[4]) {
  std::vector<uint32_t> entropy;  // the int as little-endian 32-bit words; 0 -> [0]
  do {
    entropy.push_back(static_cast<uint32_t>(seed));
    seed >>= 32;
  } while (seed != 0);
  uint32_t pool[kPoolSize];
  uint32_t hash_const = kInitA;
  for (int i = 0; i < kPoolSize; ++i)
    pool[i] = HashMix(i < static_cast<int>(entropy.size()) ? entropy[static_cast<size_t>(i)] : 0, hash_const);
  for (int src = 0; src < kPoolSize; ++src)
    for (int dst = 0; dst < kPoolSize; ++dst)
      if (src != dst) pool[dst] = Mix(pool[dst], HashMix(pool[src], hash_const));
  for (size_t src = kPoolSize; src < entropy.size(); ++src)
    for (int dst = 0; dst < kPoolSize; ++dst) pool[dst] = Mix(pool[dst], HashMix(entropy[src], hash_const));
  uint32_t words[8];
  hash_const = kInitB;
  for (int i = 0; i < 8; ++i) {
    uint32_t v = pool[i % kPoolSize];
    v ^= hash_const;
    hash_const *= kMultB;
    v *= hash_const;
    v ^= v >> kXShift;
    words[i] = v;
  }
  for (int i = 0; i < 4; ++i)
    out[i] = static_cast<uint64_t>(words[2 * i]) | static_cast<uint64_t>(words[2 * i + 1]) << 32;
}

}  // namespace

NumpyPcg64::NumpyPcg64(uint64_t seed) {
  uint64_t s[4];
  SeedSequenceState(seed, s);
  const U128 mult = (static_cast<U128>(0x2360ED051FC65DA4ULL) << 64) | 0x4385DF649FCCF645ULL;
  U128 initstate = (static_cast<U128>(s[0]) << 64) | s[1];
  U128 initseq = (static_cast<U128>(s[2]) << 64) | s[3];
  // pcg_setseq_128_srandom_r
  state_ = 0;
  inc_ = (initseq << 1) | 1;
  state_ = state_ * mult + inc_;
  state_ += initstate;
  state_ = state_ * mult + inc_;
}

uint64_t NumpyPcg64::Next64() {
  const U128 mult = (static_cast<U128>(0x2360ED051FC65DA4ULL) << 64) | 0x4385DF649FCCF645ULL;
  state_ = state_ * mult + inc_;
  uint64_t x = static_cast<uint64_t>(state_ >> 64) ^ static_cast<uint64_t>(state_);
  unsigned rot = static_cast<unsigned>(state_ >> 122);
  return (x >> rot) | (x << ((64 - rot) & 63));
}

uint32_t NumpyPcg64::Next32() {
  if (has_uint32_) {
    has_uint32_ = false;
    return uinteger_;
  }
  uint64_t next = Next64();
  has_uint32_ = true;
  uinteger_ = static_cast<uint32_t>(next >> 32);
  return static_cast<uint32_t>(next);
}

uint64_t NumpyPcg64::Interval(uint64_t max) {
  if (max == 0) return 0;
  uint64_t mask = max;
  for (int s = 1; s <= 32; s <<= 1) mask |= mask >> s;
  uint64_t v;
  if (max <= 0xffffffffULL) {
    while ((v = (Next32() & mask)) > max) {
    }
  } else {
    while ((v = (Next64() & mask)) > max) {
    }
  }
  return v;
}

uint64_t NumpyPcg64::BoundedLemire(uint64_t rng) {
  if (rng == 0) return 0;
  if (rng <= 0xffffffffULL) {
    if (rng == 0xffffffffULL) return Next32();
    const uint32_t excl = static_cast<uint32_t>(rng) + 1;
    uint64_t m = static_cast<uint64_t>(Next32()) * excl;
    uint32_t leftover = static_cast<uint32_t>(m);
    if (leftover < excl) {
      const uint32_t threshold = (UINT32_MAX - static_cast<uint32_t>(rng)) % excl;
      while (leftover < threshold) {
        m = static_cast<uint64_t>(Next32()) * excl;
        leftover = static_cast<uint32_t>(m);
      }
    }
    return m >> 32;
  }
  if (rng == UINT64_MAX) return Next64();
  const uint64_t excl = rng + 1;
  U128 m = static_cast<U128>(Next64()) * excl;
  uint64_t leftover = static_cast<uint64_t>(m);
  if (leftover < excl) {
    const uint64_t threshold = (UINT64_MAX - rng) % excl;
    while (leftover < threshold) {
      m = static_cast<U128>(Next64()) * excl;
      leftover = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

void NumpyPcg64::Shuffle(std::vector<int64_t>& v) {
  for (int64_t i = static_cast<int64_t>(v.size()) - 1; i >= 1; --i) {
    int64_t j = static_cast<int64_t>(Interval(static_cast<uint64_t>(i)));
    std::swap(v[static_cast<size_t>(i)], v[static_cast<size_t>(j)]);
  }
}

std::vector<int64_t> NumpyPcg64::Permutation(int64_t n) {
  std::vector<int64_t> p(static_cast<size_t>(n));
  std::iota(p.begin(), p.end(), 0);
  Shuffle(p);
  return p;
}

std::vector<int64_t> NumpyPcg64::ChoiceWithoutReplacement(int64_t pop, int64_t size) {
  // _shuffle_int: Fisher-Yates over [first, n) with Lemire bounded draws.
  auto shuffle_int = [this](int64_t n, int64_t first, int64_t* data) {
    for (int64_t i = n - 1; i >= first; --i) {
      int64_t j = static_cast<int64_t>(BoundedLemire(static_cast<uint64_t>(i)));
      std::swap(data[i], data[j]);
    }
  };
  const int64_t cutoff = 50;                 // shuffle=True
  if (pop > 10000 && size > pop / cutoff) {  // tail shuffle
    std::vector<int64_t> idx(static_cast<size_t>(pop));
    std::iota(idx.begin(), idx.end(), 0);
    shuffle_int(pop, std::max<int64_t>(pop - size, 1), idx.data());
    return std::vector<int64_t>(idx.end() - size, idx.end());
  }
  // Floyd's algorithm with an open-addressing set of size 2^k > 1.2 * size.
  std::vector<int64_t> idx(static_cast<size_t>(size));
  uint64_t mask = static_cast<uint64_t>(1.2 * static_cast<double>(size));
  for (int s = 1; s <= 32; s <<= 1) mask |= mask >> s;
  std::vector<uint64_t> set(mask + 1, UINT64_MAX);
  for (int64_t j = pop - size; j < pop; ++j) {
    uint64_t val = BoundedLemire(static_cast<uint64_t>(j));
    uint64_t loc = val & mask;
    while (set[loc] != UINT64_MAX && set[loc] != val) loc = (loc + 1) & mask;
    if (set[loc] == UINT64_MAX) {
      set[loc] = val;
      idx[static_cast<size_t>(j - pop + size)] = static_cast<int64_t>(val);
    } else {
      loc = static_cast<uint64_t>(j) & mask;
      while (set[loc] != UINT64_MAX) loc = (loc + 1) & mask;
      set[loc] = static_cast<uint64_t>(j);
      idx[static_cast<size_t>(j - pop + size)] = j;
    }
  }
  shuffle_int(size, 1, idx.data());
  return idx;
}

std::vector<int64_t> NumpyPermutation(uint64_t seed, int64_t n) {
  NumpyPcg64 rng(seed);
  return rng.Permutation(n);
}

namespace {

// datasets.utils.stratify.approximate_mode.
std::vector<int64_t> ApproximateMode(const std::vector<int64_t>& counts, int64_t n_draws, NumpyPcg64& rng) {
  int64_t total = 0;
  for (int64_t c : counts) total += c;
  size_t k = counts.size();
  std::vector<double> continuous(k), floored(k);
  double floored_sum = 0;
  for (size_t i = 0; i < k; ++i) {
    continuous[i] = static_cast<double>(n_draws * counts[i]) / static_cast<double>(total);
    floored[i] = std::floor(continuous[i]);
  }
  for (double f : floored) floored_sum += f;  // numpy's pairwise sum equals this for exact integers
  int64_t need = static_cast<int64_t>(static_cast<double>(n_draws) - floored_sum);
  if (need > 0) {
    std::vector<double> remainder(k);
    for (size_t i = 0; i < k; ++i) remainder[i] = continuous[i] - floored[i];
    std::vector<double> values = remainder;
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    std::reverse(values.begin(), values.end());
    for (double value : values) {
      std::vector<int64_t> inds;
      for (size_t i = 0; i < k; ++i)
        if (remainder[i] == value) inds.push_back(static_cast<int64_t>(i));
      int64_t add_now = std::min<int64_t>(static_cast<int64_t>(inds.size()), need);
      for (int64_t pos : rng.ChoiceWithoutReplacement(static_cast<int64_t>(inds.size()), add_now))
        floored[static_cast<size_t>(inds[static_cast<size_t>(pos)])] += 1;
      need -= add_now;
      if (need == 0) break;
    }
  }
  std::vector<int64_t> out(k);
  for (size_t i = 0; i < k; ++i) out[i] = static_cast<int64_t>(floored[i]);
  return out;
}

}  // namespace

Result<StratifiedIndices> StratifiedSplit(const std::vector<int64_t>& labels, int64_t n_train, int64_t n_test,
                                          uint64_t seed) {
  // np.unique(y, return_inverse=True): classes in sorted order; each class's rows ascending
  // (argsort of the inverse with a stable sort).
  std::vector<int64_t> classes = labels;
  std::sort(classes.begin(), classes.end());
  classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
  std::vector<std::vector<int64_t>> class_rows(classes.size());
  for (size_t r = 0; r < labels.size(); ++r) {
    size_t c = static_cast<size_t>(std::lower_bound(classes.begin(), classes.end(), labels[r]) - classes.begin());
    class_rows[c].push_back(static_cast<int64_t>(r));
  }
  std::vector<int64_t> counts;
  for (const auto& rows : class_rows) counts.push_back(static_cast<int64_t>(rows.size()));
  int64_t n_classes = static_cast<int64_t>(classes.size());
  for (int64_t c : counts)
    if (c < 2)
      return Status::InvalidArgument(
          "The least populated class in the stratify column has only 1 member, which is too few. The minimum number "
          "of groups for any class cannot be less than 2.");
  if (n_train < n_classes)
    return Status::InvalidArgument(
        "The train_size = " + std::to_string(n_train) +
        " should be greater or equal to the number of classes = " + std::to_string(n_classes));
  if (n_test < n_classes)
    return Status::InvalidArgument(
        "The test_size = " + std::to_string(n_test) +
        " should be greater or equal to the number of classes = " + std::to_string(n_classes));
  NumpyPcg64 rng(seed);
  std::vector<int64_t> n_i = ApproximateMode(counts, n_train, rng);
  std::vector<int64_t> remaining(counts.size());
  for (size_t i = 0; i < counts.size(); ++i) remaining[i] = counts[i] - n_i[i];
  std::vector<int64_t> t_i = ApproximateMode(remaining, n_test, rng);
  StratifiedIndices out;
  for (size_t i = 0; i < counts.size(); ++i) {
    std::vector<int64_t> perm = rng.Permutation(counts[i]);
    for (int64_t j = 0; j < n_i[i]; ++j)
      out.train.push_back(class_rows[i][static_cast<size_t>(perm[static_cast<size_t>(j)])]);
    for (int64_t j = n_i[i]; j < n_i[i] + t_i[i]; ++j)
      out.test.push_back(class_rows[i][static_cast<size_t>(perm[static_cast<size_t>(j)])]);
  }
  rng.Shuffle(out.train);
  rng.Shuffle(out.test);
  return out;
}

}  // namespace mhub::datasets
