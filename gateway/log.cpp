#include "gateway/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace ghx::gateway {
namespace {

std::atomic<int> level_{static_cast<int>(LogLevel::info)};
std::mutex sink_mutex_;
LogSink sink_;

void write_stderr(LogLevel level, std::string_view text) {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const std::time_t seconds = system_clock::to_time_t(now);
  const auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
  std::fprintf(stderr, "%s.%03lldZ %-5.*s %.*s\n", stamp, static_cast<long long>(ms),
               static_cast<int>(to_string(level).size()), to_string(level).data(),
               static_cast<int>(text.size()), text.data());
}

}  // namespace

void set_log_level(LogLevel level) { level_.store(static_cast<int>(level)); }

LogLevel log_level() { return static_cast<LogLevel>(level_.load()); }

void set_log_sink(LogSink sink) {
  std::lock_guard lock(sink_mutex_);
  sink_ = std::move(sink);
}

void log(LogLevel level, std::string_view text) {
  if (static_cast<int>(level) < level_.load()) return;
  std::lock_guard lock(sink_mutex_);  // keeps lines whole when several threads log
  if (sink_) {
    sink_(level, text);
  } else {
    write_stderr(level, text);
  }
}

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::debug: return "DEBUG";
    case LogLevel::info: return "INFO";
    case LogLevel::warn: return "WARN";
    case LogLevel::error: return "ERROR";
  }
  return "?";
}

}  // namespace ghx::gateway
