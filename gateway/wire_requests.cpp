#include "gateway/wire_requests.h"

#include <vector>

#include "gateway/wire_build.h"

namespace ghx::gateway {

Frame make_replace_order(const ReplaceFields& fields) {
  flatbuffers::FlatBufferBuilder builder(frame_builder_initial_bytes);
  const auto symbol = optional_string(builder, fields.symbol);
  wire::ReplaceOrderBuilder replace(builder);
  replace.add_orig_client_order_id(fields.orig_client_order_id);
  replace.add_client_order_id(fields.client_order_id);
  replace.add_symbol(symbol);
  replace.add_price(fields.price);
  replace.add_quantity(fields.quantity);
  return finish_frame(builder, wire::Body::ReplaceOrder, replace.Finish().Union());
}

Frame make_mass_cancel(std::string_view symbol) {
  flatbuffers::FlatBufferBuilder builder(frame_builder_initial_bytes);
  const auto text = optional_string(builder, symbol);
  wire::MassCancelBuilder mass(builder);
  mass.add_symbol(text);
  return finish_frame(builder, wire::Body::MassCancel, mass.Finish().Union());
}

Frame make_order_status_request(uint64_t orig_client_order_id) {
  flatbuffers::FlatBufferBuilder builder(frame_builder_initial_bytes);
  const auto body = wire::CreateOrderStatusRequest(builder, orig_client_order_id);
  return finish_frame(builder, wire::Body::OrderStatusRequest, body.Union());
}

namespace {

// A Subscribe's or an Unsubscribe's products.
flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>> symbol_vector(
    flatbuffers::FlatBufferBuilder& builder, std::span<const std::string> symbols) {
  std::vector<flatbuffers::Offset<flatbuffers::String>> names;
  names.reserve(symbols.size());
  for (const std::string& symbol : symbols) names.push_back(builder.CreateString(symbol));
  return builder.CreateVector(names);
}

}  // namespace

Frame make_subscribe(std::span<const std::string> symbols, bool book, bool trades, bool bars) {
  flatbuffers::FlatBufferBuilder builder(frame_builder_initial_bytes);
  const auto vector = symbol_vector(builder, symbols);
  wire::SubscribeBuilder subscribe(builder);
  subscribe.add_symbols(vector);
  subscribe.add_book(book);
  subscribe.add_trades(trades);
  subscribe.add_bars(bars);
  return finish_frame(builder, wire::Body::Subscribe, subscribe.Finish().Union());
}

Frame make_unsubscribe(std::span<const std::string> symbols) {
  flatbuffers::FlatBufferBuilder builder(frame_builder_initial_bytes);
  const auto vector = symbol_vector(builder, symbols);
  wire::UnsubscribeBuilder unsubscribe(builder);
  unsubscribe.add_symbols(vector);
  return finish_frame(builder, wire::Body::Unsubscribe, unsubscribe.Finish().Union());
}

Frame make_list_products(uint64_t request_id, std::string_view gpu, std::string_view zone) {
  flatbuffers::FlatBufferBuilder builder(frame_builder_initial_bytes);
  const auto gpu_text = optional_string(builder, gpu);
  const auto zone_text = optional_string(builder, zone);
  const auto body = wire::CreateListProducts(builder, request_id, gpu_text, zone_text);
  return finish_frame(builder, wire::Body::ListProducts, body.Union());
}

Frame make_deposit(uint64_t request_id, std::string_view participant, int64_t amount) {
  flatbuffers::FlatBufferBuilder builder(frame_builder_initial_bytes);
  const auto name = optional_string(builder, participant);
  const auto body = wire::CreateDeposit(builder, request_id, name, amount);
  return finish_frame(builder, wire::Body::Deposit, body.Union());
}

Frame make_withdraw(uint64_t request_id, std::string_view participant, int64_t amount) {
  flatbuffers::FlatBufferBuilder builder(frame_builder_initial_bytes);
  const auto name = optional_string(builder, participant);
  const auto body = wire::CreateWithdraw(builder, request_id, name, amount);
  return finish_frame(builder, wire::Body::Withdraw, body.Union());
}

Frame make_register_capacity(uint64_t request_id, std::string_view participant,
                             std::string_view symbol, int64_t lots) {
  flatbuffers::FlatBufferBuilder builder(frame_builder_initial_bytes);
  const auto name = optional_string(builder, participant);
  const auto product = optional_string(builder, symbol);
  wire::RegisterCapacityBuilder request(builder);
  request.add_request_id(request_id);
  request.add_participant(name);
  request.add_symbol(product);
  request.add_quantity(lots);
  return finish_frame(builder, wire::Body::RegisterCapacity, request.Finish().Union());
}

Frame make_delivery_outcome(const DeliveryFields& fields) {
  flatbuffers::FlatBufferBuilder builder(frame_builder_initial_bytes);
  const auto symbol = optional_string(builder, fields.symbol);
  const auto text = optional_string(builder, fields.text);
  wire::DeliveryOutcomeBuilder outcome(builder);
  outcome.add_request_id(fields.request_id);
  outcome.add_trade_id(fields.trade_id);
  outcome.add_symbol(symbol);
  outcome.add_delivered_quantity(fields.delivered_quantity);
  outcome.add_failed_quantity(fields.failed_quantity);
  outcome.add_text(text);
  return finish_frame(builder, wire::Body::DeliveryOutcome, outcome.Finish().Union());
}

Frame make_trading_halt(uint64_t request_id, std::string_view symbol, bool halt,
                        bool cancel_orders) {
  flatbuffers::FlatBufferBuilder builder(frame_builder_initial_bytes);
  const auto name = builder.CreateString(symbol.data(), symbol.size());
  wire::TradingHaltBuilder request(builder);
  request.add_request_id(request_id);
  request.add_symbol(name);
  request.add_halt(halt);
  request.add_cancel_orders(cancel_orders);
  return finish_frame(builder, wire::Body::TradingHalt, request.Finish().Union());
}

Frame make_auction(uint64_t request_id, std::string_view symbol, wire::AuctionAction action,
                   int64_t uncross_time_ns) {
  flatbuffers::FlatBufferBuilder builder(frame_builder_initial_bytes);
  const auto name = builder.CreateString(symbol.data(), symbol.size());
  wire::AuctionBuilder request(builder);
  request.add_request_id(request_id);
  request.add_symbol(name);
  request.add_action(action);
  request.add_uncross_time_ns(uncross_time_ns);
  return finish_frame(builder, wire::Body::Auction, request.Finish().Union());
}

Frame make_suspension(uint64_t request_id, std::string_view participant, bool suspend) {
  flatbuffers::FlatBufferBuilder builder(frame_builder_initial_bytes);
  const auto name = builder.CreateString(participant.data(), participant.size());
  wire::SuspensionBuilder request(builder);
  request.add_request_id(request_id);
  request.add_participant(name);
  request.add_suspend(suspend);
  return finish_frame(builder, wire::Body::Suspension, request.Finish().Union());
}

Frame make_add_participant(uint64_t request_id, std::string_view participant, bool buyer,
                           bool seller, bool operator_role) {
  flatbuffers::FlatBufferBuilder builder(frame_builder_initial_bytes);
  const auto name = builder.CreateString(participant.data(), participant.size());
  wire::AddParticipantBuilder request(builder);
  request.add_request_id(request_id);
  request.add_participant(name);
  request.add_buyer(buyer);
  request.add_seller(seller);
  request.add_operator_(operator_role);
  return finish_frame(builder, wire::Body::AddParticipant, request.Finish().Union());
}

Frame make_bars_request(uint64_t request_id, std::string_view symbol, uint32_t count,
                        std::optional<int64_t> before_time_ns) {
  flatbuffers::FlatBufferBuilder builder(frame_builder_initial_bytes);
  const auto name = builder.CreateString(symbol.data(), symbol.size());
  wire::BarsRequestBuilder request(builder);
  request.add_request_id(request_id);
  request.add_symbol(name);
  request.add_count(count);
  if (before_time_ns) request.add_before_time_ns(*before_time_ns);
  return finish_frame(builder, wire::Body::BarsRequest, request.Finish().Union());
}

Frame make_account_request(uint64_t request_id, std::string_view participant) {
  flatbuffers::FlatBufferBuilder builder(frame_builder_initial_bytes);
  const auto name = optional_string(builder, participant);
  const auto body = wire::CreateAccountRequest(builder, request_id, name);
  return finish_frame(builder, wire::Body::AccountRequest, body.Union());
}

}  // namespace ghx::gateway
