#include "gateway/wire_requests.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ghx::cli {

using namespace gateway;  // the request builders (gateway/wire_requests.h)
namespace {

// Every request must pass the server's own checks (Verifier and validate_message).
const wire::Message& decoded(const gateway::Frame& frame) {
  const gateway::Decoded result =
      gateway::decode_frame(frame, gateway::FrameLimits{}, gateway::Direction::to_server);
  EXPECT_TRUE(result.check.ok()) << result.check.detail;
  return *result.message;
}

constexpr const char* symbol = "H100SXM.CN-EAST-1.2026-12-01T08.1H";

TEST(WireRequests, ReplaceCarriesBothIdsPriceAndQuantity) {
  const gateway::Frame frame = make_replace_order({7, 8, symbol, 1900, 5});
  const auto* replace = decoded(frame).body_as_ReplaceOrder();
  ASSERT_NE(replace, nullptr);
  EXPECT_EQ(replace->orig_client_order_id(), 7u);
  EXPECT_EQ(replace->client_order_id(), 8u);
  EXPECT_EQ(replace->symbol()->str(), symbol);
  EXPECT_EQ(replace->price(), 1900);
  EXPECT_EQ(replace->quantity(), 5);
}

TEST(WireRequests, MassCancelWithoutProductLeavesTheSymbolAbsent) {
  const gateway::Frame all = make_mass_cancel("");
  EXPECT_EQ(decoded(all).body_as_MassCancel()->symbol(), nullptr);
  const gateway::Frame one = make_mass_cancel(symbol);
  EXPECT_EQ(decoded(one).body_as_MassCancel()->symbol()->str(), symbol);
}

TEST(WireRequests, StatusAndSubscribeAndListProducts) {
  const gateway::Frame status = make_order_status_request(99);
  EXPECT_EQ(decoded(status).body_as_OrderStatusRequest()->orig_client_order_id(), 99u);
  const std::vector<std::string> symbols = {symbol, "H20.CN-NMG-1.2026-12-01T08.1H"};
  const gateway::Frame subscribe = make_subscribe(symbols, true, false);
  const auto* sub = decoded(subscribe).body_as_Subscribe();
  ASSERT_NE(sub, nullptr);
  EXPECT_EQ(sub->symbols()->size(), 2u);
  EXPECT_TRUE(sub->book());
  EXPECT_FALSE(sub->trades());
  const gateway::Frame list = make_list_products(3, "H20", "");
  const auto* products = decoded(list).body_as_ListProducts();
  EXPECT_EQ(products->gpu()->str(), "H20");
  EXPECT_EQ(products->zone(), nullptr);
}

TEST(WireRequests, OperatorCommandsNameParticipantAndAmounts) {
  const gateway::Frame deposit = make_deposit(1, "lab-alpha", 1'000'000);
  EXPECT_EQ(decoded(deposit).body_as_Deposit()->amount(), 1'000'000);
  const gateway::Frame withdraw = make_withdraw(2, "lab-alpha", 5);
  EXPECT_EQ(decoded(withdraw).body_as_Withdraw()->participant()->str(), "lab-alpha");
  const gateway::Frame reg = make_register_capacity(3, "dc-shanghai", symbol, 40);
  EXPECT_EQ(decoded(reg).body_as_RegisterCapacity()->quantity(), 40);
  const gateway::Frame failed = make_delivery_outcome({4, 17, "", 0, 2, "no power"});
  const auto* outcome = decoded(failed).body_as_DeliveryOutcome();
  EXPECT_EQ(outcome->trade_id(), 17u);
  EXPECT_EQ(outcome->failed_quantity(), 2);
  EXPECT_EQ(outcome->text()->str(), "no power");
}

TEST(WireRequests, TradingHaltNamesTheProductAndWhatToDo) {
  const gateway::Frame halt = make_trading_halt(5, symbol, true, true);
  const auto* request = decoded(halt).body_as_TradingHalt();
  ASSERT_NE(request, nullptr);
  EXPECT_EQ(request->request_id(), 5u);
  EXPECT_EQ(request->symbol()->str(), symbol);
  EXPECT_FALSE(request->product_id().has_value());
  EXPECT_TRUE(request->halt());
  EXPECT_TRUE(request->cancel_orders());
  const gateway::Frame resume = make_trading_halt(6, symbol, false);
  EXPECT_FALSE(decoded(resume).body_as_TradingHalt()->halt());
  EXPECT_FALSE(decoded(resume).body_as_TradingHalt()->cancel_orders());
}

TEST(WireRequests, AuctionNamesTheProductTheActionAndTheUncrossTime) {
  const gateway::Frame start =
      make_auction(8, symbol, wire::AuctionAction::Start, 1'796'112'900'000'000'000);
  const auto* request = decoded(start).body_as_Auction();
  ASSERT_NE(request, nullptr);
  EXPECT_EQ(request->request_id(), 8u);
  EXPECT_EQ(request->symbol()->str(), symbol);
  EXPECT_FALSE(request->product_id().has_value());
  EXPECT_EQ(request->action(), wire::AuctionAction::Start);
  EXPECT_EQ(request->uncross_time_ns(), 1'796'112'900'000'000'000);
  const gateway::Frame uncross = make_auction(9, symbol, wire::AuctionAction::Uncross);
  EXPECT_EQ(decoded(uncross).body_as_Auction()->action(), wire::AuctionAction::Uncross);
  EXPECT_EQ(decoded(uncross).body_as_Auction()->uncross_time_ns(), 0);
}

TEST(WireRequests, SuspensionNamesTheParticipantAndWhatToDo) {
  const gateway::Frame suspend = make_suspension(7, "lab-alpha", true);
  const auto* request = decoded(suspend).body_as_Suspension();
  ASSERT_NE(request, nullptr);
  EXPECT_EQ(request->request_id(), 7u);
  EXPECT_EQ(request->participant()->str(), "lab-alpha");
  EXPECT_TRUE(request->suspend());
  const gateway::Frame reinstate = make_suspension(8, "lab-alpha", false);
  EXPECT_FALSE(decoded(reinstate).body_as_Suspension()->suspend());
}

TEST(WireRequests, TheServerRefusesAMeaninglessReplace) {
  const gateway::Frame frame = make_replace_order({7, 8, symbol, 0, 5});
  const gateway::Decoded result =
      gateway::decode_frame(frame, gateway::FrameLimits{}, gateway::Direction::to_server);
  EXPECT_FALSE(result.check.ok());
}

}  // namespace
}  // namespace ghx::cli
