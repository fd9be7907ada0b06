// Many threads submitting at once: group commit, exactly-once callbacks, and
// Load/Flush alongside the writer. Run under ThreadSanitizer (label
// "concurrency").
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "store/sqlite_store.h"
#include "store/store_test_util.h"
#include "testing/seed.h"

namespace boxoffice::store {
namespace {

using testing::Booking;
using testing::One;
using testing::SubmitAndWait;
using testing::TempDir;
using testing::WriterGate;

constexpr int kThreads = 4;

// Booking `i` of thread `t`: show t+1, seat i. Every batch is distinct.
Batch SmallBatch(int t, int i) {
  return One(
      Booking(static_cast<ShowId>(t + 1), static_cast<BookingId>(i), {static_cast<SeatIndex>(i)}));
}

std::unique_ptr<SqliteStore> MustOpen(const std::string& path, SqliteOptions options = {}) {
  StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path, std::move(options));
  EXPECT_TRUE(store.ok()) << store.status().message();
  return store.ok() ? std::move(store).value() : nullptr;
}

// Submits `per_thread` batches from each of kThreads threads; `calls[t * per_thread + i]`
// counts the callbacks of batch i of thread t, `failures` the non-OK ones.
void SubmitFromThreads(Store& store, int per_thread, std::vector<std::atomic<int>>& calls,
                       std::atomic<int>& failures) {
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        std::atomic<int>& count = calls[static_cast<size_t>(t * per_thread + i)];
        store.Submit(SmallBatch(t, i), [&count, &failures](Status s) {
          count.fetch_add(1);
          if (!s.ok()) failures.fetch_add(1);
        });
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
}

void ExpectEveryBatchLoaded(SqliteStore& store, int per_thread) {
  ASSERT_TRUE(store.CheckIntegrity().ok());
  StatusOr<Snapshot> snap = store.Load();
  ASSERT_TRUE(snap.ok()) << snap.status().message();
  ASSERT_EQ(snap->bookings.size(), static_cast<size_t>(kThreads * per_thread));
  for (size_t k = 0; k < snap->bookings.size(); ++k) {  // ordered by (show, booking)
    EXPECT_EQ(snap->bookings[k].show_id, k / static_cast<size_t>(per_thread) + 1);
    EXPECT_EQ(snap->bookings[k].booking_id, k % static_cast<size_t>(per_thread));
  }
}

TEST(SqliteStoreConcurrency, BatchesQueuedDuringACommitShareTheNextTransactions) {
  TempDir dir;
  auto store = MustOpen(dir.File("group.db"));
  const int per_thread = 2500;
  const int total = kThreads * per_thread;
  std::vector<std::atomic<int>> calls(static_cast<size_t>(total));
  std::atomic<int> failures{0};
  {
    WriterGate gate(*store);  // the writer is busy: everything below queues up
    SubmitFromThreads(*store, per_thread, calls, failures);
  }
  store->Flush();

  for (int k = 0; k < total; ++k) ASSERT_EQ(calls[static_cast<size_t>(k)].load(), 1) << k;
  EXPECT_EQ(failures.load(), 0);
  StoreStats stats = store->stats();
  EXPECT_EQ(stats.batches_committed, static_cast<uint64_t>(total) + 1);  // + the gate's
  // The gate's transaction, then the queue in transactions of at most 4096.
  uint64_t groups =
      (static_cast<uint64_t>(total) + kBatchesPerTransactionMax - 1) / kBatchesPerTransactionMax;
  EXPECT_EQ(stats.transactions, 1 + groups);
  ExpectEveryBatchLoaded(*store, per_thread);
}

TEST(SqliteStoreConcurrency, BatchesSubmittedFlatOutAllCommitExactlyOnce) {
  TempDir dir;
  auto store = MustOpen(dir.File("flat_out.db"));
  const int per_thread = static_cast<int>(boxoffice::testing::ScaledOps(10'000));
  std::vector<std::atomic<int>> calls(static_cast<size_t>(kThreads * per_thread));
  std::atomic<int> failures{0};
  SubmitFromThreads(*store, per_thread, calls, failures);
  store->Flush();

  for (size_t k = 0; k < calls.size(); ++k) ASSERT_EQ(calls[k].load(), 1) << k;
  EXPECT_EQ(failures.load(), 0);
  StoreStats stats = store->stats();
  EXPECT_EQ(stats.batches_committed, calls.size());
  std::printf("%llu batches in %llu transactions\n",
              static_cast<unsigned long long>(stats.batches_committed),
              static_cast<unsigned long long>(stats.transactions));
  ExpectEveryBatchLoaded(*store, per_thread);
}

TEST(SqliteStoreConcurrency, FlushedBatchesAreVisibleToLoadWhileOthersSubmit) {
  TempDir dir;
  auto store = MustOpen(dir.File("visible.db"));
  const int per_thread = static_cast<int>(boxoffice::testing::ScaledOps(500));
  std::atomic<bool> stop{false};
  std::thread background([&] {  // keeps the writer busy with show 99
    for (int i = 0; !stop.load(); ++i) {
      store->Submit(One(Booking(99, static_cast<BookingId>(i), {static_cast<SeatIndex>(i)})),
                    nullptr);
      if (i % 100 == 99) store->Flush();  // bounds the queue
    }
  });
  std::vector<std::thread> threads;
  std::atomic<int> errors{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        store->Submit(SmallBatch(t, i), nullptr);
        if (i % 50 != 49) continue;
        store->Flush();  // then everything this thread submitted is loaded
        StatusOr<Snapshot> snap = store->Load();
        size_t mine = 0;
        for (const BookingRecord& b : snap.ok() ? snap->bookings : std::vector<BookingRecord>{}) {
          mine += b.show_id == static_cast<ShowId>(t + 1) ? 1 : 0;
        }
        if (!snap.ok() || mine != static_cast<size_t>(i + 1)) errors.fetch_add(1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  stop.store(true);
  background.join();
  store->Close();
  EXPECT_EQ(errors.load(), 0);
}

// Not a test: prints how many single-record batches per second commit
// durably here. Run with --gtest_also_run_disabled_tests --gtest_filter=*Measure*.
TEST(SqliteStoreConcurrency, DISABLED_MeasureDurableSingleRecordBatchesPerSecond) {
  TempDir dir;
  using Clock = std::chrono::steady_clock;
  {  // open loop: one thread submits as fast as it can, then waits for the disk
    auto store = MustOpen(dir.File("open_loop.db"));
    constexpr int kBatches = 200'000;
    auto start = Clock::now();
    for (int i = 0; i < kBatches; ++i) store->Submit(SmallBatch(0, i), nullptr);
    store->Flush();
    double s = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("open loop: %d batches in %.3f s = %.0f batches/s, %llu transactions\n", kBatches,
                s, kBatches / s, static_cast<unsigned long long>(store->stats().transactions));
  }
  for (int clients : {1, 16, 256}) {  // closed loop: each client waits for its ack
    auto store = MustOpen(dir.File("closed_loop_" + std::to_string(clients) + ".db"));
    constexpr double kSeconds = 3;
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> done{0};
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&, c] {
        for (int i = 0; !stop.load(); ++i) {
          if (SubmitAndWait(*store, SmallBatch(c, i)).ok()) done.fetch_add(1);
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(kSeconds));
    stop.store(true);
    for (std::thread& thread : threads) thread.join();
    std::printf("closed loop, %d clients: %.0f batches/s, %.1f batches per transaction\n", clients,
                static_cast<double>(done.load()) / kSeconds,
                static_cast<double>(store->stats().batches_committed) /
                    static_cast<double>(store->stats().transactions));
  }
}

}  // namespace
}  // namespace boxoffice::store
