#pragma once
// SnapshotStore: the core's snapshots as files, one per sequence number, in one directory.
//
//   snapshot-<sequence, 20 digits>.ghxs:
//     "GHXSNAP1" | sequence (u64 LE) | payload length (u64 LE) | XXH64 of the payload, seed 0
//     (u64 LE) | payload
//
// Caveats:
// - The payload is opaque here; what it holds (engine state and the core's extras) is the
//   core's business, and so is whether a snapshot fits the journal (see ExchangeCore).
// - write() is atomic: a temp file, fsync, rename into place, fsync of the directory. A crash
//   leaves either the whole new file or none (at most a stale temp file, removed on the next
//   write). It then keeps the newest `kept` snapshots and deletes older ones.
// - A file that is short, has a wrong magic, a sequence that disagrees with its name, or a
//   checksum mismatch is corrupt: read() says which; find_newest() skips it (and reports it)
//   in favour of an older one. Corrupt files are left in place for the operator to look at.
// - One writer at a time (the core's snapshot thread); reading is for start-up.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ghx::gateway {

constexpr size_t snapshots_kept_default = 3;
constexpr size_t snapshot_header_bytes = 32;

// XXH64 (Yann Collet's xxHash, 64-bit variant), as in the reference implementation: the
// snapshot checksum. Exposed for tests.
uint64_t xxh64(std::span<const uint8_t> bytes, uint64_t seed = 0);

enum class SnapshotStatus : uint8_t {
  ok,
  io_error,           // open/read/write/fsync/rename failed: see the detail text
  truncated,          // shorter than its header, or than the payload length it announces
  bad_magic,          // not "GHXSNAP1"
  sequence_mismatch,  // the header's sequence is not the one in the file name
  length_mismatch,    // bytes beyond the announced payload
  checksum_mismatch,  // the payload is not what was written
};
std::string_view to_string(SnapshotStatus status);

struct SnapshotOutcome {
  SnapshotStatus status = SnapshotStatus::ok;
  std::string detail;  // what failed and where, for the log
  bool ok() const { return status == SnapshotStatus::ok; }
};

struct SnapshotFile {
  uint64_t sequence = 0;
  std::filesystem::path path;
};

struct SkippedSnapshot {
  SnapshotFile file;
  std::string reason;
};

// The outcome of looking for a usable snapshot: the one taken (if any) and every newer one
// passed over, with the reason.
struct SnapshotSearch {
  std::optional<uint64_t> sequence;
  std::vector<SkippedSnapshot> skipped;
};

// Decides whether an intact snapshot can be used (for instance, whether the engine loads it).
// Returns an empty string to take it, else why not.
using SnapshotAcceptor =
    std::function<std::string(uint64_t sequence, std::span<const uint8_t> payload)>;

class SnapshotStore {
 public:
  // Does no I/O; the directory is created by the first write().
  explicit SnapshotStore(std::filesystem::path directory, size_t kept = snapshots_kept_default);

  const std::filesystem::path& directory() const { return directory_; }
  static std::string file_name(uint64_t sequence);  // "snapshot-000...0042.ghxs"

  // Writes the snapshot of `sequence` atomically (replacing one of the same sequence), then
  // deletes all but the newest `kept` of those at or below `committed_through` (the ledger's
  // last committed sequence: a snapshot beyond it is of no use until its commit, and of none
  // if a crash comes first), keeping every one beyond it. A failed deletion is not a failed
  // write.
  SnapshotOutcome write(uint64_t sequence, std::span<const uint8_t> payload,
                        uint64_t committed_through = UINT64_MAX);
  // Deletes what write() would: all but the newest `kept` at or below `committed_through`.
  void prune(uint64_t committed_through);

  // The snapshot files, newest (highest sequence) first. Other names are ignored. A missing
  // directory has none.
  std::vector<SnapshotFile> list() const;

  // Reads and checks one file; `payload` gets its payload (cleared first).
  SnapshotOutcome read(const SnapshotFile& file, std::vector<uint8_t>& payload) const;

  // The newest snapshot with a sequence <= sequence_max that is intact and that `accept`
  // takes. Newer ones, corrupt ones and refused ones are reported in `skipped`.
  SnapshotSearch find_newest(uint64_t sequence_max, const SnapshotAcceptor& accept) const;

  // Deletes the snapshots above `sequence`; returns how many.
  size_t remove_above(uint64_t sequence);

 private:

  std::filesystem::path directory_;
  size_t kept_;
};

}  // namespace ghx::gateway
