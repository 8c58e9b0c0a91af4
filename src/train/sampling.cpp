// Sample orders: torch.randperm on a seeded CPU generator (what the Trainer's sampler draws each
// epoch with seed + epoch) and transformers' LengthGroupedSampler.
#include <algorithm>
#include <random>

#include "mhub/train/trainer.h"

namespace mhub::train {

std::vector<int64_t> TorchRandperm(int64_t n, uint64_t seed) {
  // torch's CPU generator is a standard mt19937 seeded with the low 32 bits; randperm_cpu swaps
  // r[i] with r[i + random() % (n - i)] for i = 0 .. n-2 (torch 1.13).
  std::mt19937 gen(static_cast<uint32_t>(seed & 0xffffffffu));
  std::vector<int64_t> r(n);
  for (int64_t i = 0; i < n; ++i) r[i] = i;
  for (int64_t i = 0; i + 1 < n; ++i) {
    const int64_t z = int64_t(uint64_t(gen()) % uint64_t(n - i));
    std::swap(r[i], r[z + i]);
  }
  return r;
}

std::vector<int64_t> LengthGroupedOrder(std::span<const int64_t> lengths, int64_t batch_size, uint64_t seed) {
  const int64_t n = int64_t(lengths.size());
  std::vector<int64_t> indices = TorchRandperm(n, seed);
  const int64_t mega = 50 * batch_size;
  std::vector<std::vector<int64_t>> megabatches;
  for (int64_t i = 0; i < n; i += mega)
    megabatches.emplace_back(indices.begin() + i, indices.begin() + std::min(n, i + mega));
  // sorted(megabatch, key=length, reverse=True): stable, equal lengths keep their drawn order.
  for (auto& m : megabatches)
    std::stable_sort(m.begin(), m.end(), [&](int64_t a, int64_t b) { return lengths[a] > lengths[b]; });
  // The longest element goes first so an OOM shows up at once.
  if (!megabatches.empty()) {
    size_t best = 0;
    for (size_t k = 1; k < megabatches.size(); ++k)
      if (lengths[megabatches[k][0]] > lengths[megabatches[best][0]]) best = k;
    std::swap(megabatches[0][0], megabatches[best][0]);
  }
  std::vector<int64_t> out;
  out.reserve(n);
  for (auto& m : megabatches) out.insert(out.end(), m.begin(), m.end());
  return out;
}

}  // namespace mhub::train
