#pragma once
// Commands: the sequenced input of the engine. Each carries the sequence number and timestamp
// the sequencer gave it; the engine's state is a pure function of the commands it was given.

#include <cstdint>

#include "matching/product.h"
#include "matching/types.h"

namespace ghx::matching {

enum class CommandType : uint8_t {
  new_order,
  cancel_order,      // by (participant, orig_client_order_id)
  replace_order,     // orig_client_order_id -> client_order_id with a new price and/or quantity
  mass_cancel,       // every live order of the participant; of one product if has_product
  order_status,      // reports the live order's state (or that it is done)
  deposit,           // adds cash to the participant's available balance
  withdraw,          // removes available cash (held cash cannot be withdrawn)
  register_capacity, // adds sellable capacity (lots) of one product for a participant
  // Lists a new product; the engine assigns the next ProductId. With `expire_time` set the
  // product opens with a call auction that uncrosses then (before its gate closes).
  list_product,
  tick,              // carries only time: lets the sequencer advance the clock while idle
  // A trade's seller did not deliver: the buyer gets the notional back and a penalty from
  // the seller, and the seller's pending proceeds shrink. Carries the trade's facts (the
  // engine keeps no trades): participant = seller, counterparty = buyer, product, trade_id,
  // amount = notional, fee = the seller's fee on it.
  fail_trade,
  // Operator controls of one product. A halt stops trading in a trading product: new orders
  // and replaces are rejected (product_halted) while cancels, mass cancels and status still
  // work, so that participants can take risk off; resting orders stay, unless cancel_orders
  // asks for every one of them to be canceled (reason product_halted). Resume returns a halted
  // product to trading. The gate still closes on time while halted.
  halt_product,
  resume_product,
  // The operator's kill switch for one participant (a runaway algorithm, unpaid fees): every
  // live order of `participant` is canceled (reason participant_suspended) and its new orders
  // are rejected (participant_suspended) until it is reinstated. Funds, registrations and
  // failed trades of a suspended participant still go through: the operator settles them.
  suspend_participant,
  reinstate_participant,
  // A call auction of one product (an opening auction, or a reopening after a halt). Starting
  // one moves a trading or halted product to its call phase: limit orders (good till gate
  // closure or a time, without post-only or a minimum quantity) rest without matching, so the
  // book may cross; cancels and replaces work and match nothing. `expire_time`, when set, is
  // when the engine uncrosses by itself (before the gate closes); else the operator does.
  // Uncrossing trades the crossed part of the book at one price, the price that trades the
  // most lots (see engine_auction.cpp), and returns the product to trading.
  start_auction,
  uncross_auction,
  // A block order: one limit price and quantity over `windows` consecutive delivery windows,
  // filled in full in every window at once or not at all (an AI lab needs the whole run of
  // days, not some of them). Window 0 is `product`; window k is the open product of the same
  // GPU model, zone and window length starting k window lengths later. Each window's part is
  // an order of its own product (id = the command's sequence, the block's client id) that
  // trades as a fill-or-kill limit order would; nothing rests. Refused whole (one rejected
  // event naming the window at fault) when any window is missing or not in continuous
  // trading, or cannot fill in full now, or the funds or capacity for all of them are not
  // there. order_type, time_in_force, post_only, min_quantity and expire_time are not used.
  new_block_order,
};

enum class OrderType : uint8_t {
  limit,
  market,  // a limit at the opposite best +/- the engine's collar; remainder canceled
};

enum class TimeInForce : uint8_t {
  good_till_gate_closure,  // rests until filled, canceled or the product's gate closes
  good_till_time,          // as above, but also expires at expire_time
  immediate_or_cancel,     // fills what it can at once; the remainder is canceled
  fill_or_kill,            // fills in full at once or is canceled without trading
};

// Self-trade prevention: what happens when an order would trade against its owner's own order.
enum class SelfTradePrevention : uint8_t {
  cancel_taker,  // the default
  cancel_maker,
  cancel_both,
};

struct Command {
  CommandType type = CommandType::tick;
  SequenceNumber sequence;
  Timestamp timestamp;
  ParticipantId participant;

  // Orders.
  ProductId product;
  bool has_product = false;  // mass_cancel only: limit it to `product`
  ClientOrderId client_order_id;
  ClientOrderId orig_client_order_id;  // cancel, replace and status
  Side side = Side::buy;
  OrderType order_type = OrderType::limit;
  TimeInForce time_in_force = TimeInForce::good_till_gate_closure;
  SelfTradePrevention self_trade = SelfTradePrevention::cancel_taker;
  bool post_only = false;      // rejected rather than trade on entry
  bool cancel_orders = false;  // halt_product: cancel every resting order of the product too
  uint8_t windows = 0;         // new_block_order: how many consecutive windows (2 or more)
  Price price;                 // limit price; ignored for market orders
  Quantity quantity;           // lots; for replace, the new open quantity; fail_trade: the
                               // lots that failed
  Quantity min_quantity;       // 0 = none; else trade at least this many lots on entry or nothing
  Timestamp expire_time;       // good_till_time only; start_auction, list_product: when the
                               // call phase uncrosses (or 0: start_auction, by the operator)

  // Funds and capacity.
  Cash amount;                 // deposit, withdraw; fail_trade: the trade's notional
  Quantity capacity;           // register_capacity, lots of `product`; fail_trade: the trade's
                               // lots

  // fail_trade: the rest of the trade's facts (the whole trade's, whatever lots fail).
  TradeId trade_id;
  ParticipantId counterparty;  // the buyer
  Cash fee;                    // the seller's fee on the trade

  // Listing.
  ProductSpec spec;            // list_product

  bool operator==(const Command&) const = default;
};

}  // namespace ghx::matching
