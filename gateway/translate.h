#pragma once
// Wire <-> engine translation, for the exchange core that plugs into the gateway.
//
// Inbound: a validated wire message plus what only the core knows (the participant's id from
// the ledger, the product's id from the product table, the sequencer's number and time)
// becomes a matching::Command. Outbound: matching::Events become frames for the participant
// concerned (ExecutionReport) or for market data (BookDelta, Trade, ProductStatus). Pure
// functions.

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "gateway/bars.h"
#include "gateway/framing.h"
#include "matching/command.h"
#include "matching/event.h"

namespace ghx::gateway {

// Enum mappings (both directions where both exist).
matching::Side to_engine(wire::Side side);
matching::OrderType to_engine(wire::OrderType type);
matching::TimeInForce to_engine(wire::TimeInForce time_in_force);
matching::SelfTradePrevention to_engine(wire::SelfTradePrevention mode);
wire::Side to_wire(matching::Side side);
wire::OrderRejectReason to_wire(matching::RejectReason reason);
wire::CancelReason to_wire(matching::CancelReason reason);
wire::ExpireReason to_wire(matching::ExpireReason reason);
wire::WindowLength to_wire(matching::WindowLength length);
wire::ProductState to_wire(matching::ProductState state);

// Who and where a command comes from; the sequencer fills sequence and timestamp later.
struct CommandOrigin {
  matching::ParticipantId participant;
  matching::ProductId product;  // resolved from symbol/product_id by the core
};

// A NewOrder of windows >= 2 becomes a new_block_order over that many windows; else a new_order.
matching::Command new_order_command(const wire::NewOrder& order, const CommandOrigin& origin);
matching::Command cancel_order_command(const wire::CancelOrder& cancel,
                                       const CommandOrigin& origin);
matching::Command replace_order_command(const wire::ReplaceOrder& replace,
                                        const CommandOrigin& origin);
// `product` empty: every live order of the participant.
matching::Command mass_cancel_command(matching::ParticipantId participant,
                                      std::optional<matching::ProductId> product);
matching::Command order_status_command(const wire::OrderStatusRequest& request,
                                       matching::ParticipantId participant);

// What the exchange knows of an order beyond a single event, from the command that entered it
// (and the last replace): events carry neither the order type nor the time in force, and a fill
// or a status answer carries neither the order's limit price nor its quantity.
struct OrderFacts {
  matching::OrderType order_type = matching::OrderType::limit;
  matching::TimeInForce time_in_force = matching::TimeInForce::good_till_gate_closure;
  int64_t price = 0;     // limit price, ticks
  int64_t quantity = 0;  // order quantity, lots
  // A block order: how many windows, and which one (from 1) is trading now; 0 and 0 otherwise.
  uint8_t block_window = 0;
  uint8_t block_windows = 0;
};

// An execution report, as kept for resends and sent: the ExecutionReport's fields except the
// symbol (named by product_id) and report_sequence (given when sent).
struct ReportRecord {
  wire::ExecType exec_type = wire::ExecType::Accepted;
  uint64_t order_id = 0;
  uint64_t client_order_id = 0;
  uint64_t orig_client_order_id = 0;
  uint32_t product_id = 0;
  wire::Side side = wire::Side::Buy;
  bool has_order_facts = false;  // order_type and time_in_force are known
  wire::OrderType order_type = wire::OrderType::Limit;
  wire::TimeInForce time_in_force = wire::TimeInForce::GoodTillGateClosure;
  int64_t price = 0;
  int64_t quantity = 0;
  int64_t remaining = 0;
  wire::OrderStatus order_status = wire::OrderStatus::Live;
  wire::OrderRejectReason reject_reason = wire::OrderRejectReason::None;
  wire::CancelReason cancel_reason = wire::CancelReason::None;
  wire::ExpireReason expire_reason = wire::ExpireReason::None;
  bool fill = false;  // the fill fields below are set
  uint64_t trade_id = 0;
  int64_t fill_price = 0;
  int64_t fill_quantity = 0;
  wire::Liquidity liquidity = wire::Liquidity::None;
  int64_t fee = 0;
  int64_t notional = 0;
  uint64_t engine_sequence = 0;
  int64_t transact_time_ns = 0;
  // TradeFailed and ProceedsPaid: trade_id (failed only), notional and penalty are set.
  bool settlement = false;
  int64_t penalty = 0;
  // A block order's: which window (from 1; 0 in a refusal) of how many.
  uint8_t block_window = 0;
  uint8_t block_windows = 0;

  bool operator==(const ReportRecord&) const = default;
};

// The report that `event` means for `viewer` (see execution_report below), if any.
std::optional<ReportRecord> report_record(const matching::Event& event,
                                          matching::ParticipantId viewer,
                                          const OrderFacts* facts = nullptr);
// Its ExecutionReport frame, built in `builder` (cleared first; the frame lives there until the
// builder's next use).
std::span<const uint8_t> execution_report(flatbuffers::FlatBufferBuilder& builder,
                                          const ReportRecord& record, std::string_view symbol,
                                          uint64_t report_sequence);
// The bytes kept in the ledger (varints, ~40 bytes; `out` cleared first), and back. decode is
// false for bytes that are not a whole, valid encoding.
void encode(const ReportRecord& record, std::vector<uint8_t>& out);
bool decode(std::span<const uint8_t> bytes, ReportRecord& out);

// The ExecutionReport that `event` means for `viewer`, if any: accepted, rejected, canceled,
// replaced, expired, order_status, and both sides of a fill (taker and maker). Other event
// types, and fills in which `viewer` takes no part, give nothing. `facts`, when known, are those
// of the viewer's order (for a fill: the taker's or the maker's); they fill order_type,
// time_in_force, and price and quantity where the event lacks them. A reject that names no new
// client order id (cancel, status) carries the id of the order it was about.
std::optional<Frame> execution_report(const matching::Event& event,
                                      matching::ParticipantId viewer, std::string_view symbol,
                                      const OrderFacts* facts = nullptr);

// The same built in `builder` (cleared first): the finished frame lives in the builder until its
// next use, so that a sender that copies frames out allocates nothing per report. Empty when
// the event means nothing for `viewer`.
std::span<const uint8_t> execution_report(flatbuffers::FlatBufferBuilder& builder,
                                          const matching::Event& event,
                                          matching::ParticipantId viewer,
                                          std::string_view symbol, const OrderFacts* facts);

// Market data: a book_level event as a BookDelta, a trade event as a Trade.
Frame book_delta_frame(const matching::Event& book_level, uint64_t market_sequence);
Frame trade_frame(const matching::Event& trade, std::string_view symbol,
                  uint64_t market_sequence);
std::span<const uint8_t> book_delta_frame(flatbuffers::FlatBufferBuilder& builder,
                                          const matching::Event& book_level,
                                          uint64_t market_sequence);
std::span<const uint8_t> trade_frame(flatbuffers::FlatBufferBuilder& builder,
                                     const matching::Event& trade, std::string_view symbol,
                                     uint64_t market_sequence);
// A participant_state event (suspended or reinstated) as a ParticipantStatus.
Frame participant_status_frame(const matching::Event& participant_state, std::string_view name);
// A call phase's indicative uncross (price and lots; 0 and 0 when the book does not cross) as
// an AuctionIndicative.
Frame auction_indicative_frame(uint32_t product, std::string_view symbol, int64_t price,
                               int64_t lots, int64_t transact_time_ns);
// A product_state event (halted, in auction, trading again, gate closed, delivered) as a
// ProductStatus; after an uncross it carries the uncross price and lots.
// `uncross_time_ns`: a call phase's scheduled uncross (0: none, or not in a call phase).
Frame product_status_frame(const matching::Event& product_state, std::string_view symbol,
                           int64_t uncross_time_ns = 0);
std::span<const uint8_t> product_status_frame(flatbuffers::FlatBufferBuilder& builder,
                                              const matching::Event& product_state,
                                              std::string_view symbol, int64_t uncross_time_ns);
// A closed bar as a Bar; a product's recent bars as the BarList answering a BarsRequest.
std::span<const uint8_t> bar_frame(flatbuffers::FlatBufferBuilder& builder, const Bar& bar,
                                   std::string_view symbol);
Frame bar_list_frame(uint64_t request_id, uint32_t product, std::string_view symbol,
                     const std::vector<Bar>& bars, bool more);

}  // namespace ghx::gateway
