#pragma once
// Limits and deadlines of the gateway server, all in one place. Defaults suit a production-like
// server; tests shrink them.

#include <cstdint>
#include <string>

#include "gateway/framing.h"
#include "gateway/tls.h"

namespace ghx::gateway {

struct ServerConfig {
  std::string listen_address = "127.0.0.1";
  uint16_t port = 0;  // 0: an ephemeral port, reported by Server::start
  TlsFiles tls;
  FrameLimits frame;

  uint32_t connections_max = 256;         // beyond it, new connections are closed at accept
  // Of those, connections not logged on yet (in their TLS handshake or before their Logon):
  // beyond it, new connections are closed at accept, so that connections that never log on
  // (a flood, or a peer without a certificate) cannot take the slots of participants.
  uint32_t connections_not_logged_on_max = 64;
  // Of those, from one address (an IPv6 /64 counts as one: a single host may own a whole /64):
  // beyond it, new connections from that address are closed at accept. Without it one host
  // opening a dozen idle connections a second would hold every slot above, each until its
  // handshake deadline, and lock every participant out; with it, it holds only its own share.
  uint32_t connections_not_logged_on_per_address_max = 8;
  uint32_t handshake_timeout_ms = 5'000;  // TCP accept to TLS handshake done
  uint32_t logon_timeout_ms = 5'000;      // handshake done to Logon received
  uint32_t frame_timeout_ms = 5'000;      // first to last byte of one frame
  uint32_t idle_timeout_ms = 30'000;      // nothing received for this long closes the session
  uint32_t heartbeat_interval_ms = 10'000;  // the server sends a Heartbeat when idle this long
  uint32_t write_timeout_ms = 10'000;     // one frame write; a stuck peer is closed
  uint32_t close_timeout_ms = 1'000;      // flushing the last frames and TLS shutdown

  // Token bucket per session, over every message received after logon. Most messages cost one;
  // those that make the exchange do more cost more: a Subscribe or Unsubscribe one per product
  // it names (each is a request of its own, a book snapshot in the exchange's shared queue), a
  // ListProducts rate_list_products_cost_messages (it reads the whole product list and answers
  // in a page per 250 products). A message costing more than the burst could never pass: it is
  // refused with a Reject saying so.
  uint32_t rate_messages_per_second = 50'000;
  uint32_t rate_burst_messages = 5'000;
  uint32_t rate_list_products_cost_messages = 100;

  // What one session may have queued for sending and not yet written. Frames reach a session a
  // hand-over at a time, before its writer can run: one command's output for it (a mass cancel's
  // thousands of book changes, say) may take it past outbound_bytes_max, and a reader that keeps
  // up brings it back below at once. A session still past it outbound_backlog_timeout_ms later
  // is closed as a slow consumer (its participant can log on again and have reports resent);
  // one past outbound_bytes_hard_max at once, so that memory stays bounded however large a
  // hand-over (the hard limit holds some 380,000 book changes).
  uint32_t outbound_bytes_max = 4 << 20;
  uint32_t outbound_backlog_timeout_ms = 5'000;
  uint32_t outbound_bytes_hard_max = 32 << 20;
  // Every session's unsent bytes together: when they reach it, a session past
  // outbound_bytes_max is closed at once rather than given its grace. Sized as the soft limits
  // of connections_max sessions, so that sessions stalled on purpose (16 per participant, every
  // book subscribed) cannot hold more than a full server of sessions at their soft limit would.
  uint64_t outbound_bytes_total_max = uint64_t{256} * (4 << 20);
};

}  // namespace ghx::gateway
