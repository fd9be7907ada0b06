#include "live/stream_policy.h"

#include <gtest/gtest.h>

#include "testing/fake_clock.h"

namespace boxoffice::live {
namespace {

using testing::FakeClock;

TEST(StreamPolicy, HeartbeatAfterAQuietPeriodOnly) {
  const StreamTiming t{1000, 5000};
  FakeClock clock;
  const core::TimeMs last_sent = clock.now_ms();
  clock.Advance(999);
  EXPECT_EQ(Tick(t, clock.now_ms(), last_sent, std::nullopt), TickAction::kNone);
  clock.Advance(1);
  EXPECT_EQ(Tick(t, clock.now_ms(), last_sent, std::nullopt), TickAction::kHeartbeat);
}

TEST(StreamPolicy, AWriteThatDoesNotDrainDisconnects) {
  const StreamTiming t{1000, 5000};
  FakeClock clock;
  const core::TimeMs started = clock.now_ms();
  clock.Advance(4999);
  // Quiet for longer than the heartbeat, but a write is in flight: no heartbeat.
  EXPECT_EQ(Tick(t, clock.now_ms(), started - 10'000, started), TickAction::kNone);
  clock.Advance(1);
  EXPECT_EQ(Tick(t, clock.now_ms(), started - 10'000, started), TickAction::kDisconnect);
}

TEST(StreamPolicy, TicksOftenEnoughForTheShorterPeriod) {
  EXPECT_EQ(TickIntervalMs({1000, 5000}), 250);
  EXPECT_EQ(TickIntervalMs({8000, 2000}), 500);
  EXPECT_EQ(TickIntervalMs({20, 20}), 10);
}

}  // namespace
}  // namespace boxoffice::live
