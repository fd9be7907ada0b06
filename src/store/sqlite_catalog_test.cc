#include "store/sqlite_catalog.h"

#include <gtest/gtest.h>

#include "store/sqlite_schema.h"
#include "store/sqlite_store.h"
#include "store/store_test_util.h"

namespace boxoffice::store {
namespace {

// testing::SmallSeatMap() as POST /v1/venues received it, row B in the
// short form.
constexpr const char* kApiSeatMapJson = R"({"name":"Small Hall",
  "categories":[{"id":"PREM","name":"Premium"},{"id":"STD"}],
  "sections":[
    {"id":"STALLS","name":"Stalls","rank":0,"rows":[
      {"label":"A","category":"PREM","rank":3,"accessible":[1,2],
       "blocks":[{"first":1,"last":9,"step":2},{"first":2,"last":10,"step":2,"category":"STD"}]},
      {"label":"B","category":"STD","seats":12}]},
    {"id":"FLOOR","general_admission":true,"capacity":500,"category":"STD"}]})";

// testing::Show(7, 3)'s settings as schema 6 kept them: the API's JSON.
constexpr const char* kApiSettingsJson =
    R"({"venue_id":"v3","name":"Show 7","starts_at":"2030-03-17T17:46:40.000Z",)"
    R"("on_sale_at":"2027-01-15T08:00:00.123Z","currency":"EUR",)"
    R"("prices":{"PREM":9900,"STD":4500},"hold_ttl_s":600,"seats_per_order_max":8,)"
    R"("seats_per_fan_max":20})";

// Writes a store of schema 6 holding one venue and one show.
void WriteVersion6Store(const std::string& path) {
  StatusOr<std::unique_ptr<sqlite::Db>> db = sqlite::Db::Open(path, kSqliteBusyTimeoutMs);
  ASSERT_TRUE(db.ok()) << db.status().message();
  ASSERT_TRUE(sqlite::PrepareSchema(**db).ok());
  ASSERT_TRUE((*db)->Exec(testing::kTablesOfVersion6).ok());
  StatusOr<sqlite::Stmt> venue = (*db)->Prepare("INSERT INTO venues VALUES(3, 'Arena', ?1, 11)");
  ASSERT_TRUE(venue.ok());
  ASSERT_TRUE(venue->Bind(std::string(kApiSeatMapJson)).Exec().ok());
  StatusOr<sqlite::Stmt> show =
      (*db)->Prepare("INSERT INTO shows VALUES(7, 3, 'Show 7', ?1, 1900000000000, 1700000000000)");
  ASSERT_TRUE(show.ok());
  ASSERT_TRUE(show->Bind(std::string(kApiSettingsJson)).Exec().ok());
}

TEST(CatalogMigration, AVersion6StoreGetsTypedSettingsAndItsOwnSeatMaps) {
  testing::TempDir dir;
  const std::string path = dir.File("s.db");
  ASSERT_NO_FATAL_FAILURE(WriteVersion6Store(path));
  auto store = SqliteStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().message();
  StatusOr<Snapshot> snap = (*store)->Load();
  ASSERT_TRUE(snap.ok()) << snap.status().message();
  EXPECT_EQ(snap->venues, (std::vector<VenueRecord>{{.venue_id = 3,
                                                     .name = "Arena",
                                                     .seat_map = testing::SmallSeatMap(),
                                                     .created_at_ms = 11}}));
  EXPECT_EQ(snap->shows, std::vector<ShowRecord>{testing::Show(7, 3)});
  EXPECT_TRUE((*store)->CheckIntegrity().ok());
  (*store)->Close();
}

TEST(CatalogMigration, ASeatMapTheMigrationCannotReadStopsItAndChangesNothing) {
  testing::TempDir dir;
  const std::string path = dir.File("s.db");
  ASSERT_NO_FATAL_FAILURE(WriteVersion6Store(path));
  {
    StatusOr<std::unique_ptr<sqlite::Db>> db = sqlite::Db::Open(path, kSqliteBusyTimeoutMs);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(
        (*db)->Exec("UPDATE venues SET seat_map_json = '{\"sections\": [{\"id\": 5}]}'").ok());
  }
  auto store = SqliteStore::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kCorruption) << store.status().message();
  StatusOr<std::unique_ptr<sqlite::Db>> db = sqlite::Db::Open(path, kSqliteBusyTimeoutMs);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(*(*db)->QueryInt("PRAGMA user_version"), 6) << "the migration is all or nothing";
}

TEST(CatalogTables, AShowReplacedWithFewerPricesKeepsOnlyTheNewOnes) {
  testing::TempDir dir;
  auto store = SqliteStore::Open(dir.File("s.db"));
  ASSERT_TRUE(store.ok());
  ShowRecord show = testing::Show(1, 1);
  ASSERT_TRUE(testing::SubmitAndWait(**store, testing::One(show)).ok());
  show.prices = {{"STD", 1}};
  ASSERT_TRUE(testing::SubmitAndWait(**store, testing::One(show)).ok());
  StatusOr<Snapshot> snap = (*store)->Load();
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(snap->shows, std::vector<ShowRecord>{show});
  (*store)->Close();
}

}  // namespace
}  // namespace boxoffice::store
