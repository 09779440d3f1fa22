#include "tools/ghx/market_commands.h"

#include <map>

#include "gateway/validate.h"
#include "gateway/wire_requests.h"
#include "matching/product.h"
#include "tools/ghx/command_support.h"
#include "tools/ghx/format.h"
#include "tools/ghx/order_options.h"

namespace ghx::cli {

using namespace gateway;  // the request builders (gateway/wire_requests.h)
namespace {

constexpr size_t book_depth_default = 10;
constexpr size_t watch_depth = 5;
constexpr size_t watch_symbols_max = 64;

int run_products(int argc, char** argv) {
  const std::vector<OptionSpec> own = {{"gpu"}, {"zone"}};
  const ParsedArgs args = parse_args(argc, argv, 1, with_specs(own, connection_option_specs));
  expect_positional(args, 0, 0, "products [--gpu GPU] [--zone ZONE]");
  const ConnectionOptions options = connection_options(args, Role::participant);
  Session session(options, false);
  if (!options.json) emit(false, product_header_text(), "");
  const size_t count = list_products(
      session, {args.get_or("gpu", ""), args.get_or("zone", "")},
      [&](const wire::ProductInfo& p) { emit(options.json, product_text(p), product_json(p)); });
  if (!options.json) emit(false, std::to_string(count) + " products", "");
  return exit_ok;
}

// The product's lot size from the exchange's listing; usage error when it is not listed.
int64_t listed_lot_size(Session& session, const std::string& symbol) {
  const matching::SymbolParse parsed = matching::parse_symbol(symbol);
  int64_t lot_size = 0;
  list_products(session, {std::string(parsed.spec.gpu.view()), std::string(parsed.spec.zone.view())},
                [&](const wire::ProductInfo& p) {
                  if (p.symbol() != nullptr && p.symbol()->string_view() == symbol) {
                    lot_size = p.lot_size_gpus();
                  }
                });
  if (lot_size <= 0) {
    throw CliError(exit_refused, "product " + symbol + " is not listed (see ghx products)");
  }
  return lot_size;
}

int run_book(int argc, char** argv) {
  const std::vector<OptionSpec> own = {{"depth"}};
  const ParsedArgs args = parse_args(argc, argv, 1, with_specs(own, connection_option_specs));
  expect_positional(args, 1, 1, "book PRODUCT [--depth N]");
  const std::string symbol = args.positional[0];
  check_symbol(symbol);
  const size_t depth = args.has("depth")
                           ? static_cast<size_t>(parse_positive_int64(*args.get("depth"), "--depth"))
                           : book_depth_default;
  const ConnectionOptions options = connection_options(args, Role::participant);
  Session session(options, false);
  const int64_t lot_size = listed_lot_size(session, symbol);
  const std::vector<std::string> symbols = {symbol};
  session.send(make_subscribe(symbols, true, false));
  const auto deadline = session.deadline_in(options.timeout_ms);
  while (auto received = session.next(deadline)) {  // bounded by the deadline
    if (print_unsolicited(options.json, *received)) return exit_refused;
    if (const auto* snapshot = received->message().body_as_BookSnapshot()) {
      const BookView view = book_view(*snapshot);
      std::string ladder = book_ladder_text(view, lot_size, depth);
      if (!ladder.empty() && ladder.back() == '\n') ladder.pop_back();
      emit(options.json, ladder, book_json(view, lot_size, depth));
      return exit_ok;
    }
  }
  throw CliError(exit_timeout, "no book snapshot within " + std::to_string(options.timeout_ms) +
                                   " ms");
}

// Prints market data as it comes (book, trades, bars, the product's state changes); BookDelta
// names only a product id, so symbols are learned from the snapshots.
void print_market_data(const ConnectionOptions& options, const gateway::Received& received,
                       std::map<uint32_t, std::string>& symbols) {
  const wire::Message& message = received.message();
  if (const auto* snapshot = message.body_as_BookSnapshot()) {
    const BookView view = book_view(*snapshot);
    symbols[view.product_id] = view.symbol;
    std::string ladder = book_ladder_text(view, matching::lot_size_default_gpus, watch_depth);
    if (!ladder.empty() && ladder.back() == '\n') ladder.pop_back();
    emit(options.json, ladder, book_json(view, matching::lot_size_default_gpus, watch_depth));
  } else if (const auto* delta = message.body_as_BookDelta()) {
    const std::string& symbol = symbols[delta->product_id()];
    emit(options.json, book_delta_text(*delta, symbol), book_delta_json(*delta, symbol));
  } else if (const auto* trade = message.body_as_Trade()) {
    const std::string symbol =
        trade->symbol() != nullptr ? trade->symbol()->str() : symbols[trade->product_id()];
    emit(options.json, trade_text(*trade, symbol), trade_json(*trade, symbol));
  } else if (const auto* bar = message.body_as_Bar()) {
    const std::string symbol =
        bar->symbol() != nullptr ? bar->symbol()->str() : symbols[bar->product_id()];
    emit(options.json, bar_text(*bar, symbol), bar_json(*bar, symbol));
  } else if (const auto* status = message.body_as_ProductStatus()) {
    const std::string symbol =
        status->symbol() != nullptr ? status->symbol()->str() : symbols[status->product_id()];
    emit(options.json, product_status_text(*status, symbol), product_status_json(*status, symbol));
  } else if (const auto* indicative = message.body_as_AuctionIndicative()) {
    const std::string symbol = indicative->symbol() != nullptr ? indicative->symbol()->str()
                                                               : symbols[indicative->product_id()];
    emit(options.json, auction_indicative_text(*indicative, symbol),
         auction_indicative_json(*indicative, symbol));
  } else if (const auto* participant = message.body_as_ParticipantStatus()) {
    emit(options.json, participant_status_text(*participant),
         participant_status_json(*participant));
  } else if (print_unsolicited(options.json, received)) {
    throw CliError(exit_refused, "subscription refused");
  }
}

int run_watch(int argc, char** argv) {
  const std::vector<OptionSpec> own = {
      {"seconds"}, {"no-trades", false}, {"no-book", false}, {"bars", false}};
  const ParsedArgs args = parse_args(argc, argv, 1, with_specs(own, connection_option_specs));
  if (args.positional.empty() || args.positional.size() > watch_symbols_max) {
    usage_error(
        "usage: ghx watch PRODUCT... [--seconds N] [--no-book] [--no-trades] [--bars] "
        "(at most 64 products)");
  }
  for (const std::string& symbol : args.positional) check_symbol(symbol);
  // 0 = until interrupted; the session heartbeats meanwhile (Session::next).
  const int64_t seconds = args.has("seconds") ? parse_int64(*args.get("seconds"), "--seconds") : 0;
  if (seconds < 0 || seconds > 7 * 86'400) usage_error("--seconds must be within 0..604800");
  const ConnectionOptions options = connection_options(args, Role::participant);
  Session session(options, false);
  session.send(make_subscribe(args.positional, !args.has("no-book"), !args.has("no-trades"),
                              args.has("bars")));
  const auto end = seconds > 0 ? session.deadline_in(static_cast<uint32_t>(seconds * 1000))
                               : Session::Clock::time_point::max();
  std::map<uint32_t, std::string> symbols;
  while (auto received = session.next(end)) {  // bounded by --seconds, or until interrupted
    print_market_data(options, *received, symbols);
  }
  return exit_ok;
}

// The product's recent one-minute bars, oldest first: the newest --count (60), or those that
// started before --before, to page back through the day ghxd keeps.
int run_bars(int argc, char** argv) {
  constexpr uint64_t bars_request_id = 1;
  const std::vector<OptionSpec> own = {{"count"}, {"before"}};
  const ParsedArgs args = parse_args(argc, argv, 1, with_specs(own, connection_option_specs));
  expect_positional(args, 1, 1, "bars PRODUCT [--count N] [--before ISO8601]");
  const std::string symbol = args.positional[0];
  check_symbol(symbol);
  const int64_t count =
      args.has("count") ? parse_positive_int64(*args.get("count"), "--count") : 60;
  if (count > gateway::bars_request_max) usage_error("--count must be within 1..500");
  std::optional<int64_t> before_ns;
  if (args.has("before")) before_ns = parse_utc_time(*args.get("before"), "--before");
  const ConnectionOptions options = connection_options(args, Role::participant);
  Session session(options, false);
  session.send(
      gateway::make_bars_request(bars_request_id, symbol, static_cast<uint32_t>(count), before_ns));
  const auto deadline = session.deadline_in(options.timeout_ms);
  while (auto received = session.next(deadline)) {  // bounded by the deadline
    if (print_unsolicited(options.json, *received)) return exit_refused;
    const auto* list = received->message().body_as_BarList();
    if (list == nullptr || list->request_id() != bars_request_id) continue;
    const size_t bars = list->bars() != nullptr ? list->bars()->size() : 0;
    for (size_t i = 0; i < bars; ++i) {
      const wire::Bar& bar = *list->bars()->Get(static_cast<flatbuffers::uoffset_t>(i));
      emit(options.json, bar_text(bar, symbol), bar_json(bar, symbol));
    }
    if (bars == 0 && !options.json)
      std::printf("no trades of %s in the day kept\n", symbol.c_str());
    if (list->more() && bars > 0 && !options.json) {
      std::printf("older bars: ghx bars %s --before %s\n", symbol.c_str(),
                  format_utc_ns(list->bars()->Get(0)->start_time_ns()).c_str());
    }
    return exit_ok;
  }
  throw CliError(exit_timeout, "no bars within " + std::to_string(options.timeout_ms) + " ms");
}

// Cash and capacity as the exchange's risk checks see them: the sender's own, or (an operator)
// anyone's. Many capacities come in pages; the last says so.
int run_account(int argc, char** argv) {
  constexpr uint64_t account_request_id = 1;
  const ParsedArgs args = parse_args(argc, argv, 1, connection_option_specs);
  expect_positional(args, 0, 1, "account [PARTICIPANT]");
  // Naming a participant is what an operator does: --as defaults to ops then.
  const ConnectionOptions options =
      connection_options(args, args.positional.empty() ? Role::participant : Role::operator_role);
  const std::string whose = args.positional.empty() ? options.participant : args.positional[0];
  Session session(options, false);
  session.send(make_account_request(account_request_id, args.positional.empty() ? "" : whose));
  const auto deadline = session.deadline_in(options.timeout_ms);
  bool first_page = true;
  while (auto received = session.next(deadline)) {  // bounded by the deadline
    if (print_unsolicited(options.json, *received)) {
      throw CliError(exit_refused, "account request refused");
    }
    const auto* account = received->message().body_as_AccountStatus();
    if (account == nullptr) continue;
    if (first_page) emit(options.json, account_text(whose, *account), account_json(whose, *account));
    first_page = false;
    if (account->capacities() != nullptr) {
      for (const auto* capacity : *account->capacities()) {
        emit(options.json, capacity_text(*capacity), capacity_json(whose, *capacity));
      }
    }
    if (!account->more()) return exit_ok;
  }
  throw CliError(exit_timeout,
                 "no AccountStatus within " + std::to_string(options.timeout_ms) + " ms");
}

}  // namespace

int run_account_command(int argc, char** argv) {
  return run_guarded("account", [&] { return run_account(argc, argv); });
}
int run_products_command(int argc, char** argv) {
  return run_guarded("products", [&] { return run_products(argc, argv); });
}
int run_bars_command(int argc, char** argv) {
  return run_guarded("bars", [&] { return run_bars(argc, argv); });
}
int run_book_command(int argc, char** argv) {
  return run_guarded("book", [&] { return run_book(argc, argv); });
}
int run_watch_command(int argc, char** argv) {
  return run_guarded("watch", [&] { return run_watch(argc, argv); });
}

}  // namespace ghx::cli
