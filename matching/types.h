#pragma once
// Strong types for the matching engine: money, prices, quantities, ids and time.
//
// Each is a one-field struct so that a price cannot be passed where a quantity is expected.
// Money is never floating point: prices and cash are integer minor units of the exchange
// currency (1850 = 18.50 CNY), quantities are whole lots (a lot = lot_size GPUs).

#include <compare>
#include <cstdint>

namespace ghx::matching {

// Price per GPU-hour, in minor units of the exchange currency. A multiple of the product's tick.
struct Price {
  int64_t value = 0;
  auto operator<=>(const Price&) const = default;
};

// Order quantity in lots (one lot = the product's lot_size GPUs for the whole window).
struct Quantity {
  int64_t value = 0;
  auto operator<=>(const Quantity&) const = default;
};

// An amount of cash in minor units of the exchange currency.
struct Cash {
  int64_t value = 0;
  auto operator<=>(const Cash&) const = default;
};

// Assigned by the exchange: the sequence number of the command that created the order.
struct OrderId {
  uint64_t value = 0;
  auto operator<=>(const OrderId&) const = default;
};

// Chosen by the participant; unique per participant for the life of the exchange.
struct ClientOrderId {
  uint64_t value = 0;
  auto operator<=>(const ClientOrderId&) const = default;
};

struct ParticipantId {
  uint32_t value = 0;
  auto operator<=>(const ParticipantId&) const = default;
};

// Dense index of a listed product, assigned by the engine in listing order.
struct ProductId {
  uint32_t value = 0;
  auto operator<=>(const ProductId&) const = default;
};

// Sequential across the whole exchange, starting at 1.
struct TradeId {
  uint64_t value = 0;
  auto operator<=>(const TradeId&) const = default;
};

// Position of a command in the sequencer's single ordered stream, starting at 1.
struct SequenceNumber {
  uint64_t value = 0;
  auto operator<=>(const SequenceNumber&) const = default;
};

// Nanoseconds since the Unix epoch, UTC. Set by the sequencer, never read from a clock here.
struct Timestamp {
  int64_t ns = 0;
  auto operator<=>(const Timestamp&) const = default;
};

constexpr int64_t ns_per_second = 1'000'000'000;
constexpr int64_t ns_per_minute = 60 * ns_per_second;
constexpr int64_t ns_per_hour = 60 * ns_per_minute;

enum class Side : uint8_t { buy, sell };

constexpr Side opposite(Side side) { return side == Side::buy ? Side::sell : Side::buy; }

}  // namespace ghx::matching
