// Linear against a naive triple loop: the GEMV path (M <= kGemvMaxRows) on every ISA and the matmul
// path on every backend (the own GEMM of the active ISA: CTest runs this binary under each MHUB_ISA
// the machine has; and oneDNN, whose bf16 calls below AVX-512 come to the own GEMM), f32 and bf16
// (vdpbf16ps on AVX512_BF16, else bf16 weights widened to f32), both weight layouts, bias, fused
// activations and the residual accumulate.
#include "mhub/core/linear.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "core/cpu/gemm.h"
#include "core/reference/reference_kernels.h"
#include "core_test_util.h"
#include "mhub/core/dtype.h"

namespace mhub::core {
namespace {

using testing::RandomTensor;

class LinearTest : public testing::IsaTest {};

// The backend Check() asks for (set by the matmul suites below).
MatmulBackend g_backend = MatmulBackend::kAuto;

float Act(Activation act, double v) {
  switch (act) {
    case Activation::kGeluErf:
      return static_cast<float>(0.5 * v * (1 + std::erf(v / std::sqrt(2.0))));
    case Activation::kGeluTanh:
      return static_cast<float>(0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v))));
    case Activation::kRelu:
      return static_cast<float>(v > 0 ? v : 0);
    case Activation::kSilu:
      return static_cast<float>(v / (1 + std::exp(-v)));
    case Activation::kNone:
      break;
  }
  return static_cast<float>(v);
}

std::vector<float> RoundBf16(const float* p, int64_t n) {
  std::vector<float> out(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) out[i] = BF16ToF32(F32ToBF16(p[i]));
  return out;
}

// Checks y = act(x W^T + b) (+ y0) with tolerance relative to sum |x||w| (accumulation order differs).
void Check(int64_t m, int64_t k, int64_t n, DType wdtype, DType compute, WeightLayout layout, bool bias, Activation act,
           bool accumulate, uint32_t seed) {
  SCOPED_TRACE("M=" + std::to_string(m) + " K=" + std::to_string(k) + " N=" + std::to_string(n) +
               " w=" + std::string(DTypeName(wdtype)) + " compute=" + std::string(DTypeName(compute)) +
               " layout=" + std::to_string(static_cast<int>(layout)) + " act=" + std::to_string(static_cast<int>(act)) +
               " acc=" + std::to_string(accumulate));
  Tensor x = RandomTensor({m, k}, seed, -1, 1);
  Tensor w_outin = RandomTensor({n, k}, seed + 1, -1, 1);
  Tensor b = bias ? RandomTensor({n}, seed + 2) : Tensor();
  Tensor w = w_outin;
  if (layout == WeightLayout::kInOut) {
    w = Tensor::Empty(DType::kF32, {k, n});
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < k; ++j) w.data<float>()[j * n + i] = w_outin.data<float>()[i * k + j];
  }
  w = w.To(wdtype).value();
  LinearOptions opt;
  opt.compute = compute;
  opt.backend = g_backend;
  Linear lin = Linear::Create(w, b, layout, opt).value();
  ASSERT_EQ(lin.in_features(), k);
  ASSERT_EQ(lin.out_features(), n);
  const bool bf16 = lin.compute_dtype() == DType::kBF16;
  Tensor y = RandomTensor({m, n}, seed + 3);
  Tensor y0 = y.Clone();
  ASSERT_TRUE(lin.Forward(x, y, act, accumulate).ok());

  // Reference operands: weights as the compute dtype sees them; x rounded to bf16 on the oneDNN bf16 path.
  // The weights as stored (after the F16/BF16 rounding of To(wdtype)), back in (out, in) order.
  std::vector<float> stored = w.ToFloatVector(), wr(static_cast<size_t>(n * k));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < k; ++j)
      wr[i * k + j] = layout == WeightLayout::kOutIn ? stored[i * k + j] : stored[j * n + i];
  if (bf16) wr = RoundBf16(wr.data(), n * k);
  // x is rounded to bf16 where the matmul runs (M > kGemvMaxRows), and at every M for BF16 (in, out)
  // weights on the own GEMM (they have no GEMV).
  const bool own_in_out =
      layout == WeightLayout::kInOut && wdtype == DType::kBF16 && g_backend != MatmulBackend::kOneDnn;
  std::vector<float> xr = (bf16 && (m > kGemvMaxRows || own_in_out))
                              ? RoundBf16(x.data<float>(), m * k)
                              : std::vector<float>(x.data<float>(), x.data<float>() + m * k);
  std::vector<float> ref(static_cast<size_t>(m * n));
  reference::Matmul(xr.data(), wr.data(), bias ? b.data<float>() : nullptr, ref.data(), m, n, k);
  int failures = 0;
  for (int64_t i = 0; i < m && failures < 5; ++i)
    for (int64_t j = 0; j < n && failures < 5; ++j) {
      double mag = bias ? std::fabs(b.data<float>()[j]) : 0.0;
      for (int64_t l = 0; l < k; ++l) mag += std::fabs(xr[i * k + l] * wr[j * k + l]);
      const float expect = Act(act, ref[i * n + j]) + (accumulate ? y0.data<float>()[i * n + j] : 0.0f);
      const float got = y.data<float>()[i * n + j];
      const double tol = 1e-4 * mag + 1e-5 * std::fabs(expect) + 1e-6;
      if (!(std::fabs(got - expect) <= tol)) {
        ADD_FAILURE() << "y[" << i << "," << j << "] = " << got << " expected " << expect << " tol " << tol;
        ++failures;
      }
    }
}

TEST_P(LinearTest, GemvPathMatchesNaive) {
  uint32_t seed = 1;
  for (int64_t m : {1, 2, 3, 4})
    for (int64_t k : {1, 7, 16, 64, 100})
      for (int64_t n : {1, 5, 64, 131})
        for (DType wd : {DType::kF32, DType::kBF16}) {
          seed += 5;
          Check(m, k, n, wd, DType::kF32, WeightLayout::kOutIn, (seed & 2) != 0, Activation::kNone, false, seed);
          // (in, out) weights: transposed once (other ISAs, BF16), or F32 ones packed from where they are.
          Check(m, k, n, wd, DType::kF32, WeightLayout::kInOut, (seed & 4) != 0, Activation::kNone, false, seed + 1);
        }
}

TEST_P(LinearTest, GemvEpilogues) {
  uint32_t seed = 1000;
  for (Activation act :
       {Activation::kNone, Activation::kGeluErf, Activation::kGeluTanh, Activation::kRelu, Activation::kSilu})
    for (bool acc : {false, true})
      for (WeightLayout layout : {WeightLayout::kOutIn, WeightLayout::kInOut})
        Check(1, 48, 70, DType::kF32, DType::kF32, layout, true, act, acc, seed += 5);
}

INSTANTIATE_TEST_SUITE_P(AllIsas, LinearTest, ::testing::ValuesIn(testing::SupportedIsas()), testing::IsaParamName);

// The matmul path (M > kGemvMaxRows) on one backend; kAuto is the own GEMM on AVX-512 CPUs.
class LinearMatmul : public ::testing::TestWithParam<MatmulBackend> {
 protected:
  void SetUp() override { g_backend = GetParam(); }
  void TearDown() override { g_backend = MatmulBackend::kAuto; }
};

TEST_P(LinearMatmul, MatchesNaiveF32AndBf16) {
  uint32_t seed = 2000;
  for (int64_t m : {5, 17, 64, 129})
    for (int64_t k : {7, 64, 96})
      for (int64_t n : {3, 64, 130}) {
        Check(m, k, n, DType::kF32, DType::kF32, WeightLayout::kOutIn, true, Activation::kNone, false, seed += 5);
        Check(m, k, n, DType::kBF16, DType::kF32, WeightLayout::kOutIn, true, Activation::kNone, false, seed += 5);
      }
}

TEST_P(LinearMatmul, LargeBf16InputsConvertOnEveryThread) {
  Check(300, 768, 64, DType::kBF16, DType::kF32, WeightLayout::kOutIn, true, Activation::kGeluTanh, false, 77);
  Check(300, 768, 64, DType::kF32, DType::kBF16, WeightLayout::kInOut, true, Activation::kNone, true, 78);
}

// Shapes that cut across the own GEMM's blocking: row tails of the 6-row tiles and of the row
// chunks (192), column tails of the 64-column panels, several K blocks (K > 1024), odd K in bf16.
TEST_P(LinearMatmul, BlockingEdges) {
  uint32_t seed = 5000;
  for (int64_t m : {5, 7, 13, 200})
    for (int64_t k : {1, 3, 1025, 2100})
      for (int64_t n : {1, 63, 65}) {
        seed += 5;
        const bool bias = (seed & 4) != 0, acc = (seed & 8) != 0;
        Check(m, k, n, DType::kF32, DType::kF32, WeightLayout::kOutIn, bias, Activation::kNone, acc, seed);
        Check(m, k, n, DType::kBF16, DType::kF32, WeightLayout::kOutIn, !bias, Activation::kGeluErf, !acc, seed + 1);
      }
  Check(390, 768, 200, DType::kF32, DType::kF32, WeightLayout::kOutIn, true, Activation::kGeluErf, true, seed += 5);
  Check(390, 768, 200, DType::kF32, DType::kBF16, WeightLayout::kOutIn, true, Activation::kGeluTanh, false, seed += 5);
}

TEST_P(LinearMatmul, LayoutsDtypesActivationsAccumulate) {
  uint32_t seed = 3000;
  for (Activation act :
       {Activation::kNone, Activation::kGeluErf, Activation::kGeluTanh, Activation::kRelu, Activation::kSilu})
    for (bool acc : {false, true}) {
      Check(33, 40, 50, DType::kF32, DType::kF32, WeightLayout::kInOut, true, act, acc, seed += 5);
      Check(33, 40, 50, DType::kF32, DType::kBF16, WeightLayout::kOutIn, false, act, acc, seed += 5);
    }
  Check(9, 24, 20, DType::kF16, DType::kF32, WeightLayout::kOutIn, true, Activation::kNone, false, seed += 5);
  Check(2, 24, 20, DType::kF16, DType::kBF16, WeightLayout::kInOut, true, Activation::kNone, true, seed += 5);
  // (in, out) weights across the transpose's 32 x 32 blocks, in both element sizes.
  Check(7, 70, 45, DType::kBF16, DType::kBF16, WeightLayout::kInOut, true, Activation::kNone, false, seed += 5);
  Check(7, 70, 45, DType::kF32, DType::kF32, WeightLayout::kInOut, false, Activation::kNone, false, seed += 5);
  // BF16 (in, out) weights (packed from where they are on the own GEMM): odd K, panel tails, M <= 4.
  for (int64_t m : {1, 3, 9})
    for (int64_t k : {71, 1025})
      Check(m, k, 130, DType::kBF16, DType::kBF16, WeightLayout::kInOut, true, Activation::kGeluErf, m == 3, seed += 5);
}

TEST_P(LinearMatmul, SameResultForEveryM) {
  // Rows computed alone (GEMV) or in a batch (matmul) agree within f32 accumulation error.
  const int64_t k = 768, n = 300;
  Tensor w = RandomTensor({n, k}, 5);
  LinearOptions opt;
  opt.backend = GetParam();
  Linear lin = Linear::Create(w, Tensor(), WeightLayout::kOutIn, opt).value();
  Tensor x = RandomTensor({40, k}, 6);
  Tensor y = Tensor::Empty(DType::kF32, {40, n});
  ASSERT_TRUE(lin.Forward(x, y).ok());
  for (int64_t r : {0, 13, 39}) {
    Tensor y1 = Tensor::Empty(DType::kF32, {1, n});
    ASSERT_TRUE(lin.Forward(x.Narrow0(r, 1), y1).ok());
    testing::ExpectClose(y1.data<float>(), y.data<float>() + r * n, n, 1e-4f, 1e-4f, "row " + std::to_string(r));
  }
}

// BF16 activations in and out (compute BF16): a BF16 x gives exactly what the same values as F32
// give, and a BF16 y is the F32 result rounded to bf16 — on the GEMV path (M <= 4) and the matmul's.
TEST_P(LinearMatmul, Bf16IoMatchesF32Io) {
  uint32_t seed = 4000;
  for (int64_t m : {1, 3, 4, 5, 33, 130})
    for (Activation act : {Activation::kNone, Activation::kGeluErf}) {
      SCOPED_TRACE("M=" + std::to_string(m) + " act=" + std::to_string(static_cast<int>(act)));
      const int64_t k = 96, n = 70;
      Tensor w = RandomTensor({n, k}, seed += 3).To(DType::kBF16).value();
      LinearOptions opt;
      opt.backend = GetParam();
      Linear lin = Linear::Create(w, RandomTensor({n}, seed + 1), WeightLayout::kOutIn, opt).value();
      ASSERT_EQ(lin.compute_dtype(), DType::kBF16);
      Tensor xb = RandomTensor({m, k}, seed + 2).To(DType::kBF16).value();
      Tensor x = xb.To(DType::kF32).value();  // bf16-representable values as F32
      Tensor y_ref = Tensor::Empty(DType::kF32, {m, n}), y1 = Tensor::Empty(DType::kF32, {m, n});
      Tensor yb = Tensor::Empty(DType::kBF16, {m, n});
      ASSERT_TRUE(lin.Forward(x, y_ref, act).ok());
      ASSERT_TRUE(lin.Forward(xb, y1, act).ok());
      ASSERT_TRUE(lin.Forward(x, yb, act).ok());
      const std::vector<float> got_b = yb.ToFloatVector();
      for (int64_t i = 0; i < m * n; ++i) {
        ASSERT_EQ(y1.data<float>()[i], y_ref.data<float>()[i]) << "BF16 x, element " << i;
        const float r = y_ref.data<float>()[i];
        ASSERT_LE(std::fabs(got_b[i] - r), std::fabs(r) * (1.0f / 256) + 1e-30f) << "BF16 y, element " << i;
      }
    }
}

INSTANTIATE_TEST_SUITE_P(Backends, LinearMatmul,
                         ::testing::Values(MatmulBackend::kAuto, MatmulBackend::kOneDnn, MatmulBackend::kPacked,
                                           MatmulBackend::kUnpacked),
                         [](const ::testing::TestParamInfo<MatmulBackend>& info) {
                           switch (info.param) {
                             case MatmulBackend::kAuto:
                               return std::string("auto");
                             case MatmulBackend::kOneDnn:
                               return std::string("onednn");
                             case MatmulBackend::kPacked:
                               return std::string("packed");
                             case MatmulBackend::kUnpacked:
                               break;
                           }
                           return std::string("unpacked");
                         });

// The own GEMM on the weights where they are and on its packed panels adds the same products in the
// same order, so kAuto's switch from one to the other (once the background thread has packed the
// weights) never changes a result: every value equal, over the blocking's edges (panel and tile
// tails in M and N, several K blocks, odd K in bf16), both compute dtypes, bias, activation,
// accumulate and a bf16 y.
TEST(LinearPacking, UnpackedAndPackedGiveTheSameValues) {
  uint32_t seed = 9000;
  int cases = 0;
  // M = 2100: the unpacked path's blocks of 1024 rows of x, and a tail.
  for (int64_t m : {5, 63, 64, 65, 130, 200, 2100})
    for (int64_t k : {1, 3, 96, 1025, 2100})
      for (int64_t n : {1, 6, 65, 200})
        for (DType compute : {DType::kF32, DType::kBF16}) {
          if (m == 2100 && (k > 96 || n > 65)) continue;  // (kept small)
          seed += 7;
          const bool bias = (seed & 2) != 0, acc = (seed & 4) != 0, bf16_y = compute == DType::kBF16 && (seed & 8) != 0;
          const Activation act = (seed & 16) != 0 ? Activation::kGeluErf : Activation::kNone;
          SCOPED_TRACE("M=" + std::to_string(m) + " K=" + std::to_string(k) + " N=" + std::to_string(n) +
                       " compute=" + std::string(DTypeName(compute)) + " bias=" + std::to_string(bias) +
                       " acc=" + std::to_string(acc && !bf16_y) + " bf16_y=" + std::to_string(bf16_y));
          Tensor w = RandomTensor({n, k}, seed, -1, 1);
          Tensor b = bias ? RandomTensor({n}, seed + 1) : Tensor();
          Tensor x = RandomTensor({m, k}, seed + 2, -1, 1);
          Tensor y0 = RandomTensor({m, n}, seed + 3);
          std::vector<std::vector<float>> results;
          for (MatmulBackend backend : {MatmulBackend::kUnpacked, MatmulBackend::kPacked}) {
            LinearOptions opt;
            opt.compute = compute;
            opt.backend = backend;
            Linear lin = Linear::Create(w, b, WeightLayout::kOutIn, opt).value();
            Tensor y = bf16_y ? Tensor::Empty(DType::kBF16, {m, n}) : y0.Clone();
            ASSERT_TRUE(lin.Forward(x, y, act, acc && !bf16_y).ok());
            EXPECT_EQ(lin.packed(), backend == MatmulBackend::kPacked);
            results.push_back(y.ToFloatVector());
          }
          for (int64_t i = 0; i < m * n; ++i) ASSERT_EQ(results[0][i], results[1][i]) << "element " << i;
          ++cases;
        }
  EXPECT_GT(cases, 100);
}

// F32 and BF16 (in, out) weights (GPT-2's Conv1D) are packed from where they are and serve every M
// with the GEMM's tiles (no GEMV over a transposed copy), so a row computed alone equals the same
// row of a batch exactly.
TEST(LinearPacking, InOutRowsAloneEqualRowsOfABatch) {
  for (DType dtype : {DType::kF32, DType::kBF16}) {
    SCOPED_TRACE(DTypeName(dtype));
    const int64_t k = 2101, n = 131;  // two K blocks, odd K, a panel tail
    Tensor w = RandomTensor({k, n}, 31, -1, 1).To(dtype).value();
    Linear lin = Linear::Create(w, RandomTensor({n}, 32), WeightLayout::kInOut).value();
    Tensor x = RandomTensor({9, k}, 33, -1, 1);
    Tensor y = Tensor::Empty(DType::kF32, {9, n});
    ASSERT_TRUE(lin.Forward(x, y, Activation::kGeluErf).ok());
    EXPECT_TRUE(lin.packed());
    for (int64_t rows : {1, 3, 4}) {
      Tensor part = Tensor::Empty(DType::kF32, {rows, n});
      ASSERT_TRUE(lin.Forward(x.Narrow0(2, rows), part, Activation::kGeluErf).ok());
      for (int64_t i = 0; i < rows * n; ++i) ASSERT_EQ(part.data<float>()[i], y.data<float>()[2 * n + i]) << i;
    }
  }
}

// Threads calling one kAuto layer while it switches from the weights to its panels all get the
// packed layer's values.
TEST(LinearPacking, ConcurrentCallsDuringTheSwitch) {
  if (std::getenv("MHUB_GEMM") != nullptr) GTEST_SKIP() << "MHUB_GEMM overrides kAuto";
  Tensor w = RandomTensor({700, 900}, 41, -1, 1), b = RandomTensor({700}, 42);
  Tensor x = RandomTensor({40, 900}, 43, -1, 1);
  LinearOptions packed;
  packed.backend = MatmulBackend::kPacked;
  Tensor want = Tensor::Empty(DType::kF32, {40, 700});
  ASSERT_TRUE(Linear::Create(w, b, WeightLayout::kOutIn, packed).value().Forward(x, want).ok());
  Linear lin = Linear::Create(w, b, WeightLayout::kOutIn).value();
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        Tensor y = Tensor::Empty(DType::kF32, {40, 700});
        if (!lin.Forward(x, y).ok() || std::memcmp(y.data<float>(), want.data<float>(), sizeof(float) * 40 * 700) != 0)
          mismatches.fetch_add(1);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
  WaitForPackedWeights();
  EXPECT_TRUE(lin.packed());
}

// kAuto: calls before the packing are served from the weights as they are, the background thread
// packs them, and later calls use the panels, with the same values.
TEST(LinearPacking, AutoPacksInTheBackground) {
  Tensor w = RandomTensor({300, 1100}, 21, -1, 1);
  Linear lin = Linear::Create(w, RandomTensor({300}, 22), WeightLayout::kOutIn).value();
  if (std::getenv("MHUB_GEMM") != nullptr) GTEST_SKIP() << "MHUB_GEMM overrides kAuto";
  Tensor x = RandomTensor({70, 1100}, 23, -1, 1);
  Tensor first = Tensor::Empty(DType::kF32, {70, 300}), later = Tensor::Empty(DType::kF32, {70, 300});
  ASSERT_TRUE(lin.Forward(x, first).ok());
  WaitForPackedWeights();
  EXPECT_TRUE(lin.packed());
  ASSERT_TRUE(lin.Forward(x, later).ok());
  for (int64_t i = 0; i < 70 * 300; ++i) ASSERT_EQ(first.data<float>()[i], later.data<float>()[i]) << "element " << i;
  // A forked child has no background thread: its first call packs, with the same values.
  Linear fresh = Linear::Create(w, RandomTensor({300}, 22), WeightLayout::kOutIn).value();
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    Tensor y = Tensor::Empty(DType::kF32, {70, 300});
    bool same = fresh.Forward(x, y).ok() && fresh.packed();
    for (int64_t i = 0; same && i < 70 * 300; ++i) same = y.data<float>()[i] == first.data<float>()[i];
    _exit(same ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  // A layer dropped while its packing waits in the queue: the job finds it gone (it holds a weak
  // reference; a use after free here would show under the sanitizers, not as a failed expectation).
  {
    Linear gone = Linear::Create(RandomTensor({64, 64}, 24), Tensor(), WeightLayout::kOutIn).value();
    Tensor y = Tensor::Empty(DType::kF32, {8, 64});
    ASSERT_TRUE(gone.Forward(RandomTensor({8, 64}, 25), y).ok());
  }
  WaitForPackedWeights();
}

// I8 compute: weights quantized per output row, x per row on each call (CTranslate2's scheme,
// written out here in double precision), then dequantized; and the result stays close to F32's.
void CheckI8(int64_t m, int64_t k, int64_t n, bool bias, Activation act, bool accumulate, uint32_t seed) {
  SCOPED_TRACE("I8 M=" + std::to_string(m) + " K=" + std::to_string(k) + " N=" + std::to_string(n) +
               " act=" + std::to_string(static_cast<int>(act)) + " acc=" + std::to_string(accumulate));
  Tensor x = RandomTensor({m, k}, seed, -1, 1);
  if (m > 2) std::fill(x.data<float>() + k, x.data<float>() + 2 * k, 0.0f);  // an all-zero row
  Tensor w = RandomTensor({n, k}, seed + 1, -1, 1);
  Tensor b = bias ? RandomTensor({n}, seed + 2) : Tensor();
  LinearOptions opt;
  opt.compute = DType::kI8;
  Linear lin = Linear::Create(w, b, WeightLayout::kOutIn, opt).value();
  ASSERT_EQ(lin.compute_dtype(), DType::kI8);
  Tensor y = RandomTensor({m, n}, seed + 3), y0 = y.Clone();
  ASSERT_TRUE(lin.Forward(x, y, act, accumulate).ok());
  Linear f32 = Linear::Create(w, b, WeightLayout::kOutIn).value();
  Tensor yf = y0.Clone();
  ASSERT_TRUE(f32.Forward(x, yf, act, accumulate).ok());

  auto quantize = [](const float* v, int64_t len, std::vector<int>& q) {
    double amax = 0;
    for (int64_t i = 0; i < len; ++i) amax = std::max(amax, static_cast<double>(std::fabs(v[i])));
    const float inv = amax > 0 ? static_cast<float>(127.0 / amax) : 0.0f;
    q.resize(static_cast<size_t>(len));
    for (int64_t i = 0; i < len; ++i) q[i] = static_cast<int>(std::nearbyint(v[i] * inv));
    return amax / 127.0;
  };
  std::vector<int> xq, wq;
  int failures = 0;
  for (int64_t i = 0; i < m && failures < 5; ++i) {
    const double sx = quantize(x.data<float>() + i * k, k, xq);
    for (int64_t j = 0; j < n && failures < 5; ++j) {
      const double sw = quantize(w.data<float>() + j * k, k, wq);
      int64_t dot = 0;
      double mag = 0;
      for (int64_t l = 0; l < k; ++l) {
        dot += static_cast<int64_t>(xq[l]) * wq[l];
        mag += std::fabs(x.data<float>()[i * k + l] * w.data<float>()[j * k + l]);
      }
      const double pre = static_cast<double>(dot) * sx * sw + (bias ? b.data<float>()[j] : 0.0);
      const float expect = Act(act, pre) + (accumulate ? y0.data<float>()[i * n + j] : 0.0f);
      const float got = y.data<float>()[i * n + j];
      const double tol = 1e-5 * (std::fabs(pre) + mag * 0.01) + 1e-5;
      if (!(std::fabs(got - expect) <= tol)) {
        ADD_FAILURE() << "y[" << i << "," << j << "] = " << got << " expected " << expect << " tol " << tol;
        ++failures;
      }
      // Quantization error bound: each product is off by at most |x||dw| + |dx||w| + |dx||dw| with
      // |dx| <= sx/2, |dw| <= sw/2 (GELU/SiLU/ReLU change values by at most that much too).
      double qerr = 0;
      for (int64_t l = 0; l < k; ++l)
        qerr += std::fabs(x.data<float>()[i * k + l]) * sw / 2 + std::fabs(w.data<float>()[j * k + l]) * sx / 2 +
                sx * sw / 4;
      const float f = yf.data<float>()[i * n + j];
      if (!(std::fabs(got - f) <= 1.2 * qerr + 1e-4 * mag + 1e-5)) {
        ADD_FAILURE() << "y[" << i << "," << j << "] = " << got << " is " << std::fabs(got - f) << " from F32's " << f
                      << ", more than the quantization bound " << qerr;
        ++failures;
      }
    }
  }
}

TEST(LinearI8, MatchesTheQuantizationSchemeAndStaysNearF32) {
  // On every ISA (vpdpbusd with AVX512_VNNI, vpmaddubsw on AVX2, plain loops on scalar): the same exact int32 sums.
  uint32_t seed = 6000;
  for (int64_t m : {1, 3, 7, 130})
    for (int64_t k : {1, 7, 64, 1030})
      for (int64_t n : {1, 65, 130}) {
        seed += 3;
        CheckI8(m, k, n, (seed & 2) != 0, Activation::kNone, (seed & 4) != 0, seed);
      }
  for (Activation act : {Activation::kGeluErf, Activation::kRelu, Activation::kSilu})
    for (bool acc : {false, true}) CheckI8(40, 96, 70, true, act, acc, seed += 3);
  CheckI8(300, 768, 200, true, Activation::kNone, true, seed += 3);
}

TEST(LinearI8, RejectsBf16IoAndOneDnn) {
  LinearOptions opt;
  opt.compute = DType::kI8;
  opt.backend = MatmulBackend::kOneDnn;
  EXPECT_EQ(Linear::Create(RandomTensor({8, 16}, 1), Tensor(), WeightLayout::kOutIn, opt).status().code(),
            StatusCode::kInvalidArgument);
  opt.backend = MatmulBackend::kAuto;
  Linear lin = Linear::Create(RandomTensor({8, 16}, 1), Tensor(), WeightLayout::kOutIn, opt).value();
  Tensor xb = RandomTensor({6, 16}, 2).To(DType::kBF16).value(), y = Tensor::Empty(DType::kF32, {6, 8});
  EXPECT_EQ(lin.Forward(xb, y).code(), StatusCode::kInvalidArgument);
}

TEST(LinearBf16Io, RejectsUnsupportedCombinations) {
  Linear f32 = Linear::Create(RandomTensor({8, 16}, 1), Tensor(), WeightLayout::kOutIn).value();
  Tensor xb = RandomTensor({6, 16}, 2).To(DType::kBF16).value();
  Tensor y = Tensor::Empty(DType::kF32, {6, 8}), yb = Tensor::Empty(DType::kBF16, {6, 8});
  EXPECT_EQ(f32.Forward(xb, y).code(), StatusCode::kInvalidArgument);  // BF16 x needs BF16 compute
  EXPECT_EQ(f32.Forward(RandomTensor({6, 16}, 3), yb).code(), StatusCode::kInvalidArgument);
  Linear b16 =
      Linear::Create(RandomTensor({8, 16}, 1).To(DType::kBF16).value(), Tensor(), WeightLayout::kOutIn).value();
  EXPECT_EQ(b16.Forward(xb, yb, Activation::kNone, /*accumulate=*/true).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(b16.Forward(xb, yb).ok());
}

TEST(LinearShapes, RejectsMismatches) {
  Linear lin = Linear::Create(RandomTensor({4, 3}, 1), Tensor(), WeightLayout::kOutIn).value();
  Tensor x = RandomTensor({2, 5}, 2), y = Tensor::Empty(DType::kF32, {2, 4});
  EXPECT_EQ(lin.Forward(x, y).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Linear::Create(RandomTensor({4}, 1), Tensor(), WeightLayout::kOutIn).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mhub::core
