#include "store/sqlite_store.h"

#include <gtest/gtest.h>

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

// What is particular to SQLite: a full disk, damaged and foreign files. The
// Store contract itself is checked by store_conformance_test.cc.

class SqliteStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteStore> OpenStore(SqliteOptions options = {}) {
    StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path_, std::move(options));
    EXPECT_TRUE(store.ok()) << store.status().message();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  // Closes `store` and opens the file again: after a failed batch, the store
  // takes no more until reopened.
  void Reopen(std::unique_ptr<SqliteStore>& store) {
    store->Close();
    store = OpenStore();
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
  // Not an I/O error, yet nothing after it is written until the file is reopened.
  EXPECT_EQ(SubmitAndWait(*store, One(Booking(1, 3, {3}))).code(), StatusCode::kFailedPrecondition);
  Reopen(store);
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
