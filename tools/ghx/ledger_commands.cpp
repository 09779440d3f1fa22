#include "tools/ghx/ledger_commands.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "gateway/exchange_command.h"
#include "ledger/check.h"
#include "ledger/ledger.h"
#include "ledger/report.h"
#include "tools/ghx/audit.h"
#include "tools/ghx/report_writers.h"

namespace ghx::cli {
namespace {

// --data takes the exchange's data directory (as every ghx command does) or the ledger
// directory inside it.
std::string ledger_directory(const std::string& data) {
  const std::filesystem::path nested = std::filesystem::path(data) / "ledger";
  if (std::filesystem::exists(nested / "data.mdb")) return nested.string();
  return data;
}


using namespace ghx::ledger;

constexpr int64_t ns_per_second = 1'000'000'000;
constexpr int64_t ns_per_day = 86'400 * ns_per_second;

// --name value pairs; anything else is a usage error.
std::optional<std::map<std::string, std::string>> parse_flags(int argc, char** argv, int first) {
  std::map<std::string, std::string> flags;
  for (int i = first; i < argc; i += 2) {
    const std::string name = argv[i];
    if (name.rfind("--", 0) != 0 || i + 1 >= argc) return std::nullopt;
    flags[name.substr(2)] = argv[i + 1];
  }
  return flags;
}

// YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC. Sets `whole_day` for the first form.
std::optional<Timestamp> parse_time(const std::string& text, bool& whole_day) {
  std::tm tm{};
  int consumed = 0;
  whole_day = text.size() == 10;
  const int fields =
      whole_day ? std::sscanf(text.c_str(), "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                              &consumed)
                : std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon,
                              &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed);
  if (fields != (whole_day ? 3 : 6) || static_cast<size_t>(consumed) != text.size() ||
      tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const std::tm asked = tm;
  const std::time_t seconds = timegm(&tm);
  // timegm counts on past the month's last day, or 23:59:59, into the next: such a time is
  // not one (2026-02-31, 25:00:00).
  if (tm.tm_year != asked.tm_year || tm.tm_mon != asked.tm_mon || tm.tm_mday != asked.tm_mday ||
      tm.tm_hour != asked.tm_hour || tm.tm_min != asked.tm_min || tm.tm_sec != asked.tm_sec) {
    return std::nullopt;
  }
  return Timestamp{static_cast<int64_t>(seconds) * ns_per_second};
}

// csv, json and html, comma-separated, each at most once; nullopt for anything else.
std::optional<std::set<std::string>> parse_formats(const std::string& text) {
  std::set<std::string> formats;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const std::string name = text.substr(start, comma - start);
    if ((name != "csv" && name != "json" && name != "html") || !formats.insert(name).second) {
      return std::nullopt;
    }
    if (comma == std::string::npos) return formats;
    start = comma + 1;
  }
}

std::string day_of(Timestamp t) { return iso_time(t).substr(0, 10); }

struct Period {
  Timestamp from;
  Timestamp to;
  std::string label;  // for file names
};

std::optional<Period> parse_period(const std::map<std::string, std::string>& flags) {
  bool day = false;
  // One way of naming the period: --day and --from/--to together would leave one unused.
  if (flags.contains("day") && (flags.contains("from") || flags.contains("to"))) {
    return std::nullopt;
  }
  if (flags.contains("day") || (!flags.contains("from") && !flags.contains("to"))) {
    const std::string text =
        flags.contains("day") ? flags.at("day") : day_of(Timestamp{std::time(nullptr) * ns_per_second});
    const auto from = parse_time(text, day);
    if (!from || !day) return std::nullopt;
    return Period{*from, Timestamp{from->ns + ns_per_day}, text};
  }
  if (!flags.contains("from") || !flags.contains("to")) return std::nullopt;
  bool to_day = false;
  const auto from = parse_time(flags.at("from"), day);
  auto to = parse_time(flags.at("to"), to_day);
  if (!from || !to) return std::nullopt;
  if (to_day) to->ns += ns_per_day;  // a date in --to includes that day
  if (!(*from < *to)) return std::nullopt;
  return Period{*from, *to, flags.at("from") + "_" + flags.at("to")};
}

Options read_only() {
  Options options;
  options.read_only = true;
  return options;
}

// The ledger keeps journal entries as opaque bytes; only the exchange's codec tells whether
// each is a command ghxd can replay (a damaged one would stop its recovery).
void check_journal_decodes(const Snapshot& snapshot, CheckReport& report) {
  constexpr size_t listed_max = 10;
  size_t undecodable = 0;
  gateway::ExchangeCommand command;
  const Result result = snapshot.for_each_journal({1}, [&](SequenceNumber sequence, auto bytes) {
    if (gateway::decode(bytes, command) && command.sequence().value == sequence.value) {
      return true;
    }
    if (++undecodable <= listed_max) {
      report.problems.push_back("journal entry " + std::to_string(sequence.value) +
                                " does not decode as a ghxd command (damaged, or written by "
                                "another version): ghxd cannot replay it");
    }
    return true;
  });
  if (undecodable > listed_max) {
    report.problems.push_back(std::to_string(undecodable - listed_max) +
                              " more journal entries do not decode");
  }
  if (result != Result::ok) report.problems.push_back("the journal cannot be read");
}

int check(const std::string& data) {
  Ledger ledger(data, read_only());
  const Snapshot snapshot = ledger.snapshot();
  CheckReport report = check_ledger(snapshot);
  check_journal_decodes(snapshot, report);
  if (!report.ok()) {
    std::fprintf(stderr, "ledger %s FAILED the check (%zu problem%s):\n", data.c_str(),
                 report.problems.size(), report.problems.size() == 1 ? "" : "s");
    for (const std::string& p : report.problems) std::fprintf(stderr, "  - %s\n", p.c_str());
    return 1;
  }
  std::printf("ledger %s ok: %llu transfers, %llu trades, %llu accounts, journal %llu entries up to "
              "sequence %llu; every asset sums to zero\n",
              data.c_str(), static_cast<unsigned long long>(report.transfers),
              static_cast<unsigned long long>(report.trades),
              static_cast<unsigned long long>(report.accounts),
              static_cast<unsigned long long>(report.journal_entries),
              static_cast<unsigned long long>(report.last_sequence.value));
  return 0;
}

void write_file(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path.string());
  std::printf("wrote %s\n", path.string().c_str());
}

void write_report(const Report& report, const std::filesystem::path& base,
                  const std::set<std::string>& formats) {
  if (formats.contains("csv")) {
    const CsvFiles csv = render_csv(report);
    write_file(base.string() + "-trades.csv", csv.trades);
    write_file(base.string() + "-deliveries.csv", csv.deliveries);
    write_file(base.string() + "-movements.csv", csv.movements);
    write_file(base.string() + "-obligations-at-period-end.csv", csv.obligations);
    write_file(base.string() + "-balances.csv", csv.balances);
  }
  if (formats.contains("json")) write_file(base.string() + ".json", render_json(report));
  if (formats.contains("html")) write_file(base.string() + ".html", render_html(report));
}

// Participant names come from the ledger; keep only characters that are safe in a file name.
std::string file_safe(const std::string& name) {
  std::string out = name;
  for (char& c : out) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.';
    if (!safe) c = '_';
  }
  return out;
}

int report_usage() {
  std::fprintf(stderr, "usage: ghx report --data DIR --participant ID|NAME [--day YYYY-MM-DD | "
                       "--from T --to T] [--out DIR] [--format csv,json,html]\n"
                       "  T = YYYY-MM-DD (whole UTC day) or YYYY-MM-DDTHH:MM:SSZ\n");
  return 2;
}

int audit_usage() {
  std::fprintf(stderr,
               "usage: ghx audit --data DIR [--day YYYY-MM-DD | --from T --to T] "
               "[--json]\n  T = YYYY-MM-DD (whole UTC day) or YYYY-MM-DDTHH:MM:SSZ\n");
  return 2;
}

// --json takes no value: it is taken out of `args` before the --name value pairs are read.
bool take_json_flag(std::vector<char*>& args) {
  const auto json = std::find_if(args.begin(), args.end(),
                                 [](const char* arg) { return std::string(arg) == "--json"; });
  if (json == args.end()) return false;
  args.erase(json);
  return true;
}

}  // namespace

int run_audit_command(int argc, char** argv) {
  std::vector<char*> args(argv, argv + argc);
  const bool as_json = take_json_flag(args);
  const auto flags = parse_flags(static_cast<int>(args.size()), args.data(), 1);
  if (!flags || !flags->contains("data")) return audit_usage();
  // The whole journal unless a period is asked for.
  Period period{Timestamp{INT64_MIN}, Timestamp{INT64_MAX}, ""};
  if (flags->contains("day") || flags->contains("from") || flags->contains("to")) {
    const auto asked = parse_period(*flags);
    if (!asked) return audit_usage();
    period = *asked;
  }
  Ledger ledger(ledger_directory(flags->at("data")), read_only());
  std::vector<AuditEntry> entries;
  if (read_audit_trail(ledger.snapshot(), period.from.ns, period.to.ns, entries) != Result::ok) {
    std::fprintf(stderr, "ghx audit: the journal cannot be read (run ghx ledger check)\n");
    return 1;
  }
  for (const AuditEntry& entry : entries) {
    std::printf("%s\n", (as_json ? audit_json(entry) : audit_line(entry)).c_str());
  }
  if (!as_json && entries.empty()) {
    std::printf("no operator requests in %s\n",
                period.label.empty() ? "the journal" : "that period");
  }
  return 0;
}

int run_participants_command(int argc, char** argv) {
  std::vector<char*> args(argv, argv + argc);
  const bool as_json = take_json_flag(args);
  const auto flags = parse_flags(static_cast<int>(args.size()), args.data(), 1);
  if (!flags || !flags->contains("data") || flags->size() != 1) {
    std::fprintf(stderr, "usage: ghx participants --data DIR [--json]\n");
    return 2;
  }
  Ledger ledger(ledger_directory(flags->at("data")), read_only());
  const Result read = ledger.snapshot().for_each_participant([&](const ParticipantRecord& p) {
    if (as_json) {
      std::printf("{\"type\":\"participant\",\"id\":%u,\"name\":%s,\"roles\":%s}\n", p.id.value,
                  json_string(p.name).c_str(), json_string(roles_text(p.roles)).c_str());
    } else {
      std::printf("%5u  %-24s %s\n", p.id.value, p.name.c_str(), roles_text(p.roles).c_str());
    }
    return true;
  });
  if (read != Result::ok) {
    std::fprintf(stderr, "ghx participants: the ledger cannot be read (run ghx ledger check)\n");
    return 1;
  }
  return 0;
}

int run_ledger_command(int argc, char** argv) {
  const auto flags = argc >= 2 ? parse_flags(argc, argv, 2) : std::nullopt;
  if (argc < 2 || std::string(argv[1]) != "check" || !flags || !flags->contains("data")) {
    std::fprintf(stderr, "usage: ghx ledger check --data DIR\n");
    return 2;
  }
  return check(ledger_directory(flags->at("data")));
}

int run_report_command(int argc, char** argv) {
  const auto flags = parse_flags(argc, argv, 1);
  if (!flags || !flags->contains("data") || !flags->contains("participant")) return report_usage();
  const auto period = parse_period(*flags);
  const auto formats =
      parse_formats(flags->contains("format") ? flags->at("format") : "csv,json,html");
  if (!period || !formats) return report_usage();
  Ledger ledger(ledger_directory(flags->at("data")), read_only());
  const Snapshot snapshot = ledger.snapshot();
  const auto participant = find_participant(snapshot, flags->at("participant"));
  if (!participant) {
    std::fprintf(stderr, "ghx report: no participant with id or name '%s'\n",
                 flags->at("participant").c_str());
    return 1;
  }
  Report report;
  if (build_report(snapshot, *participant, period->from, period->to, report) != Result::ok) {
    std::fprintf(stderr, "ghx report: the ledger cannot be read (run ghx ledger check)\n");
    return 1;
  }
  const std::filesystem::path out = flags->contains("out") ? flags->at("out") : ".";
  std::filesystem::create_directories(out);
  write_report(report, out / ("ghx-report-" + file_safe(participant->name) + "-" + period->label), *formats);
  return 0;
}

}  // namespace ghx::cli
