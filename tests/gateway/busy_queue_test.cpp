// A full request queue refuses what can be refused (a new order, a logon: the participant is
// told ServerBusy and may try again) but not what cannot: the cancel-on-disconnect of a
// session that just ended, and its close, use slots the others leave free. Checked on a core
// whose engine has not started yet, so nothing drains the queue while it fills.

#include <gtest/gtest.h>

#include <string>

#include "gateway/bounded_queue.h"
#include "gateway/exchange_core.h"
#include "tests/gateway/eventually.h"
#include "tests/gateway/test_pki.h"

namespace ghx::gateway {
namespace {

TEST(BoundedQueue, APushThatKeepsSlotsFreeLeavesThemToOneThatDoesNot) {
  BoundedQueue<int> queue(4);
  EXPECT_TRUE(queue.try_push(1, 2));
  EXPECT_TRUE(queue.try_push(2, 2));
  EXPECT_FALSE(queue.try_push(3, 2));  // would leave one free, not two
  EXPECT_TRUE(queue.try_push(3));
  EXPECT_TRUE(queue.try_push(4));
  EXPECT_FALSE(queue.try_push(5));  // full
  std::vector<int> taken;
  EXPECT_EQ(queue.pop_all(taken, 10, std::chrono::milliseconds(0)), 4u);
  EXPECT_EQ(taken, (std::vector<int>{1, 2, 3, 4}));
  queue.close();
  EXPECT_FALSE(queue.try_push(6));
}

Request engine_request(matching::CommandType type, uint32_t participant) {
  Request request;
  request.command.engine.type = type;
  request.command.engine.participant = {participant};
  return request;
}

TEST(ExchangeCoreQueue, ABusyExchangeStillTakesWhatASessionsEndNeeds) {
  const auto dir = test::fresh_temp_dir("busy-queue");
  ExchangeCoreConfig config;
  config.data_directory = (dir / "ledger").string();
  config.request_queue_capacity = 16;  // two kept for must_submit
  std::filesystem::create_directories(config.data_directory);
  ExchangeCore core(config);

  size_t taken = 0;
  while (core.submit(engine_request(matching::CommandType::deposit, 1))) ++taken;
  EXPECT_EQ(taken, 14u);
  EXPECT_TRUE(core.must_submit(engine_request(matching::CommandType::mass_cancel, 1)));
  Request closed;
  closed.command.kind = ExchangeCommandKind::session_closed;
  closed.command.engine.participant = {1};
  EXPECT_TRUE(core.must_submit(std::move(closed)));
  EXPECT_FALSE(core.must_submit(engine_request(matching::CommandType::mass_cancel, 1)));

  // Once the engine runs, every request taken is sequenced, journaled and committed.
  std::atomic<uint64_t> committed{0};
  core.start([&](const CommittedBatch& batch) { committed += batch.commands; });
  EXPECT_TRUE(test::eventually([&] { return committed.load() == 16; }));
  core.stop();
  EXPECT_EQ(core.stats().commands.load(), 16u);
}

}  // namespace
}  // namespace ghx::gateway
