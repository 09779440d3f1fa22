#pragma once
// Output of the trading CLI: readable lines for people, one JSON object per line for scripts.
// Pure functions from wire messages (or plain values) to strings, so tests check them without
// a server. Prices and money are integer minor units; people also see them as currency with
// two decimals (1850 -> "18.50").

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/ghx_generated.h"

namespace ghx::cli {

// 1850 -> "18.50", -5 -> "-0.05".
std::string format_money(int64_t minor_units);

// Nanoseconds since the epoch -> "2026-12-01T08:00:00.123Z" (milliseconds; "-" for 0).
std::string format_utc_ns(int64_t ns);

// Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard Hinnant's algorithms).
int64_t days_from_civil(int64_t year, unsigned month, unsigned day);
void civil_from_days(int64_t days, int64_t& year, unsigned& month, unsigned& day);

// "PartiallyFilled" -> "partially-filled": wire enum names read as CLI words.
std::string kebab(std::string_view camel);

std::string json_escape(std::string_view text);

// Builds one JSON object, keys in insertion order. Values are numbers, strings, bools or raw
// JSON (arrays built by the caller).
class JsonLine {
 public:
  JsonLine& add(std::string_view key, int64_t value);
  JsonLine& add(std::string_view key, uint64_t value);
  JsonLine& add(std::string_view key, uint32_t value) { return add(key, uint64_t{value}); }
  JsonLine& add(std::string_view key, std::string_view value);
  JsonLine& add(std::string_view key, const char* value) { return add(key, std::string_view(value)); }
  JsonLine& add(std::string_view key, bool value);
  JsonLine& add_raw(std::string_view key, std::string_view json);
  std::string str() const { return "{" + body_ + "}"; }

 private:
  void key(std::string_view key);
  std::string body_;
};

// `symbol_sent`: the product the command named, printed when the report names none (the
// exchange's reject of an order for a product it does not list, or no longer trades, has no
// symbol to give).
std::string execution_report_text(const wire::ExecutionReport& report,
                                  std::string_view symbol_sent = {});
std::string execution_report_json(const wire::ExecutionReport& report,
                                  std::string_view symbol_sent = {});

std::string session_reject_text(const wire::Reject& reject);
std::string session_reject_json(const wire::Reject& reject);

// `balances`: the command moved one participant's money (deposit, withdraw, register), whose
// balances the ack carries; a delivery failure's ack says what moved in its text instead.
std::string operator_ack_text(std::string_view what, const wire::OperatorAck& ack,
                              bool balances = true);
std::string operator_ack_json(std::string_view what, const wire::OperatorAck& ack);

// AccountStatus: the cash line (which says when the participant is suspended), then one line
// per product with capacity.
std::string account_text(std::string_view whose, const wire::AccountStatus& account);
std::string account_json(std::string_view whose, const wire::AccountStatus& account);
std::string capacity_text(const wire::CapacityStatus& capacity);
std::string capacity_json(std::string_view whose, const wire::CapacityStatus& capacity);

std::string product_header_text();
std::string product_text(const wire::ProductInfo& product);
std::string product_json(const wire::ProductInfo& product);

std::string trade_text(const wire::Trade& trade, std::string_view symbol);
std::string trade_json(const wire::Trade& trade, std::string_view symbol);
// A one-minute bar: "2026-12-01T08:01:00.000Z bar SYMBOL open 1850 (18.50) high ... , 12 lots
// in 3 trades" (", running" while its minute lasts).
std::string bar_text(const wire::Bar& bar, std::string_view symbol);
std::string bar_json(const wire::Bar& bar, std::string_view symbol);
// A product's new state: "2026-12-01T07:30:00.000Z status SYMBOL halted"; after an uncross
// that traded, "... status SYMBOL trading, uncrossed 12 lots at 1850 (18.50)".
std::string product_status_text(const wire::ProductStatus& status, std::string_view symbol);
// A call phase's indicative uncross: what it would trade now.
std::string auction_indicative_text(const wire::AuctionIndicative& indicative,
                                    std::string_view symbol);
std::string auction_indicative_json(const wire::AuctionIndicative& indicative,
                                    std::string_view symbol);
std::string product_status_json(const wire::ProductStatus& status, std::string_view symbol);
// The watching participant's own suspension or reinstatement:
// "2026-12-01T07:30:00.000Z lab-alpha suspended".
std::string participant_status_text(const wire::ParticipantStatus& status);
std::string participant_status_json(const wire::ParticipantStatus& status);
std::string book_delta_text(const wire::BookDelta& delta, std::string_view symbol);
std::string book_delta_json(const wire::BookDelta& delta, std::string_view symbol);

struct BookLevel {
  int64_t price = 0;
  int64_t lots = 0;
};

// A book as the CLI prints it, copied out of a BookSnapshot (best first on both sides).
struct BookView {
  std::string symbol;
  uint32_t product_id = 0;
  uint64_t sequence = 0;
  std::vector<BookLevel> bids;
  std::vector<BookLevel> asks;
  wire::ProductState state = wire::ProductState::Trading;
  int64_t uncross_time_ns = 0;  // in a call phase: when the exchange uncrosses it (0: operator)
  int64_t indicative_price = 0;  // in a crossed call phase: the uncross as it would be now
  int64_t indicative_lots = 0;
};

BookView book_view(const wire::BookSnapshot& snapshot);

// Depth ladder: asks above (best ask nearest the middle), bids below, each level as price
// (minor units and currency), lots and GPUs (lots x lot size). At most `depth` levels a side.
// The heading names the product's state when it is not trading (a halted book stands still).
std::string book_ladder_text(const BookView& book, int64_t lot_size_gpus, size_t depth);
std::string book_json(const BookView& book, int64_t lot_size_gpus, size_t depth);

}  // namespace ghx::cli
