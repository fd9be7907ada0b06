#include "store/pg_store.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <random>
#include <utility>

#include "store/pg_conn.h"
#include "store/pg_reads.h"
#include "store/pg_schema.h"
#include "store/pg_writer.h"

namespace boxoffice::store {

namespace {

// Every connection: the store's schema first, and commits that wait for the
// server's WAL flush whatever the database's default says.
const std::string kSessionOptions =
    std::string("-c search_path=") + pg::kPgSchemaName + " -c synchronous_commit=on";

// Rows of writers that started this long ago are forgotten at Open.
constexpr const char* kForgetWritersSql =
    "DELETE FROM store_writers WHERE started_at < now() - interval '7 days'";

std::string RandomWriterId() {
  std::random_device rd;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 16; ++i) id.push_back(kHex[rd() % 16]);
  return id;
}

void Log(const std::string& what) { std::fprintf(stderr, "boxoffice: %s\n", what.c_str()); }

}  // namespace

bool IsPostgresUrl(std::string_view s) {
  return s.starts_with("postgres://") || s.starts_with("postgresql://");
}

StatusOr<std::unique_ptr<PostgresStore>> PostgresStore::Open(const std::string& url,
                                                             PostgresOptions options) {
  BOX_ASSERT(options.batches_per_transaction_max > 0);
  StatusOr<std::unique_ptr<pg::Conn>> c =
      pg::Conn::Connect(url, options.io_timeout, kSessionOptions);
  if (!c.ok()) return c.status();
  if (Status s = pg::PrepareSchema(**c); !s.ok()) return s;
  if (StatusOr<pg::Result> r = (*c)->Exec(kForgetWritersSql); !r.ok()) return r.status();
  std::unique_ptr<PostgresStore> store(
      new PostgresStore(url, std::move(options), nullptr, RandomWriterId()));
  if (Status s = store->SetUpWriter(**c); !s.ok()) return s;
  store->writer_ = std::move(c).value();
  store->thread_ = std::thread([s = store.get()] { s->WriterLoop(); });
  store->writer_thread_id_ = store->thread_.get_id();
  return store;
}

PostgresStore::PostgresStore(std::string url, PostgresOptions options,
                             std::unique_ptr<pg::Conn> writer, std::string writer_id)
    : url_(std::move(url)),
      options_(std::move(options)),
      writer_id_(std::move(writer_id)),
      writer_(std::move(writer)),
      queue_(options_.queued_batches_max, options_.observer) {}

PostgresStore::~PostgresStore() { Close(); }

StatusOr<std::unique_ptr<pg::Conn>> PostgresStore::Connect() const {
  return pg::Conn::Connect(url_, options_.io_timeout, kSessionOptions);
}

// Makes `c` the writer's: statements prepared, its backend noted, pipeline mode.
Status PostgresStore::SetUpWriter(pg::Conn& c) {
  if (Status s = pg::PrepareWriterStatements(c); !s.ok()) return s;
  StatusOr<pg::Result> me =
      c.Exec("SELECT pid, backend_start::text FROM pg_stat_activity WHERE pid = pg_backend_pid()");
  if (!me.ok()) return me.status();
  if (me->rows() != 1) return Status::Internal("the writer's session is not listed");
  pg::Row row(*me, 0, "pg_stat_activity");
  writer_pid_ = row.Int<int>();
  writer_started_ = row.Bytes();
  if (!row.status().ok()) return row.status();
  return c.EnterPipeline();
}

template <typename F>
auto PostgresStore::WithReader(F&& f) -> decltype(f(std::declval<pg::Conn&>())) {
  std::lock_guard lock(reader_mu_);
  if (closed_) return Status::FailedPrecondition("the store is closed");
  for (int attempt = 0;; ++attempt) {
    if (reader_ == nullptr || reader_->broken()) {
      StatusOr<std::unique_ptr<pg::Conn>> c = Connect();
      if (!c.ok()) return c.status();
      reader_ = std::move(c).value();
    }
    auto result = f(*reader_);
    if (result.ok() || !reader_->broken() || attempt > 0) return result;
  }
}

StatusOr<Snapshot> PostgresStore::Load() {
  return WithReader([](pg::Conn& c) { return pg::ReadSnapshot(c, std::nullopt); });
}

StatusOr<Snapshot> PostgresStore::LoadShow(ShowId show) {
  return WithReader([show](pg::Conn& c) { return pg::ReadSnapshot(c, show); });
}

StatusOr<ShowOwner> PostgresStore::ClaimShow(ShowId show, DurationMs lease_ms) {
  return WithReader(
      [&](pg::Conn& c) { return pg::ClaimShow(c, show, options_.node_id, lease_ms); });
}

Status PostgresStore::CheckIntegrity() {
  return WithReader([](pg::Conn& c) { return pg::CheckConsistency(c); });
}

void PostgresStore::Submit(Batch batch, DurableCallback done) {
  queue_.Submit(std::move(batch), std::move(done));
}

void PostgresStore::Flush() {
  BOX_ASSERT(!OnWriterThread());
  queue_.Flush();
}

// Rides the writer's queue, so it sees everything acknowledged before it.
void PostgresStore::ReadChanges(const ChangesQuery& query, ChangesDone done) {
  if (!reachable()) return done(Status::Unavailable("the database is unreachable"));
  Submit(Batch{}, [this, query, done = std::move(done)](Status st) {
    if (!st.ok()) return done(st);
    done(WithReader([&query](pg::Conn& c) { return pg::ReadChanges(c, query); }));
  });
}

void PostgresStore::Close() {
  BOX_ASSERT(!OnWriterThread());
  std::lock_guard close_lock(close_mu_);
  queue_.Stop();
  if (thread_.joinable()) thread_.join();  // the writer drains the queue first
  writer_.reset();
  std::lock_guard lock(reader_mu_);
  reader_.reset();
  closed_ = true;
}

StoreStats PostgresStore::stats() const {
  StoreStats s = queue_.stats();
  s.reconnects = reconnects_.load();
  s.transactions_in_doubt = in_doubt_.load();
  return s;
}

bool PostgresStore::OnWriterThread() const {
  return std::this_thread::get_id() == writer_thread_id_;
}

// ---- The writer thread ----------------------------------------------------------------

void PostgresStore::WriterLoop() {
  std::vector<Pending> group;
  while (queue_.Take(group, options_.batches_per_transaction_max)) {
    CommitObservation seen;
    const bool committed = Write(group, seen);
    queue_.Settle(group, seen, committed);
    group.clear();
  }
}

// Writes the group until its outcome is known; returns whether it committed.
// A transaction out when the connection was lost is resolved by reading back
// (Committed), and written again only if it did not commit.
bool PostgresStore::Write(std::vector<Pending>& group, CommitObservation& seen) {
  std::vector<bool> refused;
  for (const Pending& p : group) refused.push_back(!p.status.ok());
  if (std::all_of(refused.begin(), refused.end(), [](bool r) { return r; })) return false;
  const auto start = std::chrono::steady_clock::now();
  const auto done = [&](bool committed) {
    seen.duration_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return committed;
  };
  uint64_t in_doubt = 0;  // the transaction out when the connection was lost; 0: none
  while (true) {
    if (in_doubt != 0 || writer_ == nullptr) {
      if (!Reconnect()) break;
      if (in_doubt != 0) {
        StatusOr<bool> committed = Committed(in_doubt);
        if (!committed.ok()) {  // lost again: reconnect and read back again
          writer_.reset();
          continue;
        }
        if (*committed) return done(true);
        for (size_t i = 0; i < group.size(); ++i) {
          if (!refused[i]) group[i].status = Status::Ok();  // not written: write it again
        }
        in_doubt = 0;
      }
      if (!SetUpWriter(*writer_).ok()) {
        writer_.reset();
        continue;
      }
      if (!reachable_.exchange(true)) Log("PostgreSQL is reachable again");
    }
    const pg::TxnIds ids{options_.node_id, writer_id_, ++last_txn_};
    switch (pg::RunGroup(*writer_, ids, group)) {
      case pg::TxnEnd::kCommitted:
        return done(true);
      case pg::TxnEnd::kFailed:
        return done(false);
      case pg::TxnEnd::kInDoubt:
        in_doubt = ids.txn;
        ++in_doubt_;
        writer_.reset();
        if (reachable_.exchange(false)) Log("PostgreSQL connection lost; reconnecting");
        break;
    }
  }
  for (size_t i = 0; i < group.size(); ++i) {
    if (!refused[i]) {
      group[i].status = Status::Unavailable(
          "the database stayed unreachable until the store closed: not known to be durable");
    }
  }
  return done(false);
}

// Waits until a connection to the server opens (into writer_, in ordinary
// mode), backing off between attempts. False if the store is closing and the
// server stayed unreachable for close_wait.
bool PostgresStore::Reconnect() {
  reachable_ = false;
  auto delay = options_.reconnect_min;
  std::optional<std::chrono::steady_clock::time_point> stop_seen;
  while (true) {
    StatusOr<std::unique_ptr<pg::Conn>> c = Connect();
    if (c.ok()) {
      writer_ = std::move(c).value();
      ++reconnects_;
      return true;
    }
    if (queue_.stopping()) {
      const auto now = std::chrono::steady_clock::now();
      if (!stop_seen) stop_seen = now;
      if (now - *stop_seen >= options_.close_wait) {
        Log("PostgreSQL unreachable, closing: " + c.status().message());
        return false;
      }
      std::this_thread::sleep_for(delay);
    } else {
      queue_.WaitForStop(delay);
    }
    delay = std::min(delay * 2, options_.reconnect_max);
  }
}

// Whether transaction `txn` of this writer committed: ends the session that
// sent it (if the server still runs it), then reads back the writer's row.
// On writer_, in ordinary mode.
StatusOr<bool> PostgresStore::Committed(uint64_t txn) {
  pg::Params old;
  old.Int4(writer_pid_).Bytes(writer_started_);
  constexpr const char* kOld =
      "FROM pg_stat_activity WHERE pid = $1::int4 AND backend_start::text = $2::text";
  StatusOr<pg::Result> ended =
      writer_->Exec(std::string("SELECT pg_terminate_backend(pid) ") + kOld, old);
  if (!ended.ok()) return ended.status();
  const auto deadline = std::chrono::steady_clock::now() + options_.io_timeout;
  while (true) {
    StatusOr<pg::Result> left = writer_->Exec(std::string("SELECT pid ") + kOld, old);
    if (!left.ok()) return left.status();
    if (left->rows() == 0) break;
    if (std::chrono::steady_clock::now() > deadline) {
      return Status::Unavailable("the writer's old session does not end");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pg::Params me;
  me.Bytes(writer_id_);
  StatusOr<pg::Result> row =
      writer_->Exec("SELECT last_txn FROM store_writers WHERE writer_id = $1::text", me);
  if (!row.ok()) return row.status();
  if (row->rows() == 0) return false;  // its first transaction never committed
  pg::Row r(*row, 0, "store_writers");
  const auto last = r.Int<uint64_t>();
  if (!r.status().ok()) return r.status();
  return last == txn;
}

}  // namespace boxoffice::store
