// SqliteStore: the embedded Store — one SQLite file in WAL mode, written by a
// single writer thread that commits many batches per transaction.
//
// Group commit: Submit appends (batch, callback) to a queue (batch_queue.h)
// and returns. The writer takes everything queued (at most
// batches_per_transaction_max), runs
// one transaction over all of it, commits (synchronous=FULL: the WAL is
// fsync'd) and then runs the callbacks in submission order. The batches go
// into the transaction directly; only when one of them fails is the
// transaction rolled back and run again with a SAVEPOINT per batch. It
// never waits for more work while it has some: under load a transaction
// collects what arrived during the previous commit.
//
// Failures. The journal never has a hole: what is durable is always a prefix
// of what was submitted, since a batch may build on the ones before it (a
// booking on its hold, booking ids on each other). So once a batch fails,
// every batch after it fails too (kFailedPrecondition, "an earlier batch
// failed"), until the file is reopened:
//  - a batch that breaks a rule (a seat already booked, an unknown hold...)
//    is rolled back alone and its callback gets the Status (kAlreadyExists
//    names show and seat); the batches of the transaction before it commit;
//  - an error that ends the whole transaction (COMMIT fails, the disk is
//    full) fails every batch of it; after an I/O error or corruption what
//    reached the disk is unknown until the file is reopened, which recovers it;
//  - more than queued_batches_max batches waiting: the new batch fails with
//    kResourceExhausted (through its callback, on the writer thread).
//
// Threads: Submit, Flush, Load, stats and CheckIntegrity may be called from
// any thread. Callbacks and the observer run on the writer thread, must be
// quick, must not throw and must not call Flush or Close (that would wait for
// itself: it asserts). Submit after Close runs the callback at once, on the
// caller's thread, with kFailedPrecondition.
//
// Venue and show records replace the earlier record of the same id (a show's
// settings may change); every other record is as described in
// sqlite_records.h. The schema is in sqlite_schema.h. Several stores (of
// different node ids) may share one file: each transaction holds SQLite's
// write lock, which is what fences them (sqlite_owners.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"
#include "store/batch_queue.h"
#include "store/store.h"

namespace boxoffice::store {

namespace sqlite {
class Db;
class RecordWriter;
}  // namespace sqlite

inline constexpr int kSqliteBusyTimeoutMs = 5000;

struct SqliteOptions : GroupCommitOptions {
  int busy_timeout_ms = kSqliteBusyTimeoutMs;  // another process holding the file
  // A quota on the file size in database pages (4 KiB each); 0: none. Batches
  // that would grow the file beyond it fail with kResourceExhausted.
  uint64_t database_pages_max = 0;
};

class SqliteStore final : public Store {
 public:
  // Opens or creates the store at `path` (a file; "-wal" and "-shm" files
  // appear beside it), recovering it if a process died while writing.
  // kCorruption if the file is not a database, kFailedPrecondition if it is
  // not a Boxoffice store or has a newer schema, kIoError if it cannot be opened.
  static StatusOr<std::unique_ptr<SqliteStore>> Open(const std::string& path,
                                                     SqliteOptions options = {});
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  StatusOr<Snapshot> Load() override;
  // LoadShow: Store's default, a filtered Load.
  StatusOr<ShowOwner> ClaimShow(ShowId show, DurationMs lease_ms) override;
  void Submit(Batch batch, DurableCallback done) override;
  void Flush() override;
  void ReadChanges(const ChangesQuery& query, ChangesDone done) override;
  void Close() override;
  StoreStats stats() const override;

  // SQLite's integrity check plus the store's own invariants (booked_seats
  // matches the active bookings). Reads the whole file: for tests and tools.
  Status CheckIntegrity();

 private:
  SqliteStore(std::unique_ptr<sqlite::Db> db, std::unique_ptr<sqlite::RecordWriter> writer,
              SqliteOptions options);
  void WriterLoop();
  bool CommitGroup(std::vector<Pending>& group, CommitObservation& seen);
  Status ApplyGroup(std::vector<Pending>& group);
  void NoteWriteError(const Status& s);
  bool OnWriterThread() const;

  const SqliteOptions options_;

  // The connection: used by the writer for each transaction, by Load and
  // CheckIntegrity in between. Null once closed.
  mutable std::mutex db_mu_;
  std::unique_ptr<sqlite::Db> db_;
  std::unique_ptr<sqlite::RecordWriter> writer_;
  Status broken_;  // writer thread only: set by an I/O error while writing

  BatchQueue queue_;

  std::mutex close_mu_;  // one Close at a time
  std::thread thread_;
  std::thread::id writer_id_;
};

}  // namespace boxoffice::store
