#pragma once
// The gateway's one logging facade. Only gateway/ and tools/ log (STYLE.md); libraries report
// through codes and events.
//
// Thread-safe. The default sink writes one line per record to stderr with a UTC timestamp;
// tests and programs may replace it (e.g. to capture or silence records).

#include <functional>
#include <string_view>

namespace ghx::gateway {

enum class LogLevel : int { debug = 0, info = 1, warn = 2, error = 3 };

using LogSink = std::function<void(LogLevel level, std::string_view text)>;

// Records below `level` are dropped before formatting reaches the sink.
void set_log_level(LogLevel level);
LogLevel log_level();

// Replaces the sink; an empty function restores the default stderr sink.
void set_log_sink(LogSink sink);

void log(LogLevel level, std::string_view text);

std::string_view to_string(LogLevel level);

}  // namespace ghx::gateway
