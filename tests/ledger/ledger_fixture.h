#pragma once
// Shared helpers of the ledger tests: a temporary directory removed afterwards, a small market
// (two buyers, two sellers, two products) and shortcuts that commit one operation.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "ledger/check.h"
#include "ledger/ledger.h"

namespace ghx::ledger {
// Test failures name results instead of printing their byte.
inline void PrintTo(Result r, std::ostream* os) { *os << to_string(r); }
}  // namespace ghx::ledger

namespace ghx::ledger::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ghx-ledger-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }
  std::string sub(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

constexpr ParticipantId buyer_a{1};
constexpr ParticipantId buyer_b{2};
constexpr ParticipantId seller_x{3};
constexpr ParticipantId seller_y{4};
constexpr ProductId h100{10};
constexpr ProductId l40s{11};
constexpr int64_t lot_size_gpus = 8;
constexpr int64_t hours = 1;
constexpr Timestamp t0{1'796'112'000'000'000'000};  // 2026-12-01T08:00:00Z
constexpr int64_t ns_per_hour = 3'600'000'000'000;

inline void add_market(Ledger& ledger) {
  Batch b;
  ASSERT_EQ(b.upsert_participant(buyer_a, "alpha-ai", role_buyer), Result::ok);
  ASSERT_EQ(b.upsert_participant(buyer_b, "beta-labs", role_buyer), Result::ok);
  ASSERT_EQ(b.upsert_participant(seller_x, "xdc-east", role_seller), Result::ok);
  ASSERT_EQ(b.upsert_participant(seller_y, "ydc-north", role_seller | role_buyer), Result::ok);
  ASSERT_EQ(b.list_product(h100, "H100SXM.CN-EAST-1.2026-12-01T10.1H", lot_size_gpus, hours,
                           Timestamp{t0.ns + 2 * ns_per_hour}, Timestamp{t0.ns + 3 * ns_per_hour}),
            Result::ok);
  ASSERT_EQ(b.list_product(l40s, "L40S.CN-NMG-1.2026-12-01T12.1H", lot_size_gpus, hours,
                           Timestamp{t0.ns + 4 * ns_per_hour}, Timestamp{t0.ns + 5 * ns_per_hour}),
            Result::ok);
  ASSERT_EQ(ledger.commit(b), Result::ok);
}

// The market funded: buyer_a 500'000 available and 500'000 held; seller_x 3'000 cash and 10
// lots of h100 registered, `seller_held` of them held by asks.
inline void fund_market(Ledger& ledger, Lots seller_held) {
  add_market(ledger);
  Batch b;
  ASSERT_EQ(b.deposit(buyer_a, Cash{1'000'000}, t0), Result::ok);
  ASSERT_EQ(b.hold_cash(buyer_a, Cash{500'000}, t0), Result::ok);
  ASSERT_EQ(b.deposit(seller_x, Cash{3'000}, t0), Result::ok);
  ASSERT_EQ(b.register_capacity(seller_x, h100, Lots{10}, t0), Result::ok);
  ASSERT_EQ(b.hold_capacity(seller_x, h100, seller_held, t0), Result::ok);
  ASSERT_EQ(ledger.commit(b), Result::ok);
}

// A fill whose notional is consistent with the products above; the buyer's hold covers notional
// plus fee plus `extra_hold`.
inline Fill make_fill(uint64_t trade, ProductId product, ParticipantId buyer, ParticipantId seller,
                      int64_t price, int64_t lots, int64_t extra_hold = 0) {
  Fill f;
  f.trade_id = TradeId{trade};
  f.timestamp_ns = Timestamp{t0.ns + static_cast<int64_t>(trade) * 1'000'000'000};
  f.product = product;
  f.buyer = buyer;
  f.seller = seller;
  f.buyer_order_id = OrderId{trade * 2};
  f.seller_order_id = OrderId{trade * 2 + 1};
  f.price = Price{price};
  f.lots = Lots{lots};
  f.notional = Cash{price * lots * lot_size_gpus * hours};
  f.buyer_fee = Cash{f.notional.value / 1000};
  f.seller_fee = Cash{f.notional.value / 500};
  f.buyer_hold_released = Cash{f.notional.value + f.buyer_fee.value + extra_hold};
  return f;
}

inline int64_t cash(const Ledger& l, ParticipantId p, AccountKind k) {
  return l.balance(cash_account(p, k));
}
inline int64_t capacity(const Ledger& l, ParticipantId p, ProductId product, AccountKind k) {
  return l.balance(capacity_account(p, product, k));
}

inline void expect_check_passes(const Ledger& ledger) {
  const CheckReport report = check_ledger(ledger.snapshot());
  for (const std::string& p : report.problems) ADD_FAILURE() << p;
}

}  // namespace ghx::ledger::testing
