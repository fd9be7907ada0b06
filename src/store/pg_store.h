// PostgresStore: the Store on a PostgreSQL server (15 or later), for
// operators who keep their money records there, and for several nodes on
// one database.
//
// Group commit, as SqliteStore: Submit queues (batch_queue.h); one writer
// thread takes what is queued (at most batches_per_transaction_max batches)
// and writes it as one transaction of a few statements, pipelined on its own
// connection (pg_writer.h), then runs the callbacks once COMMIT has
// answered (synchronous_commit on: the server has flushed its WAL). No
// network thread ever waits on PostgreSQL: Load, LoadShow, ClaimShow and
// CheckIntegrity block (they use a second connection) and are for start-up
// and ownership threads; ReadChanges rides the writer's queue and answers on
// its thread.
//
// Failures. As in SQLite the journal keeps no holes: once a batch fails,
// every batch after it fails too (kFailedPrecondition, "an earlier batch
// failed") until the store is reopened:
//  - a batch that breaks a rule (a seat already booked, a repeated ticket
//    code or check-in, a hold that is not live, a stale epoch) is refused
//    with its status; the batches of the transaction before it commit;
//  - the server unreachable (down, restarting, the connection cut):
//    reachable() turns false, nothing is failed and nothing is acknowledged;
//    the writer reconnects with backoff, and if the connection was lost
//    while a transaction was out, it ends the old session on the server and
//    reads back the transaction id the transaction wrote to the writer's row
//    in store_writers: committed, the callbacks get OK; not, the same
//    batches are written again. Never guessed, never retried blindly. What
//    is submitted meanwhile waits in the queue, so callers should refuse new
//    changes while reachable() is false;
//  - Close while unreachable waits close_wait, then fails what is left with
//    kUnavailable (not known to be durable);
//  - a full queue refuses new batches with kResourceExhausted.
// A lost connection is not a failure (unlike an I/O error in SQLite, after
// which what reached the disk is unknown until the file is reopened): what
// the server has is read back, so nothing is failed and the store goes on
// once the server is back.
//
// Threads: as SqliteStore. Callbacks and the observer run on the writer
// thread and must not call Flush or Close.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"
#include "store/batch_queue.h"
#include "store/store.h"

namespace boxoffice::store {

namespace pg {
class Conn;
}  // namespace pg

inline constexpr std::chrono::milliseconds kPgIoTimeoutDefault{30'000};
inline constexpr std::chrono::milliseconds kPgReconnectMinDefault{50};
inline constexpr std::chrono::milliseconds kPgReconnectMaxDefault{1'000};
inline constexpr std::chrono::milliseconds kPgCloseWaitDefault{10'000};

struct PostgresOptions : GroupCommitOptions {
  // Connecting, and each wait for an answer: a server silent that long is lost.
  std::chrono::milliseconds io_timeout = kPgIoTimeoutDefault;
  // Waits between attempts to reconnect, doubling from min to max.
  std::chrono::milliseconds reconnect_min = kPgReconnectMinDefault;
  std::chrono::milliseconds reconnect_max = kPgReconnectMaxDefault;
  // How long Close waits for an unreachable server before giving up.
  std::chrono::milliseconds close_wait = kPgCloseWaitDefault;
};

// True for "postgres://..." and "postgresql://..." (what selects this store).
bool IsPostgresUrl(std::string_view s);

class PostgresStore final : public Store {
 public:
  // Connects to `url` (postgres://USER@HOST:PORT/DB), brings the schema
  // `boxoffice` to this build's version (kFailedPrecondition if newer) and
  // starts the writer. kUnavailable if the server cannot be reached.
  static StatusOr<std::unique_ptr<PostgresStore>> Open(const std::string& url,
                                                       PostgresOptions options = {});
  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  StatusOr<Snapshot> Load() override;
  StatusOr<Snapshot> LoadShow(ShowId show) override;
  StatusOr<ShowOwner> ClaimShow(ShowId show, DurationMs lease_ms) override;
  void Submit(Batch batch, DurableCallback done) override;
  void Flush() override;
  void ReadChanges(const ChangesQuery& query, ChangesDone done) override;
  void Close() override;
  StoreStats stats() const override;
  bool reachable() const override { return reachable_.load(); }

  // The store's invariant: booked_seats holds exactly the seats of the active
  // bookings. Reads everything: for tests and tools.
  Status CheckIntegrity();

 private:
  PostgresStore(std::string url, PostgresOptions options, std::unique_ptr<pg::Conn> writer,
                std::string writer_id);
  StatusOr<std::unique_ptr<pg::Conn>> Connect() const;
  Status SetUpWriter(pg::Conn& c);
  // Runs `f(conn)` on the second connection, reconnecting once if it was lost.
  template <typename F>
  auto WithReader(F&& f) -> decltype(f(std::declval<pg::Conn&>()));

  void WriterLoop();
  bool Write(std::vector<Pending>& group, CommitObservation& seen);
  bool Reconnect();
  StatusOr<bool> Committed(uint64_t txn);
  bool OnWriterThread() const;

  const std::string url_;
  const PostgresOptions options_;
  const std::string writer_id_;  // this store's row in store_writers

  // Writer thread only (after Open).
  std::unique_ptr<pg::Conn> writer_;
  int writer_pid_ = 0;          // its backend: ended before a read-back
  std::string writer_started_;  // that backend's start, so no other is ended
  uint64_t last_txn_ = 0;

  std::atomic<bool> reachable_{true};
  std::atomic<uint64_t> reconnects_{0};
  std::atomic<uint64_t> in_doubt_{0};

  std::mutex reader_mu_;
  std::unique_ptr<pg::Conn> reader_;  // guarded by reader_mu_; null when closed or lost
  bool closed_ = false;               // guarded by reader_mu_

  BatchQueue queue_;
  std::mutex close_mu_;  // one Close at a time
  std::thread thread_;
  std::thread::id writer_thread_id_;
};

}  // namespace boxoffice::store
