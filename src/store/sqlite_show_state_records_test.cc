// Sales states and check-ins in SqliteStore: a show keeps its latest sales
// state, a ticket is checked in once (a second record is refused and the
// batch changes nothing), both survive a reopen, and a version 5 file
// migrates to 5.
#include <gtest/gtest.h>

#include "store/sqlite_schema.h"
#include "store/sqlite_store.h"
#include "store/store_test_util.h"

namespace boxoffice::store {
namespace {

class ShowStateRecordsTest : public testing::SqliteFileTest {};

TEST_F(ShowStateRecordsTest, SalesStatesAndCheckinsSurviveAReopen) {
  const TicketCheckinRecord first{"tk_a", 3, 1'000};
  const TicketCheckinRecord second{"tk_b", 3, 1'500};
  {
    auto store = Open();
    ASSERT_TRUE(Submit(*store, {ShowSalesRecord{3, SalesState::kPaused, 900}, first}).ok());
    ASSERT_TRUE(Submit(*store, {ShowSalesRecord{3, SalesState::kClosed, 1'200}, second}).ok());
    ASSERT_TRUE(Submit(*store, {ShowSalesRecord{4, SalesState::kOpen, 1'300}}).ok());
    store->Close();
  }
  auto store = Open();
  StatusOr<Snapshot> snap = store->Load();
  ASSERT_TRUE(snap.ok()) << snap.status().message();
  EXPECT_EQ(snap->show_sales, (std::vector<ShowSalesRecord>{{3, SalesState::kClosed, 1'200},
                                                            {4, SalesState::kOpen, 1'300}}));
  EXPECT_EQ(snap->checkins, (std::vector<TicketCheckinRecord>{first, second}));
  store->Close();
}

TEST_F(ShowStateRecordsTest, ATicketIsCheckedInOnceAndARefusedBatchChangesNothing) {
  auto store = Open();
  ASSERT_TRUE(Submit(*store, {TicketCheckinRecord{"tk_a", 3, 1'000}}).ok());
  EXPECT_EQ(Submit(*store, {ShowSalesRecord{3, SalesState::kPaused, 1'100},
                            TicketCheckinRecord{"tk_a", 3, 2'000}})
                .code(),
            StatusCode::kAlreadyExists);
  StatusOr<Snapshot> snap = store->Load();
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(snap->checkins, (std::vector<TicketCheckinRecord>{{"tk_a", 3, 1'000}}));
  EXPECT_TRUE(snap->show_sales.empty());
  store->Close();
}

TEST(ShowStateSchema, AVersion5FileMigratesToVersion6AndKeepsItsData) {
  testing::TempDir dir;
  const std::string path = dir.File("s.db");
  testing::WriteOlderStoreFile(
      path, "DROP TABLE show_sales; DROP TABLE ticket_checkins; PRAGMA user_version = 5;");
  auto store = SqliteStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().message();
  ASSERT_TRUE(testing::SubmitAndWait(**store, Batch{{TicketCheckinRecord{"tk_a", 1, 5}}}).ok());
  StatusOr<Snapshot> snap = (*store)->Load();
  ASSERT_TRUE(snap.ok()) << snap.status().message();
  ASSERT_EQ(snap->venues.size(), 1u);
  EXPECT_EQ(snap->checkins.size(), 1u);
  (*store)->Close();
}

}  // namespace
}  // namespace boxoffice::store
