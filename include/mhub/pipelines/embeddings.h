// Feature-extraction and sentence-similarity math over token embeddings.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "mhub/base/result.h"

namespace mhub::pipelines {

enum class Pooling { kMean, kCls, kNone };
Result<Pooling> ParsePooling(std::string_view name);

// hidden: (T, H) row-major token embeddings of one input; mask: (T,) attention mask.
// kMean averages the rows where mask != 0 (sentence-transformers' mean pooling); kCls takes row 0.
std::vector<float> Pool(const std::vector<float>& hidden, size_t hidden_size, const std::vector<int>& mask,
                        Pooling pooling);
// In place L2 normalisation (no-op for the zero vector).
void L2Normalize(std::vector<float>& v);
double CosineSimilarity(const std::vector<float>& a, const std::vector<float>& b);

}  // namespace mhub::pipelines
