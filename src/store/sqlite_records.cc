#include "store/sqlite_records.h"

#include <algorithm>
#include <string>
#include <utility>

#include "store/sqlite_read.h"
#include "store/sqlite_schema.h"

namespace boxoffice::store::sqlite {

namespace {

std::string_view TokenBytes(const core::Token& token) {
  return {reinterpret_cast<const char*>(token.bytes.data()), token.bytes.size()};
}

std::string ShowAnd(ShowId show, std::string_view what, uint64_t id) {
  std::string m = "show " + std::to_string(show) + " ";
  m += what;
  m += " " + std::to_string(id);
  return m;
}

}  // namespace

// ---- RecordWriter ---------------------------------------------------------------

StatusOr<RecordWriter> RecordWriter::Prepare(Db& db, std::string node_id) {
  RecordWriter w(db);
  const StmtSql statements[] = {
      {&w.begin_, "BEGIN IMMEDIATE"},
      {&w.commit_, "COMMIT"},
      {&w.rollback_, "ROLLBACK"},
      {&w.savepoint_, "SAVEPOINT batch"},
      {&w.release_, "RELEASE batch"},
      {&w.rollback_to_, "ROLLBACK TO batch"},
      {&w.insert_hold_,
       "INSERT INTO holds(show_id, hold_id, owner, token, seats, ga_area, ga_quantity, "
       "total_minor, created_at_ms, expires_at_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
       "?10)"},
      {&w.extend_hold_,
       "UPDATE holds SET expires_at_ms = ?3, created_at_ms = ?4 WHERE show_id = ?1 AND hold_id = "
       "?2"},
      {&w.close_hold_,
       "INSERT OR REPLACE INTO closed_holds(show_id, hold_id, owner, token, why, booking_id, "
       "closed_at_ms) SELECT show_id, hold_id, owner, token, ?3, ?4, ?5 FROM holds "
       "WHERE show_id = ?1 AND hold_id = ?2"},
      {&w.delete_hold_, "DELETE FROM holds WHERE show_id = ?1 AND hold_id = ?2"},
      {&w.prune_closed_holds_, "DELETE FROM closed_holds WHERE closed_at_ms < ?1"},
      {&w.insert_booking_,
       "INSERT INTO bookings(show_id, booking_id, hold_id, owner, seats, ga_area, ga_quantity, "
       "total_minor, payment_ref, booked_at_ms, cancelled, cancelled_at_ms) "
       "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"},
      {&w.find_booking_,
       "SELECT seats, cancelled FROM bookings WHERE show_id = ?1 AND booking_id = ?2"},
      {&w.cancel_booking_,
       "UPDATE bookings SET cancelled = 1, cancelled_at_ms = ?3 "
       "WHERE show_id = ?1 AND booking_id = ?2"},
      {&w.claim_seat_,
       "INSERT INTO booked_seats(show_id, seat_index, booking_id) VALUES(?1, ?2, ?3)"},
      {&w.seat_owner_,
       "SELECT booking_id FROM booked_seats WHERE show_id = ?1 AND seat_index = ?2"},
      {&w.free_seat_,
       "DELETE FROM booked_seats WHERE show_id = ?1 AND seat_index = ?2 AND booking_id = ?3"},
      {&w.block_seat_,
       "INSERT INTO blocked_seats(show_id, seat_index) VALUES(?1, ?2) ON CONFLICT DO NOTHING"},
      {&w.unblock_seat_, "DELETE FROM blocked_seats WHERE show_id = ?1 AND seat_index = ?2"},
      {&w.upsert_version_,
       "INSERT INTO show_versions(show_id, version) VALUES(?1, ?2) "
       "ON CONFLICT(show_id) DO UPDATE SET version = excluded.version"},
      // A key recorded again (forgotten by the service in between) replaces
      // the earlier record: a clash here must never fail the batch.
      {&w.insert_idempotency_,
       "INSERT INTO idempotency(user_id, idem_key, request_hash, status, response_body, "
       "response_headers, created_at_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) "
       "ON CONFLICT(user_id, idem_key) DO UPDATE SET request_hash = excluded.request_hash, "
       "status = excluded.status, response_body = excluded.response_body, "
       "response_headers = excluded.response_headers, created_at_ms = excluded.created_at_ms"},
      // Exactly the records before the bound (an index range: the cost is
      // the rows deleted), the same ones the service forgets.
      {&w.prune_idempotency_, "DELETE FROM idempotency WHERE created_at_ms < ?1"},
  };
  // The file claims the current schema version, yet the SQL does not fit it.
  const auto damaged = [&db](const Status& s) {
    return s.code() == StatusCode::kInternal
               ? Status::Corruption(db.path() + ": the schema is damaged: " + s.message())
               : s;
  };
  if (Status s = PrepareAll(db, statements); !s.ok()) return damaged(s);
  StatusOr<OwnerTable> owners = OwnerTable::Prepare(db, std::move(node_id));
  if (!owners.ok()) return damaged(owners.status());
  w.owners_ = std::move(owners).value();
  StatusOr<CatalogTables> catalog = CatalogTables::Prepare(db);
  if (!catalog.ok()) return damaged(catalog.status());
  w.catalog_ = std::move(catalog).value();
  StatusOr<PaymentTables> payment_tables = PaymentTables::Prepare(db);
  if (!payment_tables.ok()) return damaged(payment_tables.status());
  w.payment_tables_ = std::move(payment_tables).value();
  StatusOr<OutboxTable> outbox = OutboxTable::Prepare(db);
  if (!outbox.ok()) return damaged(outbox.status());
  w.outbox_ = std::move(outbox).value();
  StatusOr<QueueTables> queue_tables = QueueTables::Prepare(db);
  if (!queue_tables.ok()) return damaged(queue_tables.status());
  w.queue_tables_ = std::move(queue_tables).value();
  StatusOr<ShowStateTables> show_state_tables = ShowStateTables::Prepare(db);
  if (!show_state_tables.ok()) return damaged(show_state_tables.status());
  w.show_state_tables_ = std::move(show_state_tables).value();
  return w;
}

Status RecordWriter::Begin() {
  transaction_versions_.clear();
  transaction_fences_.clear();
  return begin_.Exec();
}

Status RecordWriter::Commit() {
  Status s = WriteVersions();
  transaction_versions_.clear();
  return s.ok() ? commit_.Exec() : s;
}

void RecordWriter::Rollback() {
  transaction_versions_.clear();
  transaction_fences_.clear();
  if (in_transaction()) (void)rollback_.Exec();  // an error leaves nothing to keep
}

Status RecordWriter::ApplyBatch(const Batch& batch, Isolation isolation) {
  if (isolation == Isolation::kNone) {
    Status s = ApplyRecords(batch);
    if (s.ok()) KeepBatchVersions();
    return s;
  }
  if (Status s = savepoint_.Exec(); !s.ok()) return s;
  Status s = ApplyRecords(batch);
  if (s.ok()) {
    if (s = release_.Exec(); s.ok()) {
      KeepBatchVersions();
      return s;
    }
  } else if (!in_transaction() || (rollback_to_.Exec().ok() && release_.Exec().ok())) {
    return s;  // undone: alone, or with the transaction SQLite already ended
  }
  Rollback();  // the batch can be neither kept nor undone alone
  return s;
}

Status RecordWriter::ApplyRecords(const Batch& batch) {
  batch_versions_.clear();
  if (Status s = CheckFences(batch); !s.ok()) return s;
  for (const Record& record : batch.records) {
    if (Status s = Apply(record); !s.ok()) return s;
  }
  return Status::Ok();
}

// Each show the batch writes, at the epoch it carries for it or at 1.
Status RecordWriter::CheckFences(const Batch& batch) {
  batch_fences_.clear();
  for (const ShowFence& f : batch.fences) {
    if (Status s = CheckFence(f); !s.ok()) return s;
  }
  for (const Record& r : batch.records) {
    const ShowId show = ShowOf(r);
    if (show == 0 || std::any_of(batch.fences.begin(), batch.fences.end(),
                                 [show](const ShowFence& f) { return f.show_id == show; })) {
      continue;
    }
    if (Status s = CheckFence({show, 1}); !s.ok()) return s;
  }
  return Status::Ok();
}

Status RecordWriter::CheckFence(ShowFence fence) {
  const auto has = [&fence](const std::vector<ShowFence>& v) {
    return std::find(v.begin(), v.end(), fence) != v.end();
  };
  if (has(transaction_fences_) || has(batch_fences_)) return Status::Ok();
  Status s = owners_.Check(fence.show_id, fence.epoch);
  if (s.ok()) batch_fences_.push_back(fence);
  return s;
}

// The batch was applied: its versions and fences count for the transaction.
void RecordWriter::KeepBatchVersions() {
  transaction_fences_.insert(transaction_fences_.end(), batch_fences_.begin(), batch_fences_.end());
  batch_fences_.clear();
  for (const ShowVersion& v : batch_versions_) {
    auto it = std::find_if(transaction_versions_.begin(), transaction_versions_.end(),
                           [&](const ShowVersion& t) { return t.show_id == v.show_id; });
    if (it == transaction_versions_.end()) {
      transaction_versions_.push_back(v);
    } else {
      it->version = std::max(it->version, v.version);
    }
  }
  batch_versions_.clear();
}

Status RecordWriter::WriteVersions() {
  for (const ShowVersion& v : transaction_versions_) {
    if (Status s = upsert_version_.Bind(v.show_id, v.version).Exec(); !s.ok()) return s;
  }
  return Status::Ok();
}

Status RecordWriter::Apply(const Record& record) {
  return std::visit(
      [this](const auto& r) {
        if constexpr (requires { catalog_.Put(r); }) {
          return catalog_.Put(r);
        } else if constexpr (requires { payment_tables_.Put(r); }) {
          return payment_tables_.Put(r);
        } else if constexpr (requires { queue_tables_.Put(r); }) {
          return queue_tables_.Put(r);
        } else if constexpr (requires { show_state_tables_.Put(r); }) {
          return show_state_tables_.Put(r);
        } else if constexpr (requires { outbox_.Put(r); }) {
          return outbox_.Put(r);
        } else {
          return Put(r);
        }
      },
      record);
}

Status RecordWriter::Put(const HoldRecord& r) {
  Status s = insert_hold_
                 .Bind(r.show_id, r.hold_id, r.owner, Blob{TokenBytes(r.token)},
                       Blob{EncodeSeats(r.seats)}, r.ga_area, r.ga_quantity, r.total_minor,
                       r.created_at_ms, r.expires_at_ms)
                 .Exec();
  if (s.code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists(ShowAnd(r.show_id, "hold", r.hold_id) + " exists already");
  }
  return s;
}

Status RecordWriter::ExpectLiveHold(const char* action, ShowId show, HoldId hold) const {
  if (db_->changes() == 1) return Status::Ok();
  return Status::NotFound(std::string("cannot ") + action + " " + ShowAnd(show, "hold", hold) +
                          ": it is not live");
}

Status RecordWriter::Put(const HoldExtended& r) {
  Status s = extend_hold_.Bind(r.show_id, r.hold_id, r.expires_at_ms, r.created_at_ms).Exec();
  return s.ok() ? ExpectLiveHold("extend", r.show_id, r.hold_id) : s;
}

// The hold's row moves to closed_holds, with why it closed and its booking.
Status RecordWriter::Put(const HoldClosed& r) {
  Status s =
      close_hold_.Bind(r.show_id, r.hold_id, static_cast<int64_t>(r.why), r.booking_id, r.at_ms)
          .Exec();
  if (s.ok()) s = ExpectLiveHold("close", r.show_id, r.hold_id);
  if (s.ok()) s = delete_hold_.Bind(r.show_id, r.hold_id).Exec();
  return s;
}

Status RecordWriter::Put(const BookingRecord& r) {
  Status s = insert_booking_
                 .Bind(r.show_id, r.booking_id, r.hold_id, r.owner, Blob{EncodeSeats(r.seats)},
                       r.ga_area, r.ga_quantity, r.total_minor, r.payment_ref, r.booked_at_ms,
                       r.cancelled, r.cancelled_at_ms)
                 .Exec();
  if (s.code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists(ShowAnd(r.show_id, "booking", r.booking_id) + " exists already");
  }
  if (!s.ok() || r.cancelled) return s;
  for (SeatIndex seat : r.seats) {
    if (s = ClaimSeat(r.show_id, seat, r.booking_id); !s.ok()) return s;
  }
  return Status::Ok();
}

// The last line of defence: the primary key of booked_seats.
Status RecordWriter::ClaimSeat(ShowId show, SeatIndex seat, BookingId booking) {
  Status s = claim_seat_.Bind(show, seat, booking).Exec();
  if (s.code() != StatusCode::kAlreadyExists) return s;
  std::string m = ShowAnd(show, "seat", seat) + " already has an active booking";
  if (StatusOr<bool> row = seat_owner_.Bind(show, seat).Step(); row.ok() && *row) {
    m += " (booking " + std::to_string(static_cast<uint64_t>(seat_owner_.column_int64(0))) + ")";
  }
  seat_owner_.Reset();
  m += "; refused booking " + std::to_string(booking);
  return Status::AlreadyExists(std::move(m));
}

Status RecordWriter::Put(const BookingCancelled& r) {
  StatusOr<bool> row = find_booking_.Bind(r.show_id, r.booking_id).Step();
  if (!row.ok() || !*row) {
    find_booking_.Reset();
    if (!row.ok()) return row.status();
    return Status::NotFound("cannot cancel " + ShowAnd(r.show_id, "booking", r.booking_id) +
                            ": no such booking");
  }
  RowReader reader(find_booking_, "bookings");
  const std::vector<SeatIndex> seats = reader.Seats();
  bool cancelled = reader.Int<bool>();
  find_booking_.Reset();
  if (!reader.status().ok()) return reader.status();
  if (cancelled) {
    return Status::FailedPrecondition(
        "cannot cancel " + ShowAnd(r.show_id, "booking", r.booking_id) + ": cancelled already");
  }
  if (Status s = cancel_booking_.Bind(r.show_id, r.booking_id, r.at_ms).Exec(); !s.ok()) return s;
  for (SeatIndex seat : seats) {
    if (Status s = free_seat_.Bind(r.show_id, seat, r.booking_id).Exec(); !s.ok()) return s;
  }
  return Status::Ok();
}

Status RecordWriter::Put(const SeatsBlocked& r) {
  Stmt& stmt = r.blocked ? block_seat_ : unblock_seat_;
  for (SeatIndex seat : r.seats) {
    if (Status s = stmt.Bind(r.show_id, seat).Exec(); !s.ok()) return s;
  }
  return Status::Ok();
}

// Kept for Commit: one upsert per show and transaction instead of one per batch.
Status RecordWriter::Put(const ShowVersion& r) {
  batch_versions_.push_back(r);
  return Status::Ok();
}

Status RecordWriter::Put(const IdempotencyRecord& r) {
  return insert_idempotency_
      .Bind(r.user, r.key, Blob{r.request_hash}, r.status, Blob{r.response_body},
            Blob{r.response_headers}, r.created_at_ms)
      .Exec();
}

Status RecordWriter::Put(const HistoryPruned& r) {
  if (Status s = payment_tables_.Prune(r); !s.ok()) return s;
  if (Status s = outbox_.Prune(r); !s.ok()) return s;
  if (Status s = prune_closed_holds_.Bind(r.closed_holds_before_ms).Exec(); !s.ok()) return s;
  return prune_idempotency_.Bind(r.idempotency_before_ms).Exec();
}

// ---- Reading --------------------------------------------------------------------

namespace {

Status ReadAll(Db& db, Snapshot& snap) {
  Status s = ReadCatalog(db, snap);
  if (s.ok()) s = ReadTable(db, snap.live_holds, "holds", rows::kHoldColumns, "show_id, hold_id");
  if (s.ok()) {
    s = ReadTable(db, snap.closed_holds, "closed_holds", rows::kClosedHoldColumns,
                  "show_id, hold_id");
  }
  if (s.ok()) {
    s = ReadTable(db, snap.bookings, "bookings", rows::kBookingColumns, "show_id, booking_id");
  }
  if (s.ok()) {
    s = ForEachRow(db, "SELECT show_id, seat_index FROM blocked_seats ORDER BY show_id, seat_index",
                   [&](const Stmt& stmt) {
                     RowReader row(stmt, "blocked_seats");
                     rows::ReadBlocked(row, snap.blocked);
                     return row.status();
                   });
  }
  if (s.ok()) s = ReadTable(db, snap.versions, "show_versions", rows::kVersionColumns, "show_id");
  if (s.ok()) {
    s = ReadTable(db, snap.idempotency, "idempotency", rows::kIdempotencyColumns,
                  "created_at_ms, rowid");
  }
  if (s.ok()) s = ReadPaymentTables(db, snap);
  if (s.ok()) s = ReadQueueTables(db, snap);
  if (s.ok()) s = ReadShowStateTables(db, snap);
  return s;
}

// Runs `body` inside a read transaction, which keeps the reads consistent.
template <typename Body>
Status InReadTransaction(Db& db, Body&& body) {
  if (Status s = db.Exec("BEGIN"); !s.ok()) return s;
  Status s = body();
  if (Status end = db.Exec(s.ok() ? "COMMIT" : "ROLLBACK"); s.ok()) s = end;
  return s;
}

// Each query yields (count, description) of rows that break the invariant.
constexpr std::pair<const char*, const char*> kConsistencyChecks[] = {
    {"SELECT count(*) FROM booked_seats AS s LEFT JOIN bookings AS b "
     "ON b.show_id = s.show_id AND b.booking_id = s.booking_id AND b.cancelled = 0 "
     "WHERE b.booking_id IS NULL",
     "booked seats without an active booking"},
    {"SELECT (SELECT coalesce(sum(length(seats) / 4), 0) FROM bookings WHERE cancelled = 0) - "
     "(SELECT count(*) FROM booked_seats)",
     "seats of active bookings missing from booked_seats"},
    {"SELECT count(*) FROM bookings WHERE length(seats) % 4 != 0",
     "bookings with a torn seat list"},
    {"SELECT count(*) FROM holds WHERE length(seats) % 4 != 0", "holds with a torn seat list"},
};
static_assert(kSeatBlobBytesPerSeat == 4, "the consistency checks divide by 4");

Status CheckInvariants(Db& db) {
  StatusOr<std::string> integrity = db.QueryText("PRAGMA integrity_check");
  if (!integrity.ok()) return integrity.status();
  if (*integrity != "ok") return Status::Corruption(db.path() + ": " + *integrity);
  for (const auto& [sql, what] : kConsistencyChecks) {
    StatusOr<int64_t> bad = db.QueryInt(sql);
    if (!bad.ok()) return bad.status();
    if (*bad != 0) {
      return Status::Corruption(db.path() + ": " + std::to_string(*bad) + " " + what);
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<Snapshot> ReadSnapshot(Db& db) {
  Snapshot snap;
  if (Status s = InReadTransaction(db, [&] { return ReadAll(db, snap); }); !s.ok()) return s;
  return snap;
}

Status CheckConsistency(Db& db) {
  return InReadTransaction(db, [&] { return CheckInvariants(db); });
}

}  // namespace boxoffice::store::sqlite
