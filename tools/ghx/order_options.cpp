#include "tools/ghx/order_options.h"

#include <chrono>

#include "matching/engine.h"
#include "matching/product.h"
#include "tools/ghx/format.h"

namespace ghx::cli {

const std::vector<OptionSpec> order_option_specs = {
    {"type"}, {"tif"},          {"expire"}, {"post-only", false},
    {"min-qty"}, {"stp"},       {"id"},     {"wait"},
    {"cancel-on-disconnect", false}, {"windows"},
};

namespace {

constexpr int64_t ns_per_second = 1'000'000'000;
constexpr int64_t ns_per_us = 1'000;

// Reads `digits` decimal digits at text[pos]; false when they are not all digits.
bool read_digits(std::string_view text, size_t pos, size_t digits, int64_t& value) {
  if (pos + digits > text.size()) return false;
  value = 0;
  for (size_t i = pos; i < pos + digits; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

[[noreturn]] void bad_time(std::string_view text, std::string_view option) {
  const bool relative_too = option == "--expire" || option == "--uncross-at";
  usage_error(
      std::string(option) +
      (relative_too ? " takes +SECONDS or an ISO 8601 UTC time" : " takes an ISO 8601 UTC time") +
      " like 2026-12-01T08:30:00Z, got '" + std::string(text) + "'");
}

// Optional ":MM", ":SS" and ".fraction" after the hour; advances pos.
int64_t parse_clock_rest(std::string_view text, size_t& pos, std::string_view option) {
  int64_t minutes = 0, seconds = 0, fraction_ns = 0;
  if (pos < text.size() && text[pos] == ':') {
    if (!read_digits(text, pos + 1, 2, minutes) || minutes > 59) bad_time(text, option);
    pos += 3;
    if (pos < text.size() && text[pos] == ':') {
      if (!read_digits(text, pos + 1, 2, seconds) || seconds > 60) bad_time(text, option);
      pos += 3;
      if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
        int64_t scale = ns_per_second / 10;
        for (++pos; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos) {
          fraction_ns += (text[pos] - '0') * scale;
          scale /= 10;
        }
      }
    }
  }
  return (minutes * 60 + seconds) * ns_per_second + fraction_ns;
}

// "Z", "+HH:MM", "-HH:MM", "+HHMM" or nothing (UTC); returns the offset east of UTC in ns.
int64_t parse_offset(std::string_view text, size_t pos, std::string_view option) {
  if (pos == text.size()) return 0;
  if (text[pos] == 'Z' && pos + 1 == text.size()) return 0;
  if (text[pos] != '+' && text[pos] != '-') bad_time(text, option);
  int64_t hours = 0, minutes = 0;
  if (!read_digits(text, pos + 1, 2, hours)) bad_time(text, option);
  size_t next = pos + 3;
  if (next < text.size() && text[next] == ':') ++next;
  if (next < text.size() && !read_digits(text, next, 2, minutes)) bad_time(text, option);
  if (next < text.size()) next += 2;
  if (next != text.size() || hours > 23 || minutes > 59) bad_time(text, option);
  const int64_t offset = (hours * 60 + minutes) * 60 * ns_per_second;
  return text[pos] == '+' ? offset : -offset;
}

// The engine's limit, so that a block it would refuse (InvalidBlock) is a usage error here, with
// the range, rather than a round trip.
constexpr int64_t block_windows_max = matching::EngineLimits{}.block_windows_max;
static_assert(block_windows_max <= UINT8_MAX, "NewOrder.windows is a byte");

// `--windows N`: a block order, fill-or-kill limit in every window. The options that would make
// it anything else are usage errors, named, rather than silently overridden.
uint8_t parse_block_windows(const ParsedArgs& args) {
  const std::string text = *args.get("windows");
  const int64_t windows = parse_int64(text, "--windows");
  if (windows < 2 || windows > block_windows_max) {
    usage_error("--windows takes 2.." + std::to_string(block_windows_max) +
                " (a block order over that many consecutive windows), got " + text);
  }
  const std::string tif = args.get_or("tif", "fok");
  std::string other;  // the option that says otherwise
  if (tif != "fok") other = "--tif " + tif;
  if (args.get_or("type", "limit") != "limit") other = "--type " + *args.get("type");
  for (const char* option : {"expire", "post-only", "min-qty"}) {
    if (other.empty() && args.has(option)) other = "--" + std::string(option);
  }
  if (!other.empty()) {
    usage_error("--windows makes a block order, fill-or-kill limit in every window: not with " +
                other);
  }
  return static_cast<uint8_t>(windows);
}

}  // namespace

int64_t parse_utc_time(std::string_view text, std::string_view option) {
  int64_t year = 0, month = 0, day = 0, hour = 0;
  if (text.size() < 13 || !read_digits(text, 0, 4, year) || text[4] != '-' ||
      !read_digits(text, 5, 2, month) || text[7] != '-' || !read_digits(text, 8, 2, day) ||
      (text[10] != 'T' && text[10] != ' ') || !read_digits(text, 11, 2, hour)) {
    bad_time(text, option);
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23) bad_time(text, option);
  size_t pos = 13;
  const int64_t within_hour_ns = parse_clock_rest(text, pos, option);
  const int64_t offset_ns = parse_offset(text, pos, option);
  const int64_t days = days_from_civil(year, static_cast<unsigned>(month),
                                       static_cast<unsigned>(day));
  // A day the month does not have (April 31st, February 29th of a common year) would count on
  // into the next month.
  int64_t year_again = 0;
  unsigned month_again = 0, day_again = 0;
  civil_from_days(days, year_again, month_again, day_again);
  if (month_again != month || day_again != day) bad_time(text, option);
  return (days * 24 + hour) * 3600 * ns_per_second + within_hour_ns - offset_ns;
}

wire::OrderType parse_order_type(std::string_view text) {
  if (text == "limit") return wire::OrderType::Limit;
  if (text == "market") return wire::OrderType::Market;
  usage_error("--type takes limit or market, got '" + std::string(text) + "'");
}

wire::TimeInForce parse_time_in_force(std::string_view text) {
  if (text == "gtc") return wire::TimeInForce::GoodTillGateClosure;
  if (text == "gtt") return wire::TimeInForce::GoodTillTime;
  if (text == "ioc") return wire::TimeInForce::ImmediateOrCancel;
  if (text == "fok") return wire::TimeInForce::FillOrKill;
  usage_error("--tif takes gtc, gtt, ioc or fok, got '" + std::string(text) + "'");
}

wire::SelfTradePrevention parse_self_trade(std::string_view text) {
  if (text == "cancel-taker") return wire::SelfTradePrevention::CancelTaker;
  if (text == "cancel-maker") return wire::SelfTradePrevention::CancelMaker;
  if (text == "cancel-both") return wire::SelfTradePrevention::CancelBoth;
  usage_error("--stp takes cancel-taker, cancel-maker or cancel-both, got '" + std::string(text) +
              "'");
}

int64_t parse_future_time(std::string_view text, int64_t now_ns, std::string_view option) {
  if (!text.empty() && text[0] == '+') {
    const std::string what = std::string(option) + " +SECONDS";
    const int64_t seconds = parse_positive_int64(text.substr(1), what);
    if (seconds > 10LL * 365 * 86400) {
      usage_error(std::string(option) + " is more than ten years away");
    }
    return now_ns + seconds * ns_per_second;
  }
  return parse_utc_time(text, option);
}

int64_t parse_expire(std::string_view text, int64_t now_ns) {
  return parse_future_time(text, now_ns, "--expire");
}

void check_symbol(std::string_view symbol) {
  const matching::SymbolParse parsed = matching::parse_symbol(symbol);
  if (!parsed.ok) {
    // The error names the part at fault and its text (the whole symbol and the form
    // GPU.ZONE.START.LENGTH when the parts are too few or too many): an example is all it lacks.
    usage_error("bad product symbol: " + parsed.error +
                " (e.g. H100SXM.CN-EAST-1.2026-12-01T08.1H)");
  }
}

uint64_t client_order_id_from_time(int64_t now_ns) {
  return static_cast<uint64_t>(now_ns / ns_per_us);
}

int64_t wall_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void parse_order(wire::Side side, const ParsedArgs& args, int64_t now_ns, OrderRequest& out) {
  const char* usage = side == wire::Side::Buy ? "buy PRODUCT QTY PRICE [options]"
                                              : "sell PRODUCT QTY PRICE [options]";
  gateway::NewOrderFields& f = out.fields;
  f.side = side;
  if (args.has("windows")) f.windows = parse_block_windows(args);
  f.order_type = parse_order_type(args.get_or("type", "limit"));
  const bool market = f.order_type == wire::OrderType::Market;
  expect_positional(args, market ? 2 : 3, 3, usage);
  out.symbol = args.positional[0];
  check_symbol(out.symbol);
  f.symbol = out.symbol;
  f.quantity = parse_positive_int64(args.positional[1], "QTY (lots)");
  if (market && args.positional.size() == 3) {
    // The exchange trades a market order up to its protection collar, whatever price it
    // carries: a price here would read as a limit it is not.
    usage_error("a market order takes no PRICE (it trades up to the exchange's collar; for a "
                "limit that trades at once, use --tif ioc)");
  }
  if (args.positional.size() == 3) f.price = parse_money(args.positional[2], "PRICE");
  if (!market && f.price <= 0) usage_error("PRICE must be positive for a limit order");
  // An expiry without --tif means good-till-time: the only tif that uses one.
  f.time_in_force = args.has("tif")      ? parse_time_in_force(*args.get("tif"))
                    : f.windows != 0     ? wire::TimeInForce::FillOrKill
                    : args.has("expire") ? wire::TimeInForce::GoodTillTime
                                         : wire::TimeInForce::GoodTillGateClosure;
  if (args.has("expire")) {
    if (f.time_in_force != wire::TimeInForce::GoodTillTime) usage_error("--expire needs --tif gtt");
    f.expire_time_ns = parse_expire(*args.get("expire"), now_ns);
    if (f.expire_time_ns <= now_ns) usage_error("--expire is in the past");
  } else if (f.time_in_force == wire::TimeInForce::GoodTillTime) {
    usage_error("--tif gtt needs --expire ISO8601|+SECONDS");
  }
  f.post_only = args.has("post-only");
  if (f.post_only && market) usage_error("--post-only makes no sense for a market order");
  if (args.has("min-qty")) f.min_quantity = parse_positive_int64(*args.get("min-qty"), "--min-qty");
  if (f.min_quantity > f.quantity) usage_error("--min-qty is larger than QTY");
  if (f.post_only && f.min_quantity > 0) {
    usage_error("--post-only never trades on entry, so it could never trade --min-qty");
  }
  f.self_trade = parse_self_trade(args.get_or("stp", "cancel-taker"));
  f.client_order_id = args.has("id") ? parse_id(*args.get("id"), "--id")
                                     : client_order_id_from_time(now_ns);
}

}  // namespace ghx::cli
