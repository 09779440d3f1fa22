#include "gateway/wire_build.h"

namespace ghx::gateway {

flatbuffers::Offset<flatbuffers::String> optional_string(flatbuffers::FlatBufferBuilder& builder,
                                                         std::string_view text) {
  if (text.empty()) return 0;
  return builder.CreateString(text.data(), text.size());
}

Frame make_logon(const LogonFields& fields) {
  flatbuffers::FlatBufferBuilder builder(frame_builder_initial_bytes);
  const auto participant = optional_string(builder, fields.participant);
  const auto body =
      wire::CreateLogon(builder, participant, fields.cancel_on_disconnect,
                        fields.last_report_sequence ? flatbuffers::Optional<uint64_t>(
                                                          *fields.last_report_sequence)
                                                    : flatbuffers::nullopt,
                        fields.heartbeat_interval_ms);
  return finish_frame(builder, wire::Body::Logon, body.Union());
}

Frame make_logon_ack(const LogonAckFields& fields) {
  flatbuffers::FlatBufferBuilder builder(frame_builder_initial_bytes);
  const auto participant = optional_string(builder, fields.participant);
  const auto body =
      wire::CreateLogonAck(builder, fields.session_id, participant, fields.cancel_on_disconnect,
                           fields.heartbeat_interval_ms, fields.idle_timeout_ms);
  return finish_frame(builder, wire::Body::LogonAck, body.Union());
}

Frame make_logout(std::string_view text) {
  flatbuffers::FlatBufferBuilder builder(frame_builder_initial_bytes);
  const auto body = wire::CreateLogout(builder, optional_string(builder, text));
  return finish_frame(builder, wire::Body::Logout, body.Union());
}

Frame make_heartbeat(uint64_t test_request_id) {
  flatbuffers::FlatBufferBuilder builder(frame_builder_initial_bytes);
  const auto body = wire::CreateHeartbeat(builder, test_request_id);
  return finish_frame(builder, wire::Body::Heartbeat, body.Union());
}

Frame make_reject(wire::ErrorCode code, std::string_view text, uint64_t ref_sequence) {
  flatbuffers::FlatBufferBuilder builder(frame_builder_initial_bytes);
  const auto body = wire::CreateReject(builder, code, optional_string(builder, text), ref_sequence);
  return finish_frame(builder, wire::Body::Reject, body.Union());
}

Frame make_new_order(const NewOrderFields& fields) {
  flatbuffers::FlatBufferBuilder builder(frame_builder_initial_bytes);
  const auto symbol = optional_string(builder, fields.symbol);
  wire::NewOrderBuilder order(builder);
  order.add_client_order_id(fields.client_order_id);
  order.add_symbol(symbol);
  order.add_side(fields.side);
  order.add_order_type(fields.order_type);
  order.add_time_in_force(fields.time_in_force);
  order.add_post_only(fields.post_only);
  order.add_price(fields.price);
  order.add_quantity(fields.quantity);
  order.add_min_quantity(fields.min_quantity);
  order.add_expire_time_ns(fields.expire_time_ns);
  order.add_self_trade(fields.self_trade);
  order.add_windows(fields.windows);
  return finish_frame(builder, wire::Body::NewOrder, order.Finish().Union());
}

Frame make_cancel_order(uint64_t orig_client_order_id, std::string_view symbol) {
  flatbuffers::FlatBufferBuilder builder(frame_builder_initial_bytes);
  const auto body =
      wire::CreateCancelOrder(builder, orig_client_order_id, optional_string(builder, symbol));
  return finish_frame(builder, wire::Body::CancelOrder, body.Union());
}

}  // namespace ghx::gateway
