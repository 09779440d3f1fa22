#include "tools/ghx/trading_commands.h"

#include "tools/ghx/command_support.h"
#include "tools/ghx/format.h"
#include "tools/ghx/order_options.h"
#include "gateway/wire_requests.h"

namespace ghx::cli {

using namespace gateway;  // the request builders (gateway/wire_requests.h)
namespace {

// Fills of an aggressive order come with its ack (same command, same commit), so a short
// linger catches them; --wait extends it to see later fills.
constexpr uint32_t order_linger_default_ms = 300;
// Mass cancel answers with one report per canceled order and nothing when there was none.
constexpr uint32_t mass_cancel_linger_default_ms = 1'000;
constexpr size_t orders_ids_max = 1'000;

uint32_t wait_ms(const ParsedArgs& args, uint32_t fallback) {
  if (!args.has("wait")) return fallback;
  const int64_t ms = parse_int64(*args.get("wait"), "--wait");
  if (ms < 0 || ms > 86'400'000) usage_error("--wait must be within 0..86400000 ms");
  return static_cast<uint32_t>(ms);
}

int run_order(wire::Side side, int argc, char** argv) {
  const auto specs = with_specs(order_option_specs, connection_option_specs);
  const ParsedArgs args = parse_args(argc, argv, 1, specs);
  OrderRequest order;
  parse_order(side, args, wall_clock_ns(), order);
  const ConnectionOptions options = connection_options(args, Role::participant);
  Session session(options, args.has("cancel-on-disconnect"));
  session.send(gateway::make_new_order(order.fields));
  return await_order_reports(session, {.client_order_id = order.fields.client_order_id,
                                       .linger_ms = wait_ms(args, order_linger_default_ms),
                                       .symbol_sent = order.symbol});
}

const std::vector<OptionSpec> cancel_specs = {{"product"}, {"wait"}};
const std::vector<OptionSpec> replace_specs = {{"product"}, {"id"}, {"wait"}};

std::string optional_product(const ParsedArgs& args) {
  const std::string symbol = args.get_or("product", "");
  if (!symbol.empty()) check_symbol(symbol);
  return symbol;
}

int run_cancel(int argc, char** argv) {
  const ParsedArgs args = parse_args(argc, argv, 1, with_specs(cancel_specs, connection_option_specs));
  expect_positional(args, 1, 1, "cancel ORIG_ID [--product SYMBOL]");
  const uint64_t orig = parse_id(args.positional[0], "ORIG_ID");
  const std::string symbol = optional_product(args);
  Session session(connection_options(args, Role::participant), false);
  session.send(gateway::make_cancel_order(orig, symbol));
  return await_order_reports(
      session,
      {orig, wait_ms(args, 0), {wire::ExecType::Canceled, wire::ExecType::Rejected}, symbol});
}

int run_replace(int argc, char** argv) {
  const ParsedArgs args =
      parse_args(argc, argv, 1, with_specs(replace_specs, connection_option_specs));
  expect_positional(args, 3, 3, "replace ORIG_ID NEW_QTY NEW_PRICE [--id NEW_ID]");
  const int64_t now_ns = wall_clock_ns();
  const std::string symbol = optional_product(args);
  ReplaceFields fields;
  fields.orig_client_order_id = parse_id(args.positional[0], "ORIG_ID");
  fields.quantity = parse_positive_int64(args.positional[1], "NEW_QTY (lots)");
  fields.price = parse_money(args.positional[2], "NEW_PRICE");
  if (fields.price <= 0) usage_error("NEW_PRICE must be positive");
  fields.client_order_id =
      args.has("id") ? parse_id(*args.get("id"), "--id") : client_order_id_from_time(now_ns);
  fields.symbol = symbol;
  Session session(connection_options(args, Role::participant), false);
  session.send(make_replace_order(fields));
  // The engine may answer about the new id or the old one; either ends the wait.
  return await_order_reports(session, {fields.orig_client_order_id,
                                       wait_ms(args, order_linger_default_ms),
                                       {wire::ExecType::Replaced, wire::ExecType::Rejected},
                                       symbol});
}

int run_mass_cancel(int argc, char** argv) {
  const std::vector<OptionSpec> own = {{"wait"}};
  const ParsedArgs args = parse_args(argc, argv, 1, with_specs(own, connection_option_specs));
  expect_positional(args, 0, 1, "mass-cancel [PRODUCT]");
  const std::string symbol = args.positional.empty() ? "" : args.positional[0];
  if (!symbol.empty()) check_symbol(symbol);
  const ConnectionOptions options = connection_options(args, Role::participant);
  Session session(options, false);
  session.send(make_mass_cancel(symbol));
  int canceled = 0;
  int result = exit_ok;
  const auto deadline = session.deadline_in(wait_ms(args, mass_cancel_linger_default_ms));
  while (auto received = session.next(deadline)) {  // bounded by the deadline
    if (print_unsolicited(options.json, *received)) result = exit_refused;
    const auto* report = received->message().body_as_ExecutionReport();
    if (report != nullptr && report->exec_type() == wire::ExecType::Canceled) ++canceled;
  }
  emit(options.json, std::to_string(canceled) + " orders canceled",
       JsonLine().add("type", "mass_cancel").add("canceled", int64_t{canceled}).str());
  return result;
}

int run_status(int argc, char** argv) {
  const ParsedArgs args = parse_args(argc, argv, 1, connection_option_specs);
  expect_positional(args, 1, 1, "status ORIG_ID");
  const uint64_t orig = parse_id(args.positional[0], "ORIG_ID");
  Session session(connection_options(args, Role::participant), false);
  session.send(make_order_status_request(orig));
  return await_order_reports(session, {orig, 0});
}

int run_orders(int argc, char** argv) {
  const ParsedArgs args = parse_args(argc, argv, 1, connection_option_specs);
  if (args.positional.empty()) {
    usage_error("usage: ghx orders ID... (the protocol has no list-orders message: give the "
                "client order ids to ask about)");
  }
  if (args.positional.size() > orders_ids_max) usage_error("too many ids");
  std::vector<uint64_t> ids;
  for (const std::string& text : args.positional) ids.push_back(parse_id(text, "ID"));
  Session session(connection_options(args, Role::participant), false);
  int result = exit_ok;
  for (const uint64_t id : ids) {  // one at a time: each answer names its id
    session.send(make_order_status_request(id));
    if (await_order_reports(session, {id, 0}) != exit_ok) result = exit_refused;
  }
  return result;
}

// Reports may keep arriving live; the command ends once nothing came for the linger.
constexpr uint32_t reports_linger_default_ms = 500;

int run_reports(int argc, char** argv) {
  const std::vector<OptionSpec> own = {{"after"}, {"wait"}};
  const ParsedArgs args = parse_args(argc, argv, 1, with_specs(own, connection_option_specs));
  expect_positional(args, 0, 0, "reports [--after N] [--wait MS]");
  const int64_t after = args.has("after") ? parse_int64(*args.get("after"), "--after") : 0;
  if (after < 0) usage_error("--after must be a report number (0 or more)");
  const ConnectionOptions options = connection_options(args, Role::participant);
  Session session(options, false, static_cast<uint64_t>(after));
  const uint32_t linger_ms = wait_ms(args, reports_linger_default_ms);
  int count = 0;
  uint64_t last = static_cast<uint64_t>(after);
  while (auto received = session.next(session.deadline_in(linger_ms))) {
    const auto* report = received->message().body_as_ExecutionReport();
    if (report == nullptr) continue;
    ++count;
    last = report->report_sequence();
    emit(options.json, "#" + std::to_string(last) + " " + execution_report_text(*report),
         execution_report_json(*report));
  }
  emit(options.json,
       std::to_string(count) + " reports; the last is number " + std::to_string(last) +
           " (next time: --after " + std::to_string(last) + ")",
       JsonLine().add("type", "reports").add("count", int64_t{count}).add("last", last).str());
  return exit_ok;
}

}  // namespace

int run_reports_command(int argc, char** argv) {
  return run_guarded("reports", [&] { return run_reports(argc, argv); });
}

int run_buy_command(int argc, char** argv) {
  return run_guarded("buy", [&] { return run_order(wire::Side::Buy, argc, argv); });
}
int run_sell_command(int argc, char** argv) {
  return run_guarded("sell", [&] { return run_order(wire::Side::Sell, argc, argv); });
}
int run_cancel_command(int argc, char** argv) {
  return run_guarded("cancel", [&] { return run_cancel(argc, argv); });
}
int run_replace_command(int argc, char** argv) {
  return run_guarded("replace", [&] { return run_replace(argc, argv); });
}
int run_mass_cancel_command(int argc, char** argv) {
  return run_guarded("mass-cancel", [&] { return run_mass_cancel(argc, argv); });
}
int run_status_command(int argc, char** argv) {
  return run_guarded("status", [&] { return run_status(argc, argv); });
}
int run_orders_command(int argc, char** argv) {
  return run_guarded("orders", [&] { return run_orders(argc, argv); });
}

}  // namespace ghx::cli
