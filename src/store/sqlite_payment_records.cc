#include "store/sqlite_payment_records.h"

#include <string>
#include <utility>

#include "store/sqlite_read.h"
#include "store/sqlite_schema.h"

namespace boxoffice::store::sqlite {

const char* const kPaymentTablesMigration = R"sql(
CREATE TABLE payments(
  payment_id TEXT PRIMARY KEY,
  show_id INTEGER NOT NULL,
  hold_id INTEGER NOT NULL,
  owner TEXT NOT NULL,
  seats BLOB NOT NULL,
  ga_area INTEGER NOT NULL,
  ga_quantity INTEGER NOT NULL,
  amount_minor INTEGER NOT NULL,
  currency TEXT NOT NULL,
  pay_url TEXT NOT NULL,
  state INTEGER NOT NULL CHECK(state BETWEEN 0 AND 4),
  booking_id INTEGER NOT NULL,
  refund_id TEXT NOT NULL,
  note TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE webhook_events(
  event_id TEXT PRIMARY KEY,
  received_at_ms INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX webhook_events_by_time ON webhook_events(received_at_ms);
CREATE TABLE hold_trail(
  show_id INTEGER NOT NULL,
  hold_id INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  at_ms INTEGER NOT NULL,
  reason TEXT NOT NULL);
CREATE INDEX hold_trail_by_time ON hold_trail(at_ms);
CREATE TABLE tickets(
  code TEXT PRIMARY KEY,
  show_id INTEGER NOT NULL,
  booking_id INTEGER NOT NULL,
  seat_index INTEGER NOT NULL,
  place INTEGER NOT NULL,
  issued_at_ms INTEGER NOT NULL) WITHOUT ROWID;
PRAGMA user_version = 2;
)sql";

StatusOr<PaymentTables> PaymentTables::Prepare(Db& db) {
  PaymentTables t;
  const StmtSql statements[] = {
      {&t.upsert_payment_,
       "INSERT INTO payments(payment_id, show_id, hold_id, owner, seats, ga_area, ga_quantity, "
       "amount_minor, currency, pay_url, state, booking_id, refund_id, note, created_at_ms, "
       "updated_at_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
       "?16) ON CONFLICT(payment_id) DO UPDATE SET state = excluded.state, "
       "booking_id = excluded.booking_id, refund_id = excluded.refund_id, note = excluded.note, "
       "updated_at_ms = excluded.updated_at_ms"},
      {&t.insert_webhook_event_,
       "INSERT INTO webhook_events(event_id, received_at_ms) VALUES(?1, ?2) "
       "ON CONFLICT(event_id) DO UPDATE SET received_at_ms = excluded.received_at_ms"},
      {&t.insert_trail_,
       "INSERT INTO hold_trail(show_id, hold_id, kind, at_ms, reason) VALUES(?1, ?2, ?3, ?4, ?5)"},
      {&t.insert_ticket_,
       "INSERT INTO tickets(code, show_id, booking_id, seat_index, place, issued_at_ms) "
       "VALUES(?1, ?2, ?3, ?4, ?5, ?6)"},
      {&t.prune_webhook_events_, "DELETE FROM webhook_events WHERE received_at_ms < ?1"},
      {&t.prune_trail_, "DELETE FROM hold_trail WHERE at_ms < ?1"},
  };
  if (Status s = PrepareAll(db, statements); !s.ok()) return s;
  return t;
}

Status PaymentTables::Put(const PaymentRecord& r) {
  return upsert_payment_
      .Bind(r.payment_id, r.show_id, r.hold_id, r.owner, Blob{EncodeSeats(r.seats)}, r.ga_area,
            r.ga_quantity, r.amount_minor, r.currency, r.pay_url, static_cast<int>(r.state),
            r.booking_id, r.refund_id, r.note, r.created_at_ms, r.updated_at_ms)
      .Exec();
}

// An event id seen again (the service forgot it after its retention) is
// recorded again: a clash here must never fail the batch.
Status PaymentTables::Put(const WebhookEventRecord& r) {
  return insert_webhook_event_.Bind(r.event_id, r.received_at_ms).Exec();
}

Status PaymentTables::Put(const HoldTrailRecord& r) {
  return insert_trail_.Bind(r.show_id, r.hold_id, static_cast<int>(r.kind), r.at_ms, r.reason)
      .Exec();
}

Status PaymentTables::Put(const TicketRecord& r) {
  Status s =
      insert_ticket_.Bind(r.code, r.show_id, r.booking_id, r.seat, r.place, r.issued_at_ms).Exec();
  if (s.code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists("ticket code " + r.code + " is in use");
  }
  return s;
}

Status PaymentTables::Prune(const HistoryPruned& r) {
  if (Status s = prune_webhook_events_.Bind(r.webhook_events_before_ms).Exec(); !s.ok()) return s;
  return prune_trail_.Bind(r.hold_trail_before_ms).Exec();
}

Status ReadPaymentTables(Db& db, Snapshot& snap) {
  Status s =
      ReadTable(db, snap.payments, "payments", rows::kPaymentColumns, "created_at_ms, payment_id");
  if (s.ok()) {
    s = ReadTable(db, snap.webhook_events, "webhook_events", rows::kWebhookEventColumns,
                  "event_id");
  }
  if (s.ok()) s = ReadTable(db, snap.hold_trail, "hold_trail", rows::kTrailColumns, "rowid");
  if (s.ok()) {
    s = ReadTable(db, snap.tickets, "tickets", rows::kTicketColumns,
                  "show_id, booking_id, place, seat_index");
  }
  return s;
}

}  // namespace boxoffice::store::sqlite
