// The Store contract, the same tests for every implementation (typed tests
// over the "kinds" in store_kinds.h): batches are all or nothing, callbacks
// run only once their batch is committed, the journal keeps no holes (after
// a failed batch every later one fails until the store is reopened), the
// (show, seat) constraint, every record type round trip, closed holds kept
// until pruned, records replaced by a second one of their key, per-show
// loads, the outbox's pages and pruning, retention, fencing by show epoch,
// and restarts.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "store/snapshot_part.h"
#include "store/store_kinds.h"
#include "store/store_test_util.h"

namespace boxoffice::store {
namespace {

using testing::Booking;
using testing::Change;
using testing::Hold;
using testing::Idempotency;
using testing::One;
using testing::Outcomes;
using testing::Payment;
using testing::Room;
using testing::SubmitAndWait;
using testing::WriterGate;

template <typename Kind>
class StoreConformance : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = kind_.Unavailable(); !why.empty()) GTEST_SKIP() << why;
  }

  std::unique_ptr<Store> Open(GroupCommitOptions options = {}) {
    StatusOr<std::unique_ptr<Store>> store = kind_.Open(std::move(options));
    EXPECT_TRUE(store.ok()) << store.status().message();
    return store.ok() ? std::move(store).value() : nullptr;
  }
  std::unique_ptr<Store> OpenAs(std::string node_id) {
    GroupCommitOptions options;
    options.node_id = std::move(node_id);
    return Open(std::move(options));
  }

  // Closes `store` and opens the database again: after a failed batch, the
  // store takes no more until reopened.
  void Reopen(std::unique_ptr<Store>& store) {
    store->Close();
    store = Open();
  }

  // Closes `store`, opens the database again, checks it and loads it.
  Snapshot Reload(std::unique_ptr<Store>& store) {
    store->Close();
    store = Open();
    StatusOr<Snapshot> snap = store->Load();
    EXPECT_TRUE(snap.ok()) << snap.status().message();
    const Status integrity = kind_.CheckIntegrity(*store);
    EXPECT_TRUE(integrity.ok()) << integrity.message();
    return snap.ok() ? std::move(snap).value() : Snapshot{};
  }

  static std::vector<ChangeRecord> Read(Store& store, ChangesQuery q) {
    StatusOr<ChangesPage> page = testing::ReadChangesAndWait(store, q);
    EXPECT_TRUE(page.ok()) << page.status().message();
    if (!page.ok()) return {};
    EXPECT_FALSE(page->gone);
    return std::move(page->changes);
  }

  Kind kind_;
};

TYPED_TEST_SUITE(StoreConformance, StoreKinds, StoreKindNames);

// ---- Records ----------------------------------------------------------------------------

TYPED_TEST(StoreConformance, ANewStoreLoadsEmpty) {
  auto store = this->Open();
  StatusOr<Snapshot> snap = store->Load();
  ASSERT_TRUE(snap.ok()) << snap.status().message();
  EXPECT_TRUE(snap->venues.empty());
  EXPECT_TRUE(snap->bookings.empty());
  EXPECT_TRUE(snap->idempotency.empty());
  EXPECT_EQ(store->LoadShow(1).status().code(), StatusCode::kNotFound);
}

// Every record of one show, for the round trip and per-show loads.
std::vector<Record> EveryRecordOfAShow(ShowId show, uint64_t venue) {
  HoldRecord ga_hold = Hold(show, 5, {});
  ga_hold.ga_area = 2;
  ga_hold.ga_quantity = 4;
  PaymentRecord booked = Payment("pay_" + std::to_string(show), PaymentState::kBooked, show);
  booked.booking_id = 1;
  booked.refund_id = "re_1";
  booked.note = "paid";
  return {testing::Show(show, venue),
          Hold(show, UINT64_MAX - 1, {1, 2, 70'000}),  // ids beyond INT64_MAX
          ga_hold,
          Booking(show, 1, {10, 11}),
          Booking(show, 2, {12}),
          SeatsBlocked{.show_id = show, .seats = {40, 41}, .blocked = true},
          ShowVersion{.show_id = show, .version = 42},
          booked,
          HoldTrailRecord{show, 5, HoldTrailKind::kCreated, 500, ""},
          HoldTrailRecord{show, 5, HoldTrailKind::kPaid, 600, "payment pay_1"},
          TicketRecord{"tk_" + std::to_string(show) + "a", show, 1, 10, 0, 2'000},
          TicketRecord{"tk_" + std::to_string(show) + "b", show, 2, core::kNoSeat, 1, 2'000},
          Room(60, show),
          QueueJoinRecord{show, 1, "alice", true, 1'100},
          QueueJoinRecord{show, 2, "bob", false, 2'100},
          QueueSessionRecord{show, 1, 602'000, false},
          QueueProgressRecord{show, 2, true, 2'200},
          Change(show, 42, {1, 2}),
          Hold(show, 6, {20}),
          HoldClosed{show, 6, HoldEnd::kConfirmed, 800, 1},
          Payment("pay_c" + std::to_string(show), PaymentState::kCancelled, show),
          HoldTrailRecord{show, 6, HoldTrailKind::kPaymentCancelled, 700, "withdrawn"},
          ShowSalesRecord{show, SalesState::kPaused, 900},
          TicketCheckinRecord{"tk_" + std::to_string(show) + "a", show, 3'000}};
}

// The closed hold of EveryRecordOfAShow, as Load reads it back.
ClosedHoldRecord ClosedHoldOf(const std::vector<Record>& records) {
  const HoldRecord& h = std::get<HoldRecord>(records[18]);
  const HoldClosed& c = std::get<HoldClosed>(records[19]);
  return {h.show_id, h.hold_id, h.owner, h.token, c.why, c.booking_id, c.at_ms};
}

TYPED_TEST(StoreConformance, EveryRecordTypeSurvivesARestart) {
  auto store = this->Open();
  const VenueRecord venue{
      .venue_id = 3, .name = "Arena", .seat_map = testing::SmallSeatMap(), .created_at_ms = 11};
  IdempotencyRecord idem = Idempotency("alice", "key-1");
  idem.response_body = std::string("binary\0body\xff", 12);
  idem.request_hash = std::string("\x00\x01\xfe", 3);
  Batch batch;
  batch.records = EveryRecordOfAShow(7, 3);
  batch.records.push_back(venue);
  batch.records.push_back(idem);
  batch.records.push_back(WebhookEventRecord{"evt_1", 2'000});
  ASSERT_TRUE(SubmitAndWait(*store, std::move(batch)).ok());
  ASSERT_TRUE(
      SubmitAndWait(*store, One(BookingCancelled{.show_id = 7, .booking_id = 2, .at_ms = 500}))
          .ok());

  const Snapshot snap = this->Reload(store);
  std::vector<Record> want = EveryRecordOfAShow(7, 3);
  EXPECT_EQ(snap.venues, std::vector<VenueRecord>{venue});
  EXPECT_EQ(snap.shows, std::vector<ShowRecord>{std::get<ShowRecord>(want[0])});
  std::vector<HoldRecord> holds = snap.live_holds;  // ordered by stored id: any order here
  std::sort(holds.begin(), holds.end(),
            [](const auto& x, const auto& y) { return x.hold_id < y.hold_id; });
  EXPECT_EQ(holds, (std::vector<HoldRecord>{std::get<HoldRecord>(want[2]),
                                            std::get<HoldRecord>(want[1])}));
  BookingRecord cancelled = std::get<BookingRecord>(want[4]);
  cancelled.cancelled = true;
  cancelled.cancelled_at_ms = 500;
  EXPECT_EQ(snap.bookings,
            (std::vector<BookingRecord>{std::get<BookingRecord>(want[3]), cancelled}));
  EXPECT_EQ(snap.blocked, (std::vector<SeatsBlocked>{{.show_id = 7, .seats = {40, 41}}}));
  EXPECT_EQ(snap.versions, (std::vector<ShowVersion>{{.show_id = 7, .version = 42}}));
  EXPECT_EQ(snap.idempotency, std::vector<IdempotencyRecord>{idem});
  EXPECT_EQ(snap.closed_holds, std::vector<ClosedHoldRecord>{ClosedHoldOf(want)});
  EXPECT_EQ(snap.payments, (std::vector<PaymentRecord>{std::get<PaymentRecord>(want[7]),
                                                       std::get<PaymentRecord>(want[20])}));
  EXPECT_EQ(snap.webhook_events, (std::vector<WebhookEventRecord>{{"evt_1", 2'000}}));
  EXPECT_EQ(snap.hold_trail, (std::vector<HoldTrailRecord>{std::get<HoldTrailRecord>(want[8]),
                                                           std::get<HoldTrailRecord>(want[9]),
                                                           std::get<HoldTrailRecord>(want[21])}));
  EXPECT_EQ(snap.tickets, (std::vector<TicketRecord>{std::get<TicketRecord>(want[10]),
                                                     std::get<TicketRecord>(want[11])}));
  EXPECT_EQ(snap.queue_rooms, std::vector<QueueRoomRecord>{Room(60, 7)});
  EXPECT_EQ(snap.queue_joins, (std::vector<QueueJoinRecord>{std::get<QueueJoinRecord>(want[13]),
                                                            std::get<QueueJoinRecord>(want[14])}));
  EXPECT_EQ(snap.queue_sessions,
            std::vector<QueueSessionRecord>{std::get<QueueSessionRecord>(want[15])});
  EXPECT_EQ(snap.queue_progress,
            std::vector<QueueProgressRecord>{std::get<QueueProgressRecord>(want[16])});
  EXPECT_EQ(snap.show_sales, std::vector<ShowSalesRecord>{std::get<ShowSalesRecord>(want[22])});
  EXPECT_EQ(snap.checkins,
            std::vector<TicketCheckinRecord>{std::get<TicketCheckinRecord>(want[23])});
  ChangeRecord change = std::get<ChangeRecord>(want[17]);
  change.seq = 1;
  EXPECT_EQ(this->Read(*store, {}), std::vector<ChangeRecord>{change});
}

TYPED_TEST(StoreConformance, LaterRecordsReplaceEarlierOnesOfTheSameId) {
  auto store = this->Open();
  ShowRecord later = testing::Show(1, 1);
  later.on_sale_at_ms = 1;
  later.prices = {{"STD", 10}};
  PaymentRecord refunded = Payment("pay_1", PaymentState::kRefunded, 1);
  refunded.refund_id = "re_9";
  refunded.updated_at_ms = 5'000;
  Batch first;
  first.records = {VenueRecord{.venue_id = 1, .name = "Old", .seat_map = {}, .created_at_ms = 1},
                   testing::Show(1, 1),
                   ShowVersion{.show_id = 1, .version = 5},
                   Payment("pay_1", PaymentState::kPending, 1),
                   Room(60, 1),
                   QueueSessionRecord{1, 1, 602'000, false},
                   QueueProgressRecord{1, 2, true, 2'200},
                   ShowSalesRecord{1, SalesState::kPaused, 900}};
  ASSERT_TRUE(SubmitAndWait(*store, std::move(first)).ok());
  Batch second;
  second.records = {VenueRecord{.venue_id = 1, .name = "New", .seat_map = {}, .created_at_ms = 2},
                    later,
                    ShowVersion{.show_id = 1, .version = 9},
                    refunded,
                    Room(120, 1),
                    QueueSessionRecord{1, 1, 602'000, true},
                    QueueProgressRecord{1, 1, false, 2'100},  // older news: no step back
                    ShowSalesRecord{1, SalesState::kClosed, 1'200},
                    ShowSalesRecord{2, SalesState::kOpen, 1'300}};
  ASSERT_TRUE(SubmitAndWait(*store, std::move(second)).ok());
  const Snapshot snap = this->Reload(store);
  ASSERT_EQ(snap.venues.size(), 1u);
  EXPECT_EQ(snap.venues[0].name, "New");
  EXPECT_EQ(snap.shows, std::vector<ShowRecord>{later});
  EXPECT_EQ(snap.versions, (std::vector<ShowVersion>{{.show_id = 1, .version = 9}}));
  EXPECT_EQ(snap.payments, std::vector<PaymentRecord>{refunded});
  EXPECT_EQ(snap.queue_rooms, std::vector<QueueRoomRecord>{Room(120, 1)});
  EXPECT_EQ(snap.queue_sessions, (std::vector<QueueSessionRecord>{{1, 1, 602'000, true}}));
  EXPECT_EQ(snap.queue_progress, (std::vector<QueueProgressRecord>{{1, 2, true, 2'200}}));
  EXPECT_EQ(snap.show_sales, (std::vector<ShowSalesRecord>{{1, SalesState::kClosed, 1'200},
                                                           {2, SalesState::kOpen, 1'300}}));
}

// The service forgets idempotency keys and webhook event ids after their
// retention; one that comes back then is recorded again, replacing the
// earlier record, never a failed batch (which would stop all sales).
TYPED_TEST(StoreConformance, ASecondIdempotencyRecordOrWebhookEventOfAKeyReplacesTheFirst) {
  auto store = this->Open();
  ASSERT_TRUE(SubmitAndWait(*store, One(Idempotency("alice", "k1"))).ok());
  ASSERT_TRUE(SubmitAndWait(*store, One(WebhookEventRecord{"evt_9", 1})).ok());
  IdempotencyRecord again = Idempotency("alice", "k1");
  again.status = 409;
  again.created_at_ms += 1;
  ASSERT_TRUE(SubmitAndWait(*store, One(again)).ok());
  ASSERT_TRUE(SubmitAndWait(*store, One(WebhookEventRecord{"evt_9", 2})).ok());
  IdempotencyRecord third = again;  // twice in one batch: the later one counts
  third.response_body = "third";
  Batch twice;
  twice.records = {Idempotency("bob", "k1"), again, third, WebhookEventRecord{"evt_8", 3},
                   WebhookEventRecord{"evt_8", 4}};
  ASSERT_TRUE(SubmitAndWait(*store, std::move(twice)).ok());
  const Snapshot snap = this->Reload(store);
  ASSERT_EQ(snap.idempotency.size(), 2u);
  EXPECT_NE(std::find(snap.idempotency.begin(), snap.idempotency.end(), third),
            snap.idempotency.end());
  EXPECT_EQ(snap.webhook_events, (std::vector<WebhookEventRecord>{{"evt_8", 4}, {"evt_9", 2}}));
}

TYPED_TEST(StoreConformance, AHoldIsExtendedThenClosedAndNoLongerLoaded) {
  auto store = this->Open();
  ASSERT_TRUE(SubmitAndWait(*store, One(Hold(1, 9, {3, 4}))).ok());
  ASSERT_TRUE(
      SubmitAndWait(
          *store,
          One(HoldExtended{.show_id = 1, .hold_id = 9, .expires_at_ms = 777, .created_at_ms = 5}))
          .ok());
  const Snapshot extended = this->Reload(store);
  ASSERT_EQ(extended.live_holds.size(), 1u);
  EXPECT_EQ(extended.live_holds[0].expires_at_ms, 777);
  EXPECT_EQ(extended.live_holds[0].created_at_ms, 5);
  ASSERT_TRUE(SubmitAndWait(
                  *store, One(HoldClosed{
                              .show_id = 1, .hold_id = 9, .why = HoldEnd::kExpired, .at_ms = 778}))
                  .ok());
  const Snapshot closed = this->Reload(store);
  EXPECT_TRUE(closed.live_holds.empty());
  ASSERT_EQ(closed.closed_holds.size(), 1u);
  EXPECT_EQ(closed.closed_holds[0].why, HoldEnd::kExpired);
}

// A closed hold is read back as closed (why, whose, its token and booking)
// until pruned, so a restart answers for it as the running server did.
TYPED_TEST(StoreConformance, ClosedHoldsAreReadBackUntilPruned) {
  auto store = this->Open();
  HoldRecord booked = Hold(1, 9, {3, 4});
  HoldRecord released = Hold(1, 10, {5});
  ASSERT_TRUE(SubmitAndWait(*store, Batch{{booked, released}}).ok());
  ASSERT_TRUE(SubmitAndWait(*store, Batch{{HoldClosed{1, 9, HoldEnd::kConfirmed, 1'000, 4},
                                           HoldClosed{1, 10, HoldEnd::kReleased, 2'000, 0}}})
                  .ok());
  Snapshot snap = this->Reload(store);
  EXPECT_TRUE(snap.live_holds.empty());
  EXPECT_EQ(snap.closed_holds,
            (std::vector<ClosedHoldRecord>{
                {1, 9, booked.owner, booked.token, HoldEnd::kConfirmed, 4, 1'000},
                {1, 10, released.owner, released.token, HoldEnd::kReleased, 0, 2'000}}));
  HistoryPruned prune;
  prune.closed_holds_before_ms = 2'000;  // exactly those before the bound
  ASSERT_TRUE(SubmitAndWait(*store, One(prune)).ok());
  snap = this->Reload(store);
  ASSERT_EQ(snap.closed_holds.size(), 1u);
  EXPECT_EQ(snap.closed_holds[0].hold_id, 10u);
}

TYPED_TEST(StoreConformance, ExtendingOrClosingAHoldThatIsNotLiveIsRefused) {
  auto store = this->Open();
  EXPECT_EQ(SubmitAndWait(*store, One(HoldExtended{.show_id = 1, .hold_id = 9})).code(),
            StatusCode::kNotFound);
  this->Reopen(store);
  EXPECT_EQ(SubmitAndWait(*store, One(HoldClosed{.show_id = 1, .hold_id = 9})).code(),
            StatusCode::kNotFound);
  this->Reopen(store);
  ASSERT_TRUE(SubmitAndWait(*store, One(Hold(1, 9, {1}))).ok());
  EXPECT_EQ(SubmitAndWait(*store, One(Hold(1, 9, {2}))).code(), StatusCode::kAlreadyExists);
  this->Reopen(store);
  // Closed twice in one batch: the second finds nothing, and the batch is undone.
  Batch twice;
  twice.records = {HoldClosed{.show_id = 1, .hold_id = 9}, HoldClosed{.show_id = 1, .hold_id = 9}};
  EXPECT_EQ(SubmitAndWait(*store, std::move(twice)).code(), StatusCode::kNotFound);
  const Snapshot snap = this->Reload(store);
  EXPECT_EQ(snap.live_holds.size(), 1u);
  EXPECT_TRUE(snap.closed_holds.empty());
}

TYPED_TEST(StoreConformance, BlockedSeatsAreGroupedPerShowAndCanBeUnblocked) {
  auto store = this->Open();
  Batch batch;
  batch.records = {SeatsBlocked{.show_id = 2, .seats = {9, 3, 3}, .blocked = true},
                   SeatsBlocked{.show_id = 1, .seats = {4}, .blocked = true},
                   SeatsBlocked{.show_id = 2, .seats = {9, 100}, .blocked = false}};
  ASSERT_TRUE(SubmitAndWait(*store, std::move(batch)).ok());
  ASSERT_TRUE(SubmitAndWait(*store, One(SeatsBlocked{.show_id = 1, .seats = {5}})).ok());
  ASSERT_TRUE(
      SubmitAndWait(*store, One(SeatsBlocked{.show_id = 1, .seats = {5}, .blocked = false})).ok());
  EXPECT_EQ(this->Reload(store).blocked, (std::vector<SeatsBlocked>{{.show_id = 1, .seats = {4}},
                                                                    {.show_id = 2, .seats = {3}}}));
}

// ---- Atomicity and the (show, seat) constraint -------------------------------------------

// The journal keeps no holes: after a failed batch, every later one fails
// too (later batches may build on it), until the store is reopened.
TYPED_TEST(StoreConformance, AfterAFailedBatchEveryLaterOneFailsUntilReopened) {
  auto store = this->Open();
  ASSERT_TRUE(SubmitAndWait(*store, One(Booking(1, 1, {5}))).ok());
  EXPECT_EQ(SubmitAndWait(*store, One(Booking(1, 2, {5}))).code(), StatusCode::kAlreadyExists);
  const Status after = SubmitAndWait(*store, One(Booking(1, 3, {6})));
  EXPECT_EQ(after.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(after.message().find("earlier batch failed"), std::string::npos) << after.message();
  EXPECT_EQ(testing::ReadChangesAndWait(*store, {}).status().code(),
            StatusCode::kFailedPrecondition);
  this->Reopen(store);
  EXPECT_TRUE(SubmitAndWait(*store, One(Booking(1, 2, {6}))).ok());
  const Snapshot snap = this->Reload(store);
  ASSERT_EQ(snap.bookings.size(), 2u);
  EXPECT_EQ(snap.bookings[1].booking_id, 2u);
}

TYPED_TEST(StoreConformance, ASecondActiveBookingOfASeatIsRefusedWithEverythingAfterIt) {
  auto store = this->Open();
  Outcomes outcomes(*store);
  size_t first, second, other;
  {
    WriterGate gate(*store);  // the three batches below share one transaction
    first = outcomes.Submit(One(Booking(1, 1, {5, 6})));
    second = outcomes.Submit(One(Booking(1, 2, {7, 6})));
    other = outcomes.Submit(One(Booking(1, 3, {8})));
  }
  store->Flush();
  EXPECT_TRUE(outcomes.at(first).ok()) << outcomes.at(first).message();
  EXPECT_EQ(outcomes.at(second).code(), StatusCode::kAlreadyExists)
      << outcomes.at(second).message();
  EXPECT_EQ(outcomes.at(other).code(), StatusCode::kFailedPrecondition);  // no hole after it
  EXPECT_EQ(store->stats().batches_failed, 2u);
  const Snapshot snap = this->Reload(store);
  ASSERT_EQ(snap.bookings.size(), 1u);
  EXPECT_EQ(snap.bookings[0].booking_id, 1u);
}

TYPED_TEST(StoreConformance, ARefusedBatchLeavesNothingBehind) {
  auto store = this->Open();
  ASSERT_TRUE(SubmitAndWait(*store, One(Booking(1, 1, {5}))).ok());
  Batch batch;
  batch.records = {Hold(1, 4, {9}), ShowVersion{.show_id = 1, .version = 3}, Change(1, 3, {9}),
                   Payment("pay_x", PaymentState::kPending, 1), Booking(1, 2, {5})};
  EXPECT_EQ(SubmitAndWait(*store, std::move(batch)).code(), StatusCode::kAlreadyExists);
  const Snapshot snap = this->Reload(store);
  EXPECT_TRUE(snap.live_holds.empty());
  EXPECT_TRUE(snap.versions.empty());
  EXPECT_TRUE(snap.payments.empty());
  EXPECT_EQ(snap.bookings.size(), 1u);
  EXPECT_TRUE(this->Read(*store, {}).empty());
}

TYPED_TEST(StoreConformance, ARefusedBatchInAGroupLeavesNothingAndTheOnesBeforeKeepTheirVersions) {
  auto store = this->Open();
  Outcomes outcomes(*store);
  size_t first, rejected, last, rejected_last;
  {
    WriterGate gate(*store);  // the four batches below share one transaction
    Batch b1, b2, b3, b4;
    b1.records = {Booking(1, 1, {5}), ShowVersion{.show_id = 1, .version = 3}, Change(1, 3, {})};
    b2.records = {Hold(1, 4, {9}), Change(1, 4, {}), Booking(1, 2, {5}),
                  ShowVersion{.show_id = 1, .version = 4}};
    b3.records = {Hold(2, 1, {1}), ShowVersion{.show_id = 2, .version = 8}, Change(2, 8, {})};
    b4.records = {Hold(2, 2, {2}), Booking(2, 7, {3, 3}), ShowVersion{.show_id = 2, .version = 9}};
    first = outcomes.Submit(std::move(b1));
    rejected = outcomes.Submit(std::move(b2));
    last = outcomes.Submit(std::move(b3));
    rejected_last = outcomes.Submit(std::move(b4));
  }
  store->Flush();
  EXPECT_TRUE(outcomes.at(first).ok()) << outcomes.at(first).message();
  EXPECT_EQ(outcomes.at(rejected).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(outcomes.at(last).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(outcomes.at(rejected_last).code(), StatusCode::kFailedPrecondition);
  const Snapshot snap = this->Reload(store);
  EXPECT_TRUE(snap.live_holds.empty());  // hold 4 of show 1 undone, show 2's never applied
  ASSERT_EQ(snap.bookings.size(), 1u);
  EXPECT_EQ(snap.versions, (std::vector<ShowVersion>{{.show_id = 1, .version = 3}}));
  std::vector<uint64_t> seqs;
  for (const ChangeRecord& c : this->Read(*store, {})) seqs.push_back(c.seq);
  EXPECT_EQ(seqs, (std::vector<uint64_t>{1}));
  // The outbox has no hole where the refused batch's change was.
  ASSERT_TRUE(SubmitAndWait(*store, One(Change(1, 4, {}))).ok());
  seqs.clear();
  for (const ChangeRecord& c : this->Read(*store, {})) seqs.push_back(c.seq);
  EXPECT_EQ(seqs, (std::vector<uint64_t>{1, 2}));
}

TYPED_TEST(StoreConformance, ACancelledBookingFreesItsSeatsForANewBooking) {
  auto store = this->Open();
  ASSERT_TRUE(SubmitAndWait(*store, One(Booking(1, 1, {5, 6}))).ok());
  EXPECT_EQ(SubmitAndWait(*store, One(Booking(1, 2, {6}))).code(), StatusCode::kAlreadyExists);
  this->Reopen(store);
  ASSERT_TRUE(
      SubmitAndWait(*store, One(BookingCancelled{.show_id = 1, .booking_id = 1, .at_ms = 9})).ok());
  EXPECT_TRUE(SubmitAndWait(*store, One(Booking(1, 2, {6}))).ok());
  EXPECT_TRUE(SubmitAndWait(*store, One(Booking(2, 1, {6}))).ok());  // another show
  const Snapshot snap = this->Reload(store);
  ASSERT_EQ(snap.bookings.size(), 3u);
  EXPECT_TRUE(snap.bookings[0].cancelled);
  EXPECT_FALSE(snap.bookings[1].cancelled);
  EXPECT_FALSE(snap.bookings[2].cancelled);
}

// A seat booked, cancelled and booked again within one transaction.
TYPED_TEST(StoreConformance, ASeatCanBeBookedAgainAfterACancellationInTheSameGroup) {
  auto store = this->Open();
  Outcomes outcomes(*store);
  {
    WriterGate gate(*store);
    outcomes.Submit(One(Booking(1, 1, {5, 6})));
    outcomes.Submit(One(BookingCancelled{.show_id = 1, .booking_id = 1, .at_ms = 9}));
    outcomes.Submit(One(Booking(1, 2, {6})));
  }
  store->Flush();
  for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(outcomes.at(i).ok()) << outcomes.at(i).message();
  const Snapshot snap = this->Reload(store);
  ASSERT_EQ(snap.bookings.size(), 2u);
  EXPECT_TRUE(snap.bookings[0].cancelled);
}

TYPED_TEST(StoreConformance, CancellingAnUnknownOrCancelledBookingIsRefused) {
  auto store = this->Open();
  EXPECT_EQ(SubmitAndWait(*store, One(BookingCancelled{.show_id = 1, .booking_id = 1})).code(),
            StatusCode::kNotFound);
  this->Reopen(store);
  ASSERT_TRUE(SubmitAndWait(*store, One(Booking(1, 1, {5}))).ok());
  EXPECT_EQ(SubmitAndWait(*store, One(Booking(1, 1, {6}))).code(), StatusCode::kAlreadyExists);
  this->Reopen(store);
  ASSERT_TRUE(SubmitAndWait(*store, One(BookingCancelled{.show_id = 1, .booking_id = 1})).ok());
  EXPECT_EQ(SubmitAndWait(*store, One(BookingCancelled{.show_id = 1, .booking_id = 1})).code(),
            StatusCode::kFailedPrecondition);
}

// A ticket code, a fan in a show's queue, a queue entry and a check-in are
// each written once: a second one is refused with its whole batch.
TYPED_TEST(StoreConformance, ARepeatedTicketCodeQueueFanOrCheckinIsRefusedWithItsBatch) {
  auto store = this->Open();
  Batch first;
  first.records = {TicketRecord{"tk_same", 1, 1, 0, 1, 1}, QueueJoinRecord{3, 1, "alice", false, 5},
                   TicketCheckinRecord{"tk_same", 1, 1'000}};
  ASSERT_TRUE(SubmitAndWait(*store, std::move(first)).ok());
  Batch dup;
  dup.records = {Payment("pay_2", PaymentState::kPending, 1),
                 TicketRecord{"tk_same", 1, 2, 1, 1, 1}};
  EXPECT_EQ(SubmitAndWait(*store, std::move(dup)).code(), StatusCode::kAlreadyExists);
  this->Reopen(store);
  EXPECT_EQ(SubmitAndWait(*store, One(QueueJoinRecord{3, 2, "alice", false, 6})).code(),
            StatusCode::kAlreadyExists);
  this->Reopen(store);
  Batch entry_taken;
  entry_taken.records = {QueueProgressRecord{3, 9, true, 7},
                         QueueJoinRecord{3, 1, "bob", false, 7}};
  EXPECT_EQ(SubmitAndWait(*store, std::move(entry_taken)).code(), StatusCode::kAlreadyExists);
  this->Reopen(store);
  Batch checked_in;
  checked_in.records = {ShowSalesRecord{1, SalesState::kPaused, 1'100},
                        TicketCheckinRecord{"tk_same", 1, 2'000}};
  EXPECT_EQ(SubmitAndWait(*store, std::move(checked_in)).code(), StatusCode::kAlreadyExists);
  this->Reopen(store);
  ASSERT_TRUE(SubmitAndWait(*store, One(QueueJoinRecord{4, 1, "alice", false, 8})).ok());
  const Snapshot snap = this->Reload(store);
  EXPECT_TRUE(snap.payments.empty());
  EXPECT_EQ(snap.tickets.size(), 1u);
  EXPECT_EQ(snap.queue_joins.size(), 2u);
  EXPECT_TRUE(snap.queue_progress.empty());
  EXPECT_EQ(snap.checkins, (std::vector<TicketCheckinRecord>{{"tk_same", 1, 1'000}}));
  EXPECT_TRUE(snap.show_sales.empty());
}

// ---- Durability ---------------------------------------------------------------------------

// Each callback sees its batch in the database through another connection:
// it ran after COMMIT, never before.
TYPED_TEST(StoreConformance, ACallbackRunsOnlyOnceItsBatchIsCommitted) {
  auto store = this->Open();
  auto reader = this->OpenAs("reader");
  std::atomic<int> seen{0};
  constexpr int kBatches = 40;
  for (int i = 1; i <= kBatches; ++i) {
    const auto id = static_cast<BookingId>(i);
    store->Submit(One(Booking(1, id, {static_cast<SeatIndex>(i)})), [&, id](Status s) {
      ASSERT_TRUE(s.ok()) << s.message();
      StatusOr<Snapshot> snap = reader->Load();
      ASSERT_TRUE(snap.ok()) << snap.status().message();
      const bool there = std::any_of(snap->bookings.begin(), snap->bookings.end(),
                                     [id](const BookingRecord& b) { return b.booking_id == id; });
      EXPECT_TRUE(there) << "booking " << id << " acknowledged before it was committed";
      seen.fetch_add(1);
    });
    if (i % 8 == 0) store->Flush();
  }
  store->Flush();
  EXPECT_EQ(seen.load(), kBatches);
}

TYPED_TEST(StoreConformance, FlushWaitsForTheCallbacksOfEverythingSubmittedBefore) {
  auto store = this->Open();
  std::atomic<int> done{0};
  constexpr int kBatches = 300;
  for (int i = 0; i < kBatches; ++i) {
    store->Submit(One(Booking(1, static_cast<BookingId>(i), {static_cast<SeatIndex>(i)})),
                  [&done](Status s) {
                    EXPECT_TRUE(s.ok()) << s.message();
                    done.fetch_add(1);
                  });
  }
  store->Flush();
  EXPECT_EQ(done.load(), kBatches);
  EXPECT_EQ(store->stats().batches_committed, uint64_t{kBatches});
  EXPECT_EQ(store->stats().records, uint64_t{kBatches});
  store->Flush();  // nothing pending: returns at once
}

TYPED_TEST(StoreConformance, CloseCommitsWhatWasQueuedAndIsIdempotent) {
  auto store = this->Open();
  std::atomic<int> ok{0};
  for (int i = 0; i < 100; ++i) {
    store->Submit(One(Booking(1, static_cast<BookingId>(i), {static_cast<SeatIndex>(i)})),
                  [&ok](Status s) { ok.fetch_add(s.ok() ? 1 : 0); });
  }
  store->Close();
  EXPECT_EQ(ok.load(), 100);
  store->Close();
  store->Flush();
  Status late = Status::Ok();
  store->Submit(One(Booking(1, 500, {500})), [&late](Status s) { late = std::move(s); });
  EXPECT_EQ(late.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store->Load().status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(this->Reload(store).bookings.size(), 100u);
}

TYPED_TEST(StoreConformance, AFullQueueRefusesBatchesThroughTheirCallbacks) {
  GroupCommitOptions options;
  options.queued_batches_max = 3;
  auto store = this->Open(std::move(options));
  Outcomes outcomes(*store);
  {
    WriterGate gate(*store);
    for (int i = 0; i < 5; ++i) {
      outcomes.Submit(One(Booking(1, static_cast<BookingId>(i), {static_cast<SeatIndex>(i)})));
    }
  }
  store->Flush();
  for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(outcomes.at(i).ok()) << i;
  EXPECT_EQ(outcomes.at(3).code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(outcomes.at(4).code(), StatusCode::kFailedPrecondition);  // no hole after a refusal
  EXPECT_EQ(this->Reload(store).bookings.size(), 3u);
}

TYPED_TEST(StoreConformance, TransactionsNeverExceedTheBatchLimit) {
  GroupCommitOptions options;
  options.batches_per_transaction_max = 4;
  std::vector<CommitObservation> seen;  // written on the writer thread, read after Flush
  options.observer = [&seen](const CommitObservation& o) { seen.push_back(o); };
  auto store = this->Open(std::move(options));
  {
    WriterGate gate(*store);
    for (int i = 0; i < 10; ++i) {
      store->Submit(One(Booking(1, static_cast<BookingId>(i), {static_cast<SeatIndex>(i)})),
                    nullptr);
    }
  }
  store->Flush();
  // The gate alone, then 10 batches in groups of at most 4.
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0].batches, 1u);
  EXPECT_EQ(seen[1].batches, 4u);
  EXPECT_EQ(seen[2].batches, 4u);
  EXPECT_EQ(seen[3].batches, 2u);
  EXPECT_EQ(seen[3].records, 2u);
  EXPECT_EQ(store->stats().transactions, 4u);
  EXPECT_EQ(store->stats().batches_committed, 11u);
}

// ---- Per-show loading ----------------------------------------------------------------------

TYPED_TEST(StoreConformance, LoadShowReadsOneShowsPartAlone) {
  auto store = this->Open();
  for (ShowId show : {ShowId{4}, ShowId{5}}) {
    Batch b;
    b.records = EveryRecordOfAShow(show, show * 10);
    b.records.push_back(VenueRecord{.venue_id = show * 10,
                                    .name = "Venue",
                                    .seat_map = testing::SmallSeatMap(),
                                    .created_at_ms = 1});
    ASSERT_TRUE(SubmitAndWait(*store, std::move(b)).ok());
  }
  ASSERT_TRUE(SubmitAndWait(*store, One(Idempotency("alice", "k"))).ok());
  ASSERT_TRUE(SubmitAndWait(*store, One(HoldClosed{.show_id = 4, .hold_id = 5})).ok());
  StatusOr<Snapshot> all = store->Load();
  ASSERT_TRUE(all.ok());
  for (ShowId show : {ShowId{4}, ShowId{5}}) {
    StatusOr<Snapshot> part = store->LoadShow(show);
    ASSERT_TRUE(part.ok()) << part.status().message();
    StatusOr<Snapshot> want = ShowPart(*all, show);
    ASSERT_TRUE(want.ok());
    EXPECT_EQ(part->venues, want->venues);
    EXPECT_EQ(part->shows, want->shows);
    EXPECT_EQ(part->live_holds, want->live_holds);
    EXPECT_EQ(part->closed_holds, want->closed_holds);
    EXPECT_EQ(part->bookings, want->bookings);
    EXPECT_EQ(part->blocked, want->blocked);
    EXPECT_EQ(part->versions, want->versions);
    EXPECT_EQ(part->payments, want->payments);
    EXPECT_EQ(part->hold_trail, want->hold_trail);
    EXPECT_EQ(part->tickets, want->tickets);
    EXPECT_EQ(part->queue_rooms, want->queue_rooms);
    EXPECT_EQ(part->queue_joins, want->queue_joins);
    EXPECT_EQ(part->queue_sessions, want->queue_sessions);
    EXPECT_EQ(part->queue_progress, want->queue_progress);
    EXPECT_EQ(part->show_sales, want->show_sales);
    EXPECT_EQ(part->checkins, want->checkins);
    EXPECT_EQ(part->closed_holds.size(), show == 4 ? 2u : 1u);
    EXPECT_EQ(part->show_sales.size(), 1u);
    EXPECT_EQ(part->checkins.size(), 1u);
    EXPECT_TRUE(part->idempotency.empty());
    EXPECT_TRUE(part->webhook_events.empty());
    ASSERT_EQ(part->shows.size(), 1u);
    EXPECT_EQ(part->venues.size(), 1u);
  }
  StatusOr<Snapshot> four = store->LoadShow(4);
  ASSERT_TRUE(four.ok());
  EXPECT_EQ(four->live_holds.size(), 1u);  // hold 5 was closed
  EXPECT_EQ(store->LoadShow(6).status().code(), StatusCode::kNotFound);
}

// ---- The outbox ------------------------------------------------------------------------------

TYPED_TEST(StoreConformance, OutboxChangesComeBackInOrderByShowOrOverall) {
  auto store = this->Open();
  for (Version v = 1; v <= 5; ++v) {
    Batch b;
    b.records = {Change(1, v, {static_cast<SeatIndex>(v)}), Change(2, v, {})};
    ASSERT_TRUE(SubmitAndWait(*store, std::move(b)).ok());
  }
  const std::vector<ChangeRecord> all = this->Read(*store, {.after_seq = 0, .limit = 100});
  ASSERT_EQ(all.size(), 10u);
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].seq, i + 1);
    EXPECT_EQ(all[i].show_id, i % 2 == 0 ? 1u : 2u);
  }
  ChangeRecord expected = Change(1, 1, {1});
  expected.seq = 1;
  EXPECT_EQ(all[0], expected);
  const std::vector<ChangeRecord> later = this->Read(*store, {.after_seq = 7, .limit = 2});
  ASSERT_EQ(later.size(), 2u);
  EXPECT_EQ(later[0].seq, 8u);
  const std::vector<ChangeRecord> show2 =
      this->Read(*store, {.show_id = 2, .after_version = 3, .limit = 100});
  ASSERT_EQ(show2.size(), 2u);
  EXPECT_EQ(show2[0].version, 4u);
  EXPECT_EQ(show2[1].version, 5u);
  // A version is written once: a batch repeating one is refused whole.
  Batch twice;
  twice.records = {Change(3, 2, {}), Change(3, 1, {9}), Change(3, 1, {9})};
  EXPECT_EQ(SubmitAndWait(*store, std::move(twice)).code(), StatusCode::kAlreadyExists);
  this->Reopen(store);
  EXPECT_TRUE(this->Read(*store, {.show_id = 3}).empty());
}

TYPED_TEST(StoreConformance, PruningTheOutboxTellsReadersWhoFellBehind) {
  auto store = this->Open();
  StatusOr<ChangesPage> empty = testing::ReadChangesAndWait(*store, {});
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->gone);          // nothing yet, nothing lost
  for (Version v = 1; v <= 4; ++v) {  // seq 2v-1: show 1; seq 2v: show 2
    Batch b;
    b.records = {Change(1, v, {}), Change(2, v, {}), ShowVersion{1, v}, ShowVersion{2, v}};
    ASSERT_TRUE(SubmitAndWait(*store, std::move(b)).ok());
  }
  HistoryPruned prune;
  prune.changes_before_ms = Change(1, 3, {}).at_ms;  // versions 1 and 2: seqs 1..4
  ASSERT_TRUE(SubmitAndWait(*store, One(prune)).ok());
  const auto page = [&](ChangesQuery q) {
    StatusOr<ChangesPage> p = testing::ReadChangesAndWait(*store, q);
    EXPECT_TRUE(p.ok()) << p.status().message();
    return p.ok() ? std::move(p).value() : ChangesPage{};
  };
  for (uint64_t after : {0, 3}) {
    const ChangesPage p = page({.after_seq = after});
    EXPECT_TRUE(p.gone) << after;
    EXPECT_TRUE(p.changes.empty());
    EXPECT_EQ(p.resume_after, 4u);
  }
  std::vector<uint64_t> seqs;
  for (const ChangeRecord& c : this->Read(*store, {.after_seq = 4})) seqs.push_back(c.seq);
  EXPECT_EQ(seqs, (std::vector<uint64_t>{5, 6, 7, 8}));
  const ChangesPage show1 = page({.show_id = 1, .after_version = 1});
  EXPECT_TRUE(show1.gone);
  EXPECT_EQ(show1.resume_after, 2u);
  EXPECT_EQ(this->Read(*store, {.show_id = 1, .after_version = 2}).size(), 2u);

  prune.changes_before_ms = Change(1, 100, {}).at_ms;  // every change
  ASSERT_TRUE(SubmitAndWait(*store, One(prune)).ok());
  this->Reload(store);
  EXPECT_TRUE(this->Read(*store, {.after_seq = 8}).empty());
  EXPECT_EQ(page({.after_seq = 7}).resume_after, 8u);
  EXPECT_TRUE(this->Read(*store, {.show_id = 2, .after_version = 4}).empty());
  const ChangesPage show2 = page({.show_id = 2, .after_version = 3});
  EXPECT_TRUE(show2.gone);
  EXPECT_EQ(show2.resume_after, 4u);
  EXPECT_FALSE(page({.show_id = 3}).gone);  // a show without changes

  // Seqs go on from where they were, never reused.
  ASSERT_TRUE(SubmitAndWait(*store, One(Change(1, 5, {}))).ok());
  const std::vector<ChangeRecord> next = this->Read(*store, {.after_seq = 8});
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].seq, 9u);
}

// ---- Retention -------------------------------------------------------------------------------

// Pruning deletes exactly the records made before the bound, whatever the
// order they were written in: the service forgets the same ones.
TYPED_TEST(StoreConformance, PruningForgetsExactlyTheIdempotencyRecordsBeforeTheBound) {
  auto store = this->Open();
  const auto at = [](std::string key, TimeMs ms) {
    IdempotencyRecord r = Idempotency("alice", std::move(key));
    r.created_at_ms = ms;
    return r;
  };
  ASSERT_TRUE(SubmitAndWait(*store, One(at("k1", 100))).ok());
  ASSERT_TRUE(SubmitAndWait(*store, One(at("k2", 200))).ok());
  ASSERT_TRUE(SubmitAndWait(*store, One(at("k3", 600))).ok());
  ASSERT_TRUE(SubmitAndWait(*store, One(at("k4", 300))).ok());  // written after a younger one
  ASSERT_TRUE(SubmitAndWait(*store, One(at("k5", 800))).ok());
  ASSERT_TRUE(SubmitAndWait(*store, One(at("k6", 500))).ok());  // at the bound: kept
  ASSERT_TRUE(SubmitAndWait(*store, One(HistoryPruned{0, 0, 500})).ok());
  std::vector<std::string> kept;
  for (const IdempotencyRecord& r : this->Reload(store).idempotency) kept.push_back(r.key);
  EXPECT_EQ(kept, (std::vector<std::string>{"k6", "k3", "k5"}));  // by time; k4 gone too
  // A key forgotten may be used again.
  EXPECT_TRUE(SubmitAndWait(*store, One(at("k1", 700))).ok());
  ASSERT_TRUE(SubmitAndWait(*store, One(HistoryPruned{0, 0, 2'000'000'000'000'000})).ok());
  EXPECT_TRUE(this->Reload(store).idempotency.empty());
  ASSERT_TRUE(SubmitAndWait(*store, One(HistoryPruned{0, 0, 1'000})).ok());  // nothing left
}

TYPED_TEST(StoreConformance, PruningForgetsOldWebhookEventsAndTrailEntries) {
  auto store = this->Open();
  Batch b;
  b.records = {WebhookEventRecord{"evt_old", 100}, WebhookEventRecord{"evt_new", 900},
               HoldTrailRecord{1, 1, HoldTrailKind::kCreated, 100, ""},
               HoldTrailRecord{1, 2, HoldTrailKind::kCreated, 900, ""}};
  ASSERT_TRUE(SubmitAndWait(*store, std::move(b)).ok());
  ASSERT_TRUE(SubmitAndWait(*store, One(HistoryPruned{500, 500})).ok());
  const Snapshot snap = this->Reload(store);
  ASSERT_EQ(snap.webhook_events.size(), 1u);
  EXPECT_EQ(snap.webhook_events[0].event_id, "evt_new");
  ASSERT_EQ(snap.hold_trail.size(), 1u);
  EXPECT_EQ(snap.hold_trail[0].hold_id, 2u);
}

// ---- Fencing ---------------------------------------------------------------------------------

Batch FencedBooking(ShowId show, BookingId id, uint64_t epoch) {
  Batch b;
  b.records = {Hold(show, id, {static_cast<SeatIndex>(100 + id)}),
               Booking(show, id, {static_cast<SeatIndex>(id)}),
               Change(show, id, {static_cast<SeatIndex>(id)}), ShowVersion{show, id}};
  b.fences = {{show, epoch}};
  return b;
}

TYPED_TEST(StoreConformance, AStaleEpochIsFencedWholeWhileTheNewOwnerWrites) {
  auto a = this->OpenAs("node-a");
  auto b = this->OpenAs("node-b");
  StatusOr<ShowOwner> first = a->ClaimShow(1, 1);  // a lease of 1 ms
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->epoch, 1u);
  ASSERT_TRUE(SubmitAndWait(*a, FencedBooking(1, 1, 1)).ok());
  ASSERT_TRUE(SubmitAndWait(*a, FencedBooking(2, 1, 1)).ok());  // show 2: taken at epoch 1
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  StatusOr<ShowOwner> taken = b->ClaimShow(1, 60'000);
  ASSERT_TRUE(taken.ok()) << taken.status().message();
  EXPECT_EQ(taken->node_id, "node-b");
  EXPECT_EQ(taken->epoch, 2u);

  // The old owner's batch is refused whole, in a group with one that commits.
  Outcomes outcomes(*a);
  size_t stale, fine, unfenced;
  {
    WriterGate gate(*a);
    fine = outcomes.Submit(FencedBooking(2, 2, 1));
    stale = outcomes.Submit(FencedBooking(1, 2, 1));
    Batch no_epoch;  // no epoch named: epoch 1, which node-a no longer holds
    no_epoch.records = {Booking(1, 3, {3})};
    unfenced = outcomes.Submit(std::move(no_epoch));
  }
  a->Flush();
  EXPECT_EQ(outcomes.at(stale).code(), StatusCode::kFailedPrecondition)
      << outcomes.at(stale).message();
  EXPECT_NE(outcomes.at(stale).message().find("fenced"), std::string::npos)
      << outcomes.at(stale).message();
  EXPECT_TRUE(outcomes.at(fine).ok()) << outcomes.at(fine).message();
  // Fenced, or failed after the fenced one: the store keeps no holes.
  EXPECT_EQ(outcomes.at(unfenced).code(), StatusCode::kFailedPrecondition);
  // The new owner writes at its epoch; at the old one it is fenced too.
  EXPECT_TRUE(SubmitAndWait(*b, FencedBooking(1, 4, 2)).ok());
  EXPECT_EQ(SubmitAndWait(*b, FencedBooking(1, 5, 1)).code(), StatusCode::kFailedPrecondition);
  b->Close();
  b = this->OpenAs("node-b");

  StatusOr<Snapshot> all = b->Load();
  ASSERT_TRUE(all.ok());
  std::vector<BookingId> show1;
  for (const BookingRecord& r : all->bookings) {
    if (r.show_id == 1) show1.push_back(r.booking_id);
  }
  EXPECT_EQ(show1, (std::vector<BookingId>{1, 4}));
  EXPECT_EQ(all->live_holds.size(), 4u);  // show 1: holds 1 and 4; show 2: holds 1 and 2
  std::vector<Version> versions;
  for (const ChangeRecord& c : this->Read(*b, {.show_id = 1})) versions.push_back(c.version);
  EXPECT_EQ(versions, (std::vector<Version>{1, 4}));
}

TYPED_TEST(StoreConformance, AShowIsClaimedFromItsOwnerOnlyOnceTheLeaseHasExpired) {
  auto a = this->OpenAs("node-a");
  auto b = this->OpenAs("node-b");
  ASSERT_TRUE(SubmitAndWait(*a, FencedBooking(1, 1, 1)).ok());  // taken at epoch 1, no lease
  StatusOr<ShowOwner> refused = b->ClaimShow(1, 1'000);
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("node-a"), std::string::npos)
      << refused.status().message();
  StatusOr<ShowOwner> renewed = a->ClaimShow(1, 1);
  ASSERT_TRUE(renewed.ok()) << renewed.status().message();
  EXPECT_EQ(renewed->epoch, 1u);  // a renewal keeps the epoch
  EXPECT_GT(renewed->lease_expires_at_ms, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  StatusOr<ShowOwner> taken = b->ClaimShow(1, 60'000);
  ASSERT_TRUE(taken.ok()) << taken.status().message();
  EXPECT_EQ(taken->epoch, 2u);
  EXPECT_EQ(a->ClaimShow(1, 1'000).status().code(), StatusCode::kFailedPrecondition);
  StatusOr<ShowOwner> fresh = b->ClaimShow(9, 0);  // nobody's show
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->epoch, 1u);
  EXPECT_EQ(fresh->lease_expires_at_ms, 0);
  // Ownership survives a restart: node-a is still fenced off show 1.
  a->Close();
  a = this->OpenAs("node-a");
  EXPECT_EQ(SubmitAndWait(*a, FencedBooking(1, 7, 1)).code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(SubmitAndWait(*b, FencedBooking(1, 7, 2)).ok());
}

}  // namespace
}  // namespace boxoffice::store
