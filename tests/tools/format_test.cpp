#include "tools/ghx/format.h"

#include <gtest/gtest.h>

#include <functional>

#include "gateway/framing.h"

namespace ghx::cli {
namespace {

TEST(Format, MoneyHasTwoDecimals) {
  EXPECT_EQ(format_money(1850), "18.50");
  EXPECT_EQ(format_money(7), "0.07");
  EXPECT_EQ(format_money(0), "0.00");
  EXPECT_EQ(format_money(-5), "-0.05");
  EXPECT_EQ(format_money(-123456), "-1234.56");
  EXPECT_EQ(format_money(INT64_MIN), "-92233720368547758.08");
}

TEST(Format, UtcTimesWithMilliseconds) {
  EXPECT_EQ(format_utc_ns(1'796'011'200'250'000'000LL), "2026-11-30T04:00:00.250Z");
  EXPECT_EQ(format_utc_ns(86'400'000'000'000LL), "1970-01-02T00:00:00.000Z");
  EXPECT_EQ(format_utc_ns(0), "-");
}

TEST(Format, CivilDaysRoundTrip) {
  for (int64_t days : {-1000000LL, -1LL, 0LL, 19'000LL, 20'787LL, 3'000'000LL}) {
    int64_t year = 0;
    unsigned month = 0, day = 0;
    civil_from_days(days, year, month, day);
    EXPECT_EQ(days_from_civil(year, month, day), days);
  }
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11'017);
}

TEST(Format, EnumNamesReadAsWords) {
  EXPECT_EQ(kebab("PartiallyFilled"), "partially-filled");
  EXPECT_EQ(kebab("InsufficientCash"), "insufficient-cash");
  EXPECT_EQ(kebab("Live"), "live");
}

TEST(Format, JsonEscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(JsonLine().add("text", "a\"b\\c\nd\x01").add("n", int64_t{-3}).add("ok", true).str(),
            "{\"text\":\"a\\\"b\\\\c\\nd\\u0001\",\"n\":-3,\"ok\":true}");
}

BookView sample_book() {
  BookView book;
  book.symbol = "H100SXM.CN-EAST-1.2026-12-01T08.1H";
  book.product_id = 6;
  book.sequence = 42;
  book.asks = {{1850, 10}, {1900, 5}, {2000, 1}};
  book.bids = {{1800, 20}, {1750, 2}};
  return book;
}

TEST(BookLadder, AsksAboveBestNearestTheSpreadBidsBelow) {
  const std::string ladder = book_ladder_text(sample_book(), 8, 2);
  const std::string expected =
      "H100SXM.CN-EAST-1.2026-12-01T08.1H  (market-data sequence 42, lot 8 GPUs)\n"
      "          price                  lots      GPUs\n"
      "ask        1900       19.00         5        40\n"
      "ask        1850       18.50        10        80\n"
      "---- spread 0.50 ----\n"
      "bid        1800       18.00        20       160\n"
      "bid        1750       17.50         2        16\n";
  EXPECT_EQ(ladder, expected);
}

TEST(BookLadder, EmptyAndOneSidedBooksSaySo) {
  BookView book = sample_book();
  book.asks.clear();
  EXPECT_NE(book_ladder_text(book, 8, 5).find("---- no asks ----"), std::string::npos);
  book.bids.clear();
  EXPECT_NE(book_ladder_text(book, 8, 5).find("---- empty book ----"), std::string::npos);
}

TEST(BookLadder, JsonListsLevelsBestFirstWithGpus) {
  EXPECT_EQ(book_json(sample_book(), 8, 1),
            "{\"type\":\"book\",\"symbol\":\"H100SXM.CN-EAST-1.2026-12-01T08.1H\","
            "\"product_id\":6,\"sequence\":42,\"lot_size_gpus\":8,"
            "\"asks\":[{\"price\":1850,\"lots\":10,\"gpus\":80}],"
            "\"bids\":[{\"price\":1800,\"lots\":20,\"gpus\":160}],\"state\":\"trading\"}");
}

TEST(BookLadder, AHaltedBookSaysSoInItsHeading) {
  BookView book = sample_book();
  book.state = wire::ProductState::Halted;
  const std::string ladder = book_ladder_text(book, 8, 1);
  EXPECT_EQ(ladder.substr(0, ladder.find('\n')),
            "H100SXM.CN-EAST-1.2026-12-01T08.1H  (market-data sequence 42, lot 8 GPUs, halted)");
  EXPECT_NE(book_json(book, 8, 1).find(",\"state\":\"halted\"}"), std::string::npos);
  book.state = wire::ProductState::GateClosed;
  EXPECT_NE(book_ladder_text(book, 8, 1).find("GPUs, gate-closed)"), std::string::npos);
}

// In a call phase the book may cross: the heading says why.
TEST(BookLadder, ABookInItsCallPhaseSaysSoInItsHeading) {
  BookView book = sample_book();
  book.state = wire::ProductState::Auction;
  EXPECT_NE(book_ladder_text(book, 8, 1).find("GPUs, auction)"), std::string::npos);
  EXPECT_NE(book_json(book, 8, 1).find(",\"state\":\"auction\",\"indicative_price\":0,"),
            std::string::npos);
  // Crossed, and uncrossed by the exchange at a time.
  book.asks[0].price = 1790;
  book.uncross_time_ns = int64_t{1'796'112'000} * 1'000'000'000;
  const std::string ladder = book_ladder_text(book, 8, 1);
  EXPECT_NE(ladder.find("GPUs, auction, uncrosses 2026-12-01T08:00:00.000Z)"), std::string::npos)
      << ladder;
  EXPECT_NE(ladder.find("---- crossed: trades at the uncross ----"), std::string::npos) << ladder;
  // With the indicative uncross the snapshot carries.
  book.indicative_price = 1820;
  book.indicative_lots = 10;
  EXPECT_NE(book_ladder_text(book, 8, 1).find("---- crossed: would uncross 10 lots at 18.20 now"),
            std::string::npos)
      << book_ladder_text(book, 8, 1);
  EXPECT_NE(book_json(book, 8, 1)
                .find(",\"state\":\"auction\",\"indicative_price\":1820,"
                      "\"indicative_lots\":10,"
                      "\"uncross_time\":\"2026-12-01T08:00:00.000Z\"}"),
            std::string::npos)
      << book_json(book, 8, 1);
}

// A call phase the exchange uncrosses at a time says when, in the product list too.
TEST(ProductFormat, AScheduledUncrossFollowsTheState) {
  flatbuffers::FlatBufferBuilder builder;
  const auto symbol = builder.CreateString("SYM");
  builder.Finish(wire::CreateProductInfo(builder, 6, symbol, 0, 0, 0, wire::WindowLength::Hour1, 8,
                                         1, wire::ProductState::Auction,
                                         int64_t{1'796'112'000} * 1'000'000'000));
  const auto& product = *flatbuffers::GetRoot<wire::ProductInfo>(builder.GetBufferPointer());
  EXPECT_TRUE(product_text(product).ends_with("auction, uncrosses 2026-12-01T08:00:00.000Z"))
      << product_text(product);
  EXPECT_TRUE(product_json(product).ends_with(
      "\"state\":\"auction\",\"uncross_time\":\"2026-12-01T08:00:00.000Z\"}"))
      << product_json(product);
}

TEST(ProductStatusFormat, AStateChangeIsOneLineWithItsTime) {
  flatbuffers::FlatBufferBuilder builder;
  builder.Finish(wire::CreateProductStatus(builder, 6, 0, wire::ProductState::Halted,
                                           int64_t{1'796'112'060} * 1'000'000'000));
  const auto& status = *flatbuffers::GetRoot<wire::ProductStatus>(builder.GetBufferPointer());
  EXPECT_EQ(product_status_text(status, "H100SXM.CN-EAST-1.2026-12-01T08.1H"),
            "2026-12-01T08:01:00.000Z status H100SXM.CN-EAST-1.2026-12-01T08.1H halted");
  EXPECT_EQ(product_status_json(status, "X"),
            "{\"type\":\"product_status\",\"symbol\":\"X\",\"product_id\":6,"
            "\"state\":\"halted\",\"transact_time\":\"2026-12-01T08:01:00.000Z\","
            "\"uncross_price\":0,\"uncross_lots\":0}");
}

// A call phase's indicative uncross, as ghx watch prints it when the book changes.
TEST(ProductStatusFormat, AnIndicativeUncrossSaysWhatWouldTradeNow) {
  const int64_t at_ns = int64_t{1'796'112'060} * 1'000'000'000;
  auto texts_of = [&](int64_t price, int64_t lots) {
    flatbuffers::FlatBufferBuilder builder;
    builder.Finish(wire::CreateAuctionIndicative(builder, 6, 0, price, lots, at_ns));
    const auto& indicative =
        *flatbuffers::GetRoot<wire::AuctionIndicative>(builder.GetBufferPointer());
    return std::pair{auction_indicative_text(indicative, "SYM"),
                     auction_indicative_json(indicative, "SYM")};
  };
  const auto [text, json] = texts_of(1850, 5);
  EXPECT_EQ(text, "2026-12-01T08:01:00.000Z indicative SYM would uncross 5 lots at 1850 (18.50)");
  EXPECT_EQ(json,
            "{\"type\":\"auction_indicative\",\"symbol\":\"SYM\",\"product_id\":6,"
            "\"price\":1850,\"lots\":5,\"transact_time\":\"2026-12-01T08:01:00.000Z\"}");
  EXPECT_EQ(texts_of(0, 0).first, "2026-12-01T08:01:00.000Z indicative SYM crosses no more");
}

// A call auction's start reads as its state; its uncross as trading again, with the price and
// lots when it traded (else as a plain return to trading).
TEST(ProductStatusFormat, AnUncrossSaysWhatItTraded) {
  const int64_t at_ns = int64_t{1'796'112'060} * 1'000'000'000;
  auto text_of = [&](wire::ProductState state, int64_t price, int64_t lots) {
    flatbuffers::FlatBufferBuilder builder;
    builder.Finish(wire::CreateProductStatus(builder, 6, 0, state, at_ns, price, lots));
    const auto& status = *flatbuffers::GetRoot<wire::ProductStatus>(builder.GetBufferPointer());
    return std::pair{product_status_text(status, "SYM"), product_status_json(status, "SYM")};
  };
  EXPECT_EQ(text_of(wire::ProductState::Auction, 0, 0).first,
            "2026-12-01T08:01:00.000Z status SYM auction");
  {
    flatbuffers::FlatBufferBuilder builder;
    builder.Finish(wire::CreateProductStatus(builder, 6, 0, wire::ProductState::Auction, at_ns, 0,
                                             0, at_ns + 60'000'000'000));
    const auto& status = *flatbuffers::GetRoot<wire::ProductStatus>(builder.GetBufferPointer());
    EXPECT_EQ(product_status_text(status, "SYM"),
              "2026-12-01T08:01:00.000Z status SYM auction, uncrosses 2026-12-01T08:02:00.000Z");
    EXPECT_TRUE(product_status_json(status, "SYM")
                    .ends_with(",\"uncross_time\":\"2026-12-01T08:02:00.000Z\"}"));
  }
  const auto [uncrossed, uncrossed_json] = text_of(wire::ProductState::Trading, 1850, 12);
  EXPECT_EQ(uncrossed,
            "2026-12-01T08:01:00.000Z status SYM trading, uncrossed 12 lots at 1850 "
            "(18.50)");
  EXPECT_NE(uncrossed_json.find(",\"state\":\"trading\","), std::string::npos);
  EXPECT_NE(uncrossed_json.find(",\"uncross_price\":1850,\"uncross_lots\":12}"), std::string::npos);
  EXPECT_EQ(text_of(wire::ProductState::Trading, 1850, 1).first,
            "2026-12-01T08:01:00.000Z status SYM trading, uncrossed 1 lot at 1850 (18.50)");
  EXPECT_EQ(text_of(wire::ProductState::Trading, 0, 0).first,
            "2026-12-01T08:01:00.000Z status SYM trading");
}

TEST(ParticipantStatusFormat, ASuspensionIsOneLineWithItsTime) {
  flatbuffers::FlatBufferBuilder builder;
  builder.Finish(wire::CreateParticipantStatus(builder, builder.CreateString("lab-alpha"), true,
                                               int64_t{1'796'112'060} * 1'000'000'000));
  const auto& status = *flatbuffers::GetRoot<wire::ParticipantStatus>(builder.GetBufferPointer());
  EXPECT_EQ(participant_status_text(status), "2026-12-01T08:01:00.000Z lab-alpha suspended");
  EXPECT_EQ(participant_status_json(status),
            "{\"type\":\"participant_status\",\"participant\":\"lab-alpha\","
            "\"suspended\":true,\"transact_time\":\"2026-12-01T08:01:00.000Z\"}");
}

TEST(ProductFormat, AHaltedProductReadsAsHalted) {
  flatbuffers::FlatBufferBuilder builder;
  const auto symbol = builder.CreateString("H20.CN-NMG-1.2026-12-02T00.DAY");
  builder.Finish(wire::CreateProductInfo(builder, 9, symbol, 0, 0, 493'200, wire::WindowLength::Day,
                                         8, 1, wire::ProductState::Halted));
  const auto& product = *flatbuffers::GetRoot<wire::ProductInfo>(builder.GetBufferPointer());
  EXPECT_TRUE(product_text(product).ends_with("  halted")) << product_text(product);
  EXPECT_NE(product_json(product).find("\"state\":\"halted\""), std::string::npos);
}

TEST(ProductFormat, AProductInItsCallPhaseReadsAsAuction) {
  flatbuffers::FlatBufferBuilder builder;
  const auto symbol = builder.CreateString("H20.CN-NMG-1.2026-12-02T00.DAY");
  builder.Finish(wire::CreateProductInfo(builder, 9, symbol, 0, 0, 493'200, wire::WindowLength::Day,
                                         8, 1, wire::ProductState::Auction));
  const auto& product = *flatbuffers::GetRoot<wire::ProductInfo>(builder.GetBufferPointer());
  EXPECT_TRUE(product_text(product).ends_with("  auction")) << product_text(product);
  EXPECT_NE(product_json(product).find("\"state\":\"auction\""), std::string::npos);
}

// Builds an ExecutionReport message, with whatever `more` adds, and hands its table to `check`.
template <typename Check>
void with_report(wire::ExecType type, Check check,
                 const std::function<void(wire::ExecutionReportBuilder&)>& more = {}) {
  flatbuffers::FlatBufferBuilder builder;
  const auto symbol = builder.CreateString("H100SXM.CN-EAST-1.2026-12-01T08.1H");
  wire::ExecutionReportBuilder report(builder);
  report.add_exec_type(type);
  report.add_client_order_id(21);
  report.add_symbol(symbol);
  report.add_side(wire::Side::Buy);
  report.add_price(1850);
  report.add_quantity(3);
  report.add_remaining(type == wire::ExecType::Filled ? 0 : 3);
  report.add_trade_id(9);
  report.add_fill_price(1850);
  report.add_fill_quantity(3);
  report.add_liquidity(wire::Liquidity::Taker);
  report.add_notional(44'400);
  report.add_fee(44);
  report.add_reject_reason(wire::OrderRejectReason::InsufficientCash);
  report.add_penalty(4'440);
  if (more) more(report);
  const auto body = report.Finish();
  const gateway::Frame frame =
      gateway::finish_frame(builder, wire::Body::ExecutionReport, body.Union());
  check(*gateway::frame_message(frame).body_as_ExecutionReport());
}

TEST(ExecutionReportFormat, AcceptedShowsQuantityPriceAndStatus) {
  with_report(wire::ExecType::Accepted, [](const wire::ExecutionReport& r) {
    EXPECT_EQ(execution_report_text(r),
              "accepted order 21 buy H100SXM.CN-EAST-1.2026-12-01T08.1H: 3 lots at 1850 (18.50) "
              "gtc, 3 open, live");
  });
}

TEST(ExecutionReportFormat, FillShowsTradeLiquidityNotionalAndFee) {
  with_report(wire::ExecType::Filled, [](const wire::ExecutionReport& r) {
    EXPECT_EQ(execution_report_text(r),
              "filled order 21 buy H100SXM.CN-EAST-1.2026-12-01T08.1H: 3 lots at 1850 (18.50), "
              "trade 9, taker, notional 444.00, fee 0.44; 0 open");
    const std::string json = execution_report_json(r);
    EXPECT_NE(json.find("\"exec_type\":\"filled\""), std::string::npos);
    EXPECT_NE(json.find("\"trade_id\":9"), std::string::npos);
    EXPECT_NE(json.find("\"fee\":44"), std::string::npos);
  });
}

TEST(ExecutionReportFormat, FailedTradeAndPaidProceedsSayWhatMoneyMoved) {
  with_report(wire::ExecType::TradeFailed, [](const wire::ExecutionReport& r) {
    EXPECT_EQ(execution_report_text(r),
              "trade 9 failed (H100SXM.CN-EAST-1.2026-12-01T08.1H, you bought): the seller did "
              "not deliver 3 lots (3 still to deliver); refunded 444.00, penalty received 44.40");
    EXPECT_NE(execution_report_json(r).find("\"notional\":44400,\"penalty\":4440"),
              std::string::npos)
        << execution_report_json(r);
  });
  with_report(wire::ExecType::ProceedsPaid, [](const wire::ExecutionReport& r) {
    EXPECT_EQ(execution_report_text(r),
              "proceeds paid for H100SXM.CN-EAST-1.2026-12-01T08.1H: 444.00");
  });
}

TEST(BarFormat, ABarSaysItsPricesVolumeAndWhetherItsMinuteStillRuns) {
  for (const bool closed : {true, false}) {
    flatbuffers::FlatBufferBuilder builder;
    builder.Finish(wire::CreateBar(builder, 3, 0, int64_t{1'796'112'060} * 1'000'000'000, 1850,
                                   1900, 1800, 1810, 6, 3, 88'000, closed));
    const auto& bar = *flatbuffers::GetRoot<wire::Bar>(builder.GetBufferPointer());
    EXPECT_EQ(bar_text(bar, "H100SXM.CN-EAST-1.2026-12-01T08.1H"),
              "2026-12-01T08:01:00.000Z bar H100SXM.CN-EAST-1.2026-12-01T08.1H open 1850 (18.50) "
              "high 1900 (19.00) low 1800 (18.00) close 1810 (18.10), 6 lots in 3 trades" +
                  std::string(closed ? "" : ", running"));
    EXPECT_NE(bar_json(bar, "X").find("\"volume\":6,\"trades\":3,\"notional\":88000,"
                                      "\"closed\":" +
                                      std::string(closed ? "true" : "false")),
              std::string::npos)
        << bar_json(bar, "X");
  }
}

// A cancel by a halt or by a suspension names it, in text and JSON.
TEST(ExecutionReportFormat, ACancelByAHaltOrASuspensionNamesIt) {
  const std::pair<wire::CancelReason, std::string> reasons[] = {
      {wire::CancelReason::ProductHalted, "product-halted"},
      {wire::CancelReason::ParticipantSuspended, "participant-suspended"}};
  for (const auto& [reason, name] : reasons) {
    flatbuffers::FlatBufferBuilder builder;
    const auto symbol = builder.CreateString("H100SXM.CN-EAST-1.2026-12-01T08.1H");
    wire::ExecutionReportBuilder report(builder);
    report.add_exec_type(wire::ExecType::Canceled);
    report.add_client_order_id(21);
    report.add_symbol(symbol);
    report.add_side(wire::Side::Sell);
    report.add_price(1900);
    report.add_quantity(5);
    report.add_order_status(wire::OrderStatus::Done);
    report.add_cancel_reason(reason);
    const auto body = report.Finish();
    const gateway::Frame frame =
        gateway::finish_frame(builder, wire::Body::ExecutionReport, body.Union());
    const auto& r = *gateway::frame_message(frame).body_as_ExecutionReport();
    EXPECT_EQ(execution_report_text(r),
              "canceled order 21 sell H100SXM.CN-EAST-1.2026-12-01T08.1H: 5 lots at 1900 (19.00) "
              "gtc, 0 open, done, reason " +
                  name);
    EXPECT_NE(execution_report_json(r).find("\"reason\":\"" + name + "\""), std::string::npos);
  }
}

// The cash line says when the operator suspended the participant, for people and scripts.
TEST(AccountFormat, ASuspendedAccountSaysSo) {
  for (const bool suspended : {false, true}) {
    flatbuffers::FlatBufferBuilder builder;
    builder.Finish(wire::CreateAccountStatus(builder, 1, 500'000, 0, 0, false, suspended));
    const auto& account = *flatbuffers::GetRoot<wire::AccountStatus>(builder.GetBufferPointer());
    EXPECT_EQ(account_text("lab-alpha", account),
              suspended ? "lab-alpha: cash available 5000.00, held 0.00; suspended (no new "
                          "orders until reinstated)"
                        : "lab-alpha: cash available 5000.00, held 0.00");
    EXPECT_EQ(account_json("lab-alpha", account),
              std::string("{\"type\":\"account\",\"participant\":\"lab-alpha\","
                          "\"available_cash\":500000,\"held_cash\":0,\"suspended\":") +
                  (suspended ? "true}" : "false}"));
  }
}

TEST(ExecutionReportFormat, RejectNamesTheReason) {
  with_report(wire::ExecType::Rejected, [](const wire::ExecutionReport& r) {
    EXPECT_NE(execution_report_text(r).find("reason insufficient-cash"), std::string::npos);
    EXPECT_NE(execution_report_json(r).find("\"reason\":\"insufficient-cash\""),
              std::string::npos);
  });
}

// A block order's fill says which window of how many it is, in text and in JSON.
TEST(ExecutionReportFormat, ABlockOrdersFillNamesItsWindow) {
  with_report(
      wire::ExecType::Filled,
      [](const wire::ExecutionReport& r) {
        EXPECT_EQ(execution_report_text(r),
                  "filled order 21 buy H100SXM.CN-EAST-1.2026-12-01T08.1H (block window 2 of 3): "
                  "3 lots at 1850 (18.50), trade 9, taker, notional 444.00, fee 0.44; 0 open");
        EXPECT_NE(execution_report_json(r).find("\"block_window\":2,\"block_windows\":3"),
                  std::string::npos)
            << execution_report_json(r);
      },
      [](wire::ExecutionReportBuilder& report) {
        report.add_block_window(2);
        report.add_block_windows(3);
      });
}

// A refused block order names the window at fault (its symbol) and why, readably.
TEST(ExecutionReportFormat, ARefusedBlockOrderNamesTheWindowAndTheReason) {
  const std::pair<wire::OrderRejectReason, std::string> reasons[] = {
      {wire::OrderRejectReason::InvalidBlock, "invalid-block"},
      {wire::OrderRejectReason::BlockWindowNotTrading, "block-window-not-trading"},
      {wire::OrderRejectReason::BlockNotFillable, "block-not-fillable"}};
  for (const auto& [reason, name] : reasons) {
    flatbuffers::FlatBufferBuilder builder;
    const auto symbol = builder.CreateString("H100SXM.CN-EAST-1.2026-12-02T00.DAY");
    wire::ExecutionReportBuilder report(builder);
    report.add_exec_type(wire::ExecType::Rejected);
    report.add_client_order_id(31);
    report.add_symbol(symbol);
    report.add_side(wire::Side::Buy);
    report.add_order_type(wire::OrderType::Limit);
    report.add_time_in_force(wire::TimeInForce::FillOrKill);
    report.add_price(1900);
    report.add_quantity(3);
    report.add_order_status(wire::OrderStatus::Done);
    report.add_reject_reason(reason);
    report.add_block_windows(3);
    const auto body = report.Finish();
    const gateway::Frame frame =
        gateway::finish_frame(builder, wire::Body::ExecutionReport, body.Union());
    const auto& r = *gateway::frame_message(frame).body_as_ExecutionReport();
    EXPECT_EQ(execution_report_text(r),
              "rejected order 31 buy H100SXM.CN-EAST-1.2026-12-02T00.DAY (block of 3 windows): 3 "
              "lots at 1900 (19.00) fok, 0 open, done, reason " +
                  name);
    EXPECT_NE(execution_report_json(r).find("\"reason\":\"" + name + "\""), std::string::npos);
  }
}

// The exchange's reject of an order for a product it does not list has no symbol to give: the
// one the command sent is printed; a symbol the report carries wins.
TEST(ExecutionReportFormat, ARejectWithoutASymbolShowsTheSymbolSent) {
  constexpr const char* sent = "H100SXM.CN-EAST-1.2020-01-01T00.1H";
  flatbuffers::FlatBufferBuilder builder;
  wire::ExecutionReportBuilder report(builder);
  report.add_exec_type(wire::ExecType::Rejected);
  report.add_client_order_id(41);
  report.add_product_id(UINT32_MAX);
  report.add_side(wire::Side::Buy);
  report.add_price(1850);
  report.add_quantity(1);
  report.add_order_status(wire::OrderStatus::Done);
  report.add_reject_reason(wire::OrderRejectReason::UnknownProduct);
  const auto body = report.Finish();
  const gateway::Frame frame =
      gateway::finish_frame(builder, wire::Body::ExecutionReport, body.Union());
  const auto& r = *gateway::frame_message(frame).body_as_ExecutionReport();
  EXPECT_EQ(execution_report_text(r, sent),
            "rejected order 41 buy H100SXM.CN-EAST-1.2020-01-01T00.1H: 1 lots at 1850 (18.50) gtc, "
            "0 open, done, reason unknown-product");
  EXPECT_NE(execution_report_json(r, sent).find("\"symbol\":\"" + std::string(sent) + "\""),
            std::string::npos)
      << execution_report_json(r, sent);
  with_report(wire::ExecType::Accepted, [&](const wire::ExecutionReport& carried) {
    EXPECT_NE(execution_report_text(carried, sent).find("H100SXM.CN-EAST-1.2026-12-01T08.1H"),
              std::string::npos);
    EXPECT_EQ(execution_report_text(carried, sent).find(sent), std::string::npos);
  });
}

TEST(ExecutionReportFormat, ARejectOfASuspendedParticipantNamesTheSuspension) {
  flatbuffers::FlatBufferBuilder builder;
  wire::ExecutionReportBuilder report(builder);
  report.add_exec_type(wire::ExecType::Rejected);
  report.add_client_order_id(23);
  report.add_reject_reason(wire::OrderRejectReason::ParticipantSuspended);
  const auto body = report.Finish();
  const gateway::Frame frame =
      gateway::finish_frame(builder, wire::Body::ExecutionReport, body.Union());
  const auto& r = *gateway::frame_message(frame).body_as_ExecutionReport();
  // Refused before it was an order of the book: only the id and the reason.
  EXPECT_EQ(execution_report_text(r), "rejected order 23: participant-suspended");
  EXPECT_NE(execution_report_json(r).find("\"reason\":\"participant-suspended\""),
            std::string::npos);
}

}  // namespace
}  // namespace ghx::cli
