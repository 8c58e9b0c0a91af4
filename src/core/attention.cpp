// Attention driver: splits (batch, kv head, query-row chunk) work items over threads and feeds
// groups of <= 4 query rows to the active ISA's attention_rows kernel (core/cpu/kernels_impl.inc),
// or, for options.bf16 on AVX512_BF16 CPUs, packs the item's keys and values to bf16 once and feeds
// the rows to AttentionRowsBf16 (core/cpu/attention_bf16.h).
#include "mhub/core/attention.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/cpu/attention_bf16.h"
#include "core/cpu/kernel_table.h"
#include "core/cpu/parallel.h"
#include "core/cpu/team.h"
#include "mhub/core/cpu.h"

namespace mhub::core {
namespace {

template <typename View>  // HeadsView or HeadsViewBf16
Status CheckViews(const View& q, const View& k, const View& v, const View& out) {
  auto mismatch = [](const std::string& what) { return Status::InvalidArgument("Attention: " + what); };
  if (!q.data || !k.data || !v.data || !out.data) return mismatch("a view has no data");
  if (k.batch != q.batch || v.batch != q.batch || out.batch != q.batch) return mismatch("batch sizes differ");
  if (k.seq != v.seq) return mismatch("keys and values have different lengths");
  if (out.seq != q.seq || out.heads != q.heads) return mismatch("out does not match q");
  if (k.heads != v.heads) return mismatch("keys and values have different head counts");
  if (k.heads <= 0 || q.heads % k.heads != 0)
    return mismatch("num_heads " + std::to_string(q.heads) + " is not a multiple of num_kv_heads " +
                    std::to_string(k.heads));
  if (k.head_dim != q.head_dim || v.head_dim != q.head_dim || out.head_dim != q.head_dim)
    return mismatch("head_dim differs between q, k, v, out");
  return Status::OK();
}

constexpr int64_t kScoreBlock = 64;  // kt columns: a multiple of every ISA's score block (4x16, 2x8, 2x1)
constexpr int64_t kRowPad = 16;      // extra floats per kt row (see run_item)

// The padding mask as one byte per (b, key) in this thread's buffer, or null without a mask.
Result<const uint8_t*> KeyOkMask(const AttentionOptions& options, int64_t B, int64_t Tk) {
  if (!options.key_mask) return static_cast<const uint8_t*>(nullptr);
  const Tensor& m = *options.key_mask;
  if ((m.dtype() != DType::kI32 && m.dtype() != DType::kI64) || m.numel() != B * Tk)
    return Status::InvalidArgument("Attention: key_mask must be (B, Tk) = (" + std::to_string(B) + ", " +
                                   std::to_string(Tk) + ") I32/I64, got " + m.shape().ToString());
  thread_local std::vector<uint8_t> key_ok_buf;
  key_ok_buf.resize(static_cast<size_t>(B * Tk));
  for (int64_t i = 0; i < B * Tk; ++i)
    key_ok_buf[i] = (m.dtype() == DType::kI64 ? m.data<int64_t>()[i] != 0 : m.data<int32_t>()[i] != 0) ? 1 : 0;
  return static_cast<const uint8_t*>(key_ok_buf.data());
}

// Work items: each of the `groups` (batch, kv head) pairs cut into chunks of `rows` query rows
// (multiples of 4), about 4 items per thread. Returns {rows per chunk, chunks per group}.
std::pair<int64_t, int64_t> SplitRows(int64_t rows, int64_t groups, int threads) {
  const int64_t want_items = 4 * static_cast<int64_t>(threads);
  const int64_t chunks_per_group = std::max<int64_t>(1, std::min((want_items + groups - 1) / groups, (rows + 3) / 4));
  const int64_t chunk_rows = ((rows + chunks_per_group - 1) / chunks_per_group + 3) / 4 * 4;
  return {chunk_rows, (rows + chunk_rows - 1) / chunk_rows};
}

// What both drivers derive from the views and options: the score scale, the padding mask bytes,
// the work items and each query position's key limit.
struct AttentionPlan {
  int64_t G = 1, Hkv = 1, Tk = 0;
  float scale = 1.0f;
  const uint8_t* key_ok = nullptr;  // one byte per (b, key); null without a mask
  // Work items: (batch, kv head, chunk of `chunk_rows` of the `rows` query rows r = t * G + g).
  int64_t rows = 0, chunk_rows = 0, chunks = 0, items = 0;
  bool causal = false;
  int64_t q_offset = 0;

  // Keys [0, Limit(t)) are the ones query position t may see before the mask and the window.
  int64_t Limit(int64_t t) const { return causal ? std::clamp<int64_t>(q_offset + t + 1, 0, Tk) : Tk; }

  struct Item {
    int64_t b, kvh, r0, r1;  // batch row, kv head, query rows [r0, r1)
  };
  Item At(int64_t item) const {
    const int64_t c = item % chunks, r0 = c * chunk_rows;
    return {item / (Hkv * chunks), (item / chunks) % Hkv, r0, std::min(rows, r0 + chunk_rows)};
  }
};

Result<AttentionPlan> PlanAttention(const AttentionOptions& options, int64_t B, int64_t Tq, int64_t Hq, int64_t Hkv,
                                    int64_t Tk, int64_t D) {
  AttentionPlan p;
  MHUB_ASSIGN_OR_RETURN(p.key_ok, KeyOkMask(options, B, Tk));
  p.G = Hq / Hkv;
  p.Hkv = Hkv;
  p.Tk = Tk;
  p.scale = options.scale != 0.0f ? options.scale : 1.0f / std::sqrt(static_cast<float>(D));
  p.rows = Tq * p.G;
  std::tie(p.chunk_rows, p.chunks) = SplitRows(p.rows, B * Hkv, NumThreads());
  p.items = B * Hkv * p.chunks;
  p.causal = options.causal;
  p.q_offset = options.q_offset;
  return p;
}

// Query rows [r0, r1) of (batch b, kv head) on the AVX512_BF16 kernels: keys and values [lo, lo + L)
// packed once (L the largest limit(t) of the rows), then the rows in groups of 4, row r (query
// position t = r / G) seeing keys [lo, lo + limit(t)). The views hold F32 or BF16 values (the
// kernels have both overloads).
template <typename QView, typename KView, typename OutView, typename LimitFn>
void RunBf16Rows(const QView& q, const KView& k, const KView& v, const OutView& out, const AttentionPlan& plan,
                 int64_t b, int64_t kvh, int64_t r0, int64_t r1, int64_t lo, const LimitFn& limit_of) {
  using Q = std::remove_pointer_t<decltype(q.at(0, 0, 0))>;
  using O = std::remove_pointer_t<decltype(out.at(0, 0, 0))>;
  thread_local std::vector<uint16_t> kp_buf, vp_buf, prob_buf;
  thread_local std::vector<float> score_buf;
  const int64_t G = plan.G, D = q.head_dim;
  int64_t lmax = 0;
  for (int64_t r = r0; r < r1; ++r) lmax = std::max(lmax, limit_of(r / G));
  kp_buf.resize(static_cast<size_t>(cpu::PackedKeysSize(lmax, D)));
  vp_buf.resize(static_cast<size_t>(cpu::PackedValuesSize(lmax, D)) + 1);
  cpu::AttentionBf16Keys kv{};
  cpu::PackKeysValuesBf16(k.at(b, lo, kvh), k.stride_t, v.at(b, lo, kvh), v.stride_t, lmax, D, kp_buf.data(),
                          vp_buf.data(), kv);
  kv.key_ok = plan.key_ok ? plan.key_ok + b * plan.Tk + lo : nullptr;
  kv.scale = plan.scale;
  score_buf.resize(static_cast<size_t>(4 * kv.cols));
  prob_buf.resize(static_cast<size_t>(4 * kv.cols));
  const Q* qr[4];
  O* outr[4];
  int64_t limit[4];
  for (int64_t r = r0; r < r1; r += 4) {
    const int n = static_cast<int>(std::min<int64_t>(4, r1 - r));
    for (int i = 0; i < n; ++i) {
      const int64_t t = (r + i) / G, h = kvh * G + (r + i) % G;
      qr[i] = q.at(b, t, h);
      outr[i] = out.at(b, t, h);
      limit[i] = limit_of(t);
    }
    cpu::AttentionRowsBf16(kv, qr, outr, limit, n, score_buf.data(), prob_buf.data());
  }
}

// One work item (batch b, kv head, chunk of query rows) of the AVX512_BF16 path.
template <typename QView, typename KView, typename OutView>
void RunBf16Item(const QView& q, const KView& k, const KView& v, const OutView& out, const AttentionPlan& plan,
                 int64_t item) {
  const auto [b, kvh, r0, r1] = plan.At(item);
  RunBf16Rows(q, k, v, out, plan, b, kvh, r0, r1, 0, [&](int64_t t) { return plan.Limit(t); });
}

}  // namespace

Status Attention(const HeadsView& q, const HeadsView& k, const HeadsView& v, const HeadsView& out,
                 const AttentionOptions& options) {
  MHUB_RETURN_IF_ERROR(CheckViews(q, k, v, out));
  const int64_t B = q.batch, Tq = q.seq, Hq = q.heads, Hkv = k.heads, G = Hq / Hkv, Tk = k.seq, D = q.head_dim;
  MHUB_ASSIGN_OR_RETURN(const AttentionPlan plan, PlanAttention(options, B, Tq, Hq, Hkv, Tk, D));
  if (B == 0 || Tq == 0) return Status::OK();
  const float scale = plan.scale;
  const uint8_t* key_ok = plan.key_ok;
  const auto& kern = cpu::Kernels();
  auto limit_of = [&](int64_t t) { return plan.Limit(t); };

  const bool bf16 = options.bf16 && D <= cpu::kMaxHeadDimBf16 && ActiveIsa() == Isa::kAvx512 && cpu::HasAvx512Bf16();

  // Sliding window: the first key query t may see (0 without a window).
  if (options.window < 0) return Status::InvalidArgument("Attention: window must be >= 0");
  auto first_of = [&](int64_t t) -> int64_t {
    if (options.window <= 0) return 0;
    return std::clamp<int64_t>(options.q_offset + t - options.window + 1, 0, limit_of(t));
  };
  // The window cuts keys off only when some query sits `window` or more positions past key 0.
  const bool windowed = options.window > 0 && options.q_offset + Tq > options.window;

  // Windowed rows: the rows of one query position share the key range [first, limit), so each
  // group of them runs on k, v and key_ok shifted to `first` (keys untransposed; bf16: packed per
  // group).
  auto run_item_window = [&](int64_t item) {
    thread_local std::vector<float> wscore_buf;
    const auto [b, kvh, r0, r1] = plan.At(item);
    for (int64_t r = r0; r < r1;) {
      const int64_t t = r / G, rend = std::min(r1, (t + 1) * G);
      const int64_t lo = first_of(t), span = limit_of(t) - lo;
      if (span <= 0) {
        for (int64_t i = r; i < rend; ++i) std::fill_n(out.at(b, t, kvh * G + i % G), D, 0.0f);
        r = rend;
        continue;
      }
      if (bf16) {
        RunBf16Rows(q, k, v, out, plan, b, kvh, r, rend, lo, [span](int64_t) { return span; });
      } else {
        wscore_buf.resize(static_cast<size_t>(4 * span));
        cpu::AttentionRows a{};
        a.key_ok = key_ok ? key_ok + b * Tk + lo : nullptr;
        a.k = k.at(b, lo, kvh);
        a.k_stride = k.stride_t;
        a.kt = nullptr;
        a.ldk = span;
        a.v = v.at(b, lo, kvh);
        a.v_stride = v.stride_t;
        a.tk = span;
        a.d = D;
        a.scale = scale;
        a.scores = wscore_buf.data();
        for (int64_t g = r; g < rend; g += 4) {
          a.rows = static_cast<int>(std::min<int64_t>(4, rend - g));
          for (int i = 0; i < a.rows; ++i) {
            const int64_t h = kvh * G + (g + i) % G;
            a.q[i] = q.at(b, t, h);
            a.out[i] = out.at(b, t, h);
            a.limit[i] = span;
          }
          kern.attention_rows(a);
        }
      }
      r = rend;
    }
  };

  // bf16: keys and values of the item packed once, then groups of 4 query rows.
  auto run_item_bf16 = [&](int64_t item) { RunBf16Item(q, k, v, out, plan, item); };

  auto run_item = [&](int64_t item) {
    if (windowed) {
      run_item_window(item);
      return;
    }
    if (bf16) {
      run_item_bf16(item);
      return;
    }
    thread_local std::vector<float> kt_buf, score_buf;
    const auto [b, kvh, r0, r1] = plan.At(item);
    const float* kb = k.at(b, 0, kvh);
    const float* vb = v.at(b, 0, kvh);
    int64_t lmax = 0;
    for (int64_t r = r0; r < r1; ++r) lmax = std::max(lmax, limit_of(r / G));
    // Columns [lmax, cols) of kt are zeros; the row stride is padded by kRowPad so that its rows
    // (512 B apart at S=128) do not alias in the store buffer during the transpose.
    const int64_t cols = std::max<int64_t>(kScoreBlock, (lmax + kScoreBlock - 1) / kScoreBlock * kScoreBlock);
    const int64_t ldk = cols + kRowPad;
    const bool transpose = (r1 - r0) >= 4 && lmax > 0;
    if (transpose) {
      kt_buf.resize(static_cast<size_t>(D * ldk));
      float* kt = kt_buf.data();
      // 16x16 tiles: the 16 key rows of a tile stay in L1 while their columns are written out.
      for (int64_t j0 = 0; j0 < lmax; j0 += 16) {
        const int64_t j1 = std::min<int64_t>(lmax, j0 + 16);
        for (int64_t d0 = 0; d0 < D; d0 += 16) {
          const int64_t d1 = std::min<int64_t>(D, d0 + 16);
          for (int64_t d = d0; d < d1; ++d) {
            float* dst = kt + d * ldk;
            for (int64_t j = j0; j < j1; ++j) dst[j] = kb[j * k.stride_t + d];
          }
        }
      }
      for (int64_t d = 0; d < D; ++d) std::fill(kt + d * ldk + lmax, kt + d * ldk + cols, 0.0f);
    }
    score_buf.resize(static_cast<size_t>(4 * ldk));
    cpu::AttentionRows a{};
    a.key_ok = key_ok ? key_ok + b * Tk : nullptr;
    a.k = kb;
    a.k_stride = k.stride_t;
    a.kt = transpose ? kt_buf.data() : nullptr;
    a.ldk = ldk;
    a.v = vb;
    a.v_stride = v.stride_t;
    a.tk = Tk;
    a.d = D;
    a.scale = scale;
    a.scores = score_buf.data();
    for (int64_t r = r0; r < r1; r += 4) {
      a.rows = static_cast<int>(std::min<int64_t>(4, r1 - r));
      for (int i = 0; i < a.rows; ++i) {
        const int64_t t = (r + i) / G, h = kvh * G + (r + i) % G;
        a.q[i] = q.at(b, t, h);
        a.out[i] = out.at(b, t, h);
        a.limit[i] = limit_of(t);
      }
      kern.attention_rows(a);
    }
  };

  cpu::ForEachItem(plan.items, NumThreads(), run_item);
  return Status::OK();
}

// ---- bf16 views (bf16 encoders): q, k, v and out stay bf16 in memory ----

namespace {

// A contiguous (B,T,H,D) F32 view over `buf` (grown, never shrunk: a warm forward allocates nothing).
HeadsView F32Heads(const HeadsViewBf16& x, std::vector<float>& buf) {
  HeadsView v;
  v.batch = x.batch;
  v.seq = x.seq;
  v.heads = x.heads;
  v.head_dim = x.head_dim;
  v.stride_h = x.head_dim;
  v.stride_t = x.heads * x.head_dim;
  v.stride_b = x.seq * v.stride_t;
  buf.resize(static_cast<size_t>(x.batch * v.stride_b));
  v.data = buf.data();
  return v;
}

// The F32 copy of a bf16 view, for the fallback below.
HeadsView WidenHeads(const HeadsViewBf16& x, std::vector<float>& buf) {
  HeadsView v = F32Heads(x, buf);
  const auto& kern = cpu::Kernels();
  cpu::ParallelFor(x.batch * x.seq, 64, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i)
      for (int64_t h = 0; h < x.heads; ++h)
        kern.bf16_to_f32(x.at(i / x.seq, i % x.seq, h), v.at(i / x.seq, i % x.seq, h), x.head_dim, false);
  });
  return v;
}

}  // namespace

Status Attention(const HeadsViewBf16& q, const HeadsViewBf16& k, const HeadsViewBf16& v, const HeadsViewBf16& out,
                 const AttentionOptions& options) {
  MHUB_RETURN_IF_ERROR(CheckViews(q, k, v, out));
  const int64_t B = q.batch, Tq = q.seq, Hq = q.heads, Hkv = k.heads, Tk = k.seq, D = q.head_dim;
  const bool windowed = options.window > 0 && options.q_offset + Tq > options.window;
  if (windowed || D > cpu::kMaxHeadDimBf16 || ActiveIsa() != Isa::kAvx512 || !cpu::HasAvx512Bf16()) {
    // Widened to F32 in this thread's buffers, the F32 driver (with its bf16 products where the CPU
    // has them), rounded back.
    thread_local std::vector<float> qbuf, kbuf, vbuf, obuf;
    const HeadsView qv = WidenHeads(q, qbuf), kv = WidenHeads(k, kbuf), vv = WidenHeads(v, vbuf);
    const HeadsView ov = F32Heads(out, obuf);
    AttentionOptions opt = options;
    opt.bf16 = true;
    MHUB_RETURN_IF_ERROR(Attention(qv, kv, vv, ov, opt));
    const auto& kern = cpu::Kernels();
    cpu::ParallelFor(B * Tq, 64, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i)
        for (int64_t h = 0; h < Hq; ++h) kern.f32_to_bf16(ov.at(i / Tq, i % Tq, h), out.at(i / Tq, i % Tq, h), D);
    });
    return Status::OK();
  }
  MHUB_ASSIGN_OR_RETURN(const AttentionPlan plan, PlanAttention(options, B, Tq, Hq, Hkv, Tk, D));
  if (B == 0 || Tq == 0) return Status::OK();
  cpu::ForEachItem(plan.items, NumThreads(), [&](int64_t item) { RunBf16Item(q, k, v, out, plan, item); });
  return Status::OK();
}

}  // namespace mhub::core
