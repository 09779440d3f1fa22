#include "gateway/exchange_core.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <utility>

#include "gateway/ledger_posting.h"
#include "gateway/log.h"

namespace ghx::gateway {
namespace {

// One filling, one spare for the engine, one committing and one queued.
constexpr size_t batches_in_flight = 4;
constexpr size_t batch_bytes_per_op_reserved = 256;  // command bytes, names and symbols
constexpr size_t requests_per_round_max = 1024;
// Levels per side in a book snapshot: 2 x 1000 levels of 16 bytes fit a 64 KiB frame. Deltas
// beyond that depth still arrive, with absolute sizes.
constexpr uint32_t snapshot_depth_max = 1000;
constexpr auto request_wait = std::chrono::milliseconds(5);
constexpr auto batch_wait = std::chrono::milliseconds(50);

int64_t system_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Every batch is accounted for: the queue of free batches has room for all of them.
#define GHX_ASSERT_BATCH(condition) \
  do {                               \
    if (!(condition)) std::abort();  \
  } while (false)

bool counts_in_market_data(const matching::Event& event) {
  return event.type == matching::EventType::book_level ||
         event.type == matching::EventType::trade;
}

std::filesystem::path default_snapshot_directory(const std::string& data_directory) {
  std::filesystem::path ledger = std::filesystem::path(data_directory).lexically_normal();
  if (!ledger.has_filename()) ledger = ledger.parent_path();  // "DATA/ledger/"
  return ledger.parent_path() / "snapshots";
}

// One prefetch step for the request at `index`, if there is one and it is an engine command.
void prefetch_for(const matching::Engine& engine, const std::vector<Request>& requests,
                  size_t index, matching::Engine::PrefetchStep step) {
  if (index < requests.size() && requests[index].kind == Request::Kind::command &&
      requests[index].command.kind == ExchangeCommandKind::engine) {
    engine.prefetch(requests[index].command.engine, step);
  }
}

}  // namespace

void CommittedBatch::clear() {
  outcomes.clear();
  events.clear();
  market_sequences.clear();
  ledger_batch.clear();
  commands = 0;
}


namespace {

// The engine and the ledger each apply a delivery failure's penalty; they must agree on it.
ExchangeCoreConfig checked(ExchangeCoreConfig config) {
  if (config.engine.failure_penalty_bps != config.ledger.penalty_bps) {
    throw std::invalid_argument("the engine's failure_penalty_bps (" +
                                std::to_string(config.engine.failure_penalty_bps) +
                                ") differs from the ledger's penalty_bps (" +
                                std::to_string(config.ledger.penalty_bps) + ")");
  }
  // A look at the data opens the ledger read-only: the ledger itself then refuses any write.
  if (config.inspect_only) config.ledger.read_only = true;
  return config;
}

}  // namespace

ExchangeCore::ExchangeCore(ExchangeCoreConfig config)
    : config_(checked(std::move(config))),
      ledger_(std::make_unique<ledger::Ledger>(config_.data_directory, config_.ledger)),
      requests_(config_.request_queue_capacity),
      to_ledger_(batches_in_flight),
      free_batches_(batches_in_flight) {
  if (!config_.clock_ns) config_.clock_ns = system_clock_ns;
  snapshot_directory_ = config_.snapshot_directory.empty()
                            ? default_snapshot_directory(config_.data_directory)
                            : std::filesystem::path(config_.snapshot_directory);
  for (size_t i = 0; i < batches_in_flight; ++i) {
    auto batch = std::make_unique<CommittedBatch>();
    batch->ledger_batch = ledger::Batch(config_.batch_ops_reserved,
                                        config_.batch_ops_reserved * batch_bytes_per_op_reserved);
    batch->events.reserve(64 * 1024);
    free_batches_.try_push(std::move(batch));
  }
  scratch_events_.reserve(64 * 1024);
  recover();
  if (config_.snapshot_interval_commands > 0 && !config_.inspect_only) {
    snapshot_writer_ = std::make_unique<SnapshotWriter>(
        SnapshotStore(snapshot_directory_, config_.snapshots_kept),
        [this](uint64_t sequence, const SnapshotOutcome& outcome) {
          if (outcome.ok()) {
            stats_.snapshots_written.fetch_add(1, std::memory_order_relaxed);
            return;
          }
          stats_.snapshot_write_failures.fetch_add(1, std::memory_order_relaxed);
          log(LogLevel::error, "exchange: snapshot " + std::to_string(sequence) +
                                   " not written: " + std::string(to_string(outcome.status)) +
                                   " " + outcome.detail);
        },
        [this] { return committed_through_.load(std::memory_order_acquire); });
  }
}

ExchangeCore::~ExchangeCore() { stop(); }

// Engine and core state from the newest usable snapshot, then the journal after it.
void ExchangeCore::recover() {
  const auto started = std::chrono::steady_clock::now();
  const uint64_t applied = ledger_->last_applied_sequence().value;
  uint64_t from = 1;
  if (config_.snapshot_interval_commands > 0) from = load_newest_snapshot(applied) + 1;
  if (!engine_) engine_ = std::make_unique<matching::Engine>(config_.engine);
  replay_journal(from);
  check_against_ledger();
  committed_through_ = last_sequence_;
  sessions_cut_off_ = open_sessions_;
  const auto elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - started)
                              .count();
  log(LogLevel::info,
      "exchange: recovered to sequence " + std::to_string(last_sequence_) +
          (from > 1 ? " from snapshot " + std::to_string(from - 1) : " without a snapshot") +
          " and " + std::to_string(stats_.replayed_commands.load()) + " journaled commands in " +
          std::to_string(elapsed_ms) + " ms");
}

// The engine's risk checks and the ledger's books move the same cash and capacity, so after
// recovery they agree for every participant. If they did not, trading on would check orders
// against money that is not there (or refuse money that is): refuse to start instead, naming
// the first difference. Walks the products not yet delivered once per participant.
void ExchangeCore::check_against_ledger() const {
  const ledger::Snapshot books = ledger_->snapshot();
  std::string difference;
  const auto differs = [&](const ledger::ParticipantRecord& who, const std::string& what,
                           int64_t engine, int64_t ledger) {
    if (engine == ledger) return false;
    difference = "participant " + std::to_string(who.id.value) + " (" + who.name + ") " + what +
                 ": the engine has " + std::to_string(engine) + ", the ledger " +
                 std::to_string(ledger);
    return true;
  };
  const ledger::Result result = books.for_each_participant([&](const ledger::ParticipantRecord&
                                                                   who) {
    using ledger::AccountKind;
    const matching::AccountView cash = engine_->account({who.id.value});
    if (differs(who, "available cash", cash.available.value,
                books.balance(ledger::cash_account(who.id, AccountKind::available))) ||
        differs(who, "held cash", cash.held.value,
                books.balance(ledger::cash_account(who.id, AccountKind::held)))) {
      return false;
    }
    for (const auto& [product, capacity] : engine_->capacities({who.id.value})) {
      const ledger::ProductId of{product.value};
      const std::string what = "capacity of product " + std::to_string(product.value);
      if (differs(who, "available " + what, capacity.available.value,
                  books.balance(ledger::capacity_account(who.id, of, AccountKind::available))) ||
          differs(who, "held " + what, capacity.held.value,
                  books.balance(ledger::capacity_account(who.id, of, AccountKind::held)))) {
        return false;
      }
    }
    return true;
  });
  if (result != ledger::Result::ok) {
    throw std::runtime_error(std::string("the ledger's participants cannot be read: ") +
                             ledger::to_string(result));
  }
  if (!difference.empty()) {
    throw std::runtime_error("the engine and the ledger disagree after recovery: " + difference);
  }
}

// Returns the sequence of the snapshot loaded, or 0 (the engine is then null or fresh).
uint64_t ExchangeCore::load_newest_snapshot(uint64_t sequence_max) {
  SnapshotStore store(snapshot_directory_, config_.snapshots_kept);
  const SnapshotSearch search = store.find_newest(
      sequence_max, [this](uint64_t sequence, std::span<const uint8_t> payload) {
        return use_snapshot(sequence, payload);
      });
  for (const SkippedSnapshot& skipped : search.skipped) {
    log(LogLevel::warn, "exchange: snapshot " + skipped.file.path.string() +
                            " skipped: " + skipped.reason);
  }
  skipped_snapshots_ = search.skipped;
  stats_.snapshots_skipped = search.skipped.size();
  // Sequences above the ledger's were never committed and will be reused by other commands:
  // such a snapshot can never become valid. Only a core that will commit deletes it: a look
  // at the data changes nothing.
  const size_t removed = config_.inspect_only ? 0 : store.remove_above(sequence_max);
  if (removed > 0) {
    log(LogLevel::warn, "exchange: deleted " + std::to_string(removed) +
                            " snapshot(s) beyond the ledger's last applied sequence " +
                            std::to_string(sequence_max));
  }
  stats_.snapshot_used_sequence = search.sequence.value_or(0);
  return search.sequence.value_or(0);
}

// Loads one intact snapshot into a fresh engine; an empty string when it is taken, else why
// not (the engine is then discarded: a failed load leaves it unusable).
std::string ExchangeCore::use_snapshot(uint64_t sequence, std::span<const uint8_t> payload) {
  std::span<const uint8_t> engine_bytes;
  CoreSnapshotState state;
  if (!split_payload(payload, engine_bytes, state)) {
    return "the core's state does not decode (damaged, or another version of ghxd)";
  }
  if (state.sequence != sequence) {
    return "its payload is of sequence " + std::to_string(state.sequence);
  }
  if (!journal_entry_matches(sequence, state.journal_entry_hash)) {
    return "the journal entry at " + std::to_string(sequence) + " is not the one it was taken at";
  }
  engine_ = std::make_unique<matching::Engine>(config_.engine);
  if (!engine_->load(engine_bytes)) {
    engine_.reset();
    return "the engine refused its state";
  }
  last_sequence_ = sequence;
  last_time_ns_ = state.last_time_ns;
  market_sequences_ = std::move(state.market_sequences);
  open_sessions_ = std::move(state.open_sessions);
  return {};
}

bool ExchangeCore::journal_entry_matches(uint64_t sequence, uint64_t hash) const {
  bool matches = false;
  const ledger::Result result = ledger_->read_journal(
      ledger::SequenceNumber{sequence}, [&](ledger::SequenceNumber at, auto bytes) {
        matches = at.value == sequence && xxh64(bytes) == hash;
        return false;  // the first entry is all we need
      });
  return result == ledger::Result::ok && matches;
}

void ExchangeCore::replay_journal(uint64_t from) {
  std::string error;
  const ledger::Result result = ledger_->read_journal(
      ledger::SequenceNumber{from}, [&](ledger::SequenceNumber sequence, auto bytes) {
        ExchangeCommand command;
        if (!decode(bytes, command) || command.sequence().value != sequence.value) {
          error = "journal entry " + std::to_string(sequence.value) +
                  " does not decode (damaged, or written by another version of ghxd)";
          return false;
        }
        if (sequence.value != last_sequence_ + 1) {
          error = "journal entry " + std::to_string(last_sequence_ + 1) + " is missing (" +
                  std::to_string(last_sequence_) + " is followed by " +
                  std::to_string(sequence.value) + ")";
          return false;
        }
        track_session(command);
        if (command.kind == ExchangeCommandKind::engine) {
          scratch_events_.clear();
          engine_->process(command.engine, scratch_events_);
          for (const matching::Event& event : scratch_events_) count_market_event(event);
        }
        last_sequence_ = sequence.value;
        last_time_ns_ = std::max(last_time_ns_, command.engine.timestamp.ns);
        stats_.replayed_commands.fetch_add(1, std::memory_order_relaxed);
        return true;
      });
  if (!error.empty()) throw std::runtime_error("journal replay: " + error);
  if (result != ledger::Result::ok) {
    throw std::runtime_error(std::string("journal replay: ") + ledger::to_string(result));
  }
  if (last_sequence_ != ledger_->last_applied_sequence().value) {
    throw std::runtime_error("journal replay ended at " + std::to_string(last_sequence_) +
                             " but the ledger applied up to " +
                             std::to_string(ledger_->last_applied_sequence().value));
  }
}

// Cancel-on-disconnect sessions open so far (a close without an open is ignored).
void ExchangeCore::track_session(const ExchangeCommand& command) {
  const uint32_t participant = command.engine.participant.value;
  if (command.kind == ExchangeCommandKind::session_opened) ++open_sessions_[participant];
  if (command.kind != ExchangeCommandKind::session_closed) return;
  const auto found = open_sessions_.find(participant);
  if (found != open_sessions_.end() && --found->second == 0) open_sessions_.erase(found);
}

// The product's market-data sequence for book_level and trade events (advanced), else 0.
uint64_t ExchangeCore::count_market_event(const matching::Event& event) {
  if (!counts_in_market_data(event)) return 0;
  if (market_sequences_.size() <= event.product.value) {
    market_sequences_.resize(event.product.value + 1);
  }
  return ++market_sequences_[event.product.value];
}

// On the engine thread, right after the command at last_sequence_: the pause in trading is
// Engine::save plus the core's few extras; checksum and I/O happen on the writer thread.
void ExchangeCore::take_snapshot() {
  std::vector<uint8_t>* buffer = snapshot_writer_->buffer();
  if (buffer == nullptr) {
    stats_.snapshots_not_taken.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  const auto started = std::chrono::steady_clock::now();
  engine_->save(*buffer);
  CoreSnapshotState state;
  state.sequence = last_sequence_;
  state.journal_entry_hash = xxh64(encode_buffer_);  // the entry of last_sequence_
  state.last_time_ns = last_time_ns_;
  state.market_sequences = market_sequences_;
  state.open_sessions = open_sessions_;
  append_core_state(state, *buffer);
  snapshot_writer_->submit(last_sequence_);
  stats_.snapshot_pause_ns_last = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                           started)
          .count());
}

void ExchangeCore::start(CommittedHandler on_committed, PrepareHandler before_commit) {
  if (config_.inspect_only) throw std::logic_error("an inspect-only exchange core is not started");
  on_committed_ = std::move(on_committed);
  before_commit_ = std::move(before_commit);
  if (snapshot_writer_) snapshot_writer_->start();
  ledger_thread_ = std::thread([this] { ledger_loop(); });
  engine_thread_ = std::thread([this] { engine_loop(); });
}

void ExchangeCore::stop() {
  stopping_ = true;
  requests_.close();
  if (engine_thread_.joinable()) engine_thread_.join();
  if (snapshot_writer_) snapshot_writer_->stop();  // after the engine: no snapshot is taken now
  to_ledger_.close();
  if (!ledger_thread_.joinable()) return;
  ledger_thread_.join();
  // Everything taken is committed now: of the snapshots kept beyond the commits of their time
  // (SnapshotStore::write), only the newest K stay. (After a failure, the next start deletes
  // those beyond the ledger.)
  if (snapshot_writer_ && !failed_) {
    SnapshotStore(snapshot_directory_, config_.snapshots_kept).prune(committed_through_.load());
  }
  const uint64_t commits = stats_.commits.load();
  if (commits > 0) {
    log(LogLevel::info, "exchange: " + std::to_string(stats_.commands.load()) + " commands in " +
                            std::to_string(commits) + " commits, mean commit " +
                            std::to_string(stats_.commit_ns_total.load() / commits / 1000) +
                            " us");
  }
}

bool ExchangeCore::submit(Request request) {
  if (failed_.load(std::memory_order_relaxed)) return false;
  return requests_.try_push(std::move(request), config_.request_queue_capacity / 8);
}

bool ExchangeCore::must_submit(Request request) {
  if (failed_.load(std::memory_order_relaxed)) return false;
  return requests_.try_push(std::move(request));
}

// A call phase's book that changed may uncross differently now: its subscribers hear of it.
// Only products in their call phase pay for the pricing.
void ExchangeCore::note_indicatives(std::span<const matching::Event> events, Outcome& outcome) {
  for (const matching::Event& event : events) {
    if (event.type != matching::EventType::book_level ||
        engine_->product_state(event.product) != matching::ProductState::auction) {
      continue;
    }
    const bool noted = std::any_of(outcome.indicatives.begin(), outcome.indicatives.end(),
                                   [&](const auto& noted) { return noted.first == event.product; });
    if (!noted) {
      outcome.indicatives.emplace_back(event.product, engine_->indicative_uncross(event.product));
    }
  }
}

void ExchangeCore::run_request(Request& request, CommittedBatch& batch) {
  Outcome& outcome = batch.outcomes.emplace_back();
  outcome.origin = request.origin;
  outcome.kind = request.kind;
  if (request.kind == Request::Kind::book_snapshot) {
    outcome.product = request.product;
    // The session resolved the product against the products the engine listed: it exists.
    outcome.product_state = engine_->product_state(request.product);
    outcome.uncross_time = engine_->scheduled_uncross(request.product);
    outcome.indicative = engine_->indicative_uncross(request.product);
    if (request.product.value < market_sequences_.size()) {
      outcome.market_sequence = market_sequences_[request.product.value];
    }
    outcome.bids = engine_->levels(request.product, matching::Side::buy, snapshot_depth_max);
    outcome.asks = engine_->levels(request.product, matching::Side::sell, snapshot_depth_max);
    return;
  }
  if (request.kind == Request::Kind::account) {
    outcome.participant = request.participant;
    outcome.account = engine_->account(request.participant);
    outcome.capacities = engine_->capacities(request.participant);
    return;
  }
  ExchangeCommand& command = request.command;
  if (!request.at_last_time) last_time_ns_ = std::max(last_time_ns_, config_.clock_ns());
  command.engine.sequence = matching::SequenceNumber{++last_sequence_};
  command.engine.timestamp = matching::Timestamp{last_time_ns_};
  encode(command, encode_buffer_);
  const size_t first_op = batch.ledger_batch.size();
  ledger::Result result = batch.ledger_batch.journal({command.sequence().value}, encode_buffer_);
  const size_t first_event = batch.events.size();
  track_session(command);
  if (command.kind == ExchangeCommandKind::engine) engine_->process(command.engine, batch.events);
  for (size_t i = first_event; i < batch.events.size(); ++i) {
    batch.market_sequences.push_back(count_market_event(batch.events[i]));
  }
  // An operator's request id goes into the ledger with its command and what came of it: a
  // repeat is then answered with that (ExchangeService::submit_operator), not done again,
  // however long after and across restarts.
  if (command.issuer != 0 && request.origin.request_id != 0) {
    const bool refused = std::any_of(
        batch.events.begin() + static_cast<std::ptrdiff_t>(first_event), batch.events.end(),
        [](const matching::Event& event) { return event.type == matching::EventType::rejected; });
    batch.ledger_batch.record_request(
        {command.issuer - 1}, request.origin.request_id, {command.sequence().value}, !refused,
        request_kind(command.kind, command.engine.type), request_digest(command));
  }
  const std::span<const matching::Event> events(batch.events.data() + first_event,
                                                batch.events.size() - first_event);
  const size_t ops_before = batch.ledger_batch.size();
  if (result == ledger::Result::ok) {
    result = post_to_ledger(command, events, *engine_, batch.ledger_batch);
  }
  // A ledger-only command's answer is its one operation; a session's opening or closing posts
  // none (and has no answer to give).
  if (command.kind != ExchangeCommandKind::engine && batch.ledger_batch.size() > ops_before) {
    outcome.ledger_op = static_cast<uint32_t>(ops_before);
  }
  // What the engine decided, the ledger must follow; the exchange's own requests (registering
  // a participant) are answered with what the ledger made of them (Outcome::ledger_ok).
  if (command.kind == ExchangeCommandKind::engine) batch.ledger_batch.require_from(first_op);
  if (result != ledger::Result::ok) {
    // The engine has moved on; a command the ledger cannot record must stop the exchange.
    log(LogLevel::error, "exchange: cannot post command " +
                             std::to_string(command.sequence().value) +
                             " to the ledger batch: " + ledger::to_string(result));
    failed_ = true;
  }
  outcome.command = command;
  outcome.first_event = static_cast<uint32_t>(first_event);
  outcome.event_count = static_cast<uint32_t>(events.size());
  note_indicatives(events, outcome);
  ++batch.commands;
  stats_.commands.fetch_add(1, std::memory_order_relaxed);
  const uint64_t interval = config_.snapshot_interval_commands;
  if (interval > 0 && last_sequence_ % interval == 0 && !failed_) take_snapshot();
}

std::unique_ptr<CommittedBatch> ExchangeCore::take_free_batch() {
  std::vector<std::unique_ptr<CommittedBatch>> fresh;
  // Bounded: the ledger returns every batch it commits (or stops the core, closing the queue).
  while (fresh.empty() && !failed_) free_batches_.pop_all(fresh, 1, batch_wait);
  return fresh.empty() ? nullptr : std::move(fresh[0]);
}

void ExchangeCore::engine_loop() {
  {
    std::lock_guard lock(filling_mutex_);
    filling_ = take_free_batch();
  }
  std::unique_ptr<CommittedBatch> spare = take_free_batch();
  std::vector<Request> requests;
  requests.reserve(requests_per_round_max);
  int64_t last_activity_ns = config_.clock_ns();
  while (!failed_ && spare) {
    requests.clear();
    const size_t taken = requests_.pop_all(requests, requests_per_round_max, request_wait);
    std::unique_ptr<CommittedBatch> ready;  // a batch to hand to the ledger
    {
      std::lock_guard lock(filling_mutex_);
      CommittedBatch& batch = *filling_;
      // After a command the ledger could not take, nothing more runs, and the batch that holds
      // it is never committed: its commands were never durable, so none is acknowledged.
      for (size_t i = 0; i < requests.size() && !failed_; ++i) {
        // The engine starts loading what the next orders will touch while this one runs: each
        // takes one step of its lookups per request run before it.
        prefetch_for(engine(), requests, i + 3, matching::Engine::PrefetchStep::blocks);
        prefetch_for(engine(), requests, i + 2, matching::Engine::PrefetchStep::slots);
        prefetch_for(engine(), requests, i + 1, matching::Engine::PrefetchStep::orders);
        run_request(requests[i], batch);
      }
      if (failed_) break;
      const int64_t now_ns = config_.clock_ns();
      if (taken > 0) {
        last_activity_ns = now_ns;
      } else if (now_ns - last_activity_ns >= config_.tick_interval_ms * 1'000'000) {
        Request tick;  // lets time pass in the engine: expiries, gate closures, deliveries
        tick.command.engine.type = matching::CommandType::tick;
        run_request(tick, batch);
        last_activity_ns = now_ns;
      }
      const bool full = batch.commands >= config_.batch_commands_max ||
                        batch.ledger_batch.size() >= config_.batch_ops_reserved / 4;
      if (!batch.outcomes.empty() && (ledger_idle_ || full)) {
        ready = std::exchange(filling_, std::move(spare));
        ledger_idle_ = false;  // until the ledger has committed it
      }
    }
    if (ready) {
      to_ledger_.push(std::move(ready));
      spare = take_free_batch();
    }
    if (taken == 0 && requests_.closed()) break;
  }
  std::unique_ptr<CommittedBatch> last;
  {
    std::lock_guard lock(filling_mutex_);
    last = std::move(filling_);
  }
  // Pushed outside the lock: the ledger takes that lock between commits.
  if (last && !last->outcomes.empty() && !failed_) to_ledger_.push(std::move(last));
  to_ledger_.close();
}

void ExchangeCore::ledger_loop() {
  std::vector<std::unique_ptr<CommittedBatch>> taken;
  std::unique_ptr<CommittedBatch> batch;
  while (true) {
    if (!batch) {
      taken.clear();
      if (to_ledger_.pop_all(taken, 1, batch_wait) == 0) {
        if (to_ledger_.closed()) break;
        continue;
      }
      batch = std::move(taken[0]);
    }
    if (!commit(*batch)) break;
    batch->clear();
    batch = next_batch(std::move(batch));
  }
}

// The ledger is free: the next commit starts now, on this thread, rather than after a round
// trip through the engine thread. Batches the engine queued come first (they are older);
// otherwise the ledger takes what the engine has gathered and leaves it `done` (cleared) to
// fill on. Returns null when there is nothing to commit: the ledger is idle.
std::unique_ptr<CommittedBatch> ExchangeCore::next_batch(std::unique_ptr<CommittedBatch> done) {
  std::lock_guard lock(filling_mutex_);
  if (!failed_ && to_ledger_.size() == 0 && filling_ && !filling_->outcomes.empty()) {
    std::swap(done, filling_);
    return done;
  }
  const bool returned = free_batches_.try_push(std::move(done));
  GHX_ASSERT_BATCH(returned);
  ledger_idle_ = to_ledger_.size() == 0;
  return nullptr;
}

bool ExchangeCore::commit(CommittedBatch& batch) {
  if (before_commit_) before_commit_(batch);
  const auto started = std::chrono::steady_clock::now();
  const ledger::Result result = ledger_->commit(batch.ledger_batch);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  if (result != ledger::Result::ok) {
    std::string detail = ledger_->last_storage_error();
    if (const std::optional<size_t> refused = batch.ledger_batch.first_refused_required()) {
      const std::span<const ledger::Op> ops = batch.ledger_batch.ops();
      size_t entry = *refused;  // the journal entry of the command the operation posts
      while (entry > 0 && ops[entry].kind != ledger::OpKind::journal) --entry;
      detail = "operation of kind " + std::to_string(static_cast<int>(ops[*refused].kind)) +
               " of the command of sequence " + std::to_string(ops[entry].sequence.value) + ": " +
               ledger::to_string(batch.ledger_batch.result(*refused));
    }
    // A full map is the operator's to fix, whichever operation found it full (the map may fill
    // at a required operation, which then reads as refused): the remedy wins.
    if (result == ledger::Result::map_full) {
      detail = "the ledger's data file may grow to " +
               std::to_string(ledger_->options().map_size_max_bytes >> 20) +
               " MiB and this commit needs more: start ghxd again with a larger --ledger-max";
    }
    log(LogLevel::error, std::string("exchange: ledger commit failed: ") +
                             ledger::to_string(result) + " (" + detail + "); stopping");
    failed_ = true;
    requests_.close();
    free_batches_.close();  // an engine waiting for a batch, or to queue one, stops
    to_ledger_.close();
    return false;
  }
  stats_.commits.fetch_add(1, std::memory_order_relaxed);
  if (batch.ledger_batch.last_sequence().value != 0) {
    committed_through_.store(batch.ledger_batch.last_sequence().value, std::memory_order_release);
  }
  stats_.commit_ns_total.fetch_add(
      std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count(),
      std::memory_order_relaxed);
  for (size_t i = 0; i < batch.ledger_batch.size(); ++i) {
    if (batch.ledger_batch.result(i) != ledger::Result::ok) {
      stats_.ledger_op_errors.fetch_add(1, std::memory_order_relaxed);
    }
  }
  for (Outcome& outcome : batch.outcomes) {
    if (outcome.ledger_op != UINT32_MAX) {
      outcome.ledger_ok = batch.ledger_batch.result(outcome.ledger_op) == ledger::Result::ok;
    }
  }
  if (on_committed_) on_committed_(batch);
  return true;
}

}  // namespace ghx::gateway
