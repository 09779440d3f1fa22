// Randomized differential test: millions of random commands through the engine and through the
// reference engine; the event streams must be identical, event for event.
//
// Seeded and reproducible: a failure prints the seed and the command index. The number of
// commands defaults to 1,000,000 (GHX_DIFFERENTIAL_COMMANDS overrides it).

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <string>
#include <random>
#include <sstream>

#include "tests/matching/engine_fixture.h"
#include "tests/matching/reference_engine.h"

namespace ghx::matching::testing {
namespace {

constexpr uint32_t participants = 8;

std::string describe(const Event& e) {
  std::ostringstream out;
  out << to_string(e.type) << " seq=" << e.sequence.value << " t=" << e.timestamp.ns
      << " part=" << e.participant.value << " prod=" << e.product.value
      << " oid=" << e.order_id.value << " cid=" << e.client_order_id.value
      << " orig=" << e.orig_client_order_id.value << " side=" << int(e.side)
      << " px=" << e.price.value << " qty=" << e.quantity.value << " rem=" << e.remaining.value
      << " rej=" << to_string(e.reject_reason) << " cxl=" << to_string(e.cancel_reason)
      << " exp=" << to_string(e.expire_reason) << " trade=" << e.trade_id.value
      << " maker=" << e.maker_order_id.value << " mrem=" << e.maker_remaining.value
      << " avail=" << e.available_cash.value << " held=" << e.held_cash.value;
  return out.str();
}

// Generates a random but plausible stream: mostly orders near a wandering mid price, with
// cancels, replaces, funds, listings, time passing through gate closures, and bad input.
class CommandGenerator {
 public:
  explicit CommandGenerator(uint64_t seed) : random_(seed) {}

  Command next(int64_t now_ns, uint32_t product_count) {
    Command c;
    c.participant = ParticipantId{pick(participants)};
    const uint32_t roll = pick(1000);
    if (product_count == 0 || roll < 8) return listing(now_ns);
    // Mostly the newest products (the older ones have closed); now and then an unknown one.
    const uint32_t back = pick(std::min(product_count, 8u));
    c.product = ProductId{roll % 50 == 0 ? product_count : product_count - 1 - back};
    if (roll < 30) {
      c.type = pick(3) == 0 ? CommandType::withdraw : CommandType::deposit;
      c.amount = Cash{static_cast<int64_t>(pick(3'000'000)) - 1000};
    } else if (roll < 60) {
      c.type = CommandType::register_capacity;
      c.capacity = Quantity{static_cast<int64_t>(pick(60)) - 2};
    } else if (roll < 230) {
      c.type = CommandType::cancel_order;
      c.orig_client_order_id = ClientOrderId{recent_id(c.participant.value)};
    } else if (roll < 320) {
      c.type = CommandType::replace_order;
      c.orig_client_order_id = ClientOrderId{recent_id(c.participant.value)};
      c.client_order_id = ClientOrderId{fresh_id(c.participant.value)};
      c.price = Price{price_near_mid()};
      c.quantity = Quantity{static_cast<int64_t>(pick(12))};
    } else if (roll < 330) {
      c.type = CommandType::mass_cancel;
      c.has_product = pick(2) == 0;
    } else if (roll < 345) {
      c.type = CommandType::order_status;
      c.orig_client_order_id = ClientOrderId{recent_id(c.participant.value)};
    } else if (roll < 355) {
      c.type = CommandType::tick;
    } else {
      new_order(c, now_ns);
    }
    return c;
  }

  // 20 ms on average: a million commands span about five and a half hours of gate closures.
  int64_t time_step_ns() { return static_cast<int64_t>(pick(40)) * ns_per_second / 1000; }

 private:
  uint32_t pick(uint32_t bound) { return static_cast<uint32_t>(random_() % bound); }

  int64_t price_near_mid() {
    if (pick(20) == 0) mid_ += static_cast<int64_t>(pick(21)) - 10;
    mid_ = std::clamp<int64_t>(mid_, 200, 5000);
    return mid_ + static_cast<int64_t>(pick(15)) - 7;
  }

  uint64_t fresh_id(uint32_t participant) {
    if (pick(100) == 0) return recent_id(participant);  // a duplicate, on purpose
    return ++next_id_[participant];
  }

  uint64_t recent_id(uint32_t participant) {
    const uint64_t last = next_id_[participant];
    const uint64_t back = pick(40);
    return last > back ? last - back : 1;
  }

  Command listing(int64_t now_ns) {
    Command c;
    c.type = CommandType::list_product;
    c.spec = h100_spec();
    const char* gpus[] = {"H100SXM", "H20", "910B"};
    c.spec.gpu = ShortName::from(gpus[pick(3)]);
    c.spec.start_hour = now_ns / ns_per_hour + 1 + pick(6);  // some already past gate closure
    c.spec.length = pick(4) == 0 ? WindowLength::hour_4 : WindowLength::hour_1;
    c.spec.tick_size = pick(5) == 0 ? 5 : 1;
    if (pick(40) == 0) c.spec.lot_size_gpus = 0;  // invalid on purpose
    return c;
  }

  void new_order(Command& c, int64_t now_ns) {
    c.type = CommandType::new_order;
    c.client_order_id = ClientOrderId{fresh_id(c.participant.value)};
    c.side = pick(2) == 0 ? Side::buy : Side::sell;
    c.price = Price{price_near_mid()};
    c.quantity = Quantity{static_cast<int64_t>(pick(12))};  // 0 is invalid on purpose
    const uint32_t kind = pick(100);
    if (kind < 8) c.order_type = OrderType::market;
    if (kind >= 8 && kind < 20) c.time_in_force = TimeInForce::immediate_or_cancel;
    if (kind >= 20 && kind < 27) c.time_in_force = TimeInForce::fill_or_kill;
    if (kind >= 27 && kind < 40) {
      c.time_in_force = TimeInForce::good_till_time;
      c.expire_time = Timestamp{now_ns + static_cast<int64_t>(pick(120)) * ns_per_second -
                                5 * ns_per_second};
    }
    if (pick(10) == 0) c.post_only = true;
    if (pick(8) == 0) c.min_quantity = Quantity{static_cast<int64_t>(pick(14))};
    c.self_trade = static_cast<SelfTradePrevention>(pick(3));
  }

  std::mt19937_64 random_;
  int64_t mid_ = 1000;
  uint64_t next_id_[participants] = {};
};

uint64_t commands_to_run() {
  if (const char* text = std::getenv("GHX_DIFFERENTIAL_COMMANDS")) return std::stoull(text);
  return 1'000'000;
}

// With check_coverage, every kind of event and reason must have occurred in the stream.
void run_differential(uint64_t seed, uint64_t commands, bool check_coverage) {
  EngineConfig config = EngineTest::make_config();
  config.limits.products_max = 4096;
  config.limits.client_ids_max = 1 << 22;
  config.limits.capacity_accounts_max = 1 << 16;
  Engine engine(config);
  ReferenceEngine reference(config);
  CommandGenerator generator(seed);
  std::vector<Event> engine_events, reference_events;
  int64_t now_ns = t0_ns;
  uint64_t events_compared = 0, fills = 0;
  std::map<std::string, uint64_t> seen;  // event kinds and reasons the stream produced
  for (uint64_t i = 1; i <= commands; ++i) {
    now_ns += generator.time_step_ns();
    Command command = generator.next(now_ns, engine.product_count());
    command.sequence = SequenceNumber{i};
    command.timestamp = Timestamp{now_ns};
    engine_events.clear();
    reference_events.clear();
    engine.process(command, engine_events);
    reference.process(command, reference_events);
    const size_t shared = std::min(engine_events.size(), reference_events.size());
    for (size_t e = 0; e < shared; ++e) {
      ASSERT_EQ(engine_events[e], reference_events[e])
          << "seed " << seed << ", command " << i << ", event " << e
          << "\n engine:    " << describe(engine_events[e])
          << "\n reference: " << describe(reference_events[e]);
      const Event& event = engine_events[e];
      fills += event.type == EventType::fill;
      ++seen[std::string(to_string(event.type))];
      ++seen["cancel:" + std::string(to_string(event.cancel_reason))];
      ++seen["expire:" + std::string(to_string(event.expire_reason))];
      ++seen["reject:" + std::string(to_string(event.reject_reason))];
    }
    ASSERT_EQ(engine_events.size(), reference_events.size())
        << "seed " << seed << ", command " << i << ": event counts differ";
    events_compared += shared;
  }
  // The stream must have exercised the engine, not just bounced off validation.
  EXPECT_GT(fills, commands / 50);
  if (check_coverage) {
    for (int type = 0; type <= static_cast<int>(EventType::product_state); ++type) {
      EXPECT_GT(seen[std::string(to_string(static_cast<EventType>(type)))], 0u)
          << to_string(static_cast<EventType>(type));
    }
    for (int reason = 1; reason <= static_cast<int>(CancelReason::market_collar); ++reason) {
      EXPECT_GT(seen["cancel:" + std::string(to_string(static_cast<CancelReason>(reason)))], 0u)
          << to_string(static_cast<CancelReason>(reason));
    }
    EXPECT_GT(seen["expire:good_till_time"], 0u);
    EXPECT_GT(seen["expire:gate_closure"], 0u);
    for (const char* reason : {"unknown_product", "product_not_trading", "invalid_price",
                               "invalid_quantity", "invalid_min_quantity", "invalid_expire_time",
                               "invalid_order_type", "duplicate_client_order_id", "unknown_order",
                               "insufficient_cash", "insufficient_capacity", "post_only_would_cross",
                               "invalid_amount", "invalid_product", "duplicate_product"}) {
      EXPECT_GT(seen[std::string("reject:") + reason], 0u) << reason;
    }
  }
  std::printf("seed %llu: %llu commands, %llu events identical, %llu fills, %u products\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(commands),
              static_cast<unsigned long long>(events_compared),
              static_cast<unsigned long long>(fills), engine.product_count());
}

TEST(Differential, EngineMatchesReferenceOnRandomCommands) {
  run_differential(20261129, commands_to_run(), commands_to_run() >= 1'000'000);
}

TEST(Differential, EngineMatchesReferenceOnAnotherSeed) {
  run_differential(7, commands_to_run() / 4, false);
}

}  // namespace
}  // namespace ghx::matching::testing
