#include "tools/ghx/cli_args.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "tools/ghx/connection.h"

namespace ghx::cli {
namespace {

// argv for parse_args from string literals (argv[0] is the command name).
struct Argv {
  explicit Argv(std::vector<std::string> args) : storage(std::move(args)) {
    for (std::string& arg : storage) pointers.push_back(arg.data());
  }
  int argc() const { return static_cast<int>(pointers.size()); }
  char** argv() { return pointers.data(); }
  std::vector<std::string> storage;
  std::vector<char*> pointers;
};

const std::vector<OptionSpec> specs = {{"tif"}, {"post-only", false}, {"json", false}};

ParsedArgs parse(std::vector<std::string> args) {
  Argv argv(std::move(args));
  return parse_args(argv.argc(), argv.argv(), 1, specs);
}

int usage_exit_of(const std::function<void()>& body) {
  try {
    body();
  } catch (const CliError& e) {
    return e.exit_code;
  }
  return -1;
}

TEST(CliArgs, OptionsMayComeBeforeBetweenAndAfterPositionals) {
  const ParsedArgs args = parse({"buy", "--tif", "ioc", "P", "--post-only", "3", "--json", "1850"});
  EXPECT_EQ(args.positional, (std::vector<std::string>{"P", "3", "1850"}));
  EXPECT_EQ(args.get_or("tif", ""), "ioc");
  EXPECT_TRUE(args.has("post-only"));
}

TEST(CliArgs, InlineValueAndDoubleDashEndOfOptions) {
  const ParsedArgs args = parse({"buy", "--tif=fok", "--", "--json"});
  EXPECT_EQ(args.get_or("tif", ""), "fok");
  EXPECT_EQ(args.positional, std::vector<std::string>{"--json"});
  EXPECT_FALSE(args.has("json"));
}

TEST(CliArgs, NegativeNumberIsAPositionalNotAnOption) {
  EXPECT_EQ(parse({"x", "-5"}).positional, std::vector<std::string>{"-5"});
}

TEST(CliArgs, UnknownOptionIsAUsageError) {
  EXPECT_EQ(usage_exit_of([] { parse({"buy", "--colour", "red"}); }), exit_usage);
}

TEST(CliArgs, MissingValueIsAUsageError) {
  EXPECT_EQ(usage_exit_of([] { parse({"buy", "--tif"}); }), exit_usage);
}

TEST(CliArgs, FlagWithAValueIsAUsageError) {
  EXPECT_EQ(usage_exit_of([] { parse({"buy", "--post-only=yes"}); }), exit_usage);
}

TEST(CliArgs, MoneyInMinorUnitsOrCurrency) {
  EXPECT_EQ(parse_money("1850", "PRICE"), 1850);
  EXPECT_EQ(parse_money("18.50", "PRICE"), 1850);
  EXPECT_EQ(parse_money("18.5", "PRICE"), 1850);
  EXPECT_EQ(parse_money("0.07", "PRICE"), 7);
  EXPECT_EQ(parse_money("-1.25", "AMOUNT"), -125);
  EXPECT_EQ(parse_money(".5", "PRICE"), 50);
}

TEST(CliArgs, MoneyRefusesSubCentsAndGarbage) {
  for (const char* bad : {"18.505", "18.", "abc", "", "1e3", "18,50", "1.-5", "12x"}) {
    EXPECT_EQ(usage_exit_of([&] { parse_money(bad, "PRICE"); }), exit_usage) << bad;
  }
}

TEST(CliArgs, IdsMustBeNonZeroWholeNumbers) {
  EXPECT_EQ(parse_id("42", "ID"), 42u);
  EXPECT_EQ(parse_id("18446744073709551615", "ID"), UINT64_MAX);
  for (const char* bad : {"0", "-1", "4.2", "", "18446744073709551616"}) {
    EXPECT_EQ(usage_exit_of([&] { parse_id(bad, "ID"); }), exit_usage) << bad;
  }
}

TEST(CliArgs, PositiveQuantitiesOnly) {
  EXPECT_EQ(parse_positive_int64("8", "QTY"), 8);
  EXPECT_EQ(usage_exit_of([] { parse_positive_int64("0", "QTY"); }), exit_usage);
  EXPECT_EQ(usage_exit_of([] { parse_positive_int64("-3", "QTY"); }), exit_usage);
}

// Connection options: flags beat the environment, which beats defaults.
const char* no_env(const char*) { return nullptr; }

ParsedArgs parse_connection(std::vector<std::string> args) {
  Argv argv(std::move(args));
  return parse_args(argv.argc(), argv.argv(), 1, connection_option_specs);
}

TEST(ConnectionOptions, DefaultsForAnOperatorCommand) {
  const ConnectionOptions o = connection_options(parse_connection({"deposit"}),
                                                 Role::operator_role, no_env);
  EXPECT_EQ(o.participant, "ops");
  EXPECT_EQ(o.port, 7700);
  EXPECT_EQ(o.host, "127.0.0.1");
  EXPECT_EQ(o.data_dir, std::filesystem::path("ghx-data"));
  EXPECT_FALSE(o.json);
}

TEST(ConnectionOptions, ParticipantCommandWithoutAParticipantIsAUsageError) {
  EXPECT_EQ(usage_exit_of([] {
              connection_options(parse_connection({"buy"}), Role::participant, no_env);
            }),
            exit_usage);
}

TEST(ConnectionOptions, EnvironmentSuppliesParticipantAndPortUnlessFlagsDo) {
  auto env = [](const char* name) -> const char* {
    return std::string_view(name) == "GHX_PORT" ? "7811" : "lab-beta";
  };
  const ConnectionOptions from_env = connection_options(parse_connection({"buy"}),
                                                        Role::participant, env);
  EXPECT_EQ(from_env.participant, "lab-beta");
  EXPECT_EQ(from_env.port, 7811);
  const ConnectionOptions from_flags = connection_options(
      parse_connection({"buy", "--as", "lab-alpha", "--port", "9000", "--json"}),
      Role::participant, env);
  EXPECT_EQ(from_flags.participant, "lab-alpha");
  EXPECT_EQ(from_flags.port, 9000);
  EXPECT_TRUE(from_flags.json);
}

TEST(ConnectionOptions, BadPortOrParticipantIsAUsageError) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"x", "--port", "0"}, {"x", "--port", "70000"},
        {"x", "--as", "../etc"}, {"x", "--timeout-ms", "0"}}) {
    EXPECT_EQ(usage_exit_of([&] {
                connection_options(parse_connection(args), Role::operator_role, no_env);
              }),
              exit_usage);
  }
}

std::string tls_files_error(const ConnectionOptions& o) {
  try {
    participant_tls_files(o);
  } catch (const CliError& e) {
    EXPECT_EQ(e.exit_code, exit_connection);
    return e.what();
  }
  ADD_FAILURE() << "expected a CliError";
  return "";
}

// Without the exchange's CA, --data is wrong: a certificate made there (with a new CA) would not
// be trusted by ghxd, so the hint is not to make one.
TEST(ConnectionOptions, AMissingCaSaysTheDataDirectoryIsWrong) {
  ConnectionOptions o;
  o.data_dir = "/nonexistent-ghx-data";
  o.participant = "lab-alpha";
  const std::string error = tls_files_error(o);
  EXPECT_EQ(error,
            "missing /nonexistent-ghx-data/certs/ca.pem: /nonexistent-ghx-data is not the "
            "exchange's data directory (ghxd keeps its CA in DATA/certs); pass the right one "
            "with --data");
  EXPECT_EQ(error.find("ghx certs"), std::string::npos) << error;
}

// A participant's certificate is made from the exchange's CA if the name is registered; a name
// that is not needs the operator's add-participant (a certificate alone does not let it in).
TEST(ConnectionOptions, AMissingCertificateSaysHowToMakeItOrRegisterTheName) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "ghx-missing-cert-XXXXXX").string();
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  const std::filesystem::path data(pattern);
  std::filesystem::create_directories(data / "certs");
  std::ofstream(data / "certs" / "ca.pem") << "not read here\n";
  ConnectionOptions o;
  o.data_dir = data;
  o.participant = "nobody";
  const std::string error = tls_files_error(o);
  const std::string certs = (data / "certs").string();
  EXPECT_EQ(error,
            "missing " + certs +
                "/nobody.pem: if nobody is registered (ghx participants "
                "--data " +
                data.string() +
                "), make its certificate from the exchange's CA "
                "with: ghx certs --dir " +
                certs +
                " nobody; if not, the operator registers "
                "it (and makes its certificate) with: ghx add-participant nobody --roles ...");
  std::filesystem::remove_all(data);
}

}  // namespace
}  // namespace ghx::cli
