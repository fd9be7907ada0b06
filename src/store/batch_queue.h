// BatchQueue: the queue between Submit and a store's writer thread, shared
// by the Store implementations (group commit).
//
// Submit appends (batch, callback) and returns; the writer takes the oldest
// batches, at most one transaction's worth (Take), writes them, then hands
// them back with their outcomes (Settle), which runs the callbacks in
// submission order, then the observer, then counts them. Flush waits until
// every batch submitted before it is settled. More than queued_batches_max
// batches waiting: the new batch is settled with kResourceExhausted by the
// writer, in its turn, without reaching the database.
//
// The journal keeps no holes: once a batch is settled as failed (or refused
// here), every batch queued or submitted after it is settled with
// kFailedPrecondition ("an earlier batch failed") without reaching the
// database, until the store is reopened. Within one group the writer does the
// same for the batches after the first that failed (AfterFailure).
//
// Threads: Submit, Flush, Stop, WaitForStop and stats from any thread; Take
// and Settle from the writer thread only. Callbacks run on the writer thread
// (Submit after Stop runs the callback at once on the caller's thread, with
// kFailedPrecondition).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace boxoffice::store {

inline constexpr size_t kBatchesPerTransactionMax = 4096;
inline constexpr size_t kQueuedBatchesMax = 1 << 20;

// What became of one group of batches taken from the queue (one transaction,
// committed or not), for the "journal batch size" and "journal commit latency"
// metrics. The observer sees it after the group's callbacks ran.
struct CommitObservation {
  size_t batches = 0;  // batches in the transaction, committed or not
  size_t batches_failed = 0;
  size_t records = 0;     // records of the committed batches
  double duration_s = 0;  // BEGIN to the end of COMMIT (fsync included)
};
using CommitObserver = std::function<void(const CommitObservation&)>;

// What every store's group commit is tuned by.
struct GroupCommitOptions {
  size_t batches_per_transaction_max = kBatchesPerTransactionMax;
  size_t queued_batches_max = kQueuedBatchesMax;
  CommitObserver observer;              // runs on the writer thread
  std::string node_id = kSingleNodeId;  // whose epochs the batches' fences are
};

// A batch on its way: `status` not OK means refused (before the database, or
// by it); the writer sets it.
struct Pending {
  Batch batch;
  DurableCallback done;
  Status status;
};

class BatchQueue {
 public:
  BatchQueue(size_t queued_batches_max, CommitObserver observer)
      : queued_batches_max_(queued_batches_max), observer_(std::move(observer)) {}

  void Submit(Batch batch, DurableCallback done);
  // Waits for work and moves the oldest batches, at most `max`, into `group`.
  // False once stopped and empty.
  bool Take(std::vector<Pending>& group, size_t max);
  // The writer is done with `group`: callbacks, observer, counts. `seen`
  // has the duration; the counts are filled in here.
  void Settle(std::vector<Pending>& group, CommitObservation seen, bool committed);
  void Flush();
  // From now on Submit refuses and Take returns false once the queue is empty.
  void Stop();
  bool stopping() const;
  // Sleeps up to `d`; true if Stop was called (before or meanwhile).
  bool WaitForStop(std::chrono::milliseconds d);
  StoreStats stats() const;
  // The failure every batch after a failed one gets.
  static Status AfterFailure(const Status& first);

 private:
  const size_t queued_batches_max_;
  const CommitObserver observer_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;     // the writer waits for batches
  std::condition_variable settled_cv_;  // Flush waits for callbacks
  std::condition_variable stop_cv_;     // WaitForStop
  std::deque<Pending> queue_;
  size_t queued_ok_ = 0;    // batches in queue_ that will reach the database
  Status failed_;           // the first batch that failed: every later one fails
  uint64_t submitted_ = 0;  // batches ever queued
  uint64_t settled_ = 0;    // batches whose callback has run
  bool stopping_ = false;
  StoreStats stats_;
};

}  // namespace boxoffice::store
