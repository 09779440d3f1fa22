// End to end: a real ghxd (child process, --port 0, temporary --data) and the real ghx binary
// run as child processes, checked through their output and exit codes. Every child has a
// deadline and is killed when done.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>

#include "tests/tools/child_process.h"

namespace ghx::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr auto ghxd_start_timeout = 30s;
constexpr auto ghx_run_timeout = 20s;

class GhxEndToEnd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string pattern = (fs::temp_directory_path() / "ghx-tools-e2e-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    data_ = new fs::path(pattern);
    server_ = new RunningProcess({GHXD_PATH, "--data", data_->string(), "--port", "0"},
                                 (*data_ / "ghxd.stderr").string());
    const auto line = server_->wait_for_line("ghxd: listening on", ghxd_start_timeout);
    ASSERT_TRUE(line.has_value()) << "ghxd did not start";
    port_ = new std::string(line->substr(line->rfind(':') + 1));
  }

  static void TearDownTestSuite() {
    if (server_ != nullptr) {
      // A clean stop: exit 0, nothing lost on the way out (and, under the sanitizers, no leak
      // and no use of freed memory, which would make the exit code 1 or an abort).
      const int exit_code = server_->stop();
      if (exit_code != 0) {
        std::ifstream log(*data_ / "ghxd.stderr");
        std::stringstream text;
        text << log.rdbuf();
        ADD_FAILURE() << "ghxd exited with " << exit_code << " at SIGTERM:\n" << text.str();
      }
    }
    delete server_;
    server_ = nullptr;
    if (data_ != nullptr) fs::remove_all(*data_);
    delete data_;
    delete port_;
    data_ = nullptr;
    port_ = nullptr;
  }

  void SetUp() override {
    if (port_ == nullptr) GTEST_SKIP() << "ghxd is not running";
  }

  // ghx ARGS --data DIR --port PORT [--as AS]
  static RunResult ghx(std::vector<std::string> args, const std::string& as = "") {
    std::vector<std::string> argv = {GHX_CLI_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    for (const std::string& extra : {std::string("--data"), data_->string(),
                                     std::string("--port"), *port_,
                                     std::string("--timeout-ms"), std::string("5000")}) {
      argv.push_back(extra);
    }
    if (!as.empty()) {
      argv.push_back("--as");
      argv.push_back(as);
    }
    return run_process(argv, ghx_run_timeout);
  }

  // A product far from gate closure: the last daily H100 window of the calendar.
  static std::string far_product() { return last_day_product("H100SXM", "CN-EAST-1"); }

  // The last daily window of a GPU in a zone.
  static std::string last_day_product(const std::string& gpu, const std::string& zone) {
    const RunResult listed = ghx({"products", "--gpu", gpu, "--zone", zone, "--json"}, "lab-alpha");
    std::string last_day;
    std::istringstream lines(listed.out);
    for (std::string line; std::getline(lines, line);) {
      const size_t at = line.find("\"symbol\":\"");
      if (at == std::string::npos || line.find(".DAY\"") == std::string::npos) continue;
      last_day = line.substr(at + 10, line.find('"', at + 10) - at - 10);
    }
    return last_day;
  }

  static bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  }

  static inline fs::path* data_ = nullptr;
  static inline RunningProcess* server_ = nullptr;
  static inline std::string* port_ = nullptr;
};

TEST_F(GhxEndToEnd, ProductsListsTheCalendarForPeopleAndScripts) {
  const RunResult text = ghx({"products", "--gpu", "H100SXM"}, "lab-alpha");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_TRUE(contains(text.out, "SYMBOL")) << text.out;
  EXPECT_TRUE(contains(text.out, " products\n")) << text.out;
  const RunResult json = ghx({"products", "--gpu", "H100SXM", "--json"}, "lab-alpha");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  std::istringstream lines(json.out);
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    EXPECT_TRUE(line.starts_with("{\"type\":\"product\"")) << line;
    EXPECT_TRUE(contains(line, "\"gpu\":\"H100SXM\"")) << line;
  }
  EXPECT_GT(count, 0);
  EXPECT_FALSE(far_product().empty());
}

TEST_F(GhxEndToEnd, OperatorDepositNeedsTheOperatorAndAKnownParticipant) {
  const RunResult ok = ghx({"deposit", "lab-beta", "5000.00"});  // --as defaults to ops
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_TRUE(contains(ok.out, "deposit 5000.00 for lab-beta: ok; cash available 5000.00"))
      << ok.out;
  const RunResult unknown = ghx({"deposit", "nobody", "10"});
  EXPECT_EQ(unknown.exit_code, 1) << unknown.out;
  EXPECT_TRUE(contains(unknown.out, "refused")) << unknown.out;
  const RunResult not_operator = ghx({"deposit", "lab-beta", "10"}, "lab-beta");
  EXPECT_EQ(not_operator.exit_code, 1);
  EXPECT_TRUE(contains(not_operator.out, "not-authorized")) << not_operator.out;
  // A retry with the request's id (after a lost answer) says it was done, and pays nothing.
  const RunResult first = ghx({"deposit", "lab-beta", "1.00", "--request-id", "777001"});
  EXPECT_EQ(first.exit_code, 0) << first.out << first.err;
  const RunResult retry = ghx({"deposit", "lab-beta", "1.00", "--request-id", "777001"});
  EXPECT_EQ(retry.exit_code, 0) << retry.out;
  EXPECT_TRUE(contains(retry.out, "deposit 1.00 for lab-beta: ok (request 777001 was done as #"))
      << retry.out;
  EXPECT_EQ(ghx({"halt", "--zone", "CN-EAST-1", "--request-id", "5"}).exit_code, 2);
  EXPECT_EQ(ghx({"deposit", "lab-beta", "1.00", "--request-id", "0"}).exit_code, 2);
}

TEST_F(GhxEndToEnd, SellBuyBookAndCancelOverRealTls) {
  const std::string product = far_product();
  ASSERT_FALSE(product.empty());
  ASSERT_EQ(ghx({"register", "dc-shanghai", product, "40"}).exit_code, 0);
  ASSERT_EQ(ghx({"deposit", "lab-alpha", "1000000.00"}).exit_code, 0);

  const RunResult sell = ghx({"sell", product, "10", "18.50", "--id", "101"}, "dc-shanghai");
  ASSERT_EQ(sell.exit_code, 0) << sell.err;
  EXPECT_TRUE(contains(sell.out, "accepted order 101 sell " + product + ": 10 lots at 1850 (18.50)"))
      << sell.out;

  const RunResult buy = ghx({"buy", product, "3", "1850", "--id", "201", "--json"}, "lab-alpha");
  ASSERT_EQ(buy.exit_code, 0) << buy.err;
  EXPECT_TRUE(contains(buy.out, "\"exec_type\":\"accepted\",\"order_id\"")) << buy.out;
  EXPECT_TRUE(contains(buy.out, "\"exec_type\":\"filled\"")) << buy.out;
  EXPECT_TRUE(contains(buy.out, "\"fill_quantity\":3")) << buy.out;

  const RunResult book = ghx({"book", product}, "lab-beta");
  ASSERT_EQ(book.exit_code, 0) << book.err;
  EXPECT_TRUE(contains(book.out, "ask        1850       18.50         7        56")) << book.out;
  EXPECT_TRUE(contains(book.out, "---- no bids ----")) << book.out;

  // The trade is this minute's bar (still running, or closed if the minute just ended).
  const RunResult bars = ghx({"bars", product}, "lab-beta");
  ASSERT_EQ(bars.exit_code, 0) << bars.err;
  EXPECT_TRUE(contains(bars.out, " bar " + product +
                                     " open 1850 (18.50) high 1850 (18.50) low 1850 (18.50) "
                                     "close 1850 (18.50), 3 lots in 1 trade"))
      << bars.out;
  const RunResult bars_json = ghx({"bars", product, "--json"}, "lab-beta");  // a DAY: 24 h
  EXPECT_TRUE(contains(bars_json.out, "\"volume\":3,\"trades\":1,\"notional\":1065600"))
      << bars_json.out;
  EXPECT_EQ(ghx({"bars", product, "--count", "501"}, "lab-beta").exit_code, 2);

  const RunResult cancel = ghx({"cancel", "101"}, "dc-shanghai");
  ASSERT_EQ(cancel.exit_code, 0) << cancel.err;
  EXPECT_TRUE(contains(cancel.out, "canceled order 101")) << cancel.out;
  const RunResult empty = ghx({"book", product, "--json"}, "lab-beta");
  EXPECT_TRUE(contains(empty.out, "\"asks\":[],\"bids\":[]")) << empty.out;
}

// A data centre sees its capacity and the proceeds it will be paid; an AI lab its cash; only
// an operator may look at someone else's account. Then the operator fails the trade.
TEST_F(GhxEndToEnd, AccountShowsCashCapacityProceedsAndAFailedDelivery) {
  const std::string product = far_product();  // a DAY window: 24 hours, 8 GPUs a lot
  ASSERT_FALSE(product.empty());
  ASSERT_EQ(ghx({"register", "dc-ulanqab", product, "12"}).exit_code, 0);
  ASSERT_EQ(ghx({"deposit", "lab-delta", "100000.00"}).exit_code, 0);
  ASSERT_EQ(ghx({"sell", product, "2", "20.00", "--id", "501"}, "dc-ulanqab").exit_code, 0);
  const RunResult buy =
      ghx({"buy", product, "2", "20.00", "--id", "601", "--json"}, "lab-delta");
  ASSERT_EQ(buy.exit_code, 0) << buy.err;
  const size_t trade_at = buy.out.find("\"trade_id\":");
  ASSERT_NE(trade_at, std::string::npos) << buy.out;
  const std::string trade_id =
      std::to_string(std::strtoull(buy.out.c_str() + trade_at + 11, nullptr, 10));

  // Notional 2000 x 2 lots x 8 GPUs x 24 hours = 768,000; each side's fee 768.
  const RunResult seller = ghx({"account"}, "dc-ulanqab");
  ASSERT_EQ(seller.exit_code, 0) << seller.err;
  EXPECT_TRUE(contains(seller.out, "dc-ulanqab: cash available 0.00, held 0.00")) << seller.out;
  EXPECT_TRUE(contains(seller.out, "  " + product +
                                       ": capacity available 10 lots, held 0 lots; proceeds at "
                                       "delivery 7672.32"))
      << seller.out;
  const RunResult buyer = ghx({"account", "lab-delta", "--json"});  // as ops
  ASSERT_EQ(buyer.exit_code, 0) << buyer.err;
  EXPECT_TRUE(contains(buyer.out,
                       "{\"type\":\"account\",\"participant\":\"lab-delta\","
                       "\"available_cash\":9231232,\"held_cash\":0,"
                       "\"suspended\":false}"))
      << buyer.out;
  const RunResult nosy = ghx({"account", "lab-delta"}, "lab-gamma");
  EXPECT_EQ(nosy.exit_code, 1) << nosy.out;
  EXPECT_TRUE(contains(nosy.out, "not-authorized")) << nosy.out;

  // The seller did not deliver: three lots of two are refused; one lot fails, then the other,
  // and both accounts show the whole trade taken back (dc-ulanqab has no cash: no penalty).
  const RunResult three_lots = ghx({"delivery-failed", trade_id, "--lots", "3"});
  EXPECT_EQ(three_lots.exit_code, 1) << three_lots.out;
  EXPECT_TRUE(contains(three_lots.out, "has 2 lots open (of 2)")) << three_lots.out;
  // Each failure is acknowledged with what it moved (both times one lot's 384,000).
  for (const auto& [lots_args, what] :
       {std::pair{std::vector<std::string>{}, " failed (1 lot; 1 still open)"},
        std::pair{std::vector<std::string>{"--lots", "1"}, " failed"}}) {
    std::vector<std::string> args = {"delivery-failed", trade_id};
    args.insert(args.end(), lots_args.begin(), lots_args.end());
    const RunResult failed = ghx(args);
    ASSERT_EQ(failed.exit_code, 0) << failed.out << failed.err;
    EXPECT_TRUE(contains(failed.out, "delivery failed for trade " + trade_id + ": ok (trade " +
                                         trade_id + what +
                                         ": the buyer is refunded 384000 and paid a penalty of "
                                         "0 (minor units))"))
        << failed.out;
  }
  EXPECT_TRUE(contains(ghx({"account"}, "dc-ulanqab").out, "proceeds at delivery 0.00"));
  EXPECT_TRUE(contains(ghx({"account", "lab-delta"}).out,
                       "lab-delta: cash available 99992.32, held 0.00"));  // its fee stays paid
}

// An operator halts a product (its own, so that no other test's orders are touched): the
// resting ask is canceled, the listing and a watcher show the halt, an order is refused with
// its reason, and after a resume the product trades again. Only the operator may do this.
TEST_F(GhxEndToEnd, OperatorHaltsAndResumesAProduct) {
  const std::string product = last_day_product("L40S", "CN-NMG-1");
  ASSERT_FALSE(product.empty());
  ASSERT_EQ(ghx({"register", "dc-shanghai", product, "4"}).exit_code, 0);
  ASSERT_EQ(ghx({"deposit", "lab-gamma", "10000.00"}).exit_code, 0);  // a lot costs 5760.00
  ASSERT_EQ(ghx({"sell", product, "2", "30.00", "--id", "801"}, "dc-shanghai").exit_code, 0);

  const RunResult not_operator = ghx({"halt", product}, "lab-gamma");
  EXPECT_EQ(not_operator.exit_code, 1) << not_operator.out << not_operator.err;
  EXPECT_TRUE(contains(not_operator.out, "not-authorized")) << not_operator.out;
  // The product's line of `ghx products --json`.
  const auto listing = [&] {
    const RunResult listed =
        ghx({"products", "--gpu", "L40S", "--zone", "CN-NMG-1", "--json"}, "lab-gamma");
    std::istringstream lines(listed.out);
    for (std::string line; std::getline(lines, line);) {
      if (contains(line, "\"symbol\":\"" + product + "\"")) return line;
    }
    return std::string();
  };
  EXPECT_TRUE(listing().ends_with("\"state\":\"trading\"}")) << listing();

  RunningProcess watcher({GHX_CLI_PATH, "watch", product, "--seconds", "30", "--as", "lab-beta",
                          "--data", data_->string(), "--port", *port_});
  ASSERT_TRUE(watcher.wait_for_line(product + "  (market-data sequence", ghx_run_timeout));
  const RunResult halted = ghx({"halt", product, "--cancel-orders"});  // as ops
  ASSERT_EQ(halted.exit_code, 0) << halted.out << halted.err;
  EXPECT_TRUE(contains(
      halted.out, "halt " + product + ": ok (" + product + " halted; 1 resting order canceled)"))
      << halted.out;
  EXPECT_TRUE(watcher.wait_for_line(" status " + product + " halted", ghx_run_timeout));

  std::string listed;
  const RunResult products = ghx({"products", "--gpu", "L40S", "--zone", "CN-NMG-1"}, "lab-gamma");
  std::istringstream lines(products.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(product + " ")) listed = line;
  }
  EXPECT_TRUE(listed.ends_with("  halted")) << products.out;
  EXPECT_TRUE(listing().ends_with("\"state\":\"halted\"}")) << listing();
  const RunResult book = ghx({"book", product}, "lab-gamma");
  EXPECT_TRUE(contains(book.out, "GPUs, halted)")) << book.out;
  EXPECT_TRUE(contains(book.out, "---- empty book ----")) << book.out;

  const RunResult refused = ghx({"buy", product, "1", "30.00", "--id", "901"}, "lab-gamma");
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_TRUE(contains(refused.out, "rejected order 901")) << refused.out;
  EXPECT_TRUE(contains(refused.out, "reason product-halted")) << refused.out;
  const RunResult again = ghx({"halt", product});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_TRUE(
      contains(again.out, "refused, reason product-halted (" + product + " is halted already)"))
      << again.out;

  const RunResult resumed = ghx({"resume", product, "--json"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_TRUE(contains(resumed.out, "\"ok\":true")) << resumed.out;
  EXPECT_TRUE(contains(resumed.out, product + " trading again")) << resumed.out;
  EXPECT_TRUE(watcher.wait_for_line(" status " + product + " trading", ghx_run_timeout));
  const RunResult not_halted = ghx({"resume", product});
  EXPECT_EQ(not_halted.exit_code, 1);
  EXPECT_TRUE(contains(not_halted.out, "refused, reason product-not-halted")) << not_halted.out;
  const RunResult bought = ghx({"buy", product, "1", "30.00", "--id", "902"}, "lab-gamma");
  EXPECT_EQ(bought.exit_code, 0) << bought.out << bought.err;
  EXPECT_TRUE(contains(bought.out, "accepted order 902")) << bought.out;
  EXPECT_EQ(ghx({"resume", product, "--cancel-orders"}).exit_code, 2);  // a halt's option

  // A whole zone's windows of one GPU model at once (this test's own: no other uses L40S in
  // CN-NMG-1), one ack line each; then all of them trade again.
  const auto l40s_in_nmg = [&](const std::string& state) {
    const RunResult listed =
        ghx({"products", "--gpu", "L40S", "--zone", "CN-NMG-1", "--json"}, "lab-gamma");
    size_t count = 0;
    std::istringstream lines(listed.out);
    for (std::string line; std::getline(lines, line);) {
      count += contains(line, "\"state\":\"" + state + "\"");
    }
    return count;
  };
  const size_t windows = l40s_in_nmg("trading");
  ASSERT_GT(windows, 1u);
  const RunResult zone = ghx({"halt", "--zone", "CN-NMG-1", "--gpu", "L40S"});
  ASSERT_EQ(zone.exit_code, 0) << zone.out << zone.err;
  EXPECT_EQ(std::count(zone.out.begin(), zone.out.end(), '\n'), static_cast<long>(windows));
  EXPECT_TRUE(contains(zone.out, "halt " + product + ": ok (" + product +
                                     " halted; its resting "
                                     "orders stay)"))
      << zone.out;
  EXPECT_EQ(l40s_in_nmg("halted"), windows);
  EXPECT_EQ(l40s_in_nmg("trading"), 0u);
  const RunResult nothing = ghx({"halt", "--zone", "CN-NMG-1", "--gpu", "L40S"});
  EXPECT_EQ(nothing.exit_code, 1);
  EXPECT_TRUE(contains(nothing.err, "no trading product in CN-NMG-1 of L40S")) << nothing.err;
  const RunResult not_ops = ghx({"resume", "--zone", "CN-NMG-1", "--gpu", "L40S"}, "lab-gamma");
  EXPECT_EQ(not_ops.exit_code, 1);
  EXPECT_EQ(l40s_in_nmg("halted"), windows);
  const RunResult zone_resumed = ghx({"resume", "--zone", "CN-NMG-1", "--gpu", "L40S"});
  ASSERT_EQ(zone_resumed.exit_code, 0) << zone_resumed.out << zone_resumed.err;
  EXPECT_EQ(l40s_in_nmg("trading"), windows);
  EXPECT_EQ(ghx({"halt", "--zone", "CN-NMG-1", product}).exit_code, 2);  // one or the other
}

// An operator suspends a participant (in a product of this test's own, so that no other
// test's orders are touched): its resting bid is canceled and reported, its account says so,
// its orders are refused with the reason; after a reinstatement it trades again. Only the
// operator may do this, and not to an operator.
TEST_F(GhxEndToEnd, OperatorSuspendsAndReinstatesAParticipant) {
  const std::string product = last_day_product("910B", "CN-EAST-1");
  ASSERT_FALSE(product.empty());
  ASSERT_EQ(ghx({"deposit", "lab-alpha", "10000.00"}).exit_code, 0);  // a lot costs 5760.00
  ASSERT_EQ(ghx({"buy", product, "1", "30.00", "--id", "1101"}, "lab-alpha").exit_code, 0);
  // Whatever happens below, lab-alpha trades again for the tests that follow in this ghxd.
  struct Reinstate {
    ~Reinstate() { ghx({"reinstate", "lab-alpha"}); }
  } reinstate_at_end;

  const RunResult not_operator = ghx({"suspend", "lab-alpha"}, "lab-gamma");
  EXPECT_EQ(not_operator.exit_code, 1) << not_operator.out << not_operator.err;
  EXPECT_TRUE(contains(not_operator.out, "not-authorized")) << not_operator.out;

  const RunResult suspended = ghx({"suspend", "lab-alpha"});  // as ops
  ASSERT_EQ(suspended.exit_code, 0) << suspended.out << suspended.err;
  EXPECT_TRUE(
      contains(suspended.out, "suspend lab-alpha: ok (lab-alpha suspended; 1 order canceled)"))
      << suspended.out;
  const RunResult account = ghx({"account"}, "lab-alpha");
  ASSERT_EQ(account.exit_code, 0) << account.err;
  EXPECT_TRUE(contains(account.out, ", held 0.00; suspended")) << account.out;
  const RunResult account_json = ghx({"account", "lab-alpha", "--json"});
  EXPECT_TRUE(contains(account_json.out, "\"held_cash\":0,\"suspended\":true}"))
      << account_json.out;
  const RunResult reports = ghx({"reports", "--after", "0"}, "lab-alpha");
  EXPECT_TRUE(contains(reports.out, "canceled order 1101 buy " + product)) << reports.out;
  EXPECT_TRUE(contains(reports.out, "reason participant-suspended")) << reports.out;

  const RunResult refused = ghx({"buy", product, "1", "30.00", "--id", "1102"}, "lab-alpha");
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_TRUE(contains(refused.out, "rejected order 1102")) << refused.out;
  EXPECT_TRUE(contains(refused.out, "reason participant-suspended")) << refused.out;
  const RunResult again = ghx({"suspend", "lab-alpha"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_TRUE(
      contains(again.out, "refused, reason participant-suspended (lab-alpha is suspended already)"))
      << again.out;
  const RunResult operator_target = ghx({"suspend", "ops"});
  EXPECT_EQ(operator_target.exit_code, 1);
  EXPECT_TRUE(contains(operator_target.out, "ops is an operator")) << operator_target.out;

  const RunResult reinstated = ghx({"reinstate", "lab-alpha", "--json"});
  ASSERT_EQ(reinstated.exit_code, 0) << reinstated.out << reinstated.err;
  EXPECT_TRUE(contains(reinstated.out, "\"ok\":true")) << reinstated.out;
  EXPECT_TRUE(contains(reinstated.out, "lab-alpha reinstated")) << reinstated.out;
  EXPECT_FALSE(contains(ghx({"account"}, "lab-alpha").out, "suspended"));
  const RunResult not_suspended = ghx({"reinstate", "lab-alpha"});
  EXPECT_EQ(not_suspended.exit_code, 1);
  EXPECT_TRUE(contains(not_suspended.out, "refused, reason participant-not-suspended"))
      << not_suspended.out;
  const RunResult bought = ghx({"buy", product, "1", "30.00", "--id", "1103"}, "lab-alpha");
  EXPECT_EQ(bought.exit_code, 0) << bought.out << bought.err;
  EXPECT_TRUE(contains(bought.out, "accepted order 1103")) << bought.out;
  EXPECT_EQ(ghx({"cancel", "1103"}, "lab-alpha").exit_code, 0);
  EXPECT_EQ(ghx({"suspend"}).exit_code, 2);  // names no participant
}

// An operator runs call auctions in a product of this test's own (no other test uses H20 in
// CN-NMG-1, nor lab-beta's orders or dc-shanghai's in it): crossing orders rest without
// trading in the call phase, an IOC is refused, the uncross trades them at one price; then a
// second auction uncrosses by itself at --uncross-at. The listing, the book and a watcher show
// each state and the uncross. Only the operator may do this.
TEST_F(GhxEndToEnd, OperatorRunsACallAuctionAndItUncrosses) {
  const std::string product = last_day_product("H20", "CN-NMG-1");
  ASSERT_FALSE(product.empty());
  ASSERT_EQ(ghx({"register", "dc-shanghai", product, "5"}).exit_code, 0);
  ASSERT_EQ(ghx({"deposit", "lab-beta", "20000.00"}).exit_code, 0);  // a lot costs 5760.00
  const RunResult not_operator = ghx({"auction", product}, "lab-beta");
  EXPECT_EQ(not_operator.exit_code, 1) << not_operator.out << not_operator.err;
  EXPECT_TRUE(contains(not_operator.out, "not-authorized")) << not_operator.out;
  EXPECT_EQ(ghx({"uncross", product}, "lab-beta").exit_code, 1);
  const auto listed_line = [&] {
    const RunResult products = ghx({"products", "--gpu", "H20", "--zone", "CN-NMG-1"}, "lab-beta");
    std::istringstream lines(products.out);
    for (std::string line; std::getline(lines, line);) {
      if (line.starts_with(product + " ")) return line;
    }
    return std::string();
  };

  RunningProcess watcher({GHX_CLI_PATH, "watch", product, "--seconds", "60", "--as", "lab-gamma",
                          "--data", data_->string(), "--port", *port_});
  ASSERT_TRUE(watcher.wait_for_line(product + "  (market-data sequence", ghx_run_timeout));
  const RunResult started = ghx({"auction", product});  // as ops
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  EXPECT_TRUE(contains(started.out, "auction " + product + ": ok (" + product +
                                        " call phase; the operator uncrosses)"))
      << started.out;
  EXPECT_TRUE(watcher.wait_for_line(" status " + product + " auction", ghx_run_timeout));
  EXPECT_TRUE(listed_line().ends_with("  auction")) << listed_line();

  // The bid crosses the ask and both rest: no fill.
  ASSERT_EQ(ghx({"sell", product, "3", "30.00", "--id", "1201"}, "dc-shanghai").exit_code, 0);
  const RunResult bid = ghx({"buy", product, "2", "32.00", "--id", "1202"}, "lab-beta");
  ASSERT_EQ(bid.exit_code, 0) << bid.out << bid.err;
  EXPECT_TRUE(contains(bid.out, "accepted order 1202")) << bid.out;
  EXPECT_FALSE(contains(bid.out, "filled")) << bid.out;
  const RunResult ioc =
      ghx({"buy", product, "1", "32.00", "--tif", "ioc", "--id", "1203"}, "lab-beta");
  EXPECT_EQ(ioc.exit_code, 1) << ioc.out << ioc.err;
  EXPECT_TRUE(contains(ioc.out, "reason invalid-in-auction")) << ioc.out;
  const RunResult book = ghx({"book", product}, "lab-beta");
  EXPECT_TRUE(contains(book.out, "GPUs, auction)")) << book.out;
  EXPECT_TRUE(contains(book.out, "30.00") && contains(book.out, "32.00")) << book.out;
  const RunResult again = ghx({"auction", product});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_TRUE(contains(again.out, "refused, reason product-in-auction (" + product +
                                      " is in its call phase already)"))
      << again.out;

  // Two lots trade at 30.00, the price that trades the most with the fewest left over.
  const RunResult uncrossed = ghx({"uncross", product});
  ASSERT_EQ(uncrossed.exit_code, 0) << uncrossed.out << uncrossed.err;
  EXPECT_TRUE(contains(uncrossed.out,
                       "uncross " + product + ": ok (" + product + " uncrossed at 30.00: 2 lots)"))
      << uncrossed.out;
  EXPECT_TRUE(watcher.wait_for_line(" trade " + product, ghx_run_timeout));
  EXPECT_TRUE(watcher.wait_for_line(
      " status " + product + " trading, uncrossed 2 lots at 3000 (30.00)", ghx_run_timeout));
  const RunResult reports = ghx({"reports", "--after", "0"}, "lab-beta");
  EXPECT_TRUE(contains(reports.out, "filled order 1202 buy " + product + ": 2 lots at 3000"))
      << reports.out;
  EXPECT_TRUE(listed_line().ends_with("  trading")) << listed_line();
  const RunResult not_in_auction = ghx({"uncross", product, "--json"});
  EXPECT_EQ(not_in_auction.exit_code, 1);
  EXPECT_TRUE(contains(not_in_auction.out, "\"reason\":\"product-not-in-auction\""))
      << not_in_auction.out;

  // A scheduled uncross: nobody sends anything when its time comes. Eight seconds ahead: the
  // bid below (a ghx process, TLS, a durable commit) must be in by then, sanitizers or not.
  const RunResult scheduled = ghx({"auction", product, "--uncross-at", "+8"});
  ASSERT_EQ(scheduled.exit_code, 0) << scheduled.out << scheduled.err;
  EXPECT_TRUE(contains(scheduled.out, product + " call phase; uncrosses at ")) << scheduled.out;
  ASSERT_EQ(ghx({"buy", product, "1", "31.00", "--id", "1204"}, "lab-beta").exit_code, 0);
  EXPECT_TRUE(watcher.wait_for_line(
      " status " + product + " trading, uncrossed 1 lot at 3000 (30.00)", ghx_run_timeout));
  EXPECT_TRUE(listed_line().ends_with("  trading")) << listed_line();

  // A zone's halt takes a call phase too, but only with its orders: without --cancel-orders
  // that product's halt is refused (the others halt); then the whole zone trades again.
  ASSERT_EQ(ghx({"auction", product}).exit_code, 0);
  const RunResult zone = ghx({"halt", "--zone", "CN-NMG-1", "--gpu", "H20"});
  EXPECT_EQ(zone.exit_code, 1) << zone.out << zone.err;
  EXPECT_TRUE(contains(zone.out, "halt " + product + ": refused, reason product-in-auction (" +
                                     product +
                                     " is in its call phase: a halt there must cancel "
                                     "its orders)"))
      << zone.out;
  EXPECT_TRUE(listed_line().ends_with("  auction")) << listed_line();
  const RunResult halted = ghx({"halt", product, "--cancel-orders"});
  EXPECT_EQ(halted.exit_code, 0) << halted.out << halted.err;
  EXPECT_TRUE(contains(halted.out, product + " halted; 0 resting orders canceled")) << halted.out;
  ASSERT_EQ(ghx({"resume", "--zone", "CN-NMG-1", "--gpu", "H20"}).exit_code, 0);
  EXPECT_TRUE(listed_line().ends_with("  trading")) << listed_line();

  EXPECT_EQ(ghx({"auction"}).exit_code, 2);                                 // names no product
  EXPECT_EQ(ghx({"uncross", product, "--uncross-at", "+5"}).exit_code, 2);  // a start's option
  EXPECT_EQ(ghx({"auction", product, "--uncross-at", "soon"}).exit_code, 2);
}

// A block buy over three consecutive daily windows (of a GPU and zone no other test trades)
// fills in each, and the reports name each window; one that cannot fill is refused naming the
// window; a block is fill-or-kill limit, so --tif ioc with it is a usage error.
TEST_F(GhxEndToEnd, ABlockBuyFillsInEveryWindowOrIsRefused) {
  const RunResult listed =
      ghx({"products", "--gpu", "H20", "--zone", "CN-EAST-1", "--json"}, "lab-beta");
  std::vector<std::string> days;
  std::istringstream lines(listed.out);
  for (std::string line; std::getline(lines, line);) {
    const size_t at = line.find("\"symbol\":\"");
    if (at == std::string::npos || line.find(".DAY\"") == std::string::npos) continue;
    days.push_back(line.substr(at + 10, line.find('"', at + 10) - at - 10));
  }
  std::sort(days.begin(), days.end());  // GPU.ZONE.START.DAY: by start
  ASSERT_GE(days.size(), 3u) << listed.out;
  days.erase(days.begin(), days.end() - 3);  // the last three: consecutive days
  ASSERT_EQ(ghx({"deposit", "lab-beta", "50000.00"}).exit_code, 0);  // a window costs 7687.68
  for (size_t k = 0; k < days.size(); ++k) {
    ASSERT_EQ(ghx({"register", "dc-ulanqab", days[k], "4"}).exit_code, 0);
    ASSERT_EQ(ghx({"sell", days[k], "2", "20.00", "--id", std::to_string(1301 + k)}, "dc-ulanqab")
                  .exit_code,
              0);
  }

  const RunResult bought =
      ghx({"buy", days[0], "2", "20.00", "--windows", "3", "--id", "1401"}, "lab-beta");
  ASSERT_EQ(bought.exit_code, 0) << bought.out << bought.err;
  for (size_t k = 0; k < days.size(); ++k) {
    const std::string window = " (block window " + std::to_string(k + 1) + " of 3)";
    EXPECT_TRUE(contains(bought.out, "accepted order 1401 buy " + days[k] + window +
                                         ": 2 lots at 2000 (20.00) fok, 2 open, live"))
        << bought.out;
    EXPECT_TRUE(contains(bought.out,
                         "filled order 1401 buy " + days[k] + window + ": 2 lots at 2000 (20.00)"))
        << bought.out;
  }
  const RunResult nothing_left =
      ghx({"buy", days[0], "1", "20.00", "--windows", "3", "--id", "1402"}, "lab-beta");
  EXPECT_EQ(nothing_left.exit_code, 1) << nothing_left.out << nothing_left.err;
  EXPECT_TRUE(contains(nothing_left.out, "rejected order 1402 buy " + days[0] +
                                             " (block of 3 windows): 1 lots at 2000 (20.00) "
                                             "fok, 0 open, done, "
                                             "reason block-not-fillable"))
      << nothing_left.out;
  const RunResult ioc =
      ghx({"buy", days[0], "1", "20.00", "--windows", "3", "--tif", "ioc"}, "lab-beta");
  EXPECT_EQ(ioc.exit_code, 2);
  EXPECT_TRUE(contains(ioc.err, "--windows makes a block order")) << ioc.err;
}

TEST_F(GhxEndToEnd, ReportsShowsTheKeptExecutionReportsAfterANumber) {
  const std::string product = far_product();
  ASSERT_FALSE(product.empty());
  ASSERT_EQ(ghx({"register", "dc-guiyang", product, "10"}).exit_code, 0);
  ASSERT_EQ(ghx({"sell", product, "2", "2000", "--id", "301"}, "dc-guiyang").exit_code, 0);
  ASSERT_EQ(ghx({"cancel", "301"}, "dc-guiyang").exit_code, 0);

  const RunResult all = ghx({"reports", "--after", "0", "--json"}, "dc-guiyang");
  ASSERT_EQ(all.exit_code, 0) << all.err;
  std::istringstream lines(all.out);
  std::vector<std::string> got;
  for (std::string line; std::getline(lines, line);) got.push_back(line);
  ASSERT_EQ(got.size(), 3u) << all.out;
  EXPECT_TRUE(contains(got[0], "\"exec_type\":\"accepted\"")) << got[0];
  EXPECT_TRUE(contains(got[0], "\"report_sequence\":1,")) << got[0];
  EXPECT_TRUE(contains(got[1], "\"exec_type\":\"canceled\"")) << got[1];
  EXPECT_TRUE(contains(got[1], "\"report_sequence\":2,")) << got[1];
  EXPECT_EQ(got[2], "{\"type\":\"reports\",\"count\":2,\"last\":2}");

  const RunResult later = ghx({"reports", "--after", "1"}, "dc-guiyang");
  ASSERT_EQ(later.exit_code, 0) << later.err;
  EXPECT_TRUE(contains(later.out, "#2 canceled order 301")) << later.out;
  EXPECT_TRUE(contains(later.out, "1 reports; the last is number 2 (next time: --after 2)"))
      << later.out;
  EXPECT_FALSE(contains(later.out, "#1 ")) << later.out;
  EXPECT_EQ(ghx({"reports", "--after", "-3"}, "dc-guiyang").exit_code, 2);
}

TEST_F(GhxEndToEnd, RejectionsAndMistakesHaveDistinctExitCodes) {
  const std::string product = far_product();
  ASSERT_FALSE(product.empty());
  const RunResult broke = ghx({"buy", product, "1000", "99999", "--id", "301"}, "lab-gamma");
  EXPECT_EQ(broke.exit_code, 1);
  EXPECT_TRUE(contains(broke.out, "rejected order 301")) << broke.out;
  EXPECT_TRUE(contains(broke.out, "insufficient-cash")) << broke.out;
  const RunResult unknown = ghx({"cancel", "987654"}, "lab-gamma");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_TRUE(contains(unknown.out, "unknown-order")) << unknown.out;
  // Well formed but not listed: the exchange's reject has no symbol, the one sent is shown.
  const std::string unlisted = "H100SXM.CN-EAST-1.2020-01-01T00.1H";
  const RunResult gone = ghx({"buy", unlisted, "1", "18.50", "--id", "302"}, "lab-gamma");
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_TRUE(contains(gone.out, "rejected order 302 buy " + unlisted + ": 1 lots")) << gone.out;
  const RunResult gone_json =
      ghx({"buy", unlisted, "1", "18.50", "--id", "303", "--json"}, "lab-gamma");
  EXPECT_TRUE(contains(gone_json.out, "\"symbol\":\"" + unlisted + "\"")) << gone_json.out;
  const RunResult typo = ghx({"buy", "H100.NOWHERE", "1", "1"}, "lab-gamma");
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_TRUE(contains(typo.err, "bad product symbol")) << typo.err;
  const RunResult stranger = ghx({"products"}, "no-such-cert");
  EXPECT_EQ(stranger.exit_code, 3);
  EXPECT_TRUE(contains(stranger.err, "ghx certs --dir")) << stranger.err;
  EXPECT_TRUE(contains(stranger.err, "ghx add-participant no-such-cert")) << stranger.err;
}

// Every operator request is in the audit trail, read from the journal beside the running
// exchange: who sent it, when, and what came of it (refusals too). A participant's own orders
// are not operator requests.
TEST_F(GhxEndToEnd, TheAuditTrailNamesTheOperatorAndTheOutcomeOfEachRequest) {
  const std::string product = far_product();
  ASSERT_FALSE(product.empty());
  ASSERT_EQ(ghx({"deposit", "lab-delta", "12.34"}).exit_code, 0);
  ASSERT_EQ(ghx({"suspend", "lab-delta"}).exit_code, 0);
  ASSERT_EQ(ghx({"suspend", "lab-delta"}).exit_code, 1);
  ASSERT_EQ(ghx({"reinstate", "lab-delta"}).exit_code, 0);
  ASSERT_EQ(ghx({"halt", product, "--cancel-orders"}).exit_code, 0);
  ASSERT_EQ(ghx({"resume", product}).exit_code, 0);
  ASSERT_EQ(ghx({"register", "dc-guiyang", product, "3"}).exit_code, 0);
  // More than lab-delta can have, whatever the tests before this one left it (they share this
  // ghxd when run in one process).
  ASSERT_EQ(ghx({"withdraw", "lab-delta", "1000000000.00"}).exit_code, 1);
  ASSERT_EQ(ghx({"buy", product, "1", "0.01", "--id", "77"}, "lab-delta").exit_code, 0);

  const RunResult audit = ghx({"audit"});
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  size_t at = 0;
  for (const std::string& expected :
       {std::string("ops: deposit 12.34 to lab-delta -- done: available "),
        std::string("ops: suspend lab-delta -- done: 0 orders canceled"),
        std::string("ops: suspend lab-delta -- refused: participant_suspended"),
        std::string("ops: reinstate lab-delta -- done"),
        "ops: halt " + product + ", canceling its orders -- done: 0 orders canceled",
        "ops: resume " + product + " -- done",
        "ops: register 3 lots of " + product + " for dc-guiyang -- done: ",
        std::string("ops: withdraw 1000000000.00 from lab-delta -- refused: "
                    "insufficient_cash")}) {
    const size_t found = audit.out.find(expected, at);
    ASSERT_NE(found, std::string::npos) << "no '" << expected << "' after " << at << " in\n"
                                        << audit.out;
    at = found + expected.size();
  }
  EXPECT_FALSE(contains(audit.out, "0.01")) << audit.out;  // lab-delta's order

  const RunResult json = ghx({"audit", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_TRUE(contains(json.out,
                       "\"operator\":\"ops\",\"action\":\"suspend lab-delta\","
                       "\"done\":false,\"outcome\":\"refused: participant_suspended\"}"))
      << json.out;
  const RunResult long_ago = ghx({"audit", "--day", "2001-01-01"});
  EXPECT_EQ(long_ago.exit_code, 0);
  EXPECT_TRUE(contains(long_ago.out, "no operator requests in that period")) << long_ago.out;
  EXPECT_EQ(run_process({GHX_CLI_PATH, "audit"}, ghx_run_timeout).exit_code, 2);  // no --data
}

// Onboarding with the CLI: the operator registers a data centre, which gets its certificate
// in the data directory's certs and can log on and sell at once; the audit trail says who
// registered it. A second registration of the name, a bad role and a digits-only name are
// refused.
TEST_F(GhxEndToEnd, AnOperatorAddsAParticipantThatThenLogsOnAndSells) {
  const RunResult added = ghx({"add-participant", "dc-wuhan", "--roles", "seller"});
  ASSERT_EQ(added.exit_code, 0) << added.out << added.err;
  EXPECT_TRUE(contains(added.out, "add participant dc-wuhan: ok (registered dc-wuhan with id "))
      << added.out;
  EXPECT_TRUE(fs::exists(*data_ / "certs" / "dc-wuhan.pem") &&
              fs::exists(*data_ / "certs" / "dc-wuhan.key"));
  const std::string product = far_product();
  ASSERT_FALSE(product.empty());
  ASSERT_EQ(ghx({"register", "dc-wuhan", product, "4"}).exit_code, 0);
  const RunResult sold = ghx({"sell", product, "2", "99.00", "--id", "1"}, "dc-wuhan");
  EXPECT_EQ(sold.exit_code, 0) << sold.out << sold.err;
  EXPECT_TRUE(contains(sold.out, "accepted")) << sold.out;
  const RunResult bid = ghx({"buy", product, "1", "1.00", "--id", "2"}, "dc-wuhan");
  EXPECT_EQ(bid.exit_code, 1) << bid.out;  // a seller only
  EXPECT_TRUE(contains(bid.out, "only a buyer may post bids")) << bid.out;

  // A retry (after a lost answer, say) is refused, and still leaves the certificate there.
  const RunResult again = ghx({"add-participant", "dc-wuhan", "--roles", "buyer"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_TRUE(contains(again.out, "refused, reason participant-exists")) << again.out;
  EXPECT_TRUE(contains(again.out, "dc-wuhan: certificate exists ")) << again.out;
  EXPECT_EQ(ghx({"add-participant", "ca", "--roles", "seller"}).exit_code, 2);
  EXPECT_EQ(ghx({"add-participant", "dc-x", "--roles", "trader"}).exit_code, 2);
  EXPECT_EQ(ghx({"add-participant", "dc-x"}).exit_code, 2);
  EXPECT_EQ(ghx({"add-participant", "123", "--roles", "seller"}).exit_code, 2);
  const RunResult audit = ghx({"audit"});
  EXPECT_TRUE(contains(audit.out, "ops: add participant dc-wuhan (seller) -- done: id "))
      << audit.out;
  // The ledger's list of participants has it, with its role.
  const RunResult listed = run_process(
      {GHX_CLI_PATH, "participants", "--data", data_->string(), "--json"}, ghx_run_timeout);
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_TRUE(contains(listed.out, ",\"name\":\"dc-wuhan\",\"roles\":\"seller\"}")) << listed.out;
  EXPECT_TRUE(contains(listed.out, "{\"type\":\"participant\",\"id\":1,\"name\":\"ops\","))
      << listed.out;
}

TEST_F(GhxEndToEnd, CertsCreatesACaAndParticipantsOnceAndKeepsThem) {
  const fs::path dir = *data_ / "extra-certs";
  const RunResult first = run_process({GHX_CLI_PATH, "certs", "--dir", dir.string(), "lab-x"},
                                      ghx_run_timeout);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_TRUE(contains(first.out, "lab-x: created")) << first.out;
  EXPECT_TRUE(fs::exists(dir / "ca.pem") && fs::exists(dir / "lab-x.key"));
  const RunResult again = run_process({GHX_CLI_PATH, "certs", "--dir", dir.string(), "lab-x"},
                                      ghx_run_timeout);
  EXPECT_TRUE(contains(again.out, "lab-x: exists")) << again.out;
  const RunResult bad = run_process({GHX_CLI_PATH, "certs", "--dir", dir.string(), "../x"},
                                    ghx_run_timeout);
  EXPECT_EQ(bad.exit_code, 2);
}

// ghxd on a port another program holds: it has already recovered, started its core and listed
// its calendar when it finds the port taken. It says so, naming the address and port, and exits
// 1 (no crash on the way out, with the core still calling back), having committed what it
// took: the same data directory then starts cleanly.
TEST(GhxdStart, APortAlreadyTakenIsAClearErrorAndTheDataStaysUsable) {
  const int holder = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(holder, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ASSERT_EQ(bind(holder, reinterpret_cast<sockaddr*>(&address), length), 0);
  ASSERT_EQ(listen(holder, 1), 0);
  ASSERT_EQ(getsockname(holder, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const std::string port = std::to_string(ntohs(address.sin_port));
  std::string pattern = (fs::temp_directory_path() / "ghx-port-taken-XXXXXX").string();
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  const fs::path data(pattern);

  const RunResult taken =
      run_process({GHXD_PATH, "--data", data.string(), "--port", port}, ghxd_start_timeout);
  close(holder);
  EXPECT_EQ(taken.exit_code, 1) << taken.err;
  EXPECT_NE(taken.err.find("ghxd: cannot listen on 127.0.0.1:" + port + ": "), std::string::npos)
      << taken.err;
  const RunResult hash =
      run_process({GHXD_PATH, "--data", data.string(), "--print-state-hash"}, ghxd_start_timeout);
  EXPECT_EQ(hash.exit_code, 0) << hash.err;
  EXPECT_NE(hash.out.find("ghxd: state hash"), std::string::npos) << hash.out;
  fs::remove_all(data);
}

// Milliseconds into the UTC day of a ghxd log line's timestamp ("2026-11-30T16:56:23.833Z ...").
std::optional<int64_t> log_line_ms(const std::string& log, const std::string& needle) {
  const size_t found = log.find(needle);
  if (found == std::string::npos) return std::nullopt;
  const size_t line = log.rfind('\n', found) == std::string::npos ? 0 : log.rfind('\n', found) + 1;
  int hours = 0, minutes = 0, seconds = 0, millis = 0;
  if (std::sscanf(log.c_str() + line + 11, "%d:%d:%d.%d", &hours, &minutes, &seconds, &millis) !=
      4) {
    return std::nullopt;
  }
  return ((int64_t{hours} * 60 + minutes) * 60 + seconds) * 1000 + millis;
}

// A commit the disk refuses stops the exchange core: nothing more is acknowledged. ghxd then
// stops within moments (it used to listen on for up to a minute, telling clients to try
// again), exits 1, and the data starts cleanly again, the journal whole. The disk is made to
// refuse by a file size limit just above the ledger's size: the idle ticks' journal entries
// soon need a page past it.
TEST(GhxdStart, ACommitTheDiskRefusesStopsGhxdAtOnceAndTheDataStartsAgain) {
  std::string pattern = (fs::temp_directory_path() / "ghx-disk-refuses-XXXXXX").string();
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  const fs::path data = fs::path(pattern) / "data";
  {
    RunningProcess first({GHXD_PATH, "--data", data.string(), "--port", "0"});
    ASSERT_TRUE(first.wait_for_line("ghxd: listening on", ghxd_start_timeout).has_value());
    EXPECT_EQ(first.stop(), 0);
  }
  const uintmax_t ledger_bytes = fs::file_size(data / "ledger" / "data.mdb");
  const std::string log_path = (fs::path(pattern) / "ghxd.log").string();
  // sh's ulimit -f counts 512-byte blocks; an ignored SIGXFSZ stays ignored across exec, so
  // the write fails (EFBIG) rather than killing ghxd.
  const std::string limited = "ulimit -f " + std::to_string(ledger_bytes / 512) +
                              "; trap '' XFSZ; exec \"$0\" --data \"$1\" --port 0";
  RunningProcess limited_ghxd({"/bin/sh", "-c", limited, GHXD_PATH, data.string()}, log_path);
  ASSERT_TRUE(limited_ghxd.wait_for_line("ghxd: listening on", ghxd_start_timeout).has_value());
  EXPECT_FALSE(limited_ghxd.wait_for_line("no such line", 120s).has_value());  // it exits
  EXPECT_EQ(limited_ghxd.stop(), 1);
  std::ifstream log_file(log_path);
  const std::string log((std::istreambuf_iterator<char>(log_file)), {});
  const auto failed = log_line_ms(log, "ledger commit failed");
  const auto stopping = log_line_ms(log, "ghxd: the exchange core failed");
  ASSERT_TRUE(failed.has_value()) << log;
  ASSERT_TRUE(stopping.has_value()) << log;
  const int64_t day_ms = 86'400'000;
  EXPECT_LT((*stopping - *failed + day_ms) % day_ms, 5'000) << log;

  RunningProcess again({GHXD_PATH, "--data", data.string(), "--port", "0"});
  EXPECT_TRUE(again.wait_for_line("ghxd: listening on", ghxd_start_timeout).has_value());
  EXPECT_EQ(again.stop(), 0);
  fs::remove_all(pattern);
}

// The ledger is never pruned, so it grows to --ledger-max in the end. A commit that needs more
// stops ghxd with the remedy in its log; a start on a ledger that full is refused, saying
// so; and the same data starts with a larger maximum, nothing lost.
TEST(GhxdStart, ALedgerAtItsMaximumStopsGhxdSayingWhatToDoAndALargerOneStartsIt) {
  std::string pattern = (fs::temp_directory_path() / "ghx-ledger-max-XXXXXX").string();
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  const fs::path data = fs::path(pattern) / "data";
  const std::string log_path = (fs::path(pattern) / "ghxd.log").string();
  {
    RunningProcess small({GHXD_PATH, "--data", data.string(), "--port", "0", "--ledger-max", "3M"},
                         log_path);
    const auto line = small.wait_for_line("ghxd: listening on", ghxd_start_timeout);
    ASSERT_TRUE(line.has_value()) << "ghxd did not start";
    const std::string port = line->substr(line->rfind(':') + 1);
    // Orders until the ledger is full and ghxd stops (ghx-load then reports lost sessions).
    run_process({GHX_LOAD_PATH, "--port", port, "--data", data.string(), "--seconds", "20"}, 60s);
    EXPECT_FALSE(small.wait_for_line("no such line", 60s).has_value());  // it exits
    EXPECT_EQ(small.stop(), 1);
  }
  std::ifstream log_file(log_path);
  const std::string log((std::istreambuf_iterator<char>(log_file)), {});
  EXPECT_NE(log.find("the ledger's data file may grow to 3 MiB and this commit needs more: start "
                     "ghxd again with a larger --ledger-max"),
            std::string::npos)
      << log;

  const uintmax_t ledger_bytes = fs::file_size(data / "ledger" / "data.mdb");
  ASSERT_GT(ledger_bytes, uintmax_t{1} << 20);
  const RunResult refused =
      run_process({GHXD_PATH, "--data", data.string(), "--port", "0", "--ledger-max", "1M"},
                  ghxd_start_timeout);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("refusing to start: the ledger has taken"), std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("start ghxd with a larger --ledger-max"), std::string::npos)
      << refused.err;
  EXPECT_EQ(fs::file_size(data / "ledger" / "data.mdb"), ledger_bytes);  // nothing written

  // Between 80 and 95 %: it starts, with a warning.
  const std::string warned_log = (fs::path(pattern) / "warned.log").string();
  {
    const std::string nearly_full = std::to_string(ledger_bytes * 100 / 88 / 1024) + "K";
    RunningProcess warned(
        {GHXD_PATH, "--data", data.string(), "--port", "0", "--ledger-max", nearly_full},
        warned_log);
    EXPECT_TRUE(warned.wait_for_line("ghxd: listening on", ghxd_start_timeout).has_value());
    EXPECT_EQ(warned.stop(), 0);
  }
  std::ifstream warned_file(warned_log);
  const std::string warnings((std::istreambuf_iterator<char>(warned_file)), {});
  EXPECT_NE(warnings.find("WARN  ghxd: the ledger has taken 8"), std::string::npos) << warnings;

  RunningProcess larger({GHXD_PATH, "--data", data.string(), "--port", "0", "--ledger-max", "64M"});
  EXPECT_TRUE(larger.wait_for_line("ghxd: listening on", ghxd_start_timeout).has_value());
  EXPECT_EQ(larger.stop(), 0);
  const RunResult check =
      run_process({GHX_CLI_PATH, "ledger", "check", "--data", data.string()}, ghxd_start_timeout);
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  fs::remove_all(pattern);
}

TEST(GhxdStart, ALedgerMaximumThatIsNotASizeIsAClearError) {
  for (const char* size : {"2K", "12Q", "-5G", "G", "99999999999999999"}) {
    const RunResult result = run_process(
        {GHXD_PATH, "--data", "/nonexistent/ghx", "--ledger-max", size}, ghxd_start_timeout);
    EXPECT_EQ(result.exit_code, 1) << size;
    EXPECT_NE(result.err.find("--ledger-max needs a size such as 64G or 512M (at least 1M), not '" +
                              std::string(size) + "'"),
              std::string::npos)
        << result.err;
  }
}

// ghxd --print-state-hash only looks: where there is no exchange it says so, and makes no data
// directory, lock file, certificate or ledger.
TEST(GhxdStart, PrintStateHashWhereThereIsNoExchangeCreatesNothing) {
  std::string pattern = (fs::temp_directory_path() / "ghx-no-exchange-XXXXXX").string();
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  const fs::path parent(pattern);
  const fs::path missing = parent / "missing";
  const RunResult absent = run_process(
      {GHXD_PATH, "--data", missing.string(), "--print-state-hash"}, ghxd_start_timeout);
  EXPECT_EQ(absent.exit_code, 1);
  EXPECT_NE(absent.err.find("no state hash: " + missing.string() + " does not exist"),
            std::string::npos)
      << absent.err;
  EXPECT_FALSE(fs::exists(missing));
  const RunResult empty =
      run_process({GHXD_PATH, "--data", parent.string(), "--print-state-hash"}, ghxd_start_timeout);
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_NE(empty.err.find("cannot recover the ledger"), std::string::npos) << empty.err;
  EXPECT_FALSE(fs::exists(parent / "ledger"));
  EXPECT_FALSE(fs::exists(parent / "certs"));
  EXPECT_FALSE(fs::exists(parent / "snapshots"));
  EXPECT_FALSE(fs::exists(parent / "ghxd.lock"));
  fs::remove_all(parent);
}

// One ghxd per data directory: a second, on another port, is refused and says why, and the
// first goes on; once the first has stopped, the directory is free again.
TEST(GhxdStart, ASecondGhxdOnTheSameDataIsRefused) {
  std::string pattern = (fs::temp_directory_path() / "ghx-second-ghxd-XXXXXX").string();
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  const fs::path data(pattern);
  {
    RunningProcess first({GHXD_PATH, "--data", data.string(), "--port", "0"});
    const auto line = first.wait_for_line("ghxd: listening on", ghxd_start_timeout);
    ASSERT_TRUE(line.has_value()) << "ghxd did not start";
    const RunResult second =
        run_process({GHXD_PATH, "--data", data.string(), "--port", "0"}, ghxd_start_timeout);
    EXPECT_EQ(second.exit_code, 1) << second.err;
    EXPECT_NE(second.err.find("another ghxd is using " + data.string()), std::string::npos)
        << second.err;
    const std::string port = line->substr(line->rfind(':') + 1);
    const RunResult listed = run_process(
        {GHX_CLI_PATH, "products", "--as", "lab-alpha", "--data", data.string(), "--port", port},
        ghx_run_timeout);
    EXPECT_EQ(listed.exit_code, 0) << listed.err;
  }
  const RunResult hash =
      run_process({GHXD_PATH, "--data", data.string(), "--print-state-hash"}, ghxd_start_timeout);
  EXPECT_EQ(hash.exit_code, 0) << hash.err;
  fs::remove_all(data);
}

// ghxd --daily-auction HH:MM: each window is listed in a call phase that uncrosses at the next
// HH:MM UTC, unless its gate closes before then (it trades at once). A ghxd of its own.
TEST(GhxDailyAuction, WindowsOpenInACallPhaseUntilTheDailyAuction) {
  std::string pattern = (fs::temp_directory_path() / "ghx-daily-auction-XXXXXX").string();
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  const fs::path data(pattern);
  // Three hours on, on the hour: the next auction is 2 to 3 hours away, so the next two or
  // three hourly windows' gates close before it.
  constexpr int64_t hour_s = 3600;
  const int64_t now_s = std::time(nullptr);
  const int64_t auction_s = (now_s / hour_s + 3) * hour_s;
  char hh_mm[8];
  std::snprintf(hh_mm, sizeof hh_mm, "%02d:00", static_cast<int>(auction_s / hour_s % 24));
  char auction_text[32];
  const std::time_t auction_time = auction_s;
  std::tm utc{};
  gmtime_r(&auction_time, &utc);
  std::strftime(auction_text, sizeof auction_text, "%Y-%m-%dT%H:%M:%S.000Z", &utc);
  {
    RunningProcess server(
        {GHXD_PATH, "--data", data.string(), "--port", "0", "--daily-auction", hh_mm});
    const auto line = server.wait_for_line("ghxd: listening on", ghxd_start_timeout);
    ASSERT_TRUE(line.has_value()) << "ghxd did not start";
    const std::string port = line->substr(line->rfind(':') + 1);
    const RunResult listed =
        run_process({GHX_CLI_PATH, "products", "--gpu", "H100SXM", "--zone", "CN-EAST-1", "--json",
                     "--as", "lab-alpha", "--data", data.string(), "--port", port},
                    ghx_run_timeout);
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    int trading = 0, in_auction = 0;
    std::istringstream lines(listed.out);
    for (std::string product; std::getline(lines, product);) {
      // "start":"2026-12-01T08:00:00.000Z": its gate closes half an hour before.
      const size_t at = product.find("\"start\":\"");
      ASSERT_NE(at, std::string::npos) << product;
      std::tm start{};
      ASSERT_TRUE(strptime(product.substr(at + 9, 19).c_str(), "%Y-%m-%dT%H:%M:%S", &start))
          << product;
      const int64_t gate_s = timegm(&start) - 1800;
      if (gate_s <= auction_s) {
        ++trading;
        EXPECT_TRUE(product.ends_with("\"state\":\"trading\"}")) << product;
      } else {
        ++in_auction;
        EXPECT_TRUE(product.ends_with("\"state\":\"auction\",\"uncross_time\":\"" +
                                      std::string(auction_text) + "\"}"))
            << product;
      }
    }
    EXPECT_GE(trading, 2);
    EXPECT_GE(in_auction, 40);  // the later hourly windows and every daily one
  }
  fs::remove_all(data);
}

}  // namespace
}  // namespace ghx::test
