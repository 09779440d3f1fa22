// Behaviour of each order type, priority, cancel, replace, mass cancel and status.

#include <chrono>

#include "tests/matching/engine_fixture.h"

namespace ghx::matching::testing {
namespace {

using ET = EventType;

// Buyers 1 and 2, sellers 3 and 4, and participant 5 who both buys and sells.
class Market : public EngineTest {
 protected:
  void SetUp() override {
    product_ = list(h100_spec());
    for (uint32_t participant : {1u, 2u, 5u}) deposit(participant, 1'000'000'000);
    for (uint32_t participant : {3u, 4u, 5u}) register_capacity(participant, product_, 1000);
  }
  ProductId product_;
};

TEST_F(Market, RestingLimitOrderIsAcceptedAndShownInTheBook) {
  run(buy(1, 10, 1850, 4));
  EXPECT_EQ(types(), (std::vector{ET::accepted, ET::book_level}));
  EXPECT_EQ(events_[0].order_id.value, sequence_);
  EXPECT_EQ(events_[0].client_order_id.value, 10u);
  EXPECT_EQ(events_[1].quantity.value, 4);
  EXPECT_EQ(book(Side::buy), (std::vector<std::pair<int64_t, int64_t>>{{1850, 4}}));
}

TEST_F(Market, CrossingOrderTradesAtTheMakerPrice) {
  run(sell(3, 1, 1840, 2));
  run(buy(1, 1, 1850, 2));
  EXPECT_EQ(types(), (std::vector{ET::accepted, ET::fill, ET::trade, ET::book_level}));
  const Event& fill = events_[1];
  EXPECT_EQ(fill.price.value, 1840);
  EXPECT_EQ(fill.quantity.value, 2);
  EXPECT_EQ(fill.participant.value, 1u);
  EXPECT_EQ(fill.maker_participant.value, 3u);
  EXPECT_EQ(fill.trade_id.value, 1u);
  EXPECT_EQ(fill.notional.value, 1840 * 2 * 8);
  EXPECT_EQ(fill.buyer_fee.value, 1840 * 2 * 8 * 10 / 10'000);
  EXPECT_EQ(events_[3].quantity.value, 0);  // the ask level is gone
  EXPECT_TRUE(book(Side::sell).empty());
  EXPECT_TRUE(book(Side::buy).empty());
}

TEST_F(Market, BetterPriceFillsFirstThenEarlierTime) {
  run(sell(3, 1, 1860, 1));
  run(sell(4, 1, 1850, 1));  // better price, later
  run(sell(3, 2, 1850, 1));  // same price, later still
  run(buy(1, 1, 1860, 3));
  const auto fills = of_type(ET::fill);
  ASSERT_EQ(fills.size(), 3u);
  EXPECT_EQ(fills[0].maker_participant.value, 4u);
  EXPECT_EQ(fills[0].price.value, 1850);
  EXPECT_EQ(fills[1].maker_participant.value, 3u);
  EXPECT_EQ(fills[1].maker_client_order_id.value, 2u);
  EXPECT_EQ(fills[2].price.value, 1860);
}

TEST_F(Market, PartiallyFilledTakerRestsItsRemainder) {
  run(sell(3, 1, 1850, 2));
  run(buy(1, 1, 1855, 5));
  EXPECT_EQ(of_type(ET::fill).at(0).remaining.value, 3);
  EXPECT_EQ(book(Side::buy), (std::vector<std::pair<int64_t, int64_t>>{{1855, 3}}));
}

TEST_F(Market, ImmediateOrCancelRemainderIsCanceled) {
  run(sell(3, 1, 1850, 2));
  Command command = buy(1, 1, 1850, 5);
  command.time_in_force = TimeInForce::immediate_or_cancel;
  run(command);
  const auto canceled = of_type(ET::canceled);
  ASSERT_EQ(canceled.size(), 1u);
  EXPECT_EQ(canceled[0].cancel_reason, CancelReason::immediate_or_cancel);
  EXPECT_EQ(canceled[0].quantity.value, 3);
  EXPECT_TRUE(book(Side::buy).empty());
  EXPECT_EQ(engine_.account(ParticipantId{1}).held.value, 0);
}

TEST_F(Market, FillOrKillThatCannotFillLeavesTheBookUntouched) {
  run(sell(3, 1, 1850, 2));
  Command command = buy(1, 1, 1850, 3);
  command.time_in_force = TimeInForce::fill_or_kill;
  run(command);
  EXPECT_EQ(types(), (std::vector{ET::accepted, ET::canceled}));
  EXPECT_EQ(events_[1].cancel_reason, CancelReason::fill_or_kill);
  EXPECT_EQ(book(Side::sell), (std::vector<std::pair<int64_t, int64_t>>{{1850, 2}}));
  command = buy(1, 2, 1850, 2);
  command.time_in_force = TimeInForce::fill_or_kill;
  run(command);
  EXPECT_EQ(of_type(ET::fill).size(), 1u);
  EXPECT_TRUE(book(Side::sell).empty());
}

TEST_F(Market, MarketOrderTradesWithinItsCollar) {
  run(sell(3, 1, 1000, 1));
  run(sell(3, 2, 1040, 1));
  run(sell(3, 3, 1060, 1));  // beyond the 5 % collar from 1000
  Command command = buy(1, 1, 0, 5);
  command.order_type = OrderType::market;
  run(command);
  EXPECT_EQ(of_type(ET::accepted).at(0).price.value, 1050);
  EXPECT_EQ(of_type(ET::fill).size(), 2u);
  const auto canceled = of_type(ET::canceled);
  ASSERT_EQ(canceled.size(), 1u);
  EXPECT_EQ(canceled[0].cancel_reason, CancelReason::market_collar);
  EXPECT_EQ(canceled[0].quantity.value, 3);
  EXPECT_EQ(book(Side::sell), (std::vector<std::pair<int64_t, int64_t>>{{1060, 1}}));
}

TEST_F(Market, MarketOrderAgainstAnEmptyBookIsRejected) {
  Command command = sell(3, 1, 0, 1);
  command.order_type = OrderType::market;
  run(command);
  ASSERT_EQ(types(), (std::vector{ET::rejected}));
  EXPECT_EQ(events_[0].reject_reason, RejectReason::no_liquidity);
}

TEST_F(Market, PostOnlyThatWouldCrossIsRejectedAndOneThatRestsIsAccepted) {
  run(sell(3, 1, 1850, 1));
  Command command = buy(1, 1, 1850, 1);
  command.post_only = true;
  run(command);
  EXPECT_EQ(events_.at(0).reject_reason, RejectReason::post_only_would_cross);
  command = buy(1, 2, 1849, 1);
  command.post_only = true;
  run(command);
  EXPECT_EQ(events_.at(0).type, ET::accepted);
  EXPECT_EQ(book(Side::buy), (std::vector<std::pair<int64_t, int64_t>>{{1849, 1}}));
}

TEST_F(Market, MinimumQuantityNotAvailableCancelsTheWholeOrder) {
  run(sell(3, 1, 1850, 3));
  Command command = buy(1, 1, 1850, 8);
  command.min_quantity = Quantity{4};
  run(command);
  EXPECT_EQ(types(), (std::vector{ET::accepted, ET::canceled}));
  EXPECT_EQ(events_[1].cancel_reason, CancelReason::min_quantity);
  EXPECT_EQ(book(Side::sell), (std::vector<std::pair<int64_t, int64_t>>{{1850, 3}}));
  EXPECT_EQ(engine_.account(ParticipantId{1}).held.value, 0);
}

TEST_F(Market, MinimumQuantityMetTradesAndRestsTheRest) {
  run(sell(3, 1, 1850, 3));
  run(sell(4, 1, 1851, 2));
  Command command = buy(1, 1, 1851, 8);
  command.min_quantity = Quantity{5};
  run(command);
  EXPECT_EQ(of_type(ET::fill).size(), 2u);
  EXPECT_EQ(book(Side::buy), (std::vector<std::pair<int64_t, int64_t>>{{1851, 3}}));
}

TEST_F(Market, CancelReleasesTheHoldAndUnknownOrderIsRejected) {
  run(buy(1, 1, 1850, 2));
  EXPECT_EQ(engine_.account(ParticipantId{1}).held,
            bid_hold(h100_spec(), Price{1850}, Quantity{2}, 10));
  run(cancel(1, 1));
  EXPECT_EQ(types(), (std::vector{ET::canceled, ET::book_level}));
  EXPECT_EQ(events_[0].cancel_reason, CancelReason::requested);
  EXPECT_EQ(engine_.account(ParticipantId{1}).held.value, 0);
  EXPECT_EQ(engine_.account(ParticipantId{1}).available.value, 1'000'000'000);
  run(cancel(1, 1));
  EXPECT_EQ(events_.at(0).reject_reason, RejectReason::unknown_order);
  run(cancel(2, 999));
  EXPECT_EQ(events_.at(0).reject_reason, RejectReason::unknown_order);
}

TEST_F(Market, OneParticipantCannotCancelAnothersOrder) {
  run(buy(1, 7, 1850, 2));
  run(cancel(2, 7));
  EXPECT_EQ(events_.at(0).reject_reason, RejectReason::unknown_order);
  EXPECT_EQ(book(Side::buy).size(), 1u);
}

TEST_F(Market, ReplaceThatReducesQuantityKeepsTimePriority) {
  run(buy(1, 1, 1850, 5));
  run(buy(2, 1, 1850, 5));
  run(replace(1, 1, 2, 1850, 3));
  EXPECT_EQ(types(), (std::vector{ET::replaced, ET::book_level}));
  EXPECT_EQ(events_[0].orig_client_order_id.value, 1u);
  EXPECT_EQ(events_[1].quantity.value, 8);
  const auto queue = engine_.orders_at(product_, Side::buy, Price{1850});
  ASSERT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue[0].participant.value, 1u);
  EXPECT_EQ(queue[0].client_order_id.value, 2u);
}

TEST_F(Market, ReplaceThatAddsQuantityOrMovesPriceLosesTimePriority) {
  run(buy(1, 1, 1850, 5));
  run(buy(2, 1, 1850, 5));
  run(replace(1, 1, 2, 1850, 6));
  auto queue = engine_.orders_at(product_, Side::buy, Price{1850});
  ASSERT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue[0].participant.value, 2u);
  run(replace(2, 1, 2, 1849, 5));
  run(replace(2, 2, 3, 1850, 5));
  queue = engine_.orders_at(product_, Side::buy, Price{1850});
  ASSERT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue[0].participant.value, 1u);
}

TEST_F(Market, ReplaceToACrossingPriceTrades) {
  run(sell(3, 1, 1850, 2));
  run(buy(1, 1, 1840, 2));
  run(replace(1, 1, 2, 1850, 2));
  EXPECT_EQ(of_type(ET::replaced).size(), 1u);
  EXPECT_EQ(of_type(ET::fill).size(), 1u);
  EXPECT_TRUE(book(Side::sell).empty());
  EXPECT_TRUE(book(Side::buy).empty());
}

TEST_F(Market, RejectedReplaceLeavesTheOriginalUntouched) {
  deposit(6, 20'000);  // enough for one lot at 1850 (14,814), not two
  run(buy(6, 1, 1850, 1));
  run(replace(6, 1, 2, 1850, 2));
  EXPECT_EQ(events_.at(0).reject_reason, RejectReason::insufficient_cash);
  run(buy(1, 5, 1850, 1));
  run(replace(1, 5, 5, 1850, 1));  // the new id must be new
  EXPECT_EQ(events_.at(0).reject_reason, RejectReason::duplicate_client_order_id);
  run(replace(1, 5, 6, 1855, 0));
  EXPECT_EQ(events_.at(0).reject_reason, RejectReason::invalid_quantity);
  const auto queue = engine_.orders_at(product_, Side::buy, Price{1850});
  ASSERT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue[0].client_order_id.value, 1u);
  EXPECT_EQ(queue[0].remaining.value, 1);
  EXPECT_EQ(queue[1].client_order_id.value, 5u);
}

TEST_F(Market, MassCancelCancelsEveryOrderOfTheParticipantOrOfOneProduct) {
  const ProductId second = list(h100_spec("2026-12-01T09"));
  run(buy(1, 1, 1850, 1));
  run(buy(1, 2, 1840, 1));
  run(order(1, 3, Side::buy, 1800, 1, second));
  run(buy(2, 1, 1845, 1));
  Command command;
  command.type = CommandType::mass_cancel;
  command.participant = ParticipantId{1};
  command.product = second;
  command.has_product = true;
  run(command);
  EXPECT_EQ(of_type(ET::canceled).size(), 1u);
  command.has_product = false;
  run(command);
  EXPECT_EQ(of_type(ET::canceled).size(), 2u);
  EXPECT_EQ(book(Side::buy), (std::vector<std::pair<int64_t, int64_t>>{{1845, 1}}));
  EXPECT_EQ(engine_.account(ParticipantId{1}).held.value, 0);
}

// A level emptied and made again in one command (the only order at a price re-enters at it)
// is one price: reported once, with its final size.
TEST_F(Market, APriceEmptiedAndRestedAgainInOneCommandIsReportedOnceWithItsFinalSize) {
  run(buy(1, 1, 1850, 5));
  run(replace(1, 1, 2, 1850, 6));  // more quantity: leaves the level, which empties, and rests
  EXPECT_EQ(types(), (std::vector{ET::replaced, ET::book_level}));
  EXPECT_EQ(events_[1].price.value, 1850);
  EXPECT_EQ(events_[1].quantity.value, 6);
  // A sweep of three levels that rests at a fourth: each price once, in the order touched.
  run(cancel(1, 2));
  run(sell(3, 1, 1840, 1));
  run(sell(3, 2, 1841, 1));
  run(sell(4, 1, 1842, 2));
  run(buy(2, 1, 1845, 6));
  std::vector<std::pair<int64_t, int64_t>> levels;
  for (const Event& event : of_type(ET::book_level)) {
    levels.emplace_back(event.price.value, event.quantity.value);
  }
  EXPECT_EQ(levels,
            (std::vector<std::pair<int64_t, int64_t>>{{1840, 0}, {1841, 0}, {1842, 0}, {1845, 2}}));
}

// Commands that take many levels off the books at once cost time in proportion to them. Two
// things made them quadratic: noting each changed level searched those noted before, and each
// emptied level was erased from the middle of its side's sorted array, moving its tail. A
// mass cancel of 100,000 one-lot asks at as many prices took seconds, stalling every product.
// The asks are entered best last (each goes to the array's end) and leave oldest first (from
// its front). The bound is some 20 times what the linear cost takes under the sanitizers.
class ManyLevels : public EngineTest {
 public:
  static constexpr int64_t asks = 100'000;
  ManyLevels() : EngineTest(config()) {}
  static EngineConfig config() {
    EngineConfig config = make_config();
    config.limits.orders_max = 1 << 17;
    config.limits.price_levels_max = 1 << 17;
    config.limits.client_ids_max = 1 << 17;
    return config;
  }
  // One-lot asks at 100,000 prices, the highest first; good till `expire_ns` when it is set.
  void rest_asks(int64_t expire_ns = 0) {
    const ProductId product = list(h100_spec());
    register_capacity(3, product, asks);
    for (int64_t i = 0; i < asks; ++i) {
      Command ask = sell(3, static_cast<uint64_t>(i + 1), 1000 + asks - i, 1);
      if (expire_ns != 0) {
        ask.time_in_force = TimeInForce::good_till_time;
        ask.expire_time = Timestamp{expire_ns};
      }
      ASSERT_EQ(run(ask).at(0).type, ET::accepted);
    }
  }
  void expect_every_level_reported_empty() {
    const std::vector<Event> levels = of_type(ET::book_level);
    ASSERT_EQ(levels.size(), static_cast<size_t>(asks));
    EXPECT_EQ(levels.front().price.value, 1000 + asks);
    EXPECT_EQ(levels.back().price.value, 1001);
    for (const Event& level : levels) ASSERT_EQ(level.quantity.value, 0);
    EXPECT_TRUE(book(Side::sell).empty());
    // The book works on: a new ask rests, and a bid trades with it.
    EXPECT_EQ(run(sell(3, asks + 1, 1500, 1)).at(0).type, ET::accepted);
    EXPECT_EQ(book(Side::sell), (std::vector<std::pair<int64_t, int64_t>>{{1500, 1}}));
  }
};

TEST_F(ManyLevels, AMassCancelOfAHundredThousandLevelsTakesLinearTime) {
  rest_asks();
  Command mass_cancel;
  mass_cancel.type = CommandType::mass_cancel;
  mass_cancel.participant = ParticipantId{3};
  const auto started = std::chrono::steady_clock::now();
  run(mass_cancel);
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(of_type(ET::canceled).size(), static_cast<size_t>(asks));
  expect_every_level_reported_empty();
  EXPECT_LT(took, std::chrono::seconds(2));
}

TEST_F(ManyLevels, AHundredThousandExpiriesFallingDueTogetherTakeLinearTime) {
  rest_asks(now_ns_ + 1'000'000'000);
  now_ns_ += 2'000'000'000;
  Command tick;
  tick.type = CommandType::tick;
  const auto started = std::chrono::steady_clock::now();
  run(tick);
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(of_type(ET::expired).size(), static_cast<size_t>(asks));
  expect_every_level_reported_empty();
  EXPECT_LT(took, std::chrono::seconds(2));
}

TEST_F(Market, OrderStatusReportsLiveDoneAndUnknownOrders) {
  run(buy(1, 1, 1850, 3));
  Command status;
  status.type = CommandType::order_status;
  status.participant = ParticipantId{1};
  status.orig_client_order_id = ClientOrderId{1};
  run(status);
  ASSERT_EQ(types(), (std::vector{ET::order_status}));
  EXPECT_EQ(events_[0].status, OrderStatus::live);
  EXPECT_EQ(events_[0].remaining.value, 3);
  run(cancel(1, 1));
  run(status);
  EXPECT_EQ(events_.at(0).status, OrderStatus::done);
  status.orig_client_order_id = ClientOrderId{42};
  run(status);
  EXPECT_EQ(events_.at(0).reject_reason, RejectReason::unknown_order);
}

TEST_F(Market, ResentClientOrderIdIsRefusedWithTheOriginalsStatusAndTheOriginalUntouched) {
  run(buy(1, 1, 1850, 3));
  const OrderId original = engine_.orders_at(product_, Side::buy, Price{1850}).at(0).order_id;
  run(buy(1, 1, 1860, 9));  // a resend: refused, and told what became of the original
  ASSERT_EQ(types(), (std::vector{ET::rejected, ET::order_status}));
  EXPECT_EQ(events_[0].reject_reason, RejectReason::duplicate_client_order_id);
  EXPECT_EQ(events_[1].order_id, original);
  EXPECT_EQ(events_[1].status, OrderStatus::live);
  EXPECT_EQ(events_[1].remaining.value, 3);
  EXPECT_EQ(book(Side::buy), (std::vector<std::pair<int64_t, int64_t>>{{1850, 3}}));
  run(cancel(1, 1));
  run(buy(1, 1, 1850, 3));  // still a duplicate once the order is done
  EXPECT_EQ(events_.at(0).reject_reason, RejectReason::duplicate_client_order_id);
  EXPECT_EQ(events_.at(1).status, OrderStatus::done);
  run(buy(2, 1, 1850, 3));  // ids are per participant
  EXPECT_EQ(events_.at(0).type, ET::accepted);
}

// A client-id table of four blocks: it fills after a few hundred orders, and forgetting the
// done ids must keep every promise about ids (duplicates refused with the original's status,
// live orders found by id) while the exchange goes on taking orders.
class SmallClientIdTable : public EngineTest {
 public:
  SmallClientIdTable() : EngineTest(with_blocks(4)) {}
  static EngineConfig with_blocks(uint32_t blocks) {
    EngineConfig config = make_config();
    config.limits.client_ids_max = blocks;
    return config;
  }
  void SetUp() override {
    list(h100_spec());
    deposit(1, 1'000'000'000'000);
  }
};

TEST_F(SmallClientIdTable, DoneIdsAreForgottenWhenFullAndStayDuplicates) {
  // Ids 1..1000 of participant 1 (16 blocks of 64): orders 1 and 700 rest, the rest cancel.
  for (uint64_t id = 1; id <= 1000; ++id) {
    run(buy(1, id, 1000 + static_cast<int64_t>(id % 7), 1));
    ASSERT_EQ(events_.at(0).type, EventType::accepted) << "id " << id;
    if (id != 1 && id != 700) {
      run(cancel(1, id));
      ASSERT_EQ(events_.at(0).type, EventType::canceled) << "id " << id;
    }
  }
  EXPECT_EQ(engine_.live_order_count(), 2u);

  // A resend of a forgotten id, and of a live one: duplicates, with what became of them.
  run(buy(1, 5, 1000, 1));
  ASSERT_EQ(types(), (std::vector{EventType::rejected, EventType::order_status}));
  EXPECT_EQ(events_[0].reject_reason, RejectReason::duplicate_client_order_id);
  EXPECT_EQ(events_[1].status, OrderStatus::done);
  run(buy(1, 700, 1000, 1));
  ASSERT_EQ(types(), (std::vector{EventType::rejected, EventType::order_status}));
  EXPECT_EQ(events_[1].status, OrderStatus::live);
  // An id under the highest used counts as used, even if it never was sent.
  run(replace(1, 1, 999, 1001, 1));
  EXPECT_EQ(events_.at(0).reject_reason, RejectReason::duplicate_client_order_id);

  // The live orders are still found by their ids.
  run(replace(1, 1, 1001, 1002, 1));
  EXPECT_EQ(events_.at(0).type, EventType::replaced);
  run(cancel(1, 700));
  EXPECT_EQ(events_.at(0).type, EventType::canceled);

  // A restored engine has the same state and goes on the same way.
  std::vector<uint8_t> bytes;
  engine_.save(bytes);
  Engine restored(with_blocks(4));
  ASSERT_TRUE(restored.load(bytes));
  EXPECT_EQ(restored.state_hash(), engine_.state_hash());
  for (Engine* engine : {&engine_, &restored}) {
    uint64_t sequence = sequence_;
    std::vector<Event> events;
    for (uint64_t id : {uint64_t{1002}, uint64_t{1003}, uint64_t{600}}) {
      Command command = buy(1, id, 1000, 1);
      command.sequence = SequenceNumber{++sequence};
      command.timestamp = Timestamp{now_ns_};
      engine->process(command, events);
    }
  }
  EXPECT_EQ(restored.state_hash(), engine_.state_hash());
}

// An order keeps where its client id's block is (so that retiring it needs no search), and
// forgetting done ids moves the live blocks: the orders must learn their new places. In a
// table of 16 slots a block's home is its number mod 16, so participant 2's block 0 lands
// behind participant 1's and moves home once that one is forgotten.
TEST_F(SmallClientIdTable, LiveOrdersAreFoundAndRetiredAfterTheirBlocksMove) {
  deposit(2, 1'000'000'000'000);
  run(buy(1, 1, 1000, 1));
  run(cancel(1, 1));
  for (uint64_t id : {5, 6}) {
    run(buy(2, id, 1000, 1));
    ASSERT_EQ(events_.at(0).type, EventType::accepted);
  }
  for (uint64_t id : {64, 128}) {
    run(buy(1, id, 1000, 1));
    run(cancel(1, id));
    ASSERT_EQ(events_.at(0).type, EventType::canceled);
  }
  run(buy(1, 192, 1000, 1));  // a fifth block: the done ones are forgotten first
  ASSERT_EQ(events_.at(0).type, EventType::accepted);

  run(replace(2, 5, 7, 1000, 1));  // retires id 5 where its block is now
  ASSERT_EQ(events_.at(0).type, EventType::replaced);
  run(cancel(2, 6));
  ASSERT_EQ(events_.at(0).type, EventType::canceled);
  run(cancel(2, 7));
  ASSERT_EQ(events_.at(0).type, EventType::canceled);
  run(buy(2, 6, 1000, 1));
  EXPECT_EQ(events_.at(0).reject_reason, RejectReason::duplicate_client_order_id);
  EXPECT_EQ(engine_.live_order_count(), 1u);
}

TEST_F(SmallClientIdTable, LiveOrdersAloneFillingTheTableAreRefusedWithAReason) {
  // Four live orders with ids 64 apart take every block: nothing can be forgotten.
  for (uint64_t id : {1, 65, 129, 193}) {
    run(buy(1, id, 1000, 1));
    ASSERT_EQ(events_.at(0).type, EventType::accepted);
  }
  run(buy(1, 257, 1000, 1));
  EXPECT_EQ(events_.at(0).reject_reason, RejectReason::client_ids_full);
  run(cancel(1, 65));
  run(buy(1, 257, 1000, 1));
  EXPECT_EQ(events_.at(0).type, EventType::accepted) << "65's block is free to forget now";
  run(buy(1, 66, 1000, 1));
  EXPECT_EQ(events_.at(0).reject_reason, RejectReason::duplicate_client_order_id);
}

}  // namespace
}  // namespace ghx::matching::testing
