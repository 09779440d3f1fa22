#include "gateway/exchange_service.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <stdexcept>

#include "gateway/log.h"
#include "gateway/translate.h"
#include "gateway/wire_build.h"

namespace ghx::gateway {
namespace {

using matching::Event;
using matching::EventType;

// A request that names no product (status, a cancel without symbol): its reject has no symbol.
constexpr uint32_t no_product = UINT32_MAX;

bool has_role(const ParticipantEntry& who, uint8_t role) { return (who.roles & role) != 0; }

std::optional<uint32_t> optional_id(flatbuffers::Optional<uint32_t> id) {
  if (!id.has_value()) return std::nullopt;
  return *id;
}

Frame operator_ack_frame(uint64_t request_id, bool ok, wire::OrderRejectReason reason,
                         const Event* balance, std::string_view text) {
  flatbuffers::FlatBufferBuilder builder(256);
  const auto text_offset = builder.CreateString(text.data(), text.size());
  const auto body = wire::CreateOperatorAck(
      builder, request_id, ok, reason, balance ? balance->available_cash.value : 0,
      balance ? balance->held_cash.value : 0, balance ? balance->available_capacity.value : 0,
      balance ? balance->held_capacity.value : 0, text_offset);
  return finish_frame(builder, wire::Body::OperatorAck, body.Union());
}

// Why a halt or resume was refused, in the operator's words.
std::string halt_refusal_text(matching::RejectReason reason, const std::string& symbol) {
  switch (reason) {
    case matching::RejectReason::product_halted: return symbol + " is halted already";
    case matching::RejectReason::product_not_halted: return symbol + " is not halted";
    case matching::RejectReason::product_not_trading: return symbol + " is past its gate closure";
    case matching::RejectReason::product_in_auction:
      return symbol + " is in its call phase: a halt there must cancel its orders";
    default: return std::string(matching::to_string(reason));
  }
}

// Why a suspension or reinstatement was refused, in the operator's words.
std::string suspension_refusal_text(matching::RejectReason reason, const std::string& name) {
  switch (reason) {
    case matching::RejectReason::participant_suspended: return name + " is suspended already";
    case matching::RejectReason::participant_not_suspended: return name + " is not suspended";
    case matching::RejectReason::unknown_participant: return "unknown participant " + name;
    default: return std::string(matching::to_string(reason));
  }
}

// A trade_failed event's lots, when some of the trade's stay open: " (1 lot; 2 still open)".
std::string failed_lots_text(const Event& failed) {
  if (failed.remaining.value == 0) return "";
  const int64_t lots = failed.quantity.value;
  return " (" + std::to_string(lots) + (lots == 1 ? " lot; " : " lots; ") +
         std::to_string(failed.remaining.value) + " still open)";
}

// A price in minor units as people read it: 1850 -> "18.50" (as ghx prints money).
std::string price_text(int64_t minor_units) {
  const uint64_t magnitude =
      minor_units < 0 ? 0 - static_cast<uint64_t>(minor_units) : static_cast<uint64_t>(minor_units);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%s%" PRIu64 ".%02" PRIu64, minor_units < 0 ? "-" : "",
                magnitude / 100, magnitude % 100);
  return buffer;
}

// A time as ISO 8601 UTC: "2026-12-01T07:15:00Z" (".250Z" when it has milliseconds).
std::string utc_text(int64_t ns) {
  constexpr int64_t ns_per_second = 1'000'000'000;
  const int64_t ms = ns % ns_per_second / 1'000'000;
  const std::time_t seconds = static_cast<std::time_t>(ns / ns_per_second);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[40];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  std::string out = buffer;
  if (ms > 0) {
    std::snprintf(buffer, sizeof buffer, ".%03d", static_cast<int>(ms));
    out += buffer;
  }
  return out + "Z";
}

bool controls_product(matching::CommandType type) {
  using matching::CommandType;
  return type == CommandType::halt_product || type == CommandType::resume_product ||
         type == CommandType::start_auction || type == CommandType::uncross_auction;
}

bool is_auction_command(matching::CommandType type) {
  return type == matching::CommandType::start_auction ||
         type == matching::CommandType::uncross_auction;
}

// Why a call auction's start or uncross was refused, in the operator's words.
std::string auction_refusal_text(matching::RejectReason reason, const std::string& symbol) {
  switch (reason) {
    case matching::RejectReason::product_in_auction:
      return symbol + " is in its call phase already";
    case matching::RejectReason::product_not_in_auction:
      return symbol + " is not in a call phase";
    case matching::RejectReason::product_not_trading:
      return symbol + " is past its gate closure";
    case matching::RejectReason::invalid_expire_time:
      return "the uncross time must be after now and before " + symbol + "'s gate closure";
    default:
      return std::string(matching::to_string(reason));
  }
}

// What an operator's control command did, read from its events (see deliver_control_ack).
struct ControlEvents {
  const Event* reached = nullptr;   // the product_state or participant_state asked for
  const Event* rejected = nullptr;  // the command's reject, if refused
  int64_t canceled = 0;             // orders the command canceled
};

ControlEvents control_events(const CommittedBatch& batch, const Outcome& outcome) {
  using matching::CommandType;
  using matching::ProductState;
  const matching::Command& command = outcome.command.engine;
  const bool on_product = controls_product(command.type);
  const bool stops =
      command.type == CommandType::halt_product || command.type == CommandType::suspend_participant;
  const ProductState wanted = command.type == CommandType::halt_product    ? ProductState::halted
                              : command.type == CommandType::start_auction ? ProductState::auction
                                                                           : ProductState::trading;
  const matching::CancelReason cancel_reason = on_product
                                                   ? matching::CancelReason::product_halted
                                                   : matching::CancelReason::participant_suspended;
  ControlEvents seen;
  for (uint32_t i = 0; i < outcome.event_count; ++i) {
    const Event& event = batch.events[outcome.first_event + i];
    if (event.type == EventType::rejected) seen.rejected = &event;
    if (on_product ? event.product != command.product : event.participant != command.participant) {
      continue;
    }
    const bool reaches =
        on_product ? event.type == EventType::product_state && event.product_state == wanted
                   : event.type == EventType::participant_state && event.suspended == stops;
    if (reaches) seen.reached = &event;
    seen.canceled += event.type == EventType::canceled && event.cancel_reason == cancel_reason;
  }
  return seen;
}

// The text of a control's OperatorAck when it took effect.
std::string control_done_text(const matching::Command& command, const std::string& subject,
                              const ControlEvents& seen) {
  using matching::CommandType;
  const int64_t canceled = seen.canceled;
  const auto orders_canceled = [canceled](const char* noun) {
    return std::to_string(canceled) + " " + noun + (canceled == 1 ? "" : "s") + " canceled";
  };
  switch (command.type) {
    case CommandType::halt_product:
      return subject + " halted; " +
             (command.cancel_orders ? orders_canceled("resting order")
                                    : std::string("its resting orders stay"));
    case CommandType::resume_product:
      return subject + " trading again";
    case CommandType::suspend_participant:
      return subject + " suspended; " + orders_canceled("order");
    case CommandType::start_auction:
      return subject + " call phase; " +
             (command.expire_time.ns == 0 ? std::string("the operator uncrosses")
                                          : "uncrosses at " + utc_text(command.expire_time.ns));
    case CommandType::uncross_auction: {
      const int64_t lots = seen.reached->quantity.value;
      if (lots == 0) return subject + " trading again; nothing crossed";
      return subject + " uncrossed at " + price_text(seen.reached->price.value) + ": " +
             std::to_string(lots) + (lots == 1 ? " lot" : " lots");
    }
    default:
      return subject + " reinstated";
  }
}

// The text of a control's OperatorAck when it was refused (`rejected` null: no reason known).
std::string control_refused_text(const matching::Command& command, const std::string& subject,
                                 const Event* rejected) {
  using matching::CommandType;
  if (rejected == nullptr) {
    const char* verb = "reinstate ";
    switch (command.type) {
      case CommandType::halt_product:
        verb = "halt ";
        break;
      case CommandType::resume_product:
        verb = "resume ";
        break;
      case CommandType::suspend_participant:
        verb = "suspend ";
        break;
      case CommandType::start_auction:
        verb = "start a call auction of ";
        break;
      case CommandType::uncross_auction:
        verb = "uncross ";
        break;
      default:
        break;
    }
    return "the exchange could not " + std::string(verb) + subject;
  }
  if (is_auction_command(command.type)) {
    return auction_refusal_text(rejected->reject_reason, subject);
  }
  return controls_product(command.type) ? halt_refusal_text(rejected->reject_reason, subject)
                                        : suspension_refusal_text(rejected->reject_reason, subject);
}

}  // namespace

ExchangeService::ExchangeService(ExchangeCore& core, ServiceConfig config)
    : core_(core), config_(config) {
  const ledger::Snapshot snapshot = core.ledger().snapshot();
  const ledger::Result kept = snapshot.for_each_last_kept([&](ledger::ParticipantId p,
                                                              uint64_t sequence) {
    if (report_sequences_.size() <= p.value) report_sequences_.resize(p.value + 1);
    report_sequences_[p.value] = sequence;
    return true;
  });
  if (kept != ledger::Result::ok) {
    throw std::runtime_error("the kept execution reports cannot be read: " +
                             std::string(ledger::to_string(kept)));
  }
  snapshot.for_each_participant([&](const ledger::ParticipantRecord& record) {
    participants_by_name_[record.name] = {record.id.value, record.name, record.roles};
    participant_names_[record.id.value] = record.name;
    return true;
  });
  const matching::Engine& engine = core.engine();
  committed_through_ns_ = engine.now().ns;
  for (uint32_t id = 0; id < engine.product_count(); ++id) {
    const matching::ProductSpec& spec = engine.product_spec({id});
    products_.push_back({matching::format_symbol(spec), spec, engine.product_state({id}),
                         engine.scheduled_uncross({id}).ns});
    product_ids_[products_.back().symbol] = id;
    if (products_.back().state != matching::ProductState::delivered) {
      open_product_ids_.push_back(id);
    }
    // What a call phase's subscribers will see in their snapshots: the next change from it is
    // published (a book that stops crossing included).
    if (products_.back().state == matching::ProductState::auction) {
      const auto indicative = engine.indicative_uncross({id});
      indicatives_sent_[id] = indicative
                                  ? std::pair(indicative->price.value, indicative->quantity.value)
                                  : std::pair(int64_t{0}, int64_t{0});
    }
  }
  load_recent_bars(snapshot);
}

// The bars of the last day, from the ledger's trades (it keeps every one, with the sequencer's
// time): a restart does not lose the market's recent history. The trades come newest first
// until a day back, so each bar's first trade seen is its close and its last its open; a busy
// day has a million trades but only minutes x products bars.
void ExchangeService::load_recent_bars(const ledger::Snapshot& snapshot) {
  const int64_t now_ns = core_.engine().now().ns;
  const int64_t since_ns = now_ns - int64_t{BarBook::kept_max} * BarBook::interval_ns;
  std::map<std::pair<uint32_t, int64_t>, Bar> rebuilt;  // by product, then minute
  const ledger::Result read = snapshot.for_each_trade_newest_first([&](const auto& trade) {
    const ledger::Fill& fill = trade.fill;
    if (fill.timestamp_ns.ns < since_ns) return false;
    const uint32_t product = fill.product.value;
    if (product >= products_.size() ||
        products_[product].state == matching::ProductState::delivered) {
      return true;
    }
    const int64_t start = BarBook::minute_start(fill.timestamp_ns.ns);
    const int64_t price = fill.price.value;
    Bar& bar = rebuilt
                   .try_emplace({product, start}, Bar{.product = product,
                                                      .start_ns = start,
                                                      .high = price,
                                                      .low = price,
                                                      .close = price})
                   .first->second;
    bar.open = price;  // the oldest trade seen so far
    bar.high = std::max(bar.high, price);
    bar.low = std::min(bar.low, price);
    bar.volume += fill.lots.value;
    bar.notional += fill.notional.value;
    ++bar.trades;
    return true;
  });
  if (read != ledger::Result::ok) {
    throw std::runtime_error("the ledger's trades cannot be read: " +
                             std::string(ledger::to_string(read)));
  }
  for (const auto& [key, bar] : rebuilt) bars_.restore(bar, closed_bars_);
  bars_.close_until(now_ns, closed_bars_);
  closed_bars_.clear();  // closed before this run: nobody is subscribed yet
}

void ExchangeService::start_core() {
  cancel_sessions_cut_off();  // queued first: the engine takes them before anything else
  core_.start([this](const CommittedBatch& batch) { on_committed(batch); },
              [this](CommittedBatch& batch) { before_commit(batch); });
}

std::optional<ParticipantEntry> ExchangeService::participant(const std::string& name) const {
  std::lock_guard lock(reference_mutex_);
  const auto found = participants_by_name_.find(name);
  if (found == participants_by_name_.end()) return std::nullopt;
  return found->second;
}

bool ExchangeService::has_product(const std::string& symbol) const {
  std::lock_guard lock(reference_mutex_);
  return product_ids_.count(symbol) > 0;
}

uint32_t ExchangeService::reserve_participant_id() {
  std::lock_guard lock(reference_mutex_);
  next_participant_id_ = next_free_participant_id() + 1;
  return next_participant_id_ - 1;
}

uint32_t ExchangeService::next_free_participant_id() const {
  return participant_names_.empty()
             ? next_participant_id_
             : std::max(next_participant_id_, participant_names_.rbegin()->first + 1);
}

bool ExchangeService::submit_internal(ExchangeCommand command) {
  Request request;
  request.command = std::move(command);
  return core_.submit(std::move(request));
}

LogonDecision ExchangeService::on_logon(const SessionInfo& session) {
  std::scoped_lock lock(sessions_mutex_, reference_mutex_);
  const auto found = participants_by_name_.find(session.participant);
  if (found == participants_by_name_.end()) {
    return {false, "participant '" + session.participant + "' is not registered at this exchange"};
  }
  if (sessions_of_[found->second.id].size() >= config_.sessions_per_participant_max) {
    return {false, "participant '" + session.participant + "' already has " +
                       std::to_string(config_.sessions_per_participant_max) +
                       " sessions, the most it may have at once"};
  }
  if (session.cancel_on_disconnect &&
      !submit_session_event(ExchangeCommandKind::session_opened, found->second.id)) {
    return {false, "the exchange is busy; try again"};
  }
  sessions_[session.id.value] = {.participant = found->second.id,
                                 .cancel_on_disconnect = session.cancel_on_disconnect,
                                 .live = !session.last_report_sequence.has_value()};
  sessions_of_[found->second.id].insert(session.id.value);
  return {};
}

// The network thread, right after the LogonAck, then in steps posted on it: a resend goes out a
// chunk at a time, each when the client has read most of the last (a backlog larger than the
// session's queue would otherwise close it as a slow consumer), and other sessions are served
// between steps. Chunks are read without the lock while they are full; then, with the lock held,
// one read catches up with what was committed meanwhile and the session goes live: on_committed
// sends a report to it only when it is newer than what the resend sent (the ledger commits a
// batch before on_committed takes the lock, so a report is either read here or sent live, and
// one read here is not sent again).
void ExchangeService::on_logged_on(const SessionInfo& session) {
  if (!session.last_report_sequence || server_ == nullptr) return;
  ResendState state{.session = session.id.value, .after = *session.last_report_sequence};
  {
    std::lock_guard lock(sessions_mutex_);
    const auto found = sessions_.find(session.id.value);
    if (found == sessions_.end()) return;
    state.participant = found->second.participant;
  }
  resend_step(state);
}

void ExchangeService::resend_step(ResendState state) {
  const std::optional<size_t> unsent = server_->unsent_bytes(SessionId{state.session});
  if (!unsent) return;  // the session ended
  auto again = [this, &state](std::chrono::milliseconds delay) {
    server_->post(delay, [this, state] { resend_step(state); });
  };
  if (*unsent > resend_unsent_bytes_max) return again(resend_pause);
  if (resend(state) == resend_chunk_reports) return again(std::chrono::milliseconds(0));
  std::lock_guard lock(sessions_mutex_);
  if (resend(state) == resend_chunk_reports) return again(std::chrono::milliseconds(0));
  const auto found = sessions_.find(state.session);
  if (found == sessions_.end()) return;
  found->second.live = true;
  found->second.resent_through = state.resent_through;
}

size_t ExchangeService::resend(ResendState& state) {
  flatbuffers::FlatBufferBuilder builder(1024);
  size_t sent = 0;
  ReportRecord record;
  const ledger::Snapshot snapshot = core_.ledger().snapshot();
  const ledger::Result result = snapshot.for_each_kept_message(
      {state.participant}, state.after, [&](uint64_t sequence, std::span<const uint8_t> bytes) {
        if (!decode(bytes, record)) return false;
        std::string symbol;
        {
          std::lock_guard lock(reference_mutex_);
          if (record.product_id < products_.size()) symbol = products_[record.product_id].symbol;
        }
        reply(state.session, execution_report(builder, record, symbol, sequence));
        counters_.reports_resent.fetch_add(1, std::memory_order_relaxed);
        state.after = state.resent_through = sequence;
        return ++sent < resend_chunk_reports;
      });
  if (result != ledger::Result::ok) {
    log(LogLevel::error, "exchange: resend to session " + std::to_string(state.session) +
                             " stopped: the kept reports cannot be read after " +
                             std::to_string(state.after));
  }
  return sent;
}

bool ExchangeService::submit_session_event(ExchangeCommandKind kind, uint32_t participant,
                                           bool at_last_time) {
  Request request;
  request.command.kind = kind;
  request.command.engine.participant = {participant};
  request.at_last_time = at_last_time;
  // A logon may be told the exchange is busy; a session that ended cannot be told anything.
  return kind == ExchangeCommandKind::session_opened ? core_.submit(std::move(request))
                                                     : core_.must_submit(std::move(request));
}

// A busy exchange still takes these (ExchangeCore::must_submit): a participant that asked for
// its orders to go with its session must not find them resting because the queue was full.
void ExchangeService::cancel_for_disconnect(uint32_t participant, bool at_last_time) {
  Request request;
  request.command.engine = mass_cancel_command({participant}, std::nullopt);
  request.at_last_time = at_last_time;
  // Cancel first, then close: a crash in between cancels again at restart (harmlessly).
  if (!core_.must_submit(std::move(request)) ||
      !submit_session_event(ExchangeCommandKind::session_closed, participant, at_last_time)) {
    log(LogLevel::error, "exchange: cancel-on-disconnect of participant " +
                             std::to_string(participant) + " could not be queued");
  }
}

void ExchangeService::cancel_sessions_cut_off() {
  for (const auto& [participant, sessions] : core_.sessions_cut_off()) {
    log(LogLevel::info, "exchange: canceling the orders of participant " +
                            std::to_string(participant) +
                            ", whose cancel-on-disconnect session ended with the last run");
    for (uint32_t i = 0; i < sessions; ++i) cancel_for_disconnect(participant, true);
  }
}

void ExchangeService::on_disconnect(const SessionInfo& session) {
  uint32_t participant = 0;
  bool cancel = false;
  {
    std::lock_guard lock(sessions_mutex_);
    const auto found = sessions_.find(session.id.value);
    if (found == sessions_.end()) return;
    participant = found->second.participant;
    cancel = found->second.cancel_on_disconnect;
    sessions_.erase(found);
    sessions_of_[participant].erase(session.id.value);
    for (auto* subscribers : {&book_subscribers_, &trade_subscribers_, &bar_subscribers_}) {
      for (auto& [product, sessions] : *subscribers) sessions.erase(session.id.value);
    }
  }
  if (cancel) cancel_for_disconnect(participant);
}

bool ExchangeService::submit(const SessionInfo& session, Request request, uint64_t ref_sequence) {
  request.origin.session = session.id.value;
  if (core_.submit(std::move(request))) return true;
  counters_.busy_rejects.fetch_add(1, std::memory_order_relaxed);
  reject(session, wire::ErrorCode::ServerBusy, "the exchange is busy; try again", ref_sequence);
  return false;
}

// An operator's request is journaled with who asked for it: the audit trail (ghx audit). Its
// request id (if not 0) is its idempotency key: the ledger records it with the command, and a
// request of the same operator with the same id, sent again (a retry after a lost answer), is
// refused rather than done twice, whether the first is still on its way or long done.
bool ExchangeService::submit_operator(const SessionInfo& session, const ParticipantEntry& who,
                                      Request request, uint64_t ref_sequence) {
  request.command.issuer = who.id + 1;
  const uint64_t request_id = request.origin.request_id;
  if (request_id == 0) return submit(session, std::move(request), ref_sequence);
  const auto key = std::pair(who.id, request_id);
  // Held before the ledger is asked: of two sent at once, one gets here first; one sent after
  // the first's commit finds it in the ledger (the hold goes only once the ledger has it).
  {
    std::lock_guard lock(reference_mutex_);
    if (!requests_in_flight_.insert(key).second) {
      answer_on_its_way(session, request_id);
      return false;
    }
  }
  if (!answered_from_ledger(session, who.id, request_id, request.command, ref_sequence) &&
      submit(session, std::move(request), ref_sequence)) {
    return true;
  }
  std::lock_guard lock(reference_mutex_);
  requests_in_flight_.erase(key);
  return false;
}

void ExchangeService::answer_on_its_way(const SessionInfo& session, uint64_t request_id) {
  reply(session.id.value,
        operator_ack_frame(request_id, false, wire::OrderRejectReason::DuplicateRequest, nullptr,
                           "request " + std::to_string(request_id) +
                               " is on its way: ask again for what came of it"));
}

// A repeat is answered with what came of the first: ok if it was done (nothing is done again),
// refused if it was refused. A ledger that cannot say gets a busy answer: the id may be a
// repeat, so the request is not done.
bool ExchangeService::answered_from_ledger(const SessionInfo& session, uint32_t operator_id,
                                           uint64_t request_id, const ExchangeCommand& asked,
                                           uint64_t ref_sequence) {
  std::optional<ledger::Snapshot::RequestRecord> found;
  if (core_.ledger().snapshot().find_request({operator_id}, request_id, found) !=
      ledger::Result::ok) {
    reject(session, wire::ErrorCode::ServerBusy,
           "the ledger cannot say whether request " + std::to_string(request_id) +
               " was done before; try again",
           ref_sequence);
    return true;
  }
  if (!found) return false;
  const std::string id = "request " + std::to_string(request_id);
  const std::string as = " as #" + std::to_string(found->sequence.value);
  // Not a repeat: an id used again for a request of another kind, or one that asks anything
  // else (a record from before digests has none: its kind alone is compared).
  if (found->what != request_kind(asked.kind, asked.engine.type) ||
      (found->digest != 0 && found->digest != request_digest(asked))) {
    reply(session.id.value,
          operator_ack_frame(request_id, false, wire::OrderRejectReason::DuplicateRequest, nullptr,
                             id + " was another request" + as + ": use a new id"));
    return true;
  }
  const std::string outcome = found->done ? " was done" + as + " (a repeat: nothing is done again)"
                                          : " was refused" + as + " (ghx audit)";
  reply(session.id.value,
        operator_ack_frame(request_id, found->done, wire::OrderRejectReason::DuplicateRequest,
                           nullptr, id + outcome));
  return true;
}

bool ExchangeService::answered_as_repeat(const SessionInfo& session, uint32_t operator_id,
                                         uint64_t request_id, const ExchangeCommand& asked,
                                         uint64_t ref_sequence) {
  if (request_id == 0) return false;
  {
    std::lock_guard lock(reference_mutex_);
    if (requests_in_flight_.count({operator_id, request_id}) != 0) {
      answer_on_its_way(session, request_id);
      return true;
    }
  }
  return answered_from_ledger(session, operator_id, request_id, asked, ref_sequence);
}

void ExchangeService::reply(uint64_t session, std::span<const uint8_t> frame) {
  if (server_ == nullptr) return;
  counters_.frames_out.fetch_add(1, std::memory_order_relaxed);
  server_->send(SessionId{session}, frame);
}

void ExchangeService::reject(const SessionInfo& session, wire::ErrorCode code,
                             std::string_view text, uint64_t ref_sequence) {
  reply(session.id.value, make_reject(code, text, ref_sequence));
}

std::optional<matching::ProductId> ExchangeService::resolve(
    const flatbuffers::String* symbol, std::optional<uint32_t> product_id) const {
  std::lock_guard lock(reference_mutex_);
  std::optional<uint32_t> by_symbol;
  if (symbol != nullptr && symbol->size() > 0) {
    const auto found = product_ids_.find(symbol->string_view());
    if (found == product_ids_.end()) return std::nullopt;
    by_symbol = found->second;
  }
  if (product_id && *product_id >= products_.size()) return std::nullopt;
  if (by_symbol && product_id && *by_symbol != *product_id) return std::nullopt;
  if (by_symbol) return matching::ProductId{*by_symbol};
  if (product_id) return matching::ProductId{*product_id};
  return std::nullopt;
}

void ExchangeService::on_message(const SessionInfo& session, const wire::Message& message,
                                 std::span<const uint8_t>) {
  std::optional<ParticipantEntry> who = participant(session.participant);
  if (!who) {
    reject(session, wire::ErrorCode::NotAuthorized, "unknown participant", message.sequence());
    return;
  }
  switch (message.body_type()) {
    case wire::Body::NewOrder:
    case wire::Body::CancelOrder:
    case wire::Body::ReplaceOrder:
    case wire::Body::MassCancel:
    case wire::Body::OrderStatusRequest:
      on_order_message(session, *who, message);
      return;
    case wire::Body::Subscribe:
      on_subscribe(session, *message.body_as_Subscribe(), message.sequence());
      return;
    case wire::Body::Unsubscribe:
      on_unsubscribe(session, *message.body_as_Unsubscribe(), message.sequence());
      return;
    case wire::Body::ListProducts:
      send_product_list(session, *message.body_as_ListProducts());
      return;
    case wire::Body::AccountRequest:
      on_account_request(session, *who, *message.body_as_AccountRequest(), message.sequence());
      return;
    case wire::Body::BarsRequest:
      on_bars_request(session, *message.body_as_BarsRequest(), message.sequence());
      return;
    default:
      break;
  }
  if (!has_role(*who, ledger::role_operator)) {
    reject(session, wire::ErrorCode::NotAuthorized,
           "only an operator may send " + std::string(wire::EnumNameBody(message.body_type())),
           message.sequence());
    return;
  }
  on_operator_message(session, *who, message);
}

void ExchangeService::on_order_message(const SessionInfo& session, const ParticipantEntry& who,
                                       const wire::Message& message) {
  const uint64_t ref = message.sequence();
  Request request;
  CommandOrigin origin{matching::ParticipantId{who.id}, {}};
  switch (message.body_type()) {
    case wire::Body::NewOrder: {
      const wire::NewOrder& order = *message.body_as_NewOrder();
      const auto product = resolve(order.symbol(), optional_id(order.product_id()));
      const bool selling = order.side() == wire::Side::Sell;
      if (!has_role(who, selling ? ledger::role_seller : ledger::role_buyer)) {
        reject(session, wire::ErrorCode::NotAuthorized,
               selling ? "only a seller may post asks" : "only a buyer may post bids", ref);
        return;
      }
      origin.product = product.value_or(matching::ProductId{UINT32_MAX});
      request.command.engine = new_order_command(order, origin);
      counters_.orders_in.fetch_add(1, std::memory_order_relaxed);
      break;
    }
    case wire::Body::CancelOrder: {
      // The engine finds the order by its client id; the product only names a reject's symbol.
      const wire::CancelOrder& cancel = *message.body_as_CancelOrder();
      origin.product = resolve(cancel.symbol(), optional_id(cancel.product_id()))
                           .value_or(matching::ProductId{no_product});
      request.command.engine = cancel_order_command(cancel, origin);
      break;
    }
    case wire::Body::ReplaceOrder: {
      const wire::ReplaceOrder& replace = *message.body_as_ReplaceOrder();
      origin.product = resolve(replace.symbol(), optional_id(replace.product_id()))
                           .value_or(matching::ProductId{no_product});
      request.command.engine = replace_order_command(replace, origin);
      break;
    }
    case wire::Body::MassCancel: {
      const wire::MassCancel& mass = *message.body_as_MassCancel();
      std::optional<matching::ProductId> product;
      if (mass.symbol() != nullptr || mass.product_id().has_value()) {
        product = resolve(mass.symbol(), optional_id(mass.product_id()));
        if (!product) {
          reject(session, wire::ErrorCode::UnknownProduct, "mass cancel of an unknown product",
                 ref);
          return;
        }
      }
      request.command.engine = mass_cancel_command(origin.participant, product);
      break;
    }
    default:
      request.command.engine =
          order_status_command(*message.body_as_OrderStatusRequest(), origin.participant);
      request.command.engine.product = matching::ProductId{no_product};
      break;
  }
  // An unknown product id travels on to the engine, which rejects it with a reason code.
  submit(session, std::move(request), ref);
}

void ExchangeService::on_operator_message(const SessionInfo& session, const ParticipantEntry& who,
                                          const wire::Message& message) {
  Request request;
  matching::Command& command = request.command.engine;
  const wire::Body type = message.body_type();
  const flatbuffers::String* name = nullptr;
  if (type == wire::Body::TradingHalt) {
    on_trading_halt(session, who, *message.body_as_TradingHalt(), message.sequence());
    return;
  }
  if (type == wire::Body::Suspension) {
    on_suspension(session, who, *message.body_as_Suspension(), message.sequence());
    return;
  }
  if (type == wire::Body::Auction) {
    on_auction(session, who, *message.body_as_Auction(), message.sequence());
    return;
  }
  if (type == wire::Body::AddParticipant) {
    on_add_participant(session, who, *message.body_as_AddParticipant(), message.sequence());
    return;
  }
  if (type == wire::Body::Deposit || type == wire::Body::Withdraw) {
    const bool deposit = type == wire::Body::Deposit;
    name = deposit ? message.body_as_Deposit()->participant()
                   : message.body_as_Withdraw()->participant();
    command.type = deposit ? matching::CommandType::deposit : matching::CommandType::withdraw;
    command.amount = {deposit ? message.body_as_Deposit()->amount()
                              : message.body_as_Withdraw()->amount()};
    request.origin.request_id = deposit ? message.body_as_Deposit()->request_id()
                                        : message.body_as_Withdraw()->request_id();
  } else if (type == wire::Body::RegisterCapacity) {
    const wire::RegisterCapacity& registration = *message.body_as_RegisterCapacity();
    name = registration.participant();
    command.type = matching::CommandType::register_capacity;
    command.capacity = {registration.quantity()};
    request.origin.request_id = registration.request_id();
    const auto product = operator_product(session, registration.request_id(), registration.symbol(),
                                          registration.product_id());
    if (!product) return;
    command.product = *product;
  } else if (type == wire::Body::DeliveryOutcome) {
    const wire::DeliveryOutcome& outcome = *message.body_as_DeliveryOutcome();
    request.origin.request_id = outcome.request_id();
    if (outcome.failed_quantity() <= 0) {
      // Delivery itself needs no message: escrow is released when the window ends.
      reply(session.id.value, operator_ack_frame(outcome.request_id(), true,
                                                 wire::OrderRejectReason::None, nullptr,
                                                 "delivery is settled when the window ends"));
      return;
    }
    // The engine keeps no trades, so the failure carries the trade's facts, from the ledger.
    // Two failures of one trade in flight at once both pass the checks below: the engine,
    // which counts each trade's failed lots, refuses whichever would fail more lots than it
    // has. A trade too new to be committed yet is not found: the operator tries again.
    const std::optional<ledger::TradeRecord> trade =
        core_.ledger().snapshot().trade(ledger::TradeId{outcome.trade_id()});
    if (!trade) {
      reply(session.id.value,
            operator_ack_frame(outcome.request_id(), false, wire::OrderRejectReason::TradeNotOpen,
                               nullptr, "no settled trade with that id"));
      return;
    }
    const ledger::Fill& fill = trade->fill;
    command.type = matching::CommandType::fail_trade;
    command.participant = {fill.seller.value};
    command.counterparty = {fill.buyer.value};
    command.product = {fill.product.value};
    command.trade_id = {fill.trade_id.value};
    // The whole trade's facts; the engine works out what the failing lots take.
    command.amount = {fill.notional.value};
    command.fee = {fill.seller_fee.value};
    command.capacity = {fill.lots.value};
    command.quantity = {outcome.failed_quantity()};
    // A retry of a failure that went through finds the trade failed: it is answered as the
    // repeat it is, before the trade's state is looked at.
    if (answered_as_repeat(session, who.id, outcome.request_id(), request.command,
                           message.sequence())) {
      return;
    }
    if (trade->state != ledger::TradeState::open) {
      reply(session.id.value,
            operator_ack_frame(outcome.request_id(), false, wire::OrderRejectReason::TradeNotOpen,
                               nullptr, "the trade is already delivered or failed"));
      return;
    }
    // Some of the trade's lots may have failed before: only the open ones can fail now.
    const int64_t open_lots = fill.lots.value - trade->failed_lots.value;
    if (outcome.failed_quantity() > open_lots) {
      reply(session.id.value,
            operator_ack_frame(
                outcome.request_id(), false, wire::OrderRejectReason::InvalidQuantity, nullptr,
                "trade " + std::to_string(fill.trade_id.value) + " has " +
                    std::to_string(open_lots) + " lots open (of " +
                    std::to_string(fill.lots.value) + "): at most that many can fail"));
      return;
    }
    submit_operator(session, who, std::move(request), message.sequence());
    return;
  } else {
    reject(session, wire::ErrorCode::UnknownMessage, "not a request the exchange serves",
           message.sequence());
    return;
  }
  const std::optional<ParticipantEntry> target =
      name == nullptr ? std::nullopt : participant(name->str());
  if (!target) {
    reply(session.id.value, operator_ack_frame(request.origin.request_id, false,
                                               wire::OrderRejectReason::UnknownParticipant,
                                               nullptr, "unknown participant"));
    return;
  }
  // The ledger registers capacity only for a seller, and its refusal of an operation the
  // engine has done stops the exchange: refuse it here, before it is sequenced.
  if (command.type == matching::CommandType::register_capacity &&
      !has_role(*target, ledger::role_seller)) {
    reply(session.id.value,
          operator_ack_frame(request.origin.request_id, false,
                             wire::OrderRejectReason::NotAuthorized, nullptr,
                             target->name + " is not a seller: capacity is registered only for "
                                            "a participant with the seller role"));
    return;
  }
  command.participant = {target->id};
  submit_operator(session, who, std::move(request), message.sequence());
}

std::optional<matching::ProductId> ExchangeService::operator_product(
    const SessionInfo& session, uint64_t request_id, const flatbuffers::String* symbol,
    flatbuffers::Optional<uint32_t> product_id) {
  const auto product = resolve(symbol, optional_id(product_id));
  if (!product) {
    reply(session.id.value,
          operator_ack_frame(request_id, false, wire::OrderRejectReason::UnknownProduct, nullptr,
                             "unknown product"));
  }
  return product;
}

// A halt or resume is an engine command like any other: sequenced, journaled (so a restart
// replays it and the product stays halted) and acknowledged once durable. The operator's id
// goes with it, so the journal says who halted.
void ExchangeService::on_trading_halt(const SessionInfo& session, const ParticipantEntry& who,
                                      const wire::TradingHalt& halt, uint64_t ref_sequence) {
  const auto product =
      operator_product(session, halt.request_id(), halt.symbol(), halt.product_id());
  if (!product) return;
  Request request;
  request.origin.request_id = halt.request_id();
  matching::Command& command = request.command.engine;
  command.type =
      halt.halt() ? matching::CommandType::halt_product : matching::CommandType::resume_product;
  command.participant = {who.id};
  command.product = *product;
  command.cancel_orders = halt.halt() && halt.cancel_orders();
  submit_operator(session, who, std::move(request), ref_sequence);
}

// A call auction's start or uncross is an engine command too: sequenced, journaled (a restart
// keeps the product in its call phase, crossed book and uncross time included) and
// acknowledged once durable, after its events (an uncross's fills and trades). The engine
// checks the product's state and the uncross time against its own clock and gate closure.
void ExchangeService::on_auction(const SessionInfo& session, const ParticipantEntry& who,
                                 const wire::Auction& auction, uint64_t ref_sequence) {
  const auto product =
      operator_product(session, auction.request_id(), auction.symbol(), auction.product_id());
  if (!product) return;
  Request request;
  request.origin.request_id = auction.request_id();
  matching::Command& command = request.command.engine;
  const bool start = auction.action() == wire::AuctionAction::Start;
  command.type =
      start ? matching::CommandType::start_auction : matching::CommandType::uncross_auction;
  command.participant = {who.id};
  command.product = *product;
  command.expire_time = {start ? auction.uncross_time_ns() : 0};
  submit_operator(session, who, std::move(request), ref_sequence);
}

// A suspension or reinstatement is an engine command too: sequenced, journaled (a restart keeps
// the participant suspended) and acknowledged once durable. The participant is named as Deposit
// names it. One with the operator role is not suspended: the exchange would lock out the
// operators who run it, who alone can reinstate. A reinstatement is never refused for a role
// (one suspended before it became an operator can be let back).
void ExchangeService::on_suspension(const SessionInfo& session, const ParticipantEntry& who,
                                    const wire::Suspension& suspension, uint64_t ref_sequence) {
  const std::string name = suspension.participant()->str();  // required by validation
  const std::optional<ParticipantEntry> target = participant(name);
  if (!target) {
    reply(session.id.value, operator_ack_frame(suspension.request_id(), false,
                                               wire::OrderRejectReason::UnknownParticipant, nullptr,
                                               "unknown participant " + name));
    return;
  }
  if (suspension.suspend() && has_role(*target, ledger::role_operator)) {
    reply(session.id.value,
          operator_ack_frame(suspension.request_id(), false, wire::OrderRejectReason::NotAuthorized,
                             nullptr, name + " is an operator: operators cannot be suspended"));
    return;
  }
  Request request;
  request.origin.request_id = suspension.request_id();
  matching::Command& command = request.command.engine;
  command.type = suspension.suspend() ? matching::CommandType::suspend_participant
                                      : matching::CommandType::reinstate_participant;
  command.participant = {target->id};
  submit_operator(session, who, std::move(request), ref_sequence);
}

// Onboarding: a registration is a ledger-only command, sequenced and journaled (a restart
// replays it) and acknowledged once durable, with the operator's id for the audit trail. The
// name is held from here to the commit, so two registrations of one name cannot both go in.
void ExchangeService::on_add_participant(const SessionInfo& session, const ParticipantEntry& who,
                                         const wire::AddParticipant& add, uint64_t ref_sequence) {
  const std::string name = add.participant()->str();  // a valid name: checked by validation
  const auto refuse = [&](wire::OrderRejectReason reason, const std::string& text) {
    reply(session.id.value, operator_ack_frame(add.request_id(), false, reason, nullptr, text));
  };
  const uint32_t participants_max = core_.engine().config().limits.participants_max;
  Request request;
  request.origin.request_id = add.request_id();
  request.command.kind = ExchangeCommandKind::add_participant;
  request.command.name = name;
  request.command.roles = static_cast<uint8_t>((add.buyer() ? ledger::role_buyer : 0) |
                                               (add.seller() ? ledger::role_seller : 0) |
                                               (add.operator_() ? ledger::role_operator : 0));
  // A retry after a lost answer finds the name registered (by itself): it is answered as the
  // repeat it is, before the name is looked at.
  if (answered_as_repeat(session, who.id, add.request_id(), request.command, ref_sequence)) return;
  {
    std::lock_guard lock(reference_mutex_);
    if (participants_by_name_.count(name) != 0 || names_being_added_.count(name) != 0) {
      refuse(wire::OrderRejectReason::ParticipantExists, name + " is already registered");
      return;
    }
    const uint32_t id = next_free_participant_id();
    if (id >= participants_max) {
      refuse(wire::OrderRejectReason::ParticipantsFull,  // ids start at 1
             "the exchange has room for " + std::to_string(participants_max - 1) + " participants");
      return;
    }
    next_participant_id_ = id + 1;
    request.command.engine.participant = matching::ParticipantId{id};
    names_being_added_.insert(name);
  }
  if (!submit_operator(session, who, std::move(request), ref_sequence)) {
    std::lock_guard lock(reference_mutex_);
    names_being_added_.erase(name);
  }
}

void ExchangeService::deliver_added_participant(const Outcome& outcome) {
  const ExchangeCommand& command = outcome.command;
  const uint32_t id = command.engine.participant.value;
  {
    std::lock_guard lock(reference_mutex_);
    names_being_added_.erase(command.name);
    if (outcome.ledger_ok) {
      participants_by_name_[command.name] = {id, command.name, command.roles};
      participant_names_[id] = command.name;
    }
  }
  if (outcome.origin.session == 0) return;  // the exchange's own (default participants)
  reply(outcome.origin.session,
        outcome.ledger_ok
            ? operator_ack_frame(outcome.origin.request_id, true, wire::OrderRejectReason::None,
                                 nullptr,
                                 "registered " + command.name + " with id " + std::to_string(id))
            : operator_ack_frame(outcome.origin.request_id, false,
                                 wire::OrderRejectReason::UnknownCommand, nullptr,
                                 "the ledger refused to register " + command.name));
}

template <typename Subscription>
std::optional<std::vector<matching::ProductId>> ExchangeService::products_named(
    const SessionInfo& session, const Subscription& request, uint64_t ref_sequence) {
  std::vector<matching::ProductId> products;
  if (request.symbols() != nullptr) {
    for (const flatbuffers::String* symbol : *request.symbols()) {
      const auto product = resolve(symbol, std::nullopt);
      if (!product) {
        reject(session, wire::ErrorCode::UnknownProduct, "unknown product " + symbol->str(),
               ref_sequence);
        return std::nullopt;
      }
      products.push_back(*product);
    }
  }
  if (request.product_ids() != nullptr) {
    for (uint32_t id : *request.product_ids()) {
      const auto product = resolve(nullptr, id);
      if (!product) {
        reject(session, wire::ErrorCode::UnknownProduct, "unknown product id", ref_sequence);
        return std::nullopt;
      }
      products.push_back(*product);
    }
  }
  return products;
}

void ExchangeService::on_subscribe(const SessionInfo& session, const wire::Subscribe& subscribe,
                                   uint64_t ref_sequence) {
  const auto products = products_named(session, subscribe, ref_sequence);
  if (!products) return;
  for (const matching::ProductId product : *products) {
    {
      std::lock_guard lock(sessions_mutex_);
      const auto found = sessions_.find(session.id.value);
      if (found == sessions_.end()) return;
      if (subscribe.trades()) trade_subscribers_[product.value].insert(session.id.value);
      if (subscribe.bars()) bar_subscribers_[product.value].insert(session.id.value);
      if (subscribe.book()) {
        // A snapshot already on its way answers a repeated Subscribe too: one session cannot
        // fill the exchange's queue with snapshots of one product.
        if (!found->second.books_pending.insert(product.value).second) continue;
      } else if (subscribe.trades() || subscribe.bars()) {
        // No book snapshot will say what state the product is in (halted, in its call phase):
        // the state now, sent before any change of it. Changes are published with this mutex
        // held (on_committed), so none can fall between the state read and the subscription.
        // (A Subscribe of the book as well has the state in its snapshot.)
        reply(session.id.value, current_status_frame(product.value));
      }
    }
    if (!subscribe.book()) continue;
    // The snapshot is taken on the engine thread, in sequence with the deltas that follow it.
    Request request;
    request.kind = Request::Kind::book_snapshot;
    request.product = product;
    if (!submit(session, std::move(request), ref_sequence)) {
      // This snapshot will not come (the busy reply says so): a Subscribe again may ask anew.
      std::lock_guard lock(sessions_mutex_);
      const auto found = sessions_.find(session.id.value);
      if (found == sessions_.end()) return;
      found->second.books_pending.erase(product.value);
      return;
    }
  }
}

// The product's state as a ProductStatus: a state as of the latest command committed, not a
// change of it (no uncross price or lots).
Frame ExchangeService::current_status_frame(uint32_t product) const {
  std::lock_guard lock(reference_mutex_);
  Event state;
  state.type = EventType::product_state;
  state.timestamp = matching::Timestamp{committed_through_ns_};
  state.product = matching::ProductId{product};
  state.product_state = products_[product].state;
  return product_status_frame(state, symbol_of(product), products_[product].uncross_time_ns);
}

// Ends the named products' subscriptions of the session (book, trades and bars), and any of
// their book snapshots still on the way: the others go on.
void ExchangeService::on_unsubscribe(const SessionInfo& session,
                                     const wire::Unsubscribe& unsubscribe, uint64_t ref_sequence) {
  const auto products = products_named(session, unsubscribe, ref_sequence);
  if (!products) return;
  std::lock_guard lock(sessions_mutex_);
  const auto found = sessions_.find(session.id.value);
  for (const matching::ProductId product : *products) {
    for (auto* subscribers : {&book_subscribers_, &trade_subscribers_, &bar_subscribers_}) {
      const auto of_product = subscribers->find(product.value);
      if (of_product != subscribers->end()) of_product->second.erase(session.id.value);
    }
    if (found != sessions_.end()) found->second.books_pending.erase(product.value);
  }
}

void ExchangeService::on_account_request(const SessionInfo& session, const ParticipantEntry& who,
                                         const wire::AccountRequest& request,
                                         uint64_t ref_sequence) {
  uint32_t whose = who.id;
  if (request.participant() != nullptr && request.participant()->string_view() != who.name) {
    if (!has_role(who, ledger::role_operator)) {
      reject(session, wire::ErrorCode::NotAuthorized,
             "only an operator may ask for another participant's account", ref_sequence);
      return;
    }
    const std::optional<ParticipantEntry> named = participant(request.participant()->str());
    if (!named) {
      reject(session, wire::ErrorCode::InvalidField, "unknown participant", ref_sequence);
      return;
    }
    whose = named->id;
  }
  // Read on the engine thread, in sequence: it reflects every command sent before it.
  Request account;
  account.kind = Request::Kind::account;
  account.participant = matching::ParticipantId{whose};
  account.origin.request_id = request.request_id();
  submit(session, std::move(account), ref_sequence);
}

void ExchangeService::deliver_account(const Outcome& outcome) {
  constexpr size_t capacities_per_page_max = 250;  // about 20 KiB: well inside a 64 KiB frame
  const auto& capacities = outcome.capacities;
  size_t next = 0;
  do {
    flatbuffers::FlatBufferBuilder builder(4096);
    std::vector<flatbuffers::Offset<wire::CapacityStatus>> page;
    const size_t end = std::min(capacities.size(), next + capacities_per_page_max);
    for (; next < end; ++next) {
      const auto& [product, capacity] = capacities[next];
      page.push_back(wire::CreateCapacityStatus(
          builder, product.value, builder.CreateString(symbol_of(product.value)),
          capacity.available.value, capacity.held.value, capacity.proceeds.value));
    }
    const auto body = wire::CreateAccountStatus(
        builder, outcome.origin.request_id, outcome.account.available.value,
        outcome.account.held.value, builder.CreateVector(page), next < capacities.size(),
        outcome.account.suspended);
    reply(outcome.origin.session, finish_frame(builder, wire::Body::AccountStatus, body.Union()));
  } while (next < capacities.size());
}

void ExchangeService::send_product_list(const SessionInfo& session,
                                        const wire::ListProducts& request) {
  constexpr size_t products_per_page_max = 250;  // about 30 KiB: well inside a 64 KiB frame
  std::vector<uint32_t> ids;
  std::lock_guard lock(reference_mutex_);
  for (const uint32_t id : open_product_ids_) {
    const ProductEntry& product = products_[id];
    if (request.gpu() != nullptr && request.gpu()->string_view() != product.spec.gpu.view()) {
      continue;
    }
    if (request.zone() != nullptr && request.zone()->string_view() != product.spec.zone.view()) {
      continue;
    }
    ids.push_back(id);
  }
  size_t next = 0;
  do {
    flatbuffers::FlatBufferBuilder builder(32 * 1024);
    std::vector<flatbuffers::Offset<wire::ProductInfo>> infos;
    for (; next < ids.size() && infos.size() < products_per_page_max; ++next) {
      const ProductEntry& product = products_[ids[next]];
      const std::string_view gpu = product.spec.gpu.view(), zone = product.spec.zone.view();
      infos.push_back(wire::CreateProductInfo(
          builder, ids[next], builder.CreateString(product.symbol),
          builder.CreateString(gpu.data(), gpu.size()),
          builder.CreateString(zone.data(), zone.size()), product.spec.start_hour,
          to_wire(product.spec.length), product.spec.lot_size_gpus, product.spec.tick_size,
          to_wire(product.state), product.uncross_time_ns));
    }
    const auto body = wire::CreateProductList(builder, request.request_id(),
                                              builder.CreateVector(infos), next < ids.size());
    reply(session.id.value, finish_frame(builder, wire::Body::ProductList, body.Union()));
  } while (next < ids.size());
}

namespace {

// Commands a participant sends about its own orders: their rejects are its execution reports.
bool is_order_command(matching::CommandType type) {
  using matching::CommandType;
  return type == CommandType::new_order || type == CommandType::new_block_order ||
         type == CommandType::cancel_order || type == CommandType::replace_order ||
         type == CommandType::mass_cancel || type == CommandType::order_status;
}

// What a new order or a block order says of itself, before the engine has seen it. A block's
// parts are fill-or-kill limit orders whatever its command's order type and time in force.
OrderFacts entered_facts(const matching::Command& command) {
  if (command.type == matching::CommandType::new_block_order) {
    OrderFacts facts{matching::OrderType::limit, matching::TimeInForce::fill_or_kill,
                     command.price.value, command.quantity.value};
    facts.block_windows = command.windows;
    return facts;
  }
  return {command.order_type, command.time_in_force, command.price.value, command.quantity.value};
}

// Commands whose events are told as execution reports: every engine command, operators'
// included (they also get an OperatorAck), since whatever fell due before it ran (expiries,
// gate closures, deliveries) happened in its events. Balance and capacity events report nothing.
bool reports_orders(const Outcome& outcome) {
  return outcome.kind == Request::Kind::command &&
         outcome.command.kind == ExchangeCommandKind::engine;
}

}  // namespace

void ExchangeService::before_commit(CommittedBatch& batch) {
  pending_reports_.clear();
  next_pending_ = 0;
  reported_participants_.clear();
  for (const Outcome& outcome : batch.outcomes) {
    if (!reports_orders(outcome)) continue;
    for (uint32_t i = 0; i < outcome.event_count; ++i) {
      keep_reports_of_event(batch, outcome, outcome.first_event + i);
    }
  }
  const uint64_t kept_max = config_.reports_kept_per_participant;
  for (const uint32_t participant : reported_participants_) {
    const uint64_t last = report_sequences_[participant];
    if (last > kept_max) batch.ledger_batch.drop_kept_through({participant}, last - kept_max);
  }
}

void ExchangeService::keep_reports_of_event(CommittedBatch& batch, const Outcome& outcome,
                                            size_t index) {
  const Event& event = batch.events[index];
  if (event.type == EventType::fill) {
    const auto taker = orders_.find(event.order_id.value);
    const auto maker = orders_.find(event.maker_order_id.value);
    keep_report(batch, index, event.participant,
                taker == orders_.end() ? nullptr : &taker->second);
    keep_report(batch, index, event.maker_participant,
                maker == orders_.end() ? nullptr : &maker->second);
    if (event.remaining.value == 0 && taker != orders_.end()) orders_.erase(taker);
    if (event.maker_remaining.value == 0 && maker != orders_.end()) orders_.erase(maker);
    return;
  }
  // An operator's refused deposit, withdrawal, registration or delivery failure is answered by
  // its OperatorAck, not reported to the participant it named.
  if (event.type == EventType::rejected && !is_order_command(outcome.command.engine.type)) return;
  switch (event.type) {
    case EventType::accepted:
    case EventType::rejected:
    case EventType::canceled:
    case EventType::replaced:
    case EventType::expired:
    case EventType::order_status: {
      OrderFacts scratch;
      keep_report(batch, index, event.participant, facts_for(outcome, event, scratch));
      if (event.type == EventType::canceled || event.type == EventType::expired) {
        orders_.erase(event.order_id.value);
      }
      return;
    }
    // Money, not orders: the trade's two sides, or the seller paid.
    case EventType::trade_failed:
      keep_report(batch, index, event.participant, nullptr);
      if (event.counterparty != event.participant) {
        keep_report(batch, index, event.counterparty, nullptr);
      }
      return;
    case EventType::proceeds_paid:
      keep_report(batch, index, event.participant, nullptr);
      return;
    default:
      return;
  }
}

void ExchangeService::keep_report(CommittedBatch& batch, size_t index,
                                  matching::ParticipantId viewer, const OrderFacts* facts) {
  std::optional<ReportRecord> record = report_record(batch.events[index], viewer, facts);
  if (!record) return;
  const uint32_t participant = viewer.value;
  if (report_sequences_.size() <= participant) report_sequences_.resize(participant + 1);
  const uint64_t sequence = ++report_sequences_[participant];
  // A batch reports to few participants: a linear search keeps the list without a set.
  if (std::find(reported_participants_.begin(), reported_participants_.end(), participant) ==
      reported_participants_.end()) {
    reported_participants_.push_back(participant);
  }
  encode(*record, record_bytes_);
  batch.ledger_batch.keep_message({participant}, sequence, record_bytes_);
  pending_reports_.push_back({index, participant, sequence, *record});
}

void ExchangeService::on_committed(const CommittedBatch& batch) {
  std::lock_guard lock(sessions_mutex_);
  int64_t latest_ns = INT64_MIN;
  for (const Outcome& outcome : batch.outcomes) {
    deliver_outcome(batch, outcome);
    latest_ns = std::max(latest_ns, outcome.command.engine.timestamp.ns);
  }
  committed_through_ns_ = std::max(committed_through_ns_, latest_ns);
  // Time passed (an idle tick at the least every 100 ms): minutes that ended close their bars.
  bars_.close_until(latest_ns, closed_bars_);
  publish_closed_bars();
}

void ExchangeService::publish_closed_bars() {
  for (const Bar& bar : closed_bars_) {
    const auto found = bar_subscribers_.find(bar.product);
    if (found == bar_subscribers_.end() || found->second.empty()) continue;
    const auto frame = bar_frame(builder_, bar, symbol_of(bar.product));
    for (const uint64_t session : found->second) reply(session, frame);
  }
  closed_bars_.clear();
}

void ExchangeService::on_bars_request(const SessionInfo& session, const wire::BarsRequest& request,
                                      uint64_t ref_sequence) {
  const auto product = resolve(request.symbol(), optional_id(request.product_id()));
  if (!product) {
    reject(session, wire::ErrorCode::UnknownProduct, "unknown product", ref_sequence);
    return;
  }
  const int64_t before_ns =
      request.before_time_ns().has_value() ? *request.before_time_ns() : INT64_MAX;
  std::vector<Bar> bars;
  bool more = false;
  {
    std::lock_guard lock(sessions_mutex_);
    bars = bars_.recent(product->value, request.count(), before_ns, more);
  }
  std::string symbol;
  {
    std::lock_guard lock(reference_mutex_);
    symbol = symbol_of(product->value);
  }
  reply(session.id.value, bar_list_frame(request.request_id(), product->value, symbol, bars, more));
}

std::string_view ExchangeService::symbol_of(uint32_t product) const {
  return product < products_.size() ? std::string_view(products_[product].symbol) : "";
}

// The reports of event `index`, kept by before_commit, to the live sessions of their
// participants (a session still resending has them, or will read them from the ledger).
void ExchangeService::send_reports_of_event(size_t index) {
  for (; next_pending_ < pending_reports_.size() &&
         pending_reports_[next_pending_].event_index == index;
       ++next_pending_) {
    const PendingReport& pending = pending_reports_[next_pending_];
    const auto found = sessions_of_.find(pending.participant);
    if (found == sessions_of_.end() || found->second.empty()) continue;
    std::span<const uint8_t> frame;
    for (const uint64_t session : found->second) {
      const SessionEntry& entry = sessions_.at(session);
      if (!entry.live || entry.resent_through >= pending.sequence) continue;
      if (frame.empty()) {
        frame = execution_report(builder_, pending.record, symbol_of(pending.record.product_id),
                                 pending.sequence);
      }
      reply(session, frame);
    }
  }
}

// What is known of the order an event is about; `scratch` holds facts that live only for this
// event (a refused new order). Keeps orders_ up to date, except for removals (the caller's).
// A block order's windows are one order id, one after another: each window's accepted enters
// the facts again after the last fill of the window before erased them, numbered in the order
// the engine trades them (window by window, in one command's events).
const OrderFacts* ExchangeService::facts_for(const Outcome& outcome, const Event& event,
                                             OrderFacts& scratch) {
  const matching::Command& command = outcome.command.engine;
  const bool new_order = outcome.command.kind == ExchangeCommandKind::engine &&
                         (command.type == matching::CommandType::new_order ||
                          command.type == matching::CommandType::new_block_order);
  if (event.type == EventType::rejected) {
    if (!new_order) return nullptr;
    scratch = entered_facts(command);
    return &scratch;
  }
  if (event.type == EventType::accepted && new_order) {
    OrderFacts& facts = orders_[event.order_id.value] = entered_facts(command);
    if (command.type == matching::CommandType::new_block_order) {
      if (block_sequence_ != command.sequence.value) {
        block_sequence_ = command.sequence.value;
        block_windows_accepted_ = 0;
      }
      facts.block_window = ++block_windows_accepted_;
    }
    return &facts;
  }
  const auto found = orders_.find(event.order_id.value);
  if (found == orders_.end()) return nullptr;
  if (event.type == EventType::replaced) {
    found->second.price = event.price.value;
    found->second.quantity = event.quantity.value;
  }
  return &found->second;
}

void ExchangeService::deliver_outcome(const CommittedBatch& batch, const Outcome& outcome) {
  if (outcome.kind == Request::Kind::book_snapshot) {
    deliver_snapshot(outcome);
    return;
  }
  if (outcome.kind == Request::Kind::account) {
    deliver_account(outcome);
    return;
  }
  const ExchangeCommand& command = outcome.command;
  if (command.issuer != 0 && outcome.origin.request_id != 0) {  // in the ledger from now on
    std::lock_guard lock(reference_mutex_);
    requests_in_flight_.erase({command.issuer - 1, outcome.origin.request_id});
  }
  switch (command.kind) {
    case ExchangeCommandKind::add_participant:
      deliver_added_participant(outcome);
      return;
    case ExchangeCommandKind::delivery_failure:  // journals before version 3 only
      return;
    case ExchangeCommandKind::session_opened:
    case ExchangeCommandKind::session_closed:
      return;
    case ExchangeCommandKind::engine:
      break;
  }
  const matching::CommandType type = command.engine.type;
  if (type == matching::CommandType::deposit || type == matching::CommandType::withdraw ||
      type == matching::CommandType::register_capacity ||
      type == matching::CommandType::fail_trade) {
    deliver_operator_ack(batch, outcome);  // then its events, like any command's
  }
  for (uint32_t i = 0; i < outcome.event_count; ++i) {
    deliver_event(batch, outcome, outcome.first_event + i);
  }
  if (!outcome.indicatives.empty()) publish_indicatives(outcome);
  // A halt's or suspension's ack comes after its events: by then the product list (read by
  // ListProducts on the network thread) shows the new state, the owners have their Canceled
  // reports and the subscribers the book levels that went, so an operator who asks next sees it.
  // An auction's start or uncross too: its ack follows the fills, trades and ProductStatus.
  if (controls_product(type) || type == matching::CommandType::suspend_participant ||
      type == matching::CommandType::reinstate_participant) {
    deliver_control_ack(batch, outcome);
  }
}

void ExchangeService::deliver_event(const CommittedBatch& batch, const Outcome& outcome,
                                    size_t index) {
  const Event& event = batch.events[index];
  const uint32_t product = event.product.value;
  const std::string_view symbol = symbol_of(product);
  switch (event.type) {
    case EventType::product_listed: {
      const matching::ProductSpec& spec = outcome.command.engine.spec;
      std::lock_guard lock(reference_mutex_);
      products_.push_back({matching::format_symbol(spec), spec, matching::ProductState::trading});
      product_ids_[products_.back().symbol] = product;
      open_product_ids_.push_back(product);  // the engine numbers products upwards
      return;
    }
    case EventType::product_state: {
      {
        std::lock_guard lock(reference_mutex_);
        if (product >= products_.size()) return;
        products_[product].state = event.product_state;
        // Only a start_auction, or a listing with an opening auction, starts a call phase: its
        // command carries the uncross time.
        products_[product].uncross_time_ns = event.product_state == matching::ProductState::auction
                                                 ? outcome.command.engine.expire_time.ns
                                                 : 0;
        if (event.product_state == matching::ProductState::delivered) {
          bars_.forget(product);
          const auto found =
              std::lower_bound(open_product_ids_.begin(), open_product_ids_.end(), product);
          if (found != open_product_ids_.end() && *found == product) {
            open_product_ids_.erase(found);
          }
        }
      }
      publish_product_status(event, symbol, products_[product].uncross_time_ns);
      // The next call phase starts from nothing crossed.
      if (event.product_state != matching::ProductState::auction) indicatives_sent_.erase(product);
      return;
    }
    case EventType::participant_state: {
      // To the participant's own live sessions, whether or not it had orders to cancel.
      const auto sessions = sessions_of_.find(event.participant.value);
      const auto named = participant_names_.find(event.participant.value);
      if (sessions == sessions_of_.end() || named == participant_names_.end()) return;
      Frame frame;
      for (const uint64_t session : sessions->second) {
        if (!sessions_.at(session).live) continue;
        if (frame.empty()) frame = participant_status_frame(event, named->second);
        reply(session, frame);
      }
      return;
    }
    case EventType::book_level: {
      const auto found = book_subscribers_.find(product);
      if (found == book_subscribers_.end() || found->second.empty()) return;
      const auto frame = book_delta_frame(builder_, event, batch.market_sequences[index]);
      for (const uint64_t session : found->second) reply(session, frame);
      return;
    }
    case EventType::trade: {
      bars_.add_trade(product, event.timestamp.ns, event.price.value, event.quantity.value,
                      event.notional.value, closed_bars_);
      publish_closed_bars();  // the minute before this trade's, if it ended with this trade
      const auto found = trade_subscribers_.find(product);
      if (found == trade_subscribers_.end() || found->second.empty()) return;
      const auto frame = trade_frame(builder_, event, symbol, batch.market_sequences[index]);
      for (const uint64_t session : found->second) reply(session, frame);
      return;
    }
    default:
      send_reports_of_event(index);
      return;
  }
}

// After the book deltas of a command that changed a call phase's book: its book subscribers
// learn what the uncross would trade now, when that changed.
void ExchangeService::publish_indicatives(const Outcome& outcome) {
  for (const auto& [product, indicative] : outcome.indicatives) {
    const std::pair<int64_t, int64_t> now =
        indicative ? std::pair(indicative->price.value, indicative->quantity.value)
                   : std::pair(int64_t{0}, int64_t{0});
    const auto sent = indicatives_sent_.try_emplace(product.value, 0, 0).first;
    if (sent->second == now) continue;
    sent->second = now;
    const auto found = book_subscribers_.find(product.value);
    if (found == book_subscribers_.end() || found->second.empty()) continue;
    const Frame frame = auction_indicative_frame(product.value, symbol_of(product.value), now.first,
                                                 now.second, outcome.command.engine.timestamp.ns);
    for (const uint64_t session : found->second) reply(session, frame);
  }
}

// Every session subscribed to the product in any way hears of its state: a halt explains why
// its book stops moving (and why the cancels that may follow happen), a gate closure why it
// never moves again. Each session once, however many ways it subscribed.
void ExchangeService::publish_product_status(const Event& event, std::string_view symbol,
                                             int64_t uncross_time_ns) {
  std::set<uint64_t> sessions;
  for (const auto* subscribers : {&book_subscribers_, &trade_subscribers_, &bar_subscribers_}) {
    const auto found = subscribers->find(event.product.value);
    if (found != subscribers->end()) sessions.insert(found->second.begin(), found->second.end());
  }
  if (sessions.empty()) return;
  const auto frame = product_status_frame(builder_, event, symbol, uncross_time_ns);
  for (const uint64_t session : sessions) reply(session, frame);
}

// The OperatorAck of a halt, resume, suspension, reinstatement, or a call auction's start or
// uncross. Its events may begin with what fell due before it ran (expiries, a gate closure,
// even of the same product or of the participant's orders), so success is the product or
// participant reaching the state asked for, and the orders counted are those the command
// itself canceled.
void ExchangeService::deliver_control_ack(const CommittedBatch& batch, const Outcome& outcome) {
  const matching::Command& command = outcome.command.engine;
  const ControlEvents seen = control_events(batch, outcome);
  std::string subject;
  if (controls_product(command.type)) {
    subject = symbol_of(command.product.value);
  } else {
    const auto named = participant_names_.find(command.participant.value);  // ledger thread
    subject = named != participant_names_.end()
                  ? named->second
                  : "participant " + std::to_string(command.participant.value);
  }
  // What fell due first may have reached the state too (a scheduled uncross just before the
  // operator's): the command's own reject says it was refused.
  const bool reached = seen.reached != nullptr && seen.rejected == nullptr;
  const std::string text = reached ? control_done_text(command, subject, seen)
                                   : control_refused_text(command, subject, seen.rejected);
  const wire::OrderRejectReason reason = reached ? wire::OrderRejectReason::None
                                         : seen.rejected != nullptr
                                             ? to_wire(seen.rejected->reject_reason)
                                             : wire::OrderRejectReason::UnknownCommand;
  reply(outcome.origin.session,
        operator_ack_frame(outcome.origin.request_id, reached, reason, nullptr, text));
}

void ExchangeService::deliver_operator_ack(const CommittedBatch& batch, const Outcome& outcome) {
  // The request's own answer is its last event but book levels: those of orders that expired
  // just before it are reported after it (a command reports each level once, last).
  const Event* last = nullptr;
  for (uint32_t i = 0; i < outcome.event_count; ++i) {
    const Event& event = batch.events[outcome.first_event + i];
    if (event.type != EventType::book_level) last = &event;
  }
  if (last == nullptr) return;
  const bool ok = last->type != EventType::rejected;
  if (ok && last->type == EventType::trade_failed) {
    // No one participant's balances to show: say what moved, between whom.
    reply(
        outcome.origin.session,
        operator_ack_frame(outcome.origin.request_id, true, wire::OrderRejectReason::None, nullptr,
                           "trade " + std::to_string(last->trade_id.value) + " failed" +
                               failed_lots_text(*last) + ": the buyer is refunded " +
                               std::to_string(last->notional.value) + " and paid a penalty of " +
                               std::to_string(last->penalty.value) + " (minor units)"));
    return;
  }
  reply(outcome.origin.session,
        operator_ack_frame(outcome.origin.request_id, ok,
                           ok ? wire::OrderRejectReason::None : to_wire(last->reject_reason),
                           ok ? last : nullptr,
                           ok ? "done" : matching::to_string(last->reject_reason)));
}

void ExchangeService::deliver_snapshot(const Outcome& outcome) {
  const uint32_t product = outcome.product.value;
  if (product >= products_.size()) return;
  // The session may have gone, or unsubscribed, while the snapshot was on its way: then it is
  // neither sent nor subscribed to the deltas (a session id is never used again).
  const auto session = sessions_.find(outcome.origin.session);
  if (session == sessions_.end()) return;
  if (session->second.books_pending.erase(product) == 0) return;
  flatbuffers::FlatBufferBuilder builder(4096);
  auto levels = [&](const std::vector<matching::LevelView>& views) {
    std::vector<wire::PriceLevel> out;
    for (const auto& level : views) out.emplace_back(level.price.value, level.quantity.value);
    return builder.CreateVectorOfStructs(out);
  };
  const auto bids = levels(outcome.bids);
  const auto asks = levels(outcome.asks);
  const auto body = wire::CreateBookSnapshot(
      builder, product, builder.CreateString(products_[product].symbol), outcome.market_sequence,
      bids, asks, to_wire(outcome.product_state), outcome.uncross_time.ns,
      outcome.indicative ? outcome.indicative->price.value : 0,
      outcome.indicative ? outcome.indicative->quantity.value : 0);
  reply(outcome.origin.session, finish_frame(builder, wire::Body::BookSnapshot, body.Union()));
  book_subscribers_[product].insert(outcome.origin.session);
}

}  // namespace ghx::gateway
