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
// - Execution reports go to every session of the participant (a drop copy for free). They are
//   numbered per participant (report_sequence, from 1) and kept in the ledger, in the same
//   transaction as the commands that caused them, so that a session logging on with the last
//   number it saw gets every later one again, across disconnects and restarts. At least the
//   newest reports_kept_per_participant are kept; older ones are dropped as new ones come.
// - A product's state changes (an operator's halt or resume, a call auction's start and
//   uncross, gate closure, delivery) reach every session subscribed to it as ProductStatus; a
//   BookSnapshot carries the state too.
// - A call auction (Auction) is the operator's to start and, unless it named an uncross time,
//   to uncross. The uncross's trades reach their participants as ordinary fills (the larger
//   order id of each pair takes, the other makes), the ledger settles them like any fill, and
//   subscribers get the Trades, the BookDeltas and then a ProductStatus (Trading) with the
//   uncross price and lots. A scheduled uncross happens with the sequencer's idle tick (or any
//   command) at its time: no request is needed, and nobody gets an OperatorAck for it.
// - An operator may suspend any participant but an operator (Suspension). The suspended
//   participant may still log on: its sessions get the Canceled reports of its orders, its
//   account (AccountStatus.suspended) and its reports; its new orders are rejected by the
//   engine with ParticipantSuspended. Its live sessions get a ParticipantStatus at once.
//   Nobody else is told: a suspension is between the exchange and the participant, and the
//   book subscribers see only the levels that went.

#include <chrono>
#include <cstdint>
#include <flatbuffers/flatbuffers.h>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "gateway/bars.h"
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

// A resend sends this many reports at a time, when the session has at most this much unsent
// (else it looks again after the pause): well inside the session's outbound queue.
constexpr size_t resend_chunk_reports = 512;
constexpr size_t resend_unsent_bytes_max = 256 * 1024;
constexpr std::chrono::milliseconds resend_pause{2};

struct ServiceConfig {
  uint64_t reports_kept_per_participant = 1'000'000;
  // Sessions of one participant at once: one certificate cannot take every connection slot.
  uint32_t sessions_per_participant_max = 16;
};

struct ServiceCounters {
  std::atomic<uint64_t> orders_in{0};
  std::atomic<uint64_t> busy_rejects{0};
  std::atomic<uint64_t> frames_out{0};
  std::atomic<uint64_t> reports_resent{0};
};

class ExchangeService : public MessageHandler {
 public:
  // Loads participants and products from the core's ledger and engine (before core.start()).
  explicit ExchangeService(ExchangeCore& core, ServiceConfig config = {});

  void attach(Server& server) { server_ = &server; }
  // Starts the core with this service as its prepare and committed handlers. Before anything
  // else is sequenced, cancels the orders of cancel-on-disconnect sessions that the previous
  // run ended without closing (a crash), as if they had disconnected then: at the time of the
  // last journaled command, before anything that fell due while the exchange was down.
  void start_core();

  LogonDecision on_logon(const SessionInfo& session) override;
  // Resends the reports asked for at logon, then makes the session live.
  void on_logged_on(const SessionInfo& session) override;
  void on_message(const SessionInfo& session, const wire::Message& message,
                  std::span<const uint8_t> frame) override;
  void on_disconnect(const SessionInfo& session) override;

  // The core's PrepareHandler: numbers the batch's execution reports and keeps them in its
  // ledger batch. Then its CommittedHandler, which sends them and everything else.
  void before_commit(CommittedBatch& batch);
  void on_committed(const CommittedBatch& batch);

  // Exchange-internal requests (listing the calendar, adding participants at start-up).
  bool submit_internal(ExchangeCommand command);
  std::optional<ParticipantEntry> participant(const std::string& name) const;
  bool has_product(const std::string& symbol) const;
  // The id a new participant takes: the next after every registered or reserved one. Taken
  // ids are never given again, whether or not their registration is committed.
  uint32_t reserve_participant_id();
  const ServiceCounters& counters() const { return counters_; }

 private:
  struct ProductEntry {
    std::string symbol;
    matching::ProductSpec spec;
    matching::ProductState state = matching::ProductState::trading;
    int64_t uncross_time_ns = 0;  // in a call phase: when the engine uncrosses it (0: operator)
  };
  struct SessionEntry {
    uint32_t participant = 0;
    bool cancel_on_disconnect = true;
    // False while a resend runs: live reports wait in the ledger for the resend to send them.
    bool live = true;
    uint64_t resent_through = 0;  // report_sequence; live reports up to it were resent
    // Book snapshots asked for and not yet sent, by product: a snapshot subscribes the session
    // to its deltas only while it is still wanted (no Unsubscribe of the product came since).
    // One at most per product: a Subscribe repeated while one is on its way waits for it.
    std::set<uint32_t> books_pending;
  };
  // A report of the batch being committed, numbered; sent by on_committed.
  struct PendingReport {
    size_t event_index = 0;  // into CommittedBatch::events
    uint32_t participant = 0;
    uint64_t sequence = 0;
    ReportRecord record;
  };

  bool submit(const SessionInfo& session, Request request, uint64_t ref_sequence);
  bool submit_operator(const SessionInfo& session, const ParticipantEntry& who, Request request,
                       uint64_t ref_sequence);
  bool submit_session_event(ExchangeCommandKind kind, uint32_t participant,
                            bool at_last_time = false);
  void cancel_for_disconnect(uint32_t participant, bool at_last_time = false);
  void cancel_sessions_cut_off();
  void reply(uint64_t session, std::span<const uint8_t> frame);
  void reject(const SessionInfo& session, wire::ErrorCode code, std::string_view text,
              uint64_t ref_sequence);
  std::optional<matching::ProductId> resolve(const flatbuffers::String* symbol,
                                             std::optional<uint32_t> product_id) const;
  // The product an operator's request names; when there is none the request is refused (its
  // OperatorAck says so) and nothing is returned.
  std::optional<matching::ProductId> operator_product(const SessionInfo& session,
                                                      uint64_t request_id,
                                                      const flatbuffers::String* symbol,
                                                      flatbuffers::Optional<uint32_t> product_id);

  void on_order_message(const SessionInfo& session, const ParticipantEntry& who,
                        const wire::Message& message);
  void on_operator_message(const SessionInfo& session, const ParticipantEntry& who,
                           const wire::Message& message);
  void on_trading_halt(const SessionInfo& session, const ParticipantEntry& who,
                       const wire::TradingHalt& halt, uint64_t ref_sequence);
  void on_suspension(const SessionInfo& session, const ParticipantEntry& who,
                     const wire::Suspension& suspension, uint64_t ref_sequence);
  void on_auction(const SessionInfo& session, const ParticipantEntry& who,
                  const wire::Auction& auction, uint64_t ref_sequence);
  // Operator request ids (submit_operator): a repeat is answered with what came of the first.
  void answer_on_its_way(const SessionInfo& session, uint64_t request_id);
  // `asked`: the request's command, told apart from another one under the same id by its kind
  // and its request_digest.
  bool answered_from_ledger(const SessionInfo& session, uint32_t operator_id, uint64_t request_id,
                            const ExchangeCommand& asked, uint64_t ref_sequence);
  bool answered_as_repeat(const SessionInfo& session, uint32_t operator_id, uint64_t request_id,
                          const ExchangeCommand& asked, uint64_t ref_sequence);
  void on_add_participant(const SessionInfo& session, const ParticipantEntry& who,
                          const wire::AddParticipant& add, uint64_t ref_sequence);
  void deliver_added_participant(const Outcome& outcome);
  void on_subscribe(const SessionInfo& session, const wire::Subscribe& subscribe,
                    uint64_t ref_sequence);
  void send_product_list(const SessionInfo& session, const wire::ListProducts& request);
  void on_bars_request(const SessionInfo& session, const wire::BarsRequest& request,
                       uint64_t ref_sequence);
  void load_recent_bars(const ledger::Snapshot& snapshot);
  void publish_closed_bars();

  void deliver_outcome(const CommittedBatch& batch, const Outcome& outcome);
  void deliver_event(const CommittedBatch& batch, const Outcome& outcome, size_t index);
  void deliver_operator_ack(const CommittedBatch& batch, const Outcome& outcome);
  void deliver_control_ack(const CommittedBatch& batch, const Outcome& outcome);
  void publish_indicatives(const Outcome& outcome);
  void publish_product_status(const matching::Event& event, std::string_view symbol,
                              int64_t uncross_time_ns);
  void deliver_snapshot(const Outcome& outcome);
  // The products a Subscribe or Unsubscribe names; nullopt (the session told why) when one is
  // not listed.
  template <typename Subscription>
  std::optional<std::vector<matching::ProductId>> products_named(const SessionInfo& session,
                                                                 const Subscription& request,
                                                                 uint64_t ref_sequence);
  void on_unsubscribe(const SessionInfo& session, const wire::Unsubscribe& unsubscribe,
                      uint64_t ref_sequence);
  void on_account_request(const SessionInfo& session, const ParticipantEntry& who,
                          const wire::AccountRequest& request, uint64_t ref_sequence);
  void deliver_account(const Outcome& outcome);
  void send_reports_of_event(size_t index);
  void keep_report(CommittedBatch& batch, size_t index, matching::ParticipantId viewer,
                   const OrderFacts* facts);
  void keep_reports_of_event(CommittedBatch& batch, const Outcome& outcome, size_t index);
  const OrderFacts* facts_for(const Outcome& outcome, const matching::Event& event,
                              OrderFacts& scratch);
  std::string_view symbol_of(uint32_t product) const;
  // The product's state now, as of committed_through_ns_: what a subscriber without a book
  // snapshot learns it from (sessions_mutex_ held; takes reference_mutex_).
  Frame current_status_frame(uint32_t product) const;
  // A resend in progress (network thread).
  struct ResendState {
    uint64_t session = 0;
    uint32_t participant = 0;
    uint64_t after = 0;           // the next report to send follows this one
    uint64_t resent_through = 0;  // the last report sent; 0: none yet
  };
  void resend_step(ResendState state);
  // Sends the next chunk of kept reports (at most resend_chunk_reports); returns how many.
  size_t resend(ResendState& state);

  ExchangeCore& core_;
  ServiceConfig config_;
  Server* server_ = nullptr;
  mutable std::mutex sessions_mutex_;
  mutable std::mutex reference_mutex_;
  std::map<std::string, ParticipantEntry> participants_by_name_;
  std::map<uint32_t, std::string> participant_names_;
  // Registrations sent to the core and not yet committed: a second one of the same name is
  // refused, and ids given are not given again (reserve_participant_id).
  std::set<std::string> names_being_added_;
  // Operators' requests (operator id, request id) sent to the core and not yet committed.
  std::set<std::pair<uint32_t, uint64_t>> requests_in_flight_;
  uint32_t next_participant_id_ = 1;
  // The next id after every registered and reserved one (reference_mutex_ held).
  uint32_t next_free_participant_id() const;
  std::vector<ProductEntry> products_;
  // Ids of the products not yet delivered, ascending: what ListProducts answers from. The
  // exchange lists about 200 products a day and keeps every one in products_.
  std::vector<uint32_t> open_product_ids_;
  std::map<std::string, uint32_t, std::less<>> product_ids_;
  std::map<uint64_t, SessionEntry> sessions_;
  std::map<uint32_t, std::set<uint64_t>> sessions_of_;       // participant -> sessions
  std::map<uint32_t, std::set<uint64_t>> book_subscribers_;  // product -> sessions
  // Products in their call phase -> the indicative uncross last sent (price, lots).
  std::map<uint32_t, std::pair<int64_t, int64_t>> indicatives_sent_;
  // The sequencer's time of the latest command committed (sessions_mutex_): what a product's
  // state, as current_status_frame reads it, holds as of.
  int64_t committed_through_ns_ = 0;
  std::map<uint32_t, std::set<uint64_t>> trade_subscribers_;
  std::map<uint32_t, std::set<uint64_t>> bar_subscribers_;
  // Under sessions_mutex_: every product's bars (written on the ledger thread, read by
  // BarsRequest), and the bars closed but not yet sent (ledger thread).
  BarBook bars_;
  std::vector<Bar> closed_bars_;
  ServiceCounters counters_;
  // Ledger thread only (on_committed): a builder reused for every outbound frame, and what is
  // known of each live order entered since start (OrderFacts), by engine order id. An entry
  // goes when its order is done; orders from before a restart have none.
  flatbuffers::FlatBufferBuilder builder_{1024};
  std::unordered_map<uint64_t, OrderFacts> orders_;
  // The block order whose windows facts_for is numbering, and how many it has numbered.
  uint64_t block_sequence_ = 0;
  uint8_t block_windows_accepted_ = 0;
  // Ledger thread only: the last report_sequence per participant id, and the reports of the
  // batch between before_commit and on_committed (next_pending_ is the next one to send).
  std::vector<uint64_t> report_sequences_;
  std::vector<uint32_t> reported_participants_;  // of this batch, for dropping old reports
  std::vector<PendingReport> pending_reports_;
  size_t next_pending_ = 0;
  std::vector<uint8_t> record_bytes_;
};

}  // namespace ghx::gateway
