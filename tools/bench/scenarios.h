#pragma once
// Command streams for the engine benchmark, generated in full before anything is timed.
//
// Order commands are stored compactly (BenchOp, 24 bytes, against ~170 for a Command) so that
// millions of them fit beside the engine without dominating the process's peak RSS; replay
// expands each into one reused Command.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "matching/engine.h"

namespace ghx::bench {

struct BenchOp {
  uint32_t client_id = 0;       // new_order, replace: the new client order id
  uint32_t orig_client_id = 0;  // cancel, replace
  int32_t price = 0;            // minor units
  int32_t lots = 0;
  uint16_t participant = 0;
  matching::CommandType type = matching::CommandType::new_order;
  matching::Side side = matching::Side::buy;
  matching::TimeInForce time_in_force = matching::TimeInForce::good_till_gate_closure;
};
static_assert(sizeof(BenchOp) == 24);

struct Stream {
  std::string scenario;
  matching::EngineConfig config;
  std::vector<matching::Command> setup;  // listing, deposits, capacity: replayed untimed
  std::vector<BenchOp> ops;              // warm-up ops first, then the timed ones
  uint64_t warmup_ops = 0;
  // From the model engine the generator ran (scenarios that track live orders); 0 when none.
  uint64_t model_state_hash = 0;
};

// Names of every scenario, in the order `ghx-bench` runs them.
const std::vector<std::string>& scenario_names();

// Generates `timed_ops` measured operations (plus a warm-up) of the named scenario; seeded, so
// the same arguments always give the same stream. Throws std::invalid_argument on a bad name.
Stream generate_stream(std::string_view scenario, uint64_t timed_ops, uint64_t seed);

// The command a BenchOp stands for, with the given sequence number and timestamp.
inline void expand(const BenchOp& op, uint64_t sequence, int64_t timestamp_ns,
                   matching::Command& command) {
  command.type = op.type;
  command.sequence = matching::SequenceNumber{sequence};
  command.timestamp = matching::Timestamp{timestamp_ns};
  command.participant = matching::ParticipantId{op.participant};
  command.client_order_id = matching::ClientOrderId{op.client_id};
  command.orig_client_order_id = matching::ClientOrderId{op.orig_client_id};
  command.side = op.side;
  command.time_in_force = op.time_in_force;
  command.price = matching::Price{op.price};
  command.quantity = matching::Quantity{op.lots};
}

// Simulated sequencer time: commands are `command_spacing_ns` apart from `stream_start_ns`.
constexpr int64_t stream_start_ns = int64_t{1796083200} * matching::ns_per_second;  // 2026-12-01
constexpr int64_t command_spacing_ns = 100;

}  // namespace ghx::bench
