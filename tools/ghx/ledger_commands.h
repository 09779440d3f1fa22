#pragma once
// Ledger commands of the ghx CLI. Each takes argv with argv[0] = the command name and returns
// the process exit code: 0 success, 1 the ledger or the request failed, 2 bad usage.
//
//   ghx ledger check --data DIR
//   ghx report --data DIR --participant ID|NAME [--day YYYY-MM-DD | --from T --to T]
//              [--out DIR] [--format csv,json,html]
//   ghx audit --data DIR [--day YYYY-MM-DD | --from T --to T] [--json]
//   ghx participants --data DIR [--json]
// T is YYYY-MM-DD (a whole UTC day; --to includes that day) or YYYY-MM-DDTHH:MM:SSZ (exact;
// --to excludes it). The default period is the current UTC day (audit: the whole journal).

namespace ghx::cli {

int run_ledger_command(int argc, char** argv);
int run_report_command(int argc, char** argv);
// The operators' audit trail (tools/ghx/audit.h), one line (or JSON object) per request.
int run_audit_command(int argc, char** argv);
// Every registered participant: id, name, roles.
int run_participants_command(int argc, char** argv);

}  // namespace ghx::cli
