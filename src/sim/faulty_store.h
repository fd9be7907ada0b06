// FaultyStore: the simulation's store (store::Store) over a real SQLite file.
//
// Batches wait here until the simulation decides their fate, in the order
// they were submitted: made durable (a group commit through a real
// SqliteStore, then their callbacks), failed (as a failed fsync: nothing of
// the batch is written and the service is told; as the Store contract says,
// every batch after it fails too), or lost in a crash (their callbacks never
// run, as when the process dies). Every callback runs on the simulation's
// thread, when the simulation says, so a run is a function of its seed.
//
// Another thread could run between a lock-free caller's decision and its
// Submit: the service submits history pruning outside every lock. At such a
// Submit the store calls the simulation's hook first, which may send a
// request that then overtakes the pruning, as a request thread could.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "store/sqlite_store.h"
#include "store/store.h"

namespace boxoffice::sim {

class FaultyStore final : public store::Store {
 public:
  static StatusOr<std::unique_ptr<FaultyStore>> Open(const std::string& path);
  ~FaultyStore() override;

  StatusOr<store::Snapshot> Load() override { return sqlite_->Load(); }
  void Submit(store::Batch batch, store::DurableCallback done) override;
  void Flush() override { MakeDurable(waiting_.size()); }
  void ReadChanges(const store::ChangesQuery& query, store::ChangesDone done) override;
  void Close() override;
  store::StoreStats stats() const override { return sqlite_->stats(); }

  // ---- The simulation's controls ----
  size_t waiting() const { return waiting_.size(); }
  // The oldest `n` waiting batches become durable together; their callbacks run.
  void MakeDurable(size_t n);
  // The oldest waiting batch fails: nothing of it is written; its callback is told.
  void FailNext();
  // The process dies: waiting batches are lost (callbacks never run); closes the file.
  void Crash();
  void SetUnlockedSubmitHook(std::function<void()> hook) { unlocked_hook_ = std::move(hook); }

 private:
  explicit FaultyStore(std::unique_ptr<store::SqliteStore> sqlite) : sqlite_(std::move(sqlite)) {}

  std::unique_ptr<store::SqliteStore> sqlite_;
  std::deque<std::pair<store::Batch, store::DurableCallback>> waiting_;
  std::function<void()> unlocked_hook_;
  bool in_hook_ = false;
  Status failed_;  // the injected failure: every later batch fails too
};

}  // namespace boxoffice::sim
