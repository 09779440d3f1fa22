// Clearing reports on a small fixed ledger compared byte for byte with tests/ledger/golden/.
// After an intended change of format, regenerate with GHX_UPDATE_GOLDEN=1 and review the diff.
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/ledger/ledger_fixture.h"
#include "ledger/report.h"
#include "tools/ghx/ledger_commands.h"

namespace ghx::ledger::testing {
namespace {

const std::filesystem::path golden_dir = GHX_LEDGER_GOLDEN_DIR;

// Deposits, holds and four trades on 2026-12-01: one delivered, one failed, two still open, one
// of which failed 1 of its 4 lots (so the report shows failed lots and owes only 3).
void build_fixed_ledger(const std::string& dir) {
  Ledger ledger(dir);
  add_market(ledger);
  Batch b;
  const Timestamp t{t0.ns - ns_per_hour};
  ASSERT_EQ(b.deposit(buyer_a, Cash{2'000'000}, Timestamp{t0.ns - 24 * ns_per_hour}), Result::ok);
  ASSERT_EQ(b.hold_cash(buyer_a, Cash{600'000}, t), Result::ok);
  ASSERT_EQ(b.deposit(seller_x, Cash{10'000}, t), Result::ok);
  ASSERT_EQ(b.register_capacity(seller_x, h100, Lots{8}, t), Result::ok);
  ASSERT_EQ(b.register_capacity(seller_x, l40s, Lots{8}, t), Result::ok);
  ASSERT_EQ(b.hold_capacity(seller_x, h100, Lots{8}, t), Result::ok);
  ASSERT_EQ(b.hold_capacity(seller_x, l40s, Lots{8}, t), Result::ok);
  ASSERT_EQ(b.settle_fill(make_fill(1, h100, buyer_a, seller_x, 1850, 2, 40)), Result::ok);
  ASSERT_EQ(b.settle_fill(make_fill(600, h100, buyer_a, seller_x, 1900, 3)), Result::ok);
  ASSERT_EQ(b.settle_fill(make_fill(1800, l40s, buyer_a, seller_x, 720, 4)), Result::ok);
  ASSERT_EQ(b.settle_fill(make_fill(3000, l40s, buyer_a, seller_x, 700, 1)), Result::ok);
  ASSERT_EQ(b.delivery_failure(TradeId{600}, Lots{3}, Lots{0}, Timestamp{t0.ns + ns_per_hour}),
            Result::ok);
  ASSERT_EQ(b.delivery_failure(TradeId{1800}, Lots{1}, Lots{3}, Timestamp{t0.ns + 2 * ns_per_hour}),
            Result::ok);
  ASSERT_EQ(b.deliver(h100, Timestamp{t0.ns + 3 * ns_per_hour}), Result::ok);
  ASSERT_EQ(b.release_cash(buyer_a, Cash{1'000}, Timestamp{t0.ns + 4 * ns_per_hour}), Result::ok);
  ASSERT_EQ(ledger.commit(b), Result::ok);
  for (size_t i = 0; i < b.size(); ++i) ASSERT_EQ(b.result(i), Result::ok) << "op " << i;
  expect_check_passes(ledger);
}

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int ghx_report(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  return cli::run_report_command(static_cast<int>(argv.size()), argv.data());
}

class ReportGolden : public ::testing::Test {
 protected:
  void SetUp() override {
    build_fixed_ledger(tmp_.sub("l"));
    ASSERT_EQ(ghx_report({"report", "--data", tmp_.sub("l"), "--participant", participant_,
                          "--day", "2026-12-01", "--out", tmp_.sub("out")}),
              0);
  }
  void expect_golden(const std::string& suffix) {
    const std::string name = "ghx-report-" + participant_ + "-2026-12-01" + suffix;
    const std::string actual = read(tmp_.path() / "out" / name);
    ASSERT_FALSE(actual.empty()) << name << " was not written";
    if (std::getenv("GHX_UPDATE_GOLDEN") != nullptr) {
      std::ofstream(golden_dir / name, std::ios::binary) << actual;
    }
    EXPECT_EQ(actual, read(golden_dir / name)) << "differs from " << (golden_dir / name);
  }
  TempDir tmp_;
  std::string participant_ = "alpha-ai";
};

TEST_F(ReportGolden, CsvFilesMatchTheGoldenFiles) {
  for (const char* table : {"-trades.csv", "-deliveries.csv", "-movements.csv",
                            "-obligations-at-period-end.csv", "-balances.csv"}) {
    expect_golden(table);
  }
}

TEST_F(ReportGolden, JsonMatchesTheGoldenFile) { expect_golden(".json"); }

TEST_F(ReportGolden, HtmlIsSelfContainedAndMatchesTheGoldenFile) {
  expect_golden(".html");
  const std::string html = read(tmp_.path() / "out" / "ghx-report-alpha-ai-2026-12-01.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("href="), std::string::npos);
}

// The seller's side of the same day, in JSON: what it sold, delivered and failed.
class SellerReportGolden : public ReportGolden {
 protected:
  SellerReportGolden() { participant_ = "xdc-east"; }
};

TEST_F(SellerReportGolden, JsonMatchesTheGoldenFile) { expect_golden(".json"); }

TEST(Report, UnknownParticipantAndBadPeriodAreRefused) {
  TempDir tmp;
  build_fixed_ledger(tmp.sub("l"));
  EXPECT_EQ(ghx_report({"report", "--data", tmp.sub("l"), "--participant", "nobody", "--day",
                        "2026-12-01", "--out", tmp.sub("out")}),
            1);
  EXPECT_EQ(ghx_report({"report", "--data", tmp.sub("l"), "--participant", "1", "--day",
                        "2026-13-45x"}),
            2);
  EXPECT_EQ(ghx_report({"report", "--data", tmp.sub("l"), "--participant", "1", "--from",
                        "2026-12-02", "--to", "2026-12-01"}),
            2);
  // Days and times that do not exist are refused, not counted on into the next month or day.
  for (const char* day : {"2026-02-31", "2026-04-31", "2027-02-29"}) {
    EXPECT_EQ(ghx_report({"report", "--data", tmp.sub("l"), "--participant", "1", "--day", day,
                          "--out", tmp.sub("out")}),
              2)
        << day;
  }
  EXPECT_EQ(ghx_report({"report", "--data", tmp.sub("l"), "--participant", "1", "--from",
                        "2026-12-01T25:00:00Z", "--to", "2026-12-03"}),
            2);
  // One way of naming the period.
  EXPECT_EQ(ghx_report({"report", "--data", tmp.sub("l"), "--participant", "1", "--day",
                        "2026-12-01", "--from", "2026-12-01", "--to", "2026-12-02"}),
            2);
  // Formats are named in full, each once: nothing is written otherwise.
  for (const char* formats : {"cvs", "json,htm", "csv,csv", "", "csv,"}) {
    EXPECT_EQ(ghx_report({"report", "--data", tmp.sub("l"), "--participant", "1", "--day",
                          "2026-12-01", "--format", formats, "--out", tmp.sub("out")}),
              2)
        << formats;
  }
  EXPECT_FALSE(std::filesystem::exists(tmp.sub("out")));
  // A leap day is a day.
  EXPECT_EQ(ghx_report({"report", "--data", tmp.sub("l"), "--participant", "1", "--day",
                        "2028-02-29", "--format", "json", "--out", tmp.sub("leap")}),
            0);
}

TEST(Report, ClosingBalancesOfOneDayAreTheOpeningOfTheNext) {
  TempDir tmp;
  build_fixed_ledger(tmp.sub("l"));
  Ledger ledger(tmp.sub("l"), Options{.read_only = true});
  const Snapshot s = ledger.snapshot();
  const auto p = find_participant(s, "alpha-ai");
  ASSERT_TRUE(p.has_value());
  Report day1, day2;
  const Timestamp midnight{t0.ns - 8 * ns_per_hour};
  ASSERT_EQ(build_report(s, *p, midnight, Timestamp{midnight.ns + 24 * ns_per_hour}, day1),
            Result::ok);
  ASSERT_EQ(build_report(s, *p, day1.to, Timestamp{day1.to.ns + 24 * ns_per_hour}, day2),
            Result::ok);
  EXPECT_EQ(day1.closing, day2.opening);
  EXPECT_EQ(day2.closing.available.value, cash(ledger, buyer_a, AccountKind::available));
  EXPECT_EQ(day1.trades.size(), 4u);
}

}  // namespace
}  // namespace ghx::ledger::testing
