#pragma once
// Helpers for engine behaviour tests: build commands, run them, look at the events.

#include <gtest/gtest.h>

#include <vector>

#include "matching/engine.h"

namespace ghx::matching::testing {

// 2026-12-01T00:00Z; products below deliver from 2026-12-01T08.
constexpr int64_t t0_ns = int64_t{1796083200} * ns_per_second;

inline ProductSpec h100_spec(const char* start = "2026-12-01T08") {
  ProductSpec spec;
  spec.gpu = ShortName::from("H100SXM");
  spec.zone = ShortName::from("CN-EAST-1");
  EXPECT_TRUE(parse_utc_hour(start, spec.start_hour));
  spec.length = WindowLength::hour_1;
  return spec;
}

class EngineTest : public ::testing::Test {
 public:
  explicit EngineTest(EngineConfig config = make_config()) : engine_(config) {}

  static EngineConfig make_config() {
    EngineConfig config;
    config.limits.orders_max = 4096;
    config.limits.client_ids_max = 8192;
    config.limits.products_max = 16;
    config.limits.participants_max = 64;
    config.limits.price_levels_max = 4096;
    config.limits.capacity_accounts_max = 256;
    return config;
  }

  // Runs one command with the next sequence number at time `now_ns_`.
  const std::vector<Event>& run(Command command) {
    command.sequence = SequenceNumber{++sequence_};
    command.timestamp = Timestamp{now_ns_};
    events_.clear();
    engine_.process(command, events_);
    return events_;
  }

  // Runs a command that must be rejected, alone; returns the reason.
  RejectReason rejected_with(const Command& command) {
    const auto& events = run(command);
    EXPECT_EQ(events.size(), 1u);
    EXPECT_EQ(events.at(0).type, EventType::rejected);
    return events.at(0).reject_reason;
  }

  ProductId list(const ProductSpec& spec) {
    Command command;
    command.type = CommandType::list_product;
    command.spec = spec;
    const auto& events = run(command);
    EXPECT_EQ(events.size(), 1u);
    EXPECT_EQ(events.at(0).type, EventType::product_listed);
    return events.at(0).product;
  }

  void deposit(uint32_t participant, int64_t amount) {
    Command command;
    command.type = CommandType::deposit;
    command.participant = ParticipantId{participant};
    command.amount = Cash{amount};
    EXPECT_EQ(run(command).at(0).type, EventType::balance);
  }

  void register_capacity(uint32_t participant, ProductId product, int64_t lots) {
    Command command;
    command.type = CommandType::register_capacity;
    command.participant = ParticipantId{participant};
    command.product = product;
    command.capacity = Quantity{lots};
    EXPECT_EQ(run(command).at(0).type, EventType::capacity);
  }

  static Command order(uint32_t participant, uint64_t client_id, Side side, int64_t price,
                       int64_t lots, ProductId product = ProductId{0}) {
    Command command;
    command.type = CommandType::new_order;
    command.participant = ParticipantId{participant};
    command.client_order_id = ClientOrderId{client_id};
    command.product = product;
    command.side = side;
    command.price = Price{price};
    command.quantity = Quantity{lots};
    return command;
  }
  static Command buy(uint32_t participant, uint64_t client_id, int64_t price, int64_t lots) {
    return order(participant, client_id, Side::buy, price, lots);
  }
  static Command sell(uint32_t participant, uint64_t client_id, int64_t price, int64_t lots) {
    return order(participant, client_id, Side::sell, price, lots);
  }
  static Command cancel(uint32_t participant, uint64_t client_id) {
    Command command;
    command.type = CommandType::cancel_order;
    command.participant = ParticipantId{participant};
    command.orig_client_order_id = ClientOrderId{client_id};
    return command;
  }
  static Command replace(uint32_t participant, uint64_t orig_id, uint64_t new_id, int64_t price,
                         int64_t lots) {
    Command command;
    command.type = CommandType::replace_order;
    command.participant = ParticipantId{participant};
    command.orig_client_order_id = ClientOrderId{orig_id};
    command.client_order_id = ClientOrderId{new_id};
    command.price = Price{price};
    command.quantity = Quantity{lots};
    return command;
  }

  std::vector<Event> of_type(EventType type) const {
    std::vector<Event> found;
    for (const Event& event : events_) {
      if (event.type == type) found.push_back(event);
    }
    return found;
  }

  std::vector<EventType> types() const {
    std::vector<EventType> found;
    for (const Event& event : events_) found.push_back(event.type);
    return found;
  }

  // Resting quantity at the best `depth` levels of a side, as (price, lots) pairs.
  std::vector<std::pair<int64_t, int64_t>> book(Side side, ProductId product = ProductId{0}) {
    std::vector<std::pair<int64_t, int64_t>> levels;
    for (const LevelView& level : engine_.levels(product, side, 100)) {
      levels.emplace_back(level.price.value, level.quantity.value);
    }
    return levels;
  }

  Engine engine_;
  std::vector<Event> events_;
  uint64_t sequence_ = 0;
  int64_t now_ns_ = t0_ns;
};

}  // namespace ghx::matching::testing
