// Messages kept per participant for resends: written with the batch, read back in order from
// any point, dropped from the oldest end, and still there after the ledger is reopened.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ledger_fixture.h"

namespace ghx::ledger::testing {
namespace {

std::vector<uint8_t> bytes_of(const std::string& text) { return {text.begin(), text.end()}; }

struct Kept {
  uint64_t sequence;
  std::string text;
  bool operator==(const Kept&) const = default;
};

std::vector<Kept> kept_after(const Ledger& ledger, ParticipantId p, uint64_t after) {
  std::vector<Kept> out;
  const Result r = ledger.snapshot().for_each_kept_message(p, after, [&](uint64_t seq, auto b) {
    out.push_back({seq, std::string(b.begin(), b.end())});
    return true;
  });
  EXPECT_EQ(r, Result::ok);
  return out;
}

std::vector<std::pair<uint32_t, uint64_t>> last_kept(const Ledger& ledger) {
  std::vector<std::pair<uint32_t, uint64_t>> out;
  EXPECT_EQ(ledger.snapshot().for_each_last_kept([&](ParticipantId p, uint64_t seq) {
    out.emplace_back(p.value, seq);
    return true;
  }),
            Result::ok);
  return out;
}

// Interleaved messages of three participants over two batches, the second with a journal entry.
void keep_some(Ledger& ledger) {
  Batch first;
  for (uint64_t seq = 1; seq <= 3; ++seq) {
    first.keep_message(buyer_a, seq, bytes_of("a" + std::to_string(seq)));
    first.keep_message(seller_x, seq, bytes_of("x" + std::to_string(seq)));
  }
  ASSERT_EQ(ledger.commit(first), Result::ok);
  Batch second;
  const std::vector<uint8_t> command{1, 2, 3};
  ASSERT_EQ(second.journal(SequenceNumber{1}, command), Result::ok);
  second.keep_message(buyer_a, 4, bytes_of("a4"));
  second.keep_message(buyer_b, 1, bytes_of("b1"));
  ASSERT_EQ(ledger.commit(second), Result::ok);
}

TEST(LedgerKeptMessages, ReadBackInOrderPerParticipantFromAnyPoint) {
  TempDir dir;
  Ledger ledger(dir.path().string());
  keep_some(ledger);
  EXPECT_EQ(kept_after(ledger, buyer_a, 0),
            (std::vector<Kept>{{1, "a1"}, {2, "a2"}, {3, "a3"}, {4, "a4"}}));
  EXPECT_EQ(kept_after(ledger, buyer_a, 2), (std::vector<Kept>{{3, "a3"}, {4, "a4"}}));
  EXPECT_TRUE(kept_after(ledger, buyer_a, 4).empty());
  EXPECT_EQ(kept_after(ledger, buyer_b, 0), (std::vector<Kept>{{1, "b1"}}));
  EXPECT_EQ(kept_after(ledger, seller_x, 1), (std::vector<Kept>{{2, "x2"}, {3, "x3"}}));
  EXPECT_TRUE(kept_after(ledger, seller_y, 0).empty());
  // Newest first, by participant from the highest id down.
  EXPECT_EQ(last_kept(ledger),
            (std::vector<std::pair<uint32_t, uint64_t>>{{seller_x.value, 3},
                                                        {buyer_b.value, 1},
                                                        {buyer_a.value, 4}}));
}

// Messages are stored in chunks (a participant's run of numbers in one batch) and dropped a
// whole chunk at a time: a chunk with any message newer than the limit stays.
TEST(LedgerKeptMessages, DroppingRemovesOnlyTheParticipantsOldestOnes) {
  TempDir dir;
  Ledger ledger(dir.path().string());
  keep_some(ledger);
  Batch partly;
  partly.drop_kept_through(buyer_a, 2);  // a1-a3 share a chunk: all stay
  partly.drop_kept_through(buyer_b, 0);  // nothing that old
  ASSERT_EQ(ledger.commit(partly), Result::ok);
  EXPECT_EQ(kept_after(ledger, buyer_a, 0).size(), 4u);
  Batch drop;
  drop.drop_kept_through(buyer_a, 3);
  ASSERT_EQ(ledger.commit(drop), Result::ok);
  EXPECT_EQ(kept_after(ledger, buyer_a, 0), (std::vector<Kept>{{4, "a4"}}));
  EXPECT_EQ(kept_after(ledger, buyer_b, 0), (std::vector<Kept>{{1, "b1"}}));
  EXPECT_EQ(kept_after(ledger, seller_x, 0).size(), 3u);
  Batch all;
  all.drop_kept_through(seller_x, 100);
  ASSERT_EQ(ledger.commit(all), Result::ok);
  EXPECT_TRUE(kept_after(ledger, seller_x, 0).empty());
  EXPECT_EQ(kept_after(ledger, buyer_b, 0).size(), 1u);
}

// Many messages in one batch: chunks of kept_chunk_messages_max, read from any point.
TEST(LedgerKeptMessages, LongRunsSplitIntoChunksAndReadFromAnyPoint) {
  TempDir dir;
  Ledger ledger(dir.path().string());
  constexpr uint64_t count = 2500;
  Batch batch;
  for (uint64_t seq = 1; seq <= count; ++seq) {
    batch.keep_message(buyer_a, seq, bytes_of(std::to_string(seq)));
    if (seq % 7 == 0) batch.keep_message(buyer_b, seq / 7, bytes_of("b"));
  }
  ASSERT_EQ(ledger.commit(batch), Result::ok);
  for (const uint64_t after : {uint64_t{0}, uint64_t{1}, uint64_t{1023}, uint64_t{1024},
                               uint64_t{1025}, uint64_t{2047}, uint64_t{2499}}) {
    const std::vector<Kept> got = kept_after(ledger, buyer_a, after);
    ASSERT_EQ(got.size(), count - after) << "after " << after;
    EXPECT_EQ(got.front(), (Kept{after + 1, std::to_string(after + 1)}));
    EXPECT_EQ(got.back(), (Kept{count, std::to_string(count)}));
  }
  EXPECT_TRUE(kept_after(ledger, buyer_a, count).empty());
  EXPECT_EQ(kept_after(ledger, buyer_b, 100).size(), count / 7 - 100);
  EXPECT_EQ(last_kept(ledger), (std::vector<std::pair<uint32_t, uint64_t>>{
                                   {buyer_b.value, count / 7}, {buyer_a.value, count}}));
}

TEST(LedgerKeptMessages, SurviveReopenAndAreSkippedWithAnAlreadyAppliedBatch) {
  TempDir dir;
  {
    Ledger ledger(dir.path().string());
    keep_some(ledger);
  }
  Ledger reopened(dir.path().string());
  EXPECT_EQ(kept_after(reopened, buyer_a, 3), (std::vector<Kept>{{4, "a4"}}));
  // A replayed batch (journal sequence 1 again) writes none of its messages.
  Batch replayed;
  const std::vector<uint8_t> command{1, 2, 3};
  ASSERT_EQ(replayed.journal(SequenceNumber{1}, command), Result::ok);
  replayed.keep_message(buyer_a, 5, bytes_of("a5"));
  EXPECT_EQ(reopened.commit(replayed), Result::already_applied);
  EXPECT_EQ(kept_after(reopened, buyer_a, 3), (std::vector<Kept>{{4, "a4"}}));
  // Read-only opens see them too.
  Ledger read_only(dir.path().string(), Options{.read_only = true});
  EXPECT_EQ(kept_after(read_only, buyer_b, 0), (std::vector<Kept>{{1, "b1"}}));
}

}  // namespace
}  // namespace ghx::ledger::testing
