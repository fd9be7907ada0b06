// BookingService over a real SQLite store in a temp directory (and over a
// ManualStore where the test must control durability), with a fake clock.
#include "service/booking_service.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <filesystem>
#include <future>

#include "http/catalog_codec.h"
#include "http/seat_map_json.h"
#include "service/service_test_fixture.h"
#include "store/sqlite_store.h"
#include "testing/fake_clock.h"
#include "testing/manual_store.h"
#include "testing/venues.h"

namespace boxoffice::service {
namespace {

using core::Outcome;

class BookingServiceTest : public ServiceTest {};

TEST_F(BookingServiceTest, HoldsBookingsAndVersionsSurviveARestart) {
  const core::ShowId show = MakeShow(*svc_);
  Reply<HoldView> held = svc_->CreateHold("alice", show, SeatsWanted{{"S1-1-1", "S1-1-2"}});
  ASSERT_TRUE(held.ok());
  Reply<HoldView> sold = svc_->CreateHold("bob", show, BestWanted{3});
  ASSERT_TRUE(sold.ok());
  Reply<BookingView> booking = Confirm(show, sold.value.hold);
  ASSERT_TRUE(booking.ok()) << booking.status.message();
  Reply<HoldView> ga = svc_->CreateHold("carol", show, PlacesWanted{"GA", 4});
  ASSERT_TRUE(ga.ok());
  const core::Version version = svc_->GetAvailability(show)->version;

  Restart();

  Reply<HoldView> again = svc_->GetHold(show, held.value.hold);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value.seats, held.value.seats);
  EXPECT_EQ(again.value.expires_at_ms, held.value.expires_at_ms);
  EXPECT_EQ(again.value.user, "alice");
  Reply<BookingView> b = svc_->GetBooking(show, booking.value.booking);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b.value.seats, booking.value.seats);
  EXPECT_EQ(b.value.payment_ref, "pay-1");
  EXPECT_EQ(svc_->GetAvailability(show)->version, version);
  EXPECT_TRUE(svc_->Audit(show).ok);
  // The restored hold still answers to its token.
  EXPECT_EQ(svc_->ReleaseHold(show, held.value.hold, held.value.token).outcome, Outcome::kOk);
  // And nobody can take a booked seat.
  Reply<HoldView> taken = svc_->CreateHold("dave", show, SeatsWanted{booking.value.seats});
  EXPECT_EQ(taken.outcome, Outcome::kSeatUnavailable);
}

// A fan's app polling its hold across a deploy is told what became of it,
// not that it never existed: closed holds answer after a restart as before.
TEST_F(BookingServiceTest, ClosedHoldsAnswerAfterARestartAsBefore) {
  const core::ShowId show = MakeShow(*svc_);
  const HoldView booked = svc_->CreateHold("alice", show, SeatsWanted{{"S1-1-1"}}).value;
  const Reply<BookingView> booking = Confirm(show, booked.hold);
  ASSERT_TRUE(booking.ok());
  const HoldView released = svc_->CreateHold("bob", show, SeatsWanted{{"S1-1-2"}}).value;
  ASSERT_EQ(svc_->ReleaseHold(show, released.hold, released.token).outcome, Outcome::kOk);
  const HoldView expired = svc_->CreateHold("carol", show, SeatsWanted{{"S1-1-3"}}).value;
  clock_.Advance(61'000);
  svc_->Sweep();

  Restart();

  Reply<HoldView> b = svc_->GetHold(show, booked.hold);
  ASSERT_TRUE(b.status.ok()) << b.status.message();
  EXPECT_EQ(b.value.status, HoldStatus::kConfirmed);
  EXPECT_EQ(b.value.booking, booking.value.booking);
  EXPECT_EQ(b.value.user, "alice");
  const Reply<BookingView> again = Confirm(show, booked.hold);
  EXPECT_EQ(again.outcome, Outcome::kHoldConfirmed);
  EXPECT_EQ(again.value.booking, booking.value.booking);
  EXPECT_EQ(svc_->ReleaseHold(show, released.hold, released.token).outcome, Outcome::kHoldReleased);
  EXPECT_EQ(svc_->ReleaseHold(show, released.hold, booked.token).outcome, Outcome::kWrongToken);
  EXPECT_EQ(svc_->GetHold(show, expired.hold).value.status, HoldStatus::kExpired);
  // Remembered for kClosedHoldMemoryMs, as before a restart: then forgotten.
  clock_.Advance(kClosedHoldMemoryMs + kClosedHoldPruneIntervalMs);
  svc_->Sweep();
  store_->Flush();
  Restart();
  EXPECT_EQ(svc_->GetHold(show, booked.hold).status.code(), StatusCode::kNotFound);
}

// Hold deadlines run on the monotonic clock: an NTP step back does not keep
// abandoned seats held, a step forward does not expire holds early, and the
// fan is shown its deadline in wall-clock time.
TEST_F(BookingServiceTest, HoldDeadlinesIgnoreStepsOfTheWallClock) {
  const core::ShowId show = MakeShow(*svc_);  // 60 s holds
  const HoldView back = svc_->CreateHold("alice", show, SeatsWanted{{"S1-1-1"}}).value;
  clock_.StepWall(-3'600'000);  // the wall clock is set back an hour
  clock_.Advance(60'000);       // a minute passes
  svc_->Sweep();
  EXPECT_EQ(svc_->GetHold(show, back.hold).value.status, HoldStatus::kExpired);
  EXPECT_TRUE(svc_->CreateHold("bob", show, SeatsWanted{{"S1-1-1"}}).ok());

  const HoldView ahead = svc_->CreateHold("carol", show, SeatsWanted{{"S1-1-2"}}).value;
  EXPECT_EQ(ahead.expires_at_ms, clock_.WallMs() + 60'000);  // shown in wall-clock time
  clock_.StepWall(+7'200'000);                               // now set forward two hours
  clock_.Advance(30'000);
  svc_->Sweep();
  const Reply<HoldView> h = svc_->GetHold(show, ahead.hold);
  EXPECT_EQ(h.value.status, HoldStatus::kHeld);
  EXPECT_EQ(h.value.expires_at_ms, clock_.WallMs() + 30'000);  // 30 s left, on the new wall
  EXPECT_EQ(svc_->ReleaseHold(show, ahead.hold, ahead.token).outcome, Outcome::kOk);
}

// Across a restart the stored wall-clock deadline is mapped back onto the new
// process's monotonic timeline: a hold keeps what was left of its time.
TEST_F(BookingServiceTest, ARestartKeepsWhatWasLeftOfAHoldsTime) {
  const core::ShowId show = MakeShow(*svc_);  // 60 s holds
  const HoldView held = svc_->CreateHold("alice", show, SeatsWanted{{"S1-2-1"}}).value;
  clock_.Advance(20'000);
  Close();
  clock_.Advance(10'000);  // down for ten seconds
  Open();
  clock_.Advance(29'000);
  svc_->Sweep();
  EXPECT_EQ(svc_->GetHold(show, held.hold).value.status, HoldStatus::kHeld);
  clock_.Advance(1'000);
  svc_->Sweep();
  EXPECT_EQ(svc_->GetHold(show, held.hold).value.status, HoldStatus::kExpired);
}

// Found by the simulator: a hold extended after the wall clock was set back
// was stored with an expiry before its creation (each converted to wall time
// when it was written), and recovery refused the store as corrupt. A hold's
// two times are stored together, converted alike.
TEST_F(BookingServiceTest, AHoldExtendedAfterTheWallClockWasSetBackIsRecovered) {
  const core::ShowId show = MakeShow(*svc_);  // 60 s holds
  const HoldView held = svc_->CreateHold("alice", show, SeatsWanted{{"S1-3-1"}}).value;
  clock_.StepWall(-5'000'000);
  ASSERT_EQ(svc_->ExtendHold(show, held.hold, held.token, 30).outcome, Outcome::kOk);
  const Status reopened = [&] {
    Close();
    return TryOpen();
  }();
  ASSERT_TRUE(reopened.ok()) << reopened.message();
  clock_.Advance(89'000);
  svc_->Sweep();
  EXPECT_EQ(svc_->GetHold(show, held.hold).value.status, HoldStatus::kHeld);
  clock_.Advance(1'000);
  svc_->Sweep();
  EXPECT_EQ(svc_->GetHold(show, held.hold).value.status, HoldStatus::kExpired);
}

TEST_F(BookingServiceTest, HoldsThatExpiredWhileDownAreExpiredAtStart) {
  const core::ShowId show = MakeShow(*svc_);
  Reply<HoldView> held = svc_->CreateHold("alice", show, SeatsWanted{{"S2-1-1"}});
  ASSERT_TRUE(held.ok());
  Close();
  clock_.Advance(61'000);
  Open();
  Reply<HoldView> h = svc_->GetHold(show, held.value.hold);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h.value.status, HoldStatus::kExpired);
  EXPECT_TRUE(svc_->CreateHold("bob", show, SeatsWanted{{"S2-1-1"}}).ok());
  Restart();  // the expiry was journaled: the seat stays bob's
  EXPECT_EQ(svc_->CreateHold("carol", show, SeatsWanted{{"S2-1-1"}}).outcome,
            Outcome::kSeatUnavailable);
  EXPECT_TRUE(svc_->Audit(show).ok);
}

// serve's hold_ttl_max_s, seats_per_hold_max and seats_per_owner_max are
// caps: a show that asks for more is refused, naming the setting.
TEST_F(BookingServiceTest, ShowsAboveTheOperatorsCapsAreRefused) {
  caps_ = ShowCaps{.hold_ttl_s_max = 120, .seats_per_order_max = 4, .seats_per_fan_max = 6};
  Restart();
  const core::SeatMapSpec venue = testing::GridVenue(2, 4, 10, 20);
  const auto refused = [&](const std::function<void(ShowSettings&)>& edit, std::string_view cap) {
    StatusOr<std::shared_ptr<const Show>> s = TryMakeShow(*svc_, venue, edit);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.status().message().find(cap), std::string::npos) << s.status().message();
  };
  refused([](ShowSettings& s) { s.hold_ttl_s = 600; }, "hold_ttl_max_s");
  refused([](ShowSettings& s) { s.seats_per_order_max = 8; }, "seats_per_hold_max");
  refused(
      [](ShowSettings& s) {
        s.seats_per_order_max = 4;
        s.seats_per_fan_max = 8;
      },
      "seats_per_owner_max");
  StatusOr<std::shared_ptr<const Show>> at_caps = TryMakeShow(*svc_, venue, [](ShowSettings& s) {
    s.hold_ttl_s = 120;
    s.seats_per_order_max = 4;
    s.seats_per_fan_max = 6;
  });
  ASSERT_TRUE(at_caps.ok()) << at_caps.status().message();
  // A fan holds no more than the cap in one hold.
  EXPECT_EQ(svc_->CreateHold("alice", (*at_caps)->id, BestWanted{5}).outcome,
            Outcome::kInvalidRequest);
  EXPECT_TRUE(svc_->CreateHold("alice", (*at_caps)->id, BestWanted{4}).ok());
}

// Caps bind new shows only: a show made under higher caps is recovered as it
// was, not refused as corruption, after the operator lowers them.
TEST_F(BookingServiceTest, LoweringACapKeepsExistingShows) {
  const core::ShowId show = MakeShow(*svc_);  // hold_ttl_s 60, the defaults' seat limits
  caps_ = ShowCaps{.hold_ttl_s_max = 30, .seats_per_order_max = 2, .seats_per_fan_max = 2};
  Restart();
  ASSERT_NE(svc_->FindShow(show), nullptr);
  EXPECT_EQ(svc_->FindShow(show)->settings.hold_ttl_s, 60u);
}

TEST_F(BookingServiceTest, CancellingFreesTheSeatsDurably) {
  const core::ShowId show = MakeShow(*svc_);
  Reply<HoldView> held = svc_->CreateHold("alice", show, SeatsWanted{{"S1-2-5"}});
  Reply<BookingView> booking = Confirm(show, held.value.hold);
  ASSERT_TRUE(booking.ok());
  auto cancelled = Wait<Reply<BookingView>>(
      [&](auto done) { svc_->CancelBooking(show, booking.value.booking, done); });
  ASSERT_TRUE(cancelled.ok());
  EXPECT_TRUE(cancelled.value.cancelled);
  Restart();
  EXPECT_TRUE(svc_->GetBooking(show, booking.value.booking).value.cancelled);
  EXPECT_TRUE(svc_->CreateHold("bob", show, SeatsWanted{{"S1-2-5"}}).ok());
  auto twice = Wait<Reply<BookingView>>(
      [&](auto done) { svc_->CancelBooking(show, booking.value.booking, done); });
  EXPECT_EQ(twice.outcome, Outcome::kBookingCancelled);
}

TEST_F(BookingServiceTest, TheSweeperExpiresHoldsWithoutAnyRequest) {
  const core::ShowId show = MakeShow(*svc_);
  ASSERT_TRUE(svc_->CreateHold("alice", show, SeatsWanted{{"S1-1-1"}}).ok());
  const core::Version before = svc_->GetAvailability(show)->version;
  svc_->StartSweeper();
  clock_.Advance(60'000);
  // The sweeper runs every kExpirySweepIntervalMs; wait (bounded) for it.
  for (int i = 0; i < 200 && svc_->GetAvailability(show)->version == before; ++i) usleep(10'000);
  const auto a = svc_->GetAvailability(show);
  EXPECT_EQ(a->version, before + 1);
  EXPECT_EQ(a->sections[0][0], 40u);  // every seat of section 1 free again
}

TEST_F(BookingServiceTest, IdempotencyRecordsAreForgottenAfterTheirRetention) {
  const auto remember = [&](std::string key) {
    store::IdempotencyRecord r;
    r.user = "alice";
    r.key = std::move(key);
    r.request_hash = "hash";
    r.status = 201;
    r.response_body = "{}";
    r.created_at_ms = clock_.now_ms();
    EXPECT_TRUE(Wait<Status>([&](auto done) { svc_->RememberIdempotent(r, done); }).ok());
  };
  remember("old");
  clock_.Advance(kIdempotencyRetentionMs - 1);
  remember("young");
  svc_->StartSweeper();
  usleep(300'000);  // three sweeps: nothing is past its retention yet
  EXPECT_TRUE(svc_->FindIdempotent("alice", "old").has_value());
  clock_.Advance(kClosedHoldPruneIntervalMs + 1);
  for (int i = 0; i < 200 && svc_->FindIdempotent("alice", "old"); ++i) usleep(10'000);
  EXPECT_FALSE(svc_->FindIdempotent("alice", "old").has_value());
  EXPECT_TRUE(svc_->FindIdempotent("alice", "young").has_value());
  Restart();  // the store forgot it too
  EXPECT_FALSE(svc_->FindIdempotent("alice", "old").has_value());
  EXPECT_TRUE(svc_->FindIdempotent("alice", "young").has_value());
  remember("old");  // the key may be used again
  EXPECT_TRUE(svc_->FindIdempotent("alice", "old").has_value());
}

TEST_F(BookingServiceTest, RequestsBeforeTheOnSaleTimeAreRefused) {
  const std::string json =
      boost::json::serialize(http::SeatMapSpecToJson(testing::GridVenue(1, 1, 4)));
  auto venue = Wait<StatusOr<std::shared_ptr<const Venue>>>(
      [&](auto done) { svc_->CreateVenue(json, done); });
  ShowSettings s;
  s.venue_id = (*venue)->id;
  s.name = "Later";
  s.on_sale_at_ms = clock_.now_ms() + 1000;
  s.starts_at_ms = clock_.now_ms() + 5000;
  s.currency = "EUR";
  s.prices = {{"P1", 1}, {"P2", 1}};
  auto show =
      Wait<StatusOr<std::shared_ptr<const Show>>>([&](auto done) { svc_->CreateShow(s, done); });
  ASSERT_TRUE(show.ok()) << show.status().message();
  EXPECT_EQ(svc_->CreateHold("a", (*show)->id, BestWanted{1}).status.code(),
            StatusCode::kFailedPrecondition);
  clock_.Advance(1000);
  EXPECT_TRUE(svc_->CreateHold("a", (*show)->id, BestWanted{1}).ok());
}

TEST_F(BookingServiceTest, InvalidShowSettingsAreRefusedNamingTheField) {
  const std::string json =
      boost::json::serialize(http::SeatMapSpecToJson(testing::GridVenue(1, 1, 4)));
  auto venue = Wait<StatusOr<std::shared_ptr<const Venue>>>(
      [&](auto done) { svc_->CreateVenue(json, done); });
  ShowSettings s;
  s.venue_id = (*venue)->id;
  s.name = "X";
  s.currency = "eur";
  s.prices = {{"P1", 1}, {"P2", 1}};
  auto show =
      Wait<StatusOr<std::shared_ptr<const Show>>>([&](auto done) { svc_->CreateShow(s, done); });
  ASSERT_FALSE(show.ok());
  EXPECT_NE(show.status().message().find("currency"), std::string::npos);
  s.currency = "EUR";
  s.prices.erase("P2");
  show = Wait<StatusOr<std::shared_ptr<const Show>>>([&](auto done) { svc_->CreateShow(s, done); });
  ASSERT_FALSE(show.ok());
  EXPECT_NE(show.status().message().find("prices.P2"), std::string::npos);
}

// Settings this build would refuse to create are refused when read back
// too: the store is damaged, and the core would not take them.
TEST_F(BookingServiceTest, AShowReadBackWithInvalidSettingsIsCorruption) {
  const core::ShowId show = MakeShow(*svc_);
  ShowSettings bad = svc_->FindShow(show)->settings;
  bad.prices.erase("P2");  // a category without a price
  Close();
  store::ShowRecord record{.show_id = show + 1,
                           .venue_id = bad.venue_id,
                           .name = bad.name,
                           .starts_at_ms = bad.starts_at_ms,
                           .on_sale_at_ms = bad.on_sale_at_ms,
                           .currency = bad.currency,
                           .prices = {{"P1", bad.prices.at("P1")}},
                           .hold_ttl_s = bad.hold_ttl_s,
                           .seats_per_order_max = bad.seats_per_order_max,
                           .seats_per_fan_max = bad.seats_per_fan_max,
                           .created_at_ms = 1};
  const Status recovered = RecoverWith(std::move(record));
  EXPECT_EQ(recovered.code(), StatusCode::kCorruption) << recovered.message();
  EXPECT_NE(recovered.message().find("prices.P2"), std::string::npos) << recovered.message();
}

// Durability before acknowledgement, with a store the test completes by hand.
TEST_F(ManualStoreTest, ABookingIsAcknowledgedOnlyOnceDurable) {
  const core::ShowId show = MakeShow();
  Reply<HoldView> held = svc_.CreateHold("alice", show, BestWanted{2});
  ASSERT_TRUE(held.ok());
  bool acknowledged = false;
  svc_.ConfirmHold(show, held.value.hold, "pay", [&](Reply<BookingView> r) {
    EXPECT_TRUE(r.ok());
    acknowledged = true;
  });
  EXPECT_FALSE(acknowledged);
  store_.CompleteAll(Status::Ok());
  EXPECT_TRUE(acknowledged);
}

// A key reused just as it is pruned must not clash with its old record in the
// store (a failed batch stops all sales): the service forgets a key only once
// the store's prune of it is durable, so a fresh request is written after it.
TEST_F(ManualStoreTest, AnIdempotencyKeyIsForgottenOnlyOnceTheStoreForgotIt) {
  store::IdempotencyRecord r;
  r.user = "alice";
  r.key = "k";
  r.request_hash = "hash";
  r.status = 201;
  r.created_at_ms = clock_.now_ms();
  svc_.RememberIdempotent(r, nullptr);
  store_.CompleteAll(Status::Ok());
  clock_.Advance(kIdempotencyRetentionMs + kClosedHoldPruneIntervalMs + 1);
  svc_.Sweep();
  ASSERT_GE(store_.pending(), 1u);  // the store's prune, not yet durable
  EXPECT_TRUE(svc_.FindIdempotent("alice", "k").has_value());
  store_.CompleteAll(Status::Ok());
  EXPECT_FALSE(svc_.FindIdempotent("alice", "k").has_value());
  EXPECT_FALSE(svc_.failed());
}

// A confirmation's Idempotency-Key record is in the batch of the booking it
// describes: both are durable, or neither, so a replay after a crash never
// runs fresh against the booking it made.
TEST_F(ManualStoreTest, AConfirmationsIdempotencyRecordIsDurableWithTheBooking) {
  const core::ShowId show = MakeShow();
  const Reply<HoldView> h = svc_.CreateHold("alice", show, BestWanted{1});
  ASSERT_TRUE(h.ok());
  store_.CompleteAll(Status::Ok());
  const Remember<Reply<BookingView>> remember = [](const Reply<BookingView>& r) {
    store::IdempotencyRecord rec;
    rec.user = "admin";
    rec.key = "k";
    rec.status = 201;
    rec.response_body = "booking " + std::to_string(r.value.booking);
    return rec;
  };
  std::optional<Reply<BookingView>> answered;
  svc_.ConfirmHold(
      show, h.value.hold, "ref", [&](Reply<BookingView> r) { answered = r; }, remember);
  const std::vector<store::Batch> batches = store_.pending_batches();
  ASSERT_EQ(batches.size(), 1u);
  bool booking = false, record = false;
  for (const store::Record& r : batches[0].records) {
    booking |= std::holds_alternative<store::BookingRecord>(r);
    record |= std::holds_alternative<store::IdempotencyRecord>(r);
  }
  EXPECT_TRUE(booking);
  EXPECT_TRUE(record);
  EXPECT_FALSE(svc_.FindIdempotent("admin", "k").has_value());  // not before it is durable
  EXPECT_FALSE(answered.has_value());
  store_.CompleteAll(Status::Ok());
  ASSERT_TRUE(answered.has_value());
  ASSERT_TRUE(svc_.FindIdempotent("admin", "k").has_value());
  EXPECT_EQ(svc_.FindIdempotent("admin", "k")->response_body, "booking 1");
}

TEST_F(ManualStoreTest, AJournalFailureRefusesFurtherChanges) {
  const core::ShowId show = MakeShow();
  Reply<HoldView> held = svc_.CreateHold("alice", show, BestWanted{1});
  ASSERT_TRUE(held.ok());
  Reply<BookingView> result;
  svc_.ConfirmHold(show, held.value.hold, "pay", [&](Reply<BookingView> r) { result = r; });
  store_.CompleteAll(Status::IoError("disk on fire"));
  EXPECT_EQ(result.status.code(), StatusCode::kUnavailable);  // never "booked"
  EXPECT_TRUE(svc_.failed());
  EXPECT_EQ(svc_.CreateHold("bob", show, BestWanted{1}).status.code(), StatusCode::kUnavailable);
}

// A store that cannot reach its database is no failure: changes are refused
// while it is away, what was queued waits unacknowledged, and the service
// takes changes again once it is back.
TEST_F(ManualStoreTest, AnUnreachableStoreRefusesChangesUntilItIsBack) {
  const core::ShowId show = MakeShow();
  Reply<HoldView> held = svc_.CreateHold("alice", show, BestWanted{1});
  ASSERT_TRUE(held.ok());
  bool acknowledged = false;
  svc_.ConfirmHold(show, held.value.hold, "pay", [&](Reply<BookingView> r) {
    EXPECT_TRUE(r.ok()) << r.status.message();
    acknowledged = true;
  });
  store_.SetReachable(false);
  const Reply<HoldView> refused = svc_.CreateHold("bob", show, BestWanted{1});
  EXPECT_EQ(refused.status.code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.status.message().find("unreachable"), std::string::npos)
      << refused.status.message();
  EXPECT_EQ(svc_.Refusal().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(svc_.failed());
  EXPECT_FALSE(acknowledged);
  store_.SetReachable(true);
  store_.CompleteAll(Status::Ok());  // the queued booking commits once the database is back
  EXPECT_TRUE(acknowledged);
  EXPECT_TRUE(svc_.Refusal().ok());
  EXPECT_TRUE(svc_.CreateHold("bob", show, BestWanted{1}).ok());
}

// What the service hands to the live-stream hub, recorded.
class RecordingSinks final : public ChangeSink, public HoldEventSink {
 public:
  void OnChanges(const std::shared_ptr<const core::SeatMap>&, const core::ChangeLog& log) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (const core::Change& c : log.changes()) changes_.push_back(c);
  }
  void Publish(const HoldEvent& e) override {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(e);
  }
  std::vector<core::Change> changes() const {
    std::lock_guard<std::mutex> lock(mu_);
    return changes_;
  }
  std::vector<HoldEvent> events() const {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }
  // Waits (bounded) until `n` events were published.
  bool WaitForEvents(size_t n) const {
    for (int i = 0; i < 500 && events().size() < n; ++i) usleep(10'000);
    return events().size() >= n;
  }

 private:
  mutable std::mutex mu_;
  std::vector<core::Change> changes_;
  std::vector<HoldEvent> events_;
};

TEST_F(BookingServiceTest, ChangesAndHoldEventsGoToTheLiveStreamSinks) {
  RecordingSinks sinks;
  svc_->SetChangeSink(&sinks);
  svc_->SetHoldEventSink(&sinks);
  svc_->SetHoldWarning(10'000);
  const core::ShowId show = MakeShow(*svc_);  // holds last 60 s
  Reply<HoldView> alice = svc_->CreateHold("alice", show, SeatsWanted{{"S1-1-1"}});
  Reply<HoldView> bob = svc_->CreateHold("bob", show, SeatsWanted{{"S1-1-2"}});
  ASSERT_TRUE(alice.ok() && bob.ok());
  Reply<BookingView> booking = Confirm(show, bob.value.hold);
  ASSERT_TRUE(booking.ok());
  svc_->StartSweeper();
  clock_.Advance(49'999);  // not yet within 10 s of expiry
  usleep(300'000);         // three sweeps
  ASSERT_EQ(sinks.events().size(), 1u);
  clock_.Advance(1);
  ASSERT_TRUE(sinks.WaitForEvents(2));
  clock_.Advance(10'000);
  ASSERT_TRUE(sinks.WaitForEvents(3));

  const std::vector<HoldEvent> events = sinks.events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].kind, HoldEventKind::kBooked);
  EXPECT_EQ(events[0].user, "bob");
  EXPECT_EQ(events[0].hold, bob.value.hold);
  EXPECT_EQ(events[0].booking, booking.value.booking);
  EXPECT_EQ(events[1].kind, HoldEventKind::kExpiringSoon);
  EXPECT_EQ(events[1].user, "alice");
  EXPECT_EQ(events[1].hold, alice.value.hold);
  EXPECT_EQ(events[1].expires_at_ms, alice.value.expires_at_ms);
  EXPECT_EQ(events[2].kind, HoldEventKind::kExpired);
  EXPECT_EQ(events[2].user, "alice");
  EXPECT_EQ(events[2].show, show);

  const std::vector<core::Change> changes = sinks.changes();
  ASSERT_EQ(changes.size(), 4u);  // held, held, booked, expired
  for (size_t i = 0; i < changes.size(); ++i) EXPECT_EQ(changes[i].version, i + 1);
  EXPECT_EQ(changes[3].reason, core::ChangeReason::kExpired);
  EXPECT_EQ(changes[3].hold, alice.value.hold);
  svc_->Stop();
}

}  // namespace
}  // namespace boxoffice::service
