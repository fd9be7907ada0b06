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

// Version 4 to 5: the payments table is rebuilt to take the cancelled state,
// keeping its rows; closed holds get their table.
TEST(Schema, AVersion4FileMigratesToVersion5AndKeepsItsPayments) {
  TempDir dir;
  const std::string path = dir.File("s.db");
  {
    auto db = MustOpenDb(path);
    ASSERT_TRUE(PrepareSchema(*db).ok());
    ASSERT_TRUE(db->Exec(store::testing::kTablesOfVersion6).ok());
    ASSERT_TRUE(
        db->Exec("DROP TABLE show_sales; DROP TABLE ticket_checkins; "
                 "DROP TABLE closed_holds; DROP INDEX idempotency_by_time; "
                 "DROP TABLE payments; "
                 "CREATE TABLE payments(payment_id TEXT PRIMARY KEY, show_id INTEGER NOT "
                 "NULL, hold_id INTEGER NOT NULL, owner TEXT NOT NULL, seats BLOB NOT NULL, "
                 "ga_area INTEGER NOT NULL, ga_quantity INTEGER NOT NULL, amount_minor "
                 "INTEGER NOT NULL, currency TEXT NOT NULL, pay_url TEXT NOT NULL, state "
                 "INTEGER NOT NULL CHECK(state BETWEEN 0 AND 4), booking_id INTEGER NOT "
                 "NULL, refund_id TEXT NOT NULL, note TEXT NOT NULL, created_at_ms INTEGER "
                 "NOT NULL, updated_at_ms INTEGER NOT NULL) WITHOUT ROWID; "
                 "INSERT INTO payments VALUES('pay_1', 1, 2, 'alice', x'', 65535, 0, 900, "
                 "'EUR', 'u', 2, 1, '', '', 5, 6); PRAGMA user_version = 4;")
            .ok());
  }
  auto store = SqliteStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().message();
  PaymentRecord cancelled;
  cancelled.payment_id = "pay_2";
  cancelled.state = PaymentState::kCancelled;
  ASSERT_TRUE(testing::SubmitAndWait(**store, Batch{{cancelled}}).ok());
  StatusOr<Snapshot> snap = (*store)->Load();
  ASSERT_TRUE(snap.ok()) << snap.status().message();
  ASSERT_EQ(snap->payments.size(), 2u);
  const auto& [old, made] = snap->payments[0].payment_id == "pay_1"
                                ? std::tie(snap->payments[0], snap->payments[1])
                                : std::tie(snap->payments[1], snap->payments[0]);
  EXPECT_EQ(old.payment_id, "pay_1");
  EXPECT_EQ(old.state, PaymentState::kBooked);
  EXPECT_EQ(old.amount_minor, 900);
  EXPECT_EQ(made.state, PaymentState::kCancelled);
  (*store)->Close();
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
  // Back to what version 3 wrote: no queue tables.
  store::testing::WriteOlderStoreFile(path,
                                      "DROP TABLE queue_rooms; DROP TABLE queue_joins; "
                                      "DROP TABLE queue_sessions; DROP TABLE queue_progress; "
                                      "DROP TABLE show_sales; DROP TABLE ticket_checkins; "
                                      "DROP TABLE closed_holds; DROP INDEX idempotency_by_time; "
                                      "PRAGMA user_version = 3;");
  auto store = SqliteStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().message();
  ASSERT_TRUE(
      store::testing::SubmitAndWait(**store, Batch{{QueueJoinRecord{3, 1, "alice", false, 5}}})
          .ok());
  StatusOr<Snapshot> snap = (*store)->Load();
  ASSERT_TRUE(snap.ok()) << snap.status().message();
  ASSERT_EQ(snap->venues.size(), 1u);
  EXPECT_EQ(snap->venues[0].name, "Hall");
  EXPECT_EQ(snap->queue_joins.size(), 1u);
  (*store)->Close();
}

TEST(ShowStateSchema, AVersion5FileMigratesToVersion6AndKeepsItsData) {
  TempDir dir;
  const std::string path = dir.File("s.db");
  store::testing::WriteOlderStoreFile(
      path, "DROP TABLE show_sales; DROP TABLE ticket_checkins; PRAGMA user_version = 5;");
  auto store = SqliteStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().message();
  ASSERT_TRUE(
      store::testing::SubmitAndWait(**store, Batch{{TicketCheckinRecord{"tk_a", 1, 5}}}).ok());
  StatusOr<Snapshot> snap = (*store)->Load();
  ASSERT_TRUE(snap.ok()) << snap.status().message();
  ASSERT_EQ(snap->venues.size(), 1u);
  EXPECT_EQ(snap->checkins.size(), 1u);
  (*store)->Close();
}

}  // namespace
}  // namespace boxoffice::store::sqlite
