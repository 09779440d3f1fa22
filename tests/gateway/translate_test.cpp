#include "gateway/translate.h"

#include <gtest/gtest.h>

#include "gateway/validate.h"
#include "gateway/wire_build.h"

namespace ghx::gateway {
namespace {

constexpr std::string_view symbol = "H100SXM.CN-EAST-1.2026-12-01T08.1H";

const wire::ExecutionReport& report_of(const Frame& frame) {
  const Decoded decoded = decode_frame(frame, {}, Direction::to_client);
  EXPECT_TRUE(decoded.check.ok()) << decoded.check.detail;
  return *decoded.message->body_as_ExecutionReport();
}

// The frame a resend builds from `record`: encoded as the ledger keeps it, decoded (which must
// give it back unchanged), then built into an ExecutionReport numbered `report_sequence`.
Frame resent_frame(const ReportRecord& record, uint64_t report_sequence) {
  std::vector<uint8_t> bytes;
  encode(record, bytes);
  ReportRecord decoded;
  EXPECT_TRUE(decode(bytes, decoded));
  EXPECT_EQ(decoded, record);
  flatbuffers::FlatBufferBuilder builder;
  const std::span<const uint8_t> built =
      execution_report(builder, decoded, symbol, report_sequence);
  return Frame(built.begin(), built.end());
}

TEST(Translate, NewOrderBecomesAnEngineCommand) {
  const Frame frame = make_new_order({.client_order_id = 9,
                                      .symbol = symbol,
                                      .side = wire::Side::Sell,
                                      .time_in_force = wire::TimeInForce::FillOrKill,
                                      .post_only = true,
                                      .price = 1850,
                                      .quantity = 8,
                                      .min_quantity = 4,
                                      .self_trade = wire::SelfTradePrevention::CancelMaker});
  const auto* order = frame_message(frame).body_as_NewOrder();
  const matching::Command command = new_order_command(*order, {{3}, {5}});
  EXPECT_EQ(command.type, matching::CommandType::new_order);
  EXPECT_EQ(command.participant.value, 3u);
  EXPECT_EQ(command.product.value, 5u);
  EXPECT_EQ(command.client_order_id.value, 9u);
  EXPECT_EQ(command.side, matching::Side::sell);
  EXPECT_EQ(command.time_in_force, matching::TimeInForce::fill_or_kill);
  EXPECT_EQ(command.self_trade, matching::SelfTradePrevention::cancel_maker);
  EXPECT_TRUE(command.post_only);
  EXPECT_EQ(command.price.value, 1850);
  EXPECT_EQ(command.quantity.value, 8);
  EXPECT_EQ(command.min_quantity.value, 4);
}

// windows >= 2 makes a block order over that many windows; 0 and 1 a plain order of the one
// product, as a NewOrder from before block orders is.
TEST(Translate, ANewOrderOfTwoOrMoreWindowsBecomesABlockOrder) {
  const NewOrderFields block{.client_order_id = 9,
                             .symbol = symbol,
                             .side = wire::Side::Buy,
                             .time_in_force = wire::TimeInForce::FillOrKill,
                             .price = 1850,
                             .quantity = 3,
                             .self_trade = wire::SelfTradePrevention::CancelMaker,
                             .windows = 3};
  const Frame frame = make_new_order(block);
  const matching::Command command =
      new_order_command(*frame_message(frame).body_as_NewOrder(), {{3}, {5}});
  EXPECT_EQ(command.type, matching::CommandType::new_block_order);
  EXPECT_EQ(command.windows, 3);
  EXPECT_EQ(command.participant.value, 3u);
  EXPECT_EQ(command.product.value, 5u);  // the first window
  EXPECT_EQ(command.client_order_id.value, 9u);
  EXPECT_EQ(command.side, matching::Side::buy);
  EXPECT_EQ(command.self_trade, matching::SelfTradePrevention::cancel_maker);
  EXPECT_EQ(command.price.value, 1850);
  EXPECT_EQ(command.quantity.value, 3);
  for (const uint8_t windows : {uint8_t{0}, uint8_t{1}}) {
    NewOrderFields plain = block;
    plain.windows = windows;
    const Frame plain_frame = make_new_order(plain);
    const matching::Command order =
        new_order_command(*frame_message(plain_frame).body_as_NewOrder(), {{3}, {5}});
    EXPECT_EQ(order.type, matching::CommandType::new_order) << int{windows};
    EXPECT_EQ(order.windows, 0) << int{windows};
  }
}

TEST(Translate, RejectEventReachesOnlyItsParticipant) {
  matching::Event event;
  event.type = matching::EventType::rejected;
  event.participant = {3};
  event.client_order_id = {9};
  event.reject_reason = matching::RejectReason::insufficient_cash;
  EXPECT_FALSE(execution_report(event, {4}, symbol).has_value());
  const auto frame = execution_report(event, {3}, symbol);
  ASSERT_TRUE(frame.has_value());
  const auto& report = report_of(*frame);
  EXPECT_EQ(report.exec_type(), wire::ExecType::Rejected);
  EXPECT_EQ(report.reject_reason(), wire::OrderRejectReason::InsufficientCash);
  EXPECT_EQ(report.order_status(), wire::OrderStatus::Done);
  EXPECT_EQ(report.symbol()->string_view(), symbol);
}

TEST(Translate, ReportCarriesTheOrderFactsTheEventLacks) {
  matching::Event fill;
  fill.type = matching::EventType::fill;
  fill.participant = {1};
  fill.maker_participant = {2};
  fill.price = {1800};
  fill.quantity = {3};
  fill.remaining = {2};
  const OrderFacts taker{matching::OrderType::limit, matching::TimeInForce::immediate_or_cancel,
                         1900, 5};
  const auto frame = execution_report(fill, {1}, symbol, &taker);
  ASSERT_TRUE(frame.has_value());
  const auto& report = report_of(*frame);
  EXPECT_EQ(report.time_in_force(), wire::TimeInForce::ImmediateOrCancel);
  EXPECT_EQ(report.price(), 1900);  // the order's limit, not the fill's price
  EXPECT_EQ(report.quantity(), 5);
  EXPECT_EQ(report.fill_price(), 1800);
  EXPECT_EQ(report.fill_quantity(), 3);

  matching::Event status;
  status.type = matching::EventType::order_status;
  status.participant = {1};
  status.price = {1900};
  status.remaining = {2};
  const OrderFacts market{matching::OrderType::market, matching::TimeInForce::good_till_time,
                          1900, 5};
  const auto status_frame = execution_report(status, {1}, symbol, &market);  // outlives the view
  ASSERT_TRUE(status_frame.has_value());
  const auto& status_report = report_of(*status_frame);
  EXPECT_EQ(status_report.order_type(), wire::OrderType::Market);
  EXPECT_EQ(status_report.time_in_force(), wire::TimeInForce::GoodTillTime);
  EXPECT_EQ(status_report.quantity(), 5);
}

TEST(Translate, RejectOfACancelNamesTheOrderItWasAbout) {
  matching::Event event;
  event.type = matching::EventType::rejected;
  event.participant = {3};
  event.orig_client_order_id = {77};
  event.reject_reason = matching::RejectReason::unknown_order;
  const auto frame = execution_report(event, {3}, "");  // outlives the view
  ASSERT_TRUE(frame.has_value());
  const auto& report = report_of(*frame);
  EXPECT_EQ(report.client_order_id(), 77u);
  EXPECT_EQ(report.orig_client_order_id(), 77u);
  EXPECT_EQ(report.symbol()->string_view(), "");
}

TEST(Translate, FillGivesTakerAndMakerTheirOwnReports) {
  matching::Event fill;
  fill.type = matching::EventType::fill;
  fill.participant = {1};  // taker, buying
  fill.side = matching::Side::buy;
  fill.order_id = {10};
  fill.client_order_id = {100};
  fill.remaining = {0};
  fill.maker_participant = {2};
  fill.maker_order_id = {20};
  fill.maker_client_order_id = {200};
  fill.maker_remaining = {3};
  fill.trade_id = {7};
  fill.price = {1850};
  fill.quantity = {2};
  fill.buyer_fee = {11};
  fill.seller_fee = {12};
  const auto taker = execution_report(fill, {1}, symbol);
  const auto maker = execution_report(fill, {2}, symbol);
  ASSERT_TRUE(taker && maker);
  EXPECT_FALSE(execution_report(fill, {3}, symbol).has_value());
  const auto& t = report_of(*taker);
  EXPECT_EQ(t.exec_type(), wire::ExecType::Filled);
  EXPECT_EQ(t.client_order_id(), 100u);
  EXPECT_EQ(t.liquidity(), wire::Liquidity::Taker);
  EXPECT_EQ(t.fee(), 11);
  EXPECT_EQ(t.fill_price(), 1850);
  EXPECT_EQ(t.fill_quantity(), 2);
  EXPECT_EQ(t.trade_id(), 7u);
  const auto& m = report_of(*maker);
  EXPECT_EQ(m.exec_type(), wire::ExecType::PartiallyFilled);
  EXPECT_EQ(m.client_order_id(), 200u);
  EXPECT_EQ(m.side(), wire::Side::Sell);
  EXPECT_EQ(m.liquidity(), wire::Liquidity::Maker);
  EXPECT_EQ(m.fee(), 12);
  EXPECT_EQ(m.remaining(), 3);
  EXPECT_EQ(m.order_status(), wire::OrderStatus::Live);
}

// The record kept for resends: every field survives its byte encoding, which is small, and
// bytes that are not a whole record are refused.
TEST(Translate, KeptReportRecordsSurviveTheirEncoding) {
  matching::Event fill;
  fill.type = matching::EventType::fill;
  fill.participant = {1};
  fill.side = matching::Side::sell;
  fill.order_id = {123'456};
  fill.client_order_id = {99};
  fill.orig_client_order_id = {98};
  fill.product = {17};
  fill.remaining = {4};
  fill.maker_participant = {2};
  fill.trade_id = {8'000'000'001};
  fill.price = {-5};  // no price is negative today; the encoding does not care
  fill.quantity = {3};
  fill.seller_fee = {250};
  fill.notional = {3 * 8 * 1850};
  fill.sequence = {77'000'000};
  fill.timestamp = {1'796'112'000'123'456'789};
  // Window 2 of a block of 3 (no block is good till a time; the encoding does not care).
  const OrderFacts facts{
      matching::OrderType::limit, matching::TimeInForce::good_till_time, 1850, 7, 2, 3};
  const std::optional<ReportRecord> record = report_record(fill, {1}, &facts);
  ASSERT_TRUE(record.has_value());
  std::vector<uint8_t> bytes;
  encode(*record, bytes);
  EXPECT_LE(bytes.size(), 50u);
  ReportRecord decoded;
  ASSERT_TRUE(decode(bytes, decoded));
  EXPECT_EQ(decoded, *record);
  EXPECT_TRUE(decoded.fill && decoded.has_order_facts);
  EXPECT_EQ(decoded.time_in_force, wire::TimeInForce::GoodTillTime);

  // The frame built from the record is the one built from the event, plus its number.
  flatbuffers::FlatBufferBuilder builder;
  const std::span<const uint8_t> built = execution_report(builder, decoded, symbol, 42);
  const Frame frame(built.begin(), built.end());  // alive while the report is read
  const auto& report = report_of(frame);
  EXPECT_EQ(report.report_sequence(), 42u);
  EXPECT_EQ(report.fill_price(), -5);
  EXPECT_EQ(report.price(), 1850);
  EXPECT_EQ(report.quantity(), 7);
  EXPECT_EQ(report.symbol()->string_view(), symbol);
  EXPECT_EQ(report.block_window(), 2);
  EXPECT_EQ(report.block_windows(), 3);

  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    EXPECT_FALSE(decode(std::span(bytes.data(), cut), decoded)) << "cut at " << cut;
  }
  std::vector<uint8_t> longer = bytes;
  longer.push_back(0);
  EXPECT_FALSE(decode(longer, decoded));
  std::vector<uint8_t> bad_enum = bytes;
  bad_enum[1] = 200;  // exec_type
  EXPECT_FALSE(decode(bad_enum, decoded));
  std::vector<uint8_t> other_version = bytes;
  other_version[0] = 4;
  EXPECT_FALSE(decode(other_version, decoded));
  std::vector<uint8_t> window_past_the_block = bytes;
  window_past_the_block.end()[-2] = 4;  // window 4 of 3
  EXPECT_FALSE(decode(window_past_the_block, decoded));
  // Records kept before version 3 (no block window and windows at the end) and before version
  // 2 (no settlement flag either) still decode, as reports of no block.
  ReportRecord no_block = *record;
  no_block.block_window = 0;
  no_block.block_windows = 0;
  ASSERT_EQ(bytes.end()[-3], 0);  // settlement: no
  std::vector<uint8_t> version_2(bytes.begin(), bytes.end() - 2);
  version_2[0] = 2;
  ASSERT_TRUE(decode(version_2, decoded));
  EXPECT_EQ(decoded, no_block);
  std::vector<uint8_t> version_1(bytes.begin(), bytes.end() - 3);
  version_1[0] = 1;
  ASSERT_TRUE(decode(version_1, decoded));
  EXPECT_EQ(decoded, no_block);
}

// A block order's reports say which window of how many each is about, and the order is done
// once: a window filled in full leaves it live while windows are to come; a refusal, of the
// whole block, names no window.
TEST(Translate, ABlockOrdersReportsNameTheirWindowAndItIsDoneOnce) {
  matching::Event fill;
  fill.type = matching::EventType::fill;
  fill.participant = {1};
  fill.order_id = {40};
  fill.client_order_id = {7};
  fill.maker_participant = {2};
  fill.price = {1900};
  fill.quantity = {3};
  fill.remaining = {0};
  OrderFacts facts{matching::OrderType::limit, matching::TimeInForce::fill_or_kill, 1900, 3, 1, 2};
  std::optional<ReportRecord> record = report_record(fill, {1}, &facts);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->exec_type, wire::ExecType::Filled);
  EXPECT_EQ(record->block_window, 1);
  EXPECT_EQ(record->block_windows, 2);
  EXPECT_EQ(record->order_status, wire::OrderStatus::Live);

  facts.block_window = 2;
  record = report_record(fill, {1}, &facts);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->block_window, 2);
  EXPECT_EQ(record->order_status, wire::OrderStatus::Done);

  matching::Event refused;
  refused.type = matching::EventType::rejected;
  refused.participant = {1};
  refused.client_order_id = {8};
  refused.quantity = {3};
  refused.reject_reason = matching::RejectReason::block_not_fillable;
  facts.block_window = 0;
  record = report_record(refused, {1}, &facts);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->block_window, 0);
  EXPECT_EQ(record->block_windows, 2);
  EXPECT_EQ(record->order_status, wire::OrderStatus::Done);
  EXPECT_EQ(record->reject_reason, wire::OrderRejectReason::BlockNotFillable);

  // An order of one product is as it was.
  record = report_record(fill, {1}, nullptr);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->block_windows, 0);
  EXPECT_EQ(record->order_status, wire::OrderStatus::Done);
}

// A failed trade is reported to both its sides, each with its own side; paid proceeds to the
// seller. Both survive the kept encoding, for resends.
TEST(Translate, FailedTradeAndPaidProceedsAreReportedToTheirParticipants) {
  matching::Event failed;
  failed.type = matching::EventType::trade_failed;
  failed.participant = {2};   // the seller
  failed.counterparty = {3};  // the buyer
  failed.product = {17};
  failed.trade_id = {4'242};
  failed.notional = {29'600};
  failed.seller_fee = {29};
  failed.penalty = {1'000};
  failed.quantity = {1};   // one lot failed
  failed.remaining = {2};  // two still open
  EXPECT_FALSE(report_record(failed, {4}, nullptr).has_value());
  for (const uint32_t viewer : {2u, 3u}) {
    const std::optional<ReportRecord> record = report_record(failed, {viewer}, nullptr);
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(record->exec_type, wire::ExecType::TradeFailed);
    EXPECT_EQ(record->side, viewer == 2 ? wire::Side::Sell : wire::Side::Buy);
    const Frame frame = resent_frame(*record, 7);
    const auto& report = report_of(frame);
    EXPECT_EQ(report.exec_type(), wire::ExecType::TradeFailed);
    EXPECT_EQ(report.trade_id(), 4'242u);
    // The buyer's refund; the seller's lost proceeds (the refund less the failed lot's fee).
    EXPECT_EQ(report.notional(), viewer == 2 ? 29'600 - 29 : 29'600);
    EXPECT_EQ(report.penalty(), 1'000);
    EXPECT_EQ(report.quantity(), 1);
    EXPECT_EQ(report.remaining(), 2);
    EXPECT_EQ(report.order_status(), wire::OrderStatus::Done);
  }
  matching::Event paid;
  paid.type = matching::EventType::proceeds_paid;
  paid.participant = {2};
  paid.product = {17};
  paid.notional = {45'555};
  EXPECT_FALSE(report_record(paid, {3}, nullptr).has_value());
  const std::optional<ReportRecord> record = report_record(paid, {2}, nullptr);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->exec_type, wire::ExecType::ProceedsPaid);
  EXPECT_EQ(record->notional, 45'555);
}

// The largest BarsRequest answer, 500 bars of large values, is a frame a client accepts.
TEST(Translate, TheLargestBarListFitsInAFrame) {
  std::vector<Bar> bars(bars_request_max);
  for (size_t i = 0; i < bars.size(); ++i) {
    const int64_t big = INT64_MAX - static_cast<int64_t>(i);
    bars[i] = {.product = 17,
               .start_ns = big,
               .open = big,
               .high = big,
               .low = big,
               .close = big,
               .volume = big,
               .trades = UINT32_MAX,
               .notional = big,
               .closed = false};
  }
  const Frame frame = bar_list_frame(9, 17, symbol, bars, true);
  const Decoded decoded = decode_frame(frame, FrameLimits{}, Direction::to_client);
  ASSERT_TRUE(decoded.check.ok()) << decoded.check.detail;
  const wire::BarList& list = *decoded.message->body_as_BarList();
  ASSERT_EQ(list.bars()->size(), bars_request_max);
  EXPECT_EQ(list.bars()->Get(499)->open(), INT64_MAX - 499);
  EXPECT_FALSE(list.bars()->Get(0)->closed());
  EXPECT_TRUE(list.more());
}

TEST(Translate, BookLevelBecomesADeltaWithAbsoluteSize) {
  matching::Event level;
  level.type = matching::EventType::book_level;
  level.product = {5};
  level.side = matching::Side::sell;
  level.price = {1900};
  level.quantity = {0};  // the level is gone
  const Frame frame = book_delta_frame(level, 41);
  const Decoded decoded = decode_frame(frame, {}, Direction::to_client);
  ASSERT_TRUE(decoded.check.ok());
  const auto* delta = decoded.message->body_as_BookDelta();
  EXPECT_EQ(delta->product_id(), 5u);
  EXPECT_EQ(delta->sequence(), 41u);
  EXPECT_EQ(delta->side(), wire::Side::Sell);
  EXPECT_EQ(delta->price(), 1900);
  EXPECT_EQ(delta->size(), 0);
}

// "ImmediateOrCancel" -> "immediate_or_cancel": the engine's spelling of a wire enum name.
std::string snake(std::string_view camel) {
  std::string out;
  for (size_t i = 0; i < camel.size(); ++i) {
    const char c = camel[i];
    if (c >= 'A' && c <= 'Z') {
      if (i > 0) out += '_';
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += c;
    }
  }
  return out;
}

// Reasons and states keep their names across the wire, whatever their numbers: the engine's
// CancelReason has no Disconnect, so a halt's or a suspension's cancel must not be reported as
// another reason. The block order's reasons are the newest (the call auction's state is the
// newest state).
TEST(Translate, EveryEngineReasonAndStateKeepsItsNameOnTheWire) {
  for (int i = 0; i <= static_cast<int>(matching::CancelReason::participant_suspended); ++i) {
    const auto reason = static_cast<matching::CancelReason>(i);
    EXPECT_EQ(snake(wire::EnumNameCancelReason(to_wire(reason))), matching::to_string(reason));
  }
  for (int i = 0; i <= static_cast<int>(matching::RejectReason::block_not_fillable); ++i) {
    const auto reason = static_cast<matching::RejectReason>(i);
    EXPECT_EQ(snake(wire::EnumNameOrderRejectReason(to_wire(reason))), matching::to_string(reason));
  }
  for (int i = 0; i <= static_cast<int>(matching::ProductState::auction); ++i) {
    const auto state = static_cast<matching::ProductState>(i);
    EXPECT_EQ(snake(wire::EnumNameProductState(to_wire(state))), matching::to_string(state));
  }
  EXPECT_EQ(to_wire(matching::CancelReason::product_halted), wire::CancelReason::ProductHalted);
  EXPECT_EQ(to_wire(matching::CancelReason::participant_suspended),
            wire::CancelReason::ParticipantSuspended);
  EXPECT_EQ(to_wire(matching::RejectReason::participant_suspended),
            wire::OrderRejectReason::ParticipantSuspended);
  EXPECT_EQ(to_wire(matching::RejectReason::participant_not_suspended),
            wire::OrderRejectReason::ParticipantNotSuspended);
  EXPECT_EQ(to_wire(matching::ProductState::halted), wire::ProductState::Halted);
  EXPECT_EQ(to_wire(matching::RejectReason::invalid_in_auction),
            wire::OrderRejectReason::InvalidInAuction);
  EXPECT_EQ(to_wire(matching::RejectReason::product_in_auction),
            wire::OrderRejectReason::ProductInAuction);
  EXPECT_EQ(to_wire(matching::RejectReason::product_not_in_auction),
            wire::OrderRejectReason::ProductNotInAuction);
  EXPECT_EQ(to_wire(matching::ProductState::auction), wire::ProductState::Auction);
  EXPECT_EQ(to_wire(matching::RejectReason::invalid_block), wire::OrderRejectReason::InvalidBlock);
  EXPECT_EQ(to_wire(matching::RejectReason::block_window_not_trading),
            wire::OrderRejectReason::BlockWindowNotTrading);
  EXPECT_EQ(to_wire(matching::RejectReason::block_not_fillable),
            wire::OrderRejectReason::BlockNotFillable);
  // After the engine's reasons come only the gateway's own: registrations (no engine command
  // registers a participant) and repeated operator requests.
  EXPECT_EQ(static_cast<int>(wire::OrderRejectReason::ParticipantExists),
            static_cast<int>(wire::OrderRejectReason::BlockNotFillable) + 1);
  EXPECT_EQ(wire::OrderRejectReason::MAX, wire::OrderRejectReason::DuplicateRequest);
}

// An order canceled by a halt or by its owner's suspension is reported to its owner like any
// cancel, with that reason, and the kept record (for resends) says so too.
TEST(Translate, AnOrderCanceledByAHaltOrASuspensionIsReportedWithItsReason) {
  const std::pair<matching::CancelReason, wire::CancelReason> reasons[] = {
      {matching::CancelReason::product_halted, wire::CancelReason::ProductHalted},
      {matching::CancelReason::participant_suspended, wire::CancelReason::ParticipantSuspended}};
  for (const auto& [engine_reason, wire_reason] : reasons) {
    matching::Event canceled;
    canceled.type = matching::EventType::canceled;
    canceled.participant = {3};
    canceled.product = {17};
    canceled.order_id = {55};
    canceled.client_order_id = {9};
    canceled.side = matching::Side::buy;
    canceled.price = {1850};
    canceled.quantity = {4};
    canceled.cancel_reason = engine_reason;
    EXPECT_FALSE(report_record(canceled, {4}, nullptr).has_value());  // another's order
    const std::optional<ReportRecord> record = report_record(canceled, {3}, nullptr);
    ASSERT_TRUE(record.has_value());
    const Frame frame = resent_frame(*record, 12);
    const auto& report = report_of(frame);
    EXPECT_EQ(report.exec_type(), wire::ExecType::Canceled);
    EXPECT_EQ(report.cancel_reason(), wire_reason);
    EXPECT_EQ(report.order_status(), wire::OrderStatus::Done);
    EXPECT_EQ(report.client_order_id(), 9u);
    EXPECT_EQ(report.remaining(), 0);
  }
}

// The suspension itself is no execution report (nothing to keep for resends): the owner's
// sessions get a ParticipantStatus instead, and a later logon reads AccountStatus.
TEST(Translate, ASuspensionIsNoExecutionReport) {
  matching::Event suspended;
  suspended.type = matching::EventType::participant_state;
  suspended.participant = {3};
  suspended.suspended = true;
  EXPECT_FALSE(report_record(suspended, {3}, nullptr).has_value());
}

TEST(Translate, AProductStateChangeBecomesAProductStatus) {
  matching::Event event;
  event.type = matching::EventType::product_state;
  event.product = {17};
  event.product_state = matching::ProductState::halted;
  event.timestamp = {1'796'112'000'123'456'789};
  const Frame frame = product_status_frame(event, symbol);
  const Decoded decoded = decode_frame(frame, {}, Direction::to_client);
  ASSERT_TRUE(decoded.check.ok()) << decoded.check.detail;
  const auto* status = decoded.message->body_as_ProductStatus();
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status->product_id(), 17u);
  EXPECT_EQ(status->symbol()->string_view(), symbol);
  EXPECT_EQ(status->state(), wire::ProductState::Halted);
  EXPECT_EQ(status->transact_time_ns(), 1'796'112'000'123'456'789);
  // Trading again is the enum's zero: it still reads as such.
  event.product_state = matching::ProductState::trading;
  const Frame trading = product_status_frame(event, symbol);
  EXPECT_EQ(frame_message(trading).body_as_ProductStatus()->state(), wire::ProductState::Trading);
}

// An auction's start is a ProductStatus like any change of state (nothing traded yet); its
// uncross's carries the uncross price and the lots traded, and is no execution report (the
// fills are).
TEST(Translate, AnUncrossBecomesAProductStatusWithItsPriceAndLots) {
  matching::Event event;
  event.type = matching::EventType::product_state;
  event.product = {17};
  event.product_state = matching::ProductState::auction;
  event.timestamp = {1'796'112'000'123'456'789};
  const Frame started = product_status_frame(event, symbol);
  const auto* status = frame_message(started).body_as_ProductStatus();
  EXPECT_EQ(status->state(), wire::ProductState::Auction);
  EXPECT_EQ(status->uncross_price(), 0);
  EXPECT_EQ(status->uncross_lots(), 0);

  event.product_state = matching::ProductState::trading;
  event.price = {1850};
  event.quantity = {12};
  const Frame frame = product_status_frame(event, symbol);
  const Decoded decoded = decode_frame(frame, {}, Direction::to_client);
  ASSERT_TRUE(decoded.check.ok()) << decoded.check.detail;
  const auto* uncrossed = decoded.message->body_as_ProductStatus();
  ASSERT_NE(uncrossed, nullptr);
  EXPECT_EQ(uncrossed->product_id(), 17u);
  EXPECT_EQ(uncrossed->state(), wire::ProductState::Trading);
  EXPECT_EQ(uncrossed->uncross_price(), 1850);
  EXPECT_EQ(uncrossed->uncross_lots(), 12);
  EXPECT_FALSE(report_record(event, {1}, nullptr).has_value());
}

TEST(Translate, OtherEventsGiveNoExecutionReport) {
  matching::Event event;
  event.type = matching::EventType::balance;
  event.participant = {1};
  EXPECT_FALSE(execution_report(event, {1}, symbol).has_value());
}

}  // namespace
}  // namespace ghx::gateway
