// Outside oracle: the same inputs through mhub_core and through PyTorch (tests/clients/core_torch_parity.py),
// compared within 1e-5 (bit-exact for the bf16/f16 conversions).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "core_test_util.h"
#include "mhub/core/attention.h"
#include "mhub/core/kernels.h"
#include "mhub/core/linear.h"
#include "mhub/core/rope.h"
#include "support/test_support.h"

namespace mhub::core {
namespace {

using mhub::testing::TempDir;
using testing::RandomTensor;

class TorchParity : public ::testing::Test {
 protected:
  void Write(const std::string& name, const Tensor& t) {
    std::ofstream(dir_ / (name + ".bin"), std::ios::binary)
        .write(static_cast<const char*>(t.raw_data()), static_cast<std::streamsize>(t.nbytes()));
    shapes_ += name;
    for (int i = 0; i < t.ndim(); ++i) shapes_ += " " + std::to_string(t.dim(i));
    shapes_ += "\n";
  }
  std::vector<float> Read(const std::string& name, int64_t n) {
    std::vector<float> v(static_cast<size_t>(n));
    std::ifstream in(dir_ / ("torch_" + name + ".bin"), std::ios::binary);
    in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(n * 4));
    EXPECT_EQ(in.gcount(), n * 4) << "torch output " << name;
    return v;
  }
  void RunTorch() {
    mhub::testing::WriteFileOrDie(dir_ / "shapes.txt", shapes_);
    auto r = mhub::testing::RunCommand(
        mhub::testing::Python() + " " +
        mhub::testing::ShellQuote(mhub::testing::SourceDir() + "/tests/clients/core_torch_parity.py") + " " +
        mhub::testing::ShellQuote(dir_.path()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  TempDir dir_;
  std::string shapes_;
};

TEST_F(TorchParity, KernelsMatchPyTorch) {
  const int64_t R = 8, C = 777;
  Tensor x = RandomTensor({R, C}, 1, -6, 6), w = RandomTensor({C}, 2, 0.5, 1.5), b = RandomTensor({C}, 3);
  Write("x", x);
  Write("w", w);
  Write("b", b);
  const int64_t M = 37, K = 300, N = 130;
  Tensor a = RandomTensor({M, K}, 4), lw = RandomTensor({N, K}, 5, -0.2f, 0.2f), lb = RandomTensor({N}, 6);
  Write("a", a);
  Write("lw", lw);
  Write("lb", lb);
  const int64_t B = 2, H = 4, Hkv = 2, T = 37, D = 64;
  Tensor q = RandomTensor({B, H, T, D}, 7, -2, 2), k = RandomTensor({B, Hkv, T, D}, 8, -2, 2),
         v = RandomTensor({B, Hkv, T, D}, 9);
  std::vector<float> km(B * T, 1.0f);
  for (int64_t j = 0; j < 5; ++j) km[T + j] = 0.0f;  // row 1 left-padded by 5
  Tensor key_mask = Tensor::FromVector(km, {B, T});
  Write("q", q);
  Write("k", k);
  Write("v", v);
  Write("key_mask", key_mask);
  Tensor rope_x = RandomTensor({1, 3, 2048, 64}, 10);
  Write("rope_x", rope_x);
  RunTorch();

  auto expect_close = [&](const Tensor& got, const std::string& name, float tol) {
    std::vector<float> ref = Read(name, got.numel());
    testing::ExpectClose(got.ToFloatVector().data(), ref.data(), got.numel(), tol, tol, name);
  };
  for (Isa isa : testing::SupportedIsas()) {
    SCOPED_TRACE(std::string(IsaName(isa)));
    ASSERT_TRUE(SetIsa(isa).ok());
    Tensor out = Tensor::Empty(DType::kF32, {R, C});
    ASSERT_TRUE(LayerNorm(x, w, b, 1e-5f, out).ok());
    expect_close(out, "layer_norm", 1e-5f);
    ASSERT_TRUE(Gelu(x, out, GeluKind::kErf).ok());
    expect_close(out, "gelu_erf", 1e-5f);
    ASSERT_TRUE(Gelu(x, out, GeluKind::kTanh).ok());
    expect_close(out, "gelu_tanh", 1e-5f);
    Tensor x3 = x.Clone();
    ASSERT_TRUE(Scale(x3, 3.0f).ok());
    ASSERT_TRUE(Softmax(x3, out).ok());
    expect_close(out, "softmax", 1e-5f);
    ASSERT_TRUE(Silu(x, out).ok());
    expect_close(out, "silu", 1e-5f);
    ASSERT_TRUE(RmsNorm(x, w, 1e-6f, out).ok());
    expect_close(out, "rms_norm", 1e-5f);

    // Conversions: bit-exact.
    for (auto [dt, name] : {std::pair{DType::kBF16, "bf16_bits"}, std::pair{DType::kF16, "f16_bits"}}) {
      Tensor c = x.To(dt).value();
      std::vector<float> ref = Read(name, c.numel());
      for (int64_t i = 0; i < c.numel(); ++i)
        ASSERT_EQ(static_cast<int16_t>(c.data<uint16_t>()[i]), static_cast<int16_t>(ref[i])) << name << " " << i;
    }

    // Linear: oneDNN path (M=37) and GEMV path (rows 0..2).
    Linear lin = Linear::Create(lw, lb, WeightLayout::kOutIn).value();
    Tensor y = Tensor::Empty(DType::kF32, {M, N});
    ASSERT_TRUE(lin.Forward(a, y).ok());
    expect_close(y, "linear", 1e-5f);
    Tensor y3 = Tensor::Empty(DType::kF32, {3, N});
    ASSERT_TRUE(lin.Forward(a.Narrow0(0, 3), y3).ok());
    std::vector<float> ref = Read("linear", M * N);
    testing::ExpectClose(y3.data<float>(), ref.data(), 3 * N, 1e-5f, 1e-5f, "linear gemv");
    // bf16 weights and activations (torch rounds the output to bf16 too: compare at bf16 resolution).
    Linear lin16 =
        Linear::Create(lw.To(DType::kBF16).value(), lb.To(DType::kBF16).value(), WeightLayout::kOutIn).value();
    ASSERT_TRUE(lin16.Forward(a, y).ok());
    expect_close(y, "linear_bf16", 1.6e-2f);

    // Attention with causal + padding masks and GQA; our layout is (B,T,H,D): view q/k/v (B,H,T,D) by strides.
    auto bhtd = [](const Tensor& t) {
      HeadsView hv;
      hv.data = t.data<float>();
      hv.batch = t.dim(0);
      hv.heads = t.dim(1);
      hv.seq = t.dim(2);
      hv.head_dim = t.dim(3);
      hv.stride_b = t.dim(1) * t.dim(2) * t.dim(3);
      hv.stride_h = t.dim(2) * t.dim(3);
      hv.stride_t = t.dim(3);
      return hv;
    };
    Tensor att = Tensor::Empty(DType::kF32, {B, H, T, D});
    Tensor mask_ids = Tensor::Empty(DType::kI64, {B, T});
    for (int64_t i = 0; i < B * T; ++i) mask_ids.data<int64_t>()[i] = km[i] > 0 ? 1 : 0;
    AttentionOptions opt;
    opt.causal = true;
    opt.key_mask = &mask_ids;
    ASSERT_TRUE(Attention(bhtd(q), bhtd(k), bhtd(v), bhtd(att), opt).ok());
    // Rows of batch 1 before its first real token see no key here (zeros) but a uniform mix in torch
    // (finfo.min fill); compare the real rows only.
    std::vector<float> ref_att = Read("attention", att.numel());
    for (int64_t bb = 0; bb < B; ++bb)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t t = (bb == 1 ? 5 : 0); t < T; ++t) {
          const int64_t off = ((bb * H + h) * T + t) * D;
          testing::ExpectClose(att.data<float>() + off, ref_att.data() + off, D, 1e-5f, 1e-5f, "attention");
        }

    RopeConfig rc;
    rc.rotary_dim = 64;
    RopeTable table = RopeTable::Build(rc, 2048).value();
    Tensor rx = rope_x.Clone();
    ASSERT_TRUE(ApplyRope(bhtd(rx), table, {}).ok());
    expect_close(rx, "rope", 1e-5f);
  }
  ASSERT_TRUE(SetIsa(StartupIsa()).ok());
}

}  // namespace
}  // namespace mhub::core
