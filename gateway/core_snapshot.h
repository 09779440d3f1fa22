#pragma once
// What the exchange core puts in a snapshot, and the thread that writes snapshots.
//
// Payload (the SnapshotStore checksums it; the encoding is the core's own, versioned):
//   engine bytes (Engine::save)
//   | core state: version (u8), sequence (u64), XXH64 of the journal entry at that sequence
//     (u64), last_time_ns (i64), market sequences (u32 count, u64 each), open cancel-on-
//     disconnect sessions (u32 count, then u32 participant and u32 sessions each)
//   | engine bytes length (u64)
// All integers little-endian. The engine's bytes come first so that Engine::save can fill the
// buffer directly (no copy while trading waits). The journal entry's hash ties the snapshot to
// the journal it was taken from: one whose sequence was reused by other commands after a
// crash (never committed, then overwritten) does not match and is not used.
//
// Caveats:
// - SnapshotWriter has one buffer: while it writes, the engine thread cannot start another
//   snapshot (buffer() returns null and that snapshot is not taken). Bounded by design.
// - on_written runs on the writer thread.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "gateway/snapshot_store.h"

namespace ghx::gateway {

constexpr uint8_t core_snapshot_version = 1;

struct CoreSnapshotState {
  uint64_t sequence = 0;
  uint64_t journal_entry_hash = 0;
  int64_t last_time_ns = 0;
  std::vector<uint64_t> market_sequences;      // per product
  std::map<uint32_t, uint32_t> open_sessions;  // participant -> cancel-on-disconnect sessions
};

// Appends the core's state to `payload`, which holds the engine's bytes and nothing else.
void append_core_state(const CoreSnapshotState& state, std::vector<uint8_t>& payload);

// Splits a payload into the engine's bytes and the core's state. False when it is malformed
// or of an unknown version.
bool split_payload(std::span<const uint8_t> payload, std::span<const uint8_t>& engine_bytes,
                   CoreSnapshotState& state);

class SnapshotWriter {
 public:
  using WrittenHandler = std::function<void(uint64_t sequence, const SnapshotOutcome&)>;
  // The ledger's last committed sequence, asked after each write: pruning keeps the newest
  // snapshots it can use (SnapshotStore::write).
  using CommittedThrough = std::function<uint64_t()>;

  SnapshotWriter(SnapshotStore store, WrittenHandler on_written,
                 CommittedThrough committed_through = {});
  ~SnapshotWriter();
  SnapshotWriter(const SnapshotWriter&) = delete;
  SnapshotWriter& operator=(const SnapshotWriter&) = delete;

  void start();
  void stop();  // finishes a write in progress, then joins. Idempotent.

  // The buffer to fill with the next payload, or null while the previous one is being written.
  // Only the thread that submits may call it.
  std::vector<uint8_t>* buffer();
  // Hands the filled buffer over to be written as the snapshot of `sequence`.
  void submit(uint64_t sequence);

 private:
  void loop();

  SnapshotStore store_;
  WrittenHandler on_written_;
  CommittedThrough committed_through_;
  std::vector<uint8_t> buffer_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool busy_ = false;      // guarded by mutex_: buffer_ belongs to the writer thread
  uint64_t sequence_ = 0;  // guarded by mutex_
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace ghx::gateway
