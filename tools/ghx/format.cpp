#include "tools/ghx/format.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

namespace ghx::cli {
namespace {

constexpr int64_t ns_per_ms = 1'000'000;
constexpr int64_t ms_per_day = 86'400'000;

std::string str_or_empty(const flatbuffers::String* text) {
  return text == nullptr ? std::string() : text->str();
}

// The report's symbol, or the one the command sent when the report has none.
std::string report_symbol(const wire::ExecutionReport& r, std::string_view symbol_sent) {
  const std::string carried = str_or_empty(r.symbol());
  return carried.empty() ? std::string(symbol_sent) : carried;
}

std::string side_word(wire::Side side) { return side == wire::Side::Buy ? "buy" : "sell"; }

std::string tif_word(wire::TimeInForce tif) {
  switch (tif) {
    case wire::TimeInForce::GoodTillGateClosure: return "gtc";
    case wire::TimeInForce::GoodTillTime: return "gtt";
    case wire::TimeInForce::ImmediateOrCancel: return "ioc";
    case wire::TimeInForce::FillOrKill: return "fok";
  }
  return "?";
}

std::string pad_left(std::string text, size_t width) {
  if (text.size() < width) text.insert(0, width - text.size(), ' ');
  return text;
}

std::string pad_right(std::string text, size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

// "1850 (18.50)": exact minor units for scripts that copy them, currency for people.
std::string price_words(int64_t price) {
  return std::to_string(price) + " (" + format_money(price) + ")";
}

// Why an order ended, when it did: the reason enum that matches the exec type.
std::string report_reason(const wire::ExecutionReport& r) {
  switch (r.exec_type()) {
    case wire::ExecType::Rejected: return kebab(wire::EnumNameOrderRejectReason(r.reject_reason()));
    case wire::ExecType::Canceled: return kebab(wire::EnumNameCancelReason(r.cancel_reason()));
    case wire::ExecType::Expired: return kebab(wire::EnumNameExpireReason(r.expire_reason()));
    default: return "";
  }
}

std::string text_suffix(const flatbuffers::String* text) {
  return text == nullptr || text->size() == 0 ? std::string() : " (" + text->str() + ")";
}

// The symbol's spelling of a window length: 1H, 4H, DAY, WEEK.
// Which window of a block order a report is about; a refusal is of the whole block.
std::string block_words(const wire::ExecutionReport& r) {
  const std::string windows = std::to_string(r.block_windows());
  if (r.block_window() == 0) return " (block of " + windows + " windows)";
  return " (block window " + std::to_string(r.block_window()) + " of " + windows + ")";
}

std::string length_word(wire::WindowLength length) {
  switch (length) {
    case wire::WindowLength::Hour1: return "1H";
    case wire::WindowLength::Hour4: return "4H";
    case wire::WindowLength::Day: return "DAY";
    case wire::WindowLength::Week: return "WEEK";
  }
  return "?";
}

bool is_fill(wire::ExecType type) {
  return type == wire::ExecType::PartiallyFilled || type == wire::ExecType::Filled;
}

std::string levels_json(const std::vector<BookLevel>& levels, int64_t lot_size_gpus,
                        size_t depth) {
  std::string out = "[";
  for (size_t i = 0; i < levels.size() && i < depth; ++i) {
    if (i > 0) out += ",";
    out += JsonLine()
               .add("price", levels[i].price)
               .add("lots", levels[i].lots)
               .add("gpus", levels[i].lots * lot_size_gpus)
               .str();
  }
  return out + "]";
}

std::string ladder_row(std::string_view label, const BookLevel& level, int64_t lot_size_gpus) {
  return pad_right(std::string(label), 5) + pad_left(std::to_string(level.price), 10) +
         pad_left(format_money(level.price), 12) + pad_left(std::to_string(level.lots), 10) +
         pad_left(std::to_string(level.lots * lot_size_gpus), 10) + "\n";
}

}  // namespace

std::string format_money(int64_t minor_units) {
  const bool negative = minor_units < 0;
  // Work in unsigned so that INT64_MIN has a magnitude.
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(minor_units)
                                      : static_cast<uint64_t>(minor_units);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%s%" PRIu64 ".%02" PRIu64, negative ? "-" : "",
                magnitude / 100, magnitude % 100);
  return buffer;
}

int64_t days_from_civil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t days, int64_t& year, unsigned& month, unsigned& day) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<int64_t>(yoe) + era * 400 + (month <= 2);
}

std::string format_utc_ns(int64_t ns) {
  if (ns == 0) return "-";
  int64_t ms = ns / ns_per_ms;
  int64_t days = ms / ms_per_day;
  int64_t ms_of_day = ms % ms_per_day;
  if (ms_of_day < 0) {
    ms_of_day += ms_per_day;
    days -= 1;
  }
  int64_t year = 0;
  unsigned month = 0, day = 0;
  civil_from_days(days, year, month, day);
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%04" PRId64 "-%02u-%02uT%02d:%02d:%02d.%03dZ", year, month,
                day, static_cast<int>(ms_of_day / 3'600'000),
                static_cast<int>(ms_of_day / 60'000 % 60), static_cast<int>(ms_of_day / 1000 % 60),
                static_cast<int>(ms_of_day % 1000));
  return buffer;
}

std::string kebab(std::string_view camel) {
  std::string out;
  for (size_t i = 0; i < camel.size(); ++i) {
    const char c = camel[i];
    if (c >= 'A' && c <= 'Z') {
      if (i > 0) out += '-';
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += c;
    }
  }
  return out;
}

std::string json_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned>(c));
          out += buffer;
        } else {
          out += c;
        }
    }
  }
  return out;
}

void JsonLine::key(std::string_view key) {
  if (!body_.empty()) body_ += ",";
  body_ += "\"" + json_escape(key) + "\":";
}

JsonLine& JsonLine::add(std::string_view k, int64_t value) {
  key(k);
  body_ += std::to_string(value);
  return *this;
}

JsonLine& JsonLine::add(std::string_view k, uint64_t value) {
  key(k);
  body_ += std::to_string(value);
  return *this;
}

JsonLine& JsonLine::add(std::string_view k, std::string_view value) {
  key(k);
  body_ += "\"" + json_escape(value) + "\"";
  return *this;
}

JsonLine& JsonLine::add(std::string_view k, bool value) {
  key(k);
  body_ += value ? "true" : "false";
  return *this;
}

JsonLine& JsonLine::add_raw(std::string_view k, std::string_view json) {
  key(k);
  body_ += json;
  return *this;
}

std::string execution_report_text(const wire::ExecutionReport& r, std::string_view symbol_sent) {
  if (r.exec_type() == wire::ExecType::TradeFailed) {
    const bool bought = r.side() == wire::Side::Buy;
    // Reports kept from before partial failures name no lots: the whole trade failed.
    std::string what = "the seller did not deliver";
    if (r.quantity() > 0) {
      what += " " + std::to_string(r.quantity()) + (r.quantity() == 1 ? " lot" : " lots");
      if (r.remaining() > 0) what += " (" + std::to_string(r.remaining()) + " still to deliver)";
    }
    return "trade " + std::to_string(r.trade_id()) + " failed (" + str_or_empty(r.symbol()) +
           ", you " + (bought ? "bought" : "sold") + "): " + what + "; " +
           (bought ? "refunded " : "proceeds lost ") + format_money(r.notional()) + ", penalty " +
           (bought ? "received " : "paid ") + format_money(r.penalty());
  }
  if (r.exec_type() == wire::ExecType::ProceedsPaid) {
    return "proceeds paid for " + str_or_empty(r.symbol()) + ": " + format_money(r.notional());
  }
  // A reject of an unknown order may carry only the id it was about.
  const uint64_t id = r.client_order_id() != 0 ? r.client_order_id() : r.orig_client_order_id();
  std::string out = kebab(wire::EnumNameExecType(r.exec_type())) + " order " + std::to_string(id);
  if (r.exec_type() == wire::ExecType::Replaced && r.orig_client_order_id() != 0) {
    out += " (was " + std::to_string(r.orig_client_order_id()) + ")";
  }
  if (r.exec_type() == wire::ExecType::Rejected && r.quantity() == 0) {
    return out + ": " + report_reason(r) + text_suffix(r.text());
  }
  out += " " + side_word(r.side()) + " " + report_symbol(r, symbol_sent);
  if (r.block_windows() != 0) out += block_words(r);
  if (is_fill(r.exec_type())) {
    out += ": " + std::to_string(r.fill_quantity()) + " lots at " + price_words(r.fill_price());
    out += ", trade " + std::to_string(r.trade_id()) + ", " +
           kebab(wire::EnumNameLiquidity(r.liquidity())) + ", notional " +
           format_money(r.notional()) + ", fee " + format_money(r.fee());
    return out + "; " + std::to_string(r.remaining()) + " open";
  }
  out += ":";
  // Zero means "not carried by this report" (status reports may omit quantity and price).
  if (r.quantity() > 0) out += " " + std::to_string(r.quantity()) + " lots";
  if (r.order_type() == wire::OrderType::Market) out += " market";
  else if (r.price() > 0) out += " at " + price_words(r.price());
  out += " " + tif_word(r.time_in_force()) + ", " + std::to_string(r.remaining()) + " open, " +
         kebab(wire::EnumNameOrderStatus(r.order_status()));
  const std::string reason = report_reason(r);
  if (!reason.empty() && reason != "none") out += ", reason " + reason;
  return out + text_suffix(r.text());
}

std::string execution_report_json(const wire::ExecutionReport& r, std::string_view symbol_sent) {
  JsonLine line;
  line.add("type", "execution_report")
      .add("exec_type", kebab(wire::EnumNameExecType(r.exec_type())))
      .add("order_id", r.order_id())
      .add("client_order_id", r.client_order_id())
      .add("orig_client_order_id", r.orig_client_order_id())
      .add("product_id", r.product_id())
      .add("symbol", report_symbol(r, symbol_sent))
      .add("side", side_word(r.side()))
      .add("order_type", kebab(wire::EnumNameOrderType(r.order_type())))
      .add("time_in_force", tif_word(r.time_in_force()))
      .add("price", r.price())
      .add("quantity", r.quantity())
      .add("remaining", r.remaining())
      .add("order_status", kebab(wire::EnumNameOrderStatus(r.order_status())))
      .add("reason", report_reason(r));
  if (is_fill(r.exec_type())) {
    line.add("trade_id", r.trade_id())
        .add("fill_price", r.fill_price())
        .add("fill_quantity", r.fill_quantity())
        .add("liquidity", kebab(wire::EnumNameLiquidity(r.liquidity())))
        .add("fee", r.fee())
        .add("notional", r.notional());
  }
  if (r.exec_type() == wire::ExecType::TradeFailed ||
      r.exec_type() == wire::ExecType::ProceedsPaid) {
    line.add("trade_id", r.trade_id()).add("notional", r.notional()).add("penalty", r.penalty());
  }
  if (r.block_windows() != 0) {
    line.add("block_window", uint64_t{r.block_window()})
        .add("block_windows", uint64_t{r.block_windows()});
  }
  line.add("report_sequence", r.report_sequence())
      .add("engine_sequence", r.engine_sequence())
      .add("transact_time", format_utc_ns(r.transact_time_ns()))
      .add("text", str_or_empty(r.text()));
  return line.str();
}

std::string session_reject_text(const wire::Reject& reject) {
  return "session reject " + kebab(wire::EnumNameErrorCode(reject.code())) + ": " +
         str_or_empty(reject.text());
}

std::string session_reject_json(const wire::Reject& reject) {
  return JsonLine()
      .add("type", "reject")
      .add("code", kebab(wire::EnumNameErrorCode(reject.code())))
      .add("text", str_or_empty(reject.text()))
      .add("ref_sequence", reject.ref_sequence())
      .str();
}

std::string operator_ack_text(std::string_view what, const wire::OperatorAck& ack,
                              bool balances) {
  std::string out = std::string(what);
  if (!ack.ok()) {
    const std::string reason = kebab(wire::EnumNameOrderRejectReason(ack.reject_reason()));
    out += ": refused";
    if (reason != "none") out += ", reason " + reason;
    return out + text_suffix(ack.text());
  }
  // A repeat of a request that was done: nothing was done now, so no balances to show.
  if (!balances || ack.reject_reason() == wire::OrderRejectReason::DuplicateRequest) {
    return out + ": ok" + text_suffix(ack.text());
  }
  out += ": ok; cash available " + format_money(ack.available_cash()) + ", held " +
         format_money(ack.held_cash()) + "; capacity available " +
         std::to_string(ack.available_capacity()) + " lots, held " +
         std::to_string(ack.held_capacity()) + " lots";
  return out + text_suffix(ack.text());
}

std::string operator_ack_json(std::string_view what, const wire::OperatorAck& ack) {
  return JsonLine()
      .add("type", "operator_ack")
      .add("command", what)
      .add("request_id", ack.request_id())
      .add("ok", ack.ok())
      .add("reason", kebab(wire::EnumNameOrderRejectReason(ack.reject_reason())))
      .add("available_cash", ack.available_cash())
      .add("held_cash", ack.held_cash())
      .add("available_capacity", ack.available_capacity())
      .add("held_capacity", ack.held_capacity())
      .add("text", str_or_empty(ack.text()))
      .str();
}

std::string product_header_text() {
  return pad_right("SYMBOL", 40) + pad_right("ID", 7) + pad_right("GPU", 9) +
         pad_right("ZONE", 11) + pad_right("LEN", 6) + pad_left("LOT", 4) + pad_left("TICK", 6) +
         "  STATE";
}

std::string account_text(std::string_view whose, const wire::AccountStatus& account) {
  return std::string(whose) + ": cash available " + format_money(account.available_cash()) +
         ", held " + format_money(account.held_cash()) +
         (account.suspended() ? "; suspended (no new orders until reinstated)" : "");
}

std::string account_json(std::string_view whose, const wire::AccountStatus& account) {
  return JsonLine()
      .add("type", "account")
      .add("participant", whose)
      .add("available_cash", account.available_cash())
      .add("held_cash", account.held_cash())
      .add("suspended", account.suspended())
      .str();
}

std::string capacity_text(const wire::CapacityStatus& c) {
  return "  " + str_or_empty(c.symbol()) + ": capacity available " +
         std::to_string(c.available_lots()) + " lots, held " + std::to_string(c.held_lots()) +
         " lots; proceeds at delivery " + format_money(c.proceeds());
}

std::string capacity_json(std::string_view whose, const wire::CapacityStatus& c) {
  return JsonLine()
      .add("type", "capacity")
      .add("participant", whose)
      .add("product_id", c.product_id())
      .add("symbol", str_or_empty(c.symbol()))
      .add("available_lots", c.available_lots())
      .add("held_lots", c.held_lots())
      .add("proceeds", c.proceeds())
      .str();
}

namespace {

// A product's state as people read it: "halted"; "auction, uncrosses 2026-12-01T12:00:00Z"
// when the exchange uncrosses it at a time.
std::string state_words(wire::ProductState state, int64_t uncross_time_ns) {
  std::string words = kebab(wire::EnumNameProductState(state));
  if (state == wire::ProductState::Auction && uncross_time_ns != 0) {
    words += ", uncrosses " + format_utc_ns(uncross_time_ns);
  }
  return words;
}

// The line's JSON, with "uncross_time" last when the exchange uncrosses the product at a time
// (and nothing more otherwise: most products are not in a call phase).
std::string with_uncross_time(JsonLine& line, int64_t uncross_time_ns) {
  if (uncross_time_ns != 0) line.add("uncross_time", format_utc_ns(uncross_time_ns));
  return line.str();
}

}  // namespace

std::string product_text(const wire::ProductInfo& p) {
  return pad_right(str_or_empty(p.symbol()), 40) + pad_right(std::to_string(p.product_id()), 7) +
         pad_right(str_or_empty(p.gpu()), 9) + pad_right(str_or_empty(p.zone()), 11) +
         pad_right(length_word(p.length()), 6) + pad_left(std::to_string(p.lot_size_gpus()), 4) +
         pad_left(std::to_string(p.tick_size()), 6) + "  " +
         state_words(p.state(), p.uncross_time_ns());
}

std::string product_json(const wire::ProductInfo& p) {
  JsonLine line;
  line.add("type", "product")
      .add("product_id", p.product_id())
      .add("symbol", str_or_empty(p.symbol()))
      .add("gpu", str_or_empty(p.gpu()))
      .add("zone", str_or_empty(p.zone()))
      .add("start", format_utc_ns(p.start_hour() * 3'600 * 1'000'000'000))
      .add("length", length_word(p.length()))
      .add("lot_size_gpus", p.lot_size_gpus())
      .add("tick_size", p.tick_size())
      .add("state", kebab(wire::EnumNameProductState(p.state())));
  return with_uncross_time(line, p.uncross_time_ns());
}

std::string trade_text(const wire::Trade& t, std::string_view symbol) {
  return format_utc_ns(t.transact_time_ns()) + " trade " + std::string(symbol) + " " +
         std::to_string(t.quantity()) + " lots at " + price_words(t.price()) + ", aggressor " +
         side_word(t.aggressor_side()) + ", trade " + std::to_string(t.trade_id());
}

std::string trade_json(const wire::Trade& t, std::string_view symbol) {
  return JsonLine()
      .add("type", "trade")
      .add("symbol", symbol)
      .add("product_id", t.product_id())
      .add("trade_id", t.trade_id())
      .add("price", t.price())
      .add("quantity", t.quantity())
      .add("aggressor_side", side_word(t.aggressor_side()))
      .add("sequence", t.sequence())
      .add("transact_time", format_utc_ns(t.transact_time_ns()))
      .str();
}

std::string bar_text(const wire::Bar& b, std::string_view symbol) {
  return format_utc_ns(b.start_time_ns()) + " bar " + std::string(symbol) + " open " +
         price_words(b.open()) + " high " + price_words(b.high()) + " low " + price_words(b.low()) +
         " close " + price_words(b.close()) + ", " + std::to_string(b.volume()) + " lots in " +
         std::to_string(b.trades()) + (b.trades() == 1 ? " trade" : " trades") +
         (b.closed() ? "" : ", running");
}

std::string bar_json(const wire::Bar& b, std::string_view symbol) {
  return JsonLine()
      .add("type", "bar")
      .add("symbol", symbol)
      .add("product_id", b.product_id())
      .add("start_time", format_utc_ns(b.start_time_ns()))
      .add("open", b.open())
      .add("high", b.high())
      .add("low", b.low())
      .add("close", b.close())
      .add("volume", b.volume())
      .add("trades", b.trades())
      .add("notional", b.notional())
      .add("closed", b.closed())
      .str();
}

std::string product_status_text(const wire::ProductStatus& status, std::string_view symbol) {
  std::string out = format_utc_ns(status.transact_time_ns()) + " status " + std::string(symbol) +
                    " " + state_words(status.state(), status.uncross_time_ns());
  if (status.uncross_lots() <= 0) return out;
  return out + ", uncrossed " + std::to_string(status.uncross_lots()) +
         (status.uncross_lots() == 1 ? " lot at " : " lots at ") +
         price_words(status.uncross_price());
}

std::string auction_indicative_text(const wire::AuctionIndicative& indicative,
                                    std::string_view symbol) {
  const std::string out =
      format_utc_ns(indicative.transact_time_ns()) + " indicative " + std::string(symbol);
  if (indicative.lots() <= 0) return out + " crosses no more";
  return out + " would uncross " + std::to_string(indicative.lots()) +
         (indicative.lots() == 1 ? " lot at " : " lots at ") + price_words(indicative.price());
}

std::string auction_indicative_json(const wire::AuctionIndicative& indicative,
                                    std::string_view symbol) {
  return JsonLine()
      .add("type", "auction_indicative")
      .add("symbol", symbol)
      .add("product_id", indicative.product_id())
      .add("price", indicative.price())
      .add("lots", indicative.lots())
      .add("transact_time", format_utc_ns(indicative.transact_time_ns()))
      .str();
}

std::string product_status_json(const wire::ProductStatus& status, std::string_view symbol) {
  JsonLine line;
  line.add("type", "product_status")
      .add("symbol", symbol)
      .add("product_id", status.product_id())
      .add("state", kebab(wire::EnumNameProductState(status.state())))
      .add("transact_time", format_utc_ns(status.transact_time_ns()))
      .add("uncross_price", status.uncross_price())
      .add("uncross_lots", status.uncross_lots());
  return with_uncross_time(line, status.uncross_time_ns());
}

std::string participant_status_text(const wire::ParticipantStatus& status) {
  const std::string name = status.participant() != nullptr ? status.participant()->str() : "";
  return format_utc_ns(status.transact_time_ns()) + " " + name +
         (status.suspended() ? " suspended" : " reinstated");
}

std::string participant_status_json(const wire::ParticipantStatus& status) {
  return JsonLine()
      .add("type", "participant_status")
      .add("participant", status.participant() != nullptr ? status.participant()->str() : "")
      .add("suspended", status.suspended())
      .add("transact_time", format_utc_ns(status.transact_time_ns()))
      .str();
}

std::string book_delta_text(const wire::BookDelta& d, std::string_view symbol) {
  const std::string side = d.side() == wire::Side::Buy ? "bid" : "ask";
  return "book " + std::string(symbol) + " #" + std::to_string(d.sequence()) + " " + side + " " +
         price_words(d.price()) + " -> " +
         (d.size() == 0 ? std::string("removed") : std::to_string(d.size()) + " lots");
}

std::string book_delta_json(const wire::BookDelta& d, std::string_view symbol) {
  return JsonLine()
      .add("type", "book_delta")
      .add("symbol", symbol)
      .add("product_id", d.product_id())
      .add("sequence", d.sequence())
      .add("side", d.side() == wire::Side::Buy ? "bid" : "ask")
      .add("price", d.price())
      .add("lots", d.size())
      .str();
}

BookView book_view(const wire::BookSnapshot& snapshot) {
  BookView view{str_or_empty(snapshot.symbol()),
                snapshot.product_id(),
                snapshot.sequence(),
                {},
                {},
                snapshot.state(),
                snapshot.uncross_time_ns(),
                snapshot.indicative_price(),
                snapshot.indicative_lots()};
  if (snapshot.bids() != nullptr) {
    for (const auto* level : *snapshot.bids()) view.bids.push_back({level->price(), level->quantity()});
  }
  if (snapshot.asks() != nullptr) {
    for (const auto* level : *snapshot.asks()) view.asks.push_back({level->price(), level->quantity()});
  }
  return view;
}

std::string book_ladder_text(const BookView& book, int64_t lot_size_gpus, size_t depth) {
  const std::string state = book.state == wire::ProductState::Trading
                                ? std::string()
                                : ", " + state_words(book.state, book.uncross_time_ns);
  std::string out = book.symbol + "  (market-data sequence " + std::to_string(book.sequence) +
                    ", lot " + std::to_string(lot_size_gpus) + " GPUs" + state + ")\n";
  out += pad_right("", 5) + pad_left("price", 10) + pad_left("", 12) + pad_left("lots", 10) +
         pad_left("GPUs", 10) + "\n";
  const size_t asks = std::min(depth, book.asks.size());
  // Asks print worst first so that the best ask sits just above the spread line.
  for (size_t i = asks; i > 0; --i) out += ladder_row("ask", book.asks[i - 1], lot_size_gpus);
  if (book.asks.empty() && book.bids.empty()) {
    out += "---- empty book ----\n";
  } else if (!book.asks.empty() && !book.bids.empty() && book.asks[0].price <= book.bids[0].price) {
    // Only in a call phase.
    out += book.indicative_lots > 0
               ? "---- crossed: would uncross " + std::to_string(book.indicative_lots) +
                     " lots at " + format_money(book.indicative_price) + " now ----\n"
               : "---- crossed: trades at the uncross ----\n";
  } else if (!book.asks.empty() && !book.bids.empty()) {
    out += "---- spread " + format_money(book.asks[0].price - book.bids[0].price) + " ----\n";
  } else {
    out += book.asks.empty() ? "---- no asks ----\n" : "---- no bids ----\n";
  }
  for (size_t i = 0; i < book.bids.size() && i < depth; ++i) {
    out += ladder_row("bid", book.bids[i], lot_size_gpus);
  }
  return out;
}

std::string book_json(const BookView& book, int64_t lot_size_gpus, size_t depth) {
  JsonLine line;
  line.add("type", "book")
      .add("symbol", book.symbol)
      .add("product_id", book.product_id)
      .add("sequence", book.sequence)
      .add("lot_size_gpus", lot_size_gpus)
      .add_raw("asks", levels_json(book.asks, lot_size_gpus, depth))
      .add_raw("bids", levels_json(book.bids, lot_size_gpus, depth))
      .add("state", kebab(wire::EnumNameProductState(book.state)));
  if (book.state == wire::ProductState::Auction) {
    line.add("indicative_price", book.indicative_price)
        .add("indicative_lots", book.indicative_lots);
  }
  return with_uncross_time(line, book.uncross_time_ns);
}

}  // namespace ghx::cli
