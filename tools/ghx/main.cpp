// ghx: the participant and operator CLI. Each subcommand lives in its own file; this is only
// the dispatch table, so adding a command is one line here.
#include <cstdio>
#include <cstring>
#include <exception>

#include "tools/ghx/ledger_commands.h"

namespace {

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
};

int usage() {
  std::fprintf(stderr, "usage:\n");
  for (const Command& c : commands) std::fprintf(stderr, "  ghx %s\n", c.usage);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
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
