#include "store/sqlite_store.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "store/sqlite_db.h"
#include "store/sqlite_outbox.h"
#include "store/sqlite_owners.h"
#include "store/sqlite_records.h"
#include "store/sqlite_schema.h"

namespace boxoffice::store {

namespace {

bool EndsTheStore(const Status& s) {
  return s.code() == StatusCode::kIoError || s.code() == StatusCode::kCorruption;
}

Status LimitPages(sqlite::Db& db, uint64_t pages_max) {
  if (pages_max == 0) return Status::Ok();
  // A PRAGMA takes no bound parameters; the value is an integer we format.
  std::string sql = "PRAGMA max_page_count = " + std::to_string(pages_max);
  return db.Exec(sql.c_str());
}

}  // namespace

StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                         SqliteOptions options) {
  BOX_ASSERT(options.batches_per_transaction_max > 0);
  StatusOr<std::unique_ptr<sqlite::Db>> db = sqlite::Db::Open(path, options.busy_timeout_ms);
  if (!db.ok()) return db.status();
  if (Status s = sqlite::PrepareSchema(**db); !s.ok()) return s;
  if (Status s = LimitPages(**db, options.database_pages_max); !s.ok()) return s;
  StatusOr<sqlite::RecordWriter> writer = sqlite::RecordWriter::Prepare(**db, options.node_id);
  if (!writer.ok()) return writer.status();
  return std::unique_ptr<SqliteStore>(new SqliteStore(
      std::move(db).value(), std::make_unique<sqlite::RecordWriter>(std::move(writer).value()),
      std::move(options)));
}

SqliteStore::SqliteStore(std::unique_ptr<sqlite::Db> db,
                         std::unique_ptr<sqlite::RecordWriter> writer, SqliteOptions options)
    : options_(std::move(options)),
      db_(std::move(db)),
      writer_(std::move(writer)),
      queue_(options_.queued_batches_max, options_.observer) {
  thread_ = std::thread([this] { WriterLoop(); });
  writer_id_ = thread_.get_id();
}

SqliteStore::~SqliteStore() { Close(); }

StatusOr<Snapshot> SqliteStore::Load() {
  std::lock_guard lock(db_mu_);
  if (db_ == nullptr) return Status::FailedPrecondition("the store is closed");
  return sqlite::ReadSnapshot(*db_);
}

StatusOr<ShowOwner> SqliteStore::ClaimShow(ShowId show, DurationMs lease_ms) {
  const TimeMs now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  std::lock_guard lock(db_mu_);
  if (db_ == nullptr) return Status::FailedPrecondition("the store is closed");
  return sqlite::ClaimShow(*db_, show, options_.node_id, lease_ms, now_ms);
}

Status SqliteStore::CheckIntegrity() {
  std::lock_guard lock(db_mu_);
  if (db_ == nullptr) return Status::FailedPrecondition("the store is closed");
  return sqlite::CheckConsistency(*db_);
}

void SqliteStore::Submit(Batch batch, DurableCallback done) {
  queue_.Submit(std::move(batch), std::move(done));
}

void SqliteStore::Flush() {
  BOX_ASSERT(!OnWriterThread());
  queue_.Flush();
}

void SqliteStore::Close() {
  BOX_ASSERT(!OnWriterThread());
  std::lock_guard close_lock(close_mu_);
  queue_.Stop();
  if (thread_.joinable()) thread_.join();  // the writer drains the queue first
  std::lock_guard lock(db_mu_);
  writer_.reset();  // statements before their connection
  db_.reset();
}

StoreStats SqliteStore::stats() const { return queue_.stats(); }

bool SqliteStore::OnWriterThread() const { return std::this_thread::get_id() == writer_id_; }

// ---- The writer thread ----------------------------------------------------------

void SqliteStore::WriterLoop() {
  std::vector<Pending> group;
  while (queue_.Take(group, options_.batches_per_transaction_max)) {
    CommitObservation seen;
    bool committed = CommitGroup(group, seen);
    queue_.Settle(group, seen, committed);
    group.clear();
  }
}

// Runs the group's transaction. Each Pending's status says how its batch
// ended; returns whether a COMMIT succeeded.
bool SqliteStore::CommitGroup(std::vector<Pending>& group, CommitObservation& seen) {
  if (std::none_of(group.begin(), group.end(), [](const Pending& p) { return p.status.ok(); })) {
    return false;  // every batch was refused before reaching the database
  }
  std::lock_guard lock(db_mu_);
  auto start = std::chrono::steady_clock::now();
  Status s = broken_;
  if (s.ok()) s = writer_->Begin();
  if (s.ok()) s = ApplyGroup(group);
  if (s.ok()) s = writer_->Commit();
  seen.duration_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (s.ok()) return true;
  writer_->Rollback();
  NoteWriteError(s);
  if (writer_->in_transaction()) {  // not even ROLLBACK worked
    NoteWriteError(Status::IoError("cannot roll back a failed transaction: " + s.message()));
  }
  for (Pending& p : group) {
    if (p.status.ok()) p.status = Status(s.code(), "batch not committed: " + s.message());
  }
  return false;
}

// Applies the group's batches, each atomically. Batches are applied
// directly first, as they almost never fail; if one does, the transaction is
// rolled back and the group applied again with a savepoint per batch, so the
// failing batch is undone alone. Returns an error when the whole transaction
// must be given up.
Status SqliteStore::ApplyGroup(std::vector<Pending>& group) {
  using Isolation = sqlite::RecordWriter::Isolation;
  Status failed;
  for (Pending& p : group) {
    if (!p.status.ok()) continue;
    failed = writer_->ApplyBatch(p.batch, Isolation::kNone);
    if (failed.ok()) continue;
    if (!writer_->in_transaction() || EndsTheStore(failed)) {
      p.status = failed;
      return failed;
    }
    break;
  }
  if (failed.ok()) return failed;
  writer_->Rollback();
  if (Status s = writer_->Begin(); !s.ok()) return s;
  Status first;  // the first batch that failed: the ones after it are not applied
  for (Pending& p : group) {
    if (!first.ok()) {
      if (p.status.ok()) p.status = BatchQueue::AfterFailure(first);
      continue;
    }
    if (!p.status.ok()) continue;
    p.status = writer_->ApplyBatch(p.batch, Isolation::kSavepoint);
    if (!p.status.ok() && (!writer_->in_transaction() || EndsTheStore(p.status))) {
      return p.status;
    }
    first = p.status;
  }
  return Status::Ok();
}

void SqliteStore::NoteWriteError(const Status& s) {
  if (!EndsTheStore(s) || !broken_.ok()) return;
  broken_ = Status(s.code(), "the store failed while writing and must be reopened: " + s.message());
}

// Rides the writer's queue as an empty batch, so the read runs on the
// writer's thread after everything submitted before it is durable, and the
// caller never waits on the disk.
void SqliteStore::ReadChanges(const ChangesQuery& query, ChangesDone done) {
  Submit(Batch{}, [this, query, done = std::move(done)](Status st) {
    if (!st.ok()) return done(st);
    StatusOr<ChangesPage> changes = [&]() -> StatusOr<ChangesPage> {
      std::lock_guard lock(db_mu_);
      if (db_ == nullptr) return Status::Unavailable("the store is closed");
      return sqlite::ReadChanges(*db_, query);
    }();
    done(std::move(changes));
  });
}

}  // namespace boxoffice::store
