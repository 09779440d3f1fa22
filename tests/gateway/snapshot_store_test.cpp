// Snapshot files: what is written is read back; a file that is short, foreign, renamed or
// damaged is reported as corrupt (and find_newest passes over it); only the newest K are kept.

#include "gateway/snapshot_store.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "tests/gateway/test_pki.h"

namespace ghx::gateway {
namespace {

std::vector<uint8_t> bytes_of(std::string_view text) {
  return std::vector<uint8_t>(text.begin(), text.end());
}

std::vector<uint8_t> payload_of(size_t size, uint8_t seed) {
  std::vector<uint8_t> payload(size);
  for (size_t i = 0; i < size; ++i) payload[i] = static_cast<uint8_t>(seed + i * 7);
  return payload;
}

std::vector<uint8_t> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void write_file(const std::filesystem::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

class SnapshotStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::fresh_temp_dir(std::string("store-") +
                                ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }

  SnapshotFile file(uint64_t sequence) const {
    return {sequence, dir_ / SnapshotStore::file_name(sequence)};
  }

  std::filesystem::path dir_;
};

TEST(Xxh64, MatchesTheReferenceImplementation) {
  // Values from libxxhash 0.8.1 (XXH64 with these inputs).
  EXPECT_EQ(xxh64({}), 0xef46db3751d8e999ULL);
  EXPECT_EQ(xxh64(bytes_of("a")), 0xd24ec4f1a98c6e5bULL);
  EXPECT_EQ(xxh64(bytes_of("abc")), 0x44bc2cf5ad770999ULL);
  EXPECT_EQ(xxh64(bytes_of("abc"), 7), 0x9e755206156676d7ULL);
  EXPECT_EQ(xxh64(bytes_of("0123456789abcdef0123456789abcdef0")), 0xe87684f08d6d0816ULL);
  std::vector<uint8_t> long_input;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 256; ++i) long_input.push_back(static_cast<uint8_t>(i));
  }
  for (char c : std::string("xyz")) long_input.push_back(static_cast<uint8_t>(c));
  EXPECT_EQ(xxh64(long_input), 0xe921a1b45bd779f8ULL);
}

TEST_F(SnapshotStoreTest, WhatIsWrittenIsReadBack) {
  SnapshotStore store(dir_ / "snapshots");  // created by the first write
  const auto payload = payload_of(100'003, 1);
  ASSERT_TRUE(store.write(42, payload).ok());
  const auto files = store.list();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].sequence, 42u);
  EXPECT_EQ(files[0].path.filename(), "snapshot-00000000000000000042.ghxs");
  std::vector<uint8_t> read;
  ASSERT_TRUE(store.read(files[0], read).ok());
  EXPECT_EQ(read, payload);
  EXPECT_EQ(std::filesystem::file_size(files[0].path), snapshot_header_bytes + payload.size());
}

TEST_F(SnapshotStoreTest, AnEmptyPayloadIsASnapshotToo) {
  SnapshotStore store(dir_);
  ASSERT_TRUE(store.write(7, {}).ok());
  std::vector<uint8_t> read{1, 2, 3};
  ASSERT_TRUE(store.read(file(7), read).ok());
  EXPECT_TRUE(read.empty());
}

TEST_F(SnapshotStoreTest, AMissingDirectoryHasNoSnapshots) {
  SnapshotStore store(dir_ / "nowhere");
  EXPECT_TRUE(store.list().empty());
  EXPECT_FALSE(store.find_newest(UINT64_MAX, [](auto, auto) { return std::string(); })
                   .sequence.has_value());
}

TEST_F(SnapshotStoreTest, ListsNewestFirstAndIgnoresOtherNames) {
  SnapshotStore store(dir_, 10);
  for (uint64_t sequence : {300, 100, 200}) ASSERT_TRUE(store.write(sequence, {}).ok());
  write_file(dir_ / "snapshot-123.ghxs", {});  // not 20 digits
  write_file(dir_ / "notes.txt", {});
  write_file(dir_ / "snapshot-0000000000000000050x.ghxs", {});
  const auto files = store.list();
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].sequence, 300u);
  EXPECT_EQ(files[1].sequence, 200u);
  EXPECT_EQ(files[2].sequence, 100u);
}

TEST_F(SnapshotStoreTest, AFlippedPayloadByteIsAChecksumMismatch) {
  SnapshotStore store(dir_);
  ASSERT_TRUE(store.write(5, payload_of(1000, 3)).ok());
  auto bytes = read_file(file(5).path);
  bytes[snapshot_header_bytes + 500] ^= 0x01;
  write_file(file(5).path, bytes);
  std::vector<uint8_t> read;
  EXPECT_EQ(store.read(file(5), read).status, SnapshotStatus::checksum_mismatch);
  EXPECT_TRUE(read.empty());
}

TEST_F(SnapshotStoreTest, AFlippedChecksumByteIsAChecksumMismatch) {
  SnapshotStore store(dir_);
  ASSERT_TRUE(store.write(5, payload_of(10, 3)).ok());
  auto bytes = read_file(file(5).path);
  bytes[24] ^= 0x80;
  write_file(file(5).path, bytes);
  std::vector<uint8_t> read;
  EXPECT_EQ(store.read(file(5), read).status, SnapshotStatus::checksum_mismatch);
}

TEST_F(SnapshotStoreTest, AForeignFileHasABadMagic) {
  SnapshotStore store(dir_);
  ASSERT_TRUE(store.write(5, payload_of(100, 3)).ok());
  auto bytes = read_file(file(5).path);
  bytes[7] = '2';  // "GHXSNAP2"
  write_file(file(5).path, bytes);
  std::vector<uint8_t> read;
  EXPECT_EQ(store.read(file(5), read).status, SnapshotStatus::bad_magic);
}

TEST_F(SnapshotStoreTest, ATruncatedFileIsReportedAsTruncated) {
  SnapshotStore store(dir_);
  ASSERT_TRUE(store.write(5, payload_of(100, 3)).ok());
  const auto bytes = read_file(file(5).path);
  std::vector<uint8_t> read;
  for (size_t size : {size_t{0}, size_t{10}, snapshot_header_bytes - 1, snapshot_header_bytes,
                      bytes.size() - 1}) {
    write_file(file(5).path, std::vector<uint8_t>(bytes.begin(), bytes.begin() + size));
    EXPECT_EQ(store.read(file(5), read).status, SnapshotStatus::truncated) << size;
  }
}

TEST_F(SnapshotStoreTest, BytesBeyondThePayloadAreReported) {
  SnapshotStore store(dir_);
  ASSERT_TRUE(store.write(5, payload_of(100, 3)).ok());
  auto bytes = read_file(file(5).path);
  bytes.push_back(0);
  write_file(file(5).path, bytes);
  std::vector<uint8_t> read;
  EXPECT_EQ(store.read(file(5), read).status, SnapshotStatus::length_mismatch);
}

TEST_F(SnapshotStoreTest, ARenamedFileDisagreesWithItsHeader) {
  SnapshotStore store(dir_);
  ASSERT_TRUE(store.write(5, payload_of(100, 3)).ok());
  std::filesystem::rename(file(5).path, file(6).path);
  std::vector<uint8_t> read;
  EXPECT_EQ(store.read(file(6), read).status, SnapshotStatus::sequence_mismatch);
}

TEST_F(SnapshotStoreTest, KeepsOnlyTheNewestK) {
  SnapshotStore store(dir_, 3);
  for (uint64_t sequence = 1; sequence <= 6; ++sequence) {
    ASSERT_TRUE(store.write(sequence * 50, payload_of(10, 1)).ok());
  }
  const auto files = store.list();
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].sequence, 300u);
  EXPECT_EQ(files[2].sequence, 200u);
}

// Snapshots beyond the ledger's last commit are not counted among the K kept: were a crash to
// come before their commit they would be of no use, and the K usable ones must survive it.
TEST_F(SnapshotStoreTest, KeepsTheNewestKTheLedgerHasCommittedAndAllBeyond) {
  SnapshotStore store(dir_, 2);
  for (uint64_t sequence = 1; sequence <= 6; ++sequence) {
    ASSERT_TRUE(store.write(sequence * 50, payload_of(10, 1), 150).ok());
  }
  std::vector<uint64_t> kept;
  for (const SnapshotFile& listed : store.list()) kept.push_back(listed.sequence);
  EXPECT_EQ(kept, (std::vector<uint64_t>{300, 250, 200, 150, 100}));
  ASSERT_TRUE(store.write(350, payload_of(10, 1), 350).ok());  // the commits caught up
  kept.clear();
  for (const SnapshotFile& listed : store.list()) kept.push_back(listed.sequence);
  EXPECT_EQ(kept, (std::vector<uint64_t>{350, 300}));
}

TEST_F(SnapshotStoreTest, AWriteReplacesASnapshotOfTheSameSequenceAndRemovesStaleTempFiles) {
  SnapshotStore store(dir_);
  write_file(dir_ / "snapshot-00000000000000000009.ghxs.tmp", {1, 2, 3});  // a crash's leftover
  ASSERT_TRUE(store.write(10, payload_of(10, 1)).ok());
  ASSERT_TRUE(store.write(10, payload_of(20, 2)).ok());
  std::vector<uint8_t> read;
  ASSERT_TRUE(store.read(file(10), read).ok());
  EXPECT_EQ(read, payload_of(20, 2));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "snapshot-00000000000000000009.ghxs.tmp"));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_), {}), 1);
}

TEST_F(SnapshotStoreTest, FindNewestPassesOverNewerCorruptAndRefusedOnes) {
  SnapshotStore store(dir_, 10);
  for (uint64_t sequence : {100, 200, 300, 400, 500}) {
    ASSERT_TRUE(store.write(sequence, payload_of(64, static_cast<uint8_t>(sequence))).ok());
  }
  auto bytes = read_file(file(400).path);
  bytes[snapshot_header_bytes] ^= 0xff;
  write_file(file(400).path, bytes);
  std::vector<uint64_t> offered;
  const SnapshotSearch search = store.find_newest(450, [&](uint64_t sequence, auto payload) {
    offered.push_back(sequence);
    EXPECT_EQ(std::vector<uint8_t>(payload.begin(), payload.end()),
              payload_of(64, static_cast<uint8_t>(sequence)));
    return sequence == 300 ? std::string("not today") : std::string();
  });
  ASSERT_TRUE(search.sequence.has_value());
  EXPECT_EQ(*search.sequence, 200u);
  EXPECT_EQ(offered, (std::vector<uint64_t>{300, 200}));
  ASSERT_EQ(search.skipped.size(), 3u);
  EXPECT_EQ(search.skipped[0].file.sequence, 500u);
  EXPECT_NE(search.skipped[0].reason.find("beyond"), std::string::npos);
  EXPECT_EQ(search.skipped[1].file.sequence, 400u);
  EXPECT_NE(search.skipped[1].reason.find("checksum mismatch"), std::string::npos);
  EXPECT_EQ(search.skipped[2].reason, "not today");
}

TEST_F(SnapshotStoreTest, RemoveAboveDeletesOnlyNewerSnapshots) {
  SnapshotStore store(dir_, 10);
  for (uint64_t sequence : {100, 200, 300}) ASSERT_TRUE(store.write(sequence, {}).ok());
  EXPECT_EQ(store.remove_above(200), 1u);
  EXPECT_EQ(store.list().size(), 2u);
  EXPECT_EQ(store.list()[0].sequence, 200u);
}

}  // namespace
}  // namespace ghx::gateway
