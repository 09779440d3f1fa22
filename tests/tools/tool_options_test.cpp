// The numeric options of ghxd, ghx-load and ghx-sim: the whole text must be a number within
// the option's range, or the program stops and names the option and the text given (a typo
// must not run with another value: "--port 73236" was port 7700). The programs run as child
// processes and stop before they open any data or connection.
#include <gtest/gtest.h>

#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "gateway/option_numbers.h"
#include "tests/tools/child_process.h"

namespace ghx::test {
namespace {

using namespace std::chrono_literals;

constexpr auto run_timeout = 20s;  // each stops at once; far more under the sanitizers

std::string error_of(const std::function<void()>& parse) {
  try {
    parse();
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "";
}

TEST(OptionNumbers, TheWholeTextMustBeANumberWithinTheRange) {
  using gateway::parse_decimal_option;
  using gateway::parse_whole_option;
  EXPECT_EQ(parse_whole_option("7700", "--port", 0, 65535), 7700u);
  EXPECT_EQ(parse_whole_option("0", "--port", 0, 65535), 0u);
  EXPECT_EQ(parse_whole_option("65535", "--port", 0, 65535), 65535u);
  for (const char* bad :
       {"", "abc", "12x", " 12", "+12", "-1", "65536", "73236", "1e3", "99999999999999999999999"}) {
    EXPECT_EQ(error_of([&] { parse_whole_option(bad, "--port", 0, 65535); }),
              "--port needs a whole number within 0..65535, not '" + std::string(bad) + "'");
  }
  EXPECT_EQ(error_of([&] { parse_whole_option("0", "--reports-kept", 1, 10); }),
            "--reports-kept needs a whole number within 1..10, not '0'");
  EXPECT_EQ(parse_decimal_option("20", "--rate", 0, 1000), 20.0);
  EXPECT_EQ(parse_decimal_option("0.5", "--rate", 0, 1000), 0.5);
  for (const char* bad : {"", "fast", "5/s", "-1", "1001", "nan", "inf"}) {
    EXPECT_EQ(error_of([&] { parse_decimal_option(bad, "--rate", 0, 1000); }),
              "--rate needs a number within 0..1000, not '" + std::string(bad) + "'");
  }
}

TEST(OptionNumbers, ASizeIsBytesOrANumberWithASuffixFromOneMebibyteToOnePebibyte) {
  using gateway::parse_size_option;
  EXPECT_EQ(parse_size_option("64G", "--ledger-max"), uint64_t{64} << 30);
  EXPECT_EQ(parse_size_option("512m", "--ledger-max"), uint64_t{512} << 20);
  EXPECT_EQ(parse_size_option("1048576", "--ledger-max"), uint64_t{1} << 20);
  EXPECT_EQ(parse_size_option("1024T", "--ledger-max"), uint64_t{1} << 50);
  for (const char* bad : {"", "G", "2K", "1048575", "12Q", "-5G", " 1G", "1G ", "1025T", "1GB"}) {
    EXPECT_EQ(error_of([&] { parse_size_option(bad, "--ledger-max"); }),
              "--ledger-max needs a size such as 64G or 512M (at least 1M), not '" +
                  std::string(bad) + "'");
  }
}

TEST(GhxdOptions, ANumberOutOfItsRangeOrNotANumberIsAClearError) {
  const std::vector<std::vector<std::string>> bad = {
      {"--port", "abc", "0..65535"},
      {"--port", "12x", "0..65535"},
      {"--port", "73236", "0..65535"},
      {"--snapshot-interval", "-1", "0..18446744073709551615"},
      {"--reports-kept", "-5", "1..18446744073709551615"},
      {"--reports-kept", "0", "1..18446744073709551615"},
  };
  for (const auto& args : bad) {
    const RunResult run =
        run_process({GHXD_PATH, "--data", "/nonexistent/ghx", args[0], args[1]}, run_timeout);
    EXPECT_EQ(run.exit_code, 1) << args[0] << " " << args[1];
    EXPECT_NE(run.err.find("ghxd: " + args[0] + " needs a whole number within " + args[2] +
                           ", not '" + args[1] + "'"),
              std::string::npos)
        << run.err;
  }
}

// Not an IP address: refused before ghxd opens its data (the server names ADDRESS:PORT too,
// when an address it was given cannot be bound).
TEST(GhxdOptions, AListenAddressThatIsNotAnIpAddressIsAClearError) {
  for (const char* address : {"300.1.2.3", "localhost", ""}) {
    const RunResult run =
        run_process({GHXD_PATH, "--data", "/nonexistent/ghx", "--listen", address}, run_timeout);
    EXPECT_EQ(run.exit_code, 1) << address;
    EXPECT_NE(run.err.find("ghxd: --listen needs an IP address such as 127.0.0.1 or ::1, not '" +
                           std::string(address) + "'"),
              std::string::npos)
        << run.err;
  }
}

// ghx-load and ghx-sim name the argument at fault, then give their usage; exit 2.
void expect_refused(const char* program, const std::string& name,
                    const std::vector<std::string>& args, const std::string& message) {
  std::vector<std::string> argv = {program};
  argv.insert(argv.end(), args.begin(), args.end());
  const RunResult run = run_process(argv, run_timeout);
  EXPECT_EQ(run.exit_code, 2) << name << " " << args[0];
  EXPECT_NE(run.err.find(name + ": " + message + "\n"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("usage: " + name), std::string::npos) << run.err;
  EXPECT_TRUE(run.out.empty()) << run.out;
}

TEST(GhxLoadOptions, EachBadArgumentIsNamed) {
  const std::string load = "ghx-load";
  expect_refused(GHX_LOAD_PATH, load, {"--port", "73236"},
                 "--port needs a whole number within 1..65535, not '73236'");
  expect_refused(GHX_LOAD_PATH, load, {"--port", "12x"},
                 "--port needs a whole number within 1..65535, not '12x'");
  expect_refused(GHX_LOAD_PATH, load, {"--sessions", "65"},
                 "--sessions needs a whole number within 1..64, not '65'");
  expect_refused(GHX_LOAD_PATH, load, {"--seconds", "-5"},
                 "--seconds needs a whole number within 1..600, not '-5'");
  expect_refused(GHX_LOAD_PATH, load, {"--rate", "fast"},
                 "--rate needs a number within 0..100000000, not 'fast'");
  expect_refused(GHX_LOAD_PATH, load, {"--threads", "0"},
                 "--threads needs a whole number within 1..8, not '0'");
  expect_refused(GHX_LOAD_PATH, load, {"--host", "example.com"},
                 "--host must be 127.0.0.1 or localhost (load goes to this machine only), not "
                 "'example.com'");
  expect_refused(GHX_LOAD_PATH, load, {"--sesions", "4"}, "unknown option --sesions");
  expect_refused(GHX_LOAD_PATH, load, {"--seconds"}, "--seconds needs a value");
}

TEST(GhxSimOptions, EachBadArgumentIsNamed) {
  const std::string sim = "ghx-sim";
  expect_refused(GHX_SIM_PATH, sim, {"--port", "73236"},
                 "--port needs a whole number within 1..65535, not '73236'");
  expect_refused(GHX_SIM_PATH, sim, {"--seconds", "10s"},
                 "--seconds needs a whole number within 1..3600, not '10s'");
  expect_refused(GHX_SIM_PATH, sim, {"--rate", "0"},
                 "--rate needs a number within 0.01..100000, not '0'");
  expect_refused(GHX_SIM_PATH, sim, {"--products", "0"},
                 "--products needs a whole number within 1..1000, not '0'");
  expect_refused(GHX_SIM_PATH, sim, {"--seed", "-1"},
                 "--seed needs a whole number within 0..18446744073709551615, not '-1'");
  expect_refused(GHX_SIM_PATH, sim, {"seconds", "10"}, "unexpected argument 'seconds'");
}

// --help is asked for, not a mistake: the usage on stdout, exit 0.
TEST(ToolHelp, LoadAndSimPrintTheirUsageOnStdoutAndExitZero) {
  for (const auto& [program, name] :
       {std::pair{GHX_LOAD_PATH, "ghx-load"}, std::pair{GHX_SIM_PATH, "ghx-sim"}}) {
    for (const char* help : {"--help", "-h"}) {
      const RunResult run = run_process({program, help}, run_timeout);
      EXPECT_EQ(run.exit_code, 0) << name << " " << help;
      EXPECT_TRUE(run.out.starts_with("usage: " + std::string(name))) << run.out;
      EXPECT_TRUE(run.err.empty()) << run.err;
    }
  }
}

// What the README and ghx's own messages tell users to pass is in ghx --help.
TEST(ToolHelp, GhxHelpNamesRequestIdAndHowLongWatchRuns) {
  const RunResult run = run_process({GHX_CLI_PATH, "--help"}, run_timeout);
  EXPECT_EQ(run.exit_code, 0);
  for (const char* part :
       {"operator commands: --request-id N, the request's id (default: a new random one)",
        "ghx watch PRODUCT... [--seconds N] [--no-book] [--no-trades] [--bars] (without "
        "--seconds: until interrupted)",
        "[--windows N] (N = 2..31: a block order"}) {
    EXPECT_NE(run.out.find(part), std::string::npos) << part << " not in\n" << run.out;
  }
}

}  // namespace
}  // namespace ghx::test
