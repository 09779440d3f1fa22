#pragma once
// Market-data commands of the ghx CLI: products (ListProducts), book (one snapshot as a depth
// ladder), watch (snapshot, then live book deltas and trades). argv[0] is the command name;
// each returns the process exit code.

namespace ghx::cli {

int run_account_command(int argc, char** argv);
int run_products_command(int argc, char** argv);
int run_book_command(int argc, char** argv);
int run_bars_command(int argc, char** argv);
int run_watch_command(int argc, char** argv);

}  // namespace ghx::cli
