#include "mhub/pipelines/embeddings.h"

#include <algorithm>
#include <cmath>

namespace mhub::pipelines {

Result<Pooling> ParsePooling(std::string_view name) {
  if (name == "mean") return Pooling::kMean;
  if (name == "cls") return Pooling::kCls;
  if (name == "none") return Pooling::kNone;
  return Status::InvalidArgument("pooling must be mean, cls or none, got '" + std::string(name) + "'");
}

std::vector<float> Pool(const std::vector<float>& hidden, size_t hidden_size, const std::vector<int>& mask,
                        Pooling pooling) {
  size_t tokens = hidden_size ? hidden.size() / hidden_size : 0;
  if (pooling == Pooling::kNone) return hidden;
  std::vector<float> out(hidden_size, 0.0f);
  if (tokens == 0) return out;
  if (pooling == Pooling::kCls) return std::vector<float>(hidden.begin(), hidden.begin() + hidden_size);
  std::vector<double> sum(hidden_size, 0.0);
  double count = 0;
  for (size_t t = 0; t < tokens; ++t) {
    if (t < mask.size() && mask[t] == 0) continue;
    for (size_t h = 0; h < hidden_size; ++h) sum[h] += hidden[t * hidden_size + h];
    count += 1;
  }
  // sentence-transformers clamps the count at 1e-9.
  if (count < 1e-9) count = 1e-9;
  for (size_t h = 0; h < hidden_size; ++h) out[h] = static_cast<float>(sum[h] / count);
  return out;
}

void L2Normalize(std::vector<float>& v) {
  double ss = 0;
  for (float x : v) ss += static_cast<double>(x) * x;
  // torch.nn.functional.normalize: x / max(||x||, 1e-12)
  double n = std::max(std::sqrt(ss), 1e-12);
  for (float& x : v) x = static_cast<float>(x / n);
}

double CosineSimilarity(const std::vector<float>& a, const std::vector<float>& b) {
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    dot += static_cast<double>(a[i]) * b[i];
    na += static_cast<double>(a[i]) * a[i];
    nb += static_cast<double>(b[i]) * b[i];
  }
  double denom = std::max(std::sqrt(na) * std::sqrt(nb), 1e-8);
  return dot / denom;
}

}  // namespace mhub::pipelines
