#include "gateway/validate.h"

#include "gateway/certs.h"

namespace ghx::gateway {
namespace {

using wire::ErrorCode;

// The Verifier does not check enum values (unknown values are legal for schema evolution), so
// every enum read from the wire is range-checked here.
template <typename E>
bool in_range(E value) {
  return value >= E::MIN && value <= E::MAX;
}

bool short_enough(const flatbuffers::String* text, uint32_t chars_max) {
  return text == nullptr || text->size() <= chars_max;
}

bool has_product(const flatbuffers::String* symbol, flatbuffers::Optional<uint32_t> product_id) {
  return (symbol != nullptr && symbol->size() > 0) || product_id.has_value();
}

constexpr Check invalid(std::string_view detail) { return {ErrorCode::InvalidField, detail}; }

Check check_logon(const wire::Logon& logon) {
  if (!short_enough(logon.participant(), participant_chars_max)) {
    return invalid("Logon.participant too long");
  }
  return {};
}

// A block order (windows >= 2) fills in full in every window at once or not at all: that is a
// fill-or-kill limit order's contract, and nothing of it rests. How many windows the exchange
// takes is the engine's limit (InvalidBlock).
Check check_block_order(const wire::NewOrder& order) {
  if (order.order_type() != wire::OrderType::Limit ||
      order.time_in_force() != wire::TimeInForce::FillOrKill) {
    return invalid("NewOrder.windows (a block order) needs a Limit FillOrKill order");
  }
  if (order.post_only()) return invalid("NewOrder.windows (a block order) takes no post_only");
  if (order.min_quantity() != 0) {
    return invalid("NewOrder.windows (a block order) takes no min_quantity");
  }
  return {};
}

Check check_new_order(const wire::NewOrder& order) {
  if (order.client_order_id() == 0) return invalid("NewOrder.client_order_id must be non-zero");
  if (!short_enough(order.symbol(), symbol_chars_max)) return invalid("NewOrder.symbol too long");
  if (!has_product(order.symbol(), order.product_id())) {
    return invalid("NewOrder needs a symbol or a product_id");
  }
  if (!in_range(order.side()) || !in_range(order.order_type()) ||
      !in_range(order.time_in_force()) || !in_range(order.self_trade())) {
    return invalid("NewOrder has an unknown enum value");
  }
  if (order.quantity() <= 0) return invalid("NewOrder.quantity must be positive");
  if (order.min_quantity() < 0 || order.min_quantity() > order.quantity()) {
    return invalid("NewOrder.min_quantity must be within 0..quantity");
  }
  if (order.order_type() == wire::OrderType::Limit && order.price() <= 0) {
    return invalid("NewOrder.price must be positive for a limit order");
  }
  if (order.time_in_force() == wire::TimeInForce::GoodTillTime && order.expire_time_ns() <= 0) {
    return invalid("NewOrder.expire_time_ns required for GoodTillTime");
  }
  // A post-only order never trades on entry, so it could never trade a minimum on entry. Refused
  // here, not in the engine: journals hold such orders from before, which the engine accepted
  // (and canceled at once), and a replay must do the same.
  if (order.post_only() && order.min_quantity() > 0) {
    return invalid("NewOrder.post_only with a min_quantity could never trade its minimum");
  }
  return order.windows() >= 2 ? check_block_order(order) : Check{};
}

Check check_cancel(const wire::CancelOrder& cancel) {
  if (cancel.orig_client_order_id() == 0) return invalid("CancelOrder.orig_client_order_id is 0");
  if (!short_enough(cancel.symbol(), symbol_chars_max)) return invalid("CancelOrder.symbol long");
  return {};
}

Check check_replace(const wire::ReplaceOrder& replace) {
  if (replace.orig_client_order_id() == 0 || replace.client_order_id() == 0) {
    return invalid("ReplaceOrder ids must be non-zero");
  }
  if (!short_enough(replace.symbol(), symbol_chars_max)) return invalid("ReplaceOrder.symbol long");
  if (replace.quantity() <= 0) return invalid("ReplaceOrder.quantity must be positive");
  if (replace.price() <= 0) return invalid("ReplaceOrder.price must be positive");
  return {};
}

template <typename T>
Check check_subscription(const T& request) {
  const auto* symbols = request.symbols();
  const auto* ids = request.product_ids();
  const uint32_t entries = (symbols ? symbols->size() : 0) + (ids ? ids->size() : 0);
  if (entries == 0) return invalid("subscription names no product");
  if (entries > subscription_entries_max) return invalid("subscription names too many products");
  if (symbols) {
    for (const auto* symbol : *symbols) {  // bounded by subscription_entries_max
      if (!short_enough(symbol, symbol_chars_max)) return invalid("subscription symbol too long");
    }
  }
  return {};
}

template <typename T>
Check check_funds(const T& request) {
  const auto* participant = request.participant();
  if (participant == nullptr || participant->size() == 0) return invalid("participant required");
  if (!short_enough(participant, participant_chars_max)) return invalid("participant too long");
  if (request.amount() <= 0) return invalid("amount must be positive");
  return {};
}

Check check_register(const wire::RegisterCapacity& request) {
  const auto* participant = request.participant();
  if (participant == nullptr || participant->size() == 0) return invalid("participant required");
  if (!short_enough(participant, participant_chars_max)) return invalid("participant too long");
  if (!short_enough(request.symbol(), symbol_chars_max)) return invalid("symbol too long");
  if (!has_product(request.symbol(), request.product_id())) return invalid("product required");
  if (request.quantity() <= 0) return invalid("quantity must be positive");
  return {};
}

Check check_delivery(const wire::DeliveryOutcome& outcome) {
  if (outcome.trade_id() == 0) return invalid("DeliveryOutcome.trade_id is 0");
  if (outcome.delivered_quantity() < 0 || outcome.failed_quantity() < 0) {
    return invalid("DeliveryOutcome quantities must not be negative");
  }
  if (!short_enough(outcome.text(), text_chars_max)) return invalid("DeliveryOutcome.text long");
  return {};
}

Check check_trading_halt(const wire::TradingHalt& request) {
  if (!short_enough(request.symbol(), symbol_chars_max)) return invalid("symbol too long");
  if (!has_product(request.symbol(), request.product_id())) return invalid("product required");
  if (!request.halt() && request.cancel_orders()) {
    return invalid("TradingHalt.cancel_orders is for a halt, not a resume");
  }
  return {};
}

Check check_auction(const wire::Auction& request) {
  if (!short_enough(request.symbol(), symbol_chars_max)) return invalid("symbol too long");
  if (!has_product(request.symbol(), request.product_id())) return invalid("product required");
  if (!in_range(request.action())) return invalid("Auction.action is unknown");
  if (request.uncross_time_ns() < 0) return invalid("Auction.uncross_time_ns is negative");
  if (request.action() != wire::AuctionAction::Start && request.uncross_time_ns() != 0) {
    return invalid("Auction.uncross_time_ns is for a Start, not an Uncross");
  }
  return {};
}

Check check_suspension(const wire::Suspension& request) {
  const auto* participant = request.participant();
  if (participant == nullptr || participant->size() == 0) return invalid("participant required");
  if (!short_enough(participant, participant_chars_max)) return invalid("participant too long");
  return {};
}

Check check_add_participant(const wire::AddParticipant& request) {
  const auto* participant = request.participant();
  if (participant == nullptr || participant->size() == 0) return invalid("participant required");
  if (!is_valid_participant_name(participant->string_view())) {
    return invalid(
        "AddParticipant.participant must be 1-64 of [A-Za-z0-9_.-], not starting "
        "with '.' or '-', and not digits only");
  }
  if (!request.buyer() && !request.seller() && !request.operator_()) {
    return invalid("AddParticipant needs a role: buyer, seller or operator");
  }
  return {};
}

Check check_bars_request(const wire::BarsRequest& request) {
  if (!has_product(request.symbol(), request.product_id())) return invalid("product required");
  if (!short_enough(request.symbol(), symbol_chars_max)) return invalid("symbol too long");
  if (request.count() == 0 || request.count() > bars_request_max) {
    return invalid("BarsRequest.count must be 1..500");
  }
  return {};
}

Check check_to_server(const wire::Message& message) {
  using wire::Body;
  switch (message.body_type()) {
    case Body::Logon: return check_logon(*message.body_as_Logon());
    case Body::NewOrder: return check_new_order(*message.body_as_NewOrder());
    case Body::CancelOrder: return check_cancel(*message.body_as_CancelOrder());
    case Body::ReplaceOrder: return check_replace(*message.body_as_ReplaceOrder());
    case Body::MassCancel:
      return short_enough(message.body_as_MassCancel()->symbol(), symbol_chars_max)
                 ? Check{}
                 : invalid("MassCancel.symbol too long");
    case Body::OrderStatusRequest:
      return message.body_as_OrderStatusRequest()->orig_client_order_id() != 0
                 ? Check{}
                 : invalid("OrderStatusRequest.orig_client_order_id is 0");
    case Body::Subscribe: return check_subscription(*message.body_as_Subscribe());
    case Body::Unsubscribe: return check_subscription(*message.body_as_Unsubscribe());
    case Body::Deposit: return check_funds(*message.body_as_Deposit());
    case Body::Withdraw: return check_funds(*message.body_as_Withdraw());
    case Body::RegisterCapacity: return check_register(*message.body_as_RegisterCapacity());
    case Body::DeliveryOutcome: return check_delivery(*message.body_as_DeliveryOutcome());
    case Body::BarsRequest:
      return check_bars_request(*message.body_as_BarsRequest());
    case Body::TradingHalt: return check_trading_halt(*message.body_as_TradingHalt());
    case Body::Suspension: return check_suspension(*message.body_as_Suspension());
    case Body::Auction: return check_auction(*message.body_as_Auction());
    case Body::AddParticipant:
      return check_add_participant(*message.body_as_AddParticipant());
    default: return {};  // Logout, Heartbeat, ListProducts: nothing to check beyond the Verifier
  }
}

Check check_to_client(const wire::Message& message) {
  using wire::Body;
  switch (message.body_type()) {
    case Body::Reject:
      return in_range(message.body_as_Reject()->code()) ? Check{} : invalid("unknown error code");
    case Body::ExecutionReport: {
      const auto* report = message.body_as_ExecutionReport();
      return in_range(report->exec_type()) && in_range(report->side())
                 ? Check{}
                 : invalid("ExecutionReport has an unknown enum value");
    }
    case Body::BookDelta:
      return in_range(message.body_as_BookDelta()->side()) ? Check{} : invalid("unknown side");
    case Body::ProductStatus:
      return in_range(message.body_as_ProductStatus()->state()) ? Check{}
                                                                : invalid("unknown state");
    default: return {};
  }
}

bool is_server_message(wire::Body type) {
  using wire::Body;
  switch (type) {
    case Body::LogonAck:
    case Body::Logout:
    case Body::Heartbeat:
    case Body::Reject:
    case Body::ExecutionReport:
    case Body::BookSnapshot:
    case Body::BookDelta:
    case Body::Trade:
    case Body::ProductList:
    case Body::OperatorAck:
    case Body::AccountStatus:
    case Body::Bar:
    case Body::BarList:
    case Body::ProductStatus:
    case Body::ParticipantStatus:
    case Body::AuctionIndicative:
      return true;
    default: return false;
  }
}

}  // namespace

bool is_client_message(wire::Body type) {
  using wire::Body;
  switch (type) {
    case Body::Logon:
    case Body::Logout:
    case Body::Heartbeat:
    case Body::NewOrder:
    case Body::CancelOrder:
    case Body::ReplaceOrder:
    case Body::MassCancel:
    case Body::OrderStatusRequest:
    case Body::Subscribe:
    case Body::Unsubscribe:
    case Body::Deposit:
    case Body::Withdraw:
    case Body::RegisterCapacity:
    case Body::ListProducts:
    case Body::DeliveryOutcome:
    case Body::AccountRequest:
    case Body::BarsRequest:
    case Body::TradingHalt:
    case Body::Suspension:
    case Body::Auction:
    case Body::AddParticipant:
      return true;
    default: return false;
  }
}

Check validate_message(const wire::Message& message, Direction direction) {
  const wire::Body type = message.body_type();
  if (type == wire::Body::NONE || message.body() == nullptr) {
    return {ErrorCode::InvalidField, "message has no body"};
  }
  if (!in_range(type)) return {ErrorCode::UnknownMessage, "unknown message type"};
  if (direction == Direction::to_server) {
    if (!is_client_message(type)) {
      return {ErrorCode::UnknownMessage, "message type not accepted from clients"};
    }
    return check_to_server(message);
  }
  if (!is_server_message(type)) {
    return {ErrorCode::UnknownMessage, "message type not sent by servers"};
  }
  return check_to_client(message);
}

}  // namespace ghx::gateway
