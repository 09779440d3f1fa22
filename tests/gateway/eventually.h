#pragma once
// Waits for something another thread does: true as soon as `predicate` holds, false after
// 30 seconds (every wait in the tests is bounded). The bound is generous because it only costs
// time when a test fails: under the sanitizers, with the crash-recovery tests loading both
// cores and the disk, writing a snapshot once took longer than the five seconds allowed before.

#include <chrono>
#include <thread>

namespace ghx::gateway::test {

template <typename Predicate>
bool eventually(Predicate predicate) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return predicate();
}

}  // namespace ghx::gateway::test
