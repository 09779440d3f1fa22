#pragma once
// ghxd as a child process of the crash test: started on --port 0 with a data directory,
// killed with SIGKILL (a crash, not a stop), or run to completion (--print-state-hash).
// Every wait has a deadline; the destructor kills a child that is still running.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace ghx::recovery {

class GhxdProcess {
 public:
  // ghxd's stderr (its log) is appended to `log_path`, to read after a failure.
  GhxdProcess(std::string ghxd_path, std::string data_dir, std::string log_path);
  ~GhxdProcess();  // kill()
  GhxdProcess(const GhxdProcess&) = delete;
  GhxdProcess& operator=(const GhxdProcess&) = delete;

  // Starts ghxd; returns the port once it prints "listening", nullopt (child killed) when it
  // does not within `timeout`.
  std::optional<uint16_t> start(std::chrono::milliseconds timeout);
  // Starts ghxd without waiting for it to be ready (for kills during recovery).
  void spawn();
  // SIGKILL and reap. Does nothing when no child runs.
  void kill();
  bool running() const { return pid_ > 0; }

 private:
  std::string ghxd_path_;
  std::string data_dir_;
  std::string log_path_;
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string buffered_;
};

struct RunOutput {
  int exit_code = -1;  // -1 when killed at the deadline or by a signal
  std::string out;
};

// Runs argv to completion (stdout captured, stderr to ours); kills it after `timeout`.
RunOutput run_to_end(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

}  // namespace ghx::recovery
