#pragma once
// The matching engine: one price-time-priority book per product, pre-trade risk, and product
// lifecycle, driven by sequenced commands.
//
// Caveats, in the manner of lmdb.h:
// - Single writer: call every member from one thread. Nothing here locks, logs or does I/O.
// - Deterministic: the engine reads no clock. Time is the timestamp of the latest command
//   (never moves backwards). The same commands always give the same events and state_hash().
// - Memory is allocated in the constructor (sized by EngineLimits); process() does not allocate
//   once warm (the event buffer and the level arrays keep the capacity they grew to).
// - Expected outcomes (rejects, cancels) are events, not exceptions. A broken invariant aborts.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "matching/assert.h"
#include "matching/command.h"
#include "matching/event.h"
#include "matching/product.h"
#include "matching/types.h"

namespace ghx::matching {

struct EngineState;  // private: matching/engine_state.h

struct EngineLimits {
  uint32_t orders_max = 1 << 20;          // live (resting) orders at once
  uint32_t client_ids_max = 1 << 22;      // blocks of 64 client ids; when full, done ones go
  // Products are never removed (trades and the ledger name them for ever): ghxd's calendar
  // lists about 200 a day, so 2^20 last about 14 years. A delivered product keeps its spec
  // and state (160 bytes) and gives back its book's memory; the table is reserved, not touched.
  uint32_t products_max = 1 << 20;
  uint32_t participants_max = 1 << 16;    // participant ids are 0 .. participants_max - 1
  uint32_t price_levels_max = 1 << 18;    // distinct (product, side, price) levels at once
  // (participant, product) pairs with capacity; a product's go when it is delivered
  uint32_t capacity_accounts_max = 1 << 18;
  int64_t price_max = 100'000'000;        // minor units per GPU-hour
  int64_t quantity_max_lots = 1'000'000;
  int64_t amount_max = int64_t{1} << 60;  // a single deposit, withdrawal or registration
  uint32_t block_windows_max = 31;        // windows of one block order (a month of days)
};

struct EngineConfig {
  EngineLimits limits;
  int64_t fee_bps = 10;                    // charged to buyer and seller on notional, floored
  int64_t market_collar_bps = 500;         // market orders trade within 5 % of the best price
  int64_t gate_closure_lead_ns = gate_closure_lead_default_ns;
  // A seller that fails to deliver pays the buyer this share of the notional, capped at the
  // seller's available cash. The ledger applies the same rule (ledger::Options::penalty_bps).
  int64_t failure_penalty_bps = 1000;
};

// What order_status and tests can see of one live order.
struct OrderView {
  OrderId order_id;
  ClientOrderId client_order_id;
  ParticipantId participant;
  ProductId product;
  Side side = Side::buy;
  Price price;
  Quantity remaining;
};

struct LevelView {
  Price price;
  Quantity quantity;
  uint32_t orders = 0;
};

struct AccountView {
  Cash available;
  Cash held;
  bool suspended = false;  // the operator's kill switch: no new orders until reinstated
};

struct CapacityView {
  Quantity available;
  Quantity held;
  Cash proceeds;  // owed to the seller at delivery end
  bool operator==(const CapacityView&) const = default;
};

class Engine {
 public:
  explicit Engine(const EngineConfig& config = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Applies one command and appends its events to `events` (which the caller owns and clears).
  // Commands must arrive in sequence order; time is max(previous time, command.timestamp).
  // Before the command itself runs, everything due by its timestamp happens: good-till-time
  // orders expire, products whose gate-closure or delivery-end time has come change state, and
  // call auctions whose scheduled time has come uncross.
  void process(const Command& command, std::vector<Event>& events);

  // Hints, for a caller that holds the commands after the current one (a sequencer draining
  // its queue): start loading the memory a command will touch. A command's lookups are chains
  // of dependent loads (its client id's block, then the live id's slot, then the order), so a
  // command takes one step of the chain per command run before it: `blocks` three commands
  // ahead, `slots` two ahead, `orders` for the next one. Each step reads only what the step
  // before loaded, and gives up where state changed in between.
  // Changes nothing; calling them or not, in any order, gives the same events.
  enum class PrefetchStep { blocks, slots, orders };
  void prefetch(const Command& command, PrefetchStep step) const {
    // While the live orders and their slots fit in the core's own cache, the later steps find
    // everything there already: they would only cost instructions.
    if (step == PrefetchStep::blocks || book_outgrows_cache_) prefetch_step(command, step);
  }

  // Snapshots: the whole state as bytes (versioned; not checksummed: the caller stores it).
  // load() is for a fresh engine (no command processed yet) with the same limits; it returns
  // false, leaving the engine unusable, when the bytes are not a whole valid snapshot.
  // After load(), state_hash() equals the saved engine's and processing carries on exactly
  // as it would have.
  void save(std::vector<uint8_t>& out) const;
  [[nodiscard]] bool load(std::span<const uint8_t> bytes);

  // A 64-bit hash of the whole state (books, orders, accounts, capacity, products, client ids,
  // counters). Equal states give equal hashes, whatever the order of internal storage.
  uint64_t state_hash() const;

  // Read-only views for reports, tests and market data snapshots. Not for the hot path.
  uint32_t product_count() const;
  const ProductSpec& product_spec(ProductId product) const;
  ProductState product_state(ProductId product) const;
  // In the call phase: when the engine uncrosses by itself; 0 when the operator does (and in
  // any other state).
  Timestamp scheduled_uncross(ProductId product) const;
  // In the call phase: the price the book would uncross at now and the lots that would trade
  // there (an uncross's first pass; self-trade prevention may change it). Nothing when the
  // book does not cross, or in any other state. Prices the whole book: not for the hot path.
  struct IndicativeUncross {
    Price price;
    Quantity quantity;
  };
  std::optional<IndicativeUncross> indicative_uncross(ProductId product) const;
  // Levels best first, at most `depth_max` of them.
  std::vector<LevelView> levels(ProductId product, Side side, uint32_t depth_max) const;
  // Orders of one level in time priority.
  std::vector<OrderView> orders_at(ProductId product, Side side, Price price) const;
  AccountView account(ParticipantId participant) const;
  CapacityView capacity(ParticipantId participant, ProductId product) const;
  // The participant's capacity of every product not yet delivered, by product id. Walks the
  // products not yet delivered (their lists of sellers), not the capacity table or every
  // product ever listed: some microseconds per thousand open products.
  std::vector<std::pair<ProductId, CapacityView>> capacities(ParticipantId participant) const;
  uint32_t live_order_count() const;
  Timestamp now() const;
  const EngineConfig& config() const;

 private:
  void prefetch_step(const Command& command, PrefetchStep step) const;
  void note_book_size();  // sets book_outgrows_cache_

  std::unique_ptr<EngineState> state_;
  bool book_outgrows_cache_ = false;
};

// The money arithmetic of every order and fill, inline: the engine works out a bid's hold on
// entry, on cancel and twice per fill.

// price x lots x lot_size x hours into `value`; false when the product passes 2^63. Limits
// keep each factor small (price <= 1e8, lots <= 2^31, lot size <= 1024, hours <= 168), but
// their product can pass it: overflow checks, cheaper than 128-bit products.
inline bool notional_fits(const ProductSpec& spec, Price price, Quantity quantity,
                          int64_t& value) {
  return !__builtin_mul_overflow(price.value, quantity.value, &value) &&
         !__builtin_mul_overflow(value, spec.lot_size_gpus, &value) &&
         !__builtin_mul_overflow(value, spec.hours(), &value);
}

// price x lots x lot_size x hours, of an order the engine accepted (so it fits)
inline Cash notional(const ProductSpec& spec, Price price, Quantity quantity) {
  int64_t value = 0;
  const bool fits = notional_fits(spec, price, quantity, value);
  GHX_ASSERT(fits && value >= 0);
  return Cash{value};
}

// floor(notional x fee_bps / 10000)
inline Cash fee_on(Cash traded, int64_t fee_bps) {
  // Floored, so that the fee on a whole order is never less than the fees of its parts: the
  // cash held for a bid always covers every fill of it.
  constexpr int64_t exact_in_64_bits = INT64_MAX / 10'000;  // fee_bps <= 10'000
  if (traded.value <= exact_in_64_bits) {
    const int64_t scaled = traded.value * fee_bps;
    // Unsigned when it can be (always, in the engine): GCC divides an unsigned value by a
    // constant with a multiply, where the signed form here became a ~40-cycle idiv.
    if (scaled >= 0) return Cash{static_cast<int64_t>(static_cast<uint64_t>(scaled) / 10'000u)};
    return Cash{scaled / 10'000};
  }
  __extension__ using Int128 = __int128;  // GCC and Clang: exact products of int64 values
  return Cash{static_cast<int64_t>(static_cast<Int128>(traded.value) * fee_bps / 10'000)};
}

// Cash held for a bid of `quantity` lots at `price`: notional plus the buyer's fee on it.
inline Cash bid_hold(const ProductSpec& spec, Price price, Quantity quantity, int64_t fee_bps) {
  const Cash traded = notional(spec, price, quantity);
  return Cash{traded.value + fee_on(traded, fee_bps).value};
}
// What a seller that failed to deliver owes the buyer before the cap at its cash:
// floor(notional x penalty_bps / 10000), exact for any notional (the ledger's formula).
Cash failure_penalty(Cash notional, int64_t penalty_bps);
// The seller's fee of a trade of `lots` lots still due once `failed_lots` of them have failed:
// floor(fee x open lots / lots) (the ledger's formula). A failure takes the difference.
Cash seller_fee_left(Cash fee, int64_t lots, int64_t failed_lots);

}  // namespace ghx::matching
