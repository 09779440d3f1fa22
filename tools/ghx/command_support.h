#pragma once
// Pieces every network command shares: the error edge (run_guarded), printing a line in the
// chosen format, and waiting for the execution reports of one order.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>
#include <string_view>

#include "tools/ghx/connection.h"

namespace ghx::cli {

// Runs `body`; a CliError or other exception becomes "ghx NAME: message" on stderr and an
// exit code (CliError's own, exit_usage for usage errors, exit_refused otherwise).
int run_guarded(std::string_view name, const std::function<int()>& body);

// One line on stdout: `json_line` with --json, `text` otherwise. Flushed at once, because
// scripts and `ghx watch` readers consume output line by line while the command runs.
void emit(bool json, const std::string& text, const std::string& json_line);

// Prints what a command can receive besides its own answer; returns true when it was a
// session Reject (the command failed). `symbol_sent`: see execution_report_text.
bool print_unsolicited(bool json, const gateway::Received& received,
                       std::string_view symbol_sent = {});

struct ProductFilter {
  std::string gpu;   // empty: any
  std::string zone;  // empty: any
};

// Sends one ListProducts and visits every product of the answer (all its pages); returns how
// many there were. A session Reject or no answer within --timeout-ms throws.
size_t list_products(Session& session, const ProductFilter& filter,
                     const std::function<void(const wire::ProductInfo&)>& visit);

struct OrderWait {
  uint64_t client_order_id = 0;
  uint32_t linger_ms = 0;  // after the answer, keep printing this long
  // The kinds of report that answer the request (a cancel's: Canceled or Rejected, not a fill
  // of the order that happened to come first); empty: any report about the order.
  std::vector<wire::ExecType> answers;
  // The product the request named, if any: printed for a report about the order that names
  // none (a reject for a product the exchange does not list).
  std::string symbol_sent;
};

// Waits (up to --timeout-ms) for the report about the order that answers the request, printing
// every report that arrives, then lingers to print fills and other reports. Returns exit_ok,
// exit_refused (the request rejected, while waiting or lingering, or a session Reject) or
// throws exit_timeout.
int await_order_reports(Session& session, const OrderWait& wait);

}  // namespace ghx::cli
