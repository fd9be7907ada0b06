#include "store/sqlite_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <iterator>
#include <random>

#include "store/store_test_util.h"
#include "testing/seed.h"

namespace boxoffice::store {
namespace {

using testing::Booking;
using testing::Hold;
using testing::Idempotency;
using testing::One;
using testing::Outcomes;
using testing::SubmitAndWait;
using testing::TempDir;
using testing::WriterGate;

class SqliteStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteStore> OpenStore(SqliteOptions options = {}) {
    StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path_, std::move(options));
    EXPECT_TRUE(store.ok()) << store.status().message();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  // Closes `store`, opens the file again and loads it.
  Snapshot Reload(std::unique_ptr<SqliteStore>& store) {
    store->Close();
    store = OpenStore();
    StatusOr<Snapshot> snap = store->Load();
    EXPECT_TRUE(snap.ok()) << snap.status().message();
    EXPECT_TRUE(store->CheckIntegrity().ok());
    return snap.ok() ? std::move(snap).value() : Snapshot{};
  }

  TempDir dir_;
  std::string path_ = dir_.File("store.db");
};

TEST_F(SqliteStoreTest, NewStoreLoadsEmpty) {
  auto store = OpenStore();
  StatusOr<Snapshot> snap = store->Load();
  ASSERT_TRUE(snap.ok()) << snap.status().message();
  EXPECT_TRUE(snap->venues.empty());
  EXPECT_TRUE(snap->bookings.empty());
  EXPECT_TRUE(snap->idempotency.empty());
}

TEST_F(SqliteStoreTest, EveryRecordTypeSurvivesReopen) {
  auto store = OpenStore();
  VenueRecord venue{.venue_id = 3,
                    .name = "Arena",
                    .seat_map = testing::SmallSeatMap(),
                    .created_at_ms = 11};
  ShowRecord show = testing::Show(7, 3);
  HoldRecord hold = Hold(7, UINT64_MAX - 1, {1, 2, 70'000});  // ids beyond INT64_MAX
  HoldRecord ga_hold = Hold(7, 5, {});
  ga_hold.ga_area = 2;
  ga_hold.ga_quantity = 4;
  BookingRecord booking = Booking(7, 1, {10, 11});
  BookingRecord cancelled = Booking(7, 2, {12});
  IdempotencyRecord idem = Idempotency("alice", "key-1");
  idem.response_body = std::string("binary\0body", 11);
  Batch batch;
  batch.records = {venue,
                   show,
                   hold,
                   ga_hold,
                   booking,
                   cancelled,
                   SeatsBlocked{.show_id = 7, .seats = {40, 41}, .blocked = true},
                   ShowVersion{.show_id = 7, .version = 42},
                   idem};
  ASSERT_TRUE(SubmitAndWait(*store, std::move(batch)).ok());
  ASSERT_TRUE(
      SubmitAndWait(*store, One(BookingCancelled{.show_id = 7, .booking_id = 2, .at_ms = 500}))
          .ok());

  Snapshot snap = Reload(store);
  cancelled.cancelled = true;
  cancelled.cancelled_at_ms = 500;
  EXPECT_EQ(snap.venues, std::vector<VenueRecord>{venue});
  EXPECT_EQ(snap.shows, std::vector<ShowRecord>{show});
  ASSERT_EQ(snap.live_holds.size(), 2u);
  EXPECT_TRUE(std::find(snap.live_holds.begin(), snap.live_holds.end(), hold) !=
              snap.live_holds.end());
  EXPECT_TRUE(std::find(snap.live_holds.begin(), snap.live_holds.end(), ga_hold) !=
              snap.live_holds.end());
  EXPECT_EQ(snap.bookings, (std::vector<BookingRecord>{booking, cancelled}));
  EXPECT_EQ(snap.blocked, (std::vector<SeatsBlocked>{{.show_id = 7, .seats = {40, 41}}}));
  EXPECT_EQ(snap.versions, (std::vector<ShowVersion>{{.show_id = 7, .version = 42}}));
  EXPECT_EQ(snap.idempotency, std::vector<IdempotencyRecord>{idem});
}

TEST_F(SqliteStoreTest, HoldIsExtendedThenClosedAndNoLongerLoaded) {
  auto store = OpenStore();
  HoldRecord hold = Hold(1, 9, {3, 4});
  ASSERT_TRUE(SubmitAndWait(*store, One(hold)).ok());
  ASSERT_TRUE(
      SubmitAndWait(*store, One(HoldExtended{.show_id = 1, .hold_id = 9, .expires_at_ms = 777}))
          .ok());
  Snapshot extended = Reload(store);
  ASSERT_EQ(extended.live_holds.size(), 1u);
  EXPECT_EQ(extended.live_holds[0].expires_at_ms, 777);

  ASSERT_TRUE(SubmitAndWait(
                  *store, One(HoldClosed{
                              .show_id = 1, .hold_id = 9, .why = HoldEnd::kExpired, .at_ms = 778}))
                  .ok());
  EXPECT_TRUE(Reload(store).live_holds.empty());
}

TEST_F(SqliteStoreTest, ExtendingOrClosingAHoldThatIsNotLiveIsRejected) {
  auto store = OpenStore();
  EXPECT_EQ(SubmitAndWait(*store, One(HoldExtended{.show_id = 1, .hold_id = 9})).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(SubmitAndWait(*store, One(HoldClosed{.show_id = 1, .hold_id = 9})).code(),
            StatusCode::kNotFound);
  ASSERT_TRUE(SubmitAndWait(*store, One(Hold(1, 9, {1}))).ok());
  EXPECT_EQ(SubmitAndWait(*store, One(Hold(1, 9, {2}))).code(), StatusCode::kAlreadyExists);
}

TEST_F(SqliteStoreTest, SecondActiveBookingOfASeatIsRejectedAloneInItsGroup) {
  auto store = OpenStore();
  Outcomes outcomes(*store);
  size_t first, second, other;
  {
    WriterGate gate(*store);  // the three batches below share one transaction
    first = outcomes.Submit(One(Booking(1, 1, {5, 6})));
    second = outcomes.Submit(One(Booking(1, 2, {7, 6})));
    other = outcomes.Submit(One(Booking(1, 3, {8})));
  }
  store->Flush();
  EXPECT_TRUE(outcomes.at(first).ok());
  EXPECT_EQ(outcomes.at(second).code(), StatusCode::kAlreadyExists);
  EXPECT_NE(outcomes.at(second).message().find("show 1 seat 6"), std::string::npos)
      << outcomes.at(second).message();
  EXPECT_TRUE(outcomes.at(other).ok());
  EXPECT_EQ(store->stats().transactions, 2u);  // the gate's, then all three
  EXPECT_EQ(store->stats().batches_failed, 1u);

  Snapshot snap = Reload(store);
  ASSERT_EQ(snap.bookings.size(), 2u);
  EXPECT_EQ(snap.bookings[0].booking_id, 1u);
  EXPECT_EQ(snap.bookings[1].booking_id, 3u);
}

TEST_F(SqliteStoreTest, RejectedBatchLeavesNothingBehind) {
  auto store = OpenStore();
  ASSERT_TRUE(SubmitAndWait(*store, One(Booking(1, 1, {5}))).ok());
  Batch batch;
  batch.records = {Hold(1, 4, {9}), ShowVersion{.show_id = 1, .version = 3}, Booking(1, 2, {5})};
  EXPECT_EQ(SubmitAndWait(*store, std::move(batch)).code(), StatusCode::kAlreadyExists);
  Snapshot snap = Reload(store);
  EXPECT_TRUE(snap.live_holds.empty());
  EXPECT_TRUE(snap.versions.empty());
  EXPECT_EQ(snap.bookings.size(), 1u);
}

TEST_F(SqliteStoreTest, RejectedBatchInAGroupLeavesNothingAndTheOthersKeepTheirVersions) {
  auto store = OpenStore();
  Outcomes outcomes(*store);
  size_t first, rejected, last, rejected_last;
  {
    WriterGate gate(*store);  // the four batches below share one transaction
    Batch b1, b2, b3, b4;
    b1.records = {Booking(1, 1, {5}), ShowVersion{.show_id = 1, .version = 3}};
    b2.records = {Hold(1, 4, {9}), Booking(1, 2, {5}), ShowVersion{.show_id = 1, .version = 4}};
    b3.records = {Hold(2, 1, {1}), ShowVersion{.show_id = 2, .version = 8}};
    b4.records = {Hold(2, 2, {2}), Booking(2, 7, {3, 3}), ShowVersion{.show_id = 2, .version = 9}};
    first = outcomes.Submit(std::move(b1));
    rejected = outcomes.Submit(std::move(b2));
    last = outcomes.Submit(std::move(b3));
    rejected_last = outcomes.Submit(std::move(b4));
  }
  store->Flush();
  EXPECT_TRUE(outcomes.at(first).ok());
  EXPECT_EQ(outcomes.at(rejected).code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(outcomes.at(last).ok());
  EXPECT_EQ(outcomes.at(rejected_last).code(), StatusCode::kAlreadyExists);
  Snapshot snap = Reload(store);
  ASSERT_EQ(snap.live_holds.size(), 1u);  // hold 4 of show 1 and hold 2 of show 2 undone
  EXPECT_EQ(snap.live_holds[0].show_id, 2u);
  EXPECT_EQ(snap.live_holds[0].hold_id, 1u);
  ASSERT_EQ(snap.bookings.size(), 1u);
  EXPECT_EQ(snap.versions,
            (std::vector<ShowVersion>{{.show_id = 1, .version = 3}, {.show_id = 2, .version = 8}}));
}

TEST_F(SqliteStoreTest, CancelledBookingFreesItsSeatsForANewBooking) {
  auto store = OpenStore();
  ASSERT_TRUE(SubmitAndWait(*store, One(Booking(1, 1, {5, 6}))).ok());
  EXPECT_EQ(SubmitAndWait(*store, One(Booking(1, 2, {6}))).code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(
      SubmitAndWait(*store, One(BookingCancelled{.show_id = 1, .booking_id = 1, .at_ms = 9})).ok());
  EXPECT_TRUE(SubmitAndWait(*store, One(Booking(1, 2, {6}))).ok());
  EXPECT_TRUE(SubmitAndWait(*store, One(Booking(2, 1, {6}))).ok());  // another show

  Snapshot snap = Reload(store);
  ASSERT_EQ(snap.bookings.size(), 3u);
  EXPECT_TRUE(snap.bookings[0].cancelled);
  EXPECT_FALSE(snap.bookings[1].cancelled);
  EXPECT_FALSE(snap.bookings[2].cancelled);
}

TEST_F(SqliteStoreTest, CancellingAnUnknownOrCancelledBookingIsRejected) {
  auto store = OpenStore();
  EXPECT_EQ(SubmitAndWait(*store, One(BookingCancelled{.show_id = 1, .booking_id = 1})).code(),
            StatusCode::kNotFound);
  ASSERT_TRUE(SubmitAndWait(*store, One(Booking(1, 1, {5}))).ok());
  EXPECT_EQ(SubmitAndWait(*store, One(Booking(1, 1, {6}))).code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(SubmitAndWait(*store, One(BookingCancelled{.show_id = 1, .booking_id = 1})).ok());
  EXPECT_EQ(SubmitAndWait(*store, One(BookingCancelled{.show_id = 1, .booking_id = 1})).code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(SqliteStoreTest, PruningForgetsIdempotencyRecordsWrittenBeforeTheFirstYoungOne) {
  auto store = OpenStore();
  const auto at = [](std::string key, TimeMs ms) {
    IdempotencyRecord r = Idempotency("alice", std::move(key));
    r.created_at_ms = ms;
    return r;
  };
  ASSERT_TRUE(SubmitAndWait(*store, One(at("k1", 100))).ok());
  ASSERT_TRUE(SubmitAndWait(*store, One(at("k2", 200))).ok());
  ASSERT_TRUE(SubmitAndWait(*store, One(at("k3", 600))).ok());
  ASSERT_TRUE(SubmitAndWait(*store, One(at("k4", 300))).ok());  // written after a younger one
  ASSERT_TRUE(SubmitAndWait(*store, One(HistoryPruned{0, 0, 500})).ok());
  std::vector<std::string> kept;
  for (const IdempotencyRecord& r : Reload(store).idempotency) kept.push_back(r.key);
  EXPECT_EQ(kept, (std::vector<std::string>{"k3", "k4"}));
  // A key forgotten may be used again.
  EXPECT_TRUE(SubmitAndWait(*store, One(at("k1", 700))).ok());
  ASSERT_TRUE(SubmitAndWait(*store, One(HistoryPruned{0, 0, 1'000})).ok());
  EXPECT_TRUE(Reload(store).idempotency.empty());
  ASSERT_TRUE(SubmitAndWait(*store, One(HistoryPruned{0, 0, 1'000})).ok());  // nothing left
}

TEST_F(SqliteStoreTest, RepeatedIdempotencyKeyOfAUserIsRejected) {
  auto store = OpenStore();
  ASSERT_TRUE(SubmitAndWait(*store, One(Idempotency("alice", "k1"))).ok());
  Status repeat = SubmitAndWait(*store, One(Idempotency("alice", "k1")));
  EXPECT_EQ(repeat.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(repeat.message().find("k1"), std::string::npos) << repeat.message();
  EXPECT_TRUE(SubmitAndWait(*store, One(Idempotency("bob", "k1"))).ok());
  EXPECT_TRUE(SubmitAndWait(*store, One(Idempotency("alice", "k2"))).ok());
  EXPECT_EQ(Reload(store).idempotency.size(), 3u);
}

TEST_F(SqliteStoreTest, BlockedSeatsAreGroupedPerShowAndCanBeUnblocked) {
  auto store = OpenStore();
  Batch batch;
  batch.records = {SeatsBlocked{.show_id = 2, .seats = {9, 3, 3}, .blocked = true},
                   SeatsBlocked{.show_id = 1, .seats = {4}, .blocked = true},
                   SeatsBlocked{.show_id = 2, .seats = {9, 100}, .blocked = false}};
  ASSERT_TRUE(SubmitAndWait(*store, std::move(batch)).ok());
  EXPECT_EQ(Reload(store).blocked, (std::vector<SeatsBlocked>{{.show_id = 1, .seats = {4}},
                                                              {.show_id = 2, .seats = {3}}}));
}

TEST_F(SqliteStoreTest, LaterVenueShowAndVersionRecordsReplaceEarlierOnes) {
  auto store = OpenStore();
  ShowRecord later = testing::Show(1, 1);
  later.on_sale_at_ms = 1;
  later.prices = {{"STD", 10}};
  Batch first;
  first.records = {
      VenueRecord{.venue_id = 1, .name = "Old", .seat_map = {}, .created_at_ms = 1},
      testing::Show(1, 1),
      ShowVersion{.show_id = 1, .version = 5}};
  ASSERT_TRUE(SubmitAndWait(*store, std::move(first)).ok());
  Batch second;
  second.records = {
      VenueRecord{.venue_id = 1, .name = "New", .seat_map = {}, .created_at_ms = 2},
      later,
      ShowVersion{.show_id = 1, .version = 9}};
  ASSERT_TRUE(SubmitAndWait(*store, std::move(second)).ok());
  Snapshot snap = Reload(store);
  ASSERT_EQ(snap.venues.size(), 1u);
  EXPECT_EQ(snap.venues[0].name, "New");
  ASSERT_EQ(snap.shows.size(), 1u);
  EXPECT_EQ(snap.shows[0], later);
  EXPECT_EQ(snap.versions, (std::vector<ShowVersion>{{.show_id = 1, .version = 9}}));
}

TEST_F(SqliteStoreTest, FlushWaitsForTheCallbacksOfEverythingSubmittedBefore) {
  auto store = OpenStore();
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
  EXPECT_EQ(store->stats().batches_committed, uint64_t{kBatches} + 0);
  EXPECT_EQ(store->stats().records, uint64_t{kBatches});
  store->Flush();  // nothing pending: returns at once
}

TEST_F(SqliteStoreTest, CloseCommitsWhatWasQueuedAndIsIdempotent) {
  auto store = OpenStore();
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

  store = OpenStore();
  StatusOr<Snapshot> snap = store->Load();
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(snap->bookings.size(), 100u);
}

TEST_F(SqliteStoreTest, FullQueueRefusesBatchesThroughTheirCallbacks) {
  SqliteOptions options;
  options.queued_batches_max = 3;
  auto store = OpenStore(std::move(options));
  Outcomes outcomes(*store);
  {
    WriterGate gate(*store);
    for (int i = 0; i < 5; ++i) {
      outcomes.Submit(One(Booking(1, static_cast<BookingId>(i), {static_cast<SeatIndex>(i)})));
    }
  }
  store->Flush();
  for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(outcomes.at(i).ok()) << i;
  for (size_t i = 3; i < 5; ++i) EXPECT_EQ(outcomes.at(i).code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(Reload(store).bookings.size(), 3u);
}

TEST_F(SqliteStoreTest, TransactionsNeverExceedTheBatchLimit) {
  SqliteOptions options;
  options.batches_per_transaction_max = 4;
  std::vector<CommitObservation> seen;  // written on the writer thread, read after Flush
  options.observer = [&seen](const CommitObservation& o) { seen.push_back(o); };
  auto store = OpenStore(std::move(options));
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

TEST_F(SqliteStoreTest, FullDiskFailsTheWholeTransactionAndLeavesNothingHalfWritten) {
  SqliteOptions options;
  options.database_pages_max = 64;  // 256 KiB
  auto store = OpenStore(std::move(options));
  Outcomes outcomes(*store);
  size_t small, huge, after;
  {
    WriterGate gate(*store);
    small = outcomes.Submit(One(Booking(1, 1, {1})));
    huge = outcomes.Submit(One(VenueRecord{.venue_id = 1,
                                           .name = "Huge",
                                           .seat_map = {.name = std::string(1 << 20, 'x')},
                                           .created_at_ms = 1}));
    after = outcomes.Submit(One(Booking(1, 2, {2})));
  }
  store->Flush();
  EXPECT_EQ(outcomes.at(huge).code(), StatusCode::kResourceExhausted)
      << outcomes.at(huge).message();
  EXPECT_EQ(outcomes.at(small).code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(outcomes.at(after).code(), StatusCode::kResourceExhausted);
  // Not an I/O error: the store goes on.
  EXPECT_TRUE(SubmitAndWait(*store, One(Booking(1, 3, {3}))).ok());

  Snapshot snap = Reload(store);
  EXPECT_TRUE(snap.venues.empty());
  ASSERT_EQ(snap.bookings.size(), 1u);
  EXPECT_EQ(snap.bookings[0].booking_id, 3u);
}

constexpr size_t kSqliteHeaderBytes = 100;

bool IsStorageError(const Status& s) {
  return s.code() == StatusCode::kCorruption || s.code() == StatusCode::kIoError ||
         s.code() == StatusCode::kFailedPrecondition;
}

TEST_F(SqliteStoreTest, GarbageFileIsReportedAsCorruption) {
  uint64_t seed = boxoffice::testing::TestSeed("GarbageFileIsReportedAsCorruption");
  std::mt19937_64 rng(seed);
  for (int round = 0; round < 20; ++round) {
    {
      std::ofstream out(path_, std::ios::binary | std::ios::trunc);
      if (round % 2 == 1) out.write("SQLite format 3\0", 16);  // a header, then garbage
      for (int i = 0; i < 8192; ++i) out.put(static_cast<char>(rng()));
    }
    StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path_);
    ASSERT_FALSE(store.ok()) << "round " << round;
    EXPECT_EQ(store.status().code(), StatusCode::kCorruption) << store.status().message();
  }
}

// Bytes of a real store file overwritten at random: opening, loading and
// checking report errors (or, for bytes in unused space, succeed), never crash.
// Every other round damages only the 100-byte header, whose fields (page
// size, application id, schema version) are read before any check runs.
TEST_F(SqliteStoreTest, DamagedStoreFileIsAnErrorNotACrash) {
  uint64_t seed = boxoffice::testing::TestSeed("DamagedStoreFileIsAnErrorNotACrash");
  std::mt19937_64 rng(seed);
  {
    auto store = OpenStore();
    for (BookingId i = 0; i < 300; ++i) {
      Batch batch;
      batch.records = {Booking(1, i, {static_cast<SeatIndex>(i)}), Hold(2, i, {1, 2, 3}),
                       Idempotency("user", "key-" + std::to_string(i))};
      store->Submit(std::move(batch), nullptr);
    }
  }  // closing checkpoints everything into the main file
  std::string pristine;
  {
    std::ifstream in(path_, std::ios::binary);
    pristine.assign(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_GT(pristine.size(), 4096u);
  int detected = 0;
  const int rounds = 40;
  for (int round = 0; round < rounds; ++round) {
    std::string damaged = pristine;
    const size_t span = round % 2 == 1 ? kSqliteHeaderBytes : damaged.size();
    for (uint64_t n = 1 + rng() % 16; n > 0; --n) {
      damaged[rng() % span] = static_cast<char>(rng());
    }
    std::string path = dir_.File("damaged-" + std::to_string(round) + ".db");
    std::ofstream(path, std::ios::binary) << damaged;
    StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
    if (!store.ok()) {
      EXPECT_TRUE(IsStorageError(store.status())) << store.status().message();
      ++detected;
      continue;
    }
    Status load = (*store)->Load().status();
    Status check = (*store)->CheckIntegrity();
    EXPECT_TRUE(load.ok() || IsStorageError(load)) << load.message();
    EXPECT_TRUE(check.ok() || IsStorageError(check)) << check.message();
    detected += load.ok() && check.ok() ? 0 : 1;
  }
  std::printf("damage detected in %d of %d files\n", detected, rounds);
}

// The schema version is a signed field of the file's header (bytes 60..63,
// big-endian). A damaged one that reads negative is corruption, not an index
// into the migrations.
TEST_F(SqliteStoreTest, NegativeSchemaVersionIsCorruption) {
  { OpenStore(); }
  {
    std::fstream file(path_, std::ios::binary | std::ios::in | std::ios::out);
    file.seekp(60);
    file.write("\xff\xff\xff\xfe", 4);  // -2
  }
  StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kCorruption) << store.status().message();
}

TEST_F(SqliteStoreTest, MissingDirectoryIsAnIoError) {
  StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(dir_.File("no/such/dir/x.db"));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kIoError) << store.status().message();
}

}  // namespace
}  // namespace boxoffice::store
