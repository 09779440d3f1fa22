#include "gateway/token_bucket.h"

#include <gtest/gtest.h>

namespace ghx::gateway {
namespace {

constexpr int64_t ms = 1'000'000;

TEST(TokenBucket, BurstIsAvailableAtOnceThenRefused) {
  TokenBucket bucket(10, 3);
  EXPECT_TRUE(bucket.try_take(0));
  EXPECT_TRUE(bucket.try_take(0));
  EXPECT_TRUE(bucket.try_take(0));
  EXPECT_FALSE(bucket.try_take(0));
}

TEST(TokenBucket, RefillsAtTheRate) {
  TokenBucket bucket(10, 1);  // one token per 100 ms
  EXPECT_TRUE(bucket.try_take(0));
  EXPECT_FALSE(bucket.try_take(99 * ms));
  EXPECT_TRUE(bucket.try_take(100 * ms));
  EXPECT_FALSE(bucket.try_take(150 * ms));
  EXPECT_TRUE(bucket.try_take(200 * ms));
}

TEST(TokenBucket, PartialIntervalsAccumulate) {
  TokenBucket bucket(10, 1);
  EXPECT_TRUE(bucket.try_take(0));
  for (int64_t t = 10; t < 100; t += 10) EXPECT_FALSE(bucket.try_take(t * ms));
  EXPECT_TRUE(bucket.try_take(100 * ms));
}

TEST(TokenBucket, NeverExceedsBurst) {
  TokenBucket bucket(1000, 5);
  int taken = 0;
  for (int i = 0; i < 100; ++i) taken += bucket.try_take(10'000 * ms) ? 1 : 0;
  EXPECT_EQ(taken, 5);
}

TEST(TokenBucket, TimeGoingBackwardsEarnsNothing) {
  TokenBucket bucket(10, 1);
  EXPECT_TRUE(bucket.try_take(1000 * ms));
  EXPECT_FALSE(bucket.try_take(0));
}

TEST(TokenBucket, ACostTakesThatManyTokensOrNone) {
  TokenBucket bucket(10, 5);
  EXPECT_TRUE(bucket.try_take(0, 3));
  EXPECT_FALSE(bucket.try_take(0, 3));  // two left: none taken
  EXPECT_EQ(bucket.tokens(), 2u);
  EXPECT_TRUE(bucket.try_take(100 * ms, 3));  // one more came
  EXPECT_EQ(bucket.tokens(), 0u);
}

TEST(TokenBucket, ACostAboveTheBurstNeverPasses) {
  TokenBucket bucket(10, 5);
  EXPECT_FALSE(bucket.try_take(0, 6));
  EXPECT_FALSE(bucket.try_take(10'000 * ms, 6));
  EXPECT_EQ(bucket.tokens(), 5u);
  EXPECT_TRUE(bucket.try_take(10'000 * ms, 5));
}

}  // namespace
}  // namespace ghx::gateway
