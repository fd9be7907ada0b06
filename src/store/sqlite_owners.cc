#include "store/sqlite_owners.h"

#include <optional>
#include <utility>

namespace boxoffice::store::sqlite {

const char* const kOwnersMigration = R"sql(
CREATE TABLE show_owners(
  show_id INTEGER PRIMARY KEY,
  node_id TEXT NOT NULL,
  epoch INTEGER NOT NULL CHECK(epoch >= 1),
  lease_expires_at_ms INTEGER NOT NULL);
PRAGMA user_version = 8;
)sql";

namespace {

constexpr const char* kFindOwner =
    "SELECT show_id, node_id, epoch, lease_expires_at_ms FROM show_owners WHERE show_id = ?1";

// The show's owner, if any; `stmt` runs kFindOwner.
StatusOr<std::optional<ShowOwner>> FindOwner(Stmt& stmt, ShowId show) {
  std::optional<ShowOwner> owner;
  Status s = ForEachRow(stmt.Bind(show), [&](const Stmt& row_stmt) {
    RowReader row(row_stmt, "show_owners");
    owner = ShowOwner{.show_id = row.Int<ShowId>(),
                      .node_id = row.Bytes(),
                      .epoch = row.Int<uint64_t>(),
                      .lease_expires_at_ms = row.Int<TimeMs>()};
    return row.status();
  });
  stmt.Reset();
  if (!s.ok()) return s;
  return owner;
}

std::string Fenced(ShowId show, const std::string& node, uint64_t epoch,
                   const std::optional<ShowOwner>& owner) {
  std::string m = "fenced: show " + std::to_string(show);
  m += owner ? " belongs to node " + owner->node_id + " at epoch " + std::to_string(owner->epoch)
             : " has no owner";
  return m + "; refused a batch of node " + node + " at epoch " + std::to_string(epoch);
}

}  // namespace

StatusOr<OwnerTable> OwnerTable::Prepare(Db& db, std::string node_id) {
  OwnerTable t;
  t.node_id_ = std::move(node_id);
  const StmtSql statements[] = {
      {&t.find_, kFindOwner},
      {&t.take_,
       "INSERT INTO show_owners(show_id, node_id, epoch, lease_expires_at_ms) "
       "VALUES(?1, ?2, 1, 0)"},
  };
  if (Status s = PrepareAll(db, statements); !s.ok()) return s;
  return t;
}

Status OwnerTable::Check(ShowId show, uint64_t epoch) {
  StatusOr<std::optional<ShowOwner>> owner = FindOwner(find_, show);
  if (!owner.ok()) return owner.status();
  if (!owner->has_value() && epoch == 1) return take_.Bind(show, node_id_).Exec();
  if (owner->has_value() && (*owner)->node_id == node_id_ && (*owner)->epoch == epoch) {
    return Status::Ok();
  }
  return Status::FailedPrecondition(Fenced(show, node_id_, epoch, *owner));
}

namespace {

StatusOr<ShowOwner> ClaimInTransaction(Db& db, ShowId show, const std::string& node_id,
                                       DurationMs lease_ms, TimeMs now_ms) {
  StatusOr<Stmt> find = db.Prepare(kFindOwner);
  if (!find.ok()) return find.status();
  StatusOr<std::optional<ShowOwner>> owner = FindOwner(*find, show);
  if (!owner.ok()) return owner.status();
  const std::optional<ShowOwner>& was = *owner;
  const bool live = was && (was->lease_expires_at_ms == 0 || was->lease_expires_at_ms > now_ms);
  if (was && was->node_id != node_id && live) {
    return Status::FailedPrecondition("show " + std::to_string(show) + " is held by node " +
                                      was->node_id + " at epoch " + std::to_string(was->epoch));
  }
  ShowOwner now{.show_id = show,
                .node_id = node_id,
                .epoch = !was                      ? 1
                         : was->node_id == node_id ? was->epoch
                                                   : was->epoch + 1,
                .lease_expires_at_ms = lease_ms > 0 ? now_ms + lease_ms : 0};
  StatusOr<Stmt> put = db.Prepare(
      "INSERT OR REPLACE INTO show_owners(show_id, node_id, epoch, lease_expires_at_ms) "
      "VALUES(?1, ?2, ?3, ?4)");
  if (!put.ok()) return put.status();
  if (Status s = put->Bind(show, now.node_id, now.epoch, now.lease_expires_at_ms).Exec(); !s.ok())
    return s;
  return now;
}

}  // namespace

StatusOr<ShowOwner> ClaimShow(Db& db, ShowId show, const std::string& node_id, DurationMs lease_ms,
                              TimeMs now_ms) {
  if (Status s = db.Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  StatusOr<ShowOwner> owner = ClaimInTransaction(db, show, node_id, lease_ms, now_ms);
  Status end = db.Exec(owner.ok() ? "COMMIT" : "ROLLBACK");
  if (owner.ok() && !end.ok()) return end;
  return owner;
}

}  // namespace boxoffice::store::sqlite
