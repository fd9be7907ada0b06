// What is particular to PostgresStore: a schema newer than the build is
// refused; a connection lost while transactions are out (its session ended
// on the server, or the whole server killed with SIGKILL and restarted) fails
// nothing, loses nothing and writes nothing twice, because the outcome of
// the transaction that was out is read back; and Close gives up on a server
// that stays away. The Store contract itself is store_conformance_test.cc.
#include "store/pg_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "store/pg_conn.h"
#include "store/store_test_util.h"
#include "testing/postgres_cluster.h"

namespace boxoffice::store {
namespace {

using std::chrono::milliseconds;
using testing::Booking;
using testing::Change;

constexpr ShowId kShow = 1;

// Batch i books seat i of the show, with its change and version.
Batch Numbered(BookingId i) {
  Batch b;
  b.records = {Booking(kShow, i, {static_cast<SeatIndex>(i)}), Change(kShow, i, {}),
               ShowVersion{kShow, i}};
  return b;
}

// Submits numbered batches from a thread of its own until stopped, a few at
// a time, and keeps every callback's status.
class Submitter {
 public:
  explicit Submitter(Store& store) : store_(store) {
    thread_ = std::thread([this] { Run(); });
  }
  ~Submitter() { Stop(); }
  // Stops submitting and waits for every callback (they touch this object).
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    store_.Flush();
  }
  BookingId submitted() const { return next_.load() - 1; }
  // Statuses by batch number, once the store is flushed.
  std::vector<Status> statuses() {
    std::lock_guard lock(mu_);
    return statuses_;
  }
  size_t acknowledged() {
    std::lock_guard lock(mu_);
    return acknowledged_;
  }

 private:
  void Run() {
    while (!stop_) {
      for (int k = 0; k < 8; ++k) {
        const BookingId i = next_++;
        {
          std::lock_guard lock(mu_);
          statuses_.resize(i + 1, Status(StatusCode::kInternal, "no callback"));
        }
        store_.Submit(Numbered(i), [this, i](Status s) {
          std::lock_guard lock(mu_);
          acknowledged_ += s.ok() ? 1 : 0;
          statuses_[i] = std::move(s);
        });
      }
      std::this_thread::sleep_for(milliseconds(2));
    }
  }

  Store& store_;
  std::atomic<bool> stop_{false};
  std::atomic<BookingId> next_{1};
  std::mutex mu_;
  std::vector<Status> statuses_;  // [0] unused
  size_t acknowledged_ = 0;
  std::thread thread_;
};

// Every batch committed exactly once: all callbacks OK, each booking and
// change there once, outbox seqs dense.
void ExpectEveryBatchOnce(PostgresStore& store, Submitter& submitter) {
  const BookingId n = submitter.submitted();
  const std::vector<Status> statuses = submitter.statuses();
  for (BookingId i = 1; i <= n; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << "batch " << i << ": " << statuses[i].message();
  }
  StatusOr<Snapshot> snap = store.Load();
  ASSERT_TRUE(snap.ok()) << snap.status().message();
  ASSERT_EQ(snap->bookings.size(), n);
  for (BookingId i = 1; i <= n; ++i) EXPECT_EQ(snap->bookings[i - 1].booking_id, i);
  StatusOr<ChangesPage> page = testing::ReadChangesAndWait(store, {.limit = 1'000'000});
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->changes.size(), n);
  for (BookingId i = 1; i <= n; ++i) {
    EXPECT_EQ(page->changes[i - 1].seq, i);
    EXPECT_EQ(page->changes[i - 1].version, i);
  }
  EXPECT_TRUE(store.CheckIntegrity().ok());
}

std::unique_ptr<PostgresStore> OpenStore(const std::string& url, PostgresOptions options = {}) {
  StatusOr<std::unique_ptr<PostgresStore>> s = PostgresStore::Open(url, std::move(options));
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? std::move(s).value() : nullptr;
}

std::unique_ptr<pg::Conn> Admin(const std::string& url) {
  StatusOr<std::unique_ptr<pg::Conn>> c =
      pg::Conn::Connect(url, milliseconds(10'000), "-c search_path=boxoffice");
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() ? std::move(c).value() : nullptr;
}

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = boxoffice::testing::PostgresUnavailable(); !why.empty()) {
      GTEST_SKIP() << why;
    }
  }
};

TEST_F(PostgresStoreTest, ADatabaseOfANewerSchemaIsRefused) {
  StatusOr<std::string> url = boxoffice::testing::PostgresCluster::Shared().CreateDatabase();
  ASSERT_TRUE(url.ok()) << url.status().message();
  OpenStore(*url)->Close();
  auto admin = Admin(*url);
  ASSERT_TRUE(admin->Script("UPDATE boxoffice_schema SET version = 99").ok());
  StatusOr<std::unique_ptr<PostgresStore>> newer = PostgresStore::Open(*url);
  EXPECT_EQ(newer.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(newer.status().message().find("newer"), std::string::npos) << newer.status().message();
}

// Ends sessions (not the caller's) that `condition` picks; how many.
int EndSessions(pg::Conn& admin, const std::string& condition) {
  StatusOr<pg::Result> r = admin.Exec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
      "WHERE datname = current_database() AND pid <> pg_backend_pid() AND " +
      condition);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r->rows() : 0;
}

// The writer's session is ended on the server while batches flow: first
// while its transaction waits for the writer's row, which the test holds
// locked (surely out, surely not committed), then at random moments (some
// just as COMMIT is done). The store reconnects, reads back each transaction that was out, and
// every batch ends up committed exactly once.
TEST_F(PostgresStoreTest, SessionsEndedUnderLoadLoseNothingAndWriteNothingTwice) {
  StatusOr<std::string> url = boxoffice::testing::PostgresCluster::Shared().CreateDatabase();
  ASSERT_TRUE(url.ok()) << url.status().message();
  auto store = OpenStore(*url);
  // Two sessions: one holds the row locked; the other looks for the writer
  // outside any transaction, as pg_stat_activity is read once per transaction.
  auto admin = Admin(*url);
  auto locker = Admin(*url);
  ASSERT_TRUE(store && admin && locker);
  ASSERT_TRUE(testing::SubmitAndWait(*store, Batch{}).ok());  // the writer's row exists
  Submitter submitter(*store);
  constexpr int kCaught = 5;
  for (int k = 0; k < kCaught; ++k) {
    ASSERT_TRUE(locker->Script("BEGIN; SELECT * FROM store_writers FOR UPDATE").ok());
    int ended = 0;
    for (int poll = 0; poll < 5'000 && ended == 0; ++poll) {
      ended = EndSessions(*admin, "wait_event_type = 'Lock'");
      if (ended == 0) std::this_thread::sleep_for(milliseconds(1));
    }
    ASSERT_TRUE(locker->Script("COMMIT").ok());
    ASSERT_GE(ended, 1) << "the writer never waited for its row";
  }
  for (int k = 0; k < 20; ++k) {
    std::this_thread::sleep_for(milliseconds(40));
    EndSessions(*admin, "true");
  }
  std::this_thread::sleep_for(milliseconds(100));
  submitter.Stop();
  store->Flush();
  ExpectEveryBatchOnce(*store, submitter);
  const StoreStats stats = store->stats();
  std::printf("%llu batches, %llu transactions, %llu reconnects, %llu read back\n",
              static_cast<unsigned long long>(stats.batches_committed),
              static_cast<unsigned long long>(stats.transactions),
              static_cast<unsigned long long>(stats.reconnects),
              static_cast<unsigned long long>(stats.transactions_in_doubt));
  EXPECT_GE(stats.transactions_in_doubt, static_cast<uint64_t>(kCaught));
  EXPECT_EQ(stats.batches_failed, 0u);
  EXPECT_TRUE(store->reachable());
}

// PostgreSQL killed with SIGKILL while batches flow: the store turns
// unreachable, fails nothing, and once the server is back every batch is
// committed exactly once.
TEST_F(PostgresStoreTest, AServerKilledAndRestartedLosesNothingAndTheStoreResumesByItself) {
  auto cluster = boxoffice::testing::PostgresCluster::Private();
  ASSERT_TRUE(cluster->status().ok()) << cluster->status().message();
  StatusOr<std::string> url = cluster->CreateDatabase();
  ASSERT_TRUE(url.ok()) << url.status().message();
  auto store = OpenStore(*url);
  ASSERT_TRUE(store);
  Submitter submitter(*store);
  std::this_thread::sleep_for(milliseconds(300));
  ASSERT_TRUE(cluster->Kill().ok());
  for (int i = 0; i < 500 && store->reachable(); ++i) std::this_thread::sleep_for(milliseconds(10));
  EXPECT_FALSE(store->reachable()) << "the store did not notice the server was gone";
  const size_t before = submitter.acknowledged();
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(submitter.acknowledged(), before) << "acknowledged with the server down";
  ASSERT_TRUE(cluster->Start().ok());
  for (int i = 0; i < 3000 && !store->reachable(); ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_TRUE(store->reachable());
  std::this_thread::sleep_for(milliseconds(200));
  submitter.Stop();
  store->Flush();
  ExpectEveryBatchOnce(*store, submitter);
  EXPECT_GT(submitter.acknowledged(), before);
}

TEST_F(PostgresStoreTest, CloseGivesUpOnAServerThatStaysAwayAndFailsWhatIsLeft) {
  auto cluster = boxoffice::testing::PostgresCluster::Private();
  ASSERT_TRUE(cluster->status().ok()) << cluster->status().message();
  StatusOr<std::string> url = cluster->CreateDatabase();
  ASSERT_TRUE(url.ok()) << url.status().message();
  PostgresOptions options;
  options.close_wait = milliseconds(300);
  auto store = OpenStore(*url, options);
  ASSERT_TRUE(store);
  ASSERT_TRUE(testing::SubmitAndWait(*store, Numbered(1)).ok());
  ASSERT_TRUE(cluster->Stop().ok());
  Status late = Status::Ok();
  std::atomic<bool> called{false};
  store->Submit(Numbered(2), [&](Status s) {
    late = std::move(s);
    called = true;
  });
  const auto start = std::chrono::steady_clock::now();
  store->Close();
  EXPECT_TRUE(called.load());
  EXPECT_EQ(late.code(), StatusCode::kUnavailable) << late.message();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

}  // namespace
}  // namespace boxoffice::store
