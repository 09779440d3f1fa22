#pragma once
// Batch: the operations the single ledger thread collects for one group commit.
//
// Fill it, pass it to Ledger::commit, read the per-operation results, then clear() it and reuse
// it. Storage is reserved at construction, so filling a batch up to its reserve does not
// allocate. Past it the batch grows rather than refuse: a command's journal entry and all its
// operations must commit in one transaction, and one command can need any number of them (a
// mass cancel of a hundred thousand orders releases a hundred thousand holds). clear() gives
// back what grew. The caller keeps batches near their reserve by committing when size() gets
// there; only a byte arena past 4 GiB (offsets are 32-bit) returns Result::batch_full.
//
// Journal entries set the sequence number of the operations that follow them (the command that
// caused them); fills carry their own.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/ledger_assert.h"
#include "ledger/result.h"
#include "ledger/types.h"

namespace ghx::ledger {

enum class OpKind : uint8_t {
  journal, upsert_participant, list_product, deposit, withdraw, hold_cash, release_cash,
  register_capacity, hold_capacity, release_capacity, settle_fill, deliver,
  fail_trade, fail_seller,
};

// One recorded operation. Variable-length data (names, symbols, command bytes) lives in the
// batch's byte arena at [bytes_offset, bytes_offset + bytes_size).
struct Op {
  OpKind kind = OpKind::journal;
  uint8_t roles = 0;
  bool required = false;  // refused: the whole batch is (see Batch::require_from)
  ParticipantId participant;
  ProductId product;
  uint32_t bytes_offset = 0;
  uint32_t bytes_size = 0;
  int64_t amount = 0;  // cash or lots, by kind (fail_trade: the lots failed now)
  Timestamp at;
  SequenceNumber sequence;  // journal entries only
  TradeId trade;            // fail_trade only
  Lots lots_open_after;     // fail_trade only
  int64_t lot_size_gpus = 0;
  int64_t hours = 0;
  Timestamp delivery_start;
  Timestamp delivery_end;
  Fill fill;
};

class Batch {
 public:
  static constexpr size_t default_ops_reserved = 16 * 1024;
  static constexpr size_t default_bytes_reserved = 4 * 1024 * 1024;

  explicit Batch(size_t ops_reserved = default_ops_reserved,
                 size_t bytes_reserved = default_bytes_reserved);

  // Command journal: sequences must be consecutive inside a batch.
  [[nodiscard]] Result journal(SequenceNumber sequence, std::span<const uint8_t> command_bytes);
  [[nodiscard]] Result upsert_participant(ParticipantId id, std::string_view name, uint8_t roles);
  [[nodiscard]] Result list_product(ProductId id, std::string_view symbol, int64_t lot_size_gpus,
                                    int64_t hours, Timestamp delivery_start,
                                    Timestamp delivery_end);
  // Against the external account.
  [[nodiscard]] Result deposit(ParticipantId p, Cash amount, Timestamp at);
  [[nodiscard]] Result withdraw(ParticipantId p, Cash amount, Timestamp at);
  // available <-> held.
  [[nodiscard]] Result hold_cash(ParticipantId p, Cash amount, Timestamp at);
  [[nodiscard]] Result release_cash(ParticipantId p, Cash amount, Timestamp at);
  // external -> the seller's available capacity of the product.
  [[nodiscard]] Result register_capacity(ParticipantId p, ProductId product, Lots lots,
                                         Timestamp at);
  [[nodiscard]] Result hold_capacity(ParticipantId p, ProductId product, Lots lots, Timestamp at);
  [[nodiscard]] Result release_capacity(ParticipantId p, ProductId product, Lots lots,
                                        Timestamp at);
  [[nodiscard]] Result settle_fill(const Fill& fill);
  // Releases escrow to the sellers of every open trade of the product (for its open lots:
  // their notional less the seller fee left, see ledger/trade_amounts.h); needs at >= window
  // end.
  [[nodiscard]] Result deliver(ProductId product, Timestamp at);
  // The seller of `trade` failed to deliver `lots` of its lots; the engine says
  // `lots_open_after` stay open. For the failed lots the buyer gets their notional back from
  // escrow, the seller pays the buyer a penalty of Options::penalty_bps of that refund (capped
  // at the seller's available cash) and the buyer's received capacity goes back. The trade
  // closes as failed once all its lots have; until then delivery pays for the rest.
  // lots_open_after 0 fails every lot still open, whatever `lots` says (journals from before
  // partial failures always failed whole trades). Results when committed: unknown_trade;
  // trade_not_open; invalid_argument (nothing written) unless lots_open_after is 0, or lots > 0,
  // lots_open_after > 0 and lots + lots_open_after equal the trade's open lots.
  [[nodiscard]] Result delivery_failure(TradeId trade, Lots lots, Lots lots_open_after,
                                        Timestamp at);
  // Fails every open lot of every open trade of `seller` in `product`; not_found if none.
  [[nodiscard]] Result delivery_failure(ProductId product, ParticipantId seller, Timestamp at);

  // Messages kept for a resend (the exchange's execution reports), opaque to the ledger: one
  // stream per participant, numbered from 1 by the caller, written in the same transaction as
  // the operations. These have no reserve of their own (their storage grows to the largest
  // batch seen); drop_kept_through removes a participant's oldest ones (in whole
  // chunks, see codec.h: a few older ones may stay).
  void keep_message(ParticipantId p, uint64_t message_sequence, std::span<const uint8_t> bytes);
  void drop_kept_through(ParticipantId p, uint64_t message_sequence);
  // An operator's request id, sequenced as `sequence`, whether it was done (or refused), what
  // it was (the caller's code for its kind) and a digest of what it asked (the caller's; not
  // 0): written in the same transaction, so the request is known (Snapshot::find_request)
  // exactly when its command is durable.
  void record_request(ParticipantId issuer, uint64_t request_id, SequenceNumber sequence, bool done,
                      uint8_t what, uint64_t digest);

  // Operations [first, size()) must not be refused: if one is, Ledger::commit writes nothing and
  // returns required_operation_refused. For what the engine already decided (its holds,
  // fills, deliveries): the ledger refusing one means the two disagree, and committing the
  // rest would acknowledge a command the ledger did not follow. Others (a participant's
  // registration, say) may be refused, the refusal being their answer.
  void require_from(size_t first);
  // The first required operation refused by the last commit, if any.
  std::optional<size_t> first_refused_required() const;

  void clear();
  size_t size() const { return ops_.size(); }
  bool empty() const { return ops_.empty(); }
  // Outcome of operation i of the last commit (Result::ok until committed).
  Result result(size_t i) const {
    GHX_LEDGER_ASSERT(i < results_.size());
    return results_[i];
  }
  std::span<const Op> ops() const { return ops_; }
  std::span<const uint8_t> bytes(const Op& op) const {
    return {bytes_.data() + op.bytes_offset, op.bytes_size};
  }
  // Journal sequences in the batch: first and last (zero when there are none).
  SequenceNumber first_sequence() const { return first_sequence_; }
  SequenceNumber last_sequence() const { return last_sequence_; }
  bool sequences_contiguous() const { return contiguous_; }

 private:
  struct KeptMessage {
    ParticipantId participant;
    uint64_t sequence = 0;
    uint32_t offset = 0;
    uint32_t size = 0;
  };
  friend class Ledger;
  friend class BatchWriter;
  Result push(const Op& op, std::span<const uint8_t> data);
  Result push_amount(OpKind kind, ParticipantId p, ProductId product, int64_t amount,
                     Timestamp at);

  void reserve();

  size_t ops_reserved_;
  size_t bytes_reserved_;
  std::vector<Op> ops_;
  std::vector<Result> results_;
  std::vector<uint8_t> bytes_;
  SequenceNumber first_sequence_;
  SequenceNumber last_sequence_;
  bool contiguous_ = true;
  std::vector<KeptMessage> kept_;
  std::vector<uint8_t> kept_bytes_;
  std::vector<std::pair<ParticipantId, uint64_t>> dropped_;  // participant, through sequence
  struct RecordedRequest {
    ParticipantId issuer;
    uint64_t request_id = 0;
    SequenceNumber sequence;
    bool done = false;
    uint8_t what = 0;
    uint64_t digest = 0;
  };
  std::vector<RecordedRequest> requests_;
};

}  // namespace ghx::ledger
