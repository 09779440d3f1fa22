// ghxd: the exchange server. The composition root: certificates, ledger + engine core,
// service, TLS server, the rolling product calendar, and a clean stop on SIGINT/SIGTERM.
//
// usage: ghxd [--data DIR] [--listen ADDRESS] [--port N] [--snapshot-interval N]
//             [--reports-kept N] [--daily-auction HH:MM] [--ledger-max SIZE]
//             [--print-state-hash]
//   --data DIR        where the ledger, snapshots and certificates live (default ./ghx-data)
//   --listen ADDRESS  address to listen on (default 127.0.0.1)
//   --port N          TCP port (default 7700; 0 picks a free one)
//   --snapshot-interval N  a snapshot every N commands (default 100000; 0 = none taken and
//                          none used at start: a full replay of the journal)
//   --reports-kept N  execution reports kept per participant for resends (default 1000000)
//   --daily-auction HH:MM  windows are listed in a call phase that uncrosses at the next
//                     HH:MM UTC, unless their gate closes first (default: none; they trade
//                     continuously from listing)
//   --ledger-max SIZE  the most the ledger's data file may grow to, in bytes or with a
//                     suffix K, M, G or T (powers of 1024; default 64G). ghxd refuses to
//                     start when the ledger has taken 95 % of it, warns from 80 %, and stops
//                     if a commit needs more: start it again with a larger SIZE.
//   --print-state-hash  recover (snapshot + journal), print the engine's state hash, exit;
//                       the crash test compares it with a clean replay of its own. It opens
//                       the ledger read-only and changes none of the data (see run()).
// Prints "ghxd: listening on ADDRESS:PORT" once ready.

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "gateway/certs.h"
#include "gateway/exchange_core.h"
#include "gateway/exchange_defaults.h"
#include "gateway/exchange_service.h"
#include "gateway/log.h"
#include "gateway/option_numbers.h"
#include "gateway/server.h"

namespace ghx::gateway {
namespace {

constexpr uint16_t port_default = 7700;
constexpr int calendar_refresh_s = 60;
// Of --ledger-max: ghxd warns from the first, and will not start at the second (a ledger that
// full would stop at one of its next commits).
constexpr int ledger_warn_percent = 80;
constexpr int ledger_refuse_percent = 95;

struct Options {
  std::filesystem::path data = "ghx-data";
  std::string listen = "127.0.0.1";
  uint16_t port = port_default;
  uint64_t snapshot_interval_commands = ExchangeCoreConfig{}.snapshot_interval_commands;
  uint64_t reports_kept = ServiceConfig{}.reports_kept_per_participant;
  int daily_auction_minute = -1;  // of the day, UTC; -1: no daily call auction
  uint64_t ledger_max_bytes = ledger::Options{}.map_size_max_bytes;
  bool print_state_hash = false;
};

Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--data") {
      options.data = value();
    } else if (arg == "--listen") {
      options.listen = value();
      // Checked here, before the data directory is touched; the server names it too.
      asio::error_code error;
      asio::ip::make_address(options.listen, error);
      if (error) {
        throw std::invalid_argument("--listen needs an IP address such as 127.0.0.1 or ::1, not '" +
                                    options.listen + "'");
      }
    } else if (arg == "--port") {
      options.port = static_cast<uint16_t>(parse_whole_option(value(), arg, 0, UINT16_MAX));
    } else if (arg == "--snapshot-interval") {
      options.snapshot_interval_commands = parse_whole_option(value(), arg, 0, UINT64_MAX);
    } else if (arg == "--reports-kept") {
      options.reports_kept = parse_whole_option(value(), arg, 1, UINT64_MAX);
    } else if (arg == "--daily-auction") {
      if (!parse_time_of_day(value(), options.daily_auction_minute)) {
        throw std::invalid_argument("--daily-auction needs a UTC time of day, HH:MM");
      }
    } else if (arg == "--ledger-max") {
      options.ledger_max_bytes = parse_size_option(value(), arg);
    } else if (arg == "--print-state-hash") {
      options.print_state_hash = true;
    } else if (arg == "--help" || arg == "-h") {
      std::puts(
          "usage: ghxd [--data DIR] [--listen ADDRESS] [--port N] [--snapshot-interval N]"
          " [--reports-kept N] [--daily-auction HH:MM] [--ledger-max SIZE]"
          " [--print-state-hash]");
      std::exit(0);
    } else {
      throw std::invalid_argument("unknown argument '" + arg + "' (see --help)");
    }
  }
  return options;
}

// The exchange CA, the server's certificate and one certificate per default participant.
TlsFiles ensure_certificates(const std::filesystem::path& dir) {
  const CertResult ca = ensure_ca(dir);
  if (!ca.ok) throw std::runtime_error("certificate authority: " + ca.error);
  const CertResult server = ensure_server_certificate(dir, ca.files);
  if (!server.ok) throw std::runtime_error("server certificate: " + server.error);
  for (const DefaultParticipant& participant : default_participants()) {
    const CertResult made = ensure_participant_certificate(dir, ca.files, participant.name);
    if (!made.ok) throw std::runtime_error(std::string(participant.name) + ": " + made.error);
  }
  return {ca.files.cert.string(), server.files.cert.string(), server.files.key.string()};
}

// Registers the default participants that the ledger does not know yet.
void add_default_participants(ExchangeService& service) {
  for (const DefaultParticipant& participant : default_participants()) {
    if (service.participant(participant.name)) continue;
    ExchangeCommand command;
    command.kind = ExchangeCommandKind::add_participant;
    command.engine.participant = matching::ParticipantId{service.reserve_participant_id()};
    command.name = participant.name;
    command.roles = participant.roles;
    service.submit_internal(std::move(command));
  }
}

// "listening" is a promise that the default participants can log on: wait for their
// registration to be committed before making it.
void wait_until_registered(const ExchangeService& service) {
  constexpr int wait_ms_max = 30'000;
  for (int waited_ms = 0; waited_ms < wait_ms_max; waited_ms += 5) {
    bool all = true;
    for (const DefaultParticipant& participant : default_participants()) {
      all = all && service.participant(participant.name).has_value();
    }
    if (all) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  throw std::runtime_error("the default participants were not registered within 30 s");
}

// Lists the calendar's windows that are not listed yet; with a daily call auction, each in a
// call phase that uncrosses at the next auction time, unless its gate closes first.
void list_calendar(ExchangeService& service, const ExchangeCoreConfig& config,
                   int daily_auction_minute) {
  const int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  const int64_t lead_ns = config.engine.gate_closure_lead_ns;
  const int64_t auction_ns =
      daily_auction_minute < 0 ? 0 : next_daily_auction_ns(now_ns, daily_auction_minute);
  for (const auto& spec : calendar_products(now_ns, lead_ns)) {
    if (service.has_product(matching::format_symbol(spec))) continue;
    ExchangeCommand command;
    command.engine.type = matching::CommandType::list_product;
    command.engine.spec = spec;
    if (auction_ns != 0 && auction_ns < spec.delivery_start().ns - lead_ns) {
      command.engine.expire_time = matching::Timestamp{auction_ns};
    }
    service.submit_internal(std::move(command));
  }
}

int ledger_percent_used(ExchangeCore& core) {
  return static_cast<int>(core.ledger().used_bytes() * 100 /
                          core.ledger().options().map_size_max_bytes);
}

// Warns as the ledger fills (it is never pruned): at 80 %, then at each 5 % more.
void warn_if_ledger_filling(ExchangeCore& core, int& warned_percent) {
  const int percent = ledger_percent_used(core);
  if (percent < ledger_warn_percent || percent < warned_percent + 5) return;
  warned_percent = percent;
  log(LogLevel::warn,
      "ghxd: the ledger has taken " + std::to_string(percent) + " % of --ledger-max (" +
          std::to_string(core.ledger().options().map_size_max_bytes >> 20) +
          " MiB); ghxd stops when it is full: restart it with a larger --ledger-max before then");
}

int wait_for_signal(ExchangeCore& core, ExchangeService& service, const ExchangeCoreConfig& config,
                    int daily_auction_minute) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  // A core that failed (a commit the disk refused) acknowledges nothing more, but while ghxd
  // listens its clients are told to try again: it is noticed within a tenth of a second, and
  // ghxd stops (a restart recovers from the journal).
  const timespec failure_check{0, 100'000'000};
  auto next_listing = std::chrono::steady_clock::now() + std::chrono::seconds(calendar_refresh_s);
  int warned_percent = 0;
  warn_if_ledger_filling(core, warned_percent);
  while (true) {
    const int signal = sigtimedwait(&signals, nullptr, &failure_check);
    if (signal == SIGINT || signal == SIGTERM) return 0;
    if (core.failed()) {
      log(LogLevel::error, "ghxd: the exchange core failed (see above); stopping");
      return 1;
    }
    if (std::chrono::steady_clock::now() < next_listing) continue;
    list_calendar(service, config, daily_auction_minute);
    warn_if_ledger_filling(core, warned_percent);
    next_listing = std::chrono::steady_clock::now() + std::chrono::seconds(calendar_refresh_s);
  }
}

// One ghxd per data directory: a second would append to the same journal, and one of the two
// would stop at its next commit. The lock is the kernel's (flock), so a ghxd that crashed or
// was killed holds it no longer; it is held until this process ends. A look at the data
// (`inspecting`) takes it shared, so that it waits for no other look, and creates no lock file:
// where there is none (a copy of the data, read-only media) it goes without.
void lock_data_directory(const std::filesystem::path& data, bool inspecting) {
  const std::filesystem::path path = data / "ghxd.lock";
  const int fd = inspecting ? ::open(path.c_str(), O_RDONLY | O_CLOEXEC)
                            : ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0 && inspecting && errno == ENOENT) return;
  if (fd < 0) throw std::runtime_error("cannot open " + path.string() + ": " + strerror(errno));
  if (::flock(fd, (inspecting ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
    const std::string why =
        errno == EWOULDBLOCK
            ? "another ghxd is using " + data.string() + " (it holds " + path.string() + ")"
            : "cannot lock " + path.string() + ": " + strerror(errno);
    ::close(fd);
    throw std::runtime_error(why);
  }
}

ExchangeCoreConfig core_config_of(const Options& options) {
  ExchangeCoreConfig config;
  config.data_directory = (options.data / "ledger").string();
  config.snapshot_directory = (options.data / "snapshots").string();
  config.snapshot_interval_commands = options.snapshot_interval_commands;
  config.ledger.map_size_max_bytes = options.ledger_max_bytes;
  return config;
}

// Recovery replays the journal whole or not at all: a damaged entry or a gap stops here, before
// the server listens or a command is committed, and says so, naming `what` it stops.
void recover(std::optional<ExchangeCore>& core, const ExchangeCoreConfig& config,
             const std::string& what) {
  try {
    core.emplace(config);
  } catch (const std::exception& error) {
    throw std::runtime_error(what + ": cannot recover the ledger in " + config.data_directory +
                             ": " + error.what());
  }
}

// --print-state-hash looks at an exchange's data and changes none of it: it makes no directory,
// lock file, certificate or ledger where there is none, deletes no snapshot, and opens the
// ledger read-only (LMDB may still make its own lock.mdb if a copy has none).
int print_state_hash(const Options& options) {
  if (!std::filesystem::is_directory(options.data)) {
    throw std::runtime_error("no state hash: " + options.data.string() + " does not exist");
  }
  lock_data_directory(options.data, true);
  ExchangeCoreConfig config = core_config_of(options);
  config.inspect_only = true;
  std::optional<ExchangeCore> core;
  recover(core, config, "no state hash");
  std::printf("ghxd: state hash %016llx at sequence %llu\n",
              static_cast<unsigned long long>(core->engine().state_hash()),
              static_cast<unsigned long long>(core->last_sequence().value));
  return 0;
}

int serve(const Options& options) {
  std::filesystem::create_directories(options.data);
  lock_data_directory(options.data, false);
  const TlsFiles tls = ensure_certificates(options.data / "certs");
  const ExchangeCoreConfig core_config = core_config_of(options);
  std::filesystem::create_directories(core_config.data_directory);
  std::optional<ExchangeCore> recovered;
  recover(recovered, core_config, "refusing to start");
  ExchangeCore& core = *recovered;
  if (ledger_percent_used(core) >= ledger_refuse_percent) {
    throw std::runtime_error(
        "refusing to start: the ledger has taken " + std::to_string(ledger_percent_used(core)) +
        " % of --ledger-max (" + std::to_string(options.ledger_max_bytes >> 20) +
        " MiB) and would stop at one of its next commits; start ghxd with a larger --ledger-max");
  }
  if (core.stats().replayed_commands > 0) {
    log(LogLevel::info, "ghxd: replayed " + std::to_string(core.stats().replayed_commands.load()) +
                            " journaled commands");
  }
  ExchangeService service(core, {.reports_kept_per_participant = options.reports_kept});
  ServerConfig server_config;
  server_config.listen_address = options.listen;
  server_config.port = options.port;
  server_config.tls = tls;
  Server server(server_config, service);
  service.attach(server);
  // Whatever ends the run, an error at start-up included (the port taken, say), the server and
  // the core stop before the service they call back is destroyed, and commit what they took.
  struct StopFirst {
    Server& server;
    ExchangeCore& core;
    ~StopFirst() {
      server.stop();
      core.stop();
    }
  } stop_first{server, core};
  service.start_core();
  add_default_participants(service);
  list_calendar(service, core_config, options.daily_auction_minute);
  wait_until_registered(service);
  const uint16_t port = server.start();
  std::printf("ghxd: listening on %s:%u\n", options.listen.c_str(), port);
  std::fflush(stdout);
  const int status = wait_for_signal(core, service, core_config, options.daily_auction_minute);
  server.stop();
  core.stop();
  log(LogLevel::info, "ghxd: stopped after " + std::to_string(core.stats().commands.load()) +
                          " commands in " + std::to_string(core.stats().commits.load()) +
                          " commits");
  return status;
}

}  // namespace
}  // namespace ghx::gateway

int main(int argc, char** argv) {
  // Signals are taken by sigtimedwait on the main thread: block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  try {
    const ghx::gateway::Options options = ghx::gateway::parse_options(argc, argv);
    return options.print_state_hash ? ghx::gateway::print_state_hash(options)
                                    : ghx::gateway::serve(options);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "ghxd: %s\n", error.what());
    return 1;
  }
}
