#include "tools/ghx/order_options.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ghx::cli {
namespace {

constexpr const char* symbol = "H100SXM.CN-EAST-1.2026-12-01T08.1H";
constexpr int64_t ns_per_second = 1'000'000'000;
// 2026-11-29T04:00:00Z
constexpr int64_t now_ns = 1'795'924'800LL * ns_per_second;

ParsedArgs args_of(std::vector<std::string> positional,
                   std::map<std::string, std::string, std::less<>> options = {}) {
  ParsedArgs args;
  args.positional = std::move(positional);
  args.options = std::move(options);
  return args;
}

int usage_exit_of(const std::function<void()>& body) {
  try {
    body();
  } catch (const CliError& e) {
    return e.exit_code;
  }
  return -1;
}

TEST(OrderOptions, PlainLimitBuyHasTheDefaults) {
  OrderRequest order;
  parse_order(wire::Side::Buy, args_of({symbol, "4", "18.50"}), now_ns, order);
  EXPECT_EQ(order.fields.symbol, symbol);
  EXPECT_EQ(order.fields.side, wire::Side::Buy);
  EXPECT_EQ(order.fields.order_type, wire::OrderType::Limit);
  EXPECT_EQ(order.fields.time_in_force, wire::TimeInForce::GoodTillGateClosure);
  EXPECT_EQ(order.fields.price, 1850);
  EXPECT_EQ(order.fields.quantity, 4);
  EXPECT_EQ(order.fields.self_trade, wire::SelfTradePrevention::CancelTaker);
  EXPECT_EQ(order.fields.client_order_id, static_cast<uint64_t>(now_ns / 1000));
}

TEST(OrderOptions, EveryOptionReachesTheNewOrder) {
  OrderRequest order;
  parse_order(wire::Side::Sell,
              args_of({symbol, "16", "1900"}, {{"tif", "gtt"},
                                               {"expire", "+60"},
                                               {"min-qty", "8"},
                                               {"stp", "cancel-both"},
                                               {"id", "77"}}),
              now_ns, order);
  EXPECT_EQ(order.fields.side, wire::Side::Sell);
  EXPECT_EQ(order.fields.time_in_force, wire::TimeInForce::GoodTillTime);
  EXPECT_EQ(order.fields.expire_time_ns, now_ns + 60 * ns_per_second);
  EXPECT_EQ(order.fields.min_quantity, 8);
  EXPECT_EQ(order.fields.self_trade, wire::SelfTradePrevention::CancelBoth);
  EXPECT_EQ(order.fields.client_order_id, 77u);
  OrderRequest post_only;  // without a minimum: with one it could never trade it
  parse_order(wire::Side::Sell, args_of({symbol, "16", "1900"}, {{"post-only", ""}}), now_ns,
              post_only);
  EXPECT_TRUE(post_only.fields.post_only);
}

TEST(OrderOptions, ExpireAloneMeansGoodTillTime) {
  OrderRequest order;
  parse_order(wire::Side::Buy, args_of({symbol, "1", "100"}, {{"expire", "+5"}}), now_ns, order);
  EXPECT_EQ(order.fields.time_in_force, wire::TimeInForce::GoodTillTime);
}

TEST(OrderOptions, MarketOrderMayLeaveOutThePrice) {
  OrderRequest order;
  parse_order(wire::Side::Buy, args_of({symbol, "2"}, {{"type", "market"}, {"tif", "ioc"}}), now_ns,
              order);
  EXPECT_EQ(order.fields.order_type, wire::OrderType::Market);
  EXPECT_EQ(order.fields.time_in_force, wire::TimeInForce::ImmediateOrCancel);
  EXPECT_EQ(order.fields.price, 0);
}

TEST(OrderOptions, BadOrdersAreUsageErrorsBeforeAnyConnection) {
  const std::vector<ParsedArgs> bad = {
      args_of({symbol, "2"}),                                     // limit without a price
      args_of({"H100SXM.CN-EAST-1.2026-12-01T08.2H", "1", "1"}),  // bad window length
      args_of({symbol, "0", "100"}),                              // zero lots
      args_of({symbol, "1", "0"}),                                // zero price
      args_of({symbol, "1", "18.505"}),                           // sub-cent price
      args_of({symbol, "1", "100"}, {{"tif", "gtt"}}),            // gtt without expiry
      args_of({symbol, "1", "100"}, {{"tif", "ioc"}, {"expire", "+5"}}),
      args_of({symbol, "1", "100"}, {{"expire", "2020-01-01T00:00:00Z"}}),  // past
      args_of({symbol, "1", "100"}, {{"min-qty", "2"}}),                    // min above quantity
      args_of({symbol, "1", "100"}, {{"type", "stop"}}),
      args_of({symbol, "1", "100"}, {{"tif", "day"}}),
      args_of({symbol, "1", "100"}, {{"stp", "cancel-nobody"}}),
      args_of({symbol, "1", "100"}, {{"id", "0"}}),
      args_of({symbol, "1"}, {{"type", "market"}, {"post-only", ""}}),
      args_of({symbol, "4", "100"}, {{"post-only", ""}, {"min-qty", "2"}}),
      args_of({symbol, "1", "100", "extra"}),
      args_of({symbol, "1", "18.50"}, {{"type", "market"}}),  // a market order has no price
  };
  for (const ParsedArgs& args : bad) {
    OrderRequest order;
    EXPECT_EQ(usage_exit_of([&] { parse_order(wire::Side::Buy, args, now_ns, order); }),
              exit_usage)
        << (args.positional.size() > 1 ? args.positional[1] : "");
  }
}

// --windows N makes a block order: fill-or-kill limit, which it sets itself (--tif fok may
// say so too); everything else about the order is as usual.
TEST(OrderOptions, WindowsMakesAFillOrKillBlockOrder) {
  for (const auto& options : std::vector<std::map<std::string, std::string, std::less<>>>{
           {{"windows", "3"}},
           {{"windows", "3"}, {"tif", "fok"}, {"type", "limit"}, {"stp", "cancel-maker"}}}) {
    OrderRequest order;
    parse_order(wire::Side::Buy, args_of({symbol, "4", "18.50"}, options), now_ns, order);
    EXPECT_EQ(order.fields.windows, 3);
    EXPECT_EQ(order.fields.order_type, wire::OrderType::Limit);
    EXPECT_EQ(order.fields.time_in_force, wire::TimeInForce::FillOrKill);
    EXPECT_EQ(order.fields.price, 1850);
    EXPECT_EQ(order.fields.quantity, 4);
    EXPECT_FALSE(order.fields.post_only);
    EXPECT_EQ(order.fields.min_quantity, 0);
  }
  OrderRequest most;
  parse_order(wire::Side::Sell, args_of({symbol, "1", "100"}, {{"windows", "31"}}), now_ns, most);
  EXPECT_EQ(most.fields.windows, 31);  // the engine's limit
  OrderRequest plain;
  parse_order(wire::Side::Buy, args_of({symbol, "4", "18.50"}), now_ns, plain);
  EXPECT_EQ(plain.fields.windows, 0);
}

// A block takes no option that would make it other than fill-or-kill limit; the error names
// the option rather than overriding it.
TEST(OrderOptions, WindowsRefusesTheOptionsOfOtherOrderTypes) {
  const std::pair<std::map<std::string, std::string, std::less<>>, std::string> bad[] = {
      {{{"tif", "ioc"}}, "--tif ioc"},
      {{{"tif", "gtc"}}, "--tif gtc"},
      {{{"tif", "gtt"}, {"expire", "+5"}}, "--tif gtt"},
      {{{"expire", "+5"}}, "--expire"},
      {{{"type", "market"}}, "--type market"},
      {{{"post-only", ""}}, "--post-only"},
      {{{"min-qty", "2"}}, "--min-qty"},
  };
  for (const auto& [options, named] : bad) {
    auto with_windows = options;
    with_windows["windows"] = "3";
    OrderRequest order;
    try {
      parse_order(wire::Side::Buy, args_of({symbol, "4", "18.50"}, with_windows), now_ns, order);
      ADD_FAILURE() << named << " was taken";
    } catch (const CliError& e) {
      EXPECT_EQ(e.exit_code, exit_usage) << named;
      EXPECT_EQ(
          std::string(e.what()),
          "--windows makes a block order, fill-or-kill limit in every window: not with " + named);
    }
  }
  for (const char* windows : {"0", "1", "256", "-3", "three"}) {
    OrderRequest order;
    EXPECT_EQ(usage_exit_of([&] {
                parse_order(wire::Side::Buy,
                            args_of({symbol, "4", "18.50"}, {{"windows", windows}}), now_ns, order);
              }),
              exit_usage)
        << windows;
  }
}

// The engine refuses a block of more than 31 windows: the CLI says so before sending it.
TEST(OrderOptions, WindowsBeyondTheEnginesLimitAreAUsageError) {
  for (const char* windows : {"32", "255"}) {
    OrderRequest order;
    try {
      parse_order(wire::Side::Buy, args_of({symbol, "4", "18.50"}, {{"windows", windows}}), now_ns,
                  order);
      ADD_FAILURE() << windows << " was taken";
    } catch (const CliError& e) {
      EXPECT_EQ(e.exit_code, exit_usage);
      EXPECT_EQ(std::string(e.what()),
                "--windows takes 2..31 (a block order over that many consecutive windows), got " +
                    std::string(windows));
    }
  }
}

// The error names the part at fault and gives an example, and the form once.
TEST(OrderOptions, ABadSymbolSaysWhatIsWrongOnce) {
  const auto error_of = [](const char* bad) -> std::string {
    try {
      check_symbol(bad);
    } catch (const CliError& e) {
      EXPECT_EQ(e.exit_code, exit_usage);
      return e.what();
    }
    return "";
  };
  EXPECT_EQ(error_of("H100.NOWHERE"),
            "bad product symbol: symbol 'H100.NOWHERE' has 2 parts; expected "
            "GPU.ZONE.START.LENGTH (e.g. H100SXM.CN-EAST-1.2026-12-01T08.1H)");
  EXPECT_EQ(error_of("H100.CN-EAST-1.2026-12-01T08.2H"),
            "bad product symbol: window length '2H' is not one of 1H, 4H, DAY, WEEK (e.g. "
            "H100SXM.CN-EAST-1.2026-12-01T08.1H)");
}

TEST(OrderOptions, ExpireAcceptsIso8601InUtcOrWithAnOffset) {
  const int64_t at = 1'796'011'200LL * ns_per_second;  // 2026-11-30T04:00:00Z
  EXPECT_EQ(parse_expire("2026-11-30T04:00:00Z", now_ns), at);
  EXPECT_EQ(parse_expire("2026-11-30T04", now_ns), at);
  EXPECT_EQ(parse_expire("2026-11-30 04:00", now_ns), at);
  EXPECT_EQ(parse_expire("2026-11-30T12:00:00+08:00", now_ns), at);
  EXPECT_EQ(parse_expire("2026-11-29T23:30:00-04:30", now_ns), at);
  EXPECT_EQ(parse_expire("2026-11-30T04:00:00.250Z", now_ns), at + 250'000'000);
  EXPECT_EQ(parse_expire("+3600", now_ns), now_ns + 3600 * ns_per_second);
}

TEST(OrderOptions, ExpireRefusesMalformedTimes) {
  for (const char* bad : {"tomorrow", "2026-13-01T00", "2026-11-30", "2026-11-30T25",
                          "2026-11-30T04:61", "2026-11-30T04:00:00Q", "+", "+-5", "+abc",
                          "2027-04-31T08Z", "2027-02-29T08Z", "2027-02-30T08"}) {
    EXPECT_EQ(usage_exit_of([&] { parse_expire(bad, now_ns); }), exit_usage) << bad;
  }
}

// ghx auction --uncross-at takes the times --expire takes, and its errors name it.
TEST(OrderOptions, UncrossAtTakesTheTimesExpireTakes) {
  const int64_t at = 1'796'011'200LL * ns_per_second;  // 2026-11-30T04:00:00Z
  EXPECT_EQ(parse_future_time("2026-11-30T04:00:00Z", now_ns, "--uncross-at"), at);
  EXPECT_EQ(parse_future_time("2026-11-30T12:00+08:00", now_ns, "--uncross-at"), at);
  EXPECT_EQ(parse_future_time("+90", now_ns, "--uncross-at"), now_ns + 90 * ns_per_second);
  for (const char* bad : {"soon", "2026-11-30", "+", "+-5"}) {
    try {
      parse_future_time(bad, now_ns, "--uncross-at");
      ADD_FAILURE() << bad << " was taken";
    } catch (const CliError& e) {
      EXPECT_EQ(e.exit_code, exit_usage) << bad;
      EXPECT_EQ(std::string(e.what()).rfind("--uncross-at", 0), 0u) << e.what();
    }
  }
}

}  // namespace
}  // namespace ghx::cli
