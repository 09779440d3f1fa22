#include "tools/ghx/command_support.h"

#include <algorithm>
#include <cstdio>
#include <exception>

#include "gateway/wire_requests.h"
#include "tools/ghx/format.h"

namespace ghx::cli {
namespace {

// A long calendar may come as several ProductList frames: after the first, keep reading
// until the server has been quiet this long.
constexpr uint32_t product_list_quiet_ms = 200;
constexpr uint64_t list_request_id = 1;

bool is_about(const wire::ExecutionReport& report, uint64_t client_order_id) {
  return report.client_order_id() == client_order_id ||
         report.orig_client_order_id() == client_order_id;
}

// The symbol to print for a report that names none: the request's, if it is about its order.
std::string_view symbol_sent_for(const gateway::Received& received, const OrderWait& wait) {
  const auto* report = received.message().body_as_ExecutionReport();
  if (report == nullptr || !is_about(*report, wait.client_order_id)) return {};
  return wait.symbol_sent;
}

}  // namespace

int run_guarded(std::string_view name, const std::function<int()>& body) {
  try {
    return body();
  } catch (const CliError& e) {
    std::fprintf(stderr, "ghx %.*s: %s\n", static_cast<int>(name.size()), name.data(), e.what());
    return e.exit_code;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ghx %.*s: %s\n", static_cast<int>(name.size()), name.data(), e.what());
    return exit_refused;
  }
}

void emit(bool json, const std::string& text, const std::string& json_line) {
  const std::string& line = json ? json_line : text;
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

bool print_unsolicited(bool json, const gateway::Received& received, std::string_view symbol_sent) {
  const wire::Message& message = received.message();
  if (const auto* report = message.body_as_ExecutionReport()) {
    emit(json, execution_report_text(*report, symbol_sent),
         execution_report_json(*report, symbol_sent));
  } else if (const auto* reject = message.body_as_Reject()) {
    emit(json, session_reject_text(*reject), session_reject_json(*reject));
    return true;
  }
  return false;  // market data or acks nobody asked for: not this command's business
}

int await_order_reports(Session& session, const OrderWait& wait) {
  const bool json = session.options().json;
  const auto first_deadline = session.deadline_in(session.options().timeout_ms);
  int result = exit_ok;
  bool answered = false;
  while (!answered) {  // bounded by first_deadline
    auto received = session.next(first_deadline);
    if (!received) {
      throw CliError(exit_timeout, "no execution report for order " +
                                       std::to_string(wait.client_order_id) + " within " +
                                       std::to_string(session.options().timeout_ms) + " ms");
    }
    if (print_unsolicited(json, *received, symbol_sent_for(*received, wait))) {
      return exit_refused;
    }
    const auto* report = received->message().body_as_ExecutionReport();
    if (report == nullptr || !is_about(*report, wait.client_order_id)) continue;
    if (report->exec_type() == wire::ExecType::Rejected) result = exit_refused;
    answered = wait.answers.empty() ||
               std::find(wait.answers.begin(), wait.answers.end(), report->exec_type()) !=
                   wait.answers.end();
  }
  const auto linger_deadline = session.deadline_in(wait.linger_ms);
  while (auto received = session.next(linger_deadline)) {  // bounded by linger_deadline
    if (print_unsolicited(json, *received, symbol_sent_for(*received, wait))) {
      result = exit_refused;
    }
    const auto* report = received->message().body_as_ExecutionReport();
    if (report != nullptr && is_about(*report, wait.client_order_id) &&
        report->exec_type() == wire::ExecType::Rejected) {
      result = exit_refused;
    }
  }
  return result;
}

size_t list_products(Session& session, const ProductFilter& filter,
                     const std::function<void(const wire::ProductInfo&)>& visit) {
  session.send(gateway::make_list_products(list_request_id, filter.gpu, filter.zone));
  auto deadline = session.deadline_in(session.options().timeout_ms);
  size_t count = 0;
  bool answered = false;
  while (auto received = session.next(deadline)) {  // bounded by the deadline
    if (print_unsolicited(session.options().json, *received)) {
      throw CliError(exit_refused, "ListProducts refused");
    }
    const auto* list = received->message().body_as_ProductList();
    if (list == nullptr) continue;
    if (list->products() != nullptr) {
      for (const auto* product : *list->products()) {
        visit(*product);
        ++count;
      }
    }
    answered = true;
    deadline = session.deadline_in(product_list_quiet_ms);
  }
  if (!answered) {
    throw CliError(exit_timeout,
                   "no ProductList within " + std::to_string(session.options().timeout_ms) + " ms");
  }
  return count;
}

}  // namespace ghx::cli
