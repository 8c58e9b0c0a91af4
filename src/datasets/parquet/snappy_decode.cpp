#include "datasets/parquet/snappy_decode.h"

#include <cstring>

namespace mhub::datasets::parquet {
namespace {

// The varint: at most 5 bytes, a value below 2^32.
const uint8_t* ReadLength(const uint8_t* p, const uint8_t* end, size_t* length) {
  uint64_t v = 0;
  for (int shift = 0; shift <= 28; shift += 7) {
    if (p >= end) return nullptr;
    const uint8_t b = *p++;
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      if (v > 0xffffffffu) return nullptr;
      *length = static_cast<size_t>(v);
      return p;
    }
  }
  return nullptr;
}

}  // namespace

bool SnappyLength(const uint8_t* src, size_t size, size_t* length) {
  return ReadLength(src, src + size, length) != nullptr;
}

bool SnappyDecode(const uint8_t* src, size_t size, uint8_t* dst, size_t dst_size) {
  const uint8_t* ip = src;
  const uint8_t* const end = src + size;
  size_t length = 0;
  ip = ReadLength(ip, end, &length);
  if (!ip || length != dst_size) return false;
  uint8_t* op = dst;
  uint8_t* const oend = dst + dst_size;
  while (ip < end) {
    const uint8_t tag = *ip++;
    if ((tag & 3) == 0) {
      size_t len = (tag >> 2) + 1;
      // Short literal with room on both sides: one fixed 16-byte move.
      if (len <= 16 && end - ip >= 16 && oend - op >= 16) {
        std::memcpy(op, ip, 16);
        op += len;
        ip += len;
        continue;
      }
      if (len > 60) {
        const size_t bytes = len - 60;  // 1..4 bytes of length - 1
        if (static_cast<size_t>(end - ip) < bytes) return false;
        uint32_t v = 0;
        for (size_t i = 0; i < bytes; ++i) v |= static_cast<uint32_t>(ip[i]) << (8 * i);
        ip += bytes;
        len = static_cast<size_t>(v) + 1;
      }
      if (static_cast<size_t>(end - ip) < len || static_cast<size_t>(oend - op) < len) return false;
      std::memcpy(op, ip, len);
      op += len;
      ip += len;
      continue;
    }
    size_t len, offset;
    switch (tag & 3) {
      case 1:
        if (ip >= end) return false;
        len = 4 + ((tag >> 2) & 7);
        offset = (static_cast<size_t>(tag >> 5) << 8) | *ip++;
        break;
      case 2:
        if (end - ip < 2) return false;
        len = 1 + (tag >> 2);
        offset = static_cast<size_t>(ip[0]) | (static_cast<size_t>(ip[1]) << 8);
        ip += 2;
        break;
      default:
        if (end - ip < 4) return false;
        len = 1 + (tag >> 2);
        offset = static_cast<size_t>(ip[0]) | (static_cast<size_t>(ip[1]) << 8) | (static_cast<size_t>(ip[2]) << 16) |
                 (static_cast<size_t>(ip[3]) << 24);
        ip += 4;
        break;
    }
    if (offset == 0 || offset > static_cast<size_t>(op - dst) || static_cast<size_t>(oend - op) < len) return false;
    const uint8_t* from = op - offset;
    // len <= 64. Chunks never read what they write (offset >= chunk size) and may run past len
    // when 64 bytes of room are left; otherwise byte by byte (overlapping runs repeat a pattern).
    if (offset >= 16 && oend - op >= 64) {
      std::memcpy(op, from, 16);
      for (size_t i = 16; i < len; i += 16) std::memcpy(op + i, from + i, 16);
    } else if (offset >= 8 && oend - op >= 64) {
      for (size_t i = 0; i < len; i += 8) std::memcpy(op + i, from + i, 8);
    } else {
      for (size_t i = 0; i < len; ++i) op[i] = from[i];
    }
    op += len;
  }
  return op == oend;
}

}  // namespace mhub::datasets::parquet
