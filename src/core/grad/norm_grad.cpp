// Layer norm and RMS norm, forward keeping mean / rstd, and their backward (as llm.c's
// layernorm_backward): dx = rstd * (dy*w - mean(dy*w) - xhat * mean(dy*w*xhat)).
#include <cmath>
#include <vector>

#include "mhub/core/grad.h"

#include "core/cpu/parallel.h"

namespace mhub::core::grad {
namespace {

constexpr int64_t kColBlock = 64;

// dw[j] += sum_r dy[r,j] * xhat[r,j], db[j] += sum_r dy[r,j] over column blocks (no shared outputs).
void NormParamGrads(const float* dy, const float* x, int64_t rows, int64_t dim, const float* mean, const float* rstd,
                    float* dw, float* db) {
  const int64_t blocks = (dim + kColBlock - 1) / kColBlock;
  cpu::ParallelFor(blocks, 32, [&](int64_t blk0, int64_t blk1) {
    for (int64_t blk = blk0; blk < blk1; ++blk) {
      const int64_t j0 = blk * kColBlock, j1 = j0 + kColBlock < dim ? j0 + kColBlock : dim;
      float aw[kColBlock] = {}, ab[kColBlock] = {};
      for (int64_t r = 0; r < rows; ++r) {
        const float* g = dy + r * dim;
        const float* xr = x + r * dim;
        const float m = mean != nullptr ? mean[r] : 0.f, s = rstd[r];
        for (int64_t j = j0; j < j1; ++j) {
          aw[j - j0] += g[j] * ((xr[j] - m) * s);
          ab[j - j0] += g[j];
        }
      }
      for (int64_t j = j0; j < j1; ++j) {
        if (dw != nullptr) dw[j] += aw[j - j0];
        if (db != nullptr) db[j] += ab[j - j0];
      }
    }
  });
}

}  // namespace

void LayerNormForward(const float* x, int64_t rows, int64_t dim, const float* w, const float* b, float eps, float* y,
                      float* mean, float* rstd) {
  cpu::ParallelFor(rows, 32, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* xr = x + r * dim;
      double sum = 0;
      for (int64_t j = 0; j < dim; ++j) sum += xr[j];
      const float m = static_cast<float>(sum / static_cast<double>(dim));
      double var = 0;
      for (int64_t j = 0; j < dim; ++j) var += static_cast<double>(xr[j] - m) * (xr[j] - m);
      const float s = 1.f / std::sqrt(static_cast<float>(var / static_cast<double>(dim)) + eps);
      float* yr = y + r * dim;
      for (int64_t j = 0; j < dim; ++j) yr[j] = (xr[j] - m) * s * w[j] + (b != nullptr ? b[j] : 0.f);
      mean[r] = m;
      rstd[r] = s;
    }
  });
}

void LayerNormBackward(const float* dy, const float* x, int64_t rows, int64_t dim, const float* w, const float* mean,
                       const float* rstd, float* dx, bool accumulate_dx, float* dw, float* db) {
  if (dw != nullptr || db != nullptr) NormParamGrads(dy, x, rows, dim, mean, rstd, dw, db);
  if (dx == nullptr) return;
  cpu::ParallelFor(rows, 32, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* g = dy + r * dim;
      const float* xr = x + r * dim;
      const float m = mean[r], s = rstd[r];
      float sum_g = 0, sum_gx = 0;  // mean(dy*w), mean(dy*w*xhat) numerators
      for (int64_t j = 0; j < dim; ++j) {
        const float gw = g[j] * w[j];
        sum_g += gw;
        sum_gx += gw * ((xr[j] - m) * s);
      }
      const float inv = 1.f / static_cast<float>(dim);
      sum_g *= inv;
      sum_gx *= inv;
      float* d = dx + r * dim;
      for (int64_t j = 0; j < dim; ++j) {
        const float v = s * (g[j] * w[j] - sum_g - ((xr[j] - m) * s) * sum_gx);
        d[j] = accumulate_dx ? d[j] + v : v;
      }
    }
  });
}

void RmsNormForward(const float* x, int64_t rows, int64_t dim, const float* w, float eps, float* y, float* rstd) {
  cpu::ParallelFor(rows, 32, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* xr = x + r * dim;
      double ss = 0;
      for (int64_t j = 0; j < dim; ++j) ss += static_cast<double>(xr[j]) * xr[j];
      const float s = 1.f / std::sqrt(static_cast<float>(ss / static_cast<double>(dim)) + eps);
      float* yr = y + r * dim;
      for (int64_t j = 0; j < dim; ++j) yr[j] = w[j] * (xr[j] * s);
      rstd[r] = s;
    }
  });
}

void RmsNormBackward(const float* dy, const float* x, int64_t rows, int64_t dim, const float* w, const float* rstd,
                     float* dx, bool accumulate_dx, float* dw) {
  if (dw != nullptr) NormParamGrads(dy, x, rows, dim, nullptr, rstd, dw, nullptr);
  if (dx == nullptr) return;
  cpu::ParallelFor(rows, 32, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* g = dy + r * dim;
      const float* xr = x + r * dim;
      const float s = rstd[r];
      float sum_gx = 0;  // mean(dy*w*xhat)
      for (int64_t j = 0; j < dim; ++j) sum_gx += g[j] * w[j] * (xr[j] * s);
      sum_gx /= static_cast<float>(dim);
      float* d = dx + r * dim;
      for (int64_t j = 0; j < dim; ++j) {
        const float v = s * (g[j] * w[j] - (xr[j] * s) * sum_gx);
        d[j] = accumulate_dx ? d[j] + v : v;
      }
    }
  });
}

}  // namespace mhub::core::grad
