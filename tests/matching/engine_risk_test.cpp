// Self-trade prevention, pre-trade risk, time (expiry, gate closure, delivery), bad input and
// determinism.

#include "tests/matching/engine_fixture.h"

namespace ghx::matching::testing {
namespace {

using ET = EventType;

class RiskMarket : public EngineTest {
 protected:
  void SetUp() override {
    product_ = list(h100_spec());
    for (uint32_t participant : {1u, 2u, 5u}) deposit(participant, 1'000'000'000);
    for (uint32_t participant : {3u, 4u, 5u}) register_capacity(participant, product_, 1000);
  }
  Command self_cross(SelfTradePrevention mode) {
    run(sell(5, 1, 1850, 2));
    Command command = buy(5, 2, 1850, 3);
    command.self_trade = mode;
    return command;
  }
  ProductId product_;
};

TEST_F(RiskMarket, SelfTradeCancelTakerIsTheDefault) {
  run(self_cross(SelfTradePrevention::cancel_taker));
  EXPECT_EQ(types(), (std::vector{ET::accepted, ET::canceled}));
  EXPECT_EQ(events_[1].cancel_reason, CancelReason::self_trade);
  EXPECT_EQ(events_[1].client_order_id.value, 2u);
  EXPECT_EQ(book(Side::sell), (std::vector<std::pair<int64_t, int64_t>>{{1850, 2}}));
}

TEST_F(RiskMarket, SelfTradeCancelMakerCancelsTheRestingOrderAndGoesOn) {
  run(sell(3, 1, 1850, 1));
  Command command = self_cross(SelfTradePrevention::cancel_maker);  // own ask after 3's
  run(sell(4, 1, 1850, 1));
  run(command);
  const auto fills = of_type(ET::fill);
  ASSERT_EQ(fills.size(), 2u);
  EXPECT_EQ(fills[0].maker_participant.value, 3u);
  EXPECT_EQ(fills[1].maker_participant.value, 4u);
  const auto canceled = of_type(ET::canceled);
  ASSERT_EQ(canceled.size(), 1u);
  EXPECT_EQ(canceled[0].participant.value, 5u);
  EXPECT_EQ(canceled[0].client_order_id.value, 1u);
  EXPECT_EQ(book(Side::buy), (std::vector<std::pair<int64_t, int64_t>>{{1850, 1}}));
}

TEST_F(RiskMarket, SelfTradeCancelBothCancelsBoth) {
  run(self_cross(SelfTradePrevention::cancel_both));
  const auto canceled = of_type(ET::canceled);
  ASSERT_EQ(canceled.size(), 2u);
  EXPECT_EQ(canceled[0].client_order_id.value, 1u);
  EXPECT_EQ(canceled[1].client_order_id.value, 2u);
  EXPECT_TRUE(book(Side::sell).empty());
  EXPECT_TRUE(book(Side::buy).empty());
}

TEST_F(RiskMarket, BidWithoutEnoughCashIsRejected) {
  deposit(6, 14'813);  // one lot at 1850 needs 14,800 + 14 fee
  run(buy(6, 1, 1850, 1));
  EXPECT_EQ(events_.at(0).reject_reason, RejectReason::insufficient_cash);
  deposit(6, 1);
  run(buy(6, 2, 1850, 1));
  EXPECT_EQ(events_.at(0).type, ET::accepted);
  EXPECT_EQ(engine_.account(ParticipantId{6}).available.value, 0);
}

// A client-id table of three blocks of 64 ids, all taken: a new id needs done ids forgotten
// (which raises each participant's floor past the ids it used). An order or replace refused
// for another reason must not have done that: a refused command changes nothing.
TEST(RefusedInAFullIdTable, AnOrderOrReplaceRefusedForAnotherReasonForgetsNoIds) {
  EngineConfig config = EngineTest::make_config();
  config.limits.client_ids_max = 3;
  Engine engine(config);
  uint64_t sequence = 0;
  std::vector<Event> events;
  auto run = [&](Engine& target, Command command) -> const Event& {
    command.sequence = SequenceNumber{++sequence};
    command.timestamp = Timestamp{t0_ns};
    events.clear();
    target.process(command, events);
    return events.at(0);
  };
  Command listing;
  listing.type = CommandType::list_product;
  listing.spec = h100_spec();
  run(engine, listing);
  Command deposit;
  deposit.type = CommandType::deposit;
  deposit.participant = ParticipantId{1};
  deposit.amount = Cash{1'000'000};
  run(engine, deposit);
  // Buyer 1's ids 1, 100 and 200: three blocks, the table full; 1 and 100 done, 200 rests.
  for (const uint64_t id : {1, 100, 200}) {
    ASSERT_EQ(run(engine, EngineTest::buy(1, id, 100, 1)).type, EventType::accepted);
  }
  run(engine, EngineTest::cancel(1, 1));
  run(engine, EngineTest::cancel(1, 100));
  std::vector<uint8_t> saved;
  engine.save(saved);
  Engine twin(config);
  ASSERT_TRUE(twin.load(saved));
  const uint64_t twin_sequence = sequence;

  EXPECT_EQ(run(engine, EngineTest::buy(1, 500, 1900, 1000)).reject_reason,
            RejectReason::insufficient_cash);
  EXPECT_EQ(run(engine, EngineTest::replace(1, 200, 600, 0, 1)).reject_reason,
            RejectReason::invalid_price);
  EXPECT_EQ(run(engine, EngineTest::replace(1, 200, 700, 1900, 1000)).reject_reason,
            RejectReason::insufficient_cash);
  // The twin gets as many commands refused before any id is looked at.
  sequence = twin_sequence;
  for (int refused = 0; refused < 3; ++refused) {
    EXPECT_EQ(run(twin, EngineTest::order(1, 500, Side::buy, 1900, 1, ProductId{99})).reject_reason,
              RejectReason::unknown_product);
  }
  // Nothing but the sequence moved: no id was forgotten, no floor raised.
  EXPECT_EQ(engine.state_hash(), twin.state_hash());
  // A new id that is not refused otherwise makes room: 150 was never used, but is now under
  // buyer 1's floor (201); 1000 is above it.
  EXPECT_EQ(run(engine, EngineTest::buy(1, 150, 100, 1)).reject_reason,
            RejectReason::duplicate_client_order_id);
  EXPECT_EQ(run(engine, EngineTest::buy(1, 1000, 100, 1)).type, EventType::accepted);
}

TEST_F(RiskMarket, AskWithoutRegisteredCapacityIsRejected) {
  run(sell(1, 1, 1850, 1));  // a buyer with cash but no capacity
  EXPECT_EQ(events_.at(0).reject_reason, RejectReason::insufficient_capacity);
  run(sell(3, 1, 1850, 1001));
  EXPECT_EQ(events_.at(0).reject_reason, RejectReason::insufficient_capacity);
  run(sell(3, 2, 1850, 1000));
  EXPECT_EQ(events_.at(0).type, ET::accepted);
  EXPECT_EQ(engine_.capacity(ParticipantId{3}, product_).held.value, 1000);
  run(sell(3, 3, 1850, 1));
  EXPECT_EQ(events_.at(0).reject_reason, RejectReason::insufficient_capacity);
}

TEST_F(RiskMarket, FillMovesHeldCashOutAndReturnsPriceImprovement) {
  run(sell(3, 1, 1800, 1));
  run(buy(1, 1, 1850, 1));
  const Cash paid{1800 * 8 + 1800 * 8 * 10 / 10'000};
  const AccountView account = engine_.account(ParticipantId{1});
  EXPECT_EQ(account.held.value, 0);
  EXPECT_EQ(account.available.value, 1'000'000'000 - paid.value);
  EXPECT_EQ(engine_.capacity(ParticipantId{3}, product_).held.value, 0);
  EXPECT_EQ(engine_.capacity(ParticipantId{3}, product_).available.value, 999);
}

TEST_F(RiskMarket, WithdrawCannotTakeHeldCash) {
  deposit(6, 20'000);
  run(buy(6, 1, 1850, 1));
  Command withdraw;
  withdraw.type = CommandType::withdraw;
  withdraw.participant = ParticipantId{6};
  withdraw.amount = Cash{6'000};
  run(withdraw);
  EXPECT_EQ(events_.at(0).reject_reason, RejectReason::insufficient_cash);
  withdraw.amount = Cash{5'186};
  run(withdraw);
  EXPECT_EQ(events_.at(0).type, ET::balance);
  EXPECT_EQ(events_.at(0).available_cash.value, 0);
}

TEST_F(RiskMarket, GoodTillTimeOrderExpiresAtItsTime) {
  Command command = buy(1, 1, 1850, 2);
  command.time_in_force = TimeInForce::good_till_time;
  command.expire_time = Timestamp{now_ns_ + ns_per_minute};
  run(command);
  now_ns_ += ns_per_minute;
  run(Command{});  // a tick
  EXPECT_EQ(types(), (std::vector{ET::expired, ET::book_level}));
  EXPECT_EQ(events_[0].expire_reason, ExpireReason::good_till_time);
  EXPECT_EQ(engine_.account(ParticipantId{1}).held.value, 0);
  command.client_order_id = ClientOrderId{2};
  run(command);  // expire time is now in the past
  EXPECT_EQ(events_.at(0).reject_reason, RejectReason::invalid_expire_time);
}

TEST_F(RiskMarket, ExpiriesAndTheCommandAfterThemReportEachLevelOnce) {
  // Two bids at 1850 expire at different times before the next command, which rests a third
  // there: one book_level for 1850, with its final size, after everything else.
  for (const uint64_t id : {1, 2}) {
    Command command = buy(1, id, 1850, 2);
    command.time_in_force = TimeInForce::good_till_time;
    command.expire_time = Timestamp{now_ns_ + int64_t(id) * ns_per_second};
    run(command);
  }
  run(buy(1, 3, 1849, 1));
  now_ns_ += ns_per_minute;
  run(buy(1, 4, 1850, 5));
  EXPECT_EQ(types(), (std::vector{ET::expired, ET::expired, ET::accepted, ET::book_level}));
  EXPECT_EQ(events_[3].price.value, 1850);
  EXPECT_EQ(events_[3].quantity.value, 5);
  // A refused command after an expiry still reports the level the expiry emptied.
  Command command = buy(1, 5, 1849, 1);
  command.time_in_force = TimeInForce::good_till_time;
  command.expire_time = Timestamp{now_ns_ + ns_per_second};
  run(command);
  now_ns_ += ns_per_minute;
  run(buy(1, 5, 1849, 1));  // a duplicate id
  EXPECT_EQ(types(), (std::vector{ET::expired, ET::rejected, ET::order_status, ET::book_level}));
  EXPECT_EQ(events_[3].price.value, 1849);
  EXPECT_EQ(events_[3].quantity.value, 1);  // order 3 is still there
}

TEST_F(RiskMarket, GateClosureExpiresRestingOrdersAndStopsTrading) {
  run(buy(1, 1, 1850, 2));
  run(sell(3, 1, 1900, 2));
  now_ns_ = h100_spec().delivery_start().ns - 30 * ns_per_minute;
  run(buy(2, 1, 1850, 1));
  EXPECT_EQ(types(), (std::vector{ET::expired, ET::expired, ET::book_level, ET::book_level,
                                  ET::product_state, ET::rejected}));
  EXPECT_EQ(events_[0].expire_reason, ExpireReason::gate_closure);
  EXPECT_EQ(events_[4].product_state, ProductState::gate_closed);
  EXPECT_EQ(events_[5].reject_reason, RejectReason::product_not_trading);
  EXPECT_EQ(engine_.account(ParticipantId{1}).held.value, 0);
  EXPECT_EQ(engine_.capacity(ParticipantId{3}, product_).held.value, 0);
  now_ns_ = h100_spec().delivery_end().ns;
  run(Command{});
  ASSERT_EQ(types(), (std::vector{ET::product_state}));
  EXPECT_EQ(events_[0].product_state, ProductState::delivered);
}

TEST_F(RiskMarket, BadOrdersAreRejectedWithAReason) {
  struct Case {
    Command command;
    RejectReason reason;
  };
  std::vector<Case> cases;
  cases.push_back({order(1, 1, Side::buy, 1850, 1, ProductId{9}), RejectReason::unknown_product});
  cases.push_back({buy(1, 2, 0, 1), RejectReason::invalid_price});
  cases.push_back({buy(1, 3, -5, 1), RejectReason::invalid_price});
  cases.push_back({buy(1, 4, 1850, 0), RejectReason::invalid_quantity});
  cases.push_back({buy(1, 5, 1850, -1), RejectReason::invalid_quantity});
  cases.push_back({buy(1, 6, 1850, 2'000'000), RejectReason::invalid_quantity});
  cases.push_back({buy(1, 7, 200'000'000, 1), RejectReason::invalid_price});
  cases.push_back({buy(1000, 8, 1850, 1), RejectReason::unknown_participant});
  Command min_too_big = buy(1, 9, 1850, 2);
  min_too_big.min_quantity = Quantity{3};
  cases.push_back({min_too_big, RejectReason::invalid_min_quantity});
  Command market_post_only = buy(1, 10, 0, 1);
  market_post_only.order_type = OrderType::market;
  market_post_only.post_only = true;
  cases.push_back({market_post_only, RejectReason::invalid_order_type});
  Command ioc_post_only = buy(1, 11, 1850, 1);
  ioc_post_only.time_in_force = TimeInForce::immediate_or_cancel;
  ioc_post_only.post_only = true;
  cases.push_back({ioc_post_only, RejectReason::invalid_order_type});
  Command no_expiry = buy(1, 12, 1850, 1);
  no_expiry.time_in_force = TimeInForce::good_till_time;
  cases.push_back({no_expiry, RejectReason::invalid_expire_time});
  Command bad_type;
  bad_type.type = static_cast<CommandType>(200);
  cases.push_back({bad_type, RejectReason::unknown_command});
  for (const Case& c : cases) {
    run(c.command);
    ASSERT_EQ(events_.size(), 1u);
    EXPECT_EQ(events_[0].type, ET::rejected);
    EXPECT_EQ(events_[0].reject_reason, c.reason)
        << "client id " << c.command.client_order_id.value << " gave "
        << to_string(events_[0].reject_reason);
  }
  EXPECT_EQ(engine_.live_order_count(), 0u);
  EXPECT_EQ(engine_.account(ParticipantId{1}).held.value, 0);
}

TEST_F(RiskMarket, OrderWhoseNotionalWouldOverflowIsRejectedNotFatal) {
  ProductSpec spec = h100_spec("2026-12-09T00");
  spec.length = WindowLength::week;
  spec.lot_size_gpus = 1024;
  const ProductId huge = list(spec);
  // 1e8 x 1e6 lots x 1024 GPUs x 168 hours is past 2^63: refused, and the engine lives on.
  run(order(1, 1, Side::buy, 100'000'000, 1'000'000, huge));
  EXPECT_EQ(events_.at(0).reject_reason, RejectReason::invalid_quantity);
  run(order(3, 1, Side::sell, 100'000'000, 1'000'000, huge));
  EXPECT_EQ(events_.at(0).reject_reason, RejectReason::invalid_quantity);
  run(order(1, 2, Side::buy, 1850, 1, huge));
  run(replace(1, 2, 3, 100'000'000, 1'000'000));
  EXPECT_EQ(events_.at(0).reject_reason, RejectReason::invalid_quantity);
}

TEST_F(RiskMarket, PriceOffTheTickIsRejected) {
  ProductSpec spec = h100_spec("2026-12-02T08");
  spec.tick_size = 5;
  const ProductId coarse = list(spec);
  run(order(1, 1, Side::buy, 1852, 1, coarse));
  EXPECT_EQ(events_.at(0).reject_reason, RejectReason::invalid_price);
  run(order(1, 2, Side::buy, 1855, 1, coarse));
  EXPECT_EQ(events_.at(0).type, ET::accepted);
}

// All the cash on the exchange stays within 6 x amount_max (each account's within 4 x), so
// that no sum of it can overflow, here or in the ledger: past it a deposit is refused, and a
// withdrawal makes room again. Across participants too, since cash moves between them.
TEST_F(RiskMarket, DepositsPastTheExchangesCashLimitAreRefused) {
  const int64_t amount_max = engine_.config().limits.amount_max;
  const auto funds = [&](CommandType type, uint32_t participant, int64_t amount) {
    Command command;
    command.type = type;
    command.participant = ParticipantId{participant};
    command.amount = Cash{amount};
    return run(command).at(0);
  };
  int64_t deposited = 0;  // by the fixture's participants already
  for (uint32_t participant = 0; participant < 64; ++participant) {
    deposited += engine_.account(ParticipantId{participant}).available.value +
                 engine_.account(ParticipantId{participant}).held.value;
  }
  // Three participants with 2 x amount_max each, less what the others have: the exchange full.
  for (uint32_t participant : {10u, 11u}) {
    for (int i = 0; i < 2; ++i) {
      ASSERT_EQ(funds(CommandType::deposit, participant, amount_max).type, ET::balance);
    }
  }
  ASSERT_EQ(funds(CommandType::deposit, 12, amount_max).type, ET::balance);
  ASSERT_EQ(funds(CommandType::deposit, 12, amount_max - deposited).type, ET::balance);
  const Event refused = funds(CommandType::deposit, 13, 1);
  EXPECT_EQ(refused.type, ET::rejected);
  EXPECT_EQ(refused.reject_reason, RejectReason::invalid_amount);
  EXPECT_EQ(engine_.account(ParticipantId{13}).available.value, 0);

  ASSERT_EQ(funds(CommandType::withdraw, 10, 5).type, ET::balance);
  EXPECT_EQ(funds(CommandType::deposit, 13, 5).type, ET::balance);
  EXPECT_EQ(funds(CommandType::deposit, 13, 1).reject_reason, RejectReason::invalid_amount);

  // A snapshot keeps the total: the restored engine refuses the same deposit.
  std::vector<uint8_t> saved;
  engine_.save(saved);
  Engine restored(make_config());
  ASSERT_TRUE(restored.load(saved));
  EXPECT_EQ(restored.state_hash(), engine_.state_hash());
  Command one_more;
  one_more.type = CommandType::deposit;
  one_more.participant = ParticipantId{13};
  one_more.amount = Cash{1};
  one_more.sequence = SequenceNumber{sequence_ + 1};
  one_more.timestamp = Timestamp{now_ns_};
  std::vector<Event> events;
  restored.process(one_more, events);
  EXPECT_EQ(events.at(0).reject_reason, RejectReason::invalid_amount);
}

TEST_F(RiskMarket, BadFundsAndListingsAreRejected) {
  Command command;
  command.type = CommandType::deposit;
  command.participant = ParticipantId{1};
  command.amount = Cash{0};
  run(command);
  EXPECT_EQ(events_.at(0).reject_reason, RejectReason::invalid_amount);
  command.type = CommandType::register_capacity;
  command.product = ProductId{7};
  command.capacity = Quantity{1};
  run(command);
  EXPECT_EQ(events_.at(0).reject_reason, RejectReason::unknown_product);
  command = Command{};
  command.type = CommandType::list_product;
  command.spec = h100_spec();
  run(command);
  EXPECT_EQ(events_.at(0).reject_reason, RejectReason::duplicate_product);
  command.spec = h100_spec("2026-12-01T00");  // gate closed already
  run(command);
  EXPECT_EQ(events_.at(0).reject_reason, RejectReason::product_not_trading);
  command.spec = h100_spec("2026-12-03T00");
  command.spec.gpu = ShortName::from("h100");
  run(command);
  EXPECT_EQ(events_.at(0).reject_reason, RejectReason::invalid_product);
}

TEST(EngineDeterminism, SameCommandsGiveSameEventsAndHash) {
  auto run_market = [](int64_t last_price) {
    struct Run : EngineTest {
      void TestBody() override {}
    } market;
    market.list(h100_spec());
    market.deposit(1, 1'000'000'000);
    market.register_capacity(3, ProductId{0}, 100);
    std::vector<Event> all;
    for (auto command : {RiskMarket::sell(3, 1, 1850, 5), RiskMarket::buy(1, 1, 1850, 2),
                         RiskMarket::buy(1, 2, last_price, 1)}) {
      const auto& events = market.run(command);
      all.insert(all.end(), events.begin(), events.end());
    }
    return std::make_pair(all, market.engine_.state_hash());
  };
  const auto first = run_market(1840);
  const auto second = run_market(1840);
  const auto third = run_market(1841);
  EXPECT_EQ(first.first, second.first);
  EXPECT_EQ(first.second, second.second);
  EXPECT_NE(first.second, third.second);
}

// The state hash is how a recovery proves it rebuilt the state: a field of a resting order it
// did not see would let a snapshot or replay that lost the field pass. Each variant of one
// resting order differs from the base in one field only, and must hash differently.
TEST(EngineDeterminism, TheStateHashSeesEveryFieldOfARestingOrder) {
  auto hash_with = [](const Command& order) {
    struct Run : EngineTest {
      void TestBody() override {}
    } market;
    market.list(h100_spec());
    market.deposit(1, 1'000'000'000);
    market.deposit(2, 1'000'000'000);
    EXPECT_EQ(market.run(order).at(0).type, EventType::accepted);
    return market.engine_.state_hash();
  };
  Command base = RiskMarket::buy(1, 7, 1850, 5);
  base.time_in_force = TimeInForce::good_till_time;
  base.expire_time = Timestamp{t0_ns + 3'600'000'000'000};
  const uint64_t base_hash = hash_with(base);
  EXPECT_EQ(hash_with(base), base_hash);
  std::vector<std::pair<const char*, Command>> variants;
  auto vary = [&](const char* field, auto change) {
    Command variant = base;
    change(variant);
    variants.emplace_back(field, variant);
  };
  vary("participant", [](Command& c) { c.participant = ParticipantId{2}; });
  vary("client id", [](Command& c) { c.client_order_id = ClientOrderId{8}; });
  vary("price", [](Command& c) { c.price = Price{1849}; });
  vary("quantity", [](Command& c) { c.quantity = Quantity{4}; });
  vary("expire time", [](Command& c) { c.expire_time.ns += 1'000'000'000; });
  vary("time in force", [](Command& c) { c.time_in_force = TimeInForce::good_till_gate_closure; });
  vary("self-trade mode", [](Command& c) { c.self_trade = SelfTradePrevention::cancel_both; });
  vary("post-only", [](Command& c) { c.post_only = true; });
  for (const auto& [field, variant] : variants) {
    EXPECT_NE(hash_with(variant), base_hash) << "the hash does not see the order's " << field;
  }
}

// Every seller registers capacity for every window it sells, so a long-running exchange
// would fill any table of capacity accounts: a delivered product's accounts are freed.
class CapacityTable : public EngineTest {
 public:
  CapacityTable() : EngineTest(with_room_for(4)) {}
  static EngineConfig with_room_for(uint32_t accounts) {
    EngineConfig config = make_config();
    config.limits.capacity_accounts_max = accounts;
    return config;
  }
  // Runs commands on `engine` (this test's, or one restored from its snapshot) after those run
  // so far, all at `at_ns`: each engine numbers its commands on from sequence_.
  struct Continuation {
    Engine& engine;
    uint64_t sequence;
    int64_t at_ns;
    std::vector<Event> operator()(Command command) {
      command.sequence = SequenceNumber{++sequence};
      command.timestamp = Timestamp{at_ns};
      std::vector<Event> events;
      engine.process(command, events);
      return events;
    }
  };
  Continuation continue_on(Engine& engine, int64_t at_ns) const {
    return {engine, sequence_, at_ns};
  }
  Command registration(uint32_t seller, ProductId product) {
    Command command;
    command.type = CommandType::register_capacity;
    command.participant = ParticipantId{seller};
    command.product = product;
    command.capacity = Quantity{10};
    return command;
  }
};

TEST_F(CapacityTable, ADeliveredProductsCapacityAccountsAreFreed) {
  const ProductId early = list(h100_spec("2026-12-01T08"));
  const ProductId late = list(h100_spec("2026-12-03T08"));
  for (uint32_t seller = 1; seller <= 4; ++seller) register_capacity(seller, early, 10);
  run(sell(1, 1, 1900, 2));  // product 0: `early`
  EXPECT_EQ(engine_.capacity(ParticipantId{1}, early).held.value, 2);
  run(registration(5, late));
  EXPECT_EQ(events_.at(0).reject_reason, RejectReason::capacity_accounts_full);

  now_ns_ = h100_spec("2026-12-01T08").delivery_end().ns;
  run(Command{});  // a tick: gate closure (the ask expires), then delivery
  ASSERT_EQ(types(),
            (std::vector{ET::expired, ET::book_level, ET::product_state, ET::product_state}));
  EXPECT_EQ(events_[3].product_state, ProductState::delivered);
  EXPECT_EQ(engine_.capacity(ParticipantId{1}, early).available.value, 0);
  run(registration(1, early));
  EXPECT_EQ(events_.at(0).reject_reason, RejectReason::product_not_trading);
  for (uint32_t seller = 5; seller <= 7; ++seller) {
    run(registration(seller, late));
    EXPECT_EQ(events_.at(0).type, ET::capacity) << "seller " << seller;
  }

  // A restored engine knows each product's sellers too, and frees them at delivery.
  std::vector<uint8_t> bytes;
  engine_.save(bytes);
  Engine restored(with_room_for(4));
  ASSERT_TRUE(restored.load(bytes));
  const int64_t late_delivered_ns = h100_spec("2026-12-03T08").delivery_end().ns;
  for (Engine* engine : {&engine_, &restored}) {
    auto process = continue_on(*engine, late_delivered_ns);
    Command listing;
    listing.type = CommandType::list_product;
    listing.spec = h100_spec("2026-12-05T08");
    ASSERT_EQ(process(listing).back().type, ET::product_listed);  // after `late` is delivered
    for (uint32_t seller = 1; seller <= 4; ++seller) {
      EXPECT_EQ(process(registration(seller, ProductId{2})).at(0).type, ET::capacity)
          << "seller " << seller;
    }
  }
  EXPECT_EQ(restored.state_hash(), engine_.state_hash());
}

// A long-running exchange lists about 200 products a day and never forgets one, so what looks
// for open products (capacities, a listing's duplicate check, a mass cancel of every product)
// walks only those not yet delivered, in id order, and a restored engine knows which they are.
TEST_F(CapacityTable, DeliveredProductsDropOutOfCapacitiesListingsAndMassCancels) {
  const ProductId early = list(h100_spec("2026-12-01T08"));
  const ProductId middle = list(h100_spec("2026-12-02T08"));
  const ProductId late = list(h100_spec("2026-12-03T08"));
  register_capacity(1, late, 5);
  register_capacity(1, early, 3);
  register_capacity(2, middle, 4);
  using Capacities = std::vector<std::pair<ProductId, CapacityView>>;
  const auto ids = [](const Capacities& capacities) {
    std::vector<uint32_t> ids;
    for (const auto& [product, capacity] : capacities) ids.push_back(product.value);
    return ids;
  };
  EXPECT_EQ(ids(engine_.capacities(ParticipantId{1})), (std::vector{early.value, late.value}));

  now_ns_ = h100_spec("2026-12-01T08").delivery_end().ns;
  run(Command{});  // `early` closes and is delivered
  ASSERT_EQ(engine_.product_state(early), ProductState::delivered);
  EXPECT_EQ(ids(engine_.capacities(ParticipantId{1})), (std::vector{late.value}));
  EXPECT_EQ(ids(engine_.capacities(ParticipantId{2})), (std::vector{middle.value}));
  Command listing;
  listing.type = CommandType::list_product;
  listing.spec = h100_spec("2026-12-01T08");
  EXPECT_EQ(run(listing).at(0).reject_reason, RejectReason::product_not_trading);

  run(order(1, 1, Side::sell, 1900, 2, late));
  run(order(2, 1, Side::sell, 1900, 1, middle));
  std::vector<uint8_t> bytes;
  engine_.save(bytes);
  Engine restored(with_room_for(4));
  ASSERT_TRUE(restored.load(bytes));
  EXPECT_EQ(restored.capacities(ParticipantId{1}), engine_.capacities(ParticipantId{1}));

  for (Engine* engine : {&engine_, &restored}) {
    auto process = continue_on(*engine, now_ns_);
    listing.spec = h100_spec("2026-12-03T08");  // `late` is still open: a duplicate
    EXPECT_EQ(process(listing).at(0).reject_reason, RejectReason::duplicate_product);
    Command mass_cancel;
    mass_cancel.type = CommandType::mass_cancel;
    mass_cancel.participant = ParticipantId{1};
    const std::vector<Event> events = process(mass_cancel);
    ASSERT_EQ(events.size(), 2u);  // its ask on `late`, and that level emptied
    EXPECT_EQ(events[0].type, ET::canceled);
    EXPECT_EQ(events[0].product, late);
    EXPECT_EQ(events[1].type, ET::book_level);
    EXPECT_EQ(engine->capacity(ParticipantId{1}, late).available.value, 5);
    EXPECT_EQ(engine->capacity(ParticipantId{2}, middle).held.value, 1);  // untouched
  }
  EXPECT_EQ(restored.state_hash(), engine_.state_hash());
}

}  // namespace
}  // namespace ghx::matching::testing
