#include "gateway/exchange_command.h"

#include <cstring>

namespace ghx::gateway {
namespace {

class Writer {
 public:
  explicit Writer(std::vector<uint8_t>& out) : out_(out) {}
  void u8(uint8_t value) { out_.push_back(value); }
  void u64(uint64_t value) {
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<uint8_t>(value >> (8 * i)));
  }
  void i64(int64_t value) { u64(static_cast<uint64_t>(value)); }
  void bytes(const void* data, size_t size) {
    const auto* begin = static_cast<const uint8_t*>(data);
    out_.insert(out_.end(), begin, begin + size);
  }

 private:
  std::vector<uint8_t>& out_;
};

class Reader {
 public:
  explicit Reader(std::span<const uint8_t> in) : in_(in) {}
  bool u8(uint8_t& value) {
    if (in_.size() < 1) return fail();
    value = in_[0];
    in_ = in_.subspan(1);
    return true;
  }
  bool u64(uint64_t& value) {
    if (in_.size() < 8) return fail();
    value = 0;
    for (int i = 0; i < 8; ++i) value |= uint64_t{in_[i]} << (8 * i);
    in_ = in_.subspan(8);
    return true;
  }
  bool i64(int64_t& value) {
    uint64_t raw = 0;
    if (!u64(raw)) return false;
    value = static_cast<int64_t>(raw);
    return true;
  }
  bool bytes(void* data, size_t size) {
    if (in_.size() < size) return fail();
    std::memcpy(data, in_.data(), size);
    in_ = in_.subspan(size);
    return true;
  }
  bool done() const { return ok_ && in_.empty(); }

 private:
  bool fail() { return ok_ = false; }
  std::span<const uint8_t> in_;
  bool ok_ = true;
};

// Enum fields travel as one byte each and are range-checked on the way in.
template <typename Enum>
bool read_enum(Reader& in, Enum& value, uint8_t max) {
  uint8_t raw = 0;
  if (!in.u8(raw) || raw > max) return false;
  value = static_cast<Enum>(raw);
  return true;
}

}  // namespace

void encode(const ExchangeCommand& command, std::vector<uint8_t>& out) {
  out.clear();
  Writer w(out);
  const matching::Command& c = command.engine;
  w.u8(exchange_command_version);
  w.u8(static_cast<uint8_t>(command.kind));
  w.u8(static_cast<uint8_t>(c.type));
  w.u64(c.sequence.value);
  w.i64(c.timestamp.ns);
  w.u64(c.participant.value);
  w.u64(c.product.value);
  w.u8(c.has_product);
  w.u64(c.client_order_id.value);
  w.u64(c.orig_client_order_id.value);
  w.u8(static_cast<uint8_t>(c.side));
  w.u8(static_cast<uint8_t>(c.order_type));
  w.u8(static_cast<uint8_t>(c.time_in_force));
  w.u8(static_cast<uint8_t>(c.self_trade));
  w.u8(c.post_only);
  w.i64(c.price.value);
  w.i64(c.quantity.value);
  w.i64(c.min_quantity.value);
  w.i64(c.expire_time.ns);
  w.i64(c.amount.value);
  w.i64(c.capacity.value);
  w.bytes(c.spec.gpu.chars.data(), c.spec.gpu.chars.size());
  w.bytes(c.spec.zone.chars.data(), c.spec.zone.chars.size());
  w.i64(c.spec.start_hour);
  w.u8(static_cast<uint8_t>(c.spec.length));
  w.i64(c.spec.lot_size_gpus);
  w.i64(c.spec.tick_size);
  w.u8(command.roles);
  w.u8(static_cast<uint8_t>(command.name.size()));
  w.bytes(command.name.data(), command.name.size());
  w.u64(command.trade_id);
}

bool decode(std::span<const uint8_t> bytes, ExchangeCommand& out) {
  Reader r(bytes);
  out = ExchangeCommand{};
  matching::Command& c = out.engine;
  uint8_t version = 0, flag = 0, name_size = 0;
  uint64_t participant = 0, product = 0;
  bool ok = r.u8(version) && version == exchange_command_version &&
            read_enum(r, out.kind, 3) && out.kind != ExchangeCommandKind{0} &&
            read_enum(r, c.type, static_cast<uint8_t>(matching::CommandType::tick)) &&
            r.u64(c.sequence.value) && r.i64(c.timestamp.ns) && r.u64(participant) &&
            r.u64(product) && r.u8(flag) && participant <= UINT32_MAX && product <= UINT32_MAX;
  c.participant.value = static_cast<uint32_t>(participant);
  c.product.value = static_cast<uint32_t>(product);
  c.has_product = flag != 0;
  ok = ok && r.u64(c.client_order_id.value) && r.u64(c.orig_client_order_id.value) &&
       read_enum(r, c.side, 1) && read_enum(r, c.order_type, 1) &&
       read_enum(r, c.time_in_force, 3) && read_enum(r, c.self_trade, 2) && r.u8(flag);
  c.post_only = flag != 0;
  ok = ok && r.i64(c.price.value) && r.i64(c.quantity.value) && r.i64(c.min_quantity.value) &&
       r.i64(c.expire_time.ns) && r.i64(c.amount.value) && r.i64(c.capacity.value) &&
       r.bytes(c.spec.gpu.chars.data(), c.spec.gpu.chars.size()) &&
       r.bytes(c.spec.zone.chars.data(), c.spec.zone.chars.size()) &&
       r.i64(c.spec.start_hour) && read_enum(r, c.spec.length, 3) &&
       r.i64(c.spec.lot_size_gpus) && r.i64(c.spec.tick_size) && r.u8(out.roles) &&
       r.u8(name_size) && name_size <= participant_name_bytes_max;
  if (!ok) return false;
  out.name.resize(name_size);
  return r.bytes(out.name.data(), name_size) && r.u64(out.trade_id) && r.done();
}

}  // namespace ghx::gateway
