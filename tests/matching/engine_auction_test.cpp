// Call auctions: in the call phase orders rest without trading, crossing or not; the uncross
// trades the crossed part of the book at the one price that trades the most lots, and the
// product trades continuously again. The uncross comes from the operator or, scheduled, from
// the engine itself.

#include "tests/matching/engine_fixture.h"

namespace ghx::matching::testing {
namespace {

using ET = EventType;
using Levels = std::vector<std::pair<int64_t, int64_t>>;

// h100_spec: one hour of 8-GPU lots, so a lot at price P costs P x 8 (fee 10 bps, floored).
constexpr int64_t lot_notional(int64_t price) { return price * 8; }

// A bid of buyer 1 (2 lots at 1850) and an ask of seller 2 (3 lots at 1900, of 10 registered)
// rest in product 0 when the call phase starts; buyer 3 and seller 4 are funded too.
class CallAuction : public EngineTest {
 protected:
  void SetUp() override {
    product_ = list(h100_spec());
    deposit(1, 100'000);
    deposit(3, 100'000);
    register_capacity(2, product_, 10);
    register_capacity(4, product_, 10);
    ASSERT_EQ(run(buy(1, 11, 1850, 2)).at(0).type, ET::accepted);
    ASSERT_EQ(run(sell(2, 21, 1900, 3)).at(0).type, ET::accepted);
  }

  static Command start(ProductId product, int64_t uncross_time_ns = 0) {
    Command command;
    command.type = CommandType::start_auction;
    command.product = product;
    command.expire_time = Timestamp{uncross_time_ns};
    return command;
  }
  static Command uncross(ProductId product) {
    Command command;
    command.type = CommandType::uncross_auction;
    command.product = product;
    return command;
  }
  static Command halt(ProductId product, bool cancel_orders) {
    Command command;
    command.type = CommandType::halt_product;
    command.product = product;
    command.cancel_orders = cancel_orders;
    return command;
  }

  void start_call_phase(int64_t uncross_time_ns = 0) {
    run(start(product_, uncross_time_ns));
    ASSERT_EQ(types(), std::vector<ET>{ET::product_state});
    EXPECT_EQ(events_[0].product_state, ProductState::auction);
    EXPECT_EQ(engine_.product_state(product_), ProductState::auction);
  }

  void accept(const Command& command) {
    ASSERT_EQ(run(command).at(0).type, ET::accepted);
    EXPECT_TRUE(of_type(ET::fill).empty());
  }

  // The uncross's closing event: back to trading, at `price`, `lots` traded.
  void expect_uncrossed(int64_t price, int64_t lots) {
    ASSERT_FALSE(events_.empty());
    const Event& last = events_.back();
    EXPECT_EQ(last.type, ET::product_state);
    EXPECT_EQ(last.product_state, ProductState::trading);
    EXPECT_EQ(last.price.value, price);
    EXPECT_EQ(last.quantity.value, lots);
    EXPECT_EQ(engine_.product_state(product_), ProductState::trading);
  }

  ProductId product_;
};

TEST_F(CallAuction, CrossingOrdersRestWithoutTrading) {
  start_call_phase();
  accept(buy(3, 31, 1950, 4));
  accept(sell(4, 41, 1800, 1));
  EXPECT_EQ(book(Side::buy), (Levels{{1950, 4}, {1850, 2}}));
  EXPECT_EQ(book(Side::sell), (Levels{{1800, 1}, {1900, 3}}));
  // A replace that loses priority does not match either.
  ASSERT_EQ(run(replace(1, 11, 12, 2000, 2)).at(0).type, ET::replaced);
  EXPECT_TRUE(of_type(ET::fill).empty());
  EXPECT_EQ(book(Side::buy), (Levels{{2000, 2}, {1950, 4}}));
  // Cancels work as ever.
  run(cancel(4, 41));
  EXPECT_EQ(types(), (std::vector<ET>{ET::canceled, ET::book_level}));
}

TEST_F(CallAuction, RefusesOrdersThatMustTradeAtOnceOrNever) {
  start_call_phase();
  Command ioc = buy(3, 31, 1950, 1);
  ioc.time_in_force = TimeInForce::immediate_or_cancel;
  Command fok = buy(3, 32, 1950, 1);
  fok.time_in_force = TimeInForce::fill_or_kill;
  Command market = buy(3, 33, 0, 1);
  market.order_type = OrderType::market;
  Command post_only = sell(4, 41, 1800, 1);
  post_only.post_only = true;
  Command minimum = buy(3, 34, 1950, 4);
  minimum.min_quantity = Quantity{2};
  for (const Command& command : {ioc, fok, market, post_only, minimum}) {
    EXPECT_EQ(rejected_with(command), RejectReason::invalid_in_auction);
  }
  Command good_till_time = buy(3, 35, 1950, 1);
  good_till_time.time_in_force = TimeInForce::good_till_time;
  good_till_time.expire_time = Timestamp{now_ns_ + ns_per_second};
  accept(good_till_time);
}

TEST_F(CallAuction, UncrossTradesEverythingAtOnePriceAndSettles) {
  start_call_phase();
  accept(buy(3, 31, 1950, 4));
  accept(sell(4, 41, 1880, 2));
  // At 1900 and 1950 four lots trade with a lot of the sellers' left over: the lowest, 1900.
  const auto indicative = engine_.indicative_uncross(product_);
  ASSERT_TRUE(indicative.has_value());
  EXPECT_EQ(indicative->price.value, 1900);
  EXPECT_EQ(indicative->quantity.value, 4);
  run(uncross(product_));
  ASSERT_EQ(types(), (std::vector<ET>{ET::fill, ET::trade, ET::fill, ET::trade, ET::book_level,
                                      ET::book_level, ET::book_level, ET::product_state}));
  const auto fills = of_type(ET::fill);
  // The later order of each pair is the taker: seller 4's ask, then buyer 3's bid.
  EXPECT_EQ(fills[0].participant.value, 4u);
  EXPECT_EQ(fills[0].side, Side::sell);
  EXPECT_EQ(fills[0].maker_participant.value, 3u);
  EXPECT_EQ(fills[0].quantity.value, 2);
  EXPECT_EQ(fills[1].participant.value, 3u);
  EXPECT_EQ(fills[1].maker_participant.value, 2u);
  EXPECT_EQ(fills[1].quantity.value, 2);
  EXPECT_EQ(fills[1].remaining.value, 0);
  EXPECT_EQ(fills[1].maker_remaining.value, 1);
  for (const Event& fill : fills) EXPECT_EQ(fill.price.value, 1900);
  for (const Event& trade : of_type(ET::trade)) EXPECT_EQ(trade.price.value, 1900);
  expect_uncrossed(1900, 4);
  EXPECT_EQ(book(Side::buy), (Levels{{1850, 2}}));
  EXPECT_EQ(book(Side::sell), (Levels{{1900, 1}}));
  // Buyer 3 held for 1950 and paid 1900 plus fees: the rest of its hold came back.
  const int64_t fee_per_fill = lot_notional(1900) * 2 / 1000;
  EXPECT_EQ(engine_.account(ParticipantId{3}).available.value,
            100'000 - 4 * lot_notional(1900) - 2 * fee_per_fill);
  EXPECT_EQ(engine_.account(ParticipantId{3}).held.value, 0);
  const CapacityView seller = engine_.capacity(ParticipantId{4}, product_);
  EXPECT_EQ(seller.available.value, 8);
  EXPECT_EQ(seller.held.value, 0);
  EXPECT_EQ(seller.proceeds.value, 2 * lot_notional(1900) - fee_per_fill);
  // Continuous trading again: a crossing order trades at once.
  run(buy(3, 32, 1900, 1));
  EXPECT_EQ(of_type(ET::fill).size(), 1u);
}

TEST_F(CallAuction, ThePriceRuleFavoursTheSideLeftOverThenTheMiddle) {
  start_call_phase();
  accept(buy(3, 31, 1950, 5));
  accept(sell(4, 41, 1920, 1));
  // 1920 and 1950 both trade 4 lots (3 at 1900, 1 at 1920) leaving a buyer's lot: the highest.
  run(uncross(product_));
  expect_uncrossed(1950, 4);

  // Nothing left over at either end of 1900..1950: the lower middle of the two, 1900.
  start_call_phase();
  register_capacity(2, product_, 1);
  accept(sell(2, 22, 1900, 1));
  EXPECT_EQ(book(Side::buy), (Levels{{1950, 1}, {1850, 2}}));
  run(uncross(product_));
  expect_uncrossed(1900, 1);
}

TEST_F(CallAuction, NothingCrossingJustReturnsToTrading) {
  EXPECT_FALSE(engine_.indicative_uncross(product_).has_value());  // not in a call phase
  start_call_phase();
  EXPECT_FALSE(engine_.indicative_uncross(product_).has_value());  // 1850 < 1900
  run(uncross(product_));
  ASSERT_EQ(types(), std::vector<ET>{ET::product_state});
  expect_uncrossed(0, 0);
  EXPECT_EQ(engine_.live_order_count(), 2u);
}

TEST_F(CallAuction, SelfTradePreventionCancelsAndTheRestIsPricedAgain) {
  deposit(2, 100'000);
  start_call_phase();
  // Seller 2 bids above its own ask; the later order (the bid) applies its mode.
  Command own_bid = buy(2, 22, 1950, 1);
  own_bid.self_trade = SelfTradePrevention::cancel_taker;
  accept(own_bid);
  run(uncross(product_));
  ASSERT_EQ(of_type(ET::canceled).size(), 1u);
  EXPECT_EQ(of_type(ET::canceled)[0].client_order_id.value, 22u);
  EXPECT_EQ(of_type(ET::canceled)[0].cancel_reason, CancelReason::self_trade);
  expect_uncrossed(0, 0);

  start_call_phase();
  own_bid.client_order_id = ClientOrderId{23};
  own_bid.self_trade = SelfTradePrevention::cancel_maker;
  accept(own_bid);
  accept(sell(4, 41, 1940, 1));
  // Its own ask goes; then the bid meets seller 4's ask, priced anew: 1940..1950, the lower.
  run(uncross(product_));
  ASSERT_EQ(of_type(ET::canceled).size(), 1u);
  EXPECT_EQ(of_type(ET::canceled)[0].client_order_id.value, 21u);
  ASSERT_EQ(of_type(ET::fill).size(), 1u);
  EXPECT_EQ(of_type(ET::fill)[0].price.value, 1940);
  expect_uncrossed(1940, 1);
  EXPECT_EQ(engine_.capacity(ParticipantId{2}, product_).held.value, 0);
}

TEST_F(CallAuction, CommandsInTheWrongStateAreRefused) {
  EXPECT_EQ(rejected_with(uncross(product_)), RejectReason::product_not_in_auction);
  EXPECT_EQ(rejected_with(start(ProductId{7})), RejectReason::unknown_product);
  EXPECT_EQ(rejected_with(uncross(ProductId{7})), RejectReason::unknown_product);
  EXPECT_EQ(rejected_with(start(product_, now_ns_)), RejectReason::invalid_expire_time);
  const int64_t gate_ns = t0_ns + 8 * 3600 * ns_per_second - gate_closure_lead_default_ns;
  EXPECT_EQ(rejected_with(start(product_, gate_ns)), RejectReason::invalid_expire_time);
  start_call_phase();
  EXPECT_EQ(rejected_with(start(product_)), RejectReason::product_in_auction);
  Command resume;
  resume.type = CommandType::resume_product;
  resume.product = product_;
  EXPECT_EQ(rejected_with(resume), RejectReason::product_not_halted);
  // A halt would leave a book that may cross: only one that cancels the orders is taken.
  EXPECT_EQ(rejected_with(halt(product_, false)), RejectReason::product_in_auction);
  run(halt(product_, true));
  EXPECT_EQ(engine_.product_state(product_), ProductState::halted);
  EXPECT_EQ(engine_.live_order_count(), 0u);
  // The reopening auction after a halt.
  start_call_phase();
  accept(buy(1, 12, 1900, 1));
}

TEST_F(CallAuction, AScheduledUncrossHappensOnTimeAndOnlyOnce) {
  const int64_t at_ns = now_ns_ + 60 * ns_per_second;
  start_call_phase(at_ns);
  accept(buy(3, 31, 1950, 1));
  now_ns_ = at_ns - 1;
  run(Command{});
  EXPECT_TRUE(events_.empty());
  now_ns_ = at_ns;
  run(Command{});
  EXPECT_EQ(of_type(ET::fill).size(), 1u);
  expect_uncrossed(1900, 1);
  // An operator's uncross before the time forgets the schedule.
  start_call_phase(at_ns + 60 * ns_per_second);
  run(uncross(product_));
  now_ns_ = at_ns + 60 * ns_per_second;
  run(Command{});
  EXPECT_TRUE(events_.empty());
}

TEST_F(CallAuction, TheGateClosesOnTimeAndEndsTheCallPhase) {
  const int64_t gate_ns = t0_ns + 8 * 3600 * ns_per_second - gate_closure_lead_default_ns;
  start_call_phase(gate_ns - 1);
  accept(buy(3, 31, 1950, 1));
  // The uncross at gate_ns - 1 comes first, then the gate closes on what is left.
  now_ns_ = gate_ns;
  run(Command{});
  ASSERT_EQ(of_type(ET::fill).size(), 1u);
  EXPECT_EQ(of_type(ET::expired).size(), 2u);
  EXPECT_EQ(events_.back().product_state, ProductState::gate_closed);
  EXPECT_EQ(rejected_with(uncross(product_)), RejectReason::product_not_in_auction);
}

TEST_F(CallAuction, AListingMayOpenWithACallAuction) {
  Command listing;
  listing.type = CommandType::list_product;
  listing.spec = h100_spec("2026-12-01T09");
  const int64_t gate_ns = t0_ns + 9 * 3600 * ns_per_second - gate_closure_lead_default_ns;
  listing.expire_time = Timestamp{gate_ns};  // the uncross must come before the gate
  EXPECT_EQ(rejected_with(listing), RejectReason::invalid_expire_time);
  listing.expire_time = Timestamp{now_ns_};
  EXPECT_EQ(rejected_with(listing), RejectReason::invalid_expire_time);
  EXPECT_EQ(engine_.product_count(), 1u);

  const int64_t at_ns = now_ns_ + 3600 * ns_per_second;
  listing.expire_time = Timestamp{at_ns};
  run(listing);
  ASSERT_EQ(types(), (std::vector<ET>{ET::product_listed, ET::product_state}));
  const ProductId opening = events_[0].product;
  EXPECT_EQ(events_[1].product, opening);
  EXPECT_EQ(events_[1].product_state, ProductState::auction);
  register_capacity(4, opening, 2);
  accept(order(3, 31, Side::buy, 2000, 2, opening));
  accept(order(4, 41, Side::sell, 1900, 2, opening));
  now_ns_ = at_ns;
  run(Command{});
  ASSERT_EQ(of_type(ET::fill).size(), 1u);
  EXPECT_EQ(events_.back().product_state, ProductState::trading);
  EXPECT_EQ(events_.back().quantity.value, 2);
}

TEST_F(CallAuction, ASnapshotKeepsTheCallPhaseItsCrossedBookAndItsSchedule) {
  const int64_t at_ns = now_ns_ + 60 * ns_per_second;
  start_call_phase(at_ns);
  accept(buy(3, 31, 1950, 4));
  accept(sell(4, 41, 1880, 2));
  std::vector<uint8_t> bytes;
  engine_.save(bytes);
  Engine restored(make_config());
  ASSERT_TRUE(restored.load(bytes));
  EXPECT_EQ(restored.state_hash(), engine_.state_hash());
  EXPECT_EQ(restored.product_state(product_), ProductState::auction);
  // Both uncross at the scheduled time with the same events.
  Command tick;
  tick.sequence = SequenceNumber{++sequence_};
  tick.timestamp = Timestamp{at_ns};
  std::vector<Event> original, recovered;
  engine_.process(tick, original);
  restored.process(tick, recovered);
  EXPECT_EQ(recovered, original);
  EXPECT_EQ(original.back().quantity.value, 4);
  EXPECT_EQ(restored.state_hash(), engine_.state_hash());
}

}  // namespace
}  // namespace ghx::matching::testing
