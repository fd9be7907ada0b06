#include "store/sqlite_schema.h"

#include <gtest/gtest.h>

#include "store/sqlite_db.h"
#include "store/sqlite_store.h"
#include "store/store_test_util.h"

namespace boxoffice::store::sqlite {
namespace {

using store::testing::TempDir;

std::unique_ptr<Db> MustOpenDb(const std::string& path) {
  StatusOr<std::unique_ptr<Db>> db = Db::Open(path, kSqliteBusyTimeoutMs);
  EXPECT_TRUE(db.ok()) << db.status().message();
  return db.ok() ? std::move(db).value() : nullptr;
}

TEST(SeatBlob, RoundTripsSeatListsInOrder) {
  std::vector<core::SeatIndex> seats = {7, 0, 0xfffffffe, 256, 65'536};
  std::string blob = EncodeSeats(seats);
  EXPECT_EQ(blob.size(), seats.size() * kSeatBlobBytesPerSeat);
  EXPECT_EQ(blob.substr(0, 4), std::string("\x07\0\0\0", 4));  // little-endian
  StatusOr<std::vector<core::SeatIndex>> decoded = DecodeSeats(blob);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, seats);
  EXPECT_TRUE(DecodeSeats("")->empty());
}

TEST(SeatBlob, TornSeatListIsCorruption) {
  EXPECT_EQ(DecodeSeats(std::string(5, '\0')).status().code(), StatusCode::kCorruption);
}

TEST(Schema, NewFileGetsTheCurrentVersionAndReopens) {
  TempDir dir;
  std::string path = dir.File("s.db");
  {
    auto db = MustOpenDb(path);
    ASSERT_TRUE(PrepareSchema(*db).ok());
    EXPECT_EQ(*db->QueryInt("PRAGMA user_version"), kSchemaVersion);
    EXPECT_EQ(*db->QueryInt("PRAGMA application_id"), kApplicationId);
    EXPECT_EQ(*db->QueryText("PRAGMA journal_mode"), "wal");
    EXPECT_EQ(*db->QueryInt("PRAGMA synchronous"), 2);  // FULL
  }
  auto db = MustOpenDb(path);
  EXPECT_TRUE(PrepareSchema(*db).ok());  // no migration runs twice
}

TEST(Schema, NewerSchemaIsRefused) {
  TempDir dir;
  std::string path = dir.File("s.db");
  {
    auto db = MustOpenDb(path);
    ASSERT_TRUE(PrepareSchema(*db).ok());
    ASSERT_TRUE(db->Exec("PRAGMA user_version = 99").ok());
  }
  StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("newer"), std::string::npos);
}

TEST(Schema, AnotherApplicationsDatabaseIsRefusedAndLeftAlone) {
  TempDir dir;
  std::string path = dir.File("other.db");
  {
    auto db = MustOpenDb(path);
    ASSERT_TRUE(db->Exec("CREATE TABLE notes(body TEXT); INSERT INTO notes VALUES('keep')").ok());
  }
  StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  auto db = MustOpenDb(path);
  EXPECT_EQ(*db->QueryInt("SELECT count(*) FROM sqlite_master WHERE name = 'venues'"), 0);
}

TEST(Schema, TornSeatListInTheFileIsReportedByLoad) {
  TempDir dir;
  std::string path = dir.File("s.db");
  {
    auto store = SqliteStore::Open(path);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE(
        store::testing::SubmitAndWait(**store, store::testing::One(store::testing::Hold(1, 1, {2})))
            .ok());
  }
  {
    auto db = MustOpenDb(path);
    ASSERT_TRUE(db->Exec("UPDATE holds SET seats = x'0102'").ok());
  }
  auto store = SqliteStore::Open(path);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->Load().status().code(), StatusCode::kCorruption);
  EXPECT_EQ((*store)->CheckIntegrity().code(), StatusCode::kCorruption);
}

TEST(Schema, BookedSeatsOutOfStepWithBookingsFailTheIntegrityCheck) {
  TempDir dir;
  std::string path = dir.File("s.db");
  {
    auto store = SqliteStore::Open(path);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE(store::testing::SubmitAndWait(
                    **store, store::testing::One(store::testing::Booking(1, 1, {2, 3})))
                    .ok());
    EXPECT_TRUE((*store)->CheckIntegrity().ok());
  }
  {
    auto db = MustOpenDb(path);
    ASSERT_TRUE(db->Exec("DELETE FROM booked_seats WHERE seat_index = 3").ok());
  }
  auto store = SqliteStore::Open(path);
  ASSERT_TRUE(store.ok());
  Status check = (*store)->CheckIntegrity();
  EXPECT_EQ(check.code(), StatusCode::kCorruption);
  EXPECT_NE(check.message().find("missing from booked_seats"), std::string::npos)
      << check.message();
}

TEST(QueueSchema, AVersion3FileMigratesToVersion4AndKeepsItsData) {
  TempDir dir;
  const std::string path = dir.File("s.db");
  {
    StatusOr<std::unique_ptr<sqlite::Db>> db = Db::Open(path, kSqliteBusyTimeoutMs);
    ASSERT_TRUE(db.ok()) << db.status().message();
    ASSERT_TRUE(PrepareSchema(**db).ok());
    // Back to what version 3 wrote: no queue tables.
    ASSERT_TRUE((*db)->Exec(store::testing::kTablesOfVersion4).ok());
    ASSERT_TRUE((*db)
                    ->Exec("DROP TABLE queue_rooms; DROP TABLE queue_joins; "
                           "DROP TABLE queue_sessions; DROP TABLE queue_progress; "
                           "PRAGMA user_version = 3;")
                    .ok());
    ASSERT_TRUE((*db)->Exec("INSERT INTO venues VALUES(1, 'Hall', '{}', 5)").ok());
  }
  auto store = SqliteStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().message();
  ASSERT_TRUE(
      store::testing::SubmitAndWait(**store, Batch{{QueueJoinRecord{3, 1, "alice", false, 5}}}).ok());
  StatusOr<Snapshot> snap = (*store)->Load();
  ASSERT_TRUE(snap.ok()) << snap.status().message();
  ASSERT_EQ(snap->venues.size(), 1u);
  EXPECT_EQ(snap->venues[0].name, "Hall");
  EXPECT_EQ(snap->queue_joins.size(), 1u);
  (*store)->Close();
}

}  // namespace
}  // namespace boxoffice::store::sqlite
