#include "gateway/framing.h"

#include <gtest/gtest.h>

#include <random>

#include "gateway/translate.h"
#include "gateway/validate.h"
#include "gateway/wire_build.h"
#include "gateway/wire_requests.h"

namespace ghx::gateway {
namespace {

using wire::ErrorCode;

constexpr uint32_t random_frames_count = 2000;

Frame valid_order() {
  return make_new_order({.client_order_id = 7,
                         .symbol = "H100SXM.CN-EAST-1.2026-12-01T08.1H",
                         .side = wire::Side::Sell,
                         .price = 1850,
                         .quantity = 4});
}

Decoded decode(const Frame& frame, Direction direction = Direction::to_server) {
  return decode_frame(frame, FrameLimits{}, direction);
}

void write_prefix(Frame& frame, uint32_t value) {
  for (int i = 0; i < 4; ++i) frame[i] = static_cast<uint8_t>(value >> (8 * i));
}

TEST(Framing, ValidOrderDecodes) {
  const Frame frame = valid_order();
  const Decoded decoded = decode(frame);
  ASSERT_TRUE(decoded.check.ok()) << decoded.check.detail;
  const auto* order = decoded.message->body_as_NewOrder();
  ASSERT_NE(order, nullptr);
  EXPECT_EQ(order->client_order_id(), 7u);
  EXPECT_EQ(order->side(), wire::Side::Sell);
  EXPECT_EQ(order->price(), 1850);
  EXPECT_EQ(order->symbol()->string_view(), "H100SXM.CN-EAST-1.2026-12-01T08.1H");
}

TEST(Framing, PrefixIsLittleEndianBodyLength) {
  const Frame frame = make_heartbeat();
  const uint8_t prefix[4] = {frame[0], frame[1], frame[2], frame[3]};
  EXPECT_EQ(read_length_prefix(prefix), frame.size() - frame_prefix_bytes);
  const uint8_t bytes[4] = {0x01, 0x02, 0x03, 0x04};
  EXPECT_EQ(read_length_prefix(bytes), 0x04030201u);
}

TEST(Framing, StampWritesSequenceAndTime) {
  Frame frame = make_heartbeat();
  ASSERT_TRUE(stamp_frame(frame, 42, 123456789));
  const Decoded decoded = decode(frame);
  ASSERT_TRUE(decoded.check.ok());
  EXPECT_EQ(decoded.message->sequence(), 42u);
  EXPECT_EQ(decoded.message->sending_time_ns(), 123456789);
}

TEST(Framing, OversizedPrefixIsTooLarge) {
  EXPECT_EQ(check_length(frame_bytes_max_default + 1, {}).code, ErrorCode::FrameTooLarge);
  EXPECT_EQ(check_length(0xFFFFFFFFu, {}).code, ErrorCode::FrameTooLarge);
  EXPECT_TRUE(check_length(frame_bytes_max_default, {}).ok());
  EXPECT_EQ(check_length(64, FrameLimits{.frame_bytes_max = 63}).code, ErrorCode::FrameTooLarge);
}

TEST(Framing, TinyPrefixIsMalformed) {
  EXPECT_EQ(check_length(0, {}).code, ErrorCode::MalformedFrame);
  EXPECT_EQ(check_length(frame_body_bytes_min - 1, {}).code, ErrorCode::MalformedFrame);
}

TEST(Framing, FrameAboveConfiguredLimitIsRefused) {
  const Frame frame = valid_order();
  const FrameLimits small{.frame_bytes_max = static_cast<uint32_t>(frame.size() - 5)};
  EXPECT_EQ(decode_frame(frame, small, Direction::to_server).check.code, ErrorCode::FrameTooLarge);
}

TEST(Framing, TruncatedFrameIsMalformed) {
  Frame frame = valid_order();
  frame.pop_back();
  EXPECT_EQ(decode(frame).check.code, ErrorCode::MalformedFrame);
  const Frame three_bytes(frame.begin(), frame.begin() + 3);
  EXPECT_EQ(decode(three_bytes).check.code, ErrorCode::MalformedFrame);
}

TEST(Framing, TruncatedBodyWithMatchingPrefixFailsVerification) {
  Frame frame = valid_order();
  frame.resize(frame.size() - 16);
  write_prefix(frame, static_cast<uint32_t>(frame.size() - frame_prefix_bytes));
  const Check check = decode(frame).check;
  EXPECT_TRUE(check.code == ErrorCode::VerificationFailed || check.code == ErrorCode::MalformedFrame)
      << check.detail;
  EXPECT_FALSE(check.ok());
}

TEST(Framing, WrongIdentifierIsMalformed) {
  Frame frame = valid_order();
  frame[frame_prefix_bytes + 4] = 'X';  // identifier follows the root offset
  EXPECT_EQ(decode(frame).check.code, ErrorCode::MalformedFrame);
}

TEST(Framing, CorruptRootOffsetFailsVerification) {
  Frame frame = valid_order();
  write_prefix(frame, static_cast<uint32_t>(frame.size() - frame_prefix_bytes));
  frame[frame_prefix_bytes] = 0xF0;  // root offset points past the end
  frame[frame_prefix_bytes + 1] = 0xFF;
  EXPECT_EQ(decode(frame).check.code, ErrorCode::VerificationFailed);
}

TEST(Framing, CorruptStringLengthFailsVerification) {
  Frame frame = valid_order();
  // The symbol string is stored as a 4-byte length then its characters; find and inflate it.
  const std::string symbol = "H100SXM.CN-EAST-1.2026-12-01T08.1H";
  const auto at = std::search(frame.begin(), frame.end(), symbol.begin(), symbol.end());
  ASSERT_NE(at, frame.end());
  *(at - 1) = 0x7F;  // high byte of the little-endian length
  EXPECT_EQ(decode(frame).check.code, ErrorCode::VerificationFailed);
}

TEST(Framing, DepthLimitIsEnforced) {
  const Frame frame = valid_order();
  const FrameLimits shallow{.depth_max = 1};
  EXPECT_EQ(decode_frame(frame, shallow, Direction::to_server).check.code,
            ErrorCode::VerificationFailed);
}

TEST(Framing, RandomBytesNeverDecode) {
  std::mt19937 random(12345);  // fixed seed: reproducible
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<uint32_t> length(0, 256);
  for (uint32_t i = 0; i < random_frames_count; ++i) {
    Frame frame(frame_prefix_bytes + length(random));
    for (auto& b : frame) b = static_cast<uint8_t>(byte(random));
    if (i % 2 == 0) write_prefix(frame, static_cast<uint32_t>(frame.size() - frame_prefix_bytes));
    EXPECT_FALSE(decode(frame).check.ok()) << "iteration " << i;
  }
}

TEST(Framing, RandomCorruptionOfValidFrameIsSafe) {
  // Flipping bytes of a real frame must never crash; it may still decode when the flip hits a
  // scalar value, which semantic validation then judges.
  std::mt19937 random(777);
  const Frame original = valid_order();
  std::uniform_int_distribution<size_t> position(frame_prefix_bytes, original.size() - 1);
  uint32_t accepted = 0;
  uint32_t refused = 0;
  for (uint32_t i = 0; i < random_frames_count; ++i) {
    Frame frame = original;
    frame[position(random)] ^= static_cast<uint8_t>(1 + random() % 255);
    const Decoded decoded = decode(frame);
    // Either a message to act on, or a refusal that says why: never neither.
    if (decoded.check.ok()) {
      ASSERT_NE(decoded.message, nullptr) << i;
      ++accepted;
    } else {
      EXPECT_NE(decoded.check.code, ErrorCode::None) << i;
      ++refused;
    }
  }
  // Both outcomes occur: flips in scalars pass the Verifier, flips in offsets do not.
  EXPECT_GT(accepted, 0u);
  EXPECT_GT(refused, 0u);
}

TEST(Validation, MessageWithoutBodyIsInvalid) {
  flatbuffers::FlatBufferBuilder builder;
  const Frame frame = finish_frame(builder, wire::Body::NONE, 0);
  EXPECT_EQ(decode(frame).check.code, ErrorCode::InvalidField);
}

TEST(Validation, ServerMessagesAreNotAcceptedFromClients) {
  const Frame ack = make_logon_ack({.session_id = 1});
  EXPECT_EQ(decode(ack).check.code, ErrorCode::UnknownMessage);
  EXPECT_TRUE(decode(ack, Direction::to_client).check.ok());
  const Frame order = valid_order();
  EXPECT_EQ(decode(order, Direction::to_client).check.code, ErrorCode::UnknownMessage);
}

TEST(Validation, OrderFieldsAreChecked) {
  const NewOrderFields good{.client_order_id = 1, .symbol = "X", .price = 10, .quantity = 2};
  EXPECT_TRUE(decode(make_new_order(good)).check.ok());
  auto with = [&](auto change) {
    NewOrderFields fields = good;
    change(fields);
    return decode(make_new_order(fields)).check.code;
  };
  EXPECT_EQ(with([](auto& f) { f.client_order_id = 0; }), ErrorCode::InvalidField);
  EXPECT_EQ(with([](auto& f) { f.symbol = ""; }), ErrorCode::InvalidField);
  EXPECT_EQ(with([](auto& f) { f.quantity = 0; }), ErrorCode::InvalidField);
  EXPECT_EQ(with([](auto& f) { f.price = 0; }), ErrorCode::InvalidField);
  EXPECT_EQ(with([](auto& f) { f.min_quantity = 3; }), ErrorCode::InvalidField);
  EXPECT_EQ(with([](auto& f) { f.side = static_cast<wire::Side>(9); }), ErrorCode::InvalidField);
  EXPECT_EQ(with([](auto& f) { f.time_in_force = wire::TimeInForce::GoodTillTime; }),
            ErrorCode::InvalidField);
  const std::string long_symbol(symbol_chars_max + 1, 'A');
  EXPECT_EQ(with([&](auto& f) { f.symbol = long_symbol; }), ErrorCode::InvalidField);
  // A market order needs no price.
  EXPECT_EQ(with([](auto& f) {
              f.order_type = wire::OrderType::Market;
              f.price = 0;
            }),
            ErrorCode::None);
}

// A block order (windows >= 2) fills in full in every window or not at all: only a
// fill-or-kill limit order without post-only or a minimum quantity says that. How many windows
// the exchange takes is the engine's to say (InvalidBlock), not the session's.
TEST(Validation, ABlockOrderIsAFillOrKillLimitOrder) {
  const NewOrderFields block{.client_order_id = 1,
                             .symbol = "X",
                             .time_in_force = wire::TimeInForce::FillOrKill,
                             .price = 10,
                             .quantity = 2,
                             .windows = 3};
  EXPECT_TRUE(decode(make_new_order(block)).check.ok());
  auto with = [&](auto change) {
    NewOrderFields fields = block;
    change(fields);
    const Check check = decode(make_new_order(fields)).check;
    return std::pair(check.code, std::string(check.detail));
  };
  const auto fill_or_kill_limit =
      std::pair(ErrorCode::InvalidField,
                std::string("NewOrder.windows (a block order) needs a Limit FillOrKill order"));
  for (const auto tif :
       {wire::TimeInForce::GoodTillGateClosure, wire::TimeInForce::ImmediateOrCancel}) {
    EXPECT_EQ(with([&](auto& f) { f.time_in_force = tif; }), fill_or_kill_limit);
  }
  EXPECT_EQ(with([](auto& f) {
              f.time_in_force = wire::TimeInForce::GoodTillTime;
              f.expire_time_ns = 1;
            }),
            fill_or_kill_limit);
  EXPECT_EQ(with([](auto& f) { f.order_type = wire::OrderType::Market; }), fill_or_kill_limit);
  EXPECT_EQ(with([](auto& f) { f.post_only = true; }),
            std::pair(ErrorCode::InvalidField,
                      std::string("NewOrder.windows (a block order) takes no post_only")));
  EXPECT_EQ(with([](auto& f) { f.min_quantity = 1; }),
            std::pair(ErrorCode::InvalidField,
                      std::string("NewOrder.windows (a block order) takes no min_quantity")));
  EXPECT_EQ(with([](auto& f) { f.windows = 255; }).first, ErrorCode::None);
  // 0 and 1 are a plain order: any order type and time in force.
  for (const uint8_t windows : {uint8_t{0}, uint8_t{1}}) {
    EXPECT_EQ(with([&](auto& f) {
                f.windows = windows;
                f.time_in_force = wire::TimeInForce::ImmediateOrCancel;
                f.post_only = true;
              }).first,
              ErrorCode::None);
  }
}

TEST(Validation, ATradingHaltNamesAProductAndCancelsOrdersOnlyWhenItHalts) {
  const std::string symbol = "H100SXM.CN-EAST-1.2026-12-01T08.1H";
  EXPECT_TRUE(decode(make_trading_halt(1, symbol, true)).check.ok());
  EXPECT_TRUE(decode(make_trading_halt(2, symbol, true, true)).check.ok());
  EXPECT_TRUE(decode(make_trading_halt(3, symbol, false)).check.ok());
  EXPECT_EQ(decode(make_trading_halt(4, "", true)).check.code, ErrorCode::InvalidField);
  EXPECT_EQ(decode(make_trading_halt(5, std::string(symbol_chars_max + 1, 'A'), true)).check.code,
            ErrorCode::InvalidField);
  EXPECT_EQ(decode(make_trading_halt(6, symbol, false, true)).check.code, ErrorCode::InvalidField);
  // The halt flag defaults to true: a TradingHalt that says nothing more halts. (The frame is
  // kept: the decoded message points into it.)
  const Frame frame = make_trading_halt(7, symbol, true);
  const auto* halt = decode(frame).message->body_as_TradingHalt();
  ASSERT_NE(halt, nullptr);
  EXPECT_TRUE(halt->halt());
  EXPECT_FALSE(halt->cancel_orders());
}

// An Auction names a product and a known action; only a start names an uncross time, and
// never a negative one. The engine checks the time against its clock and the gate.
TEST(Validation, AnAuctionNamesAProductAndAnUncrossTimeOnlyWhenItStarts) {
  using wire::AuctionAction;
  const std::string symbol = "H100SXM.CN-EAST-1.2026-12-01T08.1H";
  const int64_t at_ns = 1'796'112'900'000'000'000;
  EXPECT_TRUE(decode(make_auction(1, symbol, AuctionAction::Start)).check.ok());
  EXPECT_TRUE(decode(make_auction(2, symbol, AuctionAction::Start, at_ns)).check.ok());
  EXPECT_TRUE(decode(make_auction(3, symbol, AuctionAction::Uncross)).check.ok());
  EXPECT_EQ(decode(make_auction(4, "", AuctionAction::Start)).check.code, ErrorCode::InvalidField);
  EXPECT_EQ(decode(make_auction(5, std::string(symbol_chars_max + 1, 'A'), AuctionAction::Start))
                .check.code,
            ErrorCode::InvalidField);
  EXPECT_EQ(decode(make_auction(6, symbol, AuctionAction::Uncross, at_ns)).check.code,
            ErrorCode::InvalidField);
  EXPECT_EQ(decode(make_auction(7, symbol, AuctionAction::Start, -1)).check.code,
            ErrorCode::InvalidField);
  EXPECT_EQ(decode(make_auction(8, symbol, static_cast<AuctionAction>(2))).check.code,
            ErrorCode::InvalidField);
  EXPECT_EQ(decode(make_auction(9, symbol, AuctionAction::Start), Direction::to_client).check.code,
            ErrorCode::UnknownMessage);
  // By product id alone, as TradingHalt may name one.
  flatbuffers::FlatBufferBuilder builder;
  wire::AuctionBuilder by_id(builder);
  by_id.add_request_id(10);
  by_id.add_product_id(0);
  EXPECT_TRUE(
      decode(finish_frame(builder, wire::Body::Auction, by_id.Finish().Union())).check.ok());
  // The action defaults to Start, with no time: the operator uncrosses. (The frame is kept:
  // the decoded message points into it.)
  flatbuffers::FlatBufferBuilder bare_builder;
  const auto name = bare_builder.CreateString(symbol);
  wire::AuctionBuilder bare(bare_builder);
  bare.add_request_id(11);
  bare.add_symbol(name);
  const Frame frame = finish_frame(bare_builder, wire::Body::Auction, bare.Finish().Union());
  const auto* auction = decode(frame).message->body_as_Auction();
  ASSERT_NE(auction, nullptr);
  EXPECT_EQ(auction->action(), AuctionAction::Start);
  EXPECT_EQ(auction->uncross_time_ns(), 0);
}

TEST(Validation, ASuspensionNamesAParticipantAndComesOnlyFromClients) {
  EXPECT_TRUE(decode(make_suspension(1, "lab-alpha", true)).check.ok());
  EXPECT_TRUE(decode(make_suspension(2, "lab-alpha", false)).check.ok());
  EXPECT_EQ(decode(make_suspension(3, "", true)).check.code, ErrorCode::InvalidField);
  EXPECT_EQ(
      decode(make_suspension(4, std::string(participant_chars_max + 1, 'a'), true)).check.code,
      ErrorCode::InvalidField);
  EXPECT_EQ(decode(make_suspension(5, "lab-alpha", true), Direction::to_client).check.code,
            ErrorCode::UnknownMessage);
  // Without a participant at all (the builder always names one).
  flatbuffers::FlatBufferBuilder builder;
  wire::SuspensionBuilder nobody(builder);
  nobody.add_request_id(6);
  EXPECT_EQ(
      decode(finish_frame(builder, wire::Body::Suspension, nobody.Finish().Union())).check.code,
      ErrorCode::InvalidField);
  // The suspend flag defaults to true: a Suspension that says nothing more suspends. (The
  // frame is kept: the decoded message points into it.)
  const Frame frame = make_suspension(7, "lab-alpha", true);
  const auto* suspension = decode(frame).message->body_as_Suspension();
  ASSERT_NE(suspension, nullptr);
  EXPECT_TRUE(suspension->suspend());
}

TEST(Validation, AProductStatusComesOnlyFromTheServerWithAKnownState) {
  matching::Event event;
  event.type = matching::EventType::product_state;
  event.product = {3};
  event.product_state = matching::ProductState::halted;
  const Frame status = product_status_frame(event, "H100SXM.CN-EAST-1.2026-12-01T08.1H");
  EXPECT_TRUE(decode(status, Direction::to_client).check.ok());
  event.product_state = matching::ProductState::auction;
  EXPECT_TRUE(decode(product_status_frame(event, "X"), Direction::to_client).check.ok());
  EXPECT_EQ(decode(status).check.code, ErrorCode::UnknownMessage);
  event.product_state = static_cast<matching::ProductState>(9);  // from a newer server
  EXPECT_EQ(decode(product_status_frame(event, "X"), Direction::to_client).check.code,
            ErrorCode::InvalidField);
}

TEST(Validation, UnknownUnionTypeIsRejected) {
  // A newer peer may send a body this build does not know: the Verifier lets it through (for
  // schema evolution), validation must not.
  flatbuffers::FlatBufferBuilder builder;
  const auto body = wire::CreateHeartbeat(builder, 1).Union();
  const Frame frame = finish_frame(builder, static_cast<wire::Body>(200), body);
  EXPECT_EQ(decode(frame).check.code, ErrorCode::UnknownMessage);
}

}  // namespace
}  // namespace ghx::gateway
