#include "tools/ghx/connection.h"

#include <algorithm>

#include "gateway/certs.h"

namespace ghx::cli {
namespace {

std::string connection_text(const ConnectionOptions& o) {
  return o.host + ":" + std::to_string(o.port) + " as " + o.participant;
}

gateway::ClientConfig client_config(const ConnectionOptions& options) {
  gateway::ClientConfig config;
  config.host = options.host;
  config.port = options.port;
  config.tls = participant_tls_files(options);
  config.timeout_ms = options.timeout_ms;
  config.frame.frame_bytes_max = client_frame_bytes_max;
  config.frame.tables_max = client_tables_max;
  return config;
}

}  // namespace

ConnectionOptions connection_options(const ParsedArgs& args, Role role, const EnvLookup& env) {
  ConnectionOptions o;
  o.data_dir = args.get_or("data", data_dir_default);
  o.host = args.get_or("host", "127.0.0.1");
  o.json = args.has("json");
  const char* env_port = env("GHX_PORT");
  if (auto port = args.get("port"); port || (env_port != nullptr && *env_port != '\0')) {
    const int64_t value = parse_int64(port ? *port : std::string(env_port), "--port");
    if (value < 1 || value > 65535) usage_error("--port must be within 1..65535");
    o.port = static_cast<uint16_t>(value);
  }
  if (auto timeout = args.get("timeout-ms")) {
    const int64_t value = parse_positive_int64(*timeout, "--timeout-ms");
    if (value > 3'600'000) usage_error("--timeout-ms is more than an hour");
    o.timeout_ms = static_cast<uint32_t>(value);
  }
  const char* env_participant = env("GHX_PARTICIPANT");
  if (auto as = args.get("as")) {
    o.participant = *as;
  } else if (env_participant != nullptr && *env_participant != '\0') {
    o.participant = env_participant;
  } else if (role == Role::operator_role) {
    o.participant = operator_default;
  } else {
    usage_error("who are you? pass --as PARTICIPANT or set GHX_PARTICIPANT");
  }
  if (!gateway::is_valid_participant_name(o.participant)) {
    usage_error("bad participant name '" + o.participant + "'");
  }
  return o;
}

gateway::TlsFiles participant_tls_files(const ConnectionOptions& options) {
  const std::filesystem::path dir = options.data_dir / "certs";
  const std::string& name = options.participant;
  gateway::TlsFiles files{(dir / "ca.pem").string(), (dir / (name + ".pem")).string(),
                          (dir / (name + ".key")).string()};
  // Without the exchange's CA, a certificate made here (ghx certs would make a new CA) is one
  // ghxd does not trust: the data directory is the thing to fix.
  if (!std::filesystem::exists(files.ca_file)) {
    throw CliError(exit_connection, "missing " + files.ca_file + ": " + options.data_dir.string() +
                                        " is not the exchange's data directory (ghxd keeps its "
                                        "CA in DATA/certs); pass the right one with --data");
  }
  // A certificate lets in only a registered name, and the CLI cannot tell from here whether this
  // one is: say what to do in either case.
  for (const std::string& file : {files.cert_file, files.key_file}) {
    if (!std::filesystem::exists(file)) {
      throw CliError(exit_connection,
                     "missing " + file + ": if " + name + " is registered (ghx participants " +
                         "--data " + options.data_dir.string() +
                         "), make its certificate from the exchange's CA with: ghx certs --dir " +
                         dir.string() + " " + name + "; if not, the operator registers it " +
                         "(and makes its certificate) with: ghx add-participant " + name +
                         " --roles ...");
    }
  }
  return files;
}

Session::Session(const ConnectionOptions& options, bool cancel_on_disconnect,
                 std::optional<uint64_t> last_report_sequence)
    : options_(options), client_(client_config(options)) {
  if (client_.connect() != gateway::ClientStatus::ok) {
    throw CliError(exit_connection, "cannot reach ghxd at " + connection_text(options_) + ": " +
                                        client_.last_error());
  }
  gateway::LogonFields logon;
  logon.participant = options_.participant;
  logon.cancel_on_disconnect = cancel_on_disconnect;
  logon.last_report_sequence = last_report_sequence;
  const gateway::LogonResult result = client_.logon(logon);
  if (result.status == gateway::ClientStatus::rejected) {
    throw CliError(exit_connection, "logon refused at " + connection_text(options_) + ": " +
                                        std::string(wire::EnumNameErrorCode(result.reject_code)) +
                                        " " + result.text);
  }
  if (result.status != gateway::ClientStatus::ok) {
    throw CliError(result.status == gateway::ClientStatus::timeout ? exit_timeout : exit_connection,
                   "logon failed at " + connection_text(options_) + ": " +
                       std::string(gateway::to_string(result.status)) + " " + result.text);
  }
}

Session::~Session() { client_.close(); }

void Session::send(gateway::Frame frame) {
  const gateway::ClientStatus status = client_.send(std::move(frame));
  if (status != gateway::ClientStatus::ok) {
    throw CliError(exit_connection, "send failed: " + client_.last_error());
  }
}

std::optional<gateway::Received> Session::next(Clock::time_point deadline) {
  for (;;) {  // bounded by the deadline: each receive waits at most until then
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    // Long waits (ghx watch) must keep the session alive; a short wait never sends.
    client_.heartbeat_if_due();
    const uint32_t slice_ms = static_cast<uint32_t>(std::min<int64_t>(left.count(), 1'000));
    gateway::Received received = client_.receive(slice_ms);
    if (received.status == gateway::ClientStatus::timeout) continue;
    if (received.status != gateway::ClientStatus::ok) {
      throw CliError(exit_connection, "connection to ghxd lost: " +
                                          std::string(gateway::to_string(received.status)) + " " +
                                          client_.last_error());
    }
    const wire::Body type = received.message().body_type();
    if (type == wire::Body::Heartbeat) continue;
    if (type == wire::Body::Logout) {
      const auto* logout = received.message().body_as_Logout();
      throw CliError(exit_connection, "ghxd logged the session out: " +
                                          (logout->text() ? logout->text()->str() : std::string()));
    }
    return received;
  }
}

}  // namespace ghx::cli
