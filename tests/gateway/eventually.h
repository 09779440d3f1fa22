#pragma once
// Waits for something another thread does: true as soon as `predicate` holds, false after
// about five seconds (every wait in the tests is bounded).

#include <chrono>
#include <thread>

namespace ghx::gateway::test {

template <typename Predicate>
bool eventually(Predicate predicate) {
  for (int i = 0; i < 1000; ++i) {
    if (predicate()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

}  // namespace ghx::gateway::test
