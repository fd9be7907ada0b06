#include "loadgen/fan_model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>

#include "testing/seed.h"

namespace boxoffice::loadgen {
namespace {

using core::SeatState;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(ArrivalOffset, AllAtOnceArriveAtTheStart) {
  for (uint64_t i : {0u, 1u, 999u})
    EXPECT_EQ(ArrivalOffsetMs(ArrivalProfile::kAllAtOnce, i, 1000, 10'000), 0);
}

TEST(ArrivalOffset, SteadyArrivalsAreEvenlySpread) {
  EXPECT_EQ(ArrivalOffsetMs(ArrivalProfile::kSteady, 0, 1000, 10'000), 0);
  EXPECT_EQ(ArrivalOffsetMs(ArrivalProfile::kSteady, 250, 1000, 10'000), 2'500);
  EXPECT_EQ(ArrivalOffsetMs(ArrivalProfile::kSteady, 999, 1000, 10'000), 9'990);
}

TEST(ArrivalOffset, RampArrivalsQuickenOverTheSpan) {
  // A quarter of the fans arrive in the first half of the span.
  EXPECT_EQ(ArrivalOffsetMs(ArrivalProfile::kRamp, 250, 1000, 10'000), 5'000);
  core::DurationMs previous = 0, previous_gap = INT64_MAX;
  for (uint64_t i = 100; i < 1000; i += 100) {
    const core::DurationMs t = ArrivalOffsetMs(ArrivalProfile::kRamp, i, 1000, 10'000);
    EXPECT_GT(t, previous);
    EXPECT_LT(t - previous, previous_gap) << "gaps shrink: the rate grows";
    previous_gap = t - previous;
    previous = t;
  }
  EXPECT_LT(previous, 10'000);
}

TEST(ArrivalProfileNames, RoundTrip) {
  for (ArrivalProfile p :
       {ArrivalProfile::kAllAtOnce, ArrivalProfile::kRamp, ArrivalProfile::kSteady}) {
    EXPECT_EQ(ParseArrivalProfile(ArrivalProfileName(p)), p);
  }
  EXPECT_EQ(ParseArrivalProfile("burst"), std::nullopt);
}

TEST(SeatsWanted, PairsAreMostCommonAndEveryCountFromOneToSixOccurs) {
  std::mt19937_64 rng(testing::TestSeed("PairsAreMostCommonAndEveryCountFromOneToSixOccurs"));
  std::array<int, kSeatsPerFanMax + 1> seen{};
  for (int i = 0; i < 100'000; ++i) {
    const uint32_t n = SeatsWanted(rng);
    ASSERT_GE(n, 1u);
    ASSERT_LE(n, kSeatsPerFanMax);
    seen[n]++;
  }
  for (uint32_t n = 1; n <= kSeatsPerFanMax; ++n) EXPECT_GT(seen[n], 3'000) << n;  // 5 % is 5,000
  EXPECT_GT(seen[2], 36'000);                                                      // 40 %
  EXPECT_LT(seen[2], 44'000);
}

// One section: row 1 has seats 0..5 with an aisle after seat 2; row 2 has 6..9.
SeatMapView TwoRows() {
  SeatMapView m;
  m.sections.push_back({"S", false, 10, 0, 10});
  m.rows = {{0, 6}, {6, 4}};
  for (int i = 0; i < 10; ++i) m.labels.push_back("S-" + std::to_string(i));
  m.aisle_after = {0, 0, 1, 0, 0, 1, 0, 0, 0, 1};
  return m;
}

TEST(PickAdjacentFreeSeats, PicksARunWithinOneRowAndBlock) {
  const SeatMapView m = TwoRows();
  std::vector<SeatState> states(10, SeatState::kBooked);
  states[1] = states[2] = states[3] = SeatState::kFree;  // across the aisle: not adjacent
  states[7] = states[8] = SeatState::kFree;
  std::mt19937_64 rng(1);
  for (int i = 0; i < 20; ++i)
    EXPECT_THAT(PickAdjacentFreeSeats(m, states, 2, rng),
                ::testing::AnyOf(ElementsAre(1, 2), ElementsAre(7, 8)));
}

TEST(PickAdjacentFreeSeats, FallsBackToTheLongestShorterRun) {
  const SeatMapView m = TwoRows();
  std::vector<SeatState> states(10, SeatState::kHeld);
  states[4] = SeatState::kFree;
  states[8] = states[9] = SeatState::kFree;
  std::mt19937_64 rng(2);
  EXPECT_THAT(PickAdjacentFreeSeats(m, states, 4, rng), ElementsAre(8, 9));
}

TEST(PickAdjacentFreeSeats, NothingFreeGivesNothing) {
  const SeatMapView m = TwoRows();
  const std::vector<SeatState> states(10, SeatState::kBooked);
  std::mt19937_64 rng(3);
  EXPECT_THAT(PickAdjacentFreeSeats(m, states, 1, rng), IsEmpty());
}

TEST(PickAdjacentFreeSeats, RandomStatesAlwaysYieldFreeAdjacentSeatsOfOneRow) {
  const uint64_t seed = testing::TestSeed("RandomStatesAlwaysYieldFreeAdjacentSeatsOfOneRow");
  std::mt19937_64 rng(seed);
  const SeatMapView m = TwoRows();
  for (int round = 0; round < 10'000; ++round) {
    std::vector<SeatState> states(10);
    for (SeatState& s : states) s = static_cast<SeatState>(rng() % 4);
    const auto count = static_cast<uint32_t>(1 + rng() % 6);
    const std::vector<uint32_t> seats = PickAdjacentFreeSeats(m, states, count, rng);
    const bool any_free = std::count(states.begin(), states.end(), SeatState::kFree) > 0;
    ASSERT_EQ(seats.empty(), !any_free);
    ASSERT_LE(seats.size(), count);
    for (size_t i = 0; i < seats.size(); ++i) {
      ASSERT_EQ(states[seats[i]], SeatState::kFree);
      if (i > 0) {
        ASSERT_EQ(seats[i], seats[i - 1] + 1);
        ASSERT_EQ(m.aisle_after[seats[i - 1]], 0) << "picked across an aisle or a row's end";
      }
    }
  }
}

TEST(ChooseWhatToDo, FollowsTheShares) {
  std::mt19937_64 rng(testing::TestSeed("FollowsTheShares"));
  std::array<int, 3> seen{};
  for (int i = 0; i < 100'000; ++i) seen[static_cast<size_t>(ChooseWhatToDo(0.7, 0.1, rng))]++;
  EXPECT_NEAR(seen[0], 70'000, 1'500);
  EXPECT_NEAR(seen[1], 10'000, 1'000);
  EXPECT_NEAR(seen[2], 20'000, 1'200);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(ChooseWhatToDo(0, 0, rng), HoldChoice::kPay);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(ChooseWhatToDo(1, 0, rng), HoldChoice::kAbandon);
}

}  // namespace
}  // namespace boxoffice::loadgen
