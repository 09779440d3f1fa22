#include "matching/client_ids.h"

#include <algorithm>
#include <bit>
#include <cstdlib>

#include "matching/assert.h"
#include "matching/flat_map.h"

namespace ghx::matching {
namespace {

// The smallest power of two that keeps the load factor at or below one half.
uint64_t table_slots(uint64_t entries_max) {
  uint64_t slots = 16;
  while (slots < entries_max * 2) slots *= 2;
  return slots;
}

template <typename T>
T* zeroed_array(uint64_t count) {
  // calloc of a large size maps fresh zero pages: nothing is touched until it is used.
  auto* memory = static_cast<T*>(std::calloc(count, sizeof(T)));
  GHX_ASSERT(memory != nullptr);
  return memory;
}

// A known id's share of digest(): summed, so the order ids arrive in does not matter. One
// mix of the id with its owner folded in (distinct for ids below 2^40).
uint64_t id_digest(uint32_t owner, uint64_t id) {
  return mix64(id ^ (uint64_t{owner} << 40) ^ (uint64_t{owner} >> 24));
}

uint64_t block_digest(uint32_t owner, uint64_t first_id, uint64_t bits) {
  uint64_t sum = 0;
  for (; bits != 0; bits &= bits - 1) {
    sum += id_digest(owner, first_id + static_cast<uint64_t>(std::countr_zero(bits)));
  }
  return sum;
}

uint64_t floor_digest(uint32_t participant, uint64_t floor) {
  return mix64(mix64(floor) ^ (uint64_t{participant} << 32) ^ 0x666c6f6f72ULL);  // "floor"
}

}  // namespace

ClientIds::ClientIds(uint32_t blocks_max, uint32_t live_max, uint32_t participants_max)
    : blocks_max_(blocks_max),
      used_(blocks_max),
      floors_(participants_max, 0),
      chunks_max_(live_max),
      free_chunks_(live_max) {
  GHX_ASSERT(blocks_max > 0 && live_max > 0 && participants_max > 0);
  const uint64_t block_slots = table_slots(blocks_max);
  GHX_ASSERT(block_slots <= uint64_t{1} << 32);  // add() returns a block's index in 32 bits
  blocks_ = zeroed_array<Block>(block_slots);
  blocks_mask_ = block_slots - 1;
  blocks_shift_ = 64 - static_cast<unsigned>(std::countr_zero(block_slots));
  kept_.reserve(std::min(blocks_max, live_max));  // each live block has a live order
  chunks_ = zeroed_array<Chunk>(live_max);
  // Chunks are handed out in order, so a growing book reaches a fresh page every 16 chunks,
  // and a first touch costs a page fault (~10 us on this VM: one order in a thousand paid it).
  // Fault in up front what a book of increasing ids needs: one chunk per 16 live orders
  // covers blocks down to a quarter live (16 MiB for a million-order pool).
  const uint64_t prefaulted_chunks = std::min<uint64_t>(live_max, live_max / 16 + 64);
  const uint64_t prefaulted_bytes = prefaulted_chunks * sizeof(Chunk);
  auto* bytes = reinterpret_cast<volatile unsigned char*>(chunks_);
  for (uint64_t offset = 0; offset < prefaulted_bytes; offset += 4096) bytes[offset] = 0;
}

ClientIds::~ClientIds() {
  std::free(blocks_);
  std::free(chunks_);
}

ClientIds::Block* ClientIds::find_block(uint32_t owner, uint64_t first_id) const {
  for (uint64_t i = block_index(owner, first_id);; i = (i + 1) & blocks_mask_) {
    Block& block = blocks_[i];
    if (block.owner == owner && block.first_id == first_id) {
      block_hint_ = i;
      return &block;
    }
    if (block.owner == 0) return nullptr;
  }
}

bool ClientIds::known(uint32_t participant, uint64_t id) const {
  if (participant < floors_.size() && floor_covers(floors_[participant], id)) return true;
  const Block* block = find_block(participant + 1, id - id % ids_per_block);
  return block != nullptr && (block->bits >> (id % ids_per_block) & 1) != 0;
}

uint32_t ClientIds::add(uint32_t participant, uint64_t id, uint32_t slot) {
  const uint32_t owner = participant + 1;
  const uint64_t first_id = id - id % ids_per_block;
  // A new order's id was just checked with known(): its block, if it has one, is the hint.
  uint64_t i = block_hint_;
  if (!(blocks_[i].owner == owner && blocks_[i].first_id == first_id)) {
    i = block_index(owner, first_id);
    while (blocks_[i].owner != 0 &&
           !(blocks_[i].owner == owner && blocks_[i].first_id == first_id)) {
      i = (i + 1) & blocks_mask_;
    }
  }
  Block& block = blocks_[i];
  if (block.owner == 0) {
    GHX_ASSERT(blocks_used_ < blocks_max_);
    block.owner = owner;
    block.first_id = first_id;
    ++blocks_used_;
    used_.push(i);
  }
  block_hint_ = i;
  GHX_ASSERT((block.bits >> (id % ids_per_block) & 1) == 0);
  block.bits |= uint64_t{1} << (id % ids_per_block);
  set_live(block, id, slot);
  return static_cast<uint32_t>(i);
}

uint32_t ClientIds::add_live(uint32_t participant, uint64_t id, uint32_t slot) {
  Block* block = find_block(participant + 1, id - id % ids_per_block);
  GHX_ASSERT(block != nullptr && (block->bits >> (id % ids_per_block) & 1) != 0);
  set_live(*block, id, slot);
  return static_cast<uint32_t>(block - blocks_);
}

void ClientIds::set_live(Block& block, uint64_t id, uint32_t slot) {
  const uint64_t bit = uint64_t{1} << (id % ids_per_block);
  GHX_ASSERT((block.live_bits & bit) == 0);
  if (block.live_bits == 0) {
    // Each chunk in use holds at least one of at most chunks_max_ live orders: never empty.
    if (!free_chunks_.empty()) {
      block.chunk = free_chunks_.pop();
    } else {
      GHX_ASSERT(chunks_touched_ < chunks_max_);
      block.chunk = chunks_touched_++;
    }
  }
  block.live_bits |= bit;
  chunks_[block.chunk].slots[id % ids_per_block] = slot;
}

uint64_t ClientIds::place(const Block& block) {
  GHX_ASSERT(blocks_used_ < blocks_max_);
  uint64_t i = block_index(block.owner, block.first_id);
  while (blocks_[i].owner != 0) i = (i + 1) & blocks_mask_;
  blocks_[i] = block;
  ++blocks_used_;
  used_.push(i);
  return i;
}

bool ClientIds::restore_block(uint32_t participant, uint64_t first_id, uint64_t bits) {
  const uint32_t owner = participant + 1;
  if (owner == 0 || first_id % ids_per_block != 0 || bits == 0) return false;
  if (blocks_used_ >= blocks_max_ || find_block(owner, first_id) != nullptr) return false;
  place(Block{first_id, bits, 0, owner, 0});
  return true;
}

bool ClientIds::restore_floor(uint32_t participant, uint64_t floor) {
  if (participant >= floors_.size() || floor == 0 || floors_[participant] != 0) return false;
  floors_[participant] = floor;
  return true;
}

bool ClientIds::forget_done_ids() {
  kept_.clear();
  for (const uint64_t index : used_) {
    if (blocks_[index].live_bits != 0) kept_.push_back(blocks_[index]);
  }
  if (kept_.size() == used_.size()) return false;
  for (const uint64_t index : used_) {
    const Block& block = blocks_[index];
    const uint64_t highest =
        block.first_id + 63 - static_cast<uint64_t>(std::countl_zero(block.bits));
    GHX_ASSERT(block.owner - 1 < floors_.size());
    uint64_t& floor = floors_[block.owner - 1];
    // Saturates: the floor of the highest id there is covers it too (floor_covers).
    floor = std::max(floor, highest == UINT64_MAX ? UINT64_MAX : highest + 1);
  }
  // Only the slots in use are cleared: the rest of the table was never touched.
  for (const uint64_t index : used_) blocks_[index] = Block{};
  used_.clear();
  blocks_used_ = 0;
  // A kept block's chunk and live ids stay as they were: only its place changes.
  for (const Block& block : kept_) place(block);
  block_hint_ = 0;
  return true;
}

uint64_t ClientIds::digest() const {
  uint64_t sum = 0;
  for (const uint64_t index : used_) {
    const Block& block = blocks_[index];
    sum += block_digest(block.owner, block.first_id, block.bits);
  }
  for (uint32_t participant = 0; participant < floors_.size(); ++participant) {
    if (floors_[participant] != 0) sum += floor_digest(participant, floors_[participant]);
  }
  return sum;
}

uint32_t ClientIds::live_slot(uint32_t participant, uint64_t id) const {
  const Block* block = find_block(participant + 1, id - id % ids_per_block);
  if (block == nullptr || (block->live_bits >> (id % ids_per_block) & 1) == 0) return UINT32_MAX;
  return chunks_[block->chunk].slots[id % ids_per_block];
}

}  // namespace ghx::matching
