#pragma once
// The engine benchmark: replays generated command streams (tools/bench/scenarios.h) through the
// matching engine on one core and prints one JSON object per scenario on its own line.
//
//   ghx-bench [engine] [--ops N] [--scenario NAME]... [--seed S] [--cpu C]
//
// Each scenario runs in a forked child process, so that peak RSS is the scenario's own.

namespace ghx::bench {

// argv[0] is the program (or the `engine` sub-command). Returns the process exit code: 0 when
// every scenario ran (or --help printed the usage, on stdout), 1 when one failed, 2 on bad
// arguments.
int run_engine_bench(int argc, char** argv);

}  // namespace ghx::bench
