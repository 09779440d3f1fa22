// ghx: the participant and operator CLI. Each subcommand lives in its own file; this is only
// the dispatch table, so adding a command is one line here.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string_view>

#include "matching/engine.h"
#include "tools/ghx/ledger_commands.h"
#include "tools/ghx/market_commands.h"
#include "tools/ghx/operator_commands.h"
#include "tools/ghx/trading_commands.h"

namespace {

// The buy usage below gives the engine's limit of a block's windows: keep the two in step.
static_assert(ghx::matching::EngineLimits{}.block_windows_max == 31,
              "ghx buy --help gives --windows as 2..31");

struct Command {
  const char* name;
  int (*run)(int argc, char** argv);  // argv[0] is the command name
  const char* usage;
};

constexpr Command commands[] = {
    {"ledger", ghx::cli::run_ledger_command, "ledger check --data DIR"},
    {"report", ghx::cli::run_report_command,
     "report --data DIR --participant ID|NAME [--day YYYY-MM-DD | --from T --to T] "
     "[--out DIR] [--format csv,json,html]"},
    {"audit", ghx::cli::run_audit_command,
     "audit --data DIR [--day YYYY-MM-DD | --from T --to T] [--json] (every operator request: "
     "who, when, what came of it)"},
    {"participants", ghx::cli::run_participants_command,
     "participants --data DIR [--json] (every registered participant: id, name, roles)"},
    {"certs", ghx::cli::run_certs_command, "certs --dir DIR [--ca-name NAME] PARTICIPANT..."},
    {"buy", ghx::cli::run_buy_command,
     "buy PRODUCT QTY PRICE [--type limit|market] (market: no PRICE) [--tif gtc|gtt|ioc|fok] "
     "[--expire ISO8601|+SECONDS] [--post-only] [--min-qty N] "
     "[--stp cancel-taker|cancel-maker|cancel-both] [--id ID] [--wait MS] "
     "[--cancel-on-disconnect] [--windows N] (N = 2..31: a block order over PRODUCT and the N-1 "
     "windows after it, filled in full in each at once or not at all; fill-or-kill limit, so "
     "without --type market, --tif other than fok, --expire, --post-only or --min-qty)"},
    {"sell", ghx::cli::run_sell_command, "sell PRODUCT QTY PRICE [same options as buy]"},
    {"cancel", ghx::cli::run_cancel_command, "cancel ORIG_ID [--product SYMBOL]"},
    {"replace", ghx::cli::run_replace_command,
     "replace ORIG_ID NEW_QTY NEW_PRICE [--id NEW_ID] [--product SYMBOL]"},
    {"mass-cancel", ghx::cli::run_mass_cancel_command, "mass-cancel [PRODUCT] [--wait MS]"},
    {"status", ghx::cli::run_status_command, "status ORIG_ID"},
    {"orders", ghx::cli::run_orders_command, "orders ID... (status of each id)"},
    {"reports", ghx::cli::run_reports_command,
     "reports [--after N] [--wait MS] (your execution reports after number N, kept by ghxd)"},
    {"book", ghx::cli::run_book_command, "book PRODUCT [--depth N]"},
    {"bars", ghx::cli::run_bars_command,
     "bars PRODUCT [--count N] [--before ISO8601] (one-minute bars of the last day)"},
    {"watch", ghx::cli::run_watch_command,
     "watch PRODUCT... [--seconds N] [--no-book] [--no-trades] [--bars] (without --seconds: "
     "until interrupted)"},
    {"products", ghx::cli::run_products_command, "products [--gpu GPU] [--zone ZONE]"},
    {"account", ghx::cli::run_account_command,
     "account [PARTICIPANT] (cash and capacity; an operator may name anyone)"},
    {"deposit", ghx::cli::run_deposit_command, "deposit PARTICIPANT AMOUNT (operator)"},
    {"withdraw", ghx::cli::run_withdraw_command, "withdraw PARTICIPANT AMOUNT (operator)"},
    {"register", ghx::cli::run_register_command,
     "register PARTICIPANT PRODUCT LOTS (operator: capacity)"},
    {"delivery-failed", ghx::cli::run_delivery_failed_command,
     "delivery-failed TRADE_ID [--lots N] [--product SYMBOL] (operator)"},
    {"halt", ghx::cli::run_halt_command,
     "halt PRODUCT|--zone ZONE [--gpu GPU] [--cancel-orders] (operator: stop trading; cancels "
     "still work)"},
    {"resume", ghx::cli::run_resume_command,
     "resume PRODUCT|--zone ZONE [--gpu GPU] (operator: trade halted products again)"},
    {"auction", ghx::cli::run_auction_command,
     "auction PRODUCT [--uncross-at ISO8601|+SECONDS] (operator: call phase; orders rest "
     "uncrossed)"},
    {"uncross", ghx::cli::run_uncross_command,
     "uncross PRODUCT (operator: trade the call phase's crossed book at one price)"},
    {"suspend", ghx::cli::run_suspend_command,
     "suspend PARTICIPANT (operator: cancel its orders and refuse new ones)"},
    {"reinstate", ghx::cli::run_reinstate_command,
     "reinstate PARTICIPANT (operator: let a suspended participant trade again)"},
    {"add-participant", ghx::cli::run_add_participant_command,
     "add-participant NAME --roles buyer,seller,operator (operator: register a data centre, "
     "a lab or an operator; then issues its certificate in DIR/certs)"},
};

// Printed after the command list: what every network command shares.
constexpr const char* common_help =
    "connection options: --data DIR (default ./ghx-data; certificates in DIR/certs)\n"
    "  --as PARTICIPANT (default $GHX_PARTICIPANT, or ops for operator commands)\n"
    "  --host HOST (127.0.0.1) --port PORT (7700 or $GHX_PORT) --timeout-ms MS --json\n"
    "operator commands: --request-id N, the request's id (default: a new random one); a request\n"
    "  repeated with its id, after a timeout say, is done at most once\n"
    "prices and amounts: minor units (1850) or currency with a dot (18.50)\n"
    "exit codes: 0 ok, 1 refused by the exchange, 2 usage, 3 connection/logon, 4 timeout\n";

// The usage text: on stdout with exit 0 when asked for (--help), else on stderr with exit 2.
int usage(FILE* out = stderr) {
  std::fprintf(out, "usage:\n");
  for (const Command& c : commands) std::fprintf(out, "  ghx %s\n", c.usage);
  std::fputs(common_help, out);
  return out == stdout ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string_view first = argv[1];
  if (first == "--help" || first == "-h" || first == "help") return usage(stdout);
  for (const Command& c : commands) {
    if (std::strcmp(argv[1], c.name) != 0) continue;
    try {
      return c.run(argc - 1, argv + 1);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "ghx %s: %s\n", c.name, e.what());
      return 1;
    }
  }
  return usage();
}
