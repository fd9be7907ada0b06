#include "service/system_clock.h"

#include <gtest/gtest.h>

namespace boxoffice::service {
namespace {

// Deadlines shown to fans are NowMs values moved onto the wall clock: the
// same instant must read the same every time while the wall clock is not
// stepped, though two clocks are read for it.
TEST(SystemClockTest, AnInstantReadsTheSameOnTheWallClockEveryTime) {
  const SystemClock clock;
  const core::TimeMs t = clock.NowMs() + 60'000;
  const core::TimeMs first = clock.ToWallMs(t);
  for (int i = 0; i < 100'000; ++i) ASSERT_EQ(clock.ToWallMs(t), first) << i;
  EXPECT_EQ(clock.FromWallMs(first), t);
  EXPECT_LE(std::abs(first - (SystemWallMs() + 60'000)), kWallStepMinMs);
}

}  // namespace
}  // namespace boxoffice::service
