#pragma once
// The seam between the network and the exchange core. The server calls a MessageHandler on its
// network thread; the core implements it (translate to engine commands, queue them, reply later
// through Server::send from any thread).
//
// Rules for implementations:
// - Calls come from the network thread, one at a time: return quickly, never block (hand work
//   to a bounded queue; if it is full, reply with a Reject such as ServerBusy).
// - The Message passed to on_message lives only during the call. Copy `frame` to keep it.
// - Every message reaching on_message has passed the FlatBuffers Verifier and validate_message,
//   comes from a logged-on session, and is not a session-level message (Logon, Heartbeat, and
//   Logout are handled by the gateway).

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "schemas/ghx_generated.h"

namespace ghx::gateway {

// Unique for the life of the server process, starting at 1; never reused.
struct SessionId {
  uint64_t value = 0;
  auto operator<=>(const SessionId&) const = default;
};

struct SessionInfo {
  SessionId id;
  std::string participant;  // the client certificate's subject CN
  bool cancel_on_disconnect = true;
  // From Logon: resend the participant's execution reports after this one first; empty: none.
  std::optional<uint64_t> last_report_sequence;
};

struct LogonDecision {
  bool accept = true;
  std::string text;  // why not, sent in the Reject when refused
};

class MessageHandler {
 public:
  virtual ~MessageHandler() = default;

  // A Logon arrived on a TLS session whose certificate names `session.participant`. Accepting
  // sends LogonAck; refusing sends Reject(LogonRefused) and closes the connection.
  virtual LogonDecision on_logon(const SessionInfo& session) = 0;

  // The session's LogonAck is queued: what is sent from here on follows it.
  virtual void on_logged_on(const SessionInfo&) {}

  // A verified, valid application message from a logged-on session. `frame` is the whole
  // frame, prefix included.
  virtual void on_message(const SessionInfo& session, const wire::Message& message,
                          std::span<const uint8_t> frame) = 0;

  // A logged-on session ended (logout, error, timeout, server stop). Called once per session
  // that was accepted by on_logon; act on cancel_on_disconnect here.
  virtual void on_disconnect(const SessionInfo& session) = 0;
};

}  // namespace ghx::gateway
