// The waiting rooms' records in SqliteStore: rooms and sessions keep their
// latest state, joins are unique per entry and per fan, progress never moves
// back, all of it survives a reopen, and a version 3 file migrates to 4.
#include <gtest/gtest.h>

#include "store/sqlite_schema.h"
#include "store/sqlite_store.h"
#include "store/store_test_util.h"

namespace boxoffice::store {
namespace {

class QueueRecordsTest : public testing::SqliteFileTest {
 protected:
  static QueueRoomRecord Room(uint32_t rate) {
    QueueRoomRecord r;
    r.show_id = 3;
    r.enabled = true;
    r.prequeue_opens_at_ms = 1'000;
    r.onsale_at_ms = 2'000;
    r.admissions_per_minute = rate;
    r.active_shoppers_max = 50;
    r.session_s = 600;
    r.queue_everyone = false;
    r.seed = std::string(32, 'x');
    r.owner_key = std::string(16, 'k');
    r.updated_at_ms = 900;
    return r;
  }
};

TEST_F(QueueRecordsTest, EverythingSurvivesAReopenAndKeepsItsLatestState) {
  const QueueJoinRecord alice{3, 1, "alice", true, 1'100};
  const QueueJoinRecord bob{3, 2, "bob", false, 2'100};
  {
    auto store = Open();
    ASSERT_TRUE(Submit(*store, {Room(60), alice}).ok());
    ASSERT_TRUE(Submit(*store, {Room(120), bob, QueueProgressRecord{3, 2, true, 2'200}}).ok());
    ASSERT_TRUE(Submit(*store, {QueueSessionRecord{3, 1, 602'000, false}}).ok());
    ASSERT_TRUE(Submit(*store, {QueueSessionRecord{3, 1, 602'000, true}}).ok());
    ASSERT_TRUE(Submit(*store, {QueueProgressRecord{3, 1, false, 2'300}}).ok());  // older news
    store->Close();
  }
  auto store = Open();
  StatusOr<Snapshot> snap = store->Load();
  ASSERT_TRUE(snap.ok()) << snap.status().message();
  ASSERT_EQ(snap->queue_rooms.size(), 1u);
  EXPECT_EQ(snap->queue_rooms[0], Room(120));
  EXPECT_EQ(snap->queue_joins, (std::vector<QueueJoinRecord>{alice, bob}));
  EXPECT_EQ(snap->queue_sessions,
            (std::vector<QueueSessionRecord>{QueueSessionRecord{3, 1, 602'000, true}}));
  ASSERT_EQ(snap->queue_progress.size(), 1u);
  EXPECT_EQ(snap->queue_progress[0].now_serving, 2u);
  EXPECT_TRUE(snap->queue_progress[0].drawn);
  store->Close();
}

TEST_F(QueueRecordsTest, AFanOrAnEntryJoinsOnceAndARefusedBatchChangesNothing) {
  auto store = Open();
  ASSERT_TRUE(Submit(*store, {QueueJoinRecord{3, 1, "alice", false, 5}}).ok());
  EXPECT_EQ(Submit(*store, {QueueJoinRecord{3, 2, "alice", false, 6}}).code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(
      Submit(*store, {QueueProgressRecord{3, 9, true, 7}, QueueJoinRecord{3, 1, "bob", false, 7}})
          .code(),
      StatusCode::kAlreadyExists);
  ASSERT_TRUE(Submit(*store, {QueueJoinRecord{4, 1, "alice", false, 8}}).ok());  // another show
  StatusOr<Snapshot> snap = store->Load();
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(snap->queue_joins.size(), 2u);
  EXPECT_TRUE(snap->queue_progress.empty());
  store->Close();
}

TEST(QueueSchema, AVersion3FileMigratesToVersion4AndKeepsItsData) {
  testing::TempDir dir;
  const std::string path = dir.File("s.db");
  {
    StatusOr<std::unique_ptr<sqlite::Db>> db = sqlite::Db::Open(path, kSqliteBusyTimeoutMs);
    ASSERT_TRUE(db.ok()) << db.status().message();
    ASSERT_TRUE(sqlite::PrepareSchema(**db).ok());
    // Back to what version 3 wrote: no queue tables.
    ASSERT_TRUE((*db)->Exec(testing::kCatalogTablesOfVersion4).ok());
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
      testing::SubmitAndWait(**store, Batch{{QueueJoinRecord{3, 1, "alice", false, 5}}}).ok());
  StatusOr<Snapshot> snap = (*store)->Load();
  ASSERT_TRUE(snap.ok()) << snap.status().message();
  ASSERT_EQ(snap->venues.size(), 1u);
  EXPECT_EQ(snap->venues[0].name, "Hall");
  EXPECT_EQ(snap->queue_joins.size(), 1u);
  (*store)->Close();
}

}  // namespace
}  // namespace boxoffice::store
