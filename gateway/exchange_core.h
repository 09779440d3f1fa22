#pragma once
// The exchange core: sequencer + engine thread, and ledger thread.
//
//   submit() --bounded queue--> engine thread: stamps sequence and time, runs the engine,
//     posts the ledger operations of each command into the batch being filled
//   --bounded queue of batches--> ledger thread: one durable LMDB commit per batch (group
//     commit: a batch holds every command processed while the previous commit ran). The engine
//     hands a batch over when the ledger is idle (or the batch is full); when a commit ends,
//     the ledger takes the engine's batch itself and commits it at once.
//   --> on_committed(batch): only now may anything about these commands reach a participant.
//
// Caveats:
// - submit() may be called from any thread; false means back-pressure (reply ServerBusy).
// - on_committed runs on the ledger thread, in sequence order, once per committed batch.
// - A ledger commit that fails stops the core (nothing after it can be acknowledged); failed()
//   tells, and the server's owner shuts down.
// - On start, the engine is rebuilt from the newest usable snapshot plus the journal after it
//   (or, with none, by replaying the whole journal); the replayed state must end at the
//   ledger's last applied sequence number, or the constructor throws.
// - Snapshots: after each command whose sequence is a multiple of snapshot_interval_commands,
//   the engine thread serializes the engine and the core's own state into a buffer (the only
//   pause in trading) and a writer thread stores it (see gateway/core_snapshot.h). A snapshot
//   is skipped when the previous one is still being written. A snapshot at sequence S is only
//   used once the ledger has committed S; newer ones (a crash came first) are deleted at start,
//   and corrupt or unloadable ones are skipped for an older one and a longer replay.

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "gateway/bounded_queue.h"
#include "gateway/core_snapshot.h"
#include "gateway/exchange_command.h"
#include "gateway/snapshot_store.h"
#include "ledger/batch.h"
#include "ledger/ledger.h"
#include "matching/engine.h"

namespace ghx::gateway {

// Who asked, so that replies find their way back. 0 = the exchange itself (ticks, listings).
struct Origin {
  uint64_t session = 0;
  uint64_t request_id = 0;  // operator commands echo it
};

struct Request {
  // book_snapshot and account read the engine in sequence with the commands, and change nothing.
  enum class Kind : uint8_t { command, book_snapshot, account };
  Kind kind = Kind::command;
  Origin origin;
  ExchangeCommand command;        // kind command: sequence and timestamp are set by the core
  matching::ProductId product;    // kind book_snapshot
  matching::ParticipantId participant;  // kind account
  // Stamped with the time of the last command sequenced, not the clock's: for what happened
  // then but could only be sequenced later (the cancels of sessions a crash cut off), so that
  // nothing falls due before it (an uncross trading orders that were already to be canceled).
  bool at_last_time = false;
};

// The outcome of one request, in a committed batch.
struct Outcome {
  Origin origin;
  Request::Kind kind = Request::Kind::command;
  ExchangeCommand command;   // as sequenced (sequence and timestamp set)
  uint32_t first_event = 0;  // into CommittedBatch::events
  uint32_t event_count = 0;
  bool ledger_ok = true;     // ledger-only commands: the ledger accepted the operation
  uint32_t ledger_op = UINT32_MAX;  // that operation's index in the ledger batch
  // book_snapshot
  matching::ProductId product;
  matching::ProductState product_state = matching::ProductState::trading;
  matching::Timestamp uncross_time;  // in a call phase with a scheduled uncross
  std::optional<matching::Engine::IndicativeUncross> indicative;  // in a crossed call phase
  // engine commands: the indicative uncross (or none) of each product in its call phase whose
  // book the command changed
  std::vector<std::pair<matching::ProductId, std::optional<matching::Engine::IndicativeUncross>>>
      indicatives;
  uint64_t market_sequence = 0;
  std::vector<matching::LevelView> bids;
  std::vector<matching::LevelView> asks;
  // account
  matching::ParticipantId participant;
  matching::AccountView account;
  std::vector<std::pair<matching::ProductId, matching::CapacityView>> capacities;
};

struct CommittedBatch {
  std::vector<Outcome> outcomes;
  std::vector<matching::Event> events;
  std::vector<uint64_t> market_sequences;  // per event: the product's sequence for book_level
                                           // and trade events, else 0
  ledger::Batch ledger_batch;
  size_t commands = 0;

  void clear();
};

struct ExchangeCoreConfig {
  std::string data_directory;
  matching::EngineConfig engine;
  ledger::Options ledger;
  size_t request_queue_capacity = 65536;  // of which submit() leaves an eighth for must_submit
  size_t batch_commands_max = 4096;     // a larger batch is committed before it grows on
  // Ledger operations (and bytes) each batch reserves room for. A batch is handed to the
  // ledger once it holds a quarter of that; it grows past its reserve for a command that needs
  // more (a mass cancel of many orders), since a command's operations commit together.
  size_t batch_ops_reserved = 64 * 1024;
  int64_t tick_interval_ms = 100;       // idle clock ticks, for expiries and gate closures
  // The sequencer's clock: nanoseconds since the epoch. Tests may set a fake one.
  std::function<int64_t()> clock_ns;
  // Snapshots every this many commands; 0 = off (none taken, none used: a full replay).
  uint64_t snapshot_interval_commands = 100'000;
  std::string snapshot_directory;  // empty: "snapshots" next to data_directory
  size_t snapshots_kept = snapshots_kept_default;
  // Recovery only, to look at the result (ghxd --print-state-hash): the snapshots directory is
  // left as it is (none is taken, none deleted, not even one beyond the ledger's sequence).
  // Such a core is not started.
  bool inspect_only = false;
};

struct ExchangeCoreStats {
  std::atomic<uint64_t> commands{0};
  std::atomic<uint64_t> commits{0};
  std::atomic<uint64_t> commit_ns_total{0};
  std::atomic<uint64_t> replayed_commands{0};   // at start, after the snapshot used
  std::atomic<uint64_t> snapshot_used_sequence{0};  // at start; 0 = none (full replay)
  std::atomic<uint64_t> snapshots_skipped{0};   // at start: newer ones not usable
  std::atomic<uint64_t> snapshots_written{0};
  std::atomic<uint64_t> snapshots_not_taken{0};  // the previous one was still being written
  std::atomic<uint64_t> snapshot_write_failures{0};
  std::atomic<uint64_t> snapshot_pause_ns_last{0};  // engine thread: serializing the last one
  std::atomic<uint64_t> ledger_op_errors{0};  // operations the ledger refused (should be 0)
};

class ExchangeCore {
 public:
  using CommittedHandler = std::function<void(const CommittedBatch&)>;
  // Runs on the ledger thread just before a batch's commit: what it adds to the ledger batch
  // (kept execution reports) becomes durable with the batch's commands.
  using PrepareHandler = std::function<void(CommittedBatch&)>;

  // Opens the ledger and replays the journal into a fresh engine. Throws on a corrupt journal
  // or a replay that disagrees with the ledger.
  explicit ExchangeCore(ExchangeCoreConfig config);
  ~ExchangeCore();
  ExchangeCore(const ExchangeCore&) = delete;
  ExchangeCore& operator=(const ExchangeCore&) = delete;

  void start(CommittedHandler on_committed, PrepareHandler before_commit = {});
  void stop();  // drains what was submitted, commits it, joins the threads. Idempotent.

  // False when the exchange has stopped, or its queue is full but for the slots kept for
  // must_submit: the caller answers ServerBusy.
  bool submit(Request request);
  // For what cannot be refused for being busy (a disconnected session's cancel-on-disconnect
  // and its close): uses the slots submit() keeps free. False only when the exchange has
  // stopped, or more sessions than the kept slots ended at once while it was full.
  bool must_submit(Request request);

  bool failed() const { return failed_.load(); }
  const ExchangeCoreStats& stats() const { return stats_; }
  // Read-only state for start-up (before start()) and tests (after stop()).
  const matching::Engine& engine() const { return *engine_; }
  ledger::Ledger& ledger() { return *ledger_; }
  matching::SequenceNumber last_sequence() const { return {last_sequence_}; }
  // Participants with cancel-on-disconnect sessions that the journal shows open when it ends:
  // the sessions a crash cut off. participant -> number of such sessions.
  const std::map<uint32_t, uint32_t>& sessions_cut_off() const { return sessions_cut_off_; }
  // The snapshots passed over at start, with the reason (they are logged too).
  const std::vector<SkippedSnapshot>& skipped_snapshots() const { return skipped_snapshots_; }
  const std::filesystem::path& snapshot_directory() const { return snapshot_directory_; }

 private:
  void recover();
  uint64_t load_newest_snapshot(uint64_t sequence_max);
  std::string use_snapshot(uint64_t sequence, std::span<const uint8_t> payload);
  bool journal_entry_matches(uint64_t sequence, uint64_t hash) const;
  void replay_journal(uint64_t from);
  void check_against_ledger() const;
  void track_session(const ExchangeCommand& command);
  uint64_t count_market_event(const matching::Event& event);
  void take_snapshot();
  void engine_loop();
  void ledger_loop();
  void run_request(Request& request, CommittedBatch& batch);
  void note_indicatives(std::span<const matching::Event> events, Outcome& outcome);
  std::unique_ptr<CommittedBatch> take_free_batch();
  std::unique_ptr<CommittedBatch> next_batch(std::unique_ptr<CommittedBatch> done);
  bool commit(CommittedBatch& batch);

  ExchangeCoreConfig config_;
  std::unique_ptr<ledger::Ledger> ledger_;
  // Held by pointer: an engine that refused a snapshot is unusable and is replaced.
  std::unique_ptr<matching::Engine> engine_;
  uint64_t last_sequence_ = 0;
  // The ledger's last committed sequence (ledger thread; the snapshot writer reads it).
  std::atomic<uint64_t> committed_through_{0};
  int64_t last_time_ns_ = 0;
  std::vector<uint64_t> market_sequences_;  // per product, engine thread only
  std::map<uint32_t, uint32_t> open_sessions_;  // cancel-on-disconnect; engine thread only
  std::map<uint32_t, uint32_t> sessions_cut_off_;  // open_sessions_ at start; fixed after
  std::filesystem::path snapshot_directory_;
  std::vector<SkippedSnapshot> skipped_snapshots_;
  std::unique_ptr<SnapshotWriter> snapshot_writer_;  // null when snapshots are off
  std::vector<uint8_t> encode_buffer_;
  std::vector<matching::Event> scratch_events_;

  BoundedQueue<Request> requests_;
  BoundedQueue<std::unique_ptr<CommittedBatch>> to_ledger_;
  BoundedQueue<std::unique_ptr<CommittedBatch>> free_batches_;
  // The batch the engine fills. The engine holds the mutex while it runs a round of requests;
  // the ledger takes the batch from under it when a commit ends (group commit without a
  // hand-over through the engine thread).
  std::mutex filling_mutex_;
  std::unique_ptr<CommittedBatch> filling_;
  bool ledger_idle_ = true;  // guarded by filling_mutex_
  std::atomic<bool> stopping_{false};
  std::atomic<bool> failed_{false};
  CommittedHandler on_committed_;
  PrepareHandler before_commit_;
  std::thread engine_thread_;
  std::thread ledger_thread_;
  ExchangeCoreStats stats_;
};

}  // namespace ghx::gateway
