#pragma once
// Varint byte codecs for what the exchange stores (journal entries, kept execution reports and
// the ledger's chunks of them): integers are LEB128 varints (signed ones zigzag-encoded first),
// so the many zero and small fields cost a byte each. Readers return false on truncated or
// out-of-range input. In ledger/, the lowest module that stores bytes, so that the gateway's
// codecs and the ledger's own share one.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ghx::ledger {

constexpr size_t varint_size_max = 10;  // bytes of a uint64_t

inline size_t varint_size(uint64_t value) {
  size_t size = 1;
  for (; value >= 0x80; value >>= 7) ++size;
  return size;
}

// Writes `value` at `out` (room for varint_size(value) bytes); returns the end of what it wrote.
inline uint8_t* put_varint(uint8_t* out, uint64_t value) {
  for (; value >= 0x80; value >>= 7) *out++ = static_cast<uint8_t>(value | 0x80);
  *out++ = static_cast<uint8_t>(value);
  return out;
}

class VarintWriter {
 public:
  explicit VarintWriter(std::vector<uint8_t>& out) : out_(out) {}
  void u8(uint8_t value) { out_.push_back(value); }
  void varint(uint64_t value) {
    uint8_t bytes[varint_size_max];  // encoded here, then appended once: one capacity check
    out_.insert(out_.end(), bytes, put_varint(bytes, value));
  }
  void zigzag(int64_t value) {
    varint((static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63));
  }
  void text(std::string_view value) {
    varint(value.size());
    out_.insert(out_.end(), value.begin(), value.end());
  }

 private:
  std::vector<uint8_t>& out_;
};

class VarintReader {
 public:
  explicit VarintReader(std::span<const uint8_t> in) : in_(in) {}
  bool u8(uint8_t& value) {
    if (in_.empty()) return false;
    value = in_[0];
    in_ = in_.subspan(1);
    return true;
  }
  bool varint(uint64_t& value) {
    value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t byte = 0;
      if (!u8(byte)) return false;
      value |= uint64_t{byte & 0x7fu} << shift;
      if ((byte & 0x80) == 0) return true;
    }
    return false;  // more than ten bytes: not ours
  }
  bool zigzag(int64_t& value) {
    uint64_t raw = 0;
    if (!varint(raw)) return false;
    value = static_cast<int64_t>(raw >> 1) ^ -static_cast<int64_t>(raw & 1);
    return true;
  }
  bool u32(uint32_t& value) {
    uint64_t raw = 0;
    if (!varint(raw) || raw > UINT32_MAX) return false;
    value = static_cast<uint32_t>(raw);
    return true;
  }
  bool flag(bool& value) {
    uint8_t raw = 0;
    if (!u8(raw) || raw > 1) return false;
    value = raw == 1;
    return true;
  }
  // Length-prefixed bytes, viewed where they are.
  bool bytes(std::span<const uint8_t>& value) {
    uint64_t size = 0;
    if (!varint(size) || size > in_.size()) return false;
    value = in_.first(size);
    in_ = in_.subspan(size);
    return true;
  }
  bool text(std::string& value, size_t size_max) {
    std::span<const uint8_t> raw;
    if (!bytes(raw) || raw.size() > size_max) return false;
    value.assign(reinterpret_cast<const char*>(raw.data()), raw.size());
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::span<const uint8_t> in_;
};

// Enum fields travel as one byte each and are range-checked on the way in.
template <typename Enum>
bool read_enum(VarintReader& in, Enum& value, uint8_t max) {
  uint8_t raw = 0;
  if (!in.u8(raw) || raw > max) return false;
  value = static_cast<Enum>(raw);
  return true;
}

}  // namespace ghx::ledger
