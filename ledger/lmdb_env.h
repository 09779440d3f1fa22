#pragma once
// The LMDB environment of a ledger directory: opening it safely, its named databases, and
// growing the map. Internal to ledger/ (public headers do not include lmdb.h).
//
// Safety rules (issue 3): never MDB_NOSYNC, MDB_MAPASYNC or MDB_WRITEMAP, so that a returned
// mdb_txn_commit means the data is on disk and a stray pointer write cannot corrupt the file;
// stale reader slots of dead processes are cleared at open; descriptors 0-2 are open first so
// that the data file can never become stdout/stderr of the process.

#include <lmdb.h>

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>

#include "ledger/result.h"

namespace ghx::ledger {

// Thrown by Ledger::open only (start-up), with the path and what to do in the message.
class OpenError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Options {
  bool read_only = false;
  uint64_t map_size_initial_bytes = 64ull << 20;
  // The most the data file may grow to (a commit that needs more is refused with map_full).
  // The initial map is no larger. Only address space is reserved for it, not memory or disk.
  uint64_t map_size_max_bytes = 64ull << 30;
  int64_t penalty_bps = 1000;  // delivery failure penalty: 10 % of notional by default
  // How often the writer frees the reader slots of processes that died in a read transaction
  // (a `ghx report` killed while it read): such a slot pins the oldest snapshot, so no page
  // freed since can be reused and the file grows with every commit until the slot is freed.
  int64_t stale_reader_check_interval_ms = 1000;
};

struct Dbis {
  MDB_dbi meta = 0;          // "format", "last_sequence", "next_transfer_id"
  MDB_dbi journal = 0;       // sequence (be64) -> command bytes
  MDB_dbi participants = 0;  // id (be32) -> roles u8, name
  MDB_dbi products = 0;      // id (be32) -> lot size, hours, window, symbol
  MDB_dbi balances = 0;      // account key -> i64
  MDB_dbi transfers = 0;     // transfer id (be64) -> transfer
  MDB_dbi trades = 0;        // trade id (be64) -> trade record
  MDB_dbi open_trades = 0;   // product (be32), trade id (be64) -> empty; not delivered/failed
  // Messages kept per participant for a resend after a reconnect (opaque to the ledger):
  // participant (be32), message sequence (be64) -> bytes. Added after format 1 first shipped:
  // a writable open creates it in an older ledger; a read-only open of one finds none (0).
  MDB_dbi reports = 0;
  bool has_reports = false;
  // Operator requests sequenced, so that a repeat is refused rather than done twice: issuer
  // (be32), request id (be64) -> sequence (be64). Created like `reports`, since format 1.
  MDB_dbi requests = 0;
  bool has_requests = false;
};

class Env {
 public:
  Env(const std::string& directory, const Options& options);  // throws OpenError
  ~Env();
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;

  MDB_env* get() const { return env_; }
  const Dbis& dbis() const { return dbis_; }
  bool read_only() const { return read_only_; }
  // Doubles the map up to the configured maximum. Needs no transaction open in this process.
  Result grow_map();
  // A reader's: takes the map size the writer (another process) recorded last, after it grew
  // the map past this reader's. Needs no transaction open in this process.
  void adopt_map_size();
  uint64_t map_size_bytes() const;
  // The file's pages up to the highest in use (pages freed below it are reused before the
  // file grows): how much of map_size_max_bytes the ledger has taken.
  uint64_t used_bytes() const;
  // Frees the reader slots of processes that have died; returns how many.
  int clear_stale_readers();

 private:
  void open_databases(const std::string& directory);
  MDB_env* env_ = nullptr;
  Dbis dbis_;
  bool read_only_ = false;
  uint64_t map_size_max_bytes_ = 0;
};

inline MDB_val val(std::span<const uint8_t> bytes) {
  return MDB_val{bytes.size(), const_cast<uint8_t*>(bytes.data())};
}
inline std::span<const uint8_t> span(const MDB_val& v) {
  return {static_cast<const uint8_t*>(v.mv_data), v.mv_size};
}

constexpr const char* ledger_format = "ghx-ledger/1";

}  // namespace ghx::ledger
