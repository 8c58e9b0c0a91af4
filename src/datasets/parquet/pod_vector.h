// A growable array of trivially copyable values that does not zero what it grows into (decoders
// overwrite every byte they reserve) and hands its memory to an Array Buffer without a copy. Large
// blocks come from and go back to block_cache.h.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <type_traits>

#include "datasets/parquet/block_cache.h"
#include "mhub/datasets/array.h"

namespace mhub::datasets::parquet {

template <typename T>
class PodVector {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  PodVector() = default;
  ~PodVector() { ReleaseBlock(data_, cap_ * sizeof(T)); }
  PodVector(const PodVector&) = delete;
  PodVector& operator=(const PodVector&) = delete;
  PodVector(PodVector&& o) noexcept : data_(o.data_), size_(o.size_), cap_(o.cap_) {
    o.data_ = nullptr, o.size_ = o.cap_ = 0;
  }
  PodVector& operator=(PodVector&& o) noexcept {
    if (this != &o) {
      ReleaseBlock(data_, cap_ * sizeof(T));
      data_ = o.data_, size_ = o.size_, cap_ = o.cap_;
      o.data_ = nullptr, o.size_ = o.cap_ = 0;
    }
    return *this;
  }

  T* data() { return data_; }
  const T* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  T& back() { return data_[size_ - 1]; }

  void reserve(size_t n) {
    if (n <= cap_) return;
    size_t cap = std::max(n, cap_ + cap_ / 2);
    // A large block from the cache (already mapped, no page faults), else realloc.
    size_t cached_bytes = 0;
    if (void* block = AcquireBlock(cap * sizeof(T), &cached_bytes)) {
      if (size_) std::memcpy(block, data_, size_ * sizeof(T));
      ReleaseBlock(data_, cap_ * sizeof(T));
      data_ = static_cast<T*>(block);
      cap_ = cached_bytes / sizeof(T);
      return;
    }
    T* p = static_cast<T*>(std::realloc(data_, std::max<size_t>(cap, 1) * sizeof(T)));
    if (!p) throw std::bad_alloc();
    data_ = p;
    cap_ = std::max<size_t>(cap, 1);
  }
  // Grows by n uninitialized values; answers a pointer to the first.
  T* grow(size_t n) {
    reserve(size_ + n);
    T* p = data_ + size_;
    size_ += n;
    return p;
  }
  void resize_uninit(size_t n) {
    reserve(n);
    size_ = n;
  }
  void resize_zero(size_t n) {
    reserve(n);
    if (n > size_) std::memset(static_cast<void*>(data_ + size_), 0, (n - size_) * sizeof(T));
    size_ = n;
  }
  void push_back(const T& v) { *grow(1) = v; }
  void append(const T* src, size_t n) {
    if (n) std::memcpy(static_cast<void*>(grow(n)), src, n * sizeof(T));
  }
  void clear() { size_ = 0; }

  // Moves the memory into a Buffer (the vector is empty afterwards).
  Buffer Release() {
    Buffer b;
    if (size_ == 0) {
      clear();
      return b;
    }
    b.data = reinterpret_cast<const uint8_t*>(data_);
    b.size = size_ * sizeof(T);
    size_t bytes = cap_ * sizeof(T);
    b.owner = std::shared_ptr<const void>(data_, [bytes](const void* p) { ReleaseBlock(const_cast<void*>(p), bytes); });
    data_ = nullptr;
    size_ = cap_ = 0;
    return b;
  }

 private:
  T* data_ = nullptr;
  size_t size_ = 0;
  size_t cap_ = 0;
};

}  // namespace mhub::datasets::parquet
