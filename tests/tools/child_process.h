#pragma once
// Child processes for end-to-end tests: run a program to completion with a bound, or keep one
// running (ghxd) and read its output line by line. Every wait has a deadline and every child
// is killed (by its pid) when the test is done with it.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace ghx::test {

struct RunResult {
  int exit_code = -1;  // -1 when killed at the deadline or by a signal
  std::string out;     // stdout
  std::string err;     // stderr
};

// Runs argv[0] with argv; kills it after `timeout`.
RunResult run_process(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

class RunningProcess {
 public:
  // stderr goes to `stderr_path` (created or truncated), or nowhere when it is empty.
  explicit RunningProcess(const std::vector<std::string>& argv,
                          const std::string& stderr_path = "");
  ~RunningProcess();  // stop()
  RunningProcess(const RunningProcess&) = delete;
  RunningProcess& operator=(const RunningProcess&) = delete;

  // The next stdout line containing `needle`, or nullopt at the deadline or end of output.
  std::optional<std::string> wait_for_line(const std::string& needle,
                                           std::chrono::milliseconds timeout);
  // SIGTERM, then SIGKILL if it has not exited within a bound. Returns its exit code: -1 when
  // it was killed (by the bound or a signal of its own, an abort say).
  int stop();

 private:
  pid_t pid_ = -1;
  int exit_code_ = -1;
  int out_fd_ = -1;
  std::string buffered_;
};

}  // namespace ghx::test
