#pragma once
// Gateway counters: every rejected or dropped input is counted here as well as logged, so that
// tests and operators can see what happened. Written by the network thread, readable anywhere.

#include <atomic>
#include <cstdint>

namespace ghx::gateway {

struct GatewayCounters {
  using Counter = std::atomic<uint64_t>;

  Counter connections_accepted{0};
  Counter connections_refused_cap{0};  // closed at accept: connections_max reached
  Counter sessions_active{0};          // a gauge: accepted and not yet closed
  Counter sessions_not_logged_on{0};   // a gauge: accepted, not logged on (nor closed) yet
  Counter connections_refused_unauthenticated{0};  // closed at accept: too many not logged on
  Counter handshakes_failed{0};        // TLS errors: no/foreign certificate, TLS 1.2, garbage
  Counter certificates_refused{0};     // verified certificate without a usable subject CN
  Counter logons_accepted{0};
  Counter logons_refused{0};           // by the handler, or Logon.participant != certificate CN
  Counter frames_received{0};          // decoded and valid
  Counter frames_sent{0};
  Counter frames_too_large{0};
  Counter frames_malformed{0};         // too small, wrong identifier, inconsistent prefix
  Counter frames_verification_failed{0};
  Counter messages_invalid{0};         // failed semantic validation (session continues)
  Counter messages_before_logon{0};
  Counter rate_limited{0};
  Counter timeouts{0};                 // handshake, logon, frame, idle or write deadline
  Counter heartbeats_received{0};
  Counter heartbeats_sent{0};
  Counter rejects_sent{0};
  Counter send_queue_overflows{0};     // slow consumer: its session is closed
  Counter sessions_closed{0};
};

}  // namespace ghx::gateway
