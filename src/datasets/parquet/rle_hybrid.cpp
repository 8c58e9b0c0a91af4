#include "datasets/parquet/rle_hybrid.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

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

namespace {

// Unpacks 32 values of W bits (4 * W bytes, LSB first) from `in`, which has at least 4 * W + 8
// readable bytes: every value is one unaligned 8-byte load at a constant offset, a constant shift
// and a mask (the compiler unrolls the loop; W is a compile-time constant).
template <int W>
void Unpack32(const uint8_t* in, uint32_t* out) {
  constexpr uint64_t kMask = W == 32 ? 0xffffffffull : ((uint64_t{1} << W) - 1);
#pragma GCC unroll 32
  for (int j = 0; j < 32; ++j) {
    uint64_t w;
    std::memcpy(&w, in + (j * W) / 8, 8);
    out[j] = static_cast<uint32_t>((w >> ((j * W) % 8)) & kMask);
  }
}

using Unpack32Fn = void (*)(const uint8_t*, uint32_t*);

template <int... Ws>
constexpr std::array<Unpack32Fn, sizeof...(Ws)> MakeUnpackTable(std::integer_sequence<int, Ws...>) {
  return {&Unpack32<Ws + 1>...};
}

// kUnpack32[w - 1] unpacks 32 values of width w (1..32).
constexpr std::array<Unpack32Fn, 32> kUnpack32 = MakeUnpackTable(std::make_integer_sequence<int, 32>());

// One value at a time (tails, unaligned starts): an 8-byte load that never reads past in_size.
void UnpackScalar(const uint8_t* in, size_t in_size, int bit_width, uint64_t bit, int64_t n, uint32_t* out) {
  const uint64_t mask = bit_width == 32 ? 0xffffffffull : ((uint64_t{1} << bit_width) - 1);
  for (int64_t i = 0; i < n; ++i, bit += bit_width) {
    uint64_t w = 0;
    size_t byte = bit >> 3;
    if (byte + 8 <= in_size) {
      std::memcpy(&w, in + byte, 8);
    } else {
      std::memcpy(&w, in + byte, std::min<size_t>(8, in_size - byte));
    }
    out[i] = static_cast<uint32_t>((w >> (bit & 7)) & mask);
  }
}

}  // namespace

void UnpackBits(const uint8_t* in, size_t in_size, int bit_width, uint64_t first_bit, int64_t n, uint32_t* out) {
  if (bit_width == 0) {
    std::fill(out, out + n, 0u);
    return;
  }
  int64_t i = 0;
  uint64_t bit = first_bit;
  // Up to a byte boundary one at a time (a run is byte-aligned; callers cut it at multiples of 8
  // values, so this is rare), then 32 values per step while 4 * width + 8 bytes are readable.
  while (i < n && (bit & 7) != 0) {
    UnpackScalar(in, in_size, bit_width, bit, 1, out + i);
    ++i;
    bit += bit_width;
  }
  const Unpack32Fn fn = kUnpack32[bit_width - 1];
  const size_t step = 4 * static_cast<size_t>(bit_width);
  size_t byte = bit >> 3;
  while (n - i >= 32 && byte + step + 8 <= in_size) {
    fn(in + byte, out + i);
    i += 32;
    byte += step;
  }
  bit = static_cast<uint64_t>(byte) * 8;
  if (n - i >= 32) {
    // The last groups: copy them to a padded buffer so the 8-byte loads stay inside it.
    uint8_t pad[4 * 32 + 8] = {};
    while (n - i >= 32 && byte + step <= in_size) {
      std::memcpy(pad, in + byte, step);
      fn(pad, out + i);
      i += 32;
      byte += step;
    }
    bit = static_cast<uint64_t>(byte) * 8;
  }
  UnpackScalar(in, in_size, bit_width, bit, n - i, out + i);
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
