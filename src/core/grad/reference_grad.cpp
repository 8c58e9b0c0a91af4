// Plain references for the fast backward kernels (double accumulators, (T,T) matrices
// materialised): what tests/core/grad_*_test.cpp compares the fast paths against.
#include <cmath>
#include <limits>
#include <vector>

#include "mhub/core/grad.h"

namespace mhub::core::grad::reference {
namespace {

double W(const float* w, WeightLayout layout, int64_t in, int64_t out, int64_t o, int64_t i) {
  return layout == WeightLayout::kOutIn ? w[o * in + i] : w[i * out + o];
}

}  // namespace

void LinearForward(const float* x, int64_t m, int64_t in, int64_t out, const float* w, WeightLayout layout,
                   const float* b, float* y) {
  for (int64_t r = 0; r < m; ++r) {
    for (int64_t o = 0; o < out; ++o) {
      double acc = b != nullptr ? b[o] : 0.0;
      for (int64_t i = 0; i < in; ++i) acc += x[r * in + i] * W(w, layout, in, out, o, i);
      y[r * out + o] = static_cast<float>(acc);
    }
  }
}

void LinearBackward(const float* x, const float* dy, int64_t m, int64_t in, int64_t out, const float* w,
                    WeightLayout layout, float* dx, float* dw, float* db) {
  for (int64_t r = 0; r < m; ++r) {
    for (int64_t i = 0; i < in; ++i) {
      double acc = 0;
      for (int64_t o = 0; o < out; ++o) acc += dy[r * out + o] * W(w, layout, in, out, o, i);
      dx[r * in + i] = static_cast<float>(acc);
    }
  }
  for (int64_t o = 0; o < out; ++o) {
    for (int64_t i = 0; i < in; ++i) {
      double acc = 0;
      for (int64_t r = 0; r < m; ++r) acc += dy[r * out + o] * x[r * in + i];
      (layout == WeightLayout::kOutIn ? dw[o * in + i] : dw[i * out + o]) += static_cast<float>(acc);
    }
    if (db != nullptr) {
      double acc = 0;
      for (int64_t r = 0; r < m; ++r) acc += dy[r * out + o];
      db[o] += static_cast<float>(acc);
    }
  }
}

namespace {

// P (T,T) of one (b,h) after softmax and dropout mask: p[i*T+j] (0 where masked); pre-dropout too.
void Probabilities(const AttentionShape& s, const float* q, const float* k, int64_t b, int64_t h,
                   std::vector<double>& p, std::vector<double>& m) {
  const int64_t T = s.seq, D = s.head_dim;
  const double scale = s.scale != 0 ? s.scale : 1.0 / std::sqrt(static_cast<double>(D));
  p.assign(static_cast<size_t>(T * T), 0.0);
  m.assign(static_cast<size_t>(T * T), 0.0);
  for (int64_t i = 0; i < T; ++i) {
    double mx = -std::numeric_limits<double>::infinity();
    std::vector<double> sc(static_cast<size_t>(T), -std::numeric_limits<double>::infinity());
    for (int64_t j = 0; j < T; ++j) {
      const bool vis = (!s.causal || j <= i) && (s.key_mask == nullptr || s.key_mask[b * T + j] != 0);
      if (!vis) continue;
      double dot = 0;
      for (int64_t d = 0; d < D; ++d)
        dot += static_cast<double>(q[(b * T + i) * s.ld_qkv + h * D + d]) * k[(b * T + j) * s.ld_qkv + h * D + d];
      sc[j] = scale * dot;
      mx = sc[j] > mx ? sc[j] : mx;
    }
    if (mx == -std::numeric_limits<double>::infinity()) continue;
    double sum = 0;
    for (int64_t j = 0; j < T; ++j) sum += std::isinf(sc[j]) ? 0.0 : std::exp(sc[j] - mx);
    for (int64_t j = 0; j < T; ++j) {
      if (std::isinf(sc[j])) continue;
      p[i * T + j] = std::exp(sc[j] - mx) / sum;
      m[i * T + j] = DropoutScale(s.dropout, s.seed, s.stream + static_cast<uint64_t>(b * s.heads + h),
                                  static_cast<uint64_t>(i * T + j));
    }
  }
}

}  // namespace

void AttentionForward(const AttentionShape& s, const float* q, const float* k, const float* v, float* out) {
  const int64_t T = s.seq, D = s.head_dim;
  std::vector<double> p, m;
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t h = 0; h < s.heads; ++h) {
      Probabilities(s, q, k, b, h, p, m);
      for (int64_t i = 0; i < T; ++i) {
        for (int64_t d = 0; d < D; ++d) {
          double acc = 0;
          for (int64_t j = 0; j < T; ++j) acc += p[i * T + j] * m[i * T + j] * v[(b * T + j) * s.ld_qkv + h * D + d];
          out[(b * T + i) * s.ld_out + h * D + d] = static_cast<float>(acc);
        }
      }
    }
  }
}

void AttentionBackward(const AttentionShape& s, const float* q, const float* k, const float* v, const float* dout,
                       float* dq, float* dk, float* dv) {
  const int64_t T = s.seq, D = s.head_dim;
  const double scale = s.scale != 0 ? s.scale : 1.0 / std::sqrt(static_cast<double>(D));
  std::vector<double> p, m;
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t h = 0; h < s.heads; ++h) {
      Probabilities(s, q, k, b, h, p, m);
      auto at = [&](const float* base, int64_t t, int64_t d) { return base[(b * T + t) * s.ld_qkv + h * D + d]; };
      auto dat = [&](int64_t t, int64_t d) { return dout[(b * T + t) * s.ld_out + h * D + d]; };
      std::vector<double> dp(static_cast<size_t>(T * T)), dsc(static_cast<size_t>(T * T));
      for (int64_t i = 0; i < T; ++i) {
        for (int64_t j = 0; j < T; ++j) {
          double acc = 0;
          for (int64_t d = 0; d < D; ++d) acc += dat(i, d) * at(v, j, d);
          dp[i * T + j] = acc * m[i * T + j];  // through the dropout mask to the softmax output
        }
        double row = 0;
        for (int64_t j = 0; j < T; ++j) row += p[i * T + j] * dp[i * T + j];
        for (int64_t j = 0; j < T; ++j) dsc[i * T + j] = p[i * T + j] * (dp[i * T + j] - row) * scale;
      }
      for (int64_t t = 0; t < T; ++t) {
        for (int64_t d = 0; d < D; ++d) {
          double aq = 0, ak = 0, av = 0;
          for (int64_t u = 0; u < T; ++u) {
            aq += dsc[t * T + u] * at(k, u, d);
            ak += dsc[u * T + t] * at(q, u, d);
            av += p[u * T + t] * m[u * T + t] * dat(u, d);
          }
          dq[(b * T + t) * s.ld_qkv + h * D + d] = static_cast<float>(aq);
          dk[(b * T + t) * s.ld_qkv + h * D + d] = static_cast<float>(ak);
          dv[(b * T + t) * s.ld_qkv + h * D + d] = static_cast<float>(av);
        }
      }
    }
  }
}

void LayerNormBackward(const float* dy, const float* x, int64_t rows, int64_t dim, const float* w, float eps, float* dx,
                       float* dw, float* db) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * dim;
    const float* g = dy + r * dim;
    double mean = 0, var = 0;
    for (int64_t j = 0; j < dim; ++j) mean += xr[j];
    mean /= static_cast<double>(dim);
    for (int64_t j = 0; j < dim; ++j) var += (xr[j] - mean) * (xr[j] - mean);
    var /= static_cast<double>(dim);
    const double rstd = 1.0 / std::sqrt(var + eps);
    double a = 0, c = 0;
    for (int64_t j = 0; j < dim; ++j) {
      const double xh = (xr[j] - mean) * rstd;
      a += g[j] * w[j];
      c += g[j] * w[j] * xh;
      dw[j] += static_cast<float>(g[j] * xh);
      if (db != nullptr) db[j] += g[j];
    }
    a /= static_cast<double>(dim);
    c /= static_cast<double>(dim);
    for (int64_t j = 0; j < dim; ++j) {
      const double xh = (xr[j] - mean) * rstd;
      dx[r * dim + j] = static_cast<float>(rstd * (g[j] * w[j] - a - xh * c));
    }
  }
}

}  // namespace mhub::core::grad::reference
