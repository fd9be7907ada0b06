// The waiting rooms of the booking service, with a fake clock and a real
// SQLite journal: the published lottery, arrival order, the rate and the
// shopper cap over a simulated hour, sold-out signalling, bookings ending
// sessions, restarts, and the memory a fan costs.
#include "service/waiting_rooms.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <thread>

#include "crypto/encoding.h"
#include "crypto/hmac.h"
#include "service/service_test_fixture.h"
#include "testing/seed.h"

namespace boxoffice::service {
namespace {

using core::RoomPhase;

constexpr core::DurationMs kMinute = 60'000;

class WaitingRoomsTest : public ServiceTest {
 protected:
  QueueStatus Configure(core::ShowId show, QueueSettings s) {
    StatusOr<QueueStatus> r =
        Wait<StatusOr<QueueStatus>>([&](auto done) { svc_->rooms().Configure(show, s, done); });
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : QueueStatus{};
  }
  // A room whose pre-queue opened now and whose on-sale is `onsale_in_ms` away.
  QueueSettings Settings(core::DurationMs onsale_in_ms, uint32_t rate, uint32_t shoppers_max,
                         uint32_t session_s) const {
    QueueSettings s;
    s.enabled = true;
    s.prequeue_opens_at_ms = clock_.now_ms();
    s.onsale_at_ms = clock_.now_ms() + onsale_in_ms;
    s.admissions_per_minute = rate;
    s.active_shoppers_max = shoppers_max;
    s.session_s = session_s;
    return s;
  }
  core::Place Join(core::ShowId show, const std::string& user) {
    QueueReply<QueuePlace> r = svc_->rooms().Join(show, user);
    EXPECT_TRUE(r.ok()) << user;
    return r.value.place;
  }
  QueueStatus Status(core::ShowId show) { return *svc_->rooms().Find(show); }
  // Moves time on by `ms` in ticks of kQueueTickMs, as the sweeper would.
  void Run(core::DurationMs ms) {
    for (core::DurationMs t = 0; t < ms; t += kQueueTickMs) {
      clock_.Advance(kQueueTickMs);
      svc_->rooms().Tick();
    }
  }
  // A fan who holds and books `seats` seats in its session.
  // A show whose room lets one fan shop at a time: alice (entry 1) is
  // shopping, bob (entry 2) waits behind her.
  core::ShowId AliceShoppingBobWaiting() {
    const core::ShowId show = MakeShow(*svc_);
    Configure(show, Settings(0, 60'000, 1, 600));
    Join(show, "alice");
    Join(show, "bob");
    Run(1'000);
    EXPECT_EQ(Status(show).now_serving, 1u);
    EXPECT_TRUE(svc_->rooms().StartSession(show, "alice", 1).ok());
    return show;
  }
  void Book(core::ShowId show, const std::string& user, uint32_t seats) {
    Reply<HoldView> held = svc_->CreateHold(user, show, BestWanted{seats});
    ASSERT_TRUE(held.ok()) << user;
    ASSERT_TRUE(Confirm(show, held.value.hold).ok()) << user;
  }
};

std::string User(uint32_t i) { return "fan-" + std::to_string(i); }

TEST_F(WaitingRoomsTest, ThePrequeueIsAdmittedInThePublishedLotteryOrderThenArrivals) {
  const core::ShowId show = MakeShow(*svc_, testing::GridVenue(4, 10, 50));
  const QueueStatus configured = Configure(show, Settings(kMinute, 600, 1'000, 600));
  EXPECT_EQ(configured.seed, "");  // not published before the draw
  constexpr uint32_t kEarly = 200;
  for (uint32_t i = 1; i <= kEarly; ++i) {
    const core::Place p = Join(show, User(i));
    EXPECT_EQ(p.entry, i);
    EXPECT_EQ(p.sequence, 0u);
    EXPECT_TRUE(p.prequeue);
  }
  EXPECT_EQ(Status(show).phase, RoomPhase::kPrequeue);
  Run(kMinute);
  const QueueStatus drawn = Status(show);
  ASSERT_EQ(drawn.seed.size(), 64u);
  const std::optional<std::string> seed_bytes = crypto::HexDecode(drawn.seed);
  ASSERT_TRUE(seed_bytes.has_value());
  EXPECT_EQ(crypto::HexEncode(crypto::AsChars(crypto::Sha256(*seed_bytes))),
            configured.seed_sha256);
  core::LotterySeed seed{};
  std::copy(seed_bytes->begin(), seed_bytes->end(), seed.begin());
  const std::vector<uint32_t> order = core::LotteryOrder(seed, kEarly);
  for (uint32_t k = 0; k < kEarly; ++k) {
    EXPECT_EQ(Join(show, User(order[k])).sequence, k + 1) << "sequence " << k + 1;
  }
  for (uint32_t i = kEarly + 1; i <= kEarly + 50; ++i) EXPECT_EQ(Join(show, User(i)).sequence, i);
  // Admission follows the sequences: exactly the fans at or below now_serving may shop.
  Run(15'000);
  const uint32_t serving = Status(show).now_serving;
  ASSERT_GT(serving, 0u);
  ASSERT_LT(serving, kEarly);
  const std::string first = User(order[0]);
  const std::string last_in = User(order[serving - 1]);
  const std::string next = User(order[serving]);
  EXPECT_TRUE(svc_->rooms().StartSession(show, first, order[0]).ok());
  EXPECT_TRUE(svc_->rooms().StartSession(show, last_in, order[serving - 1]).ok());
  const QueueReply<SessionView> early = svc_->rooms().StartSession(show, next, order[serving]);
  EXPECT_EQ(early.outcome, QueueOutcome::kNotAdmitted);
  EXPECT_EQ(early.value.position, 1u);
}

TEST_F(WaitingRoomsTest, RateAndShopperCapHoldOverASimulatedHour) {
  std::mt19937_64 rng(testing::TestSeed("RateAndShopperCapHoldOverASimulatedHour"));
  const core::ShowId show = MakeShow(*svc_, testing::GridVenue(10, 20, 50));  // 10,000 seats
  constexpr uint32_t kRate = 120;
  constexpr uint32_t kShoppersMax = 40;
  Configure(show, Settings(0, kRate, kShoppersMax, 120));
  constexpr uint32_t kFans = 3'000;
  for (uint32_t i = 1; i <= kFans; ++i) Join(show, User(i));
  uint32_t served_before = 0;
  uint32_t started = 0;
  uint32_t booked = 0;
  constexpr core::DurationMs kStep = 1'000;
  for (core::DurationMs t = kStep; t <= 60 * kMinute; t += kStep) {
    clock_.Advance(kStep);
    svc_->rooms().Tick();
    const QueueStatus s = Status(show);
    ASSERT_GE(s.now_serving, served_before) << "at " << t;
    ASSERT_LE(s.active_shoppers + s.admitted_waiting, kShoppersMax) << "at " << t;
    // The rate: at most kRate a minute, plus one second's worth banked.
    ASSERT_LE(s.now_serving, kRate * t / kMinute + kRate / 60 + 1) << "at " << t;
    for (uint32_t q = served_before + 1; q <= s.now_serving; ++q) {  // arrivals: entry = sequence
      ASSERT_TRUE(svc_->rooms().StartSession(show, User(q), q).ok()) << "sequence " << q;
      ++started;
      if (rng() % 3 == 0) {  // a third book at once, freeing their slot
        Book(show, User(q), 1 + static_cast<uint32_t>(rng() % 4));
        EXPECT_FALSE(svc_->rooms().Shopping(show, User(q), q));
        ++booked;
      }
    }
    served_before = s.now_serving;
  }
  // The cap, not the rate, bounds admissions here: kShoppersMax slots turning
  // over every 2 minutes, faster when fans book.
  EXPECT_GE(started, kShoppersMax * 30u);
  EXPECT_LE(started, kRate * 60u + kRate);
  EXPECT_GT(booked, 0u);
}

TEST_F(WaitingRoomsTest, WaitingFansAreToldWhenTheSeatsCannotServeThemAndAdmissionResumes) {
  const core::ShowId show = MakeShow(*svc_, testing::GridVenue(1, 1, 10));  // 10 seats
  Configure(show, Settings(0, 60'000, 100, 600));
  for (uint32_t i = 1; i <= 30; ++i) Join(show, User(i));
  Run(1'000);
  QueueStatus s = Status(show);
  EXPECT_EQ(s.served_through, 10u);  // one seat a fan until orders say otherwise
  EXPECT_EQ(s.now_serving, 10u);
  EXPECT_FALSE(s.sold_out);  // the seats are free: the fans admitted may not take them
  EXPECT_EQ(s.phase, RoomPhase::kSpokenFor);
  ASSERT_TRUE(svc_->rooms().StartSession(show, User(1), 1).ok());
  Reply<HoldView> held =
      svc_->CreateHold(User(1), show, BestWanted{10, "", "", false, /*allow_split=*/true});
  ASSERT_TRUE(held.ok()) << held.status.message() << " " << core::OutcomeName(held.outcome);
  Reply<BookingView> booking = Confirm(show, held.value.hold);
  ASSERT_TRUE(booking.ok());
  Run(1'000);
  s = Status(show);
  EXPECT_TRUE(s.sold_out);  // every seat booked
  EXPECT_EQ(s.phase, RoomPhase::kSoldOut);
  EXPECT_EQ(s.served_through, 10u);
  EXPECT_EQ(s.now_serving, 10u);
  // The booking is cancelled: the seats are back, and so is admission.
  auto cancelled = Wait<Reply<BookingView>>(
      [&](auto done) { svc_->CancelBooking(show, booking.value.booking, done); });
  ASSERT_TRUE(cancelled.ok());
  Run(1'000);
  s = Status(show);
  EXPECT_GT(s.served_through, 10u);
  EXPECT_GT(s.now_serving, 10u);
}

TEST_F(WaitingRoomsTest, ACompletedBookingEndsTheSessionAndFreesItsSlot) {
  const core::ShowId show = AliceShoppingBobWaiting();
  EXPECT_TRUE(svc_->rooms().Shopping(show, "alice", 1));
  EXPECT_FALSE(svc_->rooms().Shopping(show, "bob", 1));  // another fan's entry
  EXPECT_EQ(svc_->rooms().StartSession(show, "bob", 2).outcome, QueueOutcome::kNotAdmitted);
  Run(1'000);
  EXPECT_EQ(Status(show).now_serving, 1u);  // the one slot is taken
  Book(show, "alice", 2);
  EXPECT_FALSE(svc_->rooms().Shopping(show, "alice", 1));
  EXPECT_EQ(svc_->rooms().StartSession(show, "alice", 1).outcome, QueueOutcome::kOver);
  Run(1'000);
  EXPECT_EQ(Status(show).now_serving, 2u);
  EXPECT_TRUE(svc_->rooms().StartSession(show, "bob", 2).ok());
}

// A shopping session runs on the monotonic clock, like a hold: a step of the
// wall clock neither ends it early nor keeps it open, the fan is shown its end
// in wall-clock time, and a restart keeps what was left of it.
TEST_F(WaitingRoomsTest, SessionsIgnoreStepsOfTheWallClock) {
  const core::ShowId show = MakeShow(*svc_);
  Configure(show, Settings(0, 60'000, 1, 600));  // 600 s sessions
  Join(show, "alice");
  Run(1'000);
  const QueueReply<SessionView> started = svc_->rooms().StartSession(show, "alice", 1);
  ASSERT_TRUE(started.ok());
  EXPECT_EQ(started.value.expires_at_ms, clock_.WallMs() + 600'000);
  Restart();
  clock_.StepWall(+3'600'000);
  Run(1'000);
  EXPECT_TRUE(svc_->rooms().Shopping(show, "alice", 1));
  // Asked again, the fan is told the same end, on the stepped wall clock.
  EXPECT_EQ(svc_->rooms().StartSession(show, "alice", 1).value.expires_at_ms,
            clock_.WallMs() + 599'000);
  clock_.StepWall(-7'200'000);
  Run(598'000);
  EXPECT_TRUE(svc_->rooms().Shopping(show, "alice", 1));
  Run(1'000);
  EXPECT_FALSE(svc_->rooms().Shopping(show, "alice", 1));
}

TEST_F(WaitingRoomsTest, EndingASessionEarlyFreesItsSlotAndStaysEndedAfterARestart) {
  const core::ShowId show = AliceShoppingBobWaiting();
  EXPECT_EQ(svc_->rooms().EndSession(show, "bob").outcome, QueueOutcome::kNotAdmitted);
  EXPECT_EQ(svc_->rooms().EndSession(show, "carol").outcome, QueueOutcome::kNotInLine);
  EXPECT_EQ(svc_->rooms().EndSession(show + 1, "alice").outcome, QueueOutcome::kNoRoom);
  Run(1'000);
  EXPECT_EQ(Status(show).now_serving, 1u);

  EXPECT_TRUE(svc_->rooms().EndSession(show, "alice").ok());
  EXPECT_FALSE(svc_->rooms().Shopping(show, "alice", 1));
  EXPECT_EQ(Status(show).active_shoppers, 0u);
  EXPECT_TRUE(svc_->rooms().EndSession(show, "alice").ok());  // already over
  Run(1'000);
  EXPECT_EQ(Status(show).now_serving, 2u);
  ASSERT_TRUE(svc_->rooms().StartSession(show, "bob", 2).ok());

  Restart();

  EXPECT_EQ(svc_->rooms().StartSession(show, "alice", 1).outcome, QueueOutcome::kOver);
  EXPECT_TRUE(svc_->rooms().Shopping(show, "bob", 2));
  EXPECT_EQ(Status(show).active_shoppers, 1u);
}

TEST_F(WaitingRoomsTest, ARestartKeepsEveryPlaceSessionAndNowServing) {
  const core::ShowId show = MakeShow(*svc_, testing::GridVenue(2, 10, 50));
  const QueueStatus configured = Configure(show, Settings(10'000, 600, 20, 600));
  for (uint32_t i = 1; i <= 100; ++i) Join(show, User(i));
  Run(15'000);
  for (uint32_t i = 101; i <= 120; ++i) Join(show, User(i));
  std::vector<core::Place> places;
  for (uint32_t i = 1; i <= 120; ++i) places.push_back(Join(show, User(i)));
  const QueueStatus before = Status(show);
  ASSERT_GT(before.now_serving, 5u);
  uint32_t shopping = 0;
  for (const core::Place& p : places) {
    if (p.sequence > 5) continue;
    ASSERT_TRUE(svc_->rooms().StartSession(show, User(p.entry), p.entry).ok());
    ++shopping;
  }
  Book(show, User(places[0].entry), 1);  // ends one of them
  Run(kQueueTickMs);                     // now_serving journaled
  const QueueStatus settled = Status(show);

  Restart();

  const QueueStatus after = Status(show);
  EXPECT_EQ(after.seed_sha256, configured.seed_sha256);
  EXPECT_EQ(after.seed, settled.seed);
  EXPECT_EQ(after.fans, 120u);
  EXPECT_EQ(after.prequeue_fans, 100u);
  EXPECT_GE(after.now_serving, settled.now_serving);
  EXPECT_EQ(after.active_shoppers, shopping - (places[0].sequence <= 5 ? 1 : 0));
  for (uint32_t i = 1; i <= 120; ++i) {
    const core::Place p = Join(show, User(i));
    EXPECT_EQ(p.entry, places[i - 1].entry);
    EXPECT_EQ(p.sequence, places[i - 1].sequence);
    EXPECT_EQ(svc_->rooms().Shopping(show, User(i), p.entry),
              p.sequence <= 5 && p.entry != places[0].entry);
  }
  EXPECT_EQ(svc_->rooms().Join(show, "newcomer").value.place.sequence, 121u);
}

TEST_F(WaitingRoomsTest, AnAdmissionThatLapsedStaysLapsedAfterARestart) {
  const core::ShowId show = MakeShow(*svc_);
  Configure(show, Settings(1'000, 60, 10, 60));  // one fan a second, 60 s to come
  for (uint32_t i = 1; i <= 3; ++i) Join(show, User(i));
  Run(2'200);  // the draw, and a second later the lottery's first fan admitted
  std::string first;
  for (uint32_t i = 1; i <= 3; ++i) {
    if (Join(show, User(i)).sequence == 1) first = User(i);
  }
  ASSERT_FALSE(first.empty());
  ASSERT_EQ(Status(show).now_serving, 1u);
  Run(60'000);  // `first` never came: the admission lapsed
  const uint32_t entry = Join(show, first).entry;
  EXPECT_EQ(svc_->rooms().StartSession(show, first, entry).outcome, QueueOutcome::kOver);

  Restart();

  EXPECT_EQ(svc_->rooms().StartSession(show, first, entry).outcome, QueueOutcome::kOver);
}

// Settings this build would refuse from an organiser are refused when read
// back too: the store is damaged.
TEST_F(WaitingRoomsTest, ARoomReadBackWithSettingsOutOfRangeIsCorruption) {
  const core::ShowId show = MakeShow(*svc_);
  Configure(show, Settings(0, 60'000, 10, 600));
  Close();
  const boxoffice::Status recovered =
      RecoverWith(store::QueueRoomRecord{.show_id = show,
                                         .enabled = true,
                                         .admissions_per_minute = 0,
                                         .active_shoppers_max = 10,
                                         .session_s = 600,
                                         .seed = std::string(32, 's'),
                                         .owner_key = std::string(16, 'k')});
  EXPECT_EQ(recovered.code(), StatusCode::kCorruption) << recovered.message();
  EXPECT_NE(recovered.message().find("admissions_per_minute"), std::string::npos)
      << recovered.message();
}

TEST_F(WaitingRoomsTest, OpeningTimesAreLockedOnceFansJoinedAndBadValuesAreRefused) {
  const core::ShowId show = MakeShow(*svc_);
  QueueSettings s = Settings(kMinute, 600, 10, 600);
  Configure(show, s);
  Join(show, "alice");
  QueueSettings later = s;
  later.onsale_at_ms += 1'000;
  StatusOr<QueueStatus> r =
      Wait<StatusOr<QueueStatus>>([&](auto done) { svc_->rooms().Configure(show, later, done); });
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  QueueSettings faster = s;
  faster.admissions_per_minute = 6'000;
  EXPECT_EQ(Configure(show, faster).settings.admissions_per_minute, 6'000u);
  EXPECT_EQ(Join(show, "alice").entry, 1u);  // the line survives a change of rate
  QueueSettings bad = s;
  bad.session_s = 0;
  r = Wait<StatusOr<QueueStatus>>([&](auto done) { svc_->rooms().Configure(show, bad, done); });
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(WaitingRoomsTest, FansJoinAndShopFromManyThreadsWhileTheSweeperRuns) {
  const core::ShowId show = MakeShow(*svc_, testing::GridVenue(2, 10, 50));
  Configure(show, Settings(0, 60'000, 50, 600));
  svc_->StartSweeper();
  constexpr uint32_t kThreads = 4;
  constexpr uint32_t kFansEach = 500;
  std::vector<std::thread> threads;
  std::vector<std::vector<uint32_t>> entries(kThreads);
  for (uint32_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (uint32_t i = 0; i < kFansEach; ++i) {
        const std::string user = User(t * kFansEach + i + 1);
        QueueReply<QueuePlace> j = svc_->rooms().Join(show, user);
        entries[t].push_back(j.value.place.entry);  // entry = sequence: no pre-queue
        (void)svc_->rooms().StartSession(show, user, j.value.place.entry);
        clock_.Advance(1);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  svc_->Stop();
  std::vector<uint32_t> all;
  std::map<uint32_t, std::string> user_of_entry;
  for (uint32_t t = 0; t < kThreads; ++t) {
    all.insert(all.end(), entries[t].begin(), entries[t].end());
    for (uint32_t i = 0; i < kFansEach; ++i)
      user_of_entry[entries[t][i]] = User(t * kFansEach + i + 1);
  }
  std::sort(all.begin(), all.end());
  for (uint32_t k = 0; k < all.size(); ++k) ASSERT_EQ(all[k], k + 1);  // each entry once
  const QueueStatus s = Status(show);
  EXPECT_EQ(s.fans, kThreads * kFansEach);
  EXPECT_LE(s.active_shoppers + s.admitted_waiting, 50u);
  // Those admitted meanwhile may shop now, up to the cap.
  uint32_t started = 0;
  for (uint32_t q = 1; q <= s.now_serving; ++q) {
    started += svc_->rooms().StartSession(show, user_of_entry[q], q).ok();
  }
  EXPECT_GT(started, 0u);
  EXPECT_LE(Status(show).active_shoppers, 50u);
}

TEST(WaitingRoomsMemory, AQueuedFanTakesUnder64BytesInTheServer) {
  testing::FakeClock clock;
  metrics::Registry metrics;
  size_t batches = 0;
  WaitingRooms rooms([&batches](store::Batch, store::DurableCallback) { ++batches; },
                     [] { return Status::Ok(); },
                     [](core::ShowId) {
                       return WaitingRooms::Inventory{1'000'000, 2.0};
                     },
                     clock, metrics);
  QueueSettings s;
  s.enabled = true;
  s.prequeue_opens_at_ms = clock.now_ms();
  s.onsale_at_ms = clock.now_ms() + kMinute;
  rooms.Configure(1, s, [](StatusOr<QueueStatus>) {});  // the test's journal never answers
  // Sizes just past a power of two are the worst case for the tables.
  for (uint32_t fans : {70'000u, 140'000u}) {
    for (uint32_t i = static_cast<uint32_t>(rooms.Count().fans) + 1; i <= fans; ++i) {
      ASSERT_TRUE(rooms.Join(1, User(i)).ok());
    }
    clock.Advance(kMinute);
    rooms.Tick();  // the draw
    const WaitingRooms::Totals t = rooms.Count();
    const double per_fan = static_cast<double>(t.bytes) / static_cast<double>(t.fans);
    std::printf("%u fans: %.1f bytes a fan\n", fans, per_fan);
    EXPECT_LE(per_fan, 64.0);
  }
  EXPECT_GE(batches, 140'000u);  // every join journaled
}

}  // namespace
}  // namespace boxoffice::service
