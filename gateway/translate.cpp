#include "gateway/translate.h"

#include <cassert>

#include "ledger/varint_codec.h"

namespace ghx::gateway {
namespace {

using ledger::read_enum;
using ledger::VarintReader;
using ledger::VarintWriter;
using matching::EventType;

// These wire enums mirror the engine's by position; the asserts catch a reordering on either
// side. RejectReason grows in the middle, and the wire's CancelReason has a Disconnect the
// engine lacks, so those two are mapped by name instead.
static_assert(static_cast<int>(wire::ExpireReason::GateClosure) ==
              static_cast<int>(matching::ExpireReason::gate_closure));
static_assert(static_cast<int>(wire::TimeInForce::FillOrKill) ==
              static_cast<int>(matching::TimeInForce::fill_or_kill));
static_assert(static_cast<int>(wire::SelfTradePrevention::CancelBoth) ==
              static_cast<int>(matching::SelfTradePrevention::cancel_both));
static_assert(static_cast<int>(wire::WindowLength::Week) ==
              static_cast<int>(matching::WindowLength::week));
static_assert(static_cast<int>(wire::ProductState::Delivered) ==
              static_cast<int>(matching::ProductState::delivered));
static_assert(static_cast<int>(wire::ProductState::Halted) ==
              static_cast<int>(matching::ProductState::halted));
static_assert(static_cast<int>(wire::ProductState::Auction) ==
              static_cast<int>(matching::ProductState::auction));
static_assert(wire::ProductState::MAX == wire::ProductState::Auction,
              "a new wire ProductState needs its engine state (and this mapping) checked");

constexpr size_t builder_initial_bytes = 512;

// finish_frame without the copy: the frame stays in the builder.
std::span<const uint8_t> finish_in_builder(flatbuffers::FlatBufferBuilder& builder,
                                           wire::Body type, flatbuffers::Offset<void> body) {
  builder.ForceDefaults(true);  // keeps the zero sequence and time, to be stamped by the sender
  wire::MessageBuilder message(builder);
  message.add_sequence(0);
  message.add_sending_time_ns(0);
  message.add_body_type(type);
  message.add_body(body);
  const auto root = message.Finish();
  builder.ForceDefaults(false);
  wire::FinishSizePrefixedMessageBuffer(builder, root);
  return {builder.GetBufferPointer(), builder.GetSize()};
}

Frame to_frame(std::span<const uint8_t> bytes) { return Frame(bytes.begin(), bytes.end()); }

wire::OrderType wire_order_type(matching::OrderType type) {
  return type == matching::OrderType::market ? wire::OrderType::Market : wire::OrderType::Limit;
}

std::optional<wire::ExecType> order_exec_type(EventType type) {
  switch (type) {
    case EventType::accepted: return wire::ExecType::Accepted;
    case EventType::rejected: return wire::ExecType::Rejected;
    case EventType::canceled: return wire::ExecType::Canceled;
    case EventType::replaced: return wire::ExecType::Replaced;
    case EventType::expired: return wire::ExecType::Expired;
    case EventType::order_status: return wire::ExecType::Status;
    default: return std::nullopt;
  }
}

wire::OrderStatus order_status(const matching::Event& event, const ReportRecord& record) {
  if (event.type == EventType::order_status) {
    return event.status == matching::OrderStatus::live ? wire::OrderStatus::Live
                                                       : wire::OrderStatus::Done;
  }
  // A settlement (a failed trade, paid proceeds) is about money, not an open order.
  const bool ended = record.settlement || record.exec_type == wire::ExecType::Rejected ||
                     record.exec_type == wire::ExecType::Canceled ||
                     record.exec_type == wire::ExecType::Expired || record.remaining == 0;
  // A block's window filled in full is not the block done while windows after it are to come.
  const bool windows_to_come = record.block_window != 0 &&
                               record.block_window < record.block_windows &&
                               record.exec_type != wire::ExecType::Rejected;
  return ended && !windows_to_come ? wire::OrderStatus::Done : wire::OrderStatus::Live;
}

// Fills in what every kind of report shares, once the kind-specific fields are set.
void complete_record(const matching::Event& event, const OrderFacts* facts, ReportRecord& r) {
  r.orig_client_order_id = event.orig_client_order_id.value;
  r.product_id = event.product.value;
  if (facts != nullptr) {
    r.has_order_facts = true;
    r.order_type = wire_order_type(facts->order_type);
    r.time_in_force = static_cast<wire::TimeInForce>(facts->time_in_force);
    r.block_windows = facts->block_windows;
    // A refusal is of the whole block: it names no window of its own.
    r.block_window = r.exec_type == wire::ExecType::Rejected ? 0 : facts->block_window;
  }
  r.order_status = order_status(event, r);
  r.reject_reason = to_wire(event.reject_reason);
  r.cancel_reason = to_wire(event.cancel_reason);
  r.expire_reason = to_wire(event.expire_reason);
  // A fill's price and quantity are the fill's; the order's own come from what is known of it.
  r.price = r.fill || event.price.value == 0 ? (facts != nullptr ? facts->price : 0)
                                             : event.price.value;
  r.quantity = r.fill || event.quantity.value == 0 ? (facts != nullptr ? facts->quantity : 0)
                                                   : event.quantity.value;
  if (r.fill) {
    r.trade_id = event.trade_id.value;
    r.fill_price = event.price.value;
    r.fill_quantity = event.quantity.value;
    r.notional = event.notional.value;
  }
  r.engine_sequence = event.sequence.value;
  r.transact_time_ns = event.timestamp.ns;
}

std::optional<ReportRecord> fill_record(const matching::Event& event,
                                        matching::ParticipantId viewer) {
  // A self-trade (both sides the viewer) cannot reach here: STP prevents it.
  const bool taker = event.participant == viewer;
  if (!taker && event.maker_participant != viewer) return std::nullopt;
  const matching::Side side = taker ? event.side : matching::opposite(event.side);
  ReportRecord r;
  r.remaining = taker ? event.remaining.value : event.maker_remaining.value;
  r.exec_type = r.remaining == 0 ? wire::ExecType::Filled : wire::ExecType::PartiallyFilled;
  r.order_id = taker ? event.order_id.value : event.maker_order_id.value;
  r.client_order_id = taker ? event.client_order_id.value : event.maker_client_order_id.value;
  r.side = to_wire(side);
  r.liquidity = taker ? wire::Liquidity::Taker : wire::Liquidity::Maker;
  r.fee = side == matching::Side::buy ? event.buyer_fee.value : event.seller_fee.value;
  r.fill = true;
  return r;
}

// A failed trade, to its seller (event.participant) and its buyer (event.counterparty); paid
// proceeds, to the seller. The side is the viewer's in the trade.
std::optional<ReportRecord> settlement_record(const matching::Event& event,
                                              matching::ParticipantId viewer) {
  const bool failed = event.type == EventType::trade_failed;
  const bool seller = event.participant == viewer;
  if (!seller && !(failed && event.counterparty == viewer)) return std::nullopt;
  ReportRecord r;
  r.exec_type = failed ? wire::ExecType::TradeFailed : wire::ExecType::ProceedsPaid;
  r.side = seller ? wire::Side::Sell : wire::Side::Buy;
  r.settlement = true;
  r.trade_id = event.trade_id.value;
  // A failure costs the seller the refund less the fee it no longer pays on the failed lots;
  // the buyer gets the refund.
  r.notional =
      failed && seller ? event.notional.value - event.seller_fee.value : event.notional.value;
  r.penalty = event.penalty.value;
  // trade_failed: the lots of the trade still open (the failed lots are its quantity).
  r.remaining = failed ? event.remaining.value : 0;
  return r;
}

}  // namespace

matching::Side to_engine(wire::Side side) {
  return side == wire::Side::Sell ? matching::Side::sell : matching::Side::buy;
}
matching::OrderType to_engine(wire::OrderType type) {
  return type == wire::OrderType::Market ? matching::OrderType::market
                                         : matching::OrderType::limit;
}
matching::TimeInForce to_engine(wire::TimeInForce time_in_force) {
  return static_cast<matching::TimeInForce>(time_in_force);  // validated and mirrored
}
matching::SelfTradePrevention to_engine(wire::SelfTradePrevention mode) {
  return static_cast<matching::SelfTradePrevention>(mode);
}
wire::Side to_wire(matching::Side side) {
  return side == matching::Side::sell ? wire::Side::Sell : wire::Side::Buy;
}
wire::OrderRejectReason to_wire(matching::RejectReason reason) {
  using In = matching::RejectReason;
  using Out = wire::OrderRejectReason;
  switch (reason) {  // no default: -Wswitch names any reason the engine adds
    case In::none: return Out::None;
    case In::unknown_product: return Out::UnknownProduct;
    case In::product_not_trading: return Out::ProductNotTrading;
    case In::invalid_price: return Out::InvalidPrice;
    case In::invalid_quantity: return Out::InvalidQuantity;
    case In::invalid_min_quantity: return Out::InvalidMinQuantity;
    case In::invalid_expire_time: return Out::InvalidExpireTime;
    case In::invalid_order_type: return Out::InvalidOrderType;
    case In::duplicate_client_order_id: return Out::DuplicateClientOrderId;
    case In::unknown_order: return Out::UnknownOrder;
    case In::insufficient_cash: return Out::InsufficientCash;
    case In::insufficient_capacity: return Out::InsufficientCapacity;
    case In::no_liquidity: return Out::NoLiquidity;
    case In::post_only_would_cross: return Out::PostOnlyWouldCross;
    case In::invalid_amount: return Out::InvalidAmount;
    case In::orders_full: return Out::OrdersFull;
    case In::client_ids_full: return Out::ClientIdsFull;
    case In::products_full: return Out::ProductsFull;
    case In::capacity_accounts_full: return Out::CapacityAccountsFull;
    case In::invalid_product: return Out::InvalidProduct;
    case In::duplicate_product: return Out::DuplicateProduct;
    case In::unknown_participant: return Out::UnknownParticipant;
    case In::unknown_command: return Out::UnknownCommand;
    case In::trade_not_open: return Out::TradeNotOpen;
    case In::product_halted: return Out::ProductHalted;
    case In::product_not_halted: return Out::ProductNotHalted;
    case In::participant_suspended: return Out::ParticipantSuspended;
    case In::participant_not_suspended: return Out::ParticipantNotSuspended;
    case In::invalid_in_auction: return Out::InvalidInAuction;
    case In::product_in_auction: return Out::ProductInAuction;
    case In::product_not_in_auction: return Out::ProductNotInAuction;
    case In::invalid_block: return Out::InvalidBlock;
    case In::block_window_not_trading: return Out::BlockWindowNotTrading;
    case In::block_not_fillable: return Out::BlockNotFillable;
  }
  return Out::UnknownCommand;
}
wire::CancelReason to_wire(matching::CancelReason reason) {
  using In = matching::CancelReason;
  using Out = wire::CancelReason;
  switch (reason) {  // no default: -Wswitch names any reason the engine adds
    case In::none: return Out::None;
    case In::requested: return Out::Requested;
    case In::immediate_or_cancel: return Out::ImmediateOrCancel;
    case In::fill_or_kill: return Out::FillOrKill;
    case In::min_quantity: return Out::MinQuantity;
    case In::self_trade: return Out::SelfTrade;
    case In::market_collar: return Out::MarketCollar;
    case In::product_halted: return Out::ProductHalted;
    case In::participant_suspended: return Out::ParticipantSuspended;
  }
  return Out::None;
}
wire::ExpireReason to_wire(matching::ExpireReason reason) {
  return static_cast<wire::ExpireReason>(reason);
}
wire::WindowLength to_wire(matching::WindowLength length) {
  return static_cast<wire::WindowLength>(length);
}
wire::ProductState to_wire(matching::ProductState state) {
  return static_cast<wire::ProductState>(state);
}

matching::Command new_order_command(const wire::NewOrder& order, const CommandOrigin& origin) {
  matching::Command command;
  // Windows 0 and 1 mean this product alone: a plain order.
  const bool block = order.windows() >= 2;
  command.type = block ? matching::CommandType::new_block_order : matching::CommandType::new_order;
  command.windows = block ? order.windows() : 0;
  command.participant = origin.participant;
  command.product = origin.product;
  command.client_order_id = {order.client_order_id()};
  command.side = to_engine(order.side());
  command.order_type = to_engine(order.order_type());
  command.time_in_force = to_engine(order.time_in_force());
  command.self_trade = to_engine(order.self_trade());
  command.post_only = order.post_only();
  command.price = {order.price()};
  command.quantity = {order.quantity()};
  command.min_quantity = {order.min_quantity()};
  command.expire_time = {order.expire_time_ns()};
  return command;
}

matching::Command cancel_order_command(const wire::CancelOrder& cancel,
                                       const CommandOrigin& origin) {
  matching::Command command;
  command.type = matching::CommandType::cancel_order;
  command.participant = origin.participant;
  command.product = origin.product;
  command.orig_client_order_id = {cancel.orig_client_order_id()};
  return command;
}

matching::Command replace_order_command(const wire::ReplaceOrder& replace,
                                        const CommandOrigin& origin) {
  matching::Command command;
  command.type = matching::CommandType::replace_order;
  command.participant = origin.participant;
  command.product = origin.product;
  command.orig_client_order_id = {replace.orig_client_order_id()};
  command.client_order_id = {replace.client_order_id()};
  command.price = {replace.price()};
  command.quantity = {replace.quantity()};
  return command;
}

matching::Command mass_cancel_command(matching::ParticipantId participant,
                                      std::optional<matching::ProductId> product) {
  matching::Command command;
  command.type = matching::CommandType::mass_cancel;
  command.participant = participant;
  command.has_product = product.has_value();
  if (product) command.product = *product;
  return command;
}

matching::Command order_status_command(const wire::OrderStatusRequest& request,
                                       matching::ParticipantId participant) {
  matching::Command command;
  command.type = matching::CommandType::order_status;
  command.participant = participant;
  command.orig_client_order_id = {request.orig_client_order_id()};
  return command;
}

std::optional<ReportRecord> report_record(const matching::Event& event,
                                          matching::ParticipantId viewer,
                                          const OrderFacts* facts) {
  std::optional<ReportRecord> record;
  if (event.type == EventType::fill) {
    record = fill_record(event, viewer);
  } else if (event.type == EventType::trade_failed || event.type == EventType::proceeds_paid) {
    record = settlement_record(event, viewer);
  } else if (const std::optional<wire::ExecType> exec_type = order_exec_type(event.type);
             exec_type && event.participant == viewer) {
    record.emplace();
    record->exec_type = *exec_type;
    record->order_id = event.order_id.value;
    // A refused cancel or status request has no client order id of its own: name the order.
    record->client_order_id = event.type == EventType::rejected && event.client_order_id.value == 0
                                  ? event.orig_client_order_id.value
                                  : event.client_order_id.value;
    record->side = to_wire(event.side);
    record->remaining = event.remaining.value;
  }
  if (record) complete_record(event, facts, *record);
  return record;
}

std::span<const uint8_t> execution_report(flatbuffers::FlatBufferBuilder& builder,
                                          const ReportRecord& r, std::string_view symbol,
                                          uint64_t report_sequence) {
  builder.Clear();
  const auto symbol_offset = builder.CreateString(symbol.data(), symbol.size());
  wire::ExecutionReportBuilder report(builder);
  report.add_exec_type(r.exec_type);
  report.add_order_id(r.order_id);
  report.add_client_order_id(r.client_order_id);
  report.add_orig_client_order_id(r.orig_client_order_id);
  report.add_product_id(r.product_id);
  report.add_symbol(symbol_offset);
  report.add_side(r.side);
  if (r.has_order_facts) {
    report.add_order_type(r.order_type);
    report.add_time_in_force(r.time_in_force);
  }
  report.add_remaining(r.remaining);
  report.add_order_status(r.order_status);
  report.add_reject_reason(r.reject_reason);
  report.add_cancel_reason(r.cancel_reason);
  report.add_expire_reason(r.expire_reason);
  report.add_price(r.price);
  report.add_quantity(r.quantity);
  if (r.fill) {
    report.add_trade_id(r.trade_id);
    report.add_fill_price(r.fill_price);
    report.add_fill_quantity(r.fill_quantity);
    report.add_liquidity(r.liquidity);
    report.add_fee(r.fee);
    report.add_notional(r.notional);
  }
  if (r.settlement) {
    report.add_trade_id(r.trade_id);
    report.add_notional(r.notional);
    report.add_penalty(r.penalty);
  }
  report.add_engine_sequence(r.engine_sequence);
  report.add_transact_time_ns(r.transact_time_ns);
  report.add_report_sequence(report_sequence);
  report.add_block_window(r.block_window);
  report.add_block_windows(r.block_windows);
  return finish_in_builder(builder, wire::Body::ExecutionReport, report.Finish().Union());
}

// Version byte, then every field in declaration order; enums one byte each. Version 2 added
// the settlement fields at the end, version 3 a block's window and windows; kept records of
// the versions before still decode (for resends).
constexpr uint8_t report_record_version = 3;

void encode(const ReportRecord& r, std::vector<uint8_t>& out) {
  out.clear();
  VarintWriter w(out);
  w.u8(report_record_version);
  w.u8(static_cast<uint8_t>(r.exec_type));
  w.varint(r.order_id);
  w.varint(r.client_order_id);
  w.varint(r.orig_client_order_id);
  w.varint(r.product_id);
  w.u8(static_cast<uint8_t>(r.side));
  w.u8(r.has_order_facts ? 1 : 0);
  w.u8(static_cast<uint8_t>(r.order_type));
  w.u8(static_cast<uint8_t>(r.time_in_force));
  w.zigzag(r.price);
  w.zigzag(r.quantity);
  w.zigzag(r.remaining);
  w.u8(static_cast<uint8_t>(r.order_status));
  w.u8(static_cast<uint8_t>(r.reject_reason));
  w.u8(static_cast<uint8_t>(r.cancel_reason));
  w.u8(static_cast<uint8_t>(r.expire_reason));
  w.u8(r.fill ? 1 : 0);
  if (r.fill) {
    w.varint(r.trade_id);
    w.zigzag(r.fill_price);
    w.zigzag(r.fill_quantity);
    w.u8(static_cast<uint8_t>(r.liquidity));
    w.zigzag(r.fee);
    w.zigzag(r.notional);
  }
  w.varint(r.engine_sequence);
  w.zigzag(r.transact_time_ns);
  w.u8(r.settlement ? 1 : 0);
  if (r.settlement) {
    w.varint(r.trade_id);
    w.zigzag(r.notional);
    w.zigzag(r.penalty);
  }
  w.u8(r.block_window);
  w.u8(r.block_windows);
}

bool decode(std::span<const uint8_t> bytes, ReportRecord& out) {
  VarintReader in(bytes);
  ReportRecord r;
  uint8_t version = 0;
  bool ok = in.u8(version) && version >= 1 && version <= report_record_version &&
            read_enum(in, r.exec_type, static_cast<uint8_t>(wire::ExecType::MAX)) &&
            in.varint(r.order_id) && in.varint(r.client_order_id) &&
            in.varint(r.orig_client_order_id) && in.u32(r.product_id) &&
            read_enum(in, r.side, static_cast<uint8_t>(wire::Side::MAX)) &&
            in.flag(r.has_order_facts) &&
            read_enum(in, r.order_type, static_cast<uint8_t>(wire::OrderType::MAX)) &&
            read_enum(in, r.time_in_force, static_cast<uint8_t>(wire::TimeInForce::MAX)) &&
            in.zigzag(r.price) && in.zigzag(r.quantity) && in.zigzag(r.remaining) &&
            read_enum(in, r.order_status, static_cast<uint8_t>(wire::OrderStatus::MAX)) &&
            read_enum(in, r.reject_reason, static_cast<uint8_t>(wire::OrderRejectReason::MAX)) &&
            read_enum(in, r.cancel_reason, static_cast<uint8_t>(wire::CancelReason::MAX)) &&
            read_enum(in, r.expire_reason, static_cast<uint8_t>(wire::ExpireReason::MAX)) &&
            in.flag(r.fill);
  if (ok && r.fill) {
    ok = in.varint(r.trade_id) && in.zigzag(r.fill_price) && in.zigzag(r.fill_quantity) &&
         read_enum(in, r.liquidity, static_cast<uint8_t>(wire::Liquidity::MAX)) &&
         in.zigzag(r.fee) && in.zigzag(r.notional);
  }
  ok = ok && in.varint(r.engine_sequence) && in.zigzag(r.transact_time_ns);
  if (ok && version >= 2) ok = in.flag(r.settlement);
  if (ok && r.settlement) {
    ok = !r.fill && in.varint(r.trade_id) && in.zigzag(r.notional) && in.zigzag(r.penalty);
  }
  if (ok && version >= 3) {
    ok = in.u8(r.block_window) && in.u8(r.block_windows) && r.block_window <= r.block_windows;
  }
  ok = ok && in.done();
  if (ok) out = r;
  return ok;
}

std::span<const uint8_t> execution_report(flatbuffers::FlatBufferBuilder& builder,
                                          const matching::Event& event,
                                          matching::ParticipantId viewer,
                                          std::string_view symbol, const OrderFacts* facts) {
  const std::optional<ReportRecord> record = report_record(event, viewer, facts);
  if (!record) {
    builder.Clear();
    return {};
  }
  return execution_report(builder, *record, symbol, 0);
}

std::optional<Frame> execution_report(const matching::Event& event,
                                      matching::ParticipantId viewer, std::string_view symbol,
                                      const OrderFacts* facts) {
  flatbuffers::FlatBufferBuilder builder(builder_initial_bytes);
  const std::span<const uint8_t> frame = execution_report(builder, event, viewer, symbol, facts);
  if (frame.empty()) return std::nullopt;
  return to_frame(frame);
}

std::span<const uint8_t> book_delta_frame(flatbuffers::FlatBufferBuilder& builder,
                                          const matching::Event& book_level,
                                          uint64_t market_sequence) {
  assert(book_level.type == EventType::book_level);
  builder.Clear();
  const auto body = wire::CreateBookDelta(builder, book_level.product.value, market_sequence,
                                          to_wire(book_level.side), book_level.price.value,
                                          book_level.quantity.value);
  return finish_in_builder(builder, wire::Body::BookDelta, body.Union());
}

Frame book_delta_frame(const matching::Event& book_level, uint64_t market_sequence) {
  flatbuffers::FlatBufferBuilder builder(builder_initial_bytes);
  return to_frame(book_delta_frame(builder, book_level, market_sequence));
}

std::span<const uint8_t> trade_frame(flatbuffers::FlatBufferBuilder& builder,
                                     const matching::Event& trade, std::string_view symbol,
                                     uint64_t market_sequence) {
  assert(trade.type == EventType::trade);
  builder.Clear();
  const auto symbol_offset = builder.CreateString(symbol.data(), symbol.size());
  const auto body = wire::CreateTrade(builder, trade.product.value, symbol_offset,
                                      trade.trade_id.value, trade.price.value,
                                      trade.quantity.value, to_wire(trade.side), market_sequence,
                                      trade.timestamp.ns);
  return finish_in_builder(builder, wire::Body::Trade, body.Union());
}

Frame trade_frame(const matching::Event& trade, std::string_view symbol,
                  uint64_t market_sequence) {
  flatbuffers::FlatBufferBuilder builder(builder_initial_bytes);
  return to_frame(trade_frame(builder, trade, symbol, market_sequence));
}

std::span<const uint8_t> product_status_frame(flatbuffers::FlatBufferBuilder& builder,
                                              const matching::Event& product_state,
                                              std::string_view symbol, int64_t uncross_time_ns) {
  assert(product_state.type == EventType::product_state);
  builder.Clear();
  const auto symbol_offset = builder.CreateString(symbol.data(), symbol.size());
  // The engine leaves price and quantity 0 but after an uncross: its price and lots traded.
  const auto body = wire::CreateProductStatus(builder, product_state.product.value, symbol_offset,
                                              to_wire(product_state.product_state),
                                              product_state.timestamp.ns, product_state.price.value,
                                              product_state.quantity.value, uncross_time_ns);
  return finish_in_builder(builder, wire::Body::ProductStatus, body.Union());
}

Frame participant_status_frame(const matching::Event& participant_state, std::string_view name) {
  assert(participant_state.type == EventType::participant_state);
  flatbuffers::FlatBufferBuilder builder(builder_initial_bytes);
  const auto name_offset = builder.CreateString(name.data(), name.size());
  const auto body = wire::CreateParticipantStatus(builder, name_offset, participant_state.suspended,
                                                  participant_state.timestamp.ns);
  return to_frame(finish_in_builder(builder, wire::Body::ParticipantStatus, body.Union()));
}

Frame auction_indicative_frame(uint32_t product, std::string_view symbol, int64_t price,
                               int64_t lots, int64_t transact_time_ns) {
  flatbuffers::FlatBufferBuilder builder(builder_initial_bytes);
  const auto symbol_offset = builder.CreateString(symbol.data(), symbol.size());
  const auto body =
      wire::CreateAuctionIndicative(builder, product, symbol_offset, price, lots, transact_time_ns);
  return to_frame(finish_in_builder(builder, wire::Body::AuctionIndicative, body.Union()));
}

Frame product_status_frame(const matching::Event& product_state, std::string_view symbol,
                           int64_t uncross_time_ns) {
  flatbuffers::FlatBufferBuilder builder(builder_initial_bytes);
  return to_frame(product_status_frame(builder, product_state, symbol, uncross_time_ns));
}

namespace {

flatbuffers::Offset<wire::Bar> build_bar(flatbuffers::FlatBufferBuilder& builder, const Bar& bar,
                                         flatbuffers::Offset<flatbuffers::String> symbol) {
  return wire::CreateBar(builder, bar.product, symbol, bar.start_ns, bar.open, bar.high, bar.low,
                         bar.close, bar.volume, bar.trades, bar.notional, bar.closed);
}

}  // namespace

std::span<const uint8_t> bar_frame(flatbuffers::FlatBufferBuilder& builder, const Bar& bar,
                                   std::string_view symbol) {
  builder.Clear();
  const auto symbol_offset = builder.CreateString(symbol.data(), symbol.size());
  const auto body = build_bar(builder, bar, symbol_offset);
  return finish_in_builder(builder, wire::Body::Bar, body.Union());
}

Frame bar_list_frame(uint64_t request_id, uint32_t product, std::string_view symbol,
                     const std::vector<Bar>& bars, bool more) {
  flatbuffers::FlatBufferBuilder builder(builder_initial_bytes + bars.size() * 96);
  std::vector<flatbuffers::Offset<wire::Bar>> offsets;
  offsets.reserve(bars.size());
  for (const Bar& bar : bars) offsets.push_back(build_bar(builder, bar, 0));  // no symbol
  const auto bars_offset = builder.CreateVector(offsets);
  const auto symbol_offset = builder.CreateString(symbol.data(), symbol.size());
  const auto body =
      wire::CreateBarList(builder, request_id, product, symbol_offset, bars_offset, more);
  return to_frame(finish_in_builder(builder, wire::Body::BarList, body.Union()));
}

}  // namespace ghx::gateway
