#include "ledger/lmdb_env.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>

#include "ledger/ledger_assert.h"

namespace ghx::ledger {
namespace {

// LMDB writes through file descriptors; if 0-2 were closed, the data file could take one of
// those numbers and a stray printf would then write into the database.
void ensure_standard_descriptors_open() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
      const int opened = open("/dev/null", O_RDWR);
      GHX_LEDGER_ASSERT(opened == fd);  // open returns the lowest free descriptor
    }
  }
}

[[noreturn]] void fail(const std::string& directory, const std::string& what) {
  throw OpenError("ledger " + directory + ": " + what);
}

void prepare_directory(const std::string& directory, bool read_only) {
  struct stat st {};
  if (stat(directory.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) fail(directory, "exists and is not a directory");
    if (!read_only && access(directory.c_str(), W_OK) != 0) fail(directory, "is not writable");
    const bool has_data = std::filesystem::exists(std::filesystem::path(directory) / "data.mdb");
    if (!has_data && !std::filesystem::is_empty(directory)) {
      fail(directory, "is not empty and holds no ledger (data.mdb missing); refusing to mix");
    }
    if (!has_data && read_only) fail(directory, "holds no ledger (data.mdb missing)");
    return;
  }
  if (read_only) fail(directory, "does not exist");
  if (mkdir(directory.c_str(), 0750) != 0) {
    if (errno == ENOENT) fail(directory, "parent directory does not exist");
    fail(directory, std::string("cannot create directory: ") + std::strerror(errno));
  }
}

// Makes a directory's entries durable (a file or directory just created in it): fsync of the
// file alone does not persist its name on every filesystem.
void sync_directory(const std::string& directory) {
  const int fd = open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail(directory, std::string("cannot open to sync: ") + std::strerror(errno));
  const int rc = fsync(fd);
  const int error = errno;
  close(fd);
  if (rc != 0) fail(directory, std::string("cannot sync: ") + std::strerror(error));
}

std::string describe_open_error(int rc) {
  switch (rc) {
    case MDB_INVALID: return "data.mdb is not an LMDB file or is corrupt";
    case MDB_VERSION_MISMATCH: return "data.mdb was written by an incompatible LMDB version";
    case MDB_CORRUPTED: return "data.mdb is corrupt";
    default: return std::string("cannot open LMDB environment: ") + mdb_strerror(rc);
  }
}

}  // namespace

Env::Env(const std::string& directory, const Options& options)
    : read_only_(options.read_only), map_size_max_bytes_(options.map_size_max_bytes) {
  ensure_standard_descriptors_open();
  prepare_directory(directory, options.read_only);
  const bool creating =
      !options.read_only && !std::filesystem::exists(std::filesystem::path(directory) / "data.mdb");
  GHX_LEDGER_ASSERT(mdb_env_create(&env_) == 0);
  mdb_env_set_maxdbs(env_, 16);
  mdb_env_set_mapsize(env_, std::min(options.map_size_initial_bytes, options.map_size_max_bytes));
  // MDB_NOTLS: read transactions belong to Snapshot objects, not threads, so a report and the
  // writer's own reads can coexist in one thread. Durability flags are deliberately absent.
  const unsigned flags = MDB_NOTLS | (options.read_only ? MDB_RDONLY : 0u);
  const int rc = mdb_env_open(env_, directory.c_str(), flags, 0640);
  if (rc != 0) {
    mdb_env_close(env_);
    env_ = nullptr;
    fail(directory, describe_open_error(rc));
  }
  // A reader takes the map size the writer recorded (with the writer's headroom), not its own
  // initial size, which LMDB would cut down to exactly the pages in use: the writer's next
  // page would then be past this reader's map (MDB_MAP_RESIZED at its next read).
  if (options.read_only) adopt_map_size();
  // A new ledger's files, and the directory prepare_directory may have made, are named
  // durably before anything is committed: a power cut must not lose the whole file.
  if (creating) {
    try {
      std::filesystem::path path = std::filesystem::absolute(directory);
      if (!path.has_filename()) path = path.parent_path();  // "DIR/" names DIR
      sync_directory(path.string());
      sync_directory(path.parent_path().string());
    } catch (...) {
      mdb_env_close(env_);
      env_ = nullptr;
      throw;
    }
  }
  unsigned actual = 0;
  GHX_LEDGER_ASSERT(mdb_env_get_flags(env_, &actual) == 0);
  GHX_LEDGER_ASSERT((actual & (MDB_NOSYNC | MDB_MAPASYNC | MDB_WRITEMAP | MDB_NOMETASYNC)) == 0);
  clear_stale_readers();
  try {
    open_databases(directory);
  } catch (...) {
    mdb_env_close(env_);
    env_ = nullptr;
    throw;
  }
}

Env::~Env() {
  if (env_ != nullptr) mdb_env_close(env_);
}

void Env::open_databases(const std::string& directory) {
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env_, nullptr, read_only_ ? MDB_RDONLY : 0, &txn);
  if (rc != 0) fail(directory, describe_open_error(rc));
  MDB_dbi main_dbi = 0;
  MDB_stat main_stat{};
  rc = mdb_dbi_open(txn, nullptr, 0, &main_dbi);
  if (rc == 0) rc = mdb_stat(txn, main_dbi, &main_stat);
  const bool fresh = rc == 0 && main_stat.ms_entries == 0;
  const unsigned create = (fresh && !read_only_) ? MDB_CREATE : 0;
  struct Named { const char* name; MDB_dbi* dbi; };
  const Named named[] = {{"meta", &dbis_.meta}, {"journal", &dbis_.journal},
                         {"participants", &dbis_.participants}, {"products", &dbis_.products},
                         {"balances", &dbis_.balances}, {"transfers", &dbis_.transfers},
                         {"trades", &dbis_.trades}, {"open_trades", &dbis_.open_trades}};
  for (const Named& n : named) {
    if (rc == 0) rc = mdb_dbi_open(txn, n.name, create, n.dbi);
  }
  if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE) {
    mdb_txn_abort(txn);
    fail(directory, fresh ? "holds an empty LMDB environment (open it writable once to create "
                            "the ledger)"
                          : "is an LMDB environment but not a ghx ledger");
  }
  if (rc == 0) {
    rc = mdb_dbi_open(txn, "reports", read_only_ ? 0 : MDB_CREATE, &dbis_.reports);
    dbis_.has_reports = rc == 0;
    if (rc == MDB_NOTFOUND && read_only_) rc = 0;
  }
  if (rc == 0) {
    rc = mdb_dbi_open(txn, "requests", read_only_ ? 0 : MDB_CREATE, &dbis_.requests);
    dbis_.has_requests = rc == 0;
    if (rc == MDB_NOTFOUND && read_only_) rc = 0;
  }
  if (rc != 0) {
    mdb_txn_abort(txn);
    fail(directory, describe_open_error(rc));
  }
  MDB_val key{6, const_cast<char*>("format")};
  MDB_val value{};
  rc = mdb_get(txn, dbis_.meta, &key, &value);
  const std::string_view format(ledger_format);
  if (rc == MDB_NOTFOUND && fresh && !read_only_) {
    MDB_val v{format.size(), const_cast<char*>(format.data())};
    rc = mdb_put(txn, dbis_.meta, &key, &v, 0);
    if (rc == 0) rc = mdb_txn_commit(txn);
    else mdb_txn_abort(txn);
    if (rc != 0) fail(directory, std::string("cannot initialise: ") + mdb_strerror(rc));
    return;
  }
  const bool ours = rc == 0 && std::string_view(static_cast<const char*>(value.mv_data),
                                                value.mv_size) == format;
  if (!ours) {
    mdb_txn_abort(txn);
    fail(directory, "is an LMDB environment but not a ghx ledger (format mismatch)");
  }
  // Committing (even a read transaction) keeps the database handles; aborting would close them.
  rc = mdb_txn_commit(txn);
  if (rc != 0) fail(directory, std::string("cannot open databases: ") + mdb_strerror(rc));
}

uint64_t Env::map_size_bytes() const {
  MDB_envinfo info{};
  mdb_env_info(env_, &info);
  return info.me_mapsize;
}

uint64_t Env::used_bytes() const {
  MDB_envinfo info{};
  mdb_env_info(env_, &info);
  MDB_stat stat{};
  mdb_env_stat(env_, &stat);
  return (static_cast<uint64_t>(info.me_last_pgno) + 1) * stat.ms_psize;
}

int Env::clear_stale_readers() {
  int dead = 0;
  mdb_reader_check(env_, &dead);
  return dead;
}

void Env::adopt_map_size() { GHX_LEDGER_ASSERT(mdb_env_set_mapsize(env_, 0) == 0); }

Result Env::grow_map() {
  const uint64_t current = map_size_bytes();
  if (current >= map_size_max_bytes_) return Result::map_full;
  const uint64_t next = std::min(current * 2, map_size_max_bytes_);
  if (mdb_env_set_mapsize(env_, next) != 0) return Result::storage_error;
  GHX_LEDGER_ASSERT(map_size_bytes() >= next);
  return Result::ok;
}

}  // namespace ghx::ledger
