#include "store/sqlite_show_state_records.h"

#include <string>

#include "store/sqlite_read.h"

namespace boxoffice::store::sqlite {

const char* const kShowStateTablesMigration = R"sql(
CREATE TABLE show_sales(
  show_id INTEGER PRIMARY KEY,
  state INTEGER NOT NULL CHECK(state IN (0, 1, 2)),
  at_ms INTEGER NOT NULL);
CREATE TABLE ticket_checkins(
  code TEXT PRIMARY KEY,
  show_id INTEGER NOT NULL,
  at_ms INTEGER NOT NULL) WITHOUT ROWID;
PRAGMA user_version = 6;
)sql";

StatusOr<ShowStateTables> ShowStateTables::Prepare(Db& db) {
  ShowStateTables t;
  const StmtSql statements[] = {
      {&t.upsert_sales_,
       "INSERT OR REPLACE INTO show_sales(show_id, state, at_ms) VALUES(?1, ?2, ?3)"},
      {&t.insert_checkin_, "INSERT INTO ticket_checkins(code, show_id, at_ms) VALUES(?1, ?2, ?3)"},
  };
  if (Status s = PrepareAll(db, statements); !s.ok()) return s;
  return t;
}

Status ShowStateTables::Put(const ShowSalesRecord& r) {
  return upsert_sales_.Bind(r.show_id, static_cast<int64_t>(r.state), r.at_ms).Exec();
}

Status ShowStateTables::Put(const TicketCheckinRecord& r) {
  Status s = insert_checkin_.Bind(r.code, r.show_id, r.at_ms).Exec();
  if (s.code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists("ticket " + r.code + " is checked in already");
  }
  return s;
}

Status ReadShowStateTables(Db& db, Snapshot& snap) {
  Status s = ReadTable(db, snap.show_sales, "show_sales", rows::kShowSalesColumns, "show_id");
  if (!s.ok()) return s;
  return ReadTable(db, snap.checkins, "ticket_checkins", rows::kCheckinColumns, "at_ms, code");
}

}  // namespace boxoffice::store::sqlite
