// The booking flow's records in SqliteStore: payments replace their earlier
// state, webhook event ids and ticket codes are unique, the hold trail keeps
// its order, pruning forgets old entries, and all of it survives a reopen.
#include <gtest/gtest.h>

#include "store/sqlite_store.h"
#include "store/store_test_util.h"

namespace boxoffice::store {
namespace {

class PaymentRecordsTest : public testing::SqliteFileTest {
 protected:
  static PaymentRecord Payment(std::string id, PaymentState state) {
    PaymentRecord p;
    p.payment_id = std::move(id);
    p.show_id = 3;
    p.hold_id = 7;
    p.owner = "alice";
    p.seats = {4, 5};
    p.amount_minor = 10'000;
    p.currency = "EUR";
    p.pay_url = "http://gw/pay";
    p.state = state;
    p.created_at_ms = 1'000;
    p.updated_at_ms = 1'000;
    return p;
  }
};

TEST_F(PaymentRecordsTest, EverythingSurvivesAReopenAndPaymentsKeepTheirLatestState) {
  PaymentRecord booked = Payment("pay_1", PaymentState::kBooked);
  booked.booking_id = 2;
  booked.updated_at_ms = 2'000;
  const TicketRecord ticket{"tk_a", 3, 2, 4, 1, 2'000};
  const HoldTrailRecord first{3, 7, HoldTrailKind::kCreated, 500, ""};
  const HoldTrailRecord second{3, 7, HoldTrailKind::kPaid, 2'000, "payment pay_1"};
  {
    auto store = Open();
    ASSERT_TRUE(Submit(*store, {Payment("pay_1", PaymentState::kPending), first}).ok());
    ASSERT_TRUE(Submit(*store, {booked, second, ticket, WebhookEventRecord{"evt_1", 2'000}}).ok());
    store->Close();
  }
  auto store = Open();
  StatusOr<Snapshot> snap = store->Load();
  ASSERT_TRUE(snap.ok());
  ASSERT_EQ(snap->payments.size(), 1u);
  EXPECT_EQ(snap->payments[0], booked);
  EXPECT_EQ(snap->hold_trail, (std::vector<HoldTrailRecord>{first, second}));
  EXPECT_EQ(snap->tickets, std::vector<TicketRecord>{ticket});
  ASSERT_EQ(snap->webhook_events.size(), 1u);
  EXPECT_EQ(snap->webhook_events[0].event_id, "evt_1");
}

TEST_F(PaymentRecordsTest, ARepeatedTicketCodeIsRefusedWithItsBatch) {
  auto store = Open();
  ASSERT_TRUE(Submit(*store, {TicketRecord{"tk_same", 1, 1, 0, 1, 1}}).ok());
  const Status dup = Submit(
      *store, {Payment("pay_2", PaymentState::kPending), TicketRecord{"tk_same", 1, 2, 1, 1, 1}});
  EXPECT_EQ(dup.code(), StatusCode::kAlreadyExists) << dup.message();
  StatusOr<Snapshot> snap = store->Load();
  ASSERT_TRUE(snap.ok());
  EXPECT_TRUE(snap->payments.empty());  // refused with the ticket's batch
  EXPECT_EQ(snap->tickets.size(), 1u);
}

// The service forgets event ids after their retention; one that comes back
// then is recorded again, never a failed batch (which would stop all sales).
TEST_F(PaymentRecordsTest, AWebhookEventSeenAgainReplacesItsRecord) {
  auto store = Open();
  ASSERT_TRUE(Submit(*store, {WebhookEventRecord{"evt_9", 1}}).ok());
  ASSERT_TRUE(Submit(*store, {WebhookEventRecord{"evt_9", 2}}).ok());
  StatusOr<Snapshot> snap = store->Load();
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(snap->webhook_events, (std::vector<WebhookEventRecord>{{"evt_9", 2}}));
}

TEST_F(PaymentRecordsTest, PruningForgetsOldWebhookEventsAndTrailEntries) {
  auto store = Open();
  ASSERT_TRUE(
      Submit(*store, {WebhookEventRecord{"evt_old", 100}, WebhookEventRecord{"evt_new", 900},
                      HoldTrailRecord{1, 1, HoldTrailKind::kCreated, 100, ""},
                      HoldTrailRecord{1, 2, HoldTrailKind::kCreated, 900, ""}})
          .ok());
  ASSERT_TRUE(Submit(*store, {HistoryPruned{500, 500}}).ok());
  StatusOr<Snapshot> snap = store->Load();
  ASSERT_TRUE(snap.ok());
  ASSERT_EQ(snap->webhook_events.size(), 1u);
  EXPECT_EQ(snap->webhook_events[0].event_id, "evt_new");
  ASSERT_EQ(snap->hold_trail.size(), 1u);
  EXPECT_EQ(snap->hold_trail[0].hold_id, 2u);
}

}  // namespace
}  // namespace boxoffice::store
