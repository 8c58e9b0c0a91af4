#include "datasets/parquet/compress.h"

#include <brotli/encode.h>
#include <lz4.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <climits>

namespace mhub::datasets::parquet {

namespace {

Status Gzip(int level, const uint8_t* data, size_t n, std::string* out) {
  z_stream z{};
  // windowBits 15 + 16: a gzip (RFC 1952) wrapper, which is what Parquet's GZIP means.
  if (deflateInit2(&z, level == 0 ? Z_DEFAULT_COMPRESSION : level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return Status::Internal("zlib deflateInit2 failed");
  }
  size_t at = out->size();
  size_t bound = deflateBound(&z, static_cast<uLong>(n));
  out->resize(at + bound);
  z.next_in = const_cast<Bytef*>(data);
  z.avail_in = static_cast<uInt>(n);
  z.next_out = reinterpret_cast<Bytef*>(out->data() + at);
  z.avail_out = static_cast<uInt>(bound);
  int rc = deflate(&z, Z_FINISH);
  size_t produced = bound - z.avail_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return Status::Internal("zlib deflate did not finish (rc " + std::to_string(rc) + ")");
  out->resize(at + produced);
  return Status::OK();
}

}  // namespace

Status Compress(CompressionCodec codec, int level, const uint8_t* data, size_t n, std::string* out) {
  if (n > static_cast<size_t>(INT_MAX)) return Status::ResourceExhausted("a page above 2 GiB cannot be compressed");
  size_t at = out->size();
  switch (codec) {
    case CompressionCodec::kUncompressed:
      out->append(reinterpret_cast<const char*>(data), n);
      return Status::OK();
    case CompressionCodec::kSnappy: {
      out->resize(at + snappy::MaxCompressedLength(n));
      size_t produced = 0;
      snappy::RawCompress(reinterpret_cast<const char*>(data), n, out->data() + at, &produced);
      out->resize(at + produced);
      return Status::OK();
    }
    case CompressionCodec::kGzip:
      return Gzip(level, data, n, out);
    case CompressionCodec::kBrotli: {
      size_t produced = BrotliEncoderMaxCompressedSize(n);
      if (produced == 0) produced = n + 1024;
      out->resize(at + produced);
      // Quality 1 unless asked: the default 11 is far too slow for a writer (Arrow uses 1 too).
      if (!BrotliEncoderCompress(level == 0 ? 1 : level, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, n, data, &produced,
                                 reinterpret_cast<uint8_t*>(out->data() + at))) {
        return Status::Internal("brotli compression failed");
      }
      out->resize(at + produced);
      return Status::OK();
    }
    case CompressionCodec::kZstd: {
      size_t bound = ZSTD_compressBound(n);
      out->resize(at + bound);
      size_t produced = ZSTD_compress(out->data() + at, bound, data, n, level == 0 ? 1 : level);
      if (ZSTD_isError(produced)) return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(produced));
      out->resize(at + produced);
      return Status::OK();
    }
    case CompressionCodec::kLz4Raw: {
      int bound = LZ4_compressBound(static_cast<int>(n));
      out->resize(at + static_cast<size_t>(bound));
      int produced =
          LZ4_compress_default(reinterpret_cast<const char*>(data), out->data() + at, static_cast<int>(n), bound);
      if (produced <= 0 && n > 0) return Status::Internal("lz4 compression failed");
      out->resize(at + static_cast<size_t>(produced));
      return Status::OK();
    }
    default:
      return Status::Unsupported("writing with Parquet codec " + std::to_string(static_cast<int>(codec)) +
                                 " is not supported");
  }
}

}  // namespace mhub::datasets::parquet
