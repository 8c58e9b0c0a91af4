// Losses with their gradient in one pass (sums; the caller divides as transformers does).
#include <algorithm>
#include <cmath>
#include <mutex>

#include "mhub/core/grad.h"

#include "core/cpu/parallel.h"

namespace mhub::core::grad {

double CrossEntropy(const float* logits, int64_t rows, int64_t classes, const int64_t* labels, int64_t ignore_index,
                    float label_smoothing, float grad_scale, float* dlogits, int64_t* count) {
  double total = 0;
  int64_t counted = 0;
  const float eps = label_smoothing;
  const double eps_c = static_cast<double>(eps) / static_cast<double>(classes);
  std::mutex mu;
  cpu::ParallelFor(rows, std::max<int64_t>(1, 16384 / classes), [&](int64_t r0, int64_t r1) {
    double part = 0;
    int64_t part_count = 0;
    for (int64_t r = r0; r < r1; ++r) {
      const float* z = logits + r * classes;
      float* dz = dlogits != nullptr ? dlogits + r * classes : nullptr;
      const int64_t y = labels[r];
      if (y == ignore_index) {
        if (dz != nullptr) {
          for (int64_t c = 0; c < classes; ++c) dz[c] = 0.f;
        }
        continue;
      }
      float mx = z[0];
      for (int64_t c = 1; c < classes; ++c) mx = z[c] > mx ? z[c] : mx;
      double sum = 0, sum_z = 0;
      for (int64_t c = 0; c < classes; ++c) {
        sum += std::exp(z[c] - mx);  // float exp (as torch's f32 log_softmax), double sums
        sum_z += z[c];
      }
      const double lse = mx + std::log(sum);
      const float lse_f = static_cast<float>(lse);
      const double nll = lse - z[y];
      // sum_c -log p_c = C * lse - sum_c z_c
      const double smooth = static_cast<double>(classes) * lse - sum_z;
      part += (1.0 - eps) * nll + eps_c * smooth;
      ++part_count;
      if (dz != nullptr) {
        for (int64_t c = 0; c < classes; ++c) {
          const double p = std::exp(z[c] - lse_f);
          dz[c] = static_cast<float>(grad_scale * (p - eps_c - (c == y ? 1.0 - eps : 0.0)));
        }
      }
    }
    std::lock_guard<std::mutex> lock(mu);
    total += part;
    counted += part_count;
  });
  if (count != nullptr) *count = counted;
  return total;
}

double SquaredError(const float* pred, const float* target, int64_t n, float grad_scale, float* dpred) {
  double total = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float d = pred[i] - target[i];
    total += static_cast<double>(d) * d;
    if (dpred != nullptr) dpred[i] = grad_scale * 2.f * d;
  }
  return total;
}

double BceWithLogits(const float* logits, const float* target, int64_t n, float grad_scale, float* dlogits) {
  double total = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double x = logits[i], t = target[i];
    // max(x,0) - x t + log(1 + exp(-|x|)), as torch's binary_cross_entropy_with_logits
    total += (x > 0 ? x : 0.0) - x * t + std::log1p(std::exp(-std::fabs(x)));
    if (dlogits != nullptr) dlogits[i] = static_cast<float>(grad_scale * (1.0 / (1.0 + std::exp(-x)) - t));
  }
  return total;
}

}  // namespace mhub::core::grad
