// Arena: a bump allocator for the activations of one forward pass, so a pass does no per-op heap
// allocation. Usage: allocate activations with NewTensor during a forward, call Reset() before the
// next one. After the first pass the arena holds one block of the high-water size, so later passes of
// the same or smaller shapes allocate nothing.
//
// Not thread-safe: one arena per concurrent forward. Tensors from an arena do not own their storage;
// they are valid until the next Reset() or the arena's destruction.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "mhub/core/tensor.h"

namespace mhub::core {

class Arena {
 public:
  // `initial_bytes` is reserved up front (0: the first allocation decides).
  explicit Arena(size_t initial_bytes = 0);
  ~Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // `bytes` of uninitialised memory aligned to `align` (a power of two, at most 4096).
  // Grows by adding a block when the current one is full (never moves earlier allocations).
  void* Allocate(size_t bytes, size_t align = 64);
  // An uninitialised tensor in the arena, 64-byte aligned.
  Tensor NewTensor(DType dtype, const Shape& shape);
  // An arena tensor filled with zeros.
  Tensor NewZeros(DType dtype, const Shape& shape);

  // Forgets every allocation. If the last pass needed more than one block, they are replaced by one
  // block of the high-water size.
  void Reset();

  size_t used() const;                               // bytes handed out since the last Reset (incl. alignment padding)
  size_t capacity() const;                           // bytes reserved in all blocks
  size_t high_water() const { return high_water_; }  // largest used() seen

 private:
  struct Block {
    std::unique_ptr<std::byte[], void (*)(std::byte*)> mem{nullptr, nullptr};
    size_t size = 0;
    size_t offset = 0;
  };
  void AddBlock(size_t min_bytes);

  std::vector<Block> blocks_;
  size_t used_before_current_ = 0;  // bytes used in blocks before the last one
  size_t high_water_ = 0;
};

}  // namespace mhub::core
