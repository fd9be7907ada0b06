#include "store/batch_queue.h"

#include <algorithm>
#include <string>
#include <utility>

namespace boxoffice::store {

void BatchQueue::Submit(Batch batch, DurableCallback done) {
  std::unique_lock lock(mu_);
  if (stopping_) {
    lock.unlock();
    if (done) done(Status::FailedPrecondition("the store is closed"));
    return;
  }
  Status status;
  if (!failed_.ok()) {
    status = AfterFailure(failed_);
    batch = {};
  } else if (queued_ok_ >= queued_batches_max_) {
    status = Status::ResourceExhausted("the store's queue is full (" +
                                       std::to_string(queued_batches_max_) +
                                       " batches waiting for the database)");
    failed_ = status;
    batch = {};
  } else {
    ++queued_ok_;
  }
  queue_.push_back(Pending{std::move(batch), std::move(done), std::move(status)});
  ++submitted_;
  bool wake = queue_.size() == 1;  // the writer waits only on an empty queue
  lock.unlock();
  if (wake) work_cv_.notify_one();
}

bool BatchQueue::Take(std::vector<Pending>& group, size_t max) {
  std::unique_lock lock(mu_);
  work_cv_.wait(lock, [&] { return !queue_.empty() || stopping_; });
  size_t n = std::min(queue_.size(), max);
  for (size_t i = 0; i < n; ++i) {
    if (queue_.front().status.ok()) --queued_ok_;
    group.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return n > 0;
}

void BatchQueue::Settle(std::vector<Pending>& group, CommitObservation seen, bool committed) {
  seen.batches = group.size();
  for (const Pending& p : group) {
    if (p.status.ok()) {
      seen.records += p.batch.records.size();
    } else {
      ++seen.batches_failed;
    }
  }
  for (Pending& p : group) {
    if (p.done) p.done(std::move(p.status));
  }
  if (observer_) observer_(seen);
  {
    std::lock_guard lock(mu_);
    bool failed_here = false;
    for (const Pending& p : group) {
      if (p.status.ok()) continue;
      failed_here = true;
      if (failed_.ok()) failed_ = p.status;
    }
    if (failed_here) {  // what is queued now came after the failure
      for (Pending& p : queue_) {
        if (!p.status.ok()) continue;
        p.status = AfterFailure(failed_);
        p.batch = {};
        --queued_ok_;
      }
    }
    settled_ += group.size();  // Flush returns once callbacks and observer ran
    stats_.transactions += committed ? 1 : 0;
    stats_.batches_committed += seen.batches - seen.batches_failed;
    stats_.batches_failed += seen.batches_failed;
    stats_.records += seen.records;
  }
  settled_cv_.notify_all();
}

Status BatchQueue::AfterFailure(const Status& first) {
  return Status::FailedPrecondition("an earlier batch failed, and the journal keeps no holes: " +
                                    first.message());
}

void BatchQueue::Flush() {
  std::unique_lock lock(mu_);
  uint64_t target = submitted_;
  settled_cv_.wait(lock, [&] { return settled_ >= target; });
}

void BatchQueue::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  stop_cv_.notify_all();
}

bool BatchQueue::stopping() const {
  std::lock_guard lock(mu_);
  return stopping_;
}

bool BatchQueue::WaitForStop(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  return stop_cv_.wait_for(lock, d, [&] { return stopping_; });
}

StoreStats BatchQueue::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace boxoffice::store
