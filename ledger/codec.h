#pragma once
// Byte layouts of keys and values in LMDB.
//
// Keys are big-endian so that LMDB's byte order is numeric order: transfers, trades and the
// journal are then appended at the end of their trees (MDB_APPEND) and scanned in order.
// Values are fixed little-endian layouts written field by field, so no padding byte of a C++
// struct ever reaches the file and the format does not depend on the compiler.

#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "ledger/ledger_assert.h"
#include "ledger/types.h"
#include "ledger/varint_codec.h"

namespace ghx::ledger::codec {

// Writes into a caller-owned fixed buffer; overflowing it is a programming error.
class Writer {
 public:
  explicit Writer(std::span<uint8_t> out) : out_(out) {}
  void u8(uint8_t v) { raw(&v, 1); }
  void u32(uint32_t v) { raw(&v, 4); }  // little-endian hosts only (asserted in codec.cpp)
  void u64(uint64_t v) { raw(&v, 8); }
  void i64(int64_t v) { raw(&v, 8); }
  void be32(uint32_t v) { u32(__builtin_bswap32(v)); }
  void be64(uint64_t v) { u64(__builtin_bswap64(v)); }
  void raw(const void* data, size_t size) {
    GHX_LEDGER_ASSERT(used_ + size <= out_.size());
    std::memcpy(out_.data() + used_, data, size);
    used_ += size;
  }
  size_t size() const { return used_; }

 private:
  std::span<uint8_t> out_;
  size_t used_ = 0;
};

// Reads a value; reading past its end sets ok() to false instead of touching memory.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> in) : in_(in) {}
  uint8_t u8() { uint8_t v = 0; raw(&v, 1); return v; }
  uint32_t u32() { uint32_t v = 0; raw(&v, 4); return v; }
  uint64_t u64() { uint64_t v = 0; raw(&v, 8); return v; }
  int64_t i64() { int64_t v = 0; raw(&v, 8); return v; }
  uint32_t be32() { return __builtin_bswap32(u32()); }
  uint64_t be64() { return __builtin_bswap64(u64()); }
  std::string_view rest() {
    std::string_view s(reinterpret_cast<const char*>(in_.data()) + used_, in_.size() - used_);
    used_ = in_.size();
    return s;
  }
  bool ok() const { return ok_; }
  bool at_end() const { return used_ == in_.size(); }

 private:
  void raw(void* data, size_t size) {
    if (used_ + size > in_.size()) { ok_ = false; return; }
    std::memcpy(data, in_.data() + used_, size);
    used_ += size;
  }
  std::span<const uint8_t> in_;
  size_t used_ = 0;
  bool ok_ = true;
};

constexpr size_t u64_key_size = 8;
constexpr size_t account_key_size = 10;
constexpr size_t open_trade_key_size = 12;
constexpr size_t transfer_value_size = 61;
constexpr size_t trade_value_size = 117;
// A trade written before partial delivery failures: no failed_lots at the end.
constexpr size_t trade_value_size_without_failed_lots = 109;
constexpr size_t product_fixed_size = 32;
// An operator's request: sequence, done, what, digest; written before digests, without it.
constexpr size_t request_record_size = u64_key_size + 2 + u64_key_size;
constexpr size_t request_record_size_without_digest = u64_key_size + 2;

using U64Key = std::array<uint8_t, u64_key_size>;
using AccountKeyBytes = std::array<uint8_t, account_key_size>;
using OpenTradeKey = std::array<uint8_t, open_trade_key_size>;
using TransferBytes = std::array<uint8_t, transfer_value_size>;
using TradeBytes = std::array<uint8_t, trade_value_size>;

U64Key u64_key(uint64_t v);
uint64_t read_u64_key(std::span<const uint8_t> key);
std::array<uint8_t, 4> u32_key(uint32_t v);
uint32_t read_u32_key(std::span<const uint8_t> key);

AccountKeyBytes account_key(const AccountKey& key);
bool read_account_key(std::span<const uint8_t> bytes, AccountKey& out);

OpenTradeKey open_trade_key(ProductId product, TradeId trade);
bool read_open_trade_key(std::span<const uint8_t> bytes, ProductId& product, TradeId& trade);

// Kept messages are stored in chunks, one LMDB entry per participant and batch (one put per
// participant per commit rather than one per message): key participant (be32), sequence of the
// chunk's first message (be64), so that one participant's chunks are contiguous and in order;
// value: message count, then each message as length and bytes (LEB128 varints), numbered on
// from the key's sequence.
using KeptKey = std::array<uint8_t, 12>;
KeptKey kept_key(ParticipantId participant, uint64_t sequence);
bool read_kept_key(std::span<const uint8_t> bytes, ParticipantId& participant,
                   uint64_t& sequence);

// Reads a chunk's messages in order; ok() is false once the bytes do not decode.
class KeptChunkReader {
 public:
  explicit KeptChunkReader(std::span<const uint8_t> value);
  uint64_t count() const { return count_; }
  // The next message; false at the end of the chunk or on bad bytes.
  bool next(std::span<const uint8_t>& message);
  bool ok() const { return ok_; }

 private:
  VarintReader in_;
  uint64_t count_ = 0;
  uint64_t read_ = 0;
  bool ok_ = true;
};

TransferBytes encode(const Transfer& t);
bool decode(std::span<const uint8_t> bytes, Transfer& out);

// Always writes the current layout. Decodes it and the older one without failed_lots (data
// directories written before partial failures), where a failed trade had failed all its lots.
TradeBytes encode(const TradeRecord& t);
bool decode(std::span<const uint8_t> bytes, TradeRecord& out);

}  // namespace ghx::ledger::codec
