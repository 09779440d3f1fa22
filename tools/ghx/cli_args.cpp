#include "tools/ghx/cli_args.h"

#include <charconv>
#include <limits>

namespace ghx::cli {

const std::vector<OptionSpec> connection_option_specs = {
    {"data"}, {"as"}, {"host"}, {"port"}, {"timeout-ms"}, {"json", false},
};

void usage_error(const std::string& text) { throw CliError(exit_usage, text); }

std::optional<std::string> ParsedArgs::get(std::string_view name) const {
  const auto it = options.find(name);
  if (it == options.end()) return std::nullopt;
  return it->second;
}

std::string ParsedArgs::get_or(std::string_view name, std::string_view fallback) const {
  const auto it = options.find(name);
  return it == options.end() ? std::string(fallback) : it->second;
}

namespace {

const OptionSpec* find_spec(std::span<const OptionSpec> specs, std::string_view name) {
  for (const OptionSpec& spec : specs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

// A negative number ("-5") is a positional value, not an option.
bool looks_like_option(std::string_view arg) {
  return arg.size() > 2 && arg.substr(0, 2) == "--";
}

}  // namespace

ParsedArgs parse_args(int argc, char** argv, int first, std::span<const OptionSpec> specs) {
  ParsedArgs parsed;
  bool options_done = false;
  for (int i = first; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (options_done || !looks_like_option(arg)) {
      if (arg == "--" && !options_done) {
        options_done = true;
        continue;
      }
      parsed.positional.emplace_back(arg);
      continue;
    }
    std::string_view name = arg.substr(2);
    std::optional<std::string_view> inline_value;
    if (const size_t eq = name.find('='); eq != std::string_view::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const OptionSpec* spec = find_spec(specs, name);
    if (spec == nullptr) usage_error("unknown option --" + std::string(name));
    std::string value;
    if (spec->takes_value) {
      if (inline_value) {
        value = *inline_value;
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        usage_error("option --" + std::string(name) + " needs a value");
      }
    } else if (inline_value) {
      usage_error("option --" + std::string(name) + " takes no value");
    }
    parsed.options[std::string(name)] = value;
  }
  return parsed;
}

std::vector<OptionSpec> with_specs(std::vector<OptionSpec> own,
                                   const std::vector<OptionSpec>& more) {
  own.insert(own.end(), more.begin(), more.end());
  return own;
}

int64_t parse_int64(std::string_view text, std::string_view what) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) {
    usage_error(std::string(what) + " must be a whole number, got '" + std::string(text) + "'");
  }
  return value;
}

int64_t parse_positive_int64(std::string_view text, std::string_view what) {
  const int64_t value = parse_int64(text, what);
  if (value <= 0) usage_error(std::string(what) + " must be positive, got " + std::string(text));
  return value;
}

uint64_t parse_id(std::string_view text, std::string_view what) {
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value == 0) {
    usage_error(std::string(what) + " must be a non-zero id, got '" + std::string(text) + "'");
  }
  return value;
}

int64_t parse_money(std::string_view text, std::string_view what) {
  const size_t dot = text.find('.');
  if (dot == std::string_view::npos) return parse_int64(text, what);
  const std::string_view whole = text.substr(0, dot);
  const std::string_view cents = text.substr(dot + 1);
  const bool negative = !whole.empty() && whole[0] == '-';
  if (cents.empty() || cents.size() > 2 || cents[0] == '-' || cents[0] == '+') {
    usage_error(std::string(what) + " takes at most two decimals, got '" + std::string(text) +
                "'");
  }
  const int64_t units = whole.empty() || whole == "-" ? 0 : parse_int64(whole, what);
  int64_t minor = parse_int64(cents, what);
  if (cents.size() == 1) minor *= 10;
  constexpr int64_t limit = std::numeric_limits<int64_t>::max() / 100 - 100;
  if (units > limit || units < -limit) usage_error(std::string(what) + " is too large");
  return negative ? units * 100 - minor : units * 100 + minor;
}

void expect_positional(const ParsedArgs& args, size_t min, size_t max, std::string_view usage) {
  const size_t count = args.positional.size();
  if (count < min || count > max) usage_error("usage: ghx " + std::string(usage));
}

}  // namespace ghx::cli
