#include "tools/bench/order_flow.h"

#include <algorithm>
#include <stdexcept>

namespace ghx::bench {

using matching::Command;
using matching::CommandType;
using matching::Event;
using matching::EventType;
using matching::Side;

namespace {

constexpr uint64_t live_key(uint32_t participant, uint64_t client_id) {
  return uint64_t{participant} << 32 | client_id;
}

matching::ProductSpec bench_product() {
  matching::ProductSpec spec;
  spec.gpu = matching::ShortName::from("H100SXM");
  spec.zone = matching::ShortName::from("CN-EAST-1");
  if (!matching::parse_utc_hour("2026-12-01T08", spec.start_hour)) {
    throw std::logic_error("bad bench product start");
  }
  spec.length = matching::WindowLength::hour_1;
  return spec;
}

void append(Stream& stream, Command command) {
  const uint64_t sequence = stream.setup.size() + 1;
  command.sequence = matching::SequenceNumber{sequence};
  command.timestamp = matching::Timestamp{stream_start_ns + int64_t(sequence) * command_spacing_ns};
  stream.setup.push_back(command);
}

}  // namespace

void append_setup(Stream& stream) {
  Command list;
  list.type = CommandType::list_product;
  list.spec = bench_product();
  append(stream, list);
  for (uint32_t buyer = 0; buyer < buyers_count; ++buyer) {
    Command deposit;
    deposit.type = CommandType::deposit;
    deposit.participant = matching::ParticipantId{buyer};
    deposit.amount = matching::Cash{buyer_deposit_minor};
    append(stream, deposit);
  }
  for (uint32_t seller = buyers_count; seller < buyers_count + sellers_count; ++seller) {
    Command registration;
    registration.type = CommandType::register_capacity;
    registration.participant = matching::ParticipantId{seller};
    registration.capacity = matching::Quantity{seller_capacity_lots};
    append(stream, registration);
  }
}

OrderFlow::OrderFlow(Stream& stream, uint64_t seed, bool track_live,
                     const matching::EngineConfig& model_config)
    : stream_(stream), rng_(seed), next_client_id_(buyers_count + sellers_count, 1) {
  if (!track_live) return;
  model_ = std::make_unique<matching::Engine>(model_config);
  events_.reserve(4096);
  for (const Command& command : stream_.setup) {
    events_.clear();
    model_->process(command, events_);
  }
}

uint16_t OrderFlow::pick_participant(Side side) {
  const uint32_t base = side == Side::buy ? 0 : buyers_count;
  return static_cast<uint16_t>(base + rng_.below(side == Side::buy ? buyers_count : sellers_count));
}

void OrderFlow::new_order(Side side, int32_t price, int32_t lots, matching::TimeInForce tif) {
  BenchOp op;
  op.type = CommandType::new_order;
  op.participant = pick_participant(side);
  op.client_id = next_client_id_[op.participant]++;
  op.side = side;
  op.price = price;
  op.lots = lots;
  op.time_in_force = tif;
  ++new_ids_;
  push(op);
}

void OrderFlow::cancel(const LiveOrder& order) {
  BenchOp op;
  op.type = CommandType::cancel_order;
  op.participant = order.participant;
  op.orig_client_id = order.client_id;
  op.side = order.side;
  push(op);
}

void OrderFlow::replace(const LiveOrder& order, int32_t price, int32_t lots) {
  BenchOp op;
  op.type = CommandType::replace_order;
  op.participant = order.participant;
  op.orig_client_id = order.client_id;
  op.client_id = next_client_id_[order.participant]++;
  op.side = order.side;
  op.price = price;
  op.lots = lots;
  ++new_ids_;
  push(op);
}

void OrderFlow::push(const BenchOp& op) {
  stream_.ops.push_back(op);
  if (!model_) return;
  const uint64_t sequence = stream_.setup.size() + stream_.ops.size();
  Command command;
  expand(op, sequence, stream_start_ns + int64_t(sequence) * command_spacing_ns, command);
  events_.clear();
  model_->process(command, events_);
  for (const Event& event : events_) observe(event);
  live_peak_ = std::max(live_peak_, model_->live_order_count());
}

void OrderFlow::observe(const Event& event) {
  const uint32_t participant = event.participant.value;
  switch (event.type) {
    case EventType::accepted:
      add_live({static_cast<uint16_t>(participant), uint32_t(event.client_order_id.value),
                event.side, int32_t(event.price.value), int32_t(event.quantity.value)});
      break;
    case EventType::fill:
      set_remaining(participant, event.client_order_id.value, event.remaining.value);
      set_remaining(event.maker_participant.value, event.maker_client_order_id.value,
                    event.maker_remaining.value);
      break;
    case EventType::canceled:
    case EventType::expired:
      remove_live(participant, event.client_order_id.value);
      break;
    case EventType::replaced:
      remove_live(participant, event.orig_client_order_id.value);
      add_live({static_cast<uint16_t>(participant), uint32_t(event.client_order_id.value),
                event.side, int32_t(event.price.value), int32_t(event.remaining.value)});
      break;
    default:
      break;
  }
}

void OrderFlow::add_live(const LiveOrder& order) {
  live_index_[live_key(order.participant, order.client_id)] = static_cast<uint32_t>(live_.size());
  live_.push_back(order);
}

void OrderFlow::remove_live(uint32_t participant, uint64_t client_id) {
  const auto found = live_index_.find(live_key(participant, client_id));
  if (found == live_index_.end()) throw std::logic_error("bench: unknown live order");
  const uint32_t index = found->second;
  live_index_.erase(found);
  if (index + 1 != live_.size()) {  // move the last one into the hole
    live_[index] = live_.back();
    live_index_[live_key(live_[index].participant, live_[index].client_id)] = index;
  }
  live_.pop_back();
}

void OrderFlow::set_remaining(uint32_t participant, uint64_t client_id, int64_t remaining_lots) {
  if (remaining_lots == 0) {
    remove_live(participant, client_id);
    return;
  }
  const auto found = live_index_.find(live_key(participant, client_id));
  if (found == live_index_.end()) throw std::logic_error("bench: unknown live order");
  live_[found->second].remaining_lots = static_cast<int32_t>(remaining_lots);
}

int32_t OrderFlow::non_crossing(Side side, int32_t price) const {
  if (!model_) return price;
  const auto best = model_->levels(matching::ProductId{0}, matching::opposite(side), 1);
  if (best.empty()) return price;
  const auto opposite_best = static_cast<int32_t>(best.front().price.value);
  return side == Side::buy ? std::min(price, opposite_best - 1) : std::max(price, opposite_best + 1);
}

uint64_t OrderFlow::model_state_hash() const { return model_ ? model_->state_hash() : 0; }

}  // namespace ghx::bench
