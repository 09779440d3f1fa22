#pragma once
// Events: the engine's output. A command produces zero or more events, in the order they
// happened; book_level events of a command come last, once the book is consistent again.

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>

#include "matching/command.h"
#include "matching/product.h"
#include "matching/types.h"

namespace ghx::matching {

enum class EventType : uint8_t {
  accepted,          // an order passed validation and risk; holds are taken
  rejected,          // a command was refused; nothing changed
  fill,              // private: one match between a maker and a taker order
  trade,             // public: the same match without participant identities
  canceled,          // an order left the book (or never rested) without filling in full
  replaced,          // an order took a new client order id, price and/or quantity
  expired,           // good-till-time reached, or the product's gate closed
  order_status,      // answer to an order_status command
  book_level,        // absolute resting quantity at (product, side, price); 0 removes the level
  balance,           // a participant's cash after deposit/withdraw (available, held)
  capacity,          // a participant's capacity of a product after registration (available, held)
  product_listed,    // a new product: its id (Engine::product_spec tells the rest)
  // A product moved to gate_closed, delivered, halted, auction or back to trading. After an
  // uncross (auction -> trading) it also carries the uncross price and the lots traded (0 and
  // 0 when the book did not cross).
  product_state,
  // Delivery end: a seller's proceeds of the product (notional less seller fee of every
  // trade not failed) reach its available cash. One per seller with proceeds, by participant
  // id, before the product_state (delivered) event.
  proceeds_paid,
  trade_failed,      // fail_trade applied: the buyer refunded, the seller penalised
  participant_state, // participant suspended (suspended = true) or reinstated
};

enum class RejectReason : uint8_t {
  none,
  unknown_product,
  product_not_trading,
  invalid_price,          // <= 0, above the maximum, or not a multiple of the tick
  invalid_quantity,       // <= 0 or above the maximum
  invalid_min_quantity,   // negative, or above the order's quantity
  invalid_expire_time,    // good_till_time in the past or absent
  invalid_order_type,     // e.g. post-only market or IOC, market fill-or-kill with min quantity
  duplicate_client_order_id,
  unknown_order,          // cancel/replace/status of an order that is not live
  insufficient_cash,
  insufficient_capacity,
  no_liquidity,           // market order with an empty opposite side
  post_only_would_cross,
  invalid_amount,         // deposit/withdraw/capacity <= 0 or too large
  orders_full,            // the engine's order pool is exhausted
  client_ids_full,        // the client order id table is full
  products_full,
  capacity_accounts_full, // the (participant, product) capacity table is full
  invalid_product,        // list_product with a bad spec
  duplicate_product,
  unknown_participant,    // participant id beyond the engine's limit
  unknown_command,
  trade_not_open,         // fail_trade of a trade already failed or delivered, or unknown here
  product_halted,         // new order or replace in a halted product; halt of a halted one
  product_not_halted,     // resume of a product that is not halted
  participant_suspended,  // new order of a suspended participant; suspension of one
  participant_not_suspended,  // reinstatement of a participant that is not suspended
  // In a product's call phase: an order type it does not take (market, IOC, FOK, post-only,
  // minimum quantity)
  invalid_in_auction,
  product_in_auction,     // start_auction of a product in its call phase; halt without
                          // cancel_orders of one (its book may cross)
  product_not_in_auction, // uncross of a product that is not in its call phase
  invalid_block,          // a block order of fewer than 2 windows, or more than the limit
  // A window of a block order is not listed, or not in continuous trading (halted, in its
  // call phase, gate closed); the event's product is that window (the first, if unlisted)
  block_window_not_trading,
  block_not_fillable,     // a window of a block order cannot fill in full now (its product)
};

enum class CancelReason : uint8_t {
  none,
  requested,             // cancel or mass cancel
  immediate_or_cancel,   // remainder of an IOC or market order
  fill_or_kill,          // could not fill in full
  min_quantity,          // could not fill the minimum quantity on entry
  self_trade,            // self-trade prevention
  market_collar,         // market order reached its protection collar
  product_halted,        // the operator halted the product and canceled its orders
  participant_suspended, // the operator suspended the order's owner
};

enum class ExpireReason : uint8_t { none, good_till_time, gate_closure };

enum class OrderStatus : uint8_t { live, done };

std::string_view to_string(EventType type);
std::string_view to_string(RejectReason reason);
std::string_view to_string(CancelReason reason);
std::string_view to_string(ExpireReason reason);

// One flat record for every kind of event (fields not used by a kind stay zero), so that
// events can be stored in a preallocated buffer, compared and hashed without allocation.
// Every field defaults to zero (a zero value, an enum's first enumerator): the constructor
// writes zeros over the whole event, so no field may default to anything else.
struct Event {
  // The one-byte fields first, together: no padding between them and the 8-byte fields.
  EventType type = EventType::accepted;
  Side side = Side::buy;               // of order_id; in a trade, the taker's side
  RejectReason reject_reason = RejectReason::none;
  CancelReason cancel_reason = CancelReason::none;
  ExpireReason expire_reason = ExpireReason::none;
  OrderStatus status = OrderStatus::live;
  ProductState product_state = ProductState::trading;
  bool suspended = false;              // participant_state: suspended, or reinstated

  ParticipantId participant;          // owner of order_id; the taker in a fill; the seller in
                                      // proceeds_paid and trade_failed
  ProductId product;
  SequenceNumber sequence;  // of the command that caused it
  Timestamp timestamp;

  OrderId order_id;
  ClientOrderId client_order_id;
  ClientOrderId orig_client_order_id;  // replaced: the id it had before
  Price price;                         // order's limit price; fill/trade/book_level price
  Quantity quantity;                   // order's quantity; fill/trade/book_level quantity
  Quantity remaining;                  // order_id's open quantity after this event

  // fill and trade (and trade_failed: trade_id, counterparty, notional, seller_fee, penalty)
  TradeId trade_id;
  OrderId maker_order_id;
  ParticipantId maker_participant;
  ParticipantId counterparty;  // trade_failed: the buyer
  ClientOrderId maker_client_order_id;
  Quantity maker_remaining;
  Cash buyer_fee;
  Cash seller_fee;
  Cash notional;  // price x lots x lot_size x hours; proceeds_paid: the amount paid
  Cash buyer_hold_released;  // fill: cash the buyer's hold gave up (pays notional + buyer fee)
  Cash penalty;   // trade_failed: what the seller paid the buyer (capped at its cash)

  // replaced: what the order was before, so that holds can be moved without asking the engine
  Price previous_price;
  Quantity previous_remaining;

  // balance, capacity; proceeds_paid: the seller's cash after
  Cash available_cash;
  Cash held_cash;
  Quantity available_capacity;
  Quantity held_capacity;

  // The engine makes two or three events a command (emplace_back()), so a new event's cost
  // counts: this writes the zeros as 13 16-byte stores and no loads, and GCC drops the member
  // initialisers' stores, which they overwrite. (The implicit constructor zero-fills with
  // `rep stos`; the member initialisers alone compile to some twenty stores of mixed widths;
  // copying a blank event costs a load for every store.)
  Event() { zero_fill(std::make_index_sequence<sizeof(Event) / 16>{}); }
  bool operator==(const Event&) const = default;

 private:
  template <size_t... chunk>
  void zero_fill(std::index_sequence<chunk...>) {
#if defined(__SSE2__)
    auto* chunks = reinterpret_cast<__m128i_u*>(this);  // may alias any object, unaligned
    (_mm_storeu_si128(chunks + chunk, _mm_setzero_si128()), ...);
#else
    std::memset(static_cast<void*>(this), 0, sizeof(Event));
#endif
  }
};
static_assert(sizeof(Event) % 16 == 0);
static_assert(EventType{} == EventType::accepted && Side{} == Side::buy &&
              RejectReason{} == RejectReason::none && CancelReason{} == CancelReason::none &&
              ExpireReason{} == ExpireReason::none && OrderStatus{} == OrderStatus::live &&
              ProductState{} == ProductState::trading,
              "Event's enum fields default to their zero enumerators");
}  // namespace ghx::matching
