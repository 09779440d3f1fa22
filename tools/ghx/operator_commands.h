#pragma once
// Operator commands of the ghx CLI (the session must be the operator participant, "ops" by
// default): deposit, withdraw, register (capacity), delivery-failed, halt and resume (trading
// in one product), auction and uncross (a call auction of one product), suspend and reinstate
// (one participant), add-participant (register one, and issue its certificate); and `certs`, which
// creates a development CA and participant certificates offline. argv[0] is the command name; each
// returns the process exit code.

namespace ghx::cli {

int run_deposit_command(int argc, char** argv);
int run_withdraw_command(int argc, char** argv);
int run_register_command(int argc, char** argv);
int run_delivery_failed_command(int argc, char** argv);
int run_halt_command(int argc, char** argv);
int run_resume_command(int argc, char** argv);
int run_auction_command(int argc, char** argv);
int run_uncross_command(int argc, char** argv);
int run_suspend_command(int argc, char** argv);
int run_reinstate_command(int argc, char** argv);
int run_add_participant_command(int argc, char** argv);
int run_certs_command(int argc, char** argv);

}  // namespace ghx::cli
