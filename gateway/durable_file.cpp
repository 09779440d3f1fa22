#include "gateway/durable_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace ghx::gateway {
namespace {

std::string errno_text(const std::string& what, const std::filesystem::path& path) {
  return what + " " + path.string() + ": " + std::strerror(errno);
}

bool write_all(int fd, const uint8_t* data, size_t size) {
  while (size > 0) {
    const ssize_t written = ::write(fd, data, size);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    data += written;
    size -= static_cast<size_t>(written);
  }
  return true;
}

// The file's contents durable in `temp`; what failed, or an empty string.
std::string write_synced(const std::filesystem::path& temp, mode_t mode,
                         std::initializer_list<std::span<const uint8_t>> parts) {
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return errno_text("cannot create", temp);
  bool written = true;
  for (const std::span<const uint8_t> part : parts) {
    written = written && write_all(fd, part.data(), part.size());
  }
  std::string error;
  if (!written || ::fsync(fd) != 0) error = errno_text("cannot write", temp);
  if (::close(fd) != 0 && error.empty()) error = errno_text("cannot close", temp);
  return error;
}

std::string sync_directory(const std::filesystem::path& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_text("cannot open", directory);
  std::string error;
  if (::fsync(fd) != 0) error = errno_text("cannot fsync", directory);
  ::close(fd);
  return error;
}

}  // namespace

std::string replace_file_durably(const std::filesystem::path& path, mode_t mode,
                                 std::initializer_list<std::span<const uint8_t>> parts) {
  std::filesystem::path temp = path;
  temp += durable_temp_suffix;
  std::error_code ignored;
  std::filesystem::remove(temp, ignored);  // left by a crash
  std::string error = write_synced(temp, mode, parts);
  if (error.empty() && ::rename(temp.c_str(), path.c_str()) != 0) {
    error = errno_text("cannot rename into place", temp);
  }
  if (!error.empty()) {
    std::filesystem::remove(temp, ignored);
    return error;
  }
  const std::filesystem::path directory = path.parent_path();
  return sync_directory(directory.empty() ? std::filesystem::path(".") : directory);
}

}  // namespace ghx::gateway
