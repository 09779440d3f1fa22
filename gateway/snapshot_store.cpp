#include "gateway/snapshot_store.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <system_error>

#include "gateway/durable_file.h"

namespace ghx::gateway {
namespace {

constexpr char magic[8] = {'G', 'H', 'X', 'S', 'N', 'A', 'P', '1'};
constexpr std::string_view name_prefix = "snapshot-";
constexpr std::string_view name_suffix = ".ghxs";
constexpr size_t sequence_digits = 20;

constexpr uint64_t prime1 = 0x9E3779B185EBCA87ULL;
constexpr uint64_t prime2 = 0xC2B2AE3D27D4EB4FULL;
constexpr uint64_t prime3 = 0x165667B19E3779F9ULL;
constexpr uint64_t prime4 = 0x85EBCA77C2B2AE63ULL;
constexpr uint64_t prime5 = 0x27D4EB2F165667C5ULL;

uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

uint64_t load_u64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

uint32_t load_u32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

void store_u64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

uint64_t xxh_round(uint64_t acc, uint64_t input) {
  acc += input * prime2;
  return rotl(acc, 31) * prime1;
}

uint64_t xxh_merge(uint64_t acc, uint64_t value) {
  acc ^= xxh_round(0, value);
  return acc * prime1 + prime4;
}

std::string errno_text(const std::string& what, const std::filesystem::path& path) {
  return what + " " + path.string() + ": " + std::strerror(errno);
}

// Parses "snapshot-<20 digits>.ghxs"; nothing else.
std::optional<uint64_t> parse_name(const std::string& name) {
  if (name.size() != name_prefix.size() + sequence_digits + name_suffix.size()) return {};
  if (name.compare(0, name_prefix.size(), name_prefix) != 0) return {};
  if (name.compare(name.size() - name_suffix.size(), name_suffix.size(), name_suffix) != 0) {
    return {};
  }
  uint64_t sequence = 0;
  for (size_t i = 0; i < sequence_digits; ++i) {
    const char c = name[name_prefix.size() + i];
    if (c < '0' || c > '9') return {};
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (sequence > (UINT64_MAX - digit) / 10) return {};
    sequence = sequence * 10 + digit;
  }
  return sequence;
}

SnapshotOutcome io_failure(std::string detail) {
  return {SnapshotStatus::io_error, std::move(detail)};
}

}  // namespace

uint64_t xxh64(std::span<const uint8_t> bytes, uint64_t seed) {
  const uint8_t* p = bytes.data();
  const uint8_t* const end = p + bytes.size();
  uint64_t h = 0;
  if (bytes.size() >= 32) {
    uint64_t v1 = seed + prime1 + prime2;
    uint64_t v2 = seed + prime2;
    uint64_t v3 = seed;
    uint64_t v4 = seed - prime1;
    for (; end - p >= 32; p += 32) {
      v1 = xxh_round(v1, load_u64(p));
      v2 = xxh_round(v2, load_u64(p + 8));
      v3 = xxh_round(v3, load_u64(p + 16));
      v4 = xxh_round(v4, load_u64(p + 24));
    }
    h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
    h = xxh_merge(xxh_merge(xxh_merge(xxh_merge(h, v1), v2), v3), v4);
  } else {
    h = seed + prime5;
  }
  h += bytes.size();
  for (; end - p >= 8; p += 8) h = rotl(h ^ xxh_round(0, load_u64(p)), 27) * prime1 + prime4;
  if (end - p >= 4) {
    h = rotl(h ^ (uint64_t{load_u32(p)} * prime1), 23) * prime2 + prime3;
    p += 4;
  }
  for (; p < end; ++p) h = rotl(h ^ (*p * prime5), 11) * prime1;
  h ^= h >> 33;
  h *= prime2;
  h ^= h >> 29;
  h *= prime3;
  h ^= h >> 32;
  return h;
}

std::string_view to_string(SnapshotStatus status) {
  switch (status) {
    case SnapshotStatus::ok: return "ok";
    case SnapshotStatus::io_error: return "I/O error";
    case SnapshotStatus::truncated: return "truncated";
    case SnapshotStatus::bad_magic: return "bad magic (not a ghx snapshot)";
    case SnapshotStatus::sequence_mismatch: return "sequence disagrees with the file name";
    case SnapshotStatus::length_mismatch: return "bytes beyond the announced payload";
    case SnapshotStatus::checksum_mismatch: return "checksum mismatch";
  }
  return "unknown";
}

SnapshotStore::SnapshotStore(std::filesystem::path directory, size_t kept)
    : directory_(std::move(directory)), kept_(std::max<size_t>(kept, 1)) {}

std::string SnapshotStore::file_name(uint64_t sequence) {
  char digits[sequence_digits + 1];
  std::snprintf(digits, sizeof digits, "%020llu", static_cast<unsigned long long>(sequence));
  return std::string(name_prefix) + digits + std::string(name_suffix);
}

SnapshotOutcome SnapshotStore::write(uint64_t sequence, std::span<const uint8_t> payload,
                                     uint64_t committed_through) {
  std::error_code error;
  std::filesystem::create_directories(directory_, error);
  if (error) return io_failure("cannot create " + directory_.string() + ": " + error.message());
  uint8_t header[snapshot_header_bytes];
  std::memcpy(header, magic, sizeof magic);
  store_u64(header + 8, sequence);
  store_u64(header + 16, payload.size());
  store_u64(header + 24, xxh64(payload));
  const std::string failed =
      replace_file_durably(directory_ / file_name(sequence), 0644, {header, payload});
  if (!failed.empty()) return io_failure(failed);
  prune(committed_through);
  return {};
}

std::vector<SnapshotFile> SnapshotStore::list() const {
  std::vector<SnapshotFile> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(directory_, error)) {
    const auto sequence = parse_name(entry.path().filename().string());
    if (sequence) files.push_back({*sequence, entry.path()});
  }
  std::sort(files.begin(), files.end(),
            [](const SnapshotFile& a, const SnapshotFile& b) { return a.sequence > b.sequence; });
  return files;
}

SnapshotOutcome SnapshotStore::read(const SnapshotFile& file,
                                    std::vector<uint8_t>& payload) const {
  payload.clear();
  std::ifstream in(file.path, std::ios::binary | std::ios::ate);
  if (!in) return io_failure(errno_text("cannot open", file.path));
  const auto size = static_cast<uint64_t>(in.tellg());
  in.seekg(0);
  if (size < snapshot_header_bytes) {
    return {SnapshotStatus::truncated, std::to_string(size) + " bytes, shorter than a header"};
  }
  uint8_t header[snapshot_header_bytes];
  if (!in.read(reinterpret_cast<char*>(header), sizeof header)) {
    return io_failure(errno_text("cannot read", file.path));
  }
  if (std::memcmp(header, magic, sizeof magic) != 0) return {SnapshotStatus::bad_magic, ""};
  const uint64_t sequence = load_u64(header + 8);
  if (sequence != file.sequence) {
    return {SnapshotStatus::sequence_mismatch, "header says " + std::to_string(sequence)};
  }
  const uint64_t length = load_u64(header + 16);
  const uint64_t present = size - snapshot_header_bytes;
  if (length > present) {
    return {SnapshotStatus::truncated, std::to_string(present) + " of " +
                                           std::to_string(length) + " payload bytes"};
  }
  if (length < present) {
    return {SnapshotStatus::length_mismatch, std::to_string(present - length) + " extra bytes"};
  }
  payload.resize(length);
  if (!in.read(reinterpret_cast<char*>(payload.data()), static_cast<std::streamsize>(length))) {
    payload.clear();
    return io_failure(errno_text("cannot read", file.path));
  }
  if (xxh64(payload) != load_u64(header + 24)) {
    payload.clear();
    return {SnapshotStatus::checksum_mismatch, ""};
  }
  return {};
}

SnapshotSearch SnapshotStore::find_newest(uint64_t sequence_max,
                                          const SnapshotAcceptor& accept) const {
  SnapshotSearch search;
  std::vector<uint8_t> payload;
  for (const SnapshotFile& file : list()) {
    if (file.sequence > sequence_max) {
      search.skipped.push_back({file, "beyond the journal's last committed sequence " +
                                          std::to_string(sequence_max)});
      continue;
    }
    const SnapshotOutcome read_outcome = read(file, payload);
    if (!read_outcome.ok()) {
      std::string reason = "corrupt: " + std::string(to_string(read_outcome.status));
      if (!read_outcome.detail.empty()) reason += " (" + read_outcome.detail + ")";
      search.skipped.push_back({file, std::move(reason)});
      continue;
    }
    std::string refused = accept(file.sequence, payload);
    if (!refused.empty()) {
      search.skipped.push_back({file, std::move(refused)});
      continue;
    }
    search.sequence = file.sequence;
    break;
  }
  return search;
}

size_t SnapshotStore::remove_above(uint64_t sequence) {
  size_t removed = 0;
  std::error_code error;
  for (const SnapshotFile& file : list()) {
    if (file.sequence > sequence && std::filesystem::remove(file.path, error)) ++removed;
  }
  return removed;
}

// Keeps the newest kept_ snapshots at or below committed_through, and every one beyond it; also
// removes temp files a crash left behind (the one writer is not writing any now).
void SnapshotStore::prune(uint64_t committed_through) {
  std::error_code error;
  size_t usable = 0;
  for (const SnapshotFile& file : list()) {  // newest first
    if (file.sequence > committed_through) continue;
    if (++usable > kept_) std::filesystem::remove(file.path, error);
  }
  for (const auto& entry : std::filesystem::directory_iterator(directory_, error)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > durable_temp_suffix.size() && name.ends_with(durable_temp_suffix) &&
        name.starts_with(name_prefix)) {
      std::filesystem::remove(entry.path(), error);
    }
  }
}

}  // namespace ghx::gateway
