#pragma once
// Strong types and records of the ledger.
//
// The ledger keeps its own small types (it may not include matching/): each is a one-field
// struct so that a price cannot be passed where a quantity is expected. Money is integer minor
// units of the exchange currency; capacity is whole lots of a product.

#include <compare>
#include <cstdint>
#include <string>

namespace ghx::ledger {

struct ParticipantId {
  uint32_t value = 0;
  auto operator<=>(const ParticipantId&) const = default;
};
struct ProductId {
  uint32_t value = 0;
  auto operator<=>(const ProductId&) const = default;
};
struct TradeId {
  uint64_t value = 0;
  auto operator<=>(const TradeId&) const = default;
};
struct OrderId {
  uint64_t value = 0;
  auto operator<=>(const OrderId&) const = default;
};
// Position of a command in the sequencer's single ordered stream, starting at 1.
struct SequenceNumber {
  uint64_t value = 0;
  auto operator<=>(const SequenceNumber&) const = default;
};
// Nanoseconds since the Unix epoch, UTC, as set by the sequencer.
struct Timestamp {
  int64_t ns = 0;
  auto operator<=>(const Timestamp&) const = default;
};
// Price per GPU-hour in minor units of the exchange currency.
struct Price {
  int64_t value = 0;
  auto operator<=>(const Price&) const = default;
};
// An amount of cash in minor units of the exchange currency.
struct Cash {
  int64_t value = 0;
  auto operator<=>(const Cash&) const = default;
};
// Capacity in lots (one lot = the product's lot_size_gpus GPUs for the whole window).
struct Lots {
  int64_t value = 0;
  auto operator<=>(const Lots&) const = default;
};

// Role bits of a participant; a participant may hold several.
enum RoleBits : uint8_t { role_buyer = 1, role_seller = 2, role_operator = 4 };

// What is counted: cash, or capacity of one product (capacity is not fungible across products).
enum class AssetKind : uint8_t { cash = 0, capacity = 1 };
struct Asset {
  AssetKind kind = AssetKind::cash;
  ProductId product;  // zero for cash
  static constexpr Asset cash() { return {}; }
  static constexpr Asset capacity(ProductId p) { return {AssetKind::capacity, p}; }
  auto operator<=>(const Asset&) const = default;
};

// external: the outside world (deposits, withdrawals, registered and consumed capacity); its
// balance is minus everything inside. fee: the exchange's fee income. The others belong to a
// participant: cash uses available/held/escrow, capacity uses available/held/received.
enum class AccountKind : uint8_t { external = 0, fee = 1, available = 2, held = 3, escrow = 4,
                                   received = 5 };

struct AccountKey {
  Asset asset;
  ParticipantId owner;  // zero for the external and fee accounts
  AccountKind kind = AccountKind::external;
  auto operator<=>(const AccountKey&) const = default;
  bool is_participant() const { return kind != AccountKind::external && kind != AccountKind::fee; }
};

enum class TransferKind : uint8_t {
  deposit = 1, withdrawal, hold, release, register_capacity,
  fill_payment,    // buyer held cash -> buyer escrow (notional)
  fill_fee,        // buyer held cash -> fee account (buyer fee)
  fill_refund,     // buyer held cash -> buyer available (hold not needed for this fill)
  fill_capacity,   // seller held capacity -> buyer received capacity
  delivery_payment,   // buyer escrow -> seller available (notional - seller fee)
  delivery_fee,       // buyer escrow -> fee account (seller fee)
  delivery_consumed,  // buyer received capacity -> external (the GPU-hours were used)
  failure_refund,     // buyer escrow -> buyer available
  failure_penalty,    // seller available -> buyer available
  failure_capacity,   // buyer received capacity -> external (never delivered)
};

// One movement of one asset: `amount` leaves `debit` and arrives in `credit`.
struct Transfer {
  uint64_t id = 0;  // 1, 2, 3, ... in commit order
  SequenceNumber sequence;
  Timestamp timestamp;
  TradeId trade_id;  // zero when no trade caused it
  int64_t amount = 0;  // minor units for cash, lots for capacity; always > 0
  AccountKey debit;
  AccountKey credit;
  TransferKind kind = TransferKind::deposit;
};

// A fill as reported by the engine. Field order follows the engine's event so that designated
// initialisers read naturally.
struct Fill {
  TradeId trade_id;
  SequenceNumber sequence;
  Timestamp timestamp_ns;
  ProductId product;
  ParticipantId buyer;
  ParticipantId seller;
  OrderId buyer_order_id;
  OrderId seller_order_id;
  Price price;
  Lots lots;
  Cash notional;  // price x lots x lot_size_gpus x hours
  Cash buyer_fee;
  Cash seller_fee;
  Cash buyer_hold_released;  // held cash released for this fill; >= notional + buyer_fee
};

enum class TradeState : uint8_t { open = 0, delivered = 1, failed = 2 };

struct TradeRecord {
  Fill fill;
  TradeState state = TradeState::open;
  Timestamp closed_at;  // when delivered or failed
  // Lots the seller failed to deliver, 0..fill.lots: a trade fails lot by lot, possibly in
  // several steps, and is `failed` once every lot has (see ledger/trade_amounts.h).
  Lots failed_lots;
};

struct ParticipantRecord {
  ParticipantId id;
  uint8_t roles = 0;
  std::string name;
};

struct ProductRecord {
  ProductId id;
  std::string symbol;
  int64_t lot_size_gpus = 0;
  int64_t hours = 0;
  Timestamp delivery_start;
  Timestamp delivery_end;
};

const char* to_string(AccountKind kind);
const char* to_string(TransferKind kind);
const char* to_string(TradeState state);

}  // namespace ghx::ledger
