#pragma once
// The machine's own durable-commit latency, measured beside the load: a small LMDB
// environment (default, fully synchronous flags) in a temporary directory, one tiny write
// transaction committed every few milliseconds on its own thread. The issue asks for order-to-ack
// latency relative to exactly this figure, taken in the same run.

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>

#include "tools/load/latency_histogram.h"

namespace ghx::load {

class CommitProbe {
 public:
  // `parent`: a directory on the disk to measure (the exchange's data directory).
  explicit CommitProbe(std::filesystem::path parent) : parent_(std::move(parent)) {}
  ~CommitProbe() { stop(); }

  bool start(std::string& error);
  void stop();  // idempotent; removes the temporary directory
  const LatencyHistogram& commits() const { return commits_; }

 private:
  void run();

  std::filesystem::path parent_;
  std::filesystem::path dir_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  void* env_ = nullptr;  // MDB_env*
  unsigned dbi_ = 0;
  LatencyHistogram commits_;
};

}  // namespace ghx::load
