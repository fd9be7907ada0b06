#include "core/rate_limiter.h"

#include <gtest/gtest.h>

#include <random>

#include "testing/seed.h"

namespace boxoffice::core {
namespace {

constexpr TimeMs kT0 = 1'800'000'000'000;

TEST(RateLimiter, ABurstPassesThenTheRateHolds) {
  RateLimiter rl({.per_second = 10, .burst = 5}, 100);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(rl.Take(7, kT0).allowed) << i;
  const RateDecision no = rl.Take(7, kT0);
  EXPECT_FALSE(no.allowed);
  EXPECT_EQ(no.retry_after_ms, 100);  // one token at 10 a second
  EXPECT_FALSE(rl.Take(7, kT0 + 99).allowed);
  EXPECT_TRUE(rl.Take(7, kT0 + 100).allowed);
  // Over a minute at exactly the rate, every request passes.
  for (TimeMs t = kT0 + 200; t < kT0 + 60'000; t += 100) ASSERT_TRUE(rl.Take(7, t).allowed) << t;
}

TEST(RateLimiter, RetryAfterIsExactlyWhenTheRequestWouldPass) {
  const uint64_t seed = testing::TestSeed("RateLimiter.RetryAfterIsExactlyWhenTheRequestWouldPass");
  std::mt19937_64 rng(seed);
  for (int round = 0; round < 200; ++round) {
    const RateLimit limit{static_cast<uint32_t>(1 + rng() % 50),
                          static_cast<uint32_t>(1 + rng() % 20)};
    RateLimiter rl(limit, 10);
    TimeMs t = kT0;
    for (int i = 0; i < 100; ++i) {
      t += static_cast<TimeMs>(rng() % 50);
      const uint32_t cost = static_cast<uint32_t>(1 + rng() % limit.burst);
      const RateDecision d = rl.Take(1, t, cost);
      if (d.allowed) continue;
      ASSERT_GT(d.retry_after_ms, 0);
      RateLimiter early = rl, on_time = rl;
      ASSERT_FALSE(early.Take(1, t + d.retry_after_ms - 1, cost).allowed) << "round " << round;
      ASSERT_TRUE(on_time.Take(1, t + d.retry_after_ms, cost).allowed) << "round " << round;
    }
  }
}

TEST(RateLimiter, KeysAreIndependent) {
  RateLimiter rl({.per_second = 1, .burst = 1}, 100);
  EXPECT_TRUE(rl.Take(1, kT0).allowed);
  EXPECT_FALSE(rl.Take(1, kT0).allowed);
  EXPECT_TRUE(rl.Take(2, kT0).allowed);  // another client is unaffected
}

TEST(RateLimiter, MemoryIsBoundedUnderAFloodOfNewKeys) {
  RateLimiter rl({.per_second = 1, .burst = 2}, 1000);
  for (uint64_t k = 1; k <= 1000; ++k) ASSERT_TRUE(rl.Take(k, kT0).allowed);
  EXPECT_FALSE(rl.Take(5000, kT0).allowed);  // full, and nobody refilled yet
  EXPECT_EQ(rl.keys(), 1000u);
  // Two seconds later every bucket is full again: they make room.
  EXPECT_TRUE(rl.Take(5000, kT0 + 2'000).allowed);
  EXPECT_EQ(rl.keys(), 1u);
}

TEST(RateLimiter, LongIdlePeriodsDoNotOverflow) {
  RateLimiter rl({.per_second = 4'000'000'000u, .burst = 3}, 10);
  EXPECT_TRUE(rl.Take(1, kT0, 3).allowed);
  EXPECT_TRUE(rl.Take(1, kT0 + 1'000'000'000'000, 3).allowed);
  EXPECT_FALSE(rl.Take(1, kT0 + 1'000'000'000'000, 1).allowed);
}

}  // namespace
}  // namespace boxoffice::core
