#pragma once
// Frames: a 4-byte little-endian length, then a FlatBuffer of that many bytes that begins with
// the file identifier "GHX1" (the layout of flatbuffers' FinishSizePrefixed).
//
// Every inbound frame goes through decode_frame before anything reads it: length limits, the
// identifier, the FlatBuffers Verifier with tight depth and table limits, then the semantic
// checks of validate.h. These are pure functions: no I/O, no logging, no exceptions.
//
// Caveats:
// - The Message returned by decode_frame points into the caller's buffer and lives as long as
//   that buffer is unchanged.
// - Frame buffers must start at an 8-byte aligned address (std::vector's storage is), because
//   the Verifier checks the alignment of 64-bit fields relative to the frame's first byte.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "schemas/ghx_generated.h"

namespace ghx::gateway {

// A whole frame: length prefix included.
using Frame = std::vector<uint8_t>;

constexpr uint32_t frame_prefix_bytes = 4;
// Smallest FlatBuffer with an identifier: root offset + identifier.
constexpr uint32_t frame_body_bytes_min = 8;
constexpr uint32_t frame_bytes_max_default = 64 * 1024;
// Message -> body table -> vector -> table -> string is the deepest legal path (ProductList).
constexpr uint32_t verifier_depth_max_default = 8;
// A ProductList may hold a few thousand products; nothing else comes close.
constexpr uint32_t verifier_tables_max_default = 8192;

struct FrameLimits {
  uint32_t frame_bytes_max = frame_bytes_max_default;  // of the body: the prefix's value
  uint32_t depth_max = verifier_depth_max_default;
  uint32_t tables_max = verifier_tables_max_default;
};

// Which way a message travels; each side accepts only the bodies meant for it.
enum class Direction : uint8_t { to_server, to_client };

// Result of a check: code None means fine; detail is a static string saying what is wrong.
struct Check {
  wire::ErrorCode code = wire::ErrorCode::None;
  std::string_view detail;
  bool ok() const { return code == wire::ErrorCode::None; }
};

struct Decoded {
  Check check;
  // Set once the frame passed the Verifier, even when a semantic check then failed (so that a
  // Reject can name the offending sequence number). Act on it only when check.ok().
  const wire::Message* message = nullptr;
};

// Reads the little-endian length prefix.
uint32_t read_length_prefix(std::span<const uint8_t, frame_prefix_bytes> prefix);

// Checks a length prefix before its body is read: MalformedFrame when too small to hold a
// FlatBuffer, FrameTooLarge above limits.frame_bytes_max.
Check check_length(uint32_t body_bytes, const FrameLimits& limits);

// Decodes a whole frame (prefix included): length, identifier, Verifier, then validate_message.
Decoded decode_frame(std::span<const uint8_t> frame, const FrameLimits& limits,
                     Direction direction);

// Finishes `body` as the body of a Message frame with the file identifier and a size prefix.
// The sequence and sending time are written as zero and stamped later by the sender.
Frame finish_frame(flatbuffers::FlatBufferBuilder& builder, wire::Body type,
                   flatbuffers::Offset<void> body);

// Writes the sender's sequence number and sending time into a frame made by finish_frame.
// Returns false when the frame has no such fields (not made by finish_frame).
bool stamp_frame(std::span<uint8_t> frame, uint64_t sequence, int64_t sending_time_ns);

// The Message of a frame already checked by decode_frame (or built by finish_frame).
const wire::Message& frame_message(std::span<const uint8_t> frame);

}  // namespace ghx::gateway
