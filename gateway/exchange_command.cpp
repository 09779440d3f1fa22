#include "gateway/exchange_command.h"

#include <string_view>

#include "ledger/varint_codec.h"

namespace ghx::gateway {
namespace {

// A typical order journals in about 45 bytes.
using Writer = ledger::VarintWriter;
using Reader = ledger::VarintReader;
using ledger::read_enum;

bool read_name(Reader& in, matching::ShortName& name) {
  std::string text;
  if (!in.text(text, name.chars.size() - 1)) return false;
  name = matching::ShortName::from(text);
  return true;
}

void write_order_fields(Writer& w, const matching::Command& c) {
  w.varint(c.client_order_id.value);
  w.varint(c.orig_client_order_id.value);
  w.u8(static_cast<uint8_t>(c.side));
  w.u8(static_cast<uint8_t>(c.order_type));
  w.u8(static_cast<uint8_t>(c.time_in_force));
  w.u8(static_cast<uint8_t>(c.self_trade));
  w.u8(c.post_only);
  w.zigzag(c.price.value);
  w.zigzag(c.quantity.value);
  w.zigzag(c.min_quantity.value);
  w.zigzag(c.expire_time.ns);
}

bool read_order_fields(Reader& r, matching::Command& c) {
  return r.varint(c.client_order_id.value) && r.varint(c.orig_client_order_id.value) &&
         read_enum(r, c.side, 1) && read_enum(r, c.order_type, 1) &&
         read_enum(r, c.time_in_force, 3) && read_enum(r, c.self_trade, 2) &&
         r.flag(c.post_only) && r.zigzag(c.price.value) && r.zigzag(c.quantity.value) &&
         r.zigzag(c.min_quantity.value) && r.zigzag(c.expire_time.ns);
}

void write_spec(Writer& w, const matching::ProductSpec& spec) {
  w.text(spec.gpu.view());
  w.text(spec.zone.view());
  w.zigzag(spec.start_hour);
  w.u8(static_cast<uint8_t>(spec.length));
  w.zigzag(spec.lot_size_gpus);
  w.zigzag(spec.tick_size);
}

bool read_spec(Reader& r, matching::ProductSpec& spec) {
  return read_name(r, spec.gpu) && read_name(r, spec.zone) && r.zigzag(spec.start_hour) &&
         read_enum(r, spec.length, 3) && r.zigzag(spec.lot_size_gpus) &&
         r.zigzag(spec.tick_size);
}

// The last command type an entry of `version` may name: halts came with version 5,
// suspensions with version 6, call auctions with version 7 and block orders with version 8, so
// an older entry naming one is damaged.
matching::CommandType command_type_max(uint8_t version) {
  if (version >= 8) return matching::CommandType::new_block_order;
  if (version == 7) return matching::CommandType::uncross_auction;
  if (version == 6) return matching::CommandType::reinstate_participant;
  if (version == 5) return matching::CommandType::resume_product;
  return matching::CommandType::fail_trade;
}

}  // namespace

void encode(const ExchangeCommand& command, std::vector<uint8_t>& out) {
  out.clear();
  Writer w(out);
  const matching::Command& c = command.engine;
  w.u8(exchange_command_version);
  w.u8(static_cast<uint8_t>(command.kind));
  w.u8(static_cast<uint8_t>(c.type));
  w.varint(c.sequence.value);
  w.zigzag(c.timestamp.ns);
  w.varint(c.participant.value);
  w.varint(c.product.value);
  w.u8(c.has_product);
  write_order_fields(w, c);
  w.zigzag(c.amount.value);
  w.zigzag(c.capacity.value);
  write_spec(w, c.spec);
  w.u8(command.roles);
  w.text(command.name);
  w.varint(c.trade_id.value);
  w.varint(c.counterparty.value);
  w.zigzag(c.fee.value);
  w.u8(c.cancel_orders);
  w.u8(c.windows);
  w.varint(command.issuer);
}

uint64_t request_digest(const ExchangeCommand& command) {
  // A fixed list of what an operator's request can ask, not the journal encoding: a new
  // encoding version must not make the retry of a request sent before an upgrade look like
  // another request (the operator would then be told to send it anew, and it would be done
  // twice). FNV-1a over each field's 8 bytes: a few requests a day.
  const matching::Command& asked = command.engine;
  uint64_t digest = 0xcbf29ce484222325ULL;
  const auto mix = [&](uint64_t field) {
    for (int shift = 0; shift < 64; shift += 8) {
      digest = (digest ^ ((field >> shift) & 0xff)) * 0x100000001b3ULL;
    }
  };
  mix(static_cast<uint64_t>(command.kind));
  mix(static_cast<uint64_t>(asked.type));
  // A new participant's id is the exchange's to give, not the request's.
  mix(command.kind == ExchangeCommandKind::add_participant ? 0 : asked.participant.value);
  mix(asked.product.value);
  mix(asked.cancel_orders);
  mix(static_cast<uint64_t>(asked.quantity.value));
  mix(static_cast<uint64_t>(asked.expire_time.ns));
  mix(static_cast<uint64_t>(asked.amount.value));
  mix(static_cast<uint64_t>(asked.capacity.value));
  mix(asked.trade_id.value);
  mix(asked.counterparty.value);
  mix(static_cast<uint64_t>(asked.fee.value));
  mix(command.roles);
  mix(command.name.size());
  for (const char c : command.name) mix(static_cast<uint8_t>(c));
  return digest == 0 ? 1 : digest;
}

bool decode(std::span<const uint8_t> bytes, ExchangeCommand& out) {
  Reader r(bytes);
  out = ExchangeCommand{};
  matching::Command& c = out.engine;
  uint8_t version = 0;
  if (!r.u8(version) || version < 2 || version > exchange_command_version) return false;
  const matching::CommandType type_max = command_type_max(version);
  const bool common =
      read_enum(r, out.kind, 5) && out.kind != ExchangeCommandKind{0} &&
      read_enum(r, c.type, static_cast<uint8_t>(type_max)) && r.varint(c.sequence.value) &&
      r.zigzag(c.timestamp.ns) && r.u32(c.participant.value) && r.u32(c.product.value) &&
      r.flag(c.has_product) && read_order_fields(r, c) && r.zigzag(c.amount.value) &&
      r.zigzag(c.capacity.value) && read_spec(r, c.spec) && r.u8(out.roles) &&
      r.text(out.name, participant_name_bytes_max) && r.varint(c.trade_id.value);
  if (!common) return false;
  // A listing that opens with a call auction (an uncross time) came with version 7 too.
  if (version < 7 && c.type == matching::CommandType::list_product && c.expire_time.ns != 0) {
    return false;
  }
  if (version == 2) return c.type != matching::CommandType::fail_trade && r.done();
  if (!r.u32(c.counterparty.value) || !r.zigzag(c.fee.value)) return false;
  if (version >= 5 && !r.flag(c.cancel_orders)) return false;
  if (version >= 8 && !r.u8(c.windows)) return false;
  if (version >= 9 && !r.u32(out.issuer)) return false;
  if (!r.done()) return false;
  if (version == 3 && c.type == matching::CommandType::fail_trade) {
    // It failed the whole trade, lots unknown: replayed as a trade of one lot failing, which
    // refunds the same notional and takes the same fee, and leaves no lot open for the ledger.
    if (c.quantity.value != 0 || c.capacity.value != 0) return false;
    c.quantity = matching::Quantity{1};
    c.capacity = matching::Quantity{1};
  }
  return true;
}

}  // namespace ghx::gateway
