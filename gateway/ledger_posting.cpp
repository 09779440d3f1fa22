#include "gateway/ledger_posting.h"

namespace ghx::gateway {
namespace {

using matching::Event;
using matching::EventType;
using matching::Side;

ledger::ParticipantId party(matching::ParticipantId id) { return {id.value}; }
ledger::ProductId product_of(matching::ProductId id) { return {id.value}; }
ledger::Timestamp at(const Event& event) { return {event.timestamp.ns}; }

int64_t hold_of(const matching::Engine& engine, const Event& event, matching::Price price,
                matching::Quantity lots) {
  return matching::bid_hold(engine.product_spec(event.product), price, lots,
                            engine.config().fee_bps)
      .value;
}

// Holds move with the order: taken on accept, given back on cancel and expiry, moved on replace.
ledger::Result post_hold(const matching::Engine& engine, const Event& event,
                         matching::Price price, matching::Quantity lots, bool take,
                         ledger::Batch& batch) {
  if (lots.value == 0) return ledger::Result::ok;
  if (event.side == Side::buy) {
    const ledger::Cash amount{hold_of(engine, event, price, lots)};
    return take ? batch.hold_cash(party(event.participant), amount, at(event))
                : batch.release_cash(party(event.participant), amount, at(event));
  }
  const ledger::Lots amount{lots.value};
  return take ? batch.hold_capacity(party(event.participant), product_of(event.product), amount,
                                    at(event))
              : batch.release_capacity(party(event.participant), product_of(event.product),
                                       amount, at(event));
}

ledger::Result post_fill(const Event& event, ledger::Batch& batch) {
  const bool taker_buys = event.side == Side::buy;
  ledger::Fill fill;
  fill.trade_id = {event.trade_id.value};
  fill.sequence = {event.sequence.value};
  fill.timestamp_ns = at(event);
  fill.product = product_of(event.product);
  fill.buyer = party(taker_buys ? event.participant : event.maker_participant);
  fill.seller = party(taker_buys ? event.maker_participant : event.participant);
  fill.buyer_order_id = {taker_buys ? event.order_id.value : event.maker_order_id.value};
  fill.seller_order_id = {taker_buys ? event.maker_order_id.value : event.order_id.value};
  fill.price = {event.price.value};
  fill.lots = {event.quantity.value};
  fill.notional = {event.notional.value};
  fill.buyer_fee = {event.buyer_fee.value};
  fill.seller_fee = {event.seller_fee.value};
  fill.buyer_hold_released = {event.buyer_hold_released.value};
  return batch.settle_fill(fill);
}

ledger::Result post_listing(const matching::Engine& engine, const Event& event,
                            ledger::Batch& batch) {
  const matching::ProductSpec& spec = engine.product_spec(event.product);
  return batch.list_product(product_of(event.product), matching::format_symbol(spec),
                            spec.lot_size_gpus, spec.hours(), {spec.delivery_start().ns},
                            {spec.delivery_end().ns});
}

ledger::Result post_event(const ExchangeCommand& command, const matching::Engine& engine,
                          const Event& event, ledger::Batch& batch) {
  const matching::Command& c = command.engine;
  switch (event.type) {
    case EventType::accepted:
      return post_hold(engine, event, event.price, event.quantity, true, batch);
    case EventType::canceled:
    case EventType::expired:
      return post_hold(engine, event, event.price, event.quantity, false, batch);
    case EventType::replaced: {
      const auto released = post_hold(engine, event, event.previous_price,
                                      event.previous_remaining, false, batch);
      if (released != ledger::Result::ok) return released;
      return post_hold(engine, event, event.price, event.quantity, true, batch);
    }
    case EventType::fill: return post_fill(event, batch);
    case EventType::balance:
      return c.type == matching::CommandType::deposit
                 ? batch.deposit(party(c.participant), {c.amount.value}, at(event))
                 : batch.withdraw(party(c.participant), {c.amount.value}, at(event));
    case EventType::capacity:
      return batch.register_capacity(party(c.participant), product_of(c.product),
                                     {c.capacity.value}, at(event));
    case EventType::product_listed: return post_listing(engine, event, batch);
    case EventType::product_state:
      // Gate closure, a halt and a resume move no money: the orders they end come as their own
      // expired or canceled events, which release the holds above.
      if (event.product_state != matching::ProductState::delivered) return ledger::Result::ok;
      return batch.deliver(product_of(event.product), at(event));
    // A suspension or reinstatement moves no money either: the orders a suspension ends come as
    // their own canceled events, which release the holds above.
    case EventType::participant_state: return ledger::Result::ok;
    // The ledger pays sellers from the buyers' escrow when it sees the product delivered (the
    // event just after these): proceeds_paid is the engine's side of the same payments.
    case EventType::proceeds_paid: return ledger::Result::ok;
    case EventType::trade_failed:
      return batch.delivery_failure(ledger::TradeId{event.trade_id.value},
                                    ledger::Lots{event.quantity.value},
                                    ledger::Lots{event.remaining.value}, at(event));
    default: return ledger::Result::ok;  // rejects, trades, book levels, status: no money moves
  }
}

}  // namespace

ledger::Result post_to_ledger(const ExchangeCommand& command,
                              std::span<const matching::Event> events,
                              const matching::Engine& engine, ledger::Batch& batch) {
  const ledger::Timestamp now{command.engine.timestamp.ns};
  switch (command.kind) {
    case ExchangeCommandKind::add_participant:
      return batch.upsert_participant(party(command.engine.participant), command.name,
                                      command.roles);
    case ExchangeCommandKind::delivery_failure:  // journals before version 3 only
      // Those failed whole trades: no lots left open.
      return batch.delivery_failure(ledger::TradeId{command.engine.trade_id.value}, ledger::Lots{},
                                    ledger::Lots{}, now);
    case ExchangeCommandKind::session_opened:
    case ExchangeCommandKind::session_closed:
      return ledger::Result::ok;  // journaled only
    case ExchangeCommandKind::engine:
      break;
  }
  for (const Event& event : events) {
    const ledger::Result result = post_event(command, engine, event, batch);
    if (result != ledger::Result::ok) return result;
  }
  return ledger::Result::ok;
}

}  // namespace ghx::gateway
