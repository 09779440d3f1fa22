// The varint codec that journal entries, kept execution reports and the ledger's chunks of
// them share: what it writes reads back, and bytes it did not write are refused, not misread.

#include "ledger/varint_codec.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ledger/codec.h"

namespace ghx::ledger {
namespace {

TEST(VarintCodec, WhatIsWrittenReadsBackAndEachValueTakesItsSize) {
  const std::vector<uint64_t> values = {0, 1, 127, 128, 16'383, 16'384, UINT32_MAX, UINT64_MAX};
  std::vector<uint8_t> bytes;
  VarintWriter out(bytes);
  size_t expected_size = 0;
  for (const uint64_t value : values) {
    out.varint(value);
    expected_size += varint_size(value);
  }
  out.zigzag(-1);
  out.zigzag(INT64_MIN);
  out.text("H100SXM");
  EXPECT_EQ(bytes.size(), expected_size + 1 + varint_size_max + 1 + 7);
  EXPECT_EQ(varint_size(127), 1u);
  EXPECT_EQ(varint_size(128), 2u);
  EXPECT_EQ(varint_size(UINT64_MAX), varint_size_max);

  VarintReader in(bytes);
  for (const uint64_t value : values) {
    uint64_t read = 0;
    ASSERT_TRUE(in.varint(read));
    EXPECT_EQ(read, value);
  }
  int64_t signed_value = 0;
  ASSERT_TRUE(in.zigzag(signed_value));
  EXPECT_EQ(signed_value, -1);
  ASSERT_TRUE(in.zigzag(signed_value));
  EXPECT_EQ(signed_value, INT64_MIN);
  std::string text;
  ASSERT_TRUE(in.text(text, 16));
  EXPECT_EQ(text, "H100SXM");
  EXPECT_TRUE(in.done());
}

TEST(VarintCodec, TruncatedOverlongAndOutOfRangeInputIsRefused) {
  uint64_t value = 0;
  const std::vector<uint8_t> truncated = {0x80, 0x80};  // continuation bits, then nothing
  EXPECT_FALSE(VarintReader(truncated).varint(value));
  const std::vector<uint8_t> eleven_bytes(11, 0x80);  // no uint64_t takes more than ten
  EXPECT_FALSE(VarintReader(eleven_bytes).varint(value));

  std::vector<uint8_t> bytes;
  VarintWriter out(bytes);
  out.varint(uint64_t{UINT32_MAX} + 1);
  uint32_t narrow = 0;
  EXPECT_FALSE(VarintReader(bytes).u32(narrow));

  bytes.clear();
  out.text("too long for its field");
  std::string text;
  EXPECT_FALSE(VarintReader(bytes).text(text, 8));
  bytes.pop_back();  // the length says one byte more than there is
  EXPECT_FALSE(VarintReader(bytes).text(text, 64));

  const std::vector<uint8_t> flag_two = {2};
  bool flag = false;
  EXPECT_FALSE(VarintReader(flag_two).flag(flag));
  enum class Colour : uint8_t { red, green };
  Colour colour = Colour::red;
  const std::vector<uint8_t> enum_two = {2};
  VarintReader enums(enum_two);
  EXPECT_FALSE(read_enum(enums, colour, 1));
}

// A chunk of kept messages: count, then each message as length and bytes.
std::vector<uint8_t> chunk(const std::vector<std::string>& messages) {
  std::vector<uint8_t> bytes;
  VarintWriter out(bytes);
  out.varint(messages.size());
  for (const std::string& message : messages) out.text(message);
  return bytes;
}

std::vector<std::string> read_all(codec::KeptChunkReader& reader) {
  std::vector<std::string> messages;
  std::span<const uint8_t> message;
  while (reader.next(message)) messages.emplace_back(message.begin(), message.end());
  return messages;
}

TEST(KeptChunkReader, ReadsEveryMessageAndRefusesABadChunk) {
  const std::vector<std::string> messages = {"first", "", std::string(300, 'x')};
  std::vector<uint8_t> bytes = chunk(messages);
  codec::KeptChunkReader whole(bytes);
  EXPECT_EQ(whole.count(), 3u);
  EXPECT_EQ(read_all(whole), messages);
  EXPECT_TRUE(whole.ok());

  bytes.push_back(0);  // a byte after the last message
  codec::KeptChunkReader trailing(bytes);
  EXPECT_EQ(read_all(trailing), messages);
  EXPECT_FALSE(trailing.ok());

  bytes.resize(bytes.size() - 10);  // the last message cut short
  codec::KeptChunkReader cut(bytes);
  EXPECT_EQ(read_all(cut).size(), 2u);
  EXPECT_FALSE(cut.ok());

  const std::vector<uint8_t> empty_chunk = chunk({});  // a chunk holds at least one message
  codec::KeptChunkReader empty(empty_chunk);
  EXPECT_FALSE(empty.ok());
  EXPECT_TRUE(read_all(empty).empty());
}

}  // namespace
}  // namespace ghx::ledger
