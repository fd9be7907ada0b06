#include "sim/faulty_store.h"

#include <variant>
#include <vector>

namespace boxoffice::sim {

namespace {
// Only the service's history pruning is submitted outside every lock.
bool SubmittedOutsideEveryLock(const store::Batch& batch) {
  return batch.records.size() == 1 &&
         std::holds_alternative<store::HistoryPruned>(batch.records[0]);
}
}  // namespace

StatusOr<std::unique_ptr<FaultyStore>> FaultyStore::Open(const std::string& path) {
  StatusOr<std::unique_ptr<store::SqliteStore>> sqlite = store::SqliteStore::Open(path);
  if (!sqlite.ok()) return sqlite.status();
  return std::unique_ptr<FaultyStore>(new FaultyStore(std::move(sqlite).value()));
}

FaultyStore::~FaultyStore() { Close(); }

void FaultyStore::Submit(store::Batch batch, store::DurableCallback done) {
  if (unlocked_hook_ && !in_hook_ && SubmittedOutsideEveryLock(batch)) {
    in_hook_ = true;
    unlocked_hook_();
    in_hook_ = false;
  }
  waiting_.emplace_back(std::move(batch), std::move(done));
}

void FaultyStore::ReadChanges(const store::ChangesQuery& query, store::ChangesDone done) {
  MakeDurable(waiting_.size());
  StatusOr<store::ChangesPage> page = Status::Unavailable("no answer");
  sqlite_->ReadChanges(query, [&page](StatusOr<store::ChangesPage> p) { page = std::move(p); });
  sqlite_->Flush();  // the read rides the writer's queue
  done(std::move(page));
}

void FaultyStore::MakeDurable(size_t n) {
  n = std::min(n, waiting_.size());
  if (n == 0) return;
  std::vector<std::pair<store::Batch, store::DurableCallback>> group;
  for (size_t i = 0; i < n; ++i) {
    group.push_back(std::move(waiting_.front()));
    waiting_.pop_front();
  }
  std::vector<Status> results(n, Status::Ok());
  if (!failed_.ok()) {
    results.assign(n, Status::FailedPrecondition("an earlier batch failed: " + failed_.message()));
  } else {
    for (size_t i = 0; i < n; ++i) {
      sqlite_->Submit(std::move(group[i].first), [&results, i](Status s) { results[i] = s; });
    }
    sqlite_->Flush();  // the writer ran every callback above before Flush returns
  }
  for (size_t i = 0; i < n; ++i) {
    if (group[i].second) group[i].second(results[i]);
  }
}

void FaultyStore::FailNext() {
  if (waiting_.empty()) return;
  auto [batch, done] = std::move(waiting_.front());
  waiting_.pop_front();
  failed_ = Status::IoError("injected: the fsync failed");
  if (done) done(failed_);
}

void FaultyStore::Crash() {
  waiting_.clear();
  Close();
}

void FaultyStore::Close() {
  if (sqlite_) sqlite_->Close();
}

}  // namespace boxoffice::sim
