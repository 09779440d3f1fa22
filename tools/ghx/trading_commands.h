#pragma once
// Participant order commands of the ghx CLI: buy, sell, cancel, replace, mass-cancel, status,
// orders. Each takes argv with argv[0] the command name and returns the process exit code
// (see cli_args.h).
//
// Caveat: the protocol has no "list my live orders" message, so `ghx orders ID...` asks the
// status of the ids given.

namespace ghx::cli {

int run_buy_command(int argc, char** argv);
int run_sell_command(int argc, char** argv);
int run_cancel_command(int argc, char** argv);
int run_replace_command(int argc, char** argv);
int run_mass_cancel_command(int argc, char** argv);
int run_status_command(int argc, char** argv);
int run_orders_command(int argc, char** argv);
// reports [--after N] [--wait MS]: the participant's execution reports after number N (0: all
// the exchange keeps), resent at logon, then live ones until nothing came for MS.
int run_reports_command(int argc, char** argv);

}  // namespace ghx::cli
