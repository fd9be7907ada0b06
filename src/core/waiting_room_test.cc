#include "core/waiting_room.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "testing/fake_clock.h"
#include "testing/seed.h"

namespace boxoffice::core {
namespace {

constexpr TimeMs kOpen = 1'800'000'000'000;
constexpr TimeMs kOnsale = kOpen + 3'600'000;
constexpr DurationMs kMinute = 60'000;

LotterySeed Seed(uint8_t first) {
  LotterySeed s{};
  for (size_t i = 0; i < s.size(); ++i) s[i] = static_cast<uint8_t>(first + 7 * i);
  return s;
}

WaitingRoomPolicy Policy(uint32_t per_minute = 600, uint32_t active_max = 1'000'000,
                         DurationMs session = 10 * kMinute) {
  return WaitingRoomPolicy{kOpen, kOnsale, per_minute, active_max, session};
}

TEST(LotteryOrder, IsAPermutationFixedByTheSeed) {
  const std::vector<uint32_t> a = LotteryOrder(Seed(1), 1000);
  std::vector<uint32_t> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  std::vector<uint32_t> identity(1000);
  std::iota(identity.begin(), identity.end(), 1u);
  EXPECT_EQ(sorted, identity);
  EXPECT_NE(a, identity);
  EXPECT_EQ(LotteryOrder(Seed(1), 1000), a);
  EXPECT_NE(LotteryOrder(Seed(2), 1000), a);
  EXPECT_TRUE(LotteryOrder(Seed(1), 0).empty());
  EXPECT_EQ(LotteryOrder(Seed(1), 1), std::vector<uint32_t>{1});
}

// Pins the published algorithm: an outside verifier reimplements it from the
// header's description, so any change here breaks their check.
TEST(LotteryOrder, MatchesThePublishedAlgorithm) {
  // Computed by an independent implementation of the description.
  EXPECT_EQ(LotteryOrder(LotterySeed{}, 8), (std::vector<uint32_t>{2, 3, 4, 5, 6, 8, 7, 1}));
  EXPECT_EQ(LotteryOrder(Seed(1), 12),
            (std::vector<uint32_t>{1, 4, 8, 11, 6, 12, 3, 5, 9, 7, 10, 2}));
}

// Every position equally likely for every fan: a chi-squared-style bound on
// 20,000 draws of 5 fans.
TEST(LotteryOrder, IsUnbiased) {
  const uint64_t seed = testing::TestSeed("LotteryOrder.IsUnbiased");
  std::mt19937_64 rng(seed);
  int count[5][5] = {};
  for (int round = 0; round < 20'000; ++round) {
    LotterySeed s;
    for (uint8_t& b : s) b = static_cast<uint8_t>(rng());
    const auto order = LotteryOrder(s, 5);
    for (int pos = 0; pos < 5; ++pos) count[order[static_cast<size_t>(pos)] - 1][pos]++;
  }
  for (auto& fan : count) {
    for (int c : fan) EXPECT_NEAR(c, 4'000, 300);
  }
}

TEST(WaitingRoom, JoiningTwiceKeepsTheSamePlaceAndEarlyJoinsAreRefused) {
  WaitingRoom room(Policy(), Seed(3));
  Place p;
  EXPECT_EQ(room.Join(7, kOpen - 1, &p), JoinOutcome::kNotOpen);
  EXPECT_EQ(room.Join(7, kOpen, &p), JoinOutcome::kJoined);
  EXPECT_TRUE(p.prequeue);
  EXPECT_EQ(p.sequence, 0u);  // not drawn yet
  Place again;
  EXPECT_EQ(room.Join(7, kOpen + 5, &again), JoinOutcome::kAlreadyJoined);
  EXPECT_EQ(again.entry, p.entry);
  EXPECT_EQ(room.fans(), 1u);
  EXPECT_EQ(room.phase(kOpen), RoomPhase::kPrequeue);
}

// The pre-queue is admitted in the drawn order, then later arrivals in arrival
// order, at the admission rate, over a simulated hour.
TEST(WaitingRoom, AdmitsThePrequeueInLotteryOrderThenArrivalsAtTheRate) {
  constexpr uint32_t kPrequeue = 5'000, kLater = 40'000, kPerMinute = 600;
  WaitingRoom room(Policy(kPerMinute), Seed(4));
  for (uint32_t owner = 1; owner <= kPrequeue; ++owner) {
    ASSERT_EQ(room.Join(owner, kOpen + owner, nullptr), JoinOutcome::kJoined);
  }
  testing::FakeClock clock(kOnsale);
  for (uint32_t owner = kPrequeue + 1; owner <= kPrequeue + kLater; ++owner) {
    ASSERT_EQ(room.Join(owner, clock.now_ms(), nullptr), JoinOutcome::kJoined);
  }
  const std::vector<uint32_t> order = LotteryOrder(Seed(4), kPrequeue);
  for (uint32_t k = 0; k < kPrequeue; ++k) {
    EXPECT_EQ(room.Find(order[k])->sequence, k + 1) << "pre-queue fan " << order[k];
  }
  EXPECT_EQ(room.Find(kPrequeue + 1)->sequence, kPrequeue + 1);
  EXPECT_EQ(room.Find(kPrequeue + kLater)->sequence, kPrequeue + kLater);
  // An hour in 1-second steps: now_serving follows the rate exactly, and only
  // admitted fans may shop.
  for (int s = 1; s <= 3600; ++s) {
    clock.Advance(1000);
    room.Advance(clock.now_ms());
    ASSERT_EQ(room.now_serving(), static_cast<uint32_t>(s) * kPerMinute / 60) << "second " << s;
    if (s == 1) {
      EXPECT_EQ(room.StartSession(order[0], clock.now_ms(), nullptr), SessionOutcome::kStarted);
      EXPECT_EQ(room.StartSession(order[10], clock.now_ms(), nullptr),
                SessionOutcome::kNotAdmitted);
      EXPECT_EQ(room.StartSession(kPrequeue + 1, clock.now_ms(), nullptr),
                SessionOutcome::kNotAdmitted);
    }
  }
}

TEST(WaitingRoom, ActiveShoppersNeverExceedTheMaximum) {
  constexpr uint32_t kMax = 50;
  WaitingRoom room(Policy(6'000, kMax), Seed(5));
  testing::FakeClock clock(kOnsale);
  for (uint32_t owner = 1; owner <= 500; ++owner) room.Join(owner, clock.now_ms(), nullptr);
  const uint64_t seed = testing::TestSeed("WaitingRoom.ActiveShoppersNeverExceedTheMaximum");
  std::mt19937_64 rng(seed);
  for (int step = 0; step < 6'000; ++step) {
    clock.Advance(100);
    room.Advance(clock.now_ms());
    ASSERT_LE(room.active_sessions() + room.admitted_waiting(), kMax);
    // Admitted fans start shopping; shoppers finish at random.
    for (uint32_t owner = 1; owner <= 500; ++owner) {
      const Place p = *room.Find(owner);
      if (p.session == SessionState::kWaiting && p.sequence <= room.now_serving() &&
          rng() % 3 == 0) {
        ASSERT_EQ(room.StartSession(owner, clock.now_ms(), nullptr), SessionOutcome::kStarted);
      }
      if (p.session == SessionState::kShopping && rng() % 20 == 0) {
        room.EndSession(owner, clock.now_ms());
      }
    }
    ASSERT_LE(room.active_sessions(), kMax);
  }
  EXPECT_EQ(room.now_serving(), 500u);  // everybody got through in the end
}

// Queueing only at capacity: fans walk straight in while shoppers are under
// the maximum, wait in arrival order when it is reached, and go in one by one
// as slots free, whatever the admission rate.
TEST(WaitingRoom, QueuesOnlyWhenTheBookingPathIsAtCapacity) {
  WaitingRoomPolicy policy = Policy(/*per_minute=*/1, /*active_max=*/3);
  policy.queue_everyone = false;
  WaitingRoom room(policy, Seed(8));
  testing::FakeClock clock(kOnsale);
  Place place;
  for (uint32_t owner = 1; owner <= 3; ++owner) {
    ASSERT_EQ(room.Join(owner, clock.now_ms(), &place), JoinOutcome::kJoined);
    EXPECT_LE(place.sequence, room.now_serving()) << owner;  // admitted at once
    ASSERT_EQ(room.StartSession(owner, clock.now_ms(), nullptr), SessionOutcome::kStarted);
  }
  EXPECT_EQ(room.phase(clock.now_ms()), RoomPhase::kPaused);
  for (uint32_t owner = 4; owner <= 5; ++owner) room.Join(owner, clock.now_ms(), nullptr);
  EXPECT_EQ(room.now_serving(), 3u);
  clock.Advance(kMinute);  // the rate would have admitted one: it does not apply
  room.Advance(clock.now_ms());
  EXPECT_EQ(room.now_serving(), 3u);
  room.EndSession(2, clock.now_ms());
  EXPECT_EQ(room.now_serving(), 4u);  // owner 4, the next in arrival order
  EXPECT_EQ(room.Find(4)->sequence, 4u);
  EXPECT_EQ(room.StartSession(5, clock.now_ms(), nullptr), SessionOutcome::kNotAdmitted);
}

TEST(WaitingRoom, SessionsEndExactlyOnTimeAndFreeTheirSlot) {
  WaitingRoom room(Policy(60'000, 1, kMinute), Seed(6));
  room.Join(1, kOnsale, nullptr);
  room.Join(2, kOnsale, nullptr);
  room.Advance(kOnsale + 1000);
  EXPECT_EQ(room.now_serving(), 1u);  // the maximum is one
  TimeMs ends = 0;
  ASSERT_EQ(room.StartSession(1, kOnsale + 1000, &ends), SessionOutcome::kStarted);
  EXPECT_EQ(ends, kOnsale + 1000 + kMinute);
  EXPECT_EQ(room.StartSession(1, kOnsale + 2000, &ends), SessionOutcome::kAlreadyShopping);
  EXPECT_TRUE(room.Shopping(1, ends - 1));
  EXPECT_FALSE(room.Shopping(1, ends));
  room.Advance(ends - 1);
  EXPECT_EQ(room.now_serving(), 1u);
  EXPECT_EQ(room.phase(ends - 1), RoomPhase::kPaused);
  room.Advance(ends);
  EXPECT_EQ(room.now_serving(), 2u);
  EXPECT_EQ(room.StartSession(1, ends, nullptr), SessionOutcome::kOver);
}

TEST(WaitingRoom, AnAdmissionNotUsedInTimeLapses) {
  WaitingRoom room(Policy(60'000, 1, kMinute), Seed(7));
  room.Join(1, kOnsale, nullptr);
  room.Join(2, kOnsale, nullptr);
  room.Advance(kOnsale + 1000);
  ASSERT_EQ(room.now_serving(), 1u);
  room.Advance(kOnsale + 1000 + kMinute);  // fan 1 never came
  EXPECT_EQ(room.Find(1)->session, SessionState::kDone);
  EXPECT_EQ(room.TakeLapsed(), std::vector<uint32_t>{1});
  EXPECT_TRUE(room.TakeLapsed().empty());  // told once
  EXPECT_EQ(room.now_serving(), 2u);
  EXPECT_EQ(room.StartSession(1, kOnsale + 1000 + kMinute, nullptr), SessionOutcome::kOver);
  EXPECT_EQ(room.StartSession(2, kOnsale + 1000 + kMinute, nullptr), SessionOutcome::kStarted);
  EXPECT_EQ(room.StartSession(3, kOnsale + 1000 + kMinute, nullptr), SessionOutcome::kNotInLine);
}

TEST(WaitingRoom, TellsTheLineWhenWhatIsLeftCannotServeIt) {
  WaitingRoom room(Policy(60'000), Seed(8));
  for (uint32_t owner = 1; owner <= 100; ++owner) room.Join(owner, kOnsale, nullptr);
  room.Advance(kOnsale + 10);  // 10 admitted
  ASSERT_EQ(room.now_serving(), 10u);
  room.SetPlacesLeft(40, 2.0);  // 20 fans' worth; 10 already admitted
  EXPECT_EQ(room.served_through(), 20u);
  room.Advance(kOnsale + 1000);
  EXPECT_EQ(room.now_serving(), 20u);  // admission stops where the seats run out
  EXPECT_EQ(room.phase(kOnsale + 1000), RoomPhase::kSpokenFor);
  room.SetPlacesLeft(0, 2.0);
  EXPECT_EQ(room.phase(kOnsale + 1000), RoomPhase::kSoldOut);
  room.SetPlacesLeft(300, 2.0);  // seats came back: released holds
  room.Advance(kOnsale + 1050);
  EXPECT_EQ(room.now_serving(), 70u);  // 20 before, then 50 ms at 1,000 a second
  EXPECT_EQ(room.phase(kOnsale + 1050), RoomPhase::kAdmitting);
}

// Fewer places left than a typical order still serve one more fan: the line
// never stalls with seats free and nobody admitted to take them.
TEST(WaitingRoom, ARemainderSmallerThanAnOrderStillAdmitsOneFan) {
  WaitingRoom room(Policy(60'000), Seed(9));
  for (uint32_t owner = 1; owner <= 10; ++owner) room.Join(owner, kOnsale, nullptr);
  room.SetPlacesLeft(1, 3.5);
  EXPECT_EQ(room.served_through(), 1u);
  room.Advance(kOnsale + 1000);
  EXPECT_EQ(room.now_serving(), 1u);
  EXPECT_EQ(room.phase(kOnsale + 1000), RoomPhase::kSpokenFor);
}

TEST(WaitingRoom, ARestoredRoomKeepsEveryPlace) {
  WaitingRoom room(Policy(600, 10), Seed(9));
  for (uint32_t owner = 1; owner <= 300; ++owner) room.Join(owner * 3, kOpen + owner, nullptr);
  room.Advance(kOnsale + 30'000);
  for (uint32_t owner = 1; owner <= 300; ++owner) {
    if (room.Find(owner * 3)->sequence <= 4)
      room.StartSession(owner * 3, kOnsale + 30'000, nullptr);
  }
  for (uint32_t owner = 301; owner <= 320; ++owner) room.Join(owner * 3, kOnsale + 31'000, nullptr);
  StatusOr<WaitingRoom> back = WaitingRoom::Restore(Policy(600, 10), Seed(9), room.TakeSnapshot());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->now_serving(), room.now_serving());
  EXPECT_EQ(back->active_sessions(), room.active_sessions());
  for (uint32_t owner = 1; owner <= 320; ++owner) {
    const Place a = *room.Find(owner * 3), b = *back->Find(owner * 3);
    ASSERT_EQ(a.sequence, b.sequence);
    ASSERT_EQ(a.session, b.session);
    ASSERT_EQ(room.Shopping(owner * 3, kOnsale + 40'000),
              back->Shopping(owner * 3, kOnsale + 40'000));
  }
  // Another seed cannot reproduce the stored order.
  EXPECT_FALSE(WaitingRoom::Restore(Policy(600, 10), Seed(10), room.TakeSnapshot()).ok());
  WaitingRoom::Snapshot broken = room.TakeSnapshot();
  broken.owners_by_entry[1] = broken.owners_by_entry[0];
  EXPECT_FALSE(WaitingRoom::Restore(Policy(600, 10), Seed(9), broken).ok());
}

// The brief's bound: 64 bytes per queued fan.
TEST(WaitingRoom, AMillionFansTakeUnder64BytesEach) {
  WaitingRoom room(Policy(), Seed(11));
  constexpr uint32_t kFans = 1'000'000;
  for (uint32_t owner = 1; owner <= kFans / 2; ++owner) room.Join(owner, kOpen, nullptr);
  room.Advance(kOnsale);
  for (uint32_t owner = kFans / 2 + 1; owner <= kFans; ++owner) room.Join(owner, kOnsale, nullptr);
  const double per_fan = static_cast<double>(room.bytes()) / kFans;
  RecordProperty("bytes_per_fan", std::to_string(per_fan));
  EXPECT_LE(per_fan, 64.0);
}

}  // namespace
}  // namespace boxoffice::core
