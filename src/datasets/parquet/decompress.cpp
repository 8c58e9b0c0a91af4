#include "datasets/parquet/decompress.h"

#include <brotli/decode.h>
#include <lz4.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <string>

#include "datasets/parquet/snappy_decode.h"

namespace mhub::datasets::parquet {
namespace {

Status SizeMismatch(CompressionCodec codec, size_t got, size_t want) {
  return Status::Corruption(std::string(CodecName(codec)) + " page decompressed to " + std::to_string(got) +
                            " bytes, its header says " + std::to_string(want));
}

// GZIP pages may hold several members (RFC 1952 allows concatenation); inflate until the input
// is used up or the output is full.
Status Gunzip(const uint8_t* src, size_t src_size, uint8_t* dst, size_t dst_size) {
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  // 15 + 32: zlib or gzip header, detected automatically.
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return Status::Internal("inflateInit2 failed");
  zs.next_in = const_cast<Bytef*>(src);
  zs.next_out = dst;
  size_t in_left = src_size, out_left = dst_size;
  Status st;
  while (true) {
    uInt in_chunk = static_cast<uInt>(std::min<size_t>(in_left, 1u << 30));
    uInt out_chunk = static_cast<uInt>(std::min<size_t>(out_left, 1u << 30));
    zs.avail_in = in_chunk;
    zs.avail_out = out_chunk;
    int rc = inflate(&zs, Z_NO_FLUSH);
    in_left -= in_chunk - zs.avail_in;
    out_left -= out_chunk - zs.avail_out;
    if (rc == Z_STREAM_END) {
      if (in_left == 0 || out_left == 0) break;
      if (inflateReset(&zs) != Z_OK) {
        st = Status::Corruption("GZIP page: bad member");
        break;
      }
      continue;
    }
    if (rc == Z_OK && (in_chunk != zs.avail_in || out_chunk != zs.avail_out)) continue;
    if (rc == Z_BUF_ERROR && out_left == 0) {
      st = Status::Corruption("GZIP page decompresses past its declared size");
    } else {
      st = Status::Corruption(std::string("GZIP page: ") + (zs.msg ? zs.msg : "truncated stream"));
    }
    break;
  }
  inflateEnd(&zs);
  if (!st.ok()) return st;
  if (out_left != 0) return SizeMismatch(CompressionCodec::kGzip, dst_size - out_left, dst_size);
  return Status::OK();
}

// Hadoop's LZ4 framing (the deprecated LZ4 codec): blocks of [u32 BE raw size][u32 BE compressed
// size][lz4 block]. Some old writers wrote a raw LZ4 block instead; fall back to that.
Status Lz4Hadoop(const uint8_t* src, size_t src_size, uint8_t* dst, size_t dst_size) {
  size_t in = 0, out = 0;
  auto be32 = [&](size_t at) {
    return (uint32_t{src[at]} << 24) | (uint32_t{src[at + 1]} << 16) | (uint32_t{src[at + 2]} << 8) | src[at + 3];
  };
  bool framed = true;
  while (in < src_size) {
    if (src_size - in < 8) {
      framed = false;
      break;
    }
    uint32_t raw = be32(in), comp = be32(in + 4);
    if (comp > src_size - in - 8 || raw > dst_size - out) {
      framed = false;
      break;
    }
    int n = LZ4_decompress_safe(reinterpret_cast<const char*>(src + in + 8), reinterpret_cast<char*>(dst + out),
                                static_cast<int>(comp), static_cast<int>(raw));
    if (n < 0 || static_cast<uint32_t>(n) != raw) {
      framed = false;
      break;
    }
    in += 8 + comp;
    out += raw;
  }
  if (framed && out == dst_size) return Status::OK();
  int n = LZ4_decompress_safe(reinterpret_cast<const char*>(src), reinterpret_cast<char*>(dst),
                              static_cast<int>(src_size), static_cast<int>(dst_size));
  if (n < 0) return Status::Corruption("LZ4 page: malformed block");
  if (static_cast<size_t>(n) != dst_size) return SizeMismatch(CompressionCodec::kLz4, n, dst_size);
  return Status::OK();
}

}  // namespace

const char* CodecName(CompressionCodec codec) {
  switch (codec) {
    case CompressionCodec::kUncompressed:
      return "UNCOMPRESSED";
    case CompressionCodec::kSnappy:
      return "SNAPPY";
    case CompressionCodec::kGzip:
      return "GZIP";
    case CompressionCodec::kLzo:
      return "LZO";
    case CompressionCodec::kBrotli:
      return "BROTLI";
    case CompressionCodec::kLz4:
      return "LZ4";
    case CompressionCodec::kZstd:
      return "ZSTD";
    case CompressionCodec::kLz4Raw:
      return "LZ4_RAW";
  }
  return "unknown";
}

Status Decompress(CompressionCodec codec, const uint8_t* src, size_t src_size, uint8_t* dst, size_t dst_size) {
  if (src_size > (size_t{1} << 31) || dst_size > (size_t{1} << 31)) {
    return Status::ResourceExhausted("page larger than 2 GiB");
  }
  switch (codec) {
    case CompressionCodec::kUncompressed:
      if (src_size != dst_size) return SizeMismatch(codec, src_size, dst_size);
      if (dst_size) std::memcpy(dst, src, dst_size);
      return Status::OK();
    case CompressionCodec::kSnappy: {
      size_t n = 0;
      if (!SnappyLength(src, src_size, &n)) return Status::Corruption("SNAPPY page: bad length header");
      if (n != dst_size) return SizeMismatch(codec, n, dst_size);
      if (!SnappyDecode(src, src_size, dst, dst_size)) return Status::Corruption("SNAPPY page: malformed data");
      return Status::OK();
    }
    case CompressionCodec::kGzip:
      return Gunzip(src, src_size, dst, dst_size);
    case CompressionCodec::kBrotli: {
      size_t out = dst_size;
      BrotliDecoderResult rc = BrotliDecoderDecompress(src_size, src, &out, dst);
      if (rc != BROTLI_DECODER_RESULT_SUCCESS)
        return Status::Corruption("BROTLI page: malformed or larger than declared");
      if (out != dst_size) return SizeMismatch(codec, out, dst_size);
      return Status::OK();
    }
    case CompressionCodec::kZstd: {
      // Frames may be concatenated; ZSTD_decompress handles that. A frame that wants more room
      // than dst_size fails with dstSize_tooSmall.
      size_t n = ZSTD_decompress(dst, dst_size, src, src_size);
      if (ZSTD_isError(n)) return Status::Corruption(std::string("ZSTD page: ") + ZSTD_getErrorName(n));
      if (n != dst_size) return SizeMismatch(codec, n, dst_size);
      return Status::OK();
    }
    case CompressionCodec::kLz4Raw: {
      int n = LZ4_decompress_safe(reinterpret_cast<const char*>(src), reinterpret_cast<char*>(dst),
                                  static_cast<int>(src_size), static_cast<int>(dst_size));
      if (n < 0) return Status::Corruption("LZ4_RAW page: malformed block");
      if (static_cast<size_t>(n) != dst_size) return SizeMismatch(codec, n, dst_size);
      return Status::OK();
    }
    case CompressionCodec::kLz4:
      return Lz4Hadoop(src, src_size, dst, dst_size);
    case CompressionCodec::kLzo:
      return Status::Unsupported("LZO codec (no Parquet writer in use produces it)");
  }
  return Status::Unsupported("unknown codec " + std::to_string(static_cast<int>(codec)));
}

}  // namespace mhub::datasets::parquet
