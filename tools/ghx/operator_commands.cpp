#include "tools/ghx/operator_commands.h"

#include <unistd.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "gateway/certs.h"
#include "tools/ghx/command_support.h"
#include "tools/ghx/format.h"
#include "tools/ghx/order_options.h"
#include "gateway/wire_requests.h"

namespace ghx::cli {

using namespace gateway;  // the request builders (gateway/wire_requests.h)
namespace {

// Every operator command's options: the connection's and --request-id. A function, not a
// global: connection_option_specs is another file's global, not yet made when this one is.
const std::vector<OptionSpec>& operator_option_specs() {
  static const std::vector<OptionSpec> specs =
      with_specs({{"request-id"}}, connection_option_specs);
  return specs;
}

// The request's id, which is also its idempotency key: the exchange answers a second request
// of the operator with the same id as a repeat of the first. --request-id N repeats a request
// whose answer was lost without the risk of doing it twice; else a random id, new for every
// invocation: two scripts depositing the same amount at the same moment, or a clock stepped
// back, must not share one (a time-based id could, and the second deposit would read as a
// repeat). Below 2^53, so that a JSON reader's doubles keep it exact for a retry.
uint64_t request_id_of(const ParsedArgs& args) {
  if (const auto given = args.get("request-id")) return parse_id(*given, "--request-id");
  std::random_device random;
  const uint64_t bits = (uint64_t{random()} << 32) | random();
  return 1 + bits % ((uint64_t{1} << 53) - 1);
}

// How an operator request ended.
enum class AckResult { ok, refused, participant_exists, session_rejected };

// Waits for the OperatorAck of `request_id` and prints it.
AckResult await_operator_ack(Session& session, std::string_view what, uint64_t request_id,
                             bool balances) {
  const ConnectionOptions& options = session.options();
  const auto deadline = session.deadline_in(options.timeout_ms);
  while (auto received = session.next(deadline)) {  // bounded by the deadline
    if (print_unsolicited(options.json, *received)) {
      const auto* reject = received->message().body_as_Reject();
      if (reject != nullptr && reject->code() == wire::ErrorCode::NotAuthorized) {
        std::fprintf(stderr, "ghx: operator commands need the operator's session: --as %s\n",
                     operator_default);
      }
      return AckResult::session_rejected;
    }
    const auto* ack = received->message().body_as_OperatorAck();
    if (ack == nullptr || ack->request_id() != request_id) continue;
    emit(options.json, operator_ack_text(what, *ack, balances), operator_ack_json(what, *ack));
    if (ack->ok()) return AckResult::ok;
    return ack->reject_reason() == wire::OrderRejectReason::ParticipantExists
               ? AckResult::participant_exists
               : AckResult::refused;
  }
  // The request may have been done or not: the same id again does it at most once.
  throw CliError(exit_timeout, "no OperatorAck within " + std::to_string(options.timeout_ms) +
                                   " ms: it may or may not have been done; repeat it with "
                                   "--request-id " +
                                   std::to_string(request_id) + " to have it done once");
}

// Sends one operator request and prints its OperatorAck; exit_refused when not ok.
int operator_round_trip(const ParsedArgs& args, std::string_view what, gateway::Frame frame,
                        uint64_t request_id, bool balances = true) {
  const ConnectionOptions options = connection_options(args, Role::operator_role);
  Session session(options, false);
  session.send(std::move(frame));
  return await_operator_ack(session, what, request_id, balances) == AckResult::ok ? exit_ok
                                                                                  : exit_refused;
}

void check_participant(const std::string& name) {
  if (!gateway::is_valid_participant_name(name)) {
    usage_error("bad participant name '" + name + "'");
  }
}

int run_funds(int argc, char** argv, bool deposit) {
  const ParsedArgs args = parse_args(argc, argv, 1, operator_option_specs());
  expect_positional(args, 2, 2,
                    deposit ? "deposit PARTICIPANT AMOUNT" : "withdraw PARTICIPANT AMOUNT");
  const std::string& participant = args.positional[0];
  check_participant(participant);
  const int64_t amount = parse_money(args.positional[1], "AMOUNT");
  if (amount <= 0) usage_error("AMOUNT must be positive");
  const uint64_t id = request_id_of(args);
  const std::string what = std::string(deposit ? "deposit " : "withdraw ") +
                           format_money(amount) + " for " + participant;
  return operator_round_trip(args, what,
                             deposit ? make_deposit(id, participant, amount)
                                     : make_withdraw(id, participant, amount),
                             id);
}

int run_register(int argc, char** argv) {
  const ParsedArgs args = parse_args(argc, argv, 1, operator_option_specs());
  expect_positional(args, 3, 3, "register PARTICIPANT PRODUCT LOTS");
  const std::string& participant = args.positional[0];
  check_participant(participant);
  const std::string& symbol = args.positional[1];
  check_symbol(symbol);
  const int64_t lots = parse_positive_int64(args.positional[2], "LOTS");
  const uint64_t id = request_id_of(args);
  return operator_round_trip(
      args, "register " + std::to_string(lots) + " lots of " + symbol + " for " + participant,
      make_register_capacity(id, participant, symbol, lots), id);
}

int run_delivery_failed(int argc, char** argv) {
  const std::vector<OptionSpec> own = {{"lots"}, {"product"}, {"text"}};
  const ParsedArgs args = parse_args(argc, argv, 1, with_specs(own, operator_option_specs()));
  expect_positional(args, 1, 1, "delivery-failed TRADE_ID [--lots N] [--product SYMBOL]");
  DeliveryFields fields;
  fields.trade_id = parse_id(args.positional[0], "TRADE_ID");
  const std::string symbol = args.get_or("product", "");
  if (!symbol.empty()) check_symbol(symbol);
  fields.symbol = symbol;
  // The lots that failed, 1 by default; the exchange refuses more than the trade has open (and
  // says how many it has), and a trade may fail in several steps.
  fields.failed_quantity =
      args.has("lots") ? parse_positive_int64(*args.get("lots"), "--lots") : 1;
  const std::string text = args.get_or("text", "delivery failed (ghx delivery-failed)");
  fields.text = text;
  fields.request_id = request_id_of(args);
  return operator_round_trip(args, "delivery failed for trade " + std::to_string(fields.trade_id),
                             make_delivery_outcome(fields), fields.request_id, false);
}

// Halts (or resumes) every product of a zone and/or GPU model that is trading or in a call
// auction (or halted): a zone that loses power takes all its windows with it. One request at a
// time on one session, a line for each ack; exit_refused when one was refused (a call phase
// is halted only with --cancel-orders) or nothing matched.
int run_trading_halt_of(const ParsedArgs& args, const ProductFilter& filter, bool halt,
                        bool cancel_orders) {
  Session session(connection_options(args, Role::operator_role), false);
  const auto from = [halt](wire::ProductState state) {
    return halt ? state == wire::ProductState::Trading || state == wire::ProductState::Auction
                : state == wire::ProductState::Halted;
  };
  std::vector<std::string> symbols;
  list_products(session, filter, [&](const wire::ProductInfo& product) {
    if (from(product.state()) && product.symbol() != nullptr) {
      symbols.push_back(product.symbol()->str());
    }
  });
  if (symbols.empty()) {
    std::string matching = filter.zone.empty() ? "" : " in " + filter.zone;
    if (!filter.gpu.empty()) matching += " of " + filter.gpu;
    throw CliError(exit_refused,
                   std::string("no ") + (halt ? "trading" : "halted") + " product" + matching);
  }
  const uint64_t first_id = request_id_of(args);
  int result = exit_ok;
  for (size_t i = 0; i < symbols.size(); ++i) {
    const uint64_t id = first_id + i;
    session.send(make_trading_halt(id, symbols[i], halt, cancel_orders));
    const std::string what = std::string(halt ? "halt " : "resume ") + symbols[i];
    const AckResult ack = await_operator_ack(session, what, id, false);
    if (ack == AckResult::session_rejected) return exit_refused;
    if (ack == AckResult::refused) result = exit_refused;
  }
  return result;
}

// Halts or resumes trading in one product, or in every product of a zone and/or GPU model.
// The ack's text says what happened (and how many resting orders a halt with --cancel-orders
// canceled); there are no balances to show.
int run_trading_halt(int argc, char** argv, bool halt) {
  std::vector<OptionSpec> own = {{"zone"}, {"gpu"}};
  if (halt) own.push_back({"cancel-orders", false});
  const ParsedArgs args = parse_args(argc, argv, 1, with_specs(own, operator_option_specs()));
  const bool many = args.has("zone") || args.has("gpu");
  expect_positional(args, many ? 0 : 1, many ? 0 : 1,
                    halt ? "halt PRODUCT|--zone ZONE [--gpu GPU] [--cancel-orders]"
                         : "resume PRODUCT|--zone ZONE [--gpu GPU]");
  if (many) {
    // Its products, and so its requests, depend on the moment: a retry is the command again.
    if (args.has("request-id")) usage_error("--request-id names one request, not a zone's");
    return run_trading_halt_of(args, {args.get_or("gpu", ""), args.get_or("zone", "")}, halt,
                               args.has("cancel-orders"));
  }
  const std::string& symbol = args.positional[0];
  check_symbol(symbol);
  const bool cancel_orders = args.has("cancel-orders");
  const uint64_t id = request_id_of(args);
  const std::string what = std::string(halt ? "halt " : "resume ") + symbol;
  return operator_round_trip(args, what, make_trading_halt(id, symbol, halt, cancel_orders), id,
                             false);
}

// Starts a call auction of one product, uncrossed by the exchange at --uncross-at or else by
// the operator (ghx uncross), or uncrosses one now. The ack's text says when it uncrosses, or
// the price and lots it traded at.
int run_auction(int argc, char** argv, bool start) {
  std::vector<OptionSpec> own;
  if (start) own.push_back({"uncross-at"});
  const ParsedArgs args = parse_args(argc, argv, 1, with_specs(own, operator_option_specs()));
  expect_positional(args, 1, 1,
                    start ? "auction PRODUCT [--uncross-at ISO8601|+SECONDS]" : "uncross PRODUCT");
  const std::string& symbol = args.positional[0];
  check_symbol(symbol);
  const int64_t now_ns = wall_clock_ns();
  int64_t uncross_ns = 0;
  if (args.has("uncross-at")) {
    uncross_ns = parse_future_time(*args.get("uncross-at"), now_ns, "--uncross-at");
    if (uncross_ns <= now_ns) usage_error("--uncross-at is in the past");
  }
  const uint64_t id = request_id_of(args);
  const std::string what = std::string(start ? "auction " : "uncross ") + symbol;
  const wire::AuctionAction action =
      start ? wire::AuctionAction::Start : wire::AuctionAction::Uncross;
  return operator_round_trip(args, what, make_auction(id, symbol, action, uncross_ns), id, false);
}

// Suspends a participant (the kill switch: its live orders canceled, new ones refused) or
// reinstates it. The ack's text says how many orders a suspension canceled.
int run_suspension(int argc, char** argv, bool suspend) {
  const ParsedArgs args = parse_args(argc, argv, 1, operator_option_specs());
  expect_positional(args, 1, 1, suspend ? "suspend PARTICIPANT" : "reinstate PARTICIPANT");
  const std::string& participant = args.positional[0];
  check_participant(participant);
  const uint64_t id = request_id_of(args);
  const std::string what = std::string(suspend ? "suspend " : "reinstate ") + participant;
  return operator_round_trip(args, what, make_suspension(id, participant, suspend), id, false);
}

// Registers a participant with the exchange, then issues its certificate in DIR/certs, where
// the development CA's key is (elsewhere: `ghx certs` where the CA is). A participant already
// registered is refused (exit 1), but still gets its certificate: a retry after a lost answer
// finishes the job.
int run_add_participant(int argc, char** argv) {
  std::vector<OptionSpec> specs = operator_option_specs();
  specs.push_back({"roles"});
  const ParsedArgs args = parse_args(argc, argv, 1, specs);
  constexpr const char* usage_text = "add-participant NAME --roles buyer,seller,operator";
  expect_positional(args, 1, 1, usage_text);
  const std::string& name = args.positional[0];
  check_participant(name);
  if (!args.has("roles")) usage_error(std::string("--roles is required: ") + usage_text);
  bool buyer = false, seller = false, operator_role = false;
  const std::string roles = *args.get("roles");
  for (size_t start = 0; start <= roles.size();) {
    const size_t end = std::min(roles.find(',', start), roles.size());
    const std::string role = roles.substr(start, end - start);
    if (role == "buyer") {
      buyer = true;
    } else if (role == "seller") {
      seller = true;
    } else if (role == "operator") {
      operator_role = true;
    } else {
      usage_error("unknown role '" + role + "' (buyer, seller, operator)");
    }
    start = end + 1;
  }
  const ConnectionOptions options = connection_options(args, Role::operator_role);
  const std::filesystem::path dir = options.data_dir / "certs";
  const CertFiles ca{dir / "ca.pem", dir / "ca.key"};
  // Checked first, so that a participant is not registered without the means to log on.
  if (::access(ca.key.c_str(), R_OK) != 0) {
    throw CliError(exit_usage, "cannot read the CA's key " + ca.key.string() +
                                   ": run this where the exchange's CA is (--data DIR)");
  }
  const uint64_t id = request_id_of(args);
  AckResult result = AckResult::refused;
  {
    Session session(options, false);
    session.send(make_add_participant(id, name, buyer, seller, operator_role));
    result = await_operator_ack(session, "add participant " + name, id, false);
  }
  if (result != AckResult::ok && result != AckResult::participant_exists) return exit_refused;
  const CertResult cert = ensure_participant_certificate(dir, ca, name);
  if (!cert.ok) {
    throw CliError(exit_refused,
                   name + " is registered, but no certificate was issued: " + cert.error);
  }
  const std::string state = cert.created ? "created" : "exists";
  emit(options.json, name + ": certificate " + state + " " + cert.files.cert.string(),
       JsonLine()
           .add("type", "certificate")
           .add("name", name)
           .add("state", state)
           .add("cert", cert.files.cert.string())
           .add("key", cert.files.key.string())
           .str());
  return result == AckResult::ok ? exit_ok : exit_refused;
}

int run_certs(int argc, char** argv) {
  const std::vector<OptionSpec> own = {{"dir"}, {"ca-name"}, {"data"}, {"json", false}};
  const ParsedArgs args = parse_args(argc, argv, 1, own);
  expect_positional(args, 1, 1'000, "certs --dir DIR [--ca-name NAME] PARTICIPANT...");
  const bool json = args.has("json");
  const std::filesystem::path dir =
      args.has("dir") ? std::filesystem::path(*args.get("dir"))
                      : std::filesystem::path(args.get_or("data", "ghx-data")) / "certs";
  for (const std::string& name : args.positional) check_participant(name);
  const gateway::CertResult ca =
      gateway::ensure_ca(dir, args.get_or("ca-name", "ghx development CA"));
  if (!ca.ok) throw CliError(exit_refused, "cannot create the CA in " + dir.string() + ": " + ca.error);
  auto report = [&](std::string_view who, const gateway::CertResult& result) {
    const std::string state = result.created ? "created" : "exists";
    emit(json, std::string(who) + ": " + state + " " + result.files.cert.string(),
         JsonLine().add("type", "certificate").add("name", who).add("state", state)
             .add("cert", result.files.cert.string()).add("key", result.files.key.string()).str());
  };
  report("ca", ca);
  for (const std::string& name : args.positional) {
    const gateway::CertResult cert = gateway::ensure_participant_certificate(dir, ca.files, name);
    if (!cert.ok) throw CliError(exit_refused, "certificate for " + name + ": " + cert.error);
    report(name, cert);
  }
  return exit_ok;
}

}  // namespace

int run_deposit_command(int argc, char** argv) {
  return run_guarded("deposit", [&] { return run_funds(argc, argv, true); });
}
int run_withdraw_command(int argc, char** argv) {
  return run_guarded("withdraw", [&] { return run_funds(argc, argv, false); });
}
int run_register_command(int argc, char** argv) {
  return run_guarded("register", [&] { return run_register(argc, argv); });
}
int run_delivery_failed_command(int argc, char** argv) {
  return run_guarded("delivery-failed", [&] { return run_delivery_failed(argc, argv); });
}
int run_halt_command(int argc, char** argv) {
  return run_guarded("halt", [&] { return run_trading_halt(argc, argv, true); });
}
int run_resume_command(int argc, char** argv) {
  return run_guarded("resume", [&] { return run_trading_halt(argc, argv, false); });
}
int run_auction_command(int argc, char** argv) {
  return run_guarded("auction", [&] { return run_auction(argc, argv, true); });
}
int run_uncross_command(int argc, char** argv) {
  return run_guarded("uncross", [&] { return run_auction(argc, argv, false); });
}
int run_suspend_command(int argc, char** argv) {
  return run_guarded("suspend", [&] { return run_suspension(argc, argv, true); });
}
int run_reinstate_command(int argc, char** argv) {
  return run_guarded("reinstate", [&] { return run_suspension(argc, argv, false); });
}
int run_add_participant_command(int argc, char** argv) {
  return run_guarded("add-participant", [&] { return run_add_participant(argc, argv); });
}
int run_certs_command(int argc, char** argv) {
  return run_guarded("certs", [&] { return run_certs(argc, argv); });
}

}  // namespace ghx::cli
