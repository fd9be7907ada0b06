#include "store/sqlite_outbox.h"

#include "store/record_rows.h"
#include "store/sqlite_schema.h"

namespace boxoffice::store::sqlite {

const char* const kOutboxMigration = R"sql(
CREATE TABLE changes(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  show_id INTEGER NOT NULL,
  version INTEGER NOT NULL,
  at_ms INTEGER NOT NULL,
  reason INTEGER NOT NULL,
  state INTEGER NOT NULL,
  hold_id INTEGER NOT NULL,
  booking_id INTEGER NOT NULL,
  seats BLOB NOT NULL,
  ga_area INTEGER NOT NULL,
  ga_quantity INTEGER NOT NULL,
  UNIQUE(show_id, version));
PRAGMA user_version = 3;
)sql";

StatusOr<OutboxTable> OutboxTable::Prepare(Db& db) {
  OutboxTable t;
  const StmtSql statements[] = {
      {&t.insert_change_,
       "INSERT INTO changes(show_id, version, at_ms, reason, state, hold_id, booking_id, seats, "
       "ga_area, ga_quantity) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"},
      {&t.prune_changes_,
       "DELETE FROM changes WHERE seq < COALESCE((SELECT seq FROM changes WHERE at_ms >= ?1 "
       "ORDER BY seq LIMIT 1), (SELECT max(seq) + 1 FROM changes))"},
  };
  if (Status s = PrepareAll(db, statements); !s.ok()) return s;
  return t;
}

Status OutboxTable::Put(const ChangeRecord& r) {
  return insert_change_
      .Bind(r.show_id, r.version, r.at_ms, int{r.reason}, int{r.state}, r.hold_id, r.booking_id,
            Blob{EncodeSeats(r.seats)}, r.ga_area, r.ga_quantity)
      .Exec();
}

Status OutboxTable::Prune(const HistoryPruned& r) {
  return prune_changes_.Bind(r.changes_before_ms).Exec();
}

StatusOr<ChangesPage> ReadChanges(Db& db, const ChangesQuery& q) {
  ChangesPage page;
  {
    // The first seq (or version of the show) still kept; without any row, the
    // next one to come.
    StatusOr<Stmt> first =
        q.show_id == 0
            ? db.Prepare(
                  "SELECT COALESCE((SELECT min(seq) FROM changes), (SELECT seq + 1 FROM "
                  "sqlite_sequence WHERE name = 'changes'), 1)")
            : db.Prepare(
                  "SELECT COALESCE((SELECT min(version) FROM changes WHERE show_id = ?1), "
                  "(SELECT version + 1 FROM show_versions WHERE show_id = ?1), 1)");
    if (!first.ok()) return first.status();
    if (q.show_id != 0) first->Bind(q.show_id);
    uint64_t first_kept = 1;
    Status s = ForEachRow(*first, [&](const Stmt& row_stmt) {
      RowReader r(row_stmt, "changes");
      first_kept = r.Int<uint64_t>();
      return r.status();
    });
    if (!s.ok()) return s;
    const uint64_t after = q.show_id == 0 ? q.after_seq : q.after_version;
    if (after + 1 < first_kept) {
      page.gone = true;
      page.resume_after = first_kept - 1;
      return page;
    }
  }
  const std::string columns = std::string("SELECT ") + rows::kChangeColumns + " FROM changes ";
  StatusOr<Stmt> stmt =
      q.show_id == 0
          ? db.Prepare(columns + "WHERE seq > ?1 ORDER BY seq LIMIT ?2")
          : db.Prepare(columns + "WHERE show_id = ?3 AND version > ?1 ORDER BY version LIMIT ?2");
  if (!stmt.ok()) return stmt.status();
  const int64_t limit = static_cast<int64_t>(q.limit);
  if (q.show_id == 0) {
    stmt->Bind(static_cast<int64_t>(q.after_seq), limit);
  } else {
    stmt->Bind(static_cast<int64_t>(q.after_version), limit, q.show_id);
  }
  std::vector<ChangeRecord>& out = page.changes;
  Status s = ForEachRow(*stmt, [&](const Stmt& row_stmt) {
    RowReader r(row_stmt, "changes");
    rows::Read(r, out.emplace_back());
    return r.status();
  });
  if (!s.ok()) return s;
  return page;
}

}  // namespace boxoffice::store::sqlite
