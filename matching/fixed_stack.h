#pragma once
// A stack whose capacity is fixed when it is made: push never grows it (its owner bounds how
// many items it can hold, and a push past that is a broken invariant). Unlike a reserved
// std::vector, the code that pushes carries no reallocation path: that call made the hot
// functions that push save and restore six registers on every call.
// The memory is allocated, not touched, up front: pages cost only once used.

#include <cstddef>
#include <memory>

#include "matching/assert.h"

namespace ghx::matching {

template <typename T>
class FixedStack {
 public:
  explicit FixedStack(size_t capacity)
      : items_(std::make_unique_for_overwrite<T[]>(capacity)), capacity_(capacity) {}

  void push(const T& item) {
    GHX_ASSERT(size_ < capacity_);
    items_[size_++] = item;
  }
  T pop() { return items_[--size_]; }  // requires !empty()
  const T& back() const { return items_[size_ - 1]; }
  void clear() { size_ = 0; }

  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  T& operator[](size_t index) { return items_[index]; }
  const T& operator[](size_t index) const { return items_[index]; }
  T* begin() { return items_.get(); }
  T* end() { return items_.get() + size_; }
  const T* begin() const { return items_.get(); }
  const T* end() const { return items_.get() + size_; }

 private:
  std::unique_ptr<T[]> items_;
  size_t capacity_ = 0;
  size_t size_ = 0;
};

}  // namespace ghx::matching
