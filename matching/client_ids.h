#pragma once
// Client order ids: which ids each participant has used (for ever: a repeated id is a
// duplicate), and which of them name a live order (for cancel, replace and status).
//
// One hash of 64-id blocks. A block holds a presence bitmap of the ids used, a bitmap of the
// ids that name a live order, and, while any does, a chunk of 64 pool slots for them. A
// participant's consecutive ids share one block and one chunk, so the common case (increasing
// ids) touches the same few hot cache lines order after order, however deep the book: a table
// keyed by each live id instead costs a random access (a cache and TLB miss) per new order
// once a million orders rest. Scattered ids cost one block each (and one 256-byte chunk while
// live). There are as many chunks as live orders can ever need, so a live id always finds one.
//
// The table holds `blocks_max` blocks. When they are all taken, forget_done_ids() frees every
// block that names no live order, and from then on each participant's ids up to the highest it
// had used count as known through a per-participant floor: a participant that uses increasing
// ids (as it should) sees no difference, and a resend of any id it used is still a duplicate.
// Only live blocks stay, so the table refills after another `blocks_max` blocks of ids; the
// engine rejects with client_ids_full only if live orders alone fill it.
// Memory is reserved up front and zero-filled lazily by the kernel: pages cost only once used.

#include <bit>
#include <cstdint>
#include <vector>

#include "matching/assert.h"
#include "matching/fixed_stack.h"
#include "matching/prefetch.h"

namespace ghx::matching {

class ClientIds {
 public:
  ClientIds(uint32_t blocks_max, uint32_t live_max, uint32_t participants_max);
  ~ClientIds();
  ClientIds(const ClientIds&) = delete;
  ClientIds& operator=(const ClientIds&) = delete;

  bool known(uint32_t participant, uint64_t id) const;
  // True when a new id might need a block the table cannot give.
  bool full() const { return blocks_used_ >= blocks_max_; }
  // Frees every block without live ids and raises each participant's floor above the highest
  // id it has used (see above). Takes time in proportion to the blocks in use: a few tens of
  // milliseconds for a full default table, once per some 268 million ids. False when every
  // block names a live order (nothing could be freed).
  bool forget_done_ids();
  // Remembers a new id (not known() yet) of a live order at `slot`. Requires !full().
  // Returns where the id's block is: the order keeps it, so that retiring it needs no search
  // (a fill retires makers whose blocks are nowhere near the cache). Blocks stay where they are
  // until forget_done_ids(), after which for_each_live() tells each live id's new place.
  uint32_t add(uint32_t participant, uint64_t id, uint32_t slot);
  // The pool slot of the live order with this id, or UINT32_MAX.
  uint32_t live_slot(uint32_t participant, uint64_t id) const;
  // The order whose id lives in `block` (as add() or add_live() returned) left the book: its
  // id stays known. Inline: every order that leaves pays it, and it is a few instructions.
  void retire(uint32_t block_index, uint64_t id) {
    Block& block = blocks_[block_index];
    const uint64_t bit = uint64_t{1} << (id % ids_per_block);
    GHX_ASSERT(block.first_id == id - id % ids_per_block && (block.live_bits & bit) != 0);
    block.live_bits &= ~bit;
    if (block.live_bits == 0) free_chunks_.push(block.chunk);
  }

  // Snapshots: every known block (participant, first id of the block, presence bits) and every
  // floor above zero, and ways to put them back. Live ids are restored with add_live, from the
  // restored orders.
  template <typename Visit>
  void for_each_block(Visit&& visit) const {
    for (const uint64_t index : used_) {
      const Block& block = blocks_[index];
      visit(block.owner - 1, block.first_id, block.bits);
    }
  }
  template <typename Visit>
  void for_each_floor(Visit&& visit) const {
    for (uint32_t participant = 0; participant < floors_.size(); ++participant) {
      if (floors_[participant] != 0) visit(participant, floors_[participant]);
    }
  }
  // False when the block is malformed (first id not a multiple of 64, no bits) or no room.
  bool restore_block(uint32_t participant, uint64_t first_id, uint64_t bits);
  // False for a participant out of range, a zero floor or one already set.
  bool restore_floor(uint32_t participant, uint64_t floor);
  // Marks a known id as naming the live order at `slot`; returns its block, as add() does.
  uint32_t add_live(uint32_t participant, uint64_t id, uint32_t slot);
  // Every live id: visit(pool slot, block). After forget_done_ids() has moved the blocks.
  template <typename Visit>
  void for_each_live(Visit&& visit) const {
    for (const uint64_t index : used_) {
      const Block& block = blocks_[index];
      for (uint64_t bits = block.live_bits; bits != 0; bits &= bits - 1) {
        visit(chunks_[block.chunk].slots[std::countr_zero(bits)], static_cast<uint32_t>(index));
      }
    }
  }

  // Prefetch steps (Engine::prefetch): start loading the block of (participant, id), which
  // known(), add() and live_slot() read first; then, once the block is in cache, the
  // line of its chunk that holds the id's slot. peek_live_slot() is live_slot() for a block at
  // its home position only (no probing, no hint change): UINT32_MAX where it is not.
  void prefetch_block(uint32_t participant, uint64_t id) const {
    prefetch_line(&blocks_[block_index(participant + 1, id - id % ids_per_block)]);
  }
  void prefetch_slot(uint32_t participant, uint64_t id) const {
    const Block* block = home_block(participant + 1, id - id % ids_per_block);
    // A block without live ids has no chunk yet: add() takes the most recently freed one.
    if (block == nullptr || block->live_bits == 0) {
      if (!free_chunks_.empty()) prefetch_line<PrefetchFor::write>(&chunks_[free_chunks_.back()]);
      return;
    }
    prefetch_line(&chunks_[block->chunk].slots[id % ids_per_block]);
  }
  uint32_t peek_live_slot(uint32_t participant, uint64_t id) const {
    const Block* block = home_block(participant + 1, id - id % ids_per_block);
    if (block == nullptr || (block->live_bits >> (id % ids_per_block) & 1) == 0) return UINT32_MAX;
    return chunks_[block->chunk].slots[id % ids_per_block];
  }

  // An order-independent digest of every known id and floor, for the state hash. Worked out
  // from the blocks in use (not the whole table, mostly untouched and best left so) when asked:
  // 0.45 s for a full default table (268 M ids), where keeping it up to date cost every new
  // order a mix of its id (1.8 % of the engine's instructions in `normal`).
  uint64_t digest() const;
  uint32_t blocks_used() const { return blocks_used_; }

 private:
  // 32 bytes: two blocks to a cache line.
  struct Block {
    uint64_t first_id;   // a multiple of 64
    uint64_t bits;       // bit i: first_id + i is known
    uint64_t live_bits;  // bit i: first_id + i names a live order, whose slot is in the chunk
    uint32_t owner;      // participant + 1; 0 = empty slot
    uint32_t chunk;      // index into chunks_ while live_bits != 0
  };
  static_assert(sizeof(Block) == 32);
  struct Chunk {
    uint32_t slots[64];  // slots[i]: the pool slot of first_id + i, if that id is live
  };

  static constexpr uint64_t ids_per_block = 64;

  // Neighbouring blocks of one participant get neighbouring slots (groups of 64 blocks of 64
  // ids), so increasing ids walk through memory instead of jumping: a random access costs some
  // 200 ns on this class of machine, and touches a fresh page on the first visit.
  // Fibonacci hashing (the top bits of key x 2^64/phi): one multiply where a full mixer takes
  // five dependent steps on every lookup, and consecutive keys come out evenly spread.
  uint64_t block_index(uint32_t owner, uint64_t first_id) const {
    const uint64_t block = first_id / ids_per_block;
    const uint64_t key = (block >> 6) ^ (uint64_t{owner} << 44) ^ (uint64_t{owner} >> 20);
    const uint64_t group = (key * 0x9e3779b97f4a7c15ULL) >> blocks_shift_;
    return ((group & ~uint64_t{63}) | (block & 63)) & blocks_mask_;
  }
  Block* find_block(uint32_t owner, uint64_t first_id) const;  // nullptr if none
  // The block at its home position (where a lookup starts), or nullptr if another is there.
  const Block* home_block(uint32_t owner, uint64_t first_id) const {
    const Block& block = blocks_[block_index(owner, first_id)];
    return block.owner == owner && block.first_id == first_id ? &block : nullptr;
  }
  void set_live(Block& block, uint64_t id, uint32_t slot);
  // Every id below the floor counts as known; a floor of UINT64_MAX, every id: it is where the
  // floor of a participant that used id UINT64_MAX stops (highest + 1 would wrap to no floor).
  static bool floor_covers(uint64_t floor, uint64_t id) {
    return id < floor || floor == UINT64_MAX;
  }
  // Puts a block in the table (not present, room left) and remembers its index.
  uint64_t place(const Block& block);

  Block* blocks_ = nullptr;
  uint64_t blocks_mask_ = 0;
  unsigned blocks_shift_ = 0;  // 64 - log2(block slots)
  uint32_t blocks_max_ = 0;
  uint32_t blocks_used_ = 0;
  // Where the latest successful search ended: add() checks it against the key first, which
  // saves the second hash and probe of known() then add() for the same block. Searches do not
  // start from it: their callers' blocks (a cancel's, a replace's) are seldom the last one.
  mutable uint64_t block_hint_ = 0;
  FixedStack<uint64_t> used_;  // indices of the blocks in use (at most blocks_max_)
  std::vector<uint64_t> floors_;  // per participant: every id below it counts as known
  std::vector<Block> kept_;  // forget_done_ids: the live blocks, reserved for all of them
  Chunk* chunks_ = nullptr;
  uint32_t chunks_max_ = 0;        // one per live order at most
  uint32_t chunks_touched_ = 0;    // chunks [0, chunks_touched_) have been handed out before
  FixedStack<uint32_t> free_chunks_;  // LIFO: a chunk just freed is still in cache
};

}  // namespace ghx::matching
