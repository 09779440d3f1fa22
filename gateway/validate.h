#pragma once
// Semantic checks of a verified Message: the Verifier proves the bytes are a well-formed
// FlatBuffer; these prove the content makes sense before anyone acts on it (a body is present
// and meant for this direction, enums are in range, strings are short, quantities positive,
// ids non-zero). Business rules (tick sizes, funds, product state) stay with the engine.

#include <cstdint>

#include "gateway/framing.h"

namespace ghx::gateway {

constexpr uint32_t symbol_chars_max = 64;
constexpr uint32_t participant_chars_max = 64;
constexpr uint32_t text_chars_max = 256;
constexpr uint32_t subscription_entries_max = 256;
constexpr uint32_t bars_request_max = 500;  // a BarList of 500 bars stays within a frame

// Only call with a message that passed the FlatBuffers Verifier (decode_frame does both).
Check validate_message(const wire::Message& message, Direction direction);

// True for the bodies a client may send to the server.
bool is_client_message(wire::Body type);

}  // namespace ghx::gateway
