// Linear and embedding backward: the matmuls go to oneDNN's sgemm (threaded, AVX-512/AVX2 inside).
#include <oneapi/dnnl/dnnl.h>

#include <cstring>

#include "mhub/core/grad.h"

namespace mhub::core::grad {

void Gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
          const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = beta == 0 ? 0.f : beta * c[i * ldc + j];
    }
    return;
  }
  dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void LinearForward(const float* x, int64_t ldx, int64_t m, int64_t in, int64_t out, const float* w, WeightLayout layout,
                   const float* b, float* y, int64_t ldy) {
  if (layout == WeightLayout::kOutIn) {
    Gemm(false, true, m, out, in, 1.f, x, ldx, w, in, 0.f, y, ldy);  // x (m,in) W^T (in,out)
  } else {
    Gemm(false, false, m, out, in, 1.f, x, ldx, w, out, 0.f, y, ldy);  // x (m,in) W (in,out)
  }
  if (b == nullptr) return;
#pragma omp parallel for schedule(static) if (m * out > 65536)
  for (int64_t i = 0; i < m; ++i) {
    float* row = y + i * ldy;
    for (int64_t j = 0; j < out; ++j) row[j] += b[j];
  }
}

void LinearBackward(const float* x, int64_t ldx, const float* dy, int64_t ldy, int64_t m, int64_t in, int64_t out,
                    const float* w, WeightLayout layout, float* dx, bool accumulate_dx, float* dw, float* db) {
  const float beta = accumulate_dx ? 1.f : 0.f;
  if (layout == WeightLayout::kOutIn) {
    if (dx != nullptr) Gemm(false, false, m, in, out, 1.f, dy, ldy, w, in, beta, dx, ldx);  // dy (m,out) W (out,in)
    if (dw != nullptr) Gemm(true, false, out, in, m, 1.f, dy, ldy, x, ldx, 1.f, dw, in);    // dy^T x
  } else {
    if (dx != nullptr) Gemm(false, true, m, in, out, 1.f, dy, ldy, w, out, beta, dx, ldx);  // dy W^T
    if (dw != nullptr) Gemm(true, false, in, out, m, 1.f, x, ldx, dy, ldy, 1.f, dw, out);   // x^T dy
  }
  if (db == nullptr) return;
  // Column sums, split over column blocks so threads never share an output.
  constexpr int64_t kBlock = 64;
  const int64_t blocks = (out + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(static) if (m * out > 65536)
  for (int64_t blk = 0; blk < blocks; ++blk) {
    const int64_t j0 = blk * kBlock, j1 = j0 + kBlock < out ? j0 + kBlock : out;
    float acc[kBlock] = {};
    for (int64_t i = 0; i < m; ++i) {
      const float* row = dy + i * ldy;
      for (int64_t j = j0; j < j1; ++j) acc[j - j0] += row[j];
    }
    for (int64_t j = j0; j < j1; ++j) db[j] += acc[j - j0];
  }
}

void EmbeddingBackward(const int64_t* ids, int64_t n, const float* dy, int64_t dim, float* dtable, int64_t skip_id) {
  // Serial over tokens (ids repeat), parallel over the columns of each row would not pay at these sizes.
  for (int64_t i = 0; i < n; ++i) {
    if (ids[i] == skip_id) continue;
    float* row = dtable + ids[i] * dim;
    const float* g = dy + i * dim;
    for (int64_t j = 0; j < dim; ++j) row[j] += g[j];
  }
}

}  // namespace mhub::core::grad
