// PaymentTables: the booking flow's records in SQLite — payments, webhook
// event ids, the hold trail and tickets. RecordWriter hands these records
// here; ReadPaymentTables fills their part of the Snapshot. Internal to
// src/store/. The tables are created by schema migration 1 -> 2.
//
//   PaymentRecord       insert, or replace the earlier record of that payment id
//   WebhookEventRecord  insert, or replace the earlier record of that event id
//   HoldTrailRecord     append
//   TicketRecord        insert; kAlreadyExists for a code in use (codes are unique)
//   Prune(HistoryPruned)  deletes webhook event ids and trail rows older than given
//
// Thread-safety: like Db, one thread at a time.
#pragma once

#include "core/status.h"
#include "store/sqlite_db.h"
#include "store/store.h"

namespace boxoffice::store::sqlite {

class PaymentTables {
 public:
  PaymentTables() = default;  // unprepared: Prepare before use
  static StatusOr<PaymentTables> Prepare(Db& db);

  Status Put(const PaymentRecord& r);
  Status Put(const WebhookEventRecord& r);
  Status Put(const HoldTrailRecord& r);
  Status Put(const TicketRecord& r);
  Status Prune(const HistoryPruned& r);

 private:
  Stmt upsert_payment_, insert_webhook_event_, insert_trail_, insert_ticket_;
  Stmt prune_webhook_events_, prune_trail_;
};

// Reads payments, webhook event ids, the hold trail and tickets into `snap`.
Status ReadPaymentTables(Db& db, Snapshot& snap);

// Migration 1 -> 2: the booking flow's tables.
extern const char* const kPaymentTablesMigration;

}  // namespace boxoffice::store::sqlite
