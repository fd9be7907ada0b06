// ManualStore: a Store whose batches become durable (or fail) only when the
// test says so, to prove what is acknowledged before and after durability;
// the test also says whether it can reach its database.
//
// Thread-safe; callbacks run on the thread that calls Complete().
#pragma once

#include <atomic>
#include <deque>
#include <mutex>
#include <utility>
#include <vector>

#include "store/store.h"

namespace boxoffice::testing {

class ManualStore final : public store::Store {
 public:
  StatusOr<store::Snapshot> Load() override { return store::Snapshot{}; }
  void Submit(store::Batch batch, store::DurableCallback done) override {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.emplace_back(std::move(batch), std::move(done));
  }
  void Flush() override {}
  void ReadChanges(const store::ChangesQuery&, store::ChangesDone done) override {
    done(store::ChangesPage{});
  }
  void Close() override {}
  store::StoreStats stats() const override { return {}; }
  bool reachable() const override { return reachable_.load(); }
  void SetReachable(bool reachable) { reachable_ = reachable; }

  size_t pending() const {
    std::lock_guard<std::mutex> lock(mu_);
    return pending_.size();
  }
  // Copies of the batches not yet completed, oldest first.
  std::vector<store::Batch> pending_batches() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<store::Batch> out;
    for (const auto& [batch, done] : pending_) out.push_back(batch);
    return out;
  }
  // Completes the oldest `n` batches with `status`, in order.
  void Complete(size_t n, const Status& status) {
    for (size_t i = 0; i < n; ++i) {
      std::pair<store::Batch, store::DurableCallback> next;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (pending_.empty()) return;
        next = std::move(pending_.front());
        pending_.pop_front();
      }
      if (next.second) next.second(status);
    }
  }
  void CompleteAll(const Status& status) { Complete(SIZE_MAX, status); }

 private:
  std::atomic<bool> reachable_{true};
  mutable std::mutex mu_;
  std::deque<std::pair<store::Batch, store::DurableCallback>> pending_;
};

}  // namespace boxoffice::testing
