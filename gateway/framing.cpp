#include "gateway/framing.h"

#include <cassert>

#include "gateway/validate.h"

namespace ghx::gateway {

uint32_t read_length_prefix(std::span<const uint8_t, frame_prefix_bytes> prefix) {
  return static_cast<uint32_t>(prefix[0]) | static_cast<uint32_t>(prefix[1]) << 8 |
         static_cast<uint32_t>(prefix[2]) << 16 | static_cast<uint32_t>(prefix[3]) << 24;
}

Check check_length(uint32_t body_bytes, const FrameLimits& limits) {
  if (body_bytes < frame_body_bytes_min) {
    return {wire::ErrorCode::MalformedFrame, "frame too small to hold a ghx message"};
  }
  if (body_bytes > limits.frame_bytes_max) {
    return {wire::ErrorCode::FrameTooLarge, "frame length above the limit"};
  }
  return {};
}

Decoded decode_frame(std::span<const uint8_t> frame, const FrameLimits& limits,
                     Direction direction) {
  if (frame.size() < frame_prefix_bytes) {
    return {{wire::ErrorCode::MalformedFrame, "frame shorter than its length prefix"}};
  }
  const uint32_t body_bytes = read_length_prefix(frame.first<frame_prefix_bytes>());
  if (Check length = check_length(body_bytes, limits); !length.ok()) return {length};
  if (body_bytes != frame.size() - frame_prefix_bytes) {
    return {{wire::ErrorCode::MalformedFrame, "length prefix does not match the frame"}};
  }
  if (!wire::SizePrefixedMessageBufferHasIdentifier(frame.data())) {
    return {{wire::ErrorCode::MalformedFrame, "not a ghx frame (wrong file identifier)"}};
  }
  flatbuffers::Verifier verifier(frame.data(), frame.size(), limits.depth_max, limits.tables_max);
  if (!verifier.VerifySizePrefixedBuffer<wire::Message>(wire::MessageIdentifier())) {
    return {{wire::ErrorCode::VerificationFailed, "frame failed FlatBuffers verification"}};
  }
  const wire::Message* message = wire::GetSizePrefixedMessage(frame.data());
  return {validate_message(*message, direction), message};
}

Frame finish_frame(flatbuffers::FlatBufferBuilder& builder, wire::Body type,
                   flatbuffers::Offset<void> body) {
  // Forced defaults keep the zero sequence and time in the buffer so they can be stamped.
  builder.ForceDefaults(true);
  wire::MessageBuilder message(builder);
  message.add_sequence(0);
  message.add_sending_time_ns(0);
  message.add_body_type(type);
  message.add_body(body);
  const auto root = message.Finish();
  builder.ForceDefaults(false);
  wire::FinishSizePrefixedMessageBuffer(builder, root);
  const uint8_t* data = builder.GetBufferPointer();
  Frame frame(data, data + builder.GetSize());
  assert(frame.size() >= frame_prefix_bytes + frame_body_bytes_min);
  return frame;
}

bool stamp_frame(std::span<uint8_t> frame, uint64_t sequence, int64_t sending_time_ns) {
  if (frame.size() < frame_prefix_bytes + frame_body_bytes_min) return false;
  wire::Message* message = wire::GetMutableSizePrefixedMessage(frame.data());
  return message->mutate_sequence(sequence) && message->mutate_sending_time_ns(sending_time_ns);
}

const wire::Message& frame_message(std::span<const uint8_t> frame) {
  assert(frame.size() >= frame_prefix_bytes + frame_body_bytes_min);
  return *wire::GetSizePrefixedMessage(frame.data());
}

}  // namespace ghx::gateway
