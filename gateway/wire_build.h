#pragma once
// Builders for common frames. Each returns a finished frame (see framing.h) whose sequence
// number and sending time are stamped by the session or client that sends it.

#include <cstdint>
#include <optional>
#include <string_view>

#include "gateway/framing.h"

namespace ghx::gateway {

struct LogonFields {
  std::string_view participant;  // optional; must equal the certificate CN when set
  bool cancel_on_disconnect = true;
  // Set: resend the participant's execution reports after this report_sequence first.
  std::optional<uint64_t> last_report_sequence;
  uint32_t heartbeat_interval_ms = 0;
};

struct LogonAckFields {
  uint64_t session_id = 0;
  std::string_view participant;
  bool cancel_on_disconnect = true;
  uint32_t heartbeat_interval_ms = 0;
  uint32_t idle_timeout_ms = 0;
};

struct NewOrderFields {
  uint64_t client_order_id = 0;
  std::string_view symbol;
  wire::Side side = wire::Side::Buy;
  wire::OrderType order_type = wire::OrderType::Limit;
  wire::TimeInForce time_in_force = wire::TimeInForce::GoodTillGateClosure;
  bool post_only = false;
  int64_t price = 0;
  int64_t quantity = 0;
  int64_t min_quantity = 0;
  int64_t expire_time_ns = 0;
  wire::SelfTradePrevention self_trade = wire::SelfTradePrevention::CancelTaker;
  uint8_t windows = 0;  // 2 or more: a block order over that many windows (Limit, FillOrKill)
};

// Shared by the frame builders here and in wire_requests.h.
// Small frames: a builder starting at 256 bytes rarely grows.
constexpr size_t frame_builder_initial_bytes = 256;
// Absent rather than empty: the schema reads an absent string as "not given".
flatbuffers::Offset<flatbuffers::String> optional_string(flatbuffers::FlatBufferBuilder& builder,
                                                         std::string_view text);

Frame make_logon(const LogonFields& fields);
Frame make_logon_ack(const LogonAckFields& fields);
Frame make_logout(std::string_view text);
Frame make_heartbeat(uint64_t test_request_id = 0);
Frame make_reject(wire::ErrorCode code, std::string_view text, uint64_t ref_sequence = 0);
Frame make_new_order(const NewOrderFields& fields);
Frame make_cancel_order(uint64_t orig_client_order_id, std::string_view symbol);

}  // namespace ghx::gateway
