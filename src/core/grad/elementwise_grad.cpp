// Element-wise forward/backward pairs: activations, tanh, SwiGLU, dropout, rotary embeddings.
#include <cmath>

#include "mhub/core/grad.h"

#include "core/cpu/parallel.h"
#include "core/grad/dropout_rng.h"
#include "core/grad/vec.h"

namespace mhub::core::grad {
namespace {

constexpr float kSqrt2OverPi = 0.7978845608028654f;
constexpr float kInvSqrt2 = 0.7071067811865476f;
constexpr float kInvSqrt2Pi = 0.3989422804014327f;

float Sigmoid(float x) { return 1.f / (1.f + std::exp(-x)); }

using internal::StreamKey;
using internal::Uniform;

// The GELUs over 16-float vectors (the scalar tail and the other activations element by element).
MHUB_GRAD_CLONES void GeluForwardChunk(bool erf_form, const float* x, int64_t n, float* y) {
  using namespace internal;
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    const VF v = MHUB_VLOAD(x + i);
    VF inner;
    if (erf_form) {
      Erf(v * kInvSqrt2, inner);
    } else {
      Tanh((v + v * v * v * 0.044715f) * kSqrt2OverPi, inner);
    }
    Store(y + i, v * 0.5f * (inner + 1.f));
  }
  for (; i < n; ++i) {
    const float v = x[i];
    y[i] = erf_form ? 0.5f * v * (1.f + std::erf(v * kInvSqrt2))
                    : 0.5f * v * (1.f + std::tanh(kSqrt2OverPi * (v + 0.044715f * v * v * v)));
  }
}

MHUB_GRAD_CLONES void GeluBackwardChunk(bool erf_form, const float* x, const float* dy, int64_t n, float* dx) {
  using namespace internal;
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    const VF v = MHUB_VLOAD(x + i);
    VF d;
    if (erf_form) {
      VF erf, gauss;
      Erf(v * kInvSqrt2, erf);
      Exp(v * v * -0.5f, gauss);
      d = (erf + 1.f) * 0.5f + v * kInvSqrt2Pi * gauss;
    } else {
      VF t;
      Tanh((v + v * v * v * 0.044715f) * kSqrt2OverPi, t);
      d = (t + 1.f) * 0.5f + v * 0.5f * (1.f - t * t) * kSqrt2OverPi * (v * v * (3.f * 0.044715f) + 1.f);
    }
    Store(dx + i, MHUB_VLOAD(dy + i) * d);
  }
  for (; i < n; ++i) {
    const float v = x[i];
    float d;
    if (erf_form) {
      d = 0.5f * (1.f + std::erf(v * kInvSqrt2)) + v * kInvSqrt2Pi * std::exp(-0.5f * v * v);
    } else {
      const float t = std::tanh(kSqrt2OverPi * (v + 0.044715f * v * v * v));
      d = 0.5f * (1.f + t) + 0.5f * v * (1.f - t * t) * kSqrt2OverPi * (1.f + 3.f * 0.044715f * v * v);
    }
    dx[i] = dy[i] * d;
  }
}

// x[i] = 0 or x[i] * keep by the stream's mask, for i in [i0, i1).
MHUB_GRAD_CLONES void DropoutChunk(float* x, int64_t i0, int64_t i1, float p, float keep, uint64_t key) {
  using namespace internal;
  int64_t i = i0;
  for (; i + kLanes <= i1; i += kLanes) {
    VF m;
    KeepScales(key, static_cast<uint64_t>(i), p, keep, m);
    Store(x + i, m == 0.f ? MHUB_VSPLAT(0.f) : MHUB_VLOAD(x + i) * keep);
  }
  for (; i < i1; ++i) x[i] = Uniform(key, static_cast<uint64_t>(i)) < p ? 0.f : x[i] * keep;
}

}  // namespace

void ActivationForward(Activation act, const float* x, int64_t n, float* y) {
  if (act == Activation::kGeluErf || act == Activation::kGeluTanh) {
    cpu::ParallelFor(n, 16384, [&](int64_t i0, int64_t i1) {
      GeluForwardChunk(act == Activation::kGeluErf, x + i0, i1 - i0, y + i0);
    });
    return;
  }
  cpu::ParallelFor(n, 16384, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      const float v = x[i];
      switch (act) {
        case Activation::kNone:
          y[i] = v;
          break;
        case Activation::kGeluErf:
          y[i] = 0.5f * v * (1.f + std::erf(v * kInvSqrt2));
          break;
        case Activation::kGeluTanh:
          y[i] = 0.5f * v * (1.f + std::tanh(kSqrt2OverPi * (v + 0.044715f * v * v * v)));
          break;
        case Activation::kRelu:
          y[i] = v > 0 ? v : 0.f;
          break;
        case Activation::kSilu:
          y[i] = v * Sigmoid(v);
          break;
      }
    }
  });
}

void ActivationBackward(Activation act, const float* x, const float* dy, int64_t n, float* dx) {
  if (act == Activation::kGeluErf || act == Activation::kGeluTanh) {
    cpu::ParallelFor(n, 16384, [&](int64_t i0, int64_t i1) {
      GeluBackwardChunk(act == Activation::kGeluErf, x + i0, dy + i0, i1 - i0, dx + i0);
    });
    return;
  }
  cpu::ParallelFor(n, 16384, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      const float v = x[i];
      float d = 1.f;
      switch (act) {
        case Activation::kNone:
          break;
        case Activation::kGeluErf:
          d = 0.5f * (1.f + std::erf(v * kInvSqrt2)) + v * kInvSqrt2Pi * std::exp(-0.5f * v * v);
          break;
        case Activation::kGeluTanh: {
          const float t = std::tanh(kSqrt2OverPi * (v + 0.044715f * v * v * v));
          d = 0.5f * (1.f + t) + 0.5f * v * (1.f - t * t) * kSqrt2OverPi * (1.f + 3.f * 0.044715f * v * v);
          break;
        }
        case Activation::kRelu:
          d = v > 0 ? 1.f : 0.f;
          break;
        case Activation::kSilu: {
          const float s = Sigmoid(v);
          d = s * (1.f + v * (1.f - s));
          break;
        }
      }
      dx[i] = dy[i] * d;
    }
  });
}

void TanhBackward(const float* y, const float* dy, int64_t n, float* dx) {
  for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * (1.f - y[i] * y[i]);
}

void SwiGluForward(const float* gate, const float* up, int64_t n, float* out) {
  cpu::ParallelFor(n, 16384, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      out[i] = gate[i] * Sigmoid(gate[i]) * up[i];
    }
  });
}

void SwiGluBackward(const float* gate, const float* up, const float* dout, int64_t n, float* dgate, float* dup) {
  cpu::ParallelFor(n, 16384, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      const float g = gate[i], s = Sigmoid(g), d = dout[i];
      const float silu = g * s;
      const float dg = d * up[i] * s * (1.f + g * (1.f - s));
      dup[i] = d * silu;
      dgate[i] = dg;
    }
  });
}

float DropoutScale(float p, uint64_t seed, uint64_t stream, uint64_t i) {
  if (p <= 0.f) return 1.f;
  if (p >= 1.f) return 0.f;
  return Uniform(StreamKey(seed, stream), i) < p ? 0.f : 1.f / (1.f - p);
}

void Dropout(float* x, int64_t n, float p, uint64_t seed, uint64_t stream) {
  if (p <= 0.f) return;
  if (p >= 1.f) {
    for (int64_t i = 0; i < n; ++i) x[i] = 0.f;
    return;
  }
  const uint64_t key = StreamKey(seed, stream);
  const float keep = 1.f / (1.f - p);
  cpu::ParallelFor(n, 16384, [&](int64_t i0, int64_t i1) { DropoutChunk(x, i0, i1, p, keep, key); });
}

void Rope(float* x, int64_t batch, int64_t seq, int64_t heads, int64_t head_dim, int64_t ld, const float* cos,
          const float* sin, bool inverse) {
  const int64_t half = head_dim / 2;
  const float sign = inverse ? -1.f : 1.f;
  cpu::ParallelFor(batch * seq, 32, [&](int64_t bt0, int64_t bt1) {
    for (int64_t bt = bt0; bt < bt1; ++bt) {
      const int64_t t = bt % seq;
      const float* c = cos + t * half;
      const float* s = sin + t * half;
      for (int64_t h = 0; h < heads; ++h) {
        float* v = x + bt * ld + h * head_dim;
        for (int64_t i = 0; i < half; ++i) {
          const float a = v[i], b = v[i + half], sn = sign * s[i];
          v[i] = a * c[i] - b * sn;         // x1 cos - x2 sin
          v[i + half] = b * c[i] + a * sn;  // x2 cos + x1 sin
        }
      }
    }
  });
}

}  // namespace mhub::core::grad
