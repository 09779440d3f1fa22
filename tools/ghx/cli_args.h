#pragma once
// Command-line plumbing shared by the trading, market and operator commands: a small option
// parser, number parsing with messages that name the argument, and the CLI's exit codes.
//
// Errors are exceptions (CliError) because the CLI is an edge: each command catches them once
// (run_guarded) and turns them into a message on stderr and an exit code.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ghx::cli {

// Exit codes, documented in `ghx` usage: scripts branch on them.
constexpr int exit_ok = 0;
constexpr int exit_refused = 1;     // the exchange rejected the order or operator command
constexpr int exit_usage = 2;       // bad arguments
constexpr int exit_connection = 3;  // connect, TLS or logon failed; certificates missing
constexpr int exit_timeout = 4;     // no answer within --timeout-ms

struct CliError : std::runtime_error {
  CliError(int code, const std::string& text) : std::runtime_error(text), exit_code(code) {}
  int exit_code;
};

[[noreturn]] void usage_error(const std::string& text);

struct OptionSpec {
  std::string_view name;  // without the leading "--"
  bool takes_value = true;
};

// Options common to every command that talks to ghxd (see connection.h).
extern const std::vector<OptionSpec> connection_option_specs;

struct ParsedArgs {
  std::vector<std::string> positional;
  std::map<std::string, std::string, std::less<>> options;  // flags map to ""

  bool has(std::string_view name) const { return options.find(name) != options.end(); }
  std::optional<std::string> get(std::string_view name) const;
  std::string get_or(std::string_view name, std::string_view fallback) const;
};

// Parses argv[first..argc). "--name value" and "--name=value" both work; "--" ends options.
// Unknown options and missing values are usage errors.
ParsedArgs parse_args(int argc, char** argv, int first, std::span<const OptionSpec> specs);

// Concatenates spec lists (a command's own options plus the connection options).
std::vector<OptionSpec> with_specs(std::vector<OptionSpec> own,
                                   const std::vector<OptionSpec>& more);

// Whole decimal numbers; `what` names the argument in the error message.
int64_t parse_int64(std::string_view text, std::string_view what);
int64_t parse_positive_int64(std::string_view text, std::string_view what);
uint64_t parse_id(std::string_view text, std::string_view what);  // non-zero

// Money in minor units: "1850" as is, or currency with a decimal point: "18.50" -> 1850,
// "18.5" -> 1850. More than two decimals is an error (no silent rounding of money).
int64_t parse_money(std::string_view text, std::string_view what);

// Requires exactly `count` positional arguments (or between min and max).
void expect_positional(const ParsedArgs& args, size_t min, size_t max, std::string_view usage);

}  // namespace ghx::cli
