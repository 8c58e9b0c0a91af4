// safetensors: read (mmap, zero-copy), validate, write, and sharded checkpoints with
// model.safetensors.index.json. Tensors are raw typed byte views; converting them to compute
// tensors is mhub_core's job.
//
// Format (huggingface/safetensors): 8-byte little-endian u64 N, N bytes of UTF-8 JSON header, then
// the data buffer. Offsets in the header are relative to the start of the data buffer.
//
// Errors: a file that breaks a rule of the reference reader gets Status Corruption whose message
// names the tensor (where there is one), says what is wrong, and ends with the reference's error
// name in parentheses, e.g. "tensor 'w' starts at 16 but the previous tensor ends at 12: gap or
// overlap in the data buffer (InvalidOffset)". Each rule has its own message.
//
// Thread safety: SafetensorsFile and ShardedCheckpoint are immutable after Open; share them freely.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mhub/base/mmap_file.h"
#include "mhub/base/result.h"
#include "mhub/formats/dtype.h"

namespace mhub::formats {

// The reference reader's limit on N, the JSON header length (HeaderTooLarge above it).
inline constexpr uint64_t kMaxSafetensorsHeaderSize = 100'000'000;
// transformers' file names.
inline constexpr std::string_view kSafetensorsWeightsName = "model.safetensors";
inline constexpr std::string_view kSafetensorsIndexName = "model.safetensors.index.json";

// One tensor: little-endian, row-major (C order) bytes, no strides.
// When it comes from a SafetensorsFile, `data` points into the file's mapping (or into an owned
// aligned copy when the file placed the tensor at an offset not aligned to its dtype) and stays
// valid as long as that SafetensorsFile lives; `data` is then aligned to DtypeAlignment(dtype)
// (an empty tensor gets a non-null aligned pointer to nothing).
// As writer input, `data` is whatever the caller owns for the duration of the call.
struct TensorView {
  std::string name;
  Dtype dtype = Dtype::kF32;
  std::vector<int64_t> shape;  // [] is a scalar (1 element); a 0 dim makes it empty
  const uint8_t* data = nullptr;
  size_t nbytes = 0;

  // Product of the dims (1 for a scalar). Exact for any shape that passed validation.
  int64_t numel() const;
  std::span<const uint8_t> bytes() const { return {data, nbytes}; }
};

// Bytes needed by `shape` elements of `dtype`, computed with checked arithmetic.
// InvalidArgument for a negative dim, on overflow, or when a sub-byte dtype does not fill whole
// bytes.
Result<uint64_t> TensorByteSize(Dtype dtype, std::span<const int64_t> shape);

// One header entry, as declared in the file.
struct SafetensorsTensorInfo {
  std::string name;
  Dtype dtype = Dtype::kF32;
  std::vector<int64_t> shape;
  uint64_t begin = 0;  // data_offsets[0], relative to the data buffer
  uint64_t end = 0;    // data_offsets[1], one past the last byte
};

struct SafetensorsHeader {
  uint64_t header_size = 0;                     // N, padding included
  uint64_t data_offset = 0;                     // 8 + N: where the data buffer starts in the file
  uint64_t data_size = 0;                       // length of the data buffer (= the last tensor's end)
  std::vector<SafetensorsTensorInfo> tensors;   // sorted by data_offsets (file order)
  std::map<std::string, std::string> metadata;  // "__metadata__"; empty when absent
};

// Parses and validates a header with the reference reader's rules (inference.md 1.3): size limits,
// UTF-8, JSON shape and types (duplicate keys rejected), dtype names, `__metadata__` string->string,
// shape x dtype vs byte size (overflow-safe, whole bytes), offsets sorted from 0 with no gaps or
// overlaps, and 8 + N + data_size == file_size exactly.
// `prefix` holds the first bytes of the file, at least 8 + N of them (the whole file is fine);
// `file_size` is the full file length. Pure and safe on arbitrary input (fuzzed).
Result<SafetensorsHeader> ParseSafetensorsHeader(std::span<const uint8_t> prefix, uint64_t file_size);

// A validated safetensors file held in memory (mmap for files).
class SafetensorsFile {
 public:
  // Maps `path` read-only and validates it. NotFound when missing, IOError when unreadable,
  // Corruption (message prefixed by the path) when invalid.
  static Result<std::shared_ptr<const SafetensorsFile>> Open(const std::string& path);
  // The same over bytes already in memory (a download, a test). `what` names them in messages.
  static Result<std::shared_ptr<const SafetensorsFile>> FromBytes(std::string bytes, std::string what = "buffer");

  // The path given to Open, or `what` for FromBytes.
  const std::string& path() const { return path_; }
  const SafetensorsHeader& header() const { return header_; }
  const std::map<std::string, std::string>& metadata() const { return header_.metadata; }
  // Every tensor, in file order (by data offset).
  const std::vector<TensorView>& tensors() const { return tensors_; }
  // Tensor names in file order.
  std::vector<std::string> names() const;
  size_t size() const { return tensors_.size(); }

  // nullptr when absent.
  const TensorView* Find(std::string_view name) const;
  // NotFound naming the tensor and the file when absent.
  Result<TensorView> Get(std::string_view name) const;
  bool Contains(std::string_view name) const { return Find(name) != nullptr; }

  // Sum of tensor bytes (the data buffer length).
  uint64_t data_bytes() const { return header_.data_size; }
  // How many tensors had to be copied because their offset was not aligned to their dtype.
  size_t copied_tensors() const { return owned_.size(); }

  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;
  ~SafetensorsFile();

 private:
  SafetensorsFile() = default;
  static Result<std::shared_ptr<const SafetensorsFile>> Build(std::shared_ptr<SafetensorsFile> file);

  std::string path_;
  MmapFile map_;       // for Open
  std::string bytes_;  // for FromBytes
  const uint8_t* base_ = nullptr;
  size_t size_ = 0;
  SafetensorsHeader header_;
  std::vector<TensorView> tensors_;
  std::unordered_map<std::string_view, size_t> index_;  // views into tensors_[i].name
  std::vector<std::unique_ptr<uint64_t[]>> owned_;      // aligned copies of misaligned tensors
};

// Serialises tensors the way the reference writer does: sorted by dtype (descending, enum order)
// then by name, packed back to back, header JSON space-padded to a multiple of 8 bytes, so every
// tensor lands aligned to its dtype. `metadata` becomes "__metadata__", with "format": "pt" added
// when it has no "format" key (transformers refuses files without it).
// InvalidArgument for a duplicate or empty name, the reserved name "__metadata__", or a tensor
// whose nbytes differs from its shape x dtype.
Result<std::string> SerializeSafetensors(std::span<const TensorView> tensors,
                                         const std::map<std::string, std::string>& metadata = {});

// Writes the same bytes to `path` atomically (temp file in the same folder, fsync, rename, fsync
// of the folder): on failure or crash the old file (or none) stays. Streams tensor data; does not
// build the file in memory.
Status WriteSafetensors(const std::string& path, std::span<const TensorView> tensors,
                        const std::map<std::string, std::string>& metadata = {});

// ---- Sharded checkpoints (model-00001-of-00003.safetensors + model.safetensors.index.json) ----

struct ShardedWriteOptions {
  // A new shard starts when the next tensor would push the current one above this many tensor
  // bytes; a tensor larger than the limit gets a shard of its own (huggingface_hub's rule).
  // transformers' save_pretrained default is "5GB" = 5e9 bytes.
  uint64_t max_shard_bytes = 5'000'000'000;
  // Shard file stem: "model" gives model.safetensors or model-00001-of-00002.safetensors and
  // model.safetensors.index.json.
  std::string base_name = "model";
  // __metadata__ of every shard ("format": "pt" added as in SerializeSafetensors).
  std::map<std::string, std::string> metadata;
};

struct ShardedWriteResult {
  std::vector<std::string> shard_files;  // file names inside the folder, in order
  std::string index_file;                // file name of the index; empty when one shard was enough
  uint64_t total_size = 0;               // sum of tensor bytes (the index's metadata.total_size)
};

// Splits `tensors` (in the given order) into shards of at most max_shard_bytes and writes them
// into `dir` (created when missing), each atomically, then the index (sorted keys, indent 2, as
// transformers writes it; metadata.total_size and metadata.total_parameters). With a single shard
// the file is <base>.safetensors and no index is written (a stale index of that name is removed).
Result<ShardedWriteResult> WriteShardedSafetensors(const std::string& dir, std::span<const TensorView> tensors,
                                                   const ShardedWriteOptions& options = {});

// One lookup over all tensors of a checkpoint, sharded or not.
class ShardedCheckpoint {
 public:
  // `path` is a model folder (holding model.safetensors.index.json, else model.safetensors), an
  // index .json file, or a single .safetensors file. Every shard the index names is opened and
  // validated. NotFound when nothing loadable is there; Corruption when the index is malformed,
  // names a shard outside the folder, names a tensor its shard lacks, or two shards hold the same
  // tensor. Tensors present in a shard but absent from weight_map are included (transformers
  // loads whole shards).
  static Result<std::shared_ptr<const ShardedCheckpoint>> Open(const std::string& path);

  // Tensor names: shards in index order, file order within a shard.
  const std::vector<std::string>& names() const { return names_; }
  size_t size() const { return names_.size(); }
  const TensorView* Find(std::string_view name) const;
  // NotFound naming the tensor when absent.
  Result<TensorView> Get(std::string_view name) const;
  bool Contains(std::string_view name) const { return Find(name) != nullptr; }
  // The file that holds `name`; nullptr when absent.
  const SafetensorsFile* ShardOf(std::string_view name) const;

  const std::vector<std::shared_ptr<const SafetensorsFile>>& shards() const { return shards_; }
  // Path of the index file; empty for a single-file checkpoint.
  const std::string& index_path() const { return index_path_; }
  // metadata.total_size as the index declares it (not checked against the files).
  std::optional<uint64_t> declared_total_size() const { return declared_total_size_; }
  // __metadata__ of the first shard.
  const std::map<std::string, std::string>& metadata() const;

  uint64_t total_bytes() const { return total_bytes_; }       // sum of tensor bytes
  int64_t total_parameters() const { return total_params_; }  // sum of numel()

 private:
  ShardedCheckpoint() = default;
  Status AddShard(std::shared_ptr<const SafetensorsFile> shard);

  std::vector<std::shared_ptr<const SafetensorsFile>> shards_;
  std::vector<std::string> names_;
  std::unordered_map<std::string_view, std::pair<const SafetensorsFile*, const TensorView*>> index_;
  std::string index_path_;
  std::optional<uint64_t> declared_total_size_;
  uint64_t total_bytes_ = 0;
  int64_t total_params_ = 0;
};

}  // namespace mhub::formats
