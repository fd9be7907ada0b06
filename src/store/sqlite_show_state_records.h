// ShowStateTables: a show's state beyond its seats in SQLite — whether it
// sells (show_sales) and which of its tickets were let in at the door
// (ticket_checkins). RecordWriter hands these records here;
// ReadShowStateTables fills their part of the Snapshot. Internal to
// src/store/. The tables are created by schema migration 5 -> 6.
//
//   ShowSalesRecord      insert, or replace the state of that show
//   TicketCheckinRecord  insert; kAlreadyExists for a code checked in before,
//                        so no ticket is let in twice whatever the caller does
//
// Thread-safety: like Db, one thread at a time.
#pragma once

#include "core/status.h"
#include "store/sqlite_db.h"
#include "store/store.h"

namespace boxoffice::store::sqlite {

class ShowStateTables {
 public:
  ShowStateTables() = default;  // unprepared: Prepare before use
  static StatusOr<ShowStateTables> Prepare(Db& db);

  Status Put(const ShowSalesRecord& r);
  Status Put(const TicketCheckinRecord& r);

 private:
  Stmt upsert_sales_, insert_checkin_;
};

// Reads sales states and check-ins into `snap`.
Status ReadShowStateTables(Db& db, Snapshot& snap);

// Migration 5 -> 6: sales states and check-ins.
extern const char* const kShowStateTablesMigration;

}  // namespace boxoffice::store::sqlite
