// Block orders: one price and quantity over consecutive delivery windows, filled in full in
// every window at once, or refused whole with nothing changed.

#include "tests/matching/engine_fixture.h"

namespace ghx::matching::testing {
namespace {

using ET = EventType;
using Levels = std::vector<std::pair<int64_t, int64_t>>;

// h100_spec: one hour of 8-GPU lots, so a lot at price P costs P x 8 (fee 10 bps, floored).
constexpr int64_t lot_notional(int64_t price) { return price * 8; }
constexpr int64_t fee(int64_t notional) { return notional * 10 / 10'000; }

// Three consecutive hours, 08, 09 and 10, listed; seller 2 asks in each of them, buyer 1 has
// cash, and seller 2 may sell 10 lots of each window.
class BlockOrder : public EngineTest {
 protected:
  explicit BlockOrder(EngineConfig config = make_config()) : EngineTest(config) {}

  void SetUp() override {
    for (const char* start : {"2026-12-01T08", "2026-12-01T09", "2026-12-01T10"}) {
      windows_.push_back(list(h100_spec(start)));
      register_capacity(2, windows_.back(), 10);
    }
    deposit(1, 1'000'000);
    accept(order(2, 21, Side::sell, 1900, 3, windows_[0]));
    accept(order(2, 22, Side::sell, 1880, 2, windows_[1]));
    accept(order(2, 23, Side::sell, 1890, 4, windows_[1]));
    accept(order(2, 24, Side::sell, 1900, 5, windows_[2]));
  }

  static Command block(uint32_t participant, uint64_t client_id, Side side, int64_t price,
                       int64_t lots, ProductId first, int windows) {
    Command command = order(participant, client_id, side, price, lots, first);
    command.type = CommandType::new_block_order;
    command.windows = static_cast<uint8_t>(windows);
    return command;
  }

  void accept(const Command& command) { ASSERT_EQ(run(command).at(0).type, ET::accepted); }

  // Runs a block that must be refused; checks that the one event names `at_fault`.
  RejectReason refused(const Command& command, ProductId at_fault) {
    const RejectReason reason = rejected_with(command);
    EXPECT_EQ(events_.at(0).product, at_fault);
    EXPECT_EQ(events_.at(0).client_order_id, command.client_order_id);
    return reason;
  }

  // What a refused block must leave as it was.
  struct Books {
    std::vector<Levels> asks;
    std::vector<Levels> bids;
    int64_t available = 0;
    int64_t held = 0;
    bool operator==(const Books&) const = default;
  };
  Books books() {
    Books books;
    for (const ProductId window : windows_) {
      books.asks.push_back(book(Side::sell, window));
      books.bids.push_back(book(Side::buy, window));
    }
    books.available = engine_.account(ParticipantId{1}).available.value;
    books.held = engine_.account(ParticipantId{1}).held.value;
    return books;
  }

  std::vector<ProductId> windows_;
};

TEST_F(BlockOrder, FillsEveryWindowInFullAtOnce) {
  run(block(1, 11, Side::buy, 1900, 3, windows_[0], 3));
  const uint64_t sequence = sequence_;
  EXPECT_EQ(types(),
            (std::vector<ET>{ET::accepted, ET::fill, ET::trade, ET::accepted, ET::fill, ET::trade,
                             ET::fill, ET::trade, ET::accepted, ET::fill, ET::trade, ET::book_level,
                             ET::book_level, ET::book_level, ET::book_level}));
  // Each window's part is an order of its own product, with the block's id and client id.
  const std::vector<Event> accepted = of_type(ET::accepted);
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(accepted[k].product, windows_[k]);
    EXPECT_EQ(accepted[k].order_id.value, sequence);
    EXPECT_EQ(accepted[k].client_order_id.value, 11u);
    EXPECT_EQ(accepted[k].quantity.value, 3);
  }
  const std::vector<Event> fills = of_type(ET::fill);
  ASSERT_EQ(fills.size(), 4u);
  EXPECT_EQ(fills[0].product, windows_[0]);
  EXPECT_EQ(fills[0].price.value, 1900);
  EXPECT_EQ(fills[0].quantity.value, 3);
  EXPECT_EQ(fills[1].product, windows_[1]);
  EXPECT_EQ(fills[1].price.value, 1880);
  EXPECT_EQ(fills[1].quantity.value, 2);
  EXPECT_EQ(fills[2].price.value, 1890);
  EXPECT_EQ(fills[2].quantity.value, 1);
  EXPECT_EQ(fills[2].remaining.value, 0);
  EXPECT_EQ(fills[3].product, windows_[2]);
  EXPECT_EQ(fills[3].quantity.value, 3);
  for (const Event& fill : fills) EXPECT_EQ(fill.order_id.value, sequence);

  EXPECT_EQ(book(Side::sell, windows_[0]), Levels{});
  EXPECT_EQ(book(Side::sell, windows_[1]), (Levels{{1890, 3}}));
  EXPECT_EQ(book(Side::sell, windows_[2]), (Levels{{1900, 2}}));
  // Paid what it traded at, each fill's fee on top; nothing stays held.
  int64_t cost = 0;
  for (const auto& [price, lots] :
       {std::pair<int64_t, int64_t>{1900, 3}, {1880, 2}, {1890, 1}, {1900, 3}}) {
    cost += lot_notional(price) * lots + fee(lot_notional(price) * lots);
  }
  EXPECT_EQ(engine_.account(ParticipantId{1}).available.value, 1'000'000 - cost);
  EXPECT_EQ(engine_.account(ParticipantId{1}).held.value, 0);
  EXPECT_EQ(engine_.live_order_count(), 2u);  // seller 2's asks with lots left
  // The block's client id is used, as any finished order's: done.
  run(block(1, 11, Side::buy, 1900, 1, windows_[0], 2));
  ASSERT_EQ(types(), (std::vector<ET>{ET::rejected, ET::order_status}));
  EXPECT_EQ(events_[0].reject_reason, RejectReason::duplicate_client_order_id);
  EXPECT_EQ(events_[1].status, OrderStatus::done);
}

TEST_F(BlockOrder, IsRefusedWholeWhenOneWindowCannotFillInFull) {
  const Books before = books();
  // Window 1 has 6 lots at or under 1900, window 2 only 5.
  EXPECT_EQ(refused(block(1, 11, Side::buy, 1900, 6, windows_[1], 2), windows_[2]),
            RejectReason::block_not_fillable);
  // Window 1 has 2 lots at or under 1885: not 3.
  EXPECT_EQ(refused(block(1, 12, Side::buy, 1885, 3, windows_[1], 2), windows_[1]),
            RejectReason::block_not_fillable);
  // Window 0 has none at or under 1890.
  EXPECT_EQ(refused(block(1, 12, Side::buy, 1890, 1, windows_[0], 3), windows_[0]),
            RejectReason::block_not_fillable);
  EXPECT_EQ(books(), before);
  // Refused ids stay free, as a refused order's do: the same id fills once it can.
  run(block(1, 11, Side::buy, 1900, 2, windows_[0], 3));
  EXPECT_EQ(of_type(ET::fill).size(), 3u);
}

// A client-id table of three blocks of 64 ids: the setup's asks take one, and buyer 1's ids 1
// and 1000 the other two. A new id then needs done ids forgotten (which raises each
// participant's floor past the ids it used), and a block refused for another reason must not
// have done that: its id stays free.
class BlockOrderInAFullIdTable : public BlockOrder {
 protected:
  BlockOrderInAFullIdTable() : BlockOrder(small_id_table()) {}
  static EngineConfig small_id_table() {
    EngineConfig config = make_config();
    config.limits.client_ids_max = 3;
    return config;
  }
};

TEST_F(BlockOrderInAFullIdTable, ARefusedBlockForgetsNoIds) {
  accept(order(1, 1, Side::buy, 100, 1, windows_[0]));
  run(cancel(1, 1));
  accept(order(1, 1000, Side::buy, 100, 1, windows_[0]));
  // A twin of the engine as it is now, which gets a plain order refused at once instead.
  std::vector<uint8_t> saved;
  engine_.save(saved);
  Engine twin(small_id_table());
  ASSERT_TRUE(twin.load(saved));
  const Books before = books();
  // 100 lots in each of three windows cost far more than buyer 1's cash.
  EXPECT_EQ(refused(block(1, 500, Side::buy, 1900, 100, windows_[0], 3), windows_[0]),
            RejectReason::insufficient_cash);
  EXPECT_EQ(books(), before);
  Command unknown_product = order(1, 500, Side::buy, 1900, 1, ProductId{99});
  unknown_product.sequence = SequenceNumber{sequence_};
  unknown_product.timestamp = Timestamp{now_ns_};
  std::vector<Event> twin_events;
  twin.process(unknown_product, twin_events);
  ASSERT_EQ(twin_events.at(0).reject_reason, RejectReason::unknown_product);
  // Nothing but the sequence and the time moved: no id was forgotten, no floor raised.
  EXPECT_EQ(engine_.state_hash(), twin.state_hash());
}

TEST_F(BlockOrder, NeedsEveryWindowListedAndTrading) {
  // Four windows from 08: 11 is not listed.
  EXPECT_EQ(refused(block(1, 11, Side::buy, 1900, 1, windows_[0], 4), windows_[0]),
            RejectReason::block_window_not_trading);
  // A window of another length does not count.
  ProductSpec four_hours = h100_spec("2026-12-01T11");
  four_hours.length = WindowLength::hour_4;
  list(four_hours);
  EXPECT_EQ(refused(block(1, 11, Side::buy, 1900, 1, windows_[0], 4), windows_[0]),
            RejectReason::block_window_not_trading);

  Command halt;
  halt.type = CommandType::halt_product;
  halt.product = windows_[1];
  EXPECT_EQ(run(halt).at(0).type, ET::product_state);
  EXPECT_EQ(refused(block(1, 11, Side::buy, 1900, 1, windows_[0], 2), windows_[1]),
            RejectReason::block_window_not_trading);
  EXPECT_EQ(refused(block(1, 11, Side::buy, 1900, 1, windows_[1], 2), windows_[1]),
            RejectReason::block_window_not_trading);
}

TEST_F(BlockOrder, RefusesBadShapesAndFields) {
  EXPECT_EQ(refused(block(1, 11, Side::buy, 1900, 1, windows_[0], 1), windows_[0]),
            RejectReason::invalid_block);
  EXPECT_EQ(refused(block(1, 11, Side::buy, 1900, 1, windows_[0], 0), windows_[0]),
            RejectReason::invalid_block);
  EXPECT_EQ(refused(block(1, 11, Side::buy, 1900, 1, windows_[0], 32), windows_[0]),
            RejectReason::invalid_block);
  EXPECT_EQ(refused(block(1, 11, Side::buy, 1900, 1, ProductId{99}, 2), ProductId{99}),
            RejectReason::unknown_product);
  EXPECT_EQ(refused(block(64, 11, Side::buy, 1900, 1, windows_[0], 2), windows_[0]),
            RejectReason::unknown_participant);
  EXPECT_EQ(refused(block(1, 11, Side::buy, 0, 1, windows_[0], 2), windows_[0]),
            RejectReason::invalid_price);
  EXPECT_EQ(refused(block(1, 11, Side::buy, 1900, 0, windows_[0], 2), windows_[0]),
            RejectReason::invalid_quantity);
  // A live order's id, as for a new order: refused, and the original's status told.
  accept(order(1, 12, Side::buy, 1000, 1, windows_[0]));
  run(block(1, 12, Side::buy, 1900, 1, windows_[0], 2));
  EXPECT_EQ(types(), (std::vector<ET>{ET::rejected, ET::order_status}));
  EXPECT_EQ(events_[0].reject_reason, RejectReason::duplicate_client_order_id);
  EXPECT_EQ(events_[1].status, OrderStatus::live);
}

TEST_F(BlockOrder, HoldsCashForEveryWindowAndCapacityInEach) {
  // Cash for two windows of 3 lots at 1900 (with fees), not for three.
  deposit(3, 2 * (lot_notional(1900) * 3 + fee(lot_notional(1900) * 3)));
  EXPECT_EQ(refused(block(3, 31, Side::buy, 1900, 3, windows_[0], 3), windows_[0]),
            RejectReason::insufficient_cash);
  run(block(3, 31, Side::buy, 1900, 3, windows_[0], 2));
  EXPECT_EQ(of_type(ET::fill).size(), 3u);

  // A seller needs capacity of each window: seller 4 has none of window 1.
  accept(order(1, 13, Side::buy, 1700, 2, windows_[0]));
  accept(order(1, 14, Side::buy, 1700, 2, windows_[1]));
  register_capacity(4, windows_[0], 2);
  EXPECT_EQ(refused(block(4, 41, Side::sell, 1700, 2, windows_[0], 2), windows_[1]),
            RejectReason::insufficient_capacity);
  register_capacity(4, windows_[1], 2);
  run(block(4, 41, Side::sell, 1700, 2, windows_[0], 2));
  ASSERT_EQ(of_type(ET::fill).size(), 2u);
  EXPECT_EQ(of_type(ET::fill)[1].product, windows_[1]);
  EXPECT_EQ(engine_.capacity(ParticipantId{4}, windows_[1]).available.value, 0);
  EXPECT_EQ(engine_.capacity(ParticipantId{4}, windows_[1]).held.value, 0);
  EXPECT_EQ(engine_.account(ParticipantId{1}).held.value, 0);
}

TEST_F(BlockOrder, CountsSelfTradePreventionAsMatchingWould) {
  // Participant 2 buys the windows where its own asks are the best.
  deposit(2, 1'000'000);
  Command take_own = block(2, 25, Side::buy, 1900, 1, windows_[0], 2);
  EXPECT_EQ(refused(take_own, windows_[0]), RejectReason::block_not_fillable);
  take_own.self_trade = SelfTradePrevention::cancel_both;
  EXPECT_EQ(refused(take_own, windows_[0]), RejectReason::block_not_fillable);
  // Others' asks behind its own: cancel_maker cancels its own and fills from the others'.
  register_capacity(5, windows_[0], 1);
  register_capacity(5, windows_[1], 1);
  accept(order(5, 51, Side::sell, 1900, 1, windows_[0]));
  accept(order(5, 52, Side::sell, 1900, 1, windows_[1]));
  take_own.self_trade = SelfTradePrevention::cancel_maker;
  run(take_own);
  EXPECT_EQ(types(),
            (std::vector<ET>{ET::accepted, ET::canceled, ET::fill, ET::trade, ET::accepted,
                             ET::canceled, ET::canceled, ET::fill, ET::trade, ET::book_level,
                             ET::book_level, ET::book_level, ET::book_level}));
  for (const Event& canceled : of_type(ET::canceled)) {
    EXPECT_EQ(canceled.cancel_reason, CancelReason::self_trade);
    EXPECT_EQ(canceled.participant.value, 2u);
  }
  for (const Event& fill : of_type(ET::fill)) EXPECT_EQ(fill.maker_participant.value, 5u);
  EXPECT_EQ(book(Side::sell, windows_[0]), Levels{});
  EXPECT_EQ(book(Side::sell, windows_[1]), Levels{});
}

}  // namespace
}  // namespace ghx::matching::testing
