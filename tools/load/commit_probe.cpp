#include "tools/load/commit_probe.h"

#include <lmdb.h>

#include <chrono>
#include <cstdlib>

namespace ghx::load {
namespace {

constexpr auto probe_interval = std::chrono::milliseconds(5);
constexpr size_t map_bytes = 16 << 20;
constexpr size_t value_bytes = 64;
constexpr uint64_t keys_max = 4096;  // keys are overwritten in turn: the file stays small

}  // namespace

bool CommitProbe::start(std::string& error) {
  std::string pattern = (parent_ / "commit-probe-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    error = "cannot create a probe directory in " + parent_.string();
    return false;
  }
  dir_ = pattern;
  MDB_env* env = nullptr;
  MDB_txn* txn = nullptr;
  int rc = mdb_env_create(&env);
  if (rc == 0) rc = mdb_env_set_mapsize(env, map_bytes);
  if (rc == 0) rc = mdb_env_open(env, dir_.c_str(), 0, 0600);
  if (rc == 0) rc = mdb_txn_begin(env, nullptr, 0, &txn);
  if (rc == 0) rc = mdb_dbi_open(txn, nullptr, 0, &dbi_);
  if (rc == 0) rc = mdb_txn_commit(txn);
  if (rc != 0) {
    error = std::string("commit probe: ") + mdb_strerror(rc);
    if (env) mdb_env_close(env);
    std::filesystem::remove_all(dir_);
    return false;
  }
  env_ = env;
  thread_ = std::thread([this] { run(); });
  return true;
}

void CommitProbe::run() {
  auto* env = static_cast<MDB_env*>(env_);
  char value[value_bytes] = {};
  for (uint64_t i = 0; !stop_.load(std::memory_order_relaxed); ++i) {
    uint64_t key_value = i % keys_max;
    MDB_val key{sizeof key_value, &key_value};
    MDB_val data{sizeof value, value};
    MDB_txn* txn = nullptr;
    const auto begin = std::chrono::steady_clock::now();
    if (mdb_txn_begin(env, nullptr, 0, &txn) != 0) break;
    if (mdb_put(txn, dbi_, &key, &data, 0) != 0) {
      mdb_txn_abort(txn);
      break;
    }
    if (mdb_txn_commit(txn) != 0) break;
    commits_.record(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                              std::chrono::steady_clock::now() - begin)
                                              .count()));
    std::this_thread::sleep_for(probe_interval);
  }
}

void CommitProbe::stop() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
  if (env_ != nullptr) mdb_env_close(static_cast<MDB_env*>(env_));
  env_ = nullptr;
  std::error_code ignored;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  dir_.clear();
}

}  // namespace ghx::load
