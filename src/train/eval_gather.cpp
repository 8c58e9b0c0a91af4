#include "eval_gather.h"

#include <algorithm>
#include <string>

namespace mhub::train::internal {
namespace {

int64_t RowElems(const std::vector<int64_t>& shape, size_t from) {
  int64_t n = 1;
  for (size_t i = from; i < shape.size(); ++i) n *= shape[i];
  return n;
}

// Appends `src` to `dst` on axis 0, first padding whichever is shorter on axis 1 (rank >= 2).
template <typename T>
void ConcatPadded(std::vector<T>& dst, std::vector<int64_t>& dst_shape, std::span<const T> src,
                  std::vector<int64_t> src_shape, T fill) {
  if (dst_shape.empty()) {
    dst.assign(src.begin(), src.end());
    dst_shape = std::move(src_shape);
    return;
  }
  if (dst_shape.size() >= 2 && dst_shape[1] != src_shape[1]) {
    const int64_t len = std::max(dst_shape[1], src_shape[1]);
    const int64_t inner = RowElems(dst_shape, 2);
    auto widen = [&](std::vector<T>& v, std::vector<int64_t>& shape) {
      if (shape[1] == len) return;
      std::vector<T> out(size_t(shape[0] * len * inner), fill);
      for (int64_t r = 0; r < shape[0]; ++r)
        std::copy_n(v.begin() + r * shape[1] * inner, shape[1] * inner, out.begin() + r * len * inner);
      v = std::move(out);
      shape[1] = len;
    };
    widen(dst, dst_shape);
    std::vector<T> s(src.begin(), src.end());
    widen(s, src_shape);
    dst.insert(dst.end(), s.begin(), s.end());
  } else {
    dst.insert(dst.end(), src.begin(), src.end());
  }
  dst_shape[0] += src_shape[0];
}

}  // namespace

Status EvalGatherer::Add(const models::ModelOutputs& outputs, std::span<const int64_t> labels,
                         const std::vector<int64_t>& label_shape) {
  for (const auto& [name, arr] : outputs) {
    auto& dst = pred_.predictions[name];
    if (!dst.shape.empty() && dst.shape.size() != arr.shape.size())
      return Status::InvalidArgument("compute_metrics: output '" + name + "' changes rank between eval batches");
    ConcatPadded<float>(dst.values, dst.shape, arr.values, arr.shape, -100.f);
  }
  if (!labels.empty()) {
    if (!pred_.label_shape.empty() && pred_.label_shape.size() != label_shape.size())
      return Status::InvalidArgument("compute_metrics: labels change rank between eval batches");
    ConcatPadded<int64_t>(pred_.label_ids, pred_.label_shape, labels, label_shape, -100);
  }
  return Status::OK();
}

EvalPrediction EvalGatherer::Take() { return std::move(pred_); }

}  // namespace mhub::train::internal
