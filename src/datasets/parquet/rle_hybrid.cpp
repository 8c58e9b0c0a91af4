#include "datasets/parquet/rle_hybrid.h"

#include <algorithm>
#include <cstring>

namespace mhub::datasets::parquet {

bool ReadUleb128(const uint8_t** p, const uint8_t* end, uint64_t* out) {
  uint64_t v = 0;
  const uint8_t* q = *p;
  for (int shift = 0; shift < 70; shift += 7) {
    if (q >= end) return false;
    uint8_t b = *q++;
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *p = q;
      *out = v;
      return true;
    }
  }
  return false;
}

void UnpackBits(const uint8_t* in, size_t in_size, int bit_width, uint64_t first_bit, int64_t n, uint32_t* out) {
  if (bit_width == 0) {
    std::fill(out, out + n, 0u);
    return;
  }
  const uint64_t mask = bit_width == 32 ? 0xffffffffull : ((uint64_t{1} << bit_width) - 1);
  uint64_t bit = first_bit;
  int64_t i = 0;
  // Fast path: an unaligned 8-byte load holds any value of <= 32 bits at any bit offset; stop
  // while 8 bytes remain readable.
  if (in_size >= 8) {
    const uint64_t safe_end_bit = (in_size - 8) * 8;
    for (; i < n && bit <= safe_end_bit; ++i, bit += bit_width) {
      uint64_t w;
      std::memcpy(&w, in + (bit >> 3), 8);
      out[i] = static_cast<uint32_t>((w >> (bit & 7)) & mask);
    }
  }
  for (; i < n; ++i, bit += bit_width) {
    uint64_t w = 0;
    size_t byte = bit >> 3;
    size_t avail = std::min<size_t>(8, in_size - byte);
    std::memcpy(&w, in + byte, avail);
    out[i] = static_cast<uint32_t>((w >> (bit & 7)) & mask);
  }
}

bool RleBitPackedDecoder::NextRun() {
  // Runs of zero values are legal but carry nothing: loop past them (no recursion on crafted input).
  while (true) {
    uint64_t h;
    if (!ReadUleb128(&p_, end_, &h)) return false;
    if (h & 1) {
      uint64_t groups = h >> 1;
      if (groups == 0) continue;
      groups = std::min<uint64_t>(groups, uint64_t{1} << 37);
      if (bit_width_ == 0) {
        packed_ = packed_end_ = p_;
        packed_bit_ = 0;
        packed_left_ = static_cast<int64_t>(groups * 8);
        return true;
      }
      // Bytes the run claims; a run cut short by the end of the data keeps the values present.
      uint64_t bytes = groups * static_cast<uint64_t>(bit_width_);
      uint64_t use = std::min(bytes, static_cast<uint64_t>(end_ - p_));
      packed_ = p_;
      packed_end_ = p_ + use;
      packed_bit_ = 0;
      packed_left_ = static_cast<int64_t>(std::min(use * 8 / bit_width_, groups * 8));
      p_ += use;
      if (packed_left_ == 0) return false;
      return true;
    }
    uint64_t count = std::min<uint64_t>(h >> 1, uint64_t{1} << 40);
    int bytes = (bit_width_ + 7) / 8;
    if (end_ - p_ < bytes) return false;
    uint32_t v = 0;
    for (int k = 0; k < bytes; ++k) v |= static_cast<uint32_t>(p_[k]) << (8 * k);
    p_ += bytes;
    if (bit_width_ < 32) v &= (1u << bit_width_) - 1;
    if (count == 0) continue;
    repeat_value_ = v;
    repeat_left_ = static_cast<int64_t>(count);
    return true;
  }
}

template <typename T>
int64_t RleBitPackedDecoder::GetImpl(T* out, int64_t n, uint32_t* max_seen) {
  int64_t done = 0;
  uint32_t mx = 0;
  uint32_t tmp[256];
  while (done < n) {
    if (repeat_left_ == 0 && packed_left_ == 0) {
      if (!NextRun()) break;
    }
    if (repeat_left_ > 0) {
      int64_t k = std::min(repeat_left_, n - done);
      std::fill(out + done, out + done + k, static_cast<T>(repeat_value_));
      mx = std::max(mx, repeat_value_);
      repeat_left_ -= k;
      done += k;
    } else {
      int64_t k = std::min(packed_left_, n - done);
      size_t size = static_cast<size_t>(packed_end_ - packed_);
      if constexpr (sizeof(T) == 4) {
        UnpackBits(packed_, size, bit_width_, packed_bit_, k, reinterpret_cast<uint32_t*>(out + done));
        if (max_seen) {
          for (int64_t j = 0; j < k; ++j) mx = std::max(mx, static_cast<uint32_t>(out[done + j]));
        }
      } else {
        for (int64_t off = 0; off < k; off += 256) {
          int64_t m = std::min<int64_t>(256, k - off);
          UnpackBits(packed_, size, bit_width_, packed_bit_ + static_cast<uint64_t>(off) * bit_width_, m, tmp);
          for (int64_t j = 0; j < m; ++j) out[done + off + j] = static_cast<T>(tmp[j]);
        }
      }
      packed_bit_ += static_cast<uint64_t>(k) * bit_width_;
      packed_left_ -= k;
      done += k;
    }
  }
  if (max_seen) *max_seen = mx;
  return done;
}

int64_t RleBitPackedDecoder::Get(uint32_t* out, int64_t n) { return GetImpl(out, n, nullptr); }
int64_t RleBitPackedDecoder::Get(int16_t* out, int64_t n) { return GetImpl(out, n, nullptr); }
int64_t RleBitPackedDecoder::Get(uint8_t* out, int64_t n) { return GetImpl(out, n, nullptr); }

uint32_t RleBitPackedDecoder::GetWithMax(uint32_t* out, int64_t n, int64_t* count) {
  uint32_t mx = 0;
  *count = GetImpl(out, n, &mx);
  return mx;
}

}  // namespace mhub::datasets::parquet
