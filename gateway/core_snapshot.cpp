#include "gateway/core_snapshot.h"

#include <cstring>
#include <utility>

namespace ghx::gateway {
namespace {

// Sanity bounds for decoding: a damaged count must not make us allocate gigabytes.
constexpr uint32_t market_sequences_max = 1 << 24;
constexpr uint32_t open_sessions_max = 1 << 24;

void put_u64(std::vector<uint8_t>& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

class Reader {
 public:
  explicit Reader(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  bool u64(uint64_t& v) { return take(v, 8); }
  bool u32(uint32_t& v) { return take(v, 4); }
  bool u8(uint8_t& v) { return take(v, 1); }
  bool done() const { return at_ == bytes_.size(); }

 private:
  template <typename T>
  bool take(T& v, size_t size) {
    if (bytes_.size() - at_ < size) return false;
    uint64_t value = 0;
    for (size_t i = 0; i < size; ++i) value |= uint64_t{bytes_[at_ + i]} << (8 * i);
    v = static_cast<T>(value);
    at_ += size;
    return true;
  }

  std::span<const uint8_t> bytes_;
  size_t at_ = 0;
};

bool read_core_state(Reader& in, CoreSnapshotState& state) {
  uint8_t version = 0;
  uint64_t last_time = 0;
  uint32_t count = 0;
  if (!in.u8(version) || version != core_snapshot_version || !in.u64(state.sequence) ||
      !in.u64(state.journal_entry_hash) || !in.u64(last_time) || !in.u32(count) ||
      count > market_sequences_max) {
    return false;
  }
  state.last_time_ns = static_cast<int64_t>(last_time);
  state.market_sequences.assign(count, 0);
  for (uint64_t& sequence : state.market_sequences) {
    if (!in.u64(sequence)) return false;
  }
  if (!in.u32(count) || count > open_sessions_max) return false;
  state.open_sessions.clear();
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t participant = 0;
    uint32_t sessions = 0;
    if (!in.u32(participant) || !in.u32(sessions) || sessions == 0) return false;
    if (!state.open_sessions.emplace(participant, sessions).second) return false;
  }
  return in.done();
}

}  // namespace

void append_core_state(const CoreSnapshotState& state, std::vector<uint8_t>& payload) {
  const uint64_t engine_bytes = payload.size();
  payload.push_back(core_snapshot_version);
  put_u64(payload, state.sequence);
  put_u64(payload, state.journal_entry_hash);
  put_u64(payload, static_cast<uint64_t>(state.last_time_ns));
  put_u32(payload, static_cast<uint32_t>(state.market_sequences.size()));
  for (const uint64_t sequence : state.market_sequences) put_u64(payload, sequence);
  put_u32(payload, static_cast<uint32_t>(state.open_sessions.size()));
  for (const auto& [participant, sessions] : state.open_sessions) {
    put_u32(payload, participant);
    put_u32(payload, sessions);
  }
  put_u64(payload, engine_bytes);
}

bool split_payload(std::span<const uint8_t> payload, std::span<const uint8_t>& engine_bytes,
                   CoreSnapshotState& state) {
  if (payload.size() < 8) return false;
  uint64_t engine_size = 0;
  Reader trailer(payload.last(8));
  if (!trailer.u64(engine_size) || engine_size > payload.size() - 8) return false;
  engine_bytes = payload.first(engine_size);
  Reader in(payload.subspan(engine_size, payload.size() - 8 - engine_size));
  return read_core_state(in, state);
}

SnapshotWriter::SnapshotWriter(SnapshotStore store, WrittenHandler on_written,
                               CommittedThrough committed_through)
    : store_(std::move(store)),
      on_written_(std::move(on_written)),
      committed_through_(std::move(committed_through)) {}

SnapshotWriter::~SnapshotWriter() { stop(); }

void SnapshotWriter::start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
}

void SnapshotWriter::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::vector<uint8_t>* SnapshotWriter::buffer() {
  std::lock_guard lock(mutex_);
  if (busy_ || stopping_ || !thread_.joinable()) return nullptr;
  return &buffer_;
}

void SnapshotWriter::submit(uint64_t sequence) {
  {
    std::lock_guard lock(mutex_);
    busy_ = true;
    sequence_ = sequence;
  }
  wake_.notify_all();
}

void SnapshotWriter::loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return busy_ || stopping_; });
    if (!busy_) return;  // stopping with nothing to write
    const uint64_t sequence = sequence_;
    lock.unlock();
    const SnapshotOutcome outcome =
        store_.write(sequence, buffer_, committed_through_ ? committed_through_() : UINT64_MAX);
    if (on_written_) on_written_(sequence, outcome);
    lock.lock();
    busy_ = false;
  }
}

}  // namespace ghx::gateway
