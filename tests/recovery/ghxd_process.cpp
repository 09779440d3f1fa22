#include "tests/recovery/ghxd_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

namespace ghx::recovery {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::string_view ready_marker = "listening on ";

pid_t spawn_child(const std::vector<std::string>& argv, int out_fd, int err_fd) {
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // A test killed outright (timeout, ^C) must not leave a ghxd behind.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(out_fd, STDOUT_FILENO);
    if (err_fd >= 0) dup2(err_fd, STDERR_FILENO);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

// Appends what is available on `fd`; false at end of file.
bool drain(int fd, std::string& into) {
  char buffer[4096];
  const ssize_t n = read(fd, buffer, sizeof buffer);
  if (n <= 0) return false;
  into.append(buffer, static_cast<size_t>(n));
  return true;
}

int milliseconds_left(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<int64_t>(0, left.count()));
}

// The port of a "ghxd: listening on ADDRESS:PORT" line, or nullopt.
std::optional<uint16_t> port_of(const std::string& line) {
  if (line.find(ready_marker) == std::string::npos) return std::nullopt;
  const size_t colon = line.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  const unsigned long port = std::stoul(line.substr(colon + 1));
  if (port == 0 || port > 65535) return std::nullopt;
  return static_cast<uint16_t>(port);
}

}  // namespace

constexpr uint64_t snapshot_interval_commands = 2'000;

GhxdProcess::GhxdProcess(std::string ghxd_path, std::string data_dir, std::string log_path)
    : ghxd_path_(std::move(ghxd_path)),
      data_dir_(std::move(data_dir)),
      log_path_(std::move(log_path)) {}

GhxdProcess::~GhxdProcess() { kill(); }

void GhxdProcess::spawn() {
  kill();
  int out_pipe[2];
  if (pipe(out_pipe) != 0) throw std::runtime_error("pipe failed");
  const int log_fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  // The read end must not leak into ghxd, or ghxd would keep its own stdout pipe open.
  fcntl(out_pipe[0], F_SETFD, FD_CLOEXEC);
  // Snapshots every 2,000 commands: restarts recover from a snapshot plus the journal after
  // it, which the test compares with a clean replay of the whole journal.
  pid_ = spawn_child({ghxd_path_, "--data", data_dir_, "--port", "0", "--snapshot-interval",
                      std::to_string(snapshot_interval_commands)},
                     out_pipe[1], log_fd);
  close(out_pipe[1]);
  if (log_fd >= 0) close(log_fd);
  out_fd_ = out_pipe[0];
  buffered_.clear();
}

std::optional<uint16_t> GhxdProcess::start(std::chrono::milliseconds timeout) {
  spawn();
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {  // bounded by the deadline
    for (size_t eol; (eol = buffered_.find('\n')) != std::string::npos;) {
      const std::string line = buffered_.substr(0, eol);
      buffered_.erase(0, eol + 1);
      if (const auto port = port_of(line)) return port;
    }
    pollfd fd{out_fd_, POLLIN, 0};
    if (poll(&fd, 1, milliseconds_left(deadline)) <= 0) continue;
    if (!drain(out_fd_, buffered_)) break;  // ghxd exited before it was ready
  }
  kill();
  return std::nullopt;
}

void GhxdProcess::kill() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);  // SIGKILL cannot be caught: this returns promptly
    pid_ = -1;
  }
  if (out_fd_ >= 0) {
    close(out_fd_);
    out_fd_ = -1;
  }
}

RunOutput run_to_end(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  int out_pipe[2];
  if (pipe(out_pipe) != 0) throw std::runtime_error("pipe failed");
  fcntl(out_pipe[0], F_SETFD, FD_CLOEXEC);
  const pid_t pid = spawn_child(argv, out_pipe[1], -1);
  close(out_pipe[1]);
  RunOutput result;
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {  // bounded by the deadline
    pollfd fd{out_pipe[0], POLLIN, 0};
    if (poll(&fd, 1, milliseconds_left(deadline)) <= 0) continue;
    if (!drain(out_pipe[0], result.out)) break;
  }
  close(out_pipe[0]);
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {  // bounded by the deadline
    if (Clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    usleep(5'000);
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace ghx::recovery
