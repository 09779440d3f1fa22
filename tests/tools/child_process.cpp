#include "tests/tools/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

namespace ghx::test {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto stop_grace = std::chrono::seconds(5);

pid_t spawn(const std::vector<std::string>& argv, int out_fd, int err_fd) {
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // A test that crashes or times out must not leave ghxd running.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

// Reads what is available from `fd` into `into`; false at end of file.
bool drain(int fd, std::string& into) {
  char buffer[4096];
  const ssize_t n = read(fd, buffer, sizeof buffer);
  if (n <= 0) return false;
  into.append(buffer, static_cast<size_t>(n));
  return true;
}

int wait_exit(pid_t pid, Clock::time_point deadline) {
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {  // bounded by the deadline
    if (Clock::now() >= deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    usleep(10'000);
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

RunResult run_process(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  int out_pipe[2], err_pipe[2];
  if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = spawn(argv, out_pipe[1], err_pipe[1]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  RunResult result;
  const auto deadline = Clock::now() + timeout;
  bool out_open = true, err_open = true;
  while ((out_open || err_open) && Clock::now() < deadline) {  // bounded by the deadline
    pollfd fds[2] = {{out_open ? out_pipe[0] : -1, POLLIN, 0}, {err_open ? err_pipe[0] : -1, POLLIN, 0}};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (poll(fds, 2, static_cast<int>(std::max<int64_t>(1, left.count()))) <= 0) continue;
    if (fds[0].revents != 0) out_open = drain(out_pipe[0], result.out);
    if (fds[1].revents != 0) err_open = drain(err_pipe[0], result.err);
  }
  close(out_pipe[0]);
  close(err_pipe[0]);
  result.exit_code = wait_exit(pid, std::max(deadline, Clock::now() + std::chrono::milliseconds(100)));
  return result;
}

RunningProcess::RunningProcess(const std::vector<std::string>& argv,
                               const std::string& stderr_path) {
  int out_pipe[2];
  if (pipe(out_pipe) != 0) throw std::runtime_error("pipe failed");
  const int err_fd = stderr_path.empty()
                         ? open("/dev/null", O_WRONLY)
                         : open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (err_fd < 0) throw std::runtime_error("cannot open " + stderr_path);
  pid_ = spawn(argv, out_pipe[1], err_fd);
  close(out_pipe[1]);
  close(err_fd);
  out_fd_ = out_pipe[0];
}

RunningProcess::~RunningProcess() { stop(); }

std::optional<std::string> RunningProcess::wait_for_line(const std::string& needle,
                                                         std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {  // bounded by the deadline
    for (size_t eol; (eol = buffered_.find('\n')) != std::string::npos;) {
      std::string line = buffered_.substr(0, eol);
      buffered_.erase(0, eol + 1);
      if (line.find(needle) != std::string::npos) return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0 || out_fd_ < 0) return std::nullopt;
    pollfd fd{out_fd_, POLLIN, 0};
    if (poll(&fd, 1, static_cast<int>(left.count())) <= 0) continue;
    if (!drain(out_fd_, buffered_)) return std::nullopt;
  }
}

int RunningProcess::stop() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    exit_code_ = wait_exit(pid_, Clock::now() + stop_grace);
    pid_ = -1;
  }
  if (out_fd_ >= 0) {
    close(out_fd_);
    out_fd_ = -1;
  }
  return exit_code_;
}

}  // namespace ghx::test
