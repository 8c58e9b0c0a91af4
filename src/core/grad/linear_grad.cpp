// Linear and embedding backward.
#include <algorithm>
#include <cstring>
#include <vector>

#include "mhub/core/grad.h"

#include "core/cpu/gemm.h"
#include "core/cpu/parallel.h"

namespace mhub::core::grad {

namespace {

// Row-major (rows, cols) copy of op(A) with leading dimension ld.
void Contiguous(const float* a, int64_t ld, bool trans, int64_t rows, int64_t cols, std::vector<float>& out) {
  out.resize(static_cast<size_t>(rows * cols));
  float* o = out.data();
  if (!trans) {
    cpu::ParallelFor(rows, 64, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i) std::memcpy(o + i * cols, a + i * ld, sizeof(float) * cols);
    });
    return;
  }
  // op(A) = A^T with A (cols, rows): 32 x 32 blocks, output row blocks split over the pool
  constexpr int64_t kB = 32;
  cpu::ParallelFor((rows + kB - 1) / kB, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t i0 = b0 * kB; i0 < std::min(b1 * kB, rows); i0 += kB) {
      const int64_t i1 = std::min(i0 + kB, rows);
      for (int64_t j0 = 0; j0 < cols; j0 += kB) {
        const int64_t j1 = std::min(j0 + kB, cols);
        for (int64_t j = j0; j < j1; ++j) {
          const float* src = a + j * ld;
          for (int64_t i = i0; i < i1; ++i) o[i * cols + j] = src[i];
        }
      }
    }
  });
}

}  // namespace

// On the core GEMM (own tiles per ISA, the core worker pool: no second thread pool spinning beside
// it). op(B) is packed per call (the weights change every optimizer step); op(A) and C are used in
// place when dense, else through a contiguous copy.
void Gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
          const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = beta == 0 ? 0.f : beta * c[i * ldc + j];
    }
    return;
  }
  thread_local std::vector<float> a_copy, b_copy, c_copy;
  const float* x = a;
  if (trans_a || lda != k) {
    Contiguous(a, lda, trans_a, m, k, a_copy);
    x = a_copy.data();
  }
  const float* w = b;
  const int64_t b_row = trans_b ? k : n;  // stored row length of B
  if (ldb != b_row) {
    Contiguous(b, ldb, false, trans_b ? n : k, b_row, b_copy);
    w = b_copy.data();
  }
  const cpu::GemmWeights packed = trans_b ? cpu::GemmWeights::Pack(w, cpu::GemmType::kF32, n, k, nullptr)
                                          : cpu::GemmWeights::PackInOut(w, cpu::GemmType::kF32, n, k, nullptr);
  const bool direct = alpha == 1.f && (beta == 0.f || beta == 1.f) && ldc == n;
  cpu::GemmOutput out;
  if (direct) {
    out.y = c;
    out.accumulate = beta == 1.f;
    cpu::Gemm(x, m, packed, out);
    return;
  }
  c_copy.resize(static_cast<size_t>(m * n));
  out.y = c_copy.data();
  cpu::Gemm(x, m, packed, out);
  for (int64_t i = 0; i < m; ++i) {
    float* row = c + i * ldc;
    const float* r = &c_copy[i * n];
    for (int64_t j = 0; j < n; ++j) row[j] = alpha * r[j] + (beta == 0.f ? 0.f : beta * row[j]);
  }
}

void LinearForward(const float* x, int64_t ldx, int64_t m, int64_t in, int64_t out, const float* w, WeightLayout layout,
                   const float* b, float* y, int64_t ldy) {
  if (layout == WeightLayout::kOutIn) {
    Gemm(false, true, m, out, in, 1.f, x, ldx, w, in, 0.f, y, ldy);  // x (m,in) W^T (in,out)
  } else {
    Gemm(false, false, m, out, in, 1.f, x, ldx, w, out, 0.f, y, ldy);  // x (m,in) W (in,out)
  }
  if (b == nullptr) return;
  cpu::ParallelFor(m, 32, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      float* row = y + i * ldy;
      for (int64_t j = 0; j < out; ++j) row[j] += b[j];
    }
  });
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
  cpu::ParallelFor(blocks, 32, [&](int64_t blk0, int64_t blk1) {
    for (int64_t blk = blk0; blk < blk1; ++blk) {
      const int64_t j0 = blk * kBlock, j1 = j0 + kBlock < out ? j0 + kBlock : out;
      float acc[kBlock] = {};
      for (int64_t i = 0; i < m; ++i) {
        const float* row = dy + i * ldy;
        for (int64_t j = j0; j < j1; ++j) acc[j - j0] += row[j];
      }
      for (int64_t j = j0; j < j1; ++j) db[j] += acc[j - j0];
    }
  });
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
