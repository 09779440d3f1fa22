#pragma once
// How the CLI reaches ghxd: connection options (--data, --as, --host, --port, --timeout-ms,
// --json and their environment defaults), certificate lookup, connect + logon, and a receive
// loop with a deadline that skips heartbeats.
//
// Errors are CliErrors with the CLI's exit codes: missing certificates or a refused logon are
// exit_connection, no answer in time is exit_timeout.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "gateway/client.h"
#include "tools/ghx/cli_args.h"

namespace ghx::cli {

constexpr uint16_t port_default = 7700;
constexpr uint32_t timeout_default_ms = 5'000;
constexpr const char* data_dir_default = "ghx-data";
constexpr const char* operator_default = "ops";
// Larger than the server's own frame limit: a ProductList of a long calendar may be big, and
// the CLI trusts the server more than the server trusts clients.
constexpr uint32_t client_frame_bytes_max = 4 * 1024 * 1024;
constexpr uint32_t client_tables_max = 1 << 20;

enum class Role : uint8_t { participant, operator_role };

struct ConnectionOptions {
  std::filesystem::path data_dir = data_dir_default;
  std::string participant;
  std::string host = "127.0.0.1";
  uint16_t port = port_default;
  uint32_t timeout_ms = timeout_default_ms;
  bool json = false;
};

using EnvLookup = std::function<const char*(const char*)>;

// Options first, then GHX_PARTICIPANT / GHX_PORT, then defaults. A participant command with no
// participant anywhere is a usage error ("ops" is the default only for operator commands).
ConnectionOptions connection_options(const ParsedArgs& args, Role role,
                                     const EnvLookup& env = std::getenv);

// DIR/certs/ca.pem, <participant>.pem, <participant>.key; a CliError naming the missing file
// and how to create it.
gateway::TlsFiles participant_tls_files(const ConnectionOptions& options);

class Session {
 public:
  using Clock = std::chrono::steady_clock;

  // Connects and logs on. Order commands log on with cancel_on_disconnect false: otherwise the
  // order the CLI just placed would be canceled the moment the CLI exits.
  // With `last_report_sequence`, the exchange first resends the participant's execution reports
  // after it.
  Session(const ConnectionOptions& options, bool cancel_on_disconnect,
          std::optional<uint64_t> last_report_sequence = std::nullopt);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void send(gateway::Frame frame);

  // The next frame other than a Heartbeat, or nullopt once `deadline` passes. A closed
  // connection or a bad frame is a CliError.
  std::optional<gateway::Received> next(Clock::time_point deadline);

  Clock::time_point deadline_in(uint32_t ms) const {
    return Clock::now() + std::chrono::milliseconds(ms);
  }
  const ConnectionOptions& options() const { return options_; }

 private:
  ConnectionOptions options_;
  gateway::Client client_;
};

}  // namespace ghx::cli
