#include "gateway/exchange_core.h"

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <utility>

#include "gateway/ledger_posting.h"
#include "gateway/log.h"

namespace ghx::gateway {
namespace {

// One filling, one spare for the engine, one committing and one queued.
constexpr size_t batches_in_flight = 4;
constexpr size_t batch_ops_max = 64 * 1024;
constexpr size_t batch_bytes_max = 16 * 1024 * 1024;
// Hand a batch over at this many ledger operations, leaving room for one large command.
constexpr size_t batch_ops_soft_max = 16 * 1024;
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

}  // namespace

void CommittedBatch::clear() {
  outcomes.clear();
  events.clear();
  market_sequences.clear();
  ledger_batch.clear();
  commands = 0;
}

ExchangeCore::ExchangeCore(ExchangeCoreConfig config)
    : config_(std::move(config)),
      ledger_(std::make_unique<ledger::Ledger>(config_.data_directory, config_.ledger)),
      engine_(config_.engine),
      requests_(config_.request_queue_capacity),
      to_ledger_(batches_in_flight),
      free_batches_(batches_in_flight) {
  if (!config_.clock_ns) config_.clock_ns = system_clock_ns;
  for (size_t i = 0; i < batches_in_flight; ++i) {
    auto batch = std::make_unique<CommittedBatch>();
    batch->ledger_batch = ledger::Batch(batch_ops_max, batch_bytes_max);
    batch->events.reserve(64 * 1024);
    free_batches_.try_push(std::move(batch));
  }
  scratch_events_.reserve(64 * 1024);
  replay_journal();
}

ExchangeCore::~ExchangeCore() { stop(); }

void ExchangeCore::replay_journal() {
  std::string error;
  const ledger::Result result = ledger_->read_journal(
      ledger::SequenceNumber{1}, [&](ledger::SequenceNumber sequence, auto bytes) {
        ExchangeCommand command;
        if (!decode(bytes, command) || command.sequence().value != sequence.value) {
          error = "journal entry " + std::to_string(sequence.value) +
                  " does not decode (damaged, or written by another version of ghxd)";
          return false;
        }
        if (sequence.value != last_sequence_ + 1) {
          error = "journal gap before entry " + std::to_string(sequence.value);
          return false;
        }
        const uint32_t participant = command.engine.participant.value;
        if (command.kind == ExchangeCommandKind::session_opened) ++sessions_cut_off_[participant];
        if (command.kind == ExchangeCommandKind::session_closed &&
            sessions_cut_off_[participant] > 0 && --sessions_cut_off_[participant] == 0) {
          sessions_cut_off_.erase(participant);
        }
        if (command.kind == ExchangeCommandKind::engine) {
          scratch_events_.clear();
          engine_.process(command.engine, scratch_events_);
          for (const matching::Event& event : scratch_events_) {
            if (!counts_in_market_data(event)) continue;
            if (market_sequences_.size() <= event.product.value) {
              market_sequences_.resize(event.product.value + 1);
            }
            ++market_sequences_[event.product.value];
          }
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

void ExchangeCore::start(CommittedHandler on_committed) {
  on_committed_ = std::move(on_committed);
  ledger_thread_ = std::thread([this] { ledger_loop(); });
  engine_thread_ = std::thread([this] { engine_loop(); });
}

void ExchangeCore::stop() {
  stopping_ = true;
  requests_.close();
  if (engine_thread_.joinable()) engine_thread_.join();
  to_ledger_.close();
  if (!ledger_thread_.joinable()) return;
  ledger_thread_.join();
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
  return requests_.try_push(std::move(request));
}

void ExchangeCore::run_request(Request& request, CommittedBatch& batch) {
  Outcome& outcome = batch.outcomes.emplace_back();
  outcome.origin = request.origin;
  outcome.kind = request.kind;
  if (request.kind == Request::Kind::book_snapshot) {
    outcome.product = request.product;
    if (request.product.value < market_sequences_.size()) {
      outcome.market_sequence = market_sequences_[request.product.value];
    }
    outcome.bids = engine_.levels(request.product, matching::Side::buy, snapshot_depth_max);
    outcome.asks = engine_.levels(request.product, matching::Side::sell, snapshot_depth_max);
    return;
  }
  ExchangeCommand& command = request.command;
  last_time_ns_ = std::max(last_time_ns_, config_.clock_ns());
  command.engine.sequence = matching::SequenceNumber{++last_sequence_};
  command.engine.timestamp = matching::Timestamp{last_time_ns_};
  encode(command, encode_buffer_);
  ledger::Result result =
      batch.ledger_batch.journal({command.sequence().value}, encode_buffer_);
  const size_t first_event = batch.events.size();
  if (command.kind == ExchangeCommandKind::engine) engine_.process(command.engine, batch.events);
  for (size_t i = first_event; i < batch.events.size(); ++i) {
    const matching::Event& event = batch.events[i];
    uint64_t market_sequence = 0;
    if (counts_in_market_data(event)) {
      if (market_sequences_.size() <= event.product.value) {
        market_sequences_.resize(event.product.value + 1);
      }
      market_sequence = ++market_sequences_[event.product.value];
    }
    batch.market_sequences.push_back(market_sequence);
  }
  const std::span<const matching::Event> events(batch.events.data() + first_event,
                                                batch.events.size() - first_event);
  if (command.kind != ExchangeCommandKind::engine) {
    outcome.ledger_op = static_cast<uint32_t>(batch.ledger_batch.size());
  }
  if (result == ledger::Result::ok) {
    result = post_to_ledger(command, events, engine_, batch.ledger_batch);
  }
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
  ++batch.commands;
  stats_.commands.fetch_add(1, std::memory_order_relaxed);
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
      for (Request& request : requests) run_request(request, batch);
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
                        batch.ledger_batch.size() >= batch_ops_soft_max;
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
  if (to_ledger_.size() == 0 && filling_ && !filling_->outcomes.empty()) {
    std::swap(done, filling_);
    return done;
  }
  const bool returned = free_batches_.try_push(std::move(done));
  GHX_ASSERT_BATCH(returned);
  ledger_idle_ = to_ledger_.size() == 0;
  return nullptr;
}

bool ExchangeCore::commit(CommittedBatch& batch) {
  const auto started = std::chrono::steady_clock::now();
  const ledger::Result result = ledger_->commit(batch.ledger_batch);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  if (result != ledger::Result::ok) {
    log(LogLevel::error, std::string("exchange: ledger commit failed: ") +
                             ledger::to_string(result) + " (" +
                             ledger_->last_storage_error() + "); stopping");
    failed_ = true;
    requests_.close();
    free_batches_.close();  // an engine waiting for a batch, or to queue one, stops
    to_ledger_.close();
    return false;
  }
  stats_.commits.fetch_add(1, std::memory_order_relaxed);
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
