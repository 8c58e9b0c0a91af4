// Linear: own GEMV for a few rows (memory-bound decode), the own GEMM for the rest (compute-bound
// prefill/encoders), oneDNN with pre-packed weights where asked for. See mhub/core/linear.h.
#include "mhub/core/linear.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/cpu/background.h"
#include "core/cpu/gemm.h"
#include "core/cpu/kernel_table.h"
#include "core/cpu/parallel.h"

namespace mhub::core {

namespace {

dnnl::engine& Engine() {
  // StartupIsa() caps oneDNN's ISA (MHUB_ISA) before the engine's first primitive.
  static dnnl::engine engine = (StartupIsa(), dnnl::engine(dnnl::engine::kind::cpu, 0));
  return engine;
}

dnnl::algorithm DnnlAlgorithm(Activation act) {
  switch (act) {
    case Activation::kGeluErf:
      return dnnl::algorithm::eltwise_gelu_erf;
    case Activation::kGeluTanh:
      return dnnl::algorithm::eltwise_gelu_tanh;
    case Activation::kRelu:
      return dnnl::algorithm::eltwise_relu;
    case Activation::kSilu:
      return dnnl::algorithm::eltwise_swish;
    case Activation::kNone:
      break;
  }
  return dnnl::algorithm::undef;
}

// MHUB_GEMM=onednn|packed|unpacked: what kAuto means (to compare the backends).
MatmulBackend AutoBackend() {
  static const MatmulBackend backend = [] {
    const char* v = std::getenv("MHUB_GEMM");
    const std::string s = v == nullptr ? "" : v;
    return s == "onednn"     ? MatmulBackend::kOneDnn
           : s == "packed"   ? MatmulBackend::kPacked
           : s == "unpacked" ? MatmulBackend::kUnpacked
                             : MatmulBackend::kAuto;
  }();
  return backend;
}

// in (rows, cols) row-major -> out (cols, rows), in 32 x 32 blocks so that the lines read and the
// lines written both stay in L1 ((in, out) weights that the own GEMM does not take as they are).
// Unaligned sources (an mmap'd checkpoint) are read bytewise; the threads take bands of output rows.
template <typename T>
void TransposeBlocked(const T* in, int64_t rows, int64_t cols, T* out) {
  constexpr int64_t kBlock = 32;
  const auto* bytes = reinterpret_cast<const char*>(in);
  cpu::ParallelFor((cols + kBlock - 1) / kBlock, 4, [&](int64_t b0, int64_t b1) {
    for (int64_t r0 = 0; r0 < rows; r0 += kBlock)
      for (int64_t c0 = b0 * kBlock; c0 < std::min(cols, b1 * kBlock); c0 += kBlock) {
        const int64_t r1 = std::min(rows, r0 + kBlock), c1 = std::min(cols, c0 + kBlock);
        for (int64_t c = c0; c < c1; ++c)
          for (int64_t r = r0; r < r1; ++r)
            std::memcpy(out + c * rows + r, bytes + (r * cols + c) * sizeof(T), sizeof(T));
      }
  });
}

// M used to ask oneDNN for its preferred weight layout (the layout depends on N, K and the ISA;
// the same packed weights then serve every M).
constexpr int64_t kPackingM = 256;

}  // namespace

struct Linear::Impl : std::enable_shared_from_this<Linear::Impl> {
  int64_t n = 0, k = 0;
  DType compute = DType::kF32;
  Tensor w;                 // (N, K) row-major in `compute` dtype, or (K, N) when in_out; may be the caller's weight
  bool in_out = false;      // w is the caller's (K, N) weight, in the compute dtype (F32 or BF16)
  std::vector<float> bias;  // (N) or empty

  std::mutex mu;  // guards the oneDNN state below
  bool pack_tried = false;
  dnnl::memory packed;  // weights in oneDNN's layout; empty handle if packing failed
  std::unordered_map<int64_t, dnnl::matmul> prims;
  MatmulBackend backend = MatmulBackend::kAuto;  // never kAuto after Create when MHUB_GEMM is set
  std::mutex pack_mu;                            // held while packing `gemm`
  cpu::GemmWeights gemm;                         // packed for the own GEMM
  std::atomic<bool> gemm_ready{false};           // `gemm` is set (then read without a lock)
  std::atomic<bool> gemm_queued{false};          // kAuto: packing asked of the background thread

  void PackGemm(cpu::GemmType type) {
    {
      std::lock_guard<std::mutex> lock(pack_mu);
      if (gemm_ready.load(std::memory_order_relaxed)) return;
      const float* b = bias.empty() ? nullptr : bias.data();
      gemm = in_out ? cpu::GemmWeights::PackInOut(w.raw_data(), type, n, k, b)
                    : cpu::GemmWeights::Pack(w.raw_data(), type, n, k, b);
      gemm_ready.store(true, std::memory_order_release);
    }
    // The panels move to huge pages in the background once the first calls are over (in a forked
    // child they stay on small ones): collapsing pages during a first forward slowed GPT-2 small's
    // bf16 first prefill to 132-176 ms, against 64-78 ms.
    std::weak_ptr<Impl> self = weak_from_this();
    (void)cpu::RunInBackground(
        [self] {
          if (auto impl = self.lock()) impl->gemm.MoveToHugePages();
        },
        /*when_quiet=*/true);
  }

  // The packed panels, or null while the calls run on the weights as they are: kUnpacked always,
  // kAuto until the background thread has packed them. I8 weights, and (K, N) ones, whose panels
  // are slices of their rows (a plain copy), are packed by the first call.
  const cpu::GemmWeights* Panels(cpu::GemmType type) {
    if (gemm_ready.load(std::memory_order_acquire)) return &gemm;
    if (type != cpu::GemmType::kI8 && !in_out) {
      if (backend == MatmulBackend::kUnpacked) return nullptr;
      if (backend == MatmulBackend::kAuto) {
        if (gemm_queued.exchange(true, std::memory_order_acq_rel)) return nullptr;
        std::weak_ptr<Impl> self = weak_from_this();
        if (cpu::RunInBackground([self, type] {
              if (auto impl = self.lock()) impl->PackGemm(type);
            }))
          return nullptr;
        // A forked child has no background thread: pack here.
      }
    }
    PackGemm(type);
    return &gemm;
  }

  dnnl::memory::data_type dt() const {
    return compute == DType::kBF16 ? dnnl::memory::data_type::bf16 : dnnl::memory::data_type::f32;
  }
  dnnl::memory::desc user_weights_md() const {  // (K, N) as it is, or a (K, N) view of (N, K) row-major
    return dnnl::memory::desc({k, n}, dt(), in_out ? dnnl::memory::format_tag::ab : dnnl::memory::format_tag::ba);
  }

  void PackLocked() {
    pack_tried = true;
    try {
      using tag = dnnl::memory::format_tag;
      dnnl::memory::desc src({kPackingM, k}, dt(), tag::ab);
      dnnl::memory::desc wei({k, n}, dt(), tag::any);
      dnnl::memory::desc dst({kPackingM, n}, dnnl::memory::data_type::f32, tag::ab);
      dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(src, wei, dst), Engine());
      dnnl::memory user(user_weights_md(), Engine(), w.raw_data());
      packed = dnnl::memory(pd.weights_desc(), Engine());
      dnnl::stream s(Engine());
      dnnl::reorder(user, packed).execute(s, user, packed);
      s.wait();
    } catch (const dnnl::error&) {
      packed = dnnl::memory();
    }
  }

  // Primitive for (m, act, accumulate, dst dtype); null handle if oneDNN refuses.
  dnnl::matmul PrimitiveLocked(int64_t m, Activation act, bool accumulate, bool bf16_dst) {
    const int64_t key = m * 32 + (bf16_dst ? 16 : 0) + static_cast<int64_t>(act) * 2 + (accumulate ? 1 : 0);
    auto it = prims.find(key);
    if (it != prims.end()) return it->second;
    if (!pack_tried) PackLocked();
    dnnl::matmul prim;
    try {
      using tag = dnnl::memory::format_tag;
      dnnl::memory::desc src({m, k}, dt(), tag::ab);
      dnnl::memory::desc wei = packed ? packed.get_desc() : user_weights_md();
      dnnl::memory::desc dst({m, n}, bf16_dst ? dnnl::memory::data_type::bf16 : dnnl::memory::data_type::f32, tag::ab);
      dnnl::post_ops po;
      if (act != Activation::kNone)
        po.append_eltwise(1.0f, DnnlAlgorithm(act), act == Activation::kSilu ? 1.0f : 0.0f, 0.0f);
      if (accumulate) po.append_sum(1.0f);
      dnnl::primitive_attr attr;
      attr.set_post_ops(po);
      dnnl::matmul::desc desc =
          bias.empty()
              ? dnnl::matmul::desc(src, wei, dst)
              : dnnl::matmul::desc(src, wei, dnnl::memory::desc({1, n}, dnnl::memory::data_type::f32, tag::ab), dst);
      prim = dnnl::matmul(dnnl::matmul::primitive_desc(desc, attr, Engine()));
    } catch (const dnnl::error&) {
      prim = dnnl::matmul();
    }
    prims.emplace(key, prim);
    return prim;
  }
};

Result<Linear> Linear::Create(const Tensor& weight, const Tensor& bias, WeightLayout layout,
                              const LinearOptions& options) {
  if (weight.ndim() != 2)
    return Status::InvalidArgument("Linear: weight must be 2-D, got " + weight.shape().ToString());
  const DType wd = weight.dtype();
  if (wd != DType::kF32 && wd != DType::kBF16 && wd != DType::kF16)
    return Status::Unsupported("Linear: weight dtype " + std::string(DTypeName(wd)) + " is not supported");
  if (options.compute != DType::kF32 && options.compute != DType::kBF16 && options.compute != DType::kI8)
    return Status::InvalidArgument("Linear: compute dtype must be F32, BF16 or I8");
  auto impl = std::make_shared<Impl>();
  impl->backend = options.backend == MatmulBackend::kAuto ? AutoBackend() : options.backend;
  if (options.compute == DType::kI8) {
    if (impl->backend == MatmulBackend::kOneDnn)
      return Status::InvalidArgument("Linear: I8 compute runs on the own GEMM, not oneDNN");
    impl->compute = DType::kI8;
  } else {
    impl->compute = wd == DType::kBF16 ? DType::kBF16 : options.compute;
  }
  // Weights are kept in the compute dtype; I8 quantizes F32 ones when it packs them.
  const DType storage = impl->compute == DType::kI8 ? DType::kF32 : impl->compute;
  impl->n = layout == WeightLayout::kOutIn ? weight.dim(0) : weight.dim(1);
  impl->k = layout == WeightLayout::kOutIn ? weight.dim(1) : weight.dim(0);
  if (impl->n <= 0 || impl->k <= 0) return Status::InvalidArgument("Linear: empty weight");

  // (N, K) row-major weights in the compute dtype; zero-copy when the caller's already are. (K, N)
  // ones (GPT-2's Conv1D) in the compute dtype stay as they are where the own GEMM runs: its panels
  // are slices of their rows, packed on the first call, and serve every M (no transposed copy, no
  // GEMV; in BF16, x is then rounded to bf16 at every M).
  const bool aligned = reinterpret_cast<uintptr_t>(weight.raw_data()) % DTypeSize(wd) == 0;
  const cpu::GemmType own = impl->compute == DType::kBF16 ? cpu::GemmType::kBf16 : cpu::GemmType::kF32;
  impl->in_out = layout == WeightLayout::kInOut && wd == impl->compute && aligned &&
                 impl->backend != MatmulBackend::kOneDnn && cpu::OwnGemmAvailable(own);
  if ((layout == WeightLayout::kOutIn && wd == storage && aligned) || impl->in_out) {
    impl->w = weight;
  } else {
    Tensor src = weight;
    if (layout == WeightLayout::kInOut) {  // transpose (K, N) -> (N, K), keeping the dtype
      Tensor t = Tensor::Empty(wd, {impl->n, impl->k});
      if (DTypeSize(wd) == 4) {
        TransposeBlocked(static_cast<const uint32_t*>(weight.raw_data()), impl->k, impl->n,
                         static_cast<uint32_t*>(t.raw_data()));
      } else {
        TransposeBlocked(static_cast<const uint16_t*>(weight.raw_data()), impl->k, impl->n,
                         static_cast<uint16_t*>(t.raw_data()));
      }
      src = t;
    }
    if (src.dtype() == storage) {
      impl->w = src.raw_data() == weight.raw_data() ? src.Clone() : src;
    } else {
      MHUB_ASSIGN_OR_RETURN(impl->w, src.To(storage));
    }
  }
  if (bias.defined()) {
    if (bias.numel() != impl->n)
      return Status::InvalidArgument("Linear: bias has " + std::to_string(bias.numel()) + " values, expected " +
                                     std::to_string(impl->n));
    MHUB_ASSIGN_OR_RETURN(Tensor b32, bias.To(DType::kF32));
    impl->bias.assign(b32.data<float>(), b32.data<float>() + impl->n);
  }
  Linear l;
  l.impl_ = std::move(impl);
  return l;
}

bool Linear::packed() const { return impl_ && impl_->gemm_ready.load(std::memory_order_acquire); }

void WaitForPackedWeights() { cpu::WaitForBackground(); }

int64_t Linear::in_features() const { return impl_ ? impl_->k : 0; }
int64_t Linear::out_features() const { return impl_ ? impl_->n : 0; }
DType Linear::compute_dtype() const { return impl_ ? impl_->compute : DType::kF32; }

Status Linear::Forward(const Tensor& x, Tensor& y, Activation act, bool accumulate) const {
  if (!impl_) return Status::InvalidArgument("Linear::Forward on an empty Linear");
  Impl& im = *impl_;
  const bool x_bf16 = x.dtype() == DType::kBF16, y_bf16 = y.dtype() == DType::kBF16;
  if ((x.dtype() != DType::kF32 && !x_bf16) || (y.dtype() != DType::kF32 && !y_bf16))
    return Status::InvalidArgument("Linear::Forward: x and y must be F32 or BF16");
  if ((x_bf16 || y_bf16) && im.compute != DType::kBF16)
    return Status::InvalidArgument("Linear::Forward: BF16 x or y needs BF16 compute");
  if (y_bf16 && accumulate) return Status::InvalidArgument("Linear::Forward: cannot accumulate into a BF16 y");
  if (x.ndim() < 1 || x.shape()[-1] != im.k)
    return Status::InvalidArgument("Linear::Forward: x " + x.shape().ToString() + " does not end in in_features " +
                                   std::to_string(im.k));
  const int64_t m = x.shape().rows();
  if (y.ndim() < 1 || y.shape()[-1] != im.n || y.shape().rows() != m)
    return Status::InvalidArgument("Linear::Forward: y " + y.shape().ToString() + " should be (" + std::to_string(m) +
                                   ", " + std::to_string(im.n) + ")");
  if (m == 0) return Status::OK();
  const int64_t n = im.n, k = im.k;
  const auto& kern = cpu::Kernels();
  const bool i8 = im.compute == DType::kI8;

  // (K, N) weights take the own GEMM at every M: its panels stream each weight row in memory order.
  if (m <= kGemvMaxRows && !i8 && !im.in_out) {
    // The GEMV kernels read F32 rows and write F32: widen a BF16 x (a few rows), and narrow into a
    // BF16 y through the per-thread buffer.
    thread_local std::vector<float> xwide;
    const float* xp = nullptr;
    if (x_bf16) {
      xwide.resize(static_cast<size_t>(m * k));
      kern.bf16_to_f32(x.data<uint16_t>(), xwide.data(), m * k, false);
      xp = xwide.data();
    } else {
      xp = x.data<float>();
    }
    float* yp = y_bf16 ? nullptr : y.data<float>();
    uint16_t* ybf = y_bf16 ? y.data<uint16_t>() : nullptr;
    const float* bias = im.bias.empty() ? nullptr : im.bias.data();
    cpu::ParallelFor(n, 64, [&](int64_t n0, int64_t n1) {
      thread_local std::vector<float> tmp;
      const int64_t w = n1 - n0;
      // Kernel writes out[r * ldo + j] for j < w; straight into y unless accumulating or narrowing.
      float* out = yp + n0;
      int64_t ldo = n;
      if (accumulate || y_bf16) {
        tmp.resize(static_cast<size_t>(m * w));
        out = tmp.data();
        ldo = w;
      }
      if (im.compute == DType::kBF16)
        kern.gemv_bf16(xp, m, k, im.w.data<uint16_t>() + n0 * k, 0, w, out, ldo);
      else
        kern.gemv_f32(xp, m, k, im.w.data<float>() + n0 * k, 0, w, out, ldo);
      for (int64_t r = 0; r < m; ++r) {
        float* row = out + r * ldo;
        if (bias) kern.add(row, bias + n0, row, w);
        cpu::ApplyActivation(act, row, w);
        if (accumulate) kern.add(yp + r * n + n0, row, yp + r * n + n0, w);
        if (y_bf16) kern.f32_to_bf16(row, ybf + r * n + n0, w);
      }
    });
    return Status::OK();
  }

  // The matmul: the own GEMM unless oneDNN is asked for and has a primitive (it has no bf16 matmul
  // below AVX-512: those calls come to the own GEMM too).
  const bool bf16 = im.compute == DType::kBF16;
  const cpu::GemmType type = i8 ? cpu::GemmType::kI8 : bf16 ? cpu::GemmType::kBf16 : cpu::GemmType::kF32;
  dnnl::matmul prim;
  bool own = im.backend != MatmulBackend::kOneDnn;
  if (!own) {
    std::lock_guard<std::mutex> lock(im.mu);
    prim = im.PrimitiveLocked(m, act, accumulate, y_bf16);
    own = !prim;
  }
  const cpu::GemmWeights* panels = own ? im.Panels(type) : nullptr;

  // The matmul operand: x itself, or (BF16 compute) x rounded to bf16 in this thread's buffer (the
  // workers' thread_locals are others): as bf16 bits, or as f32 values where the GEMM's bf16 weights
  // are widened to f32 (no bf16 dot product on this ISA; the same products).
  const void* src = x.raw_data();
  if (bf16) {
    const bool f32_in = own && (panels != nullptr ? panels->f32_panels() : cpu::Bf16TakesF32Input());
    thread_local std::vector<uint16_t> xbf;
    thread_local std::vector<float> xr;
    const uint16_t* xb = x_bf16 ? x.data<uint16_t>() : nullptr;
    if (!x_bf16) {
      const float* xp = x.data<float>();
      xbf.resize(static_cast<size_t>(m * k));
      uint16_t* dst = xbf.data();
      cpu::ParallelFor(m, std::max<int64_t>(1, 16384 / k),
                       [&](int64_t r0, int64_t r1) { kern.f32_to_bf16(xp + r0 * k, dst + r0 * k, (r1 - r0) * k); });
      xb = dst;
    }
    src = xb;
    if (f32_in) {
      xr.resize(static_cast<size_t>(m * k));
      float* dst = xr.data();
      cpu::ParallelFor(m, std::max<int64_t>(1, 16384 / k), [&](int64_t r0, int64_t r1) {
        kern.bf16_to_f32(xb + r0 * k, dst + r0 * k, (r1 - r0) * k, false);
      });
      src = dst;
    }
  }

  if (own) {
    cpu::GemmOutput out;
    if (y_bf16) {
      out.ybf = y.data<uint16_t>();
    } else {
      out.y = y.data<float>();
    }
    out.act = act;
    out.accumulate = accumulate;
    if (panels != nullptr) {
      cpu::Gemm(src, m, *panels, out);
    } else {
      cpu::GemmUnpacked(src, m, im.w.raw_data(), type, n, k, im.bias.empty() ? nullptr : im.bias.data(), out);
    }
    return Status::OK();
  }

  dnnl::memory::desc wmd;
  void* wdata = nullptr;
  {
    std::lock_guard<std::mutex> lock(im.mu);
    if (im.packed) {
      wmd = im.packed.get_desc();
      wdata = im.packed.get_data_handle();
    } else {
      wmd = im.user_weights_md();
      wdata = im.w.raw_data();
    }
  }
  try {
    using tag = dnnl::memory::format_tag;
    thread_local dnnl::stream stream(Engine());
    dnnl::memory src_mem({{m, k}, im.dt(), tag::ab}, Engine(), const_cast<void*>(src));
    dnnl::memory wei(wmd, Engine(), wdata);
    dnnl::memory dst({{m, n}, y_bf16 ? dnnl::memory::data_type::bf16 : dnnl::memory::data_type::f32, tag::ab}, Engine(),
                     y.raw_data());
    std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, src_mem}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, dst}};
    if (!im.bias.empty())
      args.emplace(DNNL_ARG_BIAS, dnnl::memory({{1, n}, dnnl::memory::data_type::f32, tag::ab}, Engine(),
                                               const_cast<float*>(im.bias.data())));
    cpu::Quiesce();  // oneDNN runs on its OpenMP team: our spinning workers give it the cores
    prim.execute(stream, args);
    stream.wait();
  } catch (const dnnl::error& e) {
    return Status::Internal(std::string("Linear::Forward: oneDNN: ") + e.what());
  }
  return Status::OK();
}

}  // namespace mhub::core
