#pragma once
// ExchangeService: the MessageHandler behind the TLS server. It turns verified wire messages of
// logged-on sessions into sequenced requests for the ExchangeCore, and committed batches back
// into frames: execution reports to the participants concerned, market data to subscribers,
// operator acknowledgements to the operator's session.
//
// Threads: on_logon/on_message/on_disconnect run on the network thread; on_committed runs on
// the core's ledger thread. Shared tables sit behind two mutexes (taken in this order when
// both are needed): sessions_mutex_ for sessions and subscriptions, held by on_committed for a
// whole batch; reference_mutex_ for participants and products, which only the ledger thread
// changes (after start), so that it reads them without the lock while the network thread
// resolves orders without waiting for a batch's replies. Nothing here blocks on I/O.
//
// Choices made where the issue is silent:
// - Participants and their roles come from the ledger's participant records; a certificate
//   whose CN is not a known participant is refused at logon.
// - A session with cancel-on-disconnect cancels every live order of its participant when it
//   ends (the engine keeps no per-session order lists); such sessions are journaled, so after
//   a crash the restart cancels for the sessions it cut off.
// - Execution reports go to every session of the participant (a drop copy for free).

#include <cstdint>
#include <flatbuffers/flatbuffers.h>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "gateway/exchange_core.h"
#include "gateway/server.h"
#include "gateway/session_handler.h"
#include "gateway/translate.h"

namespace ghx::gateway {

struct ParticipantEntry {
  uint32_t id = 0;
  std::string name;
  uint8_t roles = 0;  // ledger::RoleBits
};

struct ServiceCounters {
  std::atomic<uint64_t> orders_in{0};
  std::atomic<uint64_t> busy_rejects{0};
  std::atomic<uint64_t> frames_out{0};
};

class ExchangeService : public MessageHandler {
 public:
  // Loads participants and products from the core's ledger and engine (before core.start()).
  explicit ExchangeService(ExchangeCore& core);

  void attach(Server& server) { server_ = &server; }

  LogonDecision on_logon(const SessionInfo& session) override;
  void on_message(const SessionInfo& session, const wire::Message& message,
                  std::span<const uint8_t> frame) override;
  void on_disconnect(const SessionInfo& session) override;

  // The core's CommittedHandler.
  void on_committed(const CommittedBatch& batch);

  // At start, after the core started: cancels the orders of cancel-on-disconnect sessions
  // that the previous run ended without closing (a crash), as if they had disconnected.
  void cancel_sessions_cut_off();

  // Exchange-internal requests (listing the calendar, adding participants at start-up).
  bool submit_internal(ExchangeCommand command);
  std::optional<ParticipantEntry> participant(const std::string& name) const;
  bool has_product(const std::string& symbol) const;
  uint32_t next_participant_id() const;
  const ServiceCounters& counters() const { return counters_; }

 private:
  struct ProductEntry {
    std::string symbol;
    matching::ProductSpec spec;
    matching::ProductState state = matching::ProductState::trading;
  };
  struct SessionEntry {
    uint32_t participant = 0;
    bool cancel_on_disconnect = true;
  };

  bool submit(const SessionInfo& session, Request request, uint64_t ref_sequence);
  bool submit_session_event(ExchangeCommandKind kind, uint32_t participant);
  void cancel_for_disconnect(uint32_t participant);
  void reply(uint64_t session, std::span<const uint8_t> frame);
  void reject(const SessionInfo& session, wire::ErrorCode code, std::string_view text,
              uint64_t ref_sequence);
  std::optional<matching::ProductId> resolve(const flatbuffers::String* symbol,
                                             std::optional<uint32_t> product_id) const;

  void on_order_message(const SessionInfo& session, const ParticipantEntry& who,
                        const wire::Message& message);
  void on_operator_message(const SessionInfo& session, const wire::Message& message);
  void on_subscribe(const SessionInfo& session, const wire::Subscribe& subscribe,
                    uint64_t ref_sequence);
  void send_product_list(const SessionInfo& session, const wire::ListProducts& request);

  void deliver_outcome(const CommittedBatch& batch, const Outcome& outcome);
  void deliver_event(const CommittedBatch& batch, const Outcome& outcome, size_t index);
  void deliver_operator_ack(const CommittedBatch& batch, const Outcome& outcome);
  void deliver_snapshot(const Outcome& outcome);
  void to_participant(uint32_t participant, std::span<const uint8_t> frame);
  void report(const matching::Event& event, matching::ParticipantId viewer, std::string_view symbol,
              const OrderFacts* facts);
  const OrderFacts* facts_for(const Outcome& outcome, const matching::Event& event,
                              OrderFacts& scratch);

  ExchangeCore& core_;
  Server* server_ = nullptr;
  mutable std::mutex sessions_mutex_;
  mutable std::mutex reference_mutex_;
  std::map<std::string, ParticipantEntry> participants_by_name_;
  std::map<uint32_t, std::string> participant_names_;
  std::vector<ProductEntry> products_;
  std::map<std::string, uint32_t, std::less<>> product_ids_;
  std::map<uint64_t, SessionEntry> sessions_;
  std::map<uint32_t, std::set<uint64_t>> sessions_of_;       // participant -> sessions
  std::map<uint32_t, std::set<uint64_t>> book_subscribers_;  // product -> sessions
  std::map<uint32_t, std::set<uint64_t>> trade_subscribers_;
  ServiceCounters counters_;
  // Ledger thread only (on_committed): a builder reused for every outbound frame, and what is
  // known of each live order entered since start (OrderFacts), by engine order id. An entry
  // goes when its order is done; orders from before a restart have none.
  flatbuffers::FlatBufferBuilder builder_{1024};
  std::unordered_map<uint64_t, OrderFacts> orders_;
};

}  // namespace ghx::gateway
