// Operations on Encoding exactly as HF tokenizers (tokenizer/encoding.rs, utils/truncation.rs,
// utils/padding.rs): merge with cartesian overflowings, windowed truncation, padding.
#pragma once

#include "mhub/base/status.h"
#include "mhub/tokenizers/encoding.h"
#include "mhub/tokenizers/tokenizer.h"

namespace mhub::tokenizers {

// HF Encoding::merge_with (growing_offsets shifts the pair's offsets by our last end).
void MergeWith(Encoding& self, Encoding pair, bool growing_offsets);
Encoding MergeAll(std::vector<Encoding> encodings, bool growing_offsets);
// HF Encoding::truncate; InvalidArgument when stride >= max_len (HF panics there).
Status Truncate(Encoding& e, size_t max_len, size_t stride, Direction direction);
// HF truncate_encodings.
Status TruncateEncodings(Encoding& first, Encoding* second, const TruncationParams& params);
// When both truncated sequences of a pair overflow, merging them (MergeWith) pairs every part of
// one with every part of the other: the result grows with the product of the two lengths (a
// 3.5 KB pair with max_length 7 and stride 1 makes ~1.5 million encodings in HF too). Above
// kMaxPairOverflowTokens tokens in all, ResourceExhausted, so that no request can stall the
// process; below it the result is HF's exactly. `max_length` counts the special tokens. 2^18 tokens
// (~30 MB of encodings): at 2^20 a 3.5 KB request still cost ~1 s of CPU and ~500 MB (the encode
// fuzzer's timeouts under load, twice); a 400-character pair at max_length 7, stride 1 (~140k) fits.
inline constexpr size_t kMaxPairOverflowTokens = size_t{1} << 18;
Status CheckPairOverflowSize(const Encoding& first, const Encoding* second, size_t max_length);
void Pad(Encoding& e, size_t target, uint32_t pad_id, uint32_t pad_type_id, const std::string& pad_token,
         Direction direction);
void PadEncodings(std::vector<Encoding*>& encodings, const PaddingParams& params);
// Sets sequence_ranges to {id: [0, len)}.
void SetSequenceId(Encoding& e, size_t id);

}  // namespace mhub::tokenizers
