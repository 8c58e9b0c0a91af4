#include "core/reference/reference_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace mhub::core::reference {

void LayerNorm(const float* x, const float* res, float* sum_out, const float* w, const float* b, float eps, float* out,
               int64_t rows, int64_t c) {
  std::vector<double> s(static_cast<size_t>(c));
  for (int64_t r = 0; r < rows; ++r) {
    double mean = 0;
    for (int64_t i = 0; i < c; ++i) {
      const float v = res ? x[r * c + i] + res[r * c + i] : x[r * c + i];
      s[i] = v;
      mean += v;
    }
    mean /= static_cast<double>(c);
    double var = 0;
    for (int64_t i = 0; i < c; ++i) var += (s[i] - mean) * (s[i] - mean);
    var /= static_cast<double>(c);
    const double rstd = 1.0 / std::sqrt(var + eps);
    for (int64_t i = 0; i < c; ++i) {
      if (sum_out) sum_out[r * c + i] = static_cast<float>(s[i]);
      out[r * c + i] = static_cast<float>((s[i] - mean) * rstd * w[i] + (b ? b[i] : 0.0));
    }
  }
}

uint16_t NearestBf16(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  if (std::isnan(x)) return static_cast<uint16_t>((u >> 16) | 0x40u);
  const uint16_t lo = static_cast<uint16_t>(u >> 16);  // truncation: the neighbour towards zero
  if (std::isinf(x) || (u & 0xffffu) == 0) return lo;
  const uint16_t hi = static_cast<uint16_t>(lo + 1);  // the neighbour away from zero
  auto widen = [](uint16_t h) {  // +-inf counts as +-2^128, the next step after the largest finite bf16
    if ((h & 0x7fffu) == 0x7f80u) return (h & 0x8000u) ? -std::ldexp(1.0, 128) : std::ldexp(1.0, 128);
    const uint32_t w = static_cast<uint32_t>(h) << 16;
    float f;
    std::memcpy(&f, &w, 4);
    return static_cast<double>(f);
  };
  const double dl = std::fabs(widen(lo) - x), dh = std::fabs(widen(hi) - x);
  if (dl != dh) return dl < dh ? lo : hi;
  return (lo & 1u) ? hi : lo;
}

void LayerNormBf16(const float* x, const float* res, float* sum_out, const float* w, const float* b, float eps,
                   float* out, uint16_t* out_bf16, int64_t rows, int64_t c) {
  LayerNorm(x, res, sum_out, w, b, eps, out, rows, c);
  for (int64_t i = 0; i < rows * c; ++i) out_bf16[i] = NearestBf16(out[i]);
}

void RmsNorm(const float* x, const float* w, float eps, float* out, int64_t rows, int64_t c) {
  for (int64_t r = 0; r < rows; ++r) {
    double ss = 0;
    for (int64_t i = 0; i < c; ++i) ss += static_cast<double>(x[r * c + i]) * x[r * c + i];
    const double rstd = 1.0 / std::sqrt(ss / static_cast<double>(c) + eps);
    for (int64_t i = 0; i < c; ++i) out[r * c + i] = static_cast<float>(x[r * c + i] * rstd * w[i]);
  }
}

void Softmax(const float* x, float* out, int64_t rows, int64_t c) {
  for (int64_t r = 0; r < rows; ++r) {
    double m = -std::numeric_limits<double>::infinity();
    for (int64_t i = 0; i < c; ++i) m = std::max<double>(m, x[r * c + i]);
    double sum = 0;
    for (int64_t i = 0; i < c; ++i) sum += std::exp(x[r * c + i] - m);
    for (int64_t i = 0; i < c; ++i) out[r * c + i] = static_cast<float>(std::exp(x[r * c + i] - m) / sum);
  }
}

void Gelu(const float* x, float* out, int64_t n, GeluKind kind) {
  for (int64_t i = 0; i < n; ++i) {
    const double v = x[i];
    if (kind == GeluKind::kErf) {
      out[i] = static_cast<float>(0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0))));
    } else {
      out[i] = static_cast<float>(0.5 * v * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (v + 0.044715 * v * v * v))));
    }
  }
}

void Silu(const float* x, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(x[i] / (1.0 + std::exp(-static_cast<double>(x[i]))));
}

void Matmul(const float* x, const float* w, const float* bias, float* y, int64_t m, int64_t n, int64_t k) {
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double s = bias ? bias[j] : 0.0;
      for (int64_t l = 0; l < k; ++l) s += static_cast<double>(x[i * k + l]) * w[j * k + l];
      y[i * n + j] = static_cast<float>(s);
    }
}

void Attention(const HeadsView& q, const HeadsView& k, const HeadsView& v, const HeadsView& out,
               const AttentionOptions& options) {
  const int64_t D = q.head_dim, G = q.heads / k.heads, Tk = k.seq;
  const double scale = options.scale != 0.0f ? options.scale : 1.0 / std::sqrt(static_cast<double>(D));
  std::vector<double> s(static_cast<size_t>(Tk));
  std::vector<char> visible(static_cast<size_t>(Tk));
  for (int64_t b = 0; b < q.batch; ++b)
    for (int64_t i = 0; i < q.seq; ++i)
      for (int64_t h = 0; h < q.heads; ++h) {
        double m = -std::numeric_limits<double>::infinity();
        for (int64_t j = 0; j < Tk; ++j) {
          bool ok = true;
          if (options.key_mask) {
            const Tensor& km = *options.key_mask;
            ok = km.dtype() == DType::kI64 ? km.data<int64_t>()[b * Tk + j] != 0 : km.data<int32_t>()[b * Tk + j] != 0;
          }
          if (options.causal && j > options.q_offset + i) ok = false;
          if (options.window > 0 && (options.q_offset + i) - j >= options.window) ok = false;
          visible[j] = ok;
          if (!ok) continue;
          double dot = 0;
          for (int64_t d = 0; d < D; ++d) dot += static_cast<double>(q.at(b, i, h)[d]) * k.at(b, j, h / G)[d];
          s[j] = dot * scale;
          m = std::max(m, s[j]);
        }
        double sum = 0;
        for (int64_t j = 0; j < Tk; ++j) sum += visible[j] ? std::exp(s[j] - m) : 0.0;
        for (int64_t d = 0; d < D; ++d) {
          double acc = 0;
          for (int64_t j = 0; j < Tk; ++j)
            if (visible[j]) acc += std::exp(s[j] - m) / sum * v.at(b, j, h / G)[d];
          out.at(b, i, h)[d] = sum > 0 ? static_cast<float>(acc) : 0.0f;
        }
      }
}

void Rope(const HeadsView& x, std::span<const float> inv_freq, std::span<const int64_t> positions, int64_t start_pos) {
  const int64_t half = static_cast<int64_t>(inv_freq.size());
  for (int64_t b = 0; b < x.batch; ++b)
    for (int64_t t = 0; t < x.seq; ++t) {
      const int64_t p = positions.empty() ? start_pos + t : positions[b * x.seq + t];
      for (int64_t h = 0; h < x.heads; ++h) {
        float* v = x.at(b, t, h);
        for (int64_t i = 0; i < half; ++i) {
          const double angle = static_cast<float>(p) * inv_freq[i];
          const double c = std::cos(angle), s = std::sin(angle);
          const double x1 = v[i], x2 = v[i + half];
          v[i] = static_cast<float>(x1 * c - x2 * s);
          v[i + half] = static_cast<float>(x2 * c + x1 * s);
        }
      }
    }
}

}  // namespace mhub::core::reference
