#include "mhub/core/arena.h"

#include <cstdlib>
#include <cstring>
#include <new>

namespace mhub::core {

namespace {
void FreeBlock(std::byte* p) { std::free(p); }
size_t AlignUp(size_t v, size_t a) { return (v + a - 1) & ~(a - 1); }
}  // namespace

Arena::Arena(size_t initial_bytes) {
  if (initial_bytes > 0) AddBlock(initial_bytes);
}

Arena::~Arena() = default;

void Arena::AddBlock(size_t min_bytes) {
  size_t size = AlignUp(min_bytes < (1u << 20) ? (1u << 20) : min_bytes, 4096);
  if (!blocks_.empty()) {
    used_before_current_ += blocks_.back().offset;
    if (size < blocks_.back().size * 2) size = blocks_.back().size * 2;  // geometric growth
  }
  void* p = std::aligned_alloc(4096, size);
  if (!p) throw std::bad_alloc();
  Block b;
  b.mem = std::unique_ptr<std::byte[], void (*)(std::byte*)>(static_cast<std::byte*>(p), FreeBlock);
  b.size = size;
  blocks_.push_back(std::move(b));
}

void* Arena::Allocate(size_t bytes, size_t align) {
  if (blocks_.empty()) AddBlock(bytes + align);
  Block* b = &blocks_.back();
  size_t start = AlignUp(b->offset, align);
  if (start + bytes > b->size) {
    AddBlock(bytes + align);
    b = &blocks_.back();
    start = 0;
  }
  b->offset = start + bytes;
  const size_t now = used();
  if (now > high_water_) high_water_ = now;
  return b->mem.get() + start;
}

Tensor Arena::NewTensor(DType dtype, const Shape& shape) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = shape;
  t.data_ = Allocate(t.nbytes() == 0 ? 1 : t.nbytes(), 64);
  return t;
}

Tensor Arena::NewZeros(DType dtype, const Shape& shape) {
  Tensor t = NewTensor(dtype, shape);
  std::memset(t.raw_data(), 0, t.nbytes());
  return t;
}

void Arena::Reset() {
  if (blocks_.size() > 1) {
    blocks_.clear();
    used_before_current_ = 0;
    AddBlock(high_water_ + 4096);
  }
  if (!blocks_.empty()) blocks_.back().offset = 0;
  used_before_current_ = 0;
}

size_t Arena::used() const { return used_before_current_ + (blocks_.empty() ? 0 : blocks_.back().offset); }

size_t Arena::capacity() const {
  size_t c = 0;
  for (const auto& b : blocks_) c += b.size;
  return c;
}

}  // namespace mhub::core
