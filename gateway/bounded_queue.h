#pragma once
// A bounded multi-producer, multi-consumer queue: the hand-over between the network, engine and
// ledger threads. Full means back-pressure, reported as a value (try_push) or waited out (push).
//
// Wake-ups cost a futex system call each (expensive on this VM), so a push signals the consumer
// only when one is actually waiting; a busy consumer picks the item up on its next pop.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <vector>

namespace ghx::gateway {

template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : slots_(capacity), capacity_(capacity) {}

  // False when closed, or when it would leave fewer than `kept_free` slots free: the caller
  // rejects (ServerBusy) instead of waiting. Producers that may be refused keep slots free for
  // one that must not be (kept_free 0), such as a disconnect's cancel.
  bool try_push(T item, size_t kept_free = 0) {
    std::lock_guard lock(mutex_);
    if (closed_ || size_ + kept_free >= capacity_) return false;
    put(std::move(item));
    return true;
  }

  // Waits while full. False once closed.
  bool push(T item) {
    std::unique_lock lock(mutex_);
    ++producers_waiting_;
    not_full_.wait(lock, [&] { return closed_ || size_ < capacity_; });
    --producers_waiting_;
    if (closed_) return false;
    put(std::move(item));
    return true;
  }

  // Moves up to `max` items into `out` (appended), waiting up to `timeout` for the first one.
  // Returns the number taken; 0 on timeout or when closed and empty.
  template <typename Rep, typename Period>
  size_t pop_all(std::vector<T>& out, size_t max, std::chrono::duration<Rep, Period> timeout) {
    std::unique_lock lock(mutex_);
    if (size_ == 0 && !closed_) {
      ++consumers_waiting_;
      not_empty_.wait_for(lock, timeout, [&] { return closed_ || size_ > 0; });
      --consumers_waiting_;
    }
    size_t taken = 0;
    while (size_ > 0 && taken < max) {
      out.push_back(std::move(slots_[head_]));
      head_ = (head_ + 1) % capacity_;
      --size_;
      ++taken;
    }
    if (taken > 0 && producers_waiting_ > 0) not_full_.notify_all();
    return taken;
  }


  // Wakes every waiter; pushes fail from now on, pops drain what is left.
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }

  bool closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
  }

  size_t size() const {
    std::lock_guard lock(mutex_);
    return size_;
  }

 private:
  void put(T item) {
    slots_[(head_ + size_) % capacity_] = std::move(item);
    ++size_;
    if (consumers_waiting_ > 0) not_empty_.notify_one();
  }

  mutable std::mutex mutex_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::vector<T> slots_;
  size_t capacity_;
  size_t head_ = 0;
  size_t size_ = 0;
  size_t consumers_waiting_ = 0;
  size_t producers_waiting_ = 0;
  bool closed_ = false;
};

}  // namespace ghx::gateway
