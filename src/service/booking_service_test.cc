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

// Durability before acknowledgement, with a store the test completes by hand.
class ManualStoreTest : public ::testing::Test {
 protected:
  ManualStoreTest()
      : svc_(
            store_, codec_, [this] { return clock_.now_ms(); }, metrics_) {
    EXPECT_TRUE(svc_.Recover().ok());
  }
  core::ShowId MakeShow() {
    const std::string json =
        boost::json::serialize(http::SeatMapSpecToJson(testing::GridVenue(1, 2, 6)));
    std::shared_ptr<const Venue> venue;
    svc_.CreateVenue(json, [&](StatusOr<std::shared_ptr<const Venue>> v) { venue = *v; });
    store_.CompleteAll(Status::Ok());
    ShowSettings s;
    s.venue_id = venue->id;
    s.name = "Manual";
    s.starts_at_ms = clock_.now_ms() + 1000;
    s.on_sale_at_ms = clock_.now_ms();
    s.currency = "EUR";
    s.prices = {{"P1", 1}, {"P2", 1}};
    std::shared_ptr<const Show> show;
    svc_.CreateShow(s, [&](StatusOr<std::shared_ptr<const Show>> r) { show = *r; });
    store_.CompleteAll(Status::Ok());
    return show->id;
  }

  testing::FakeClock clock_;
  testing::ManualStore store_;
  http::JsonCatalogCodec codec_;
  metrics::Registry metrics_;
  BookingService svc_;
};

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
