// OwnerTable: the show_owners table in SQLite, which fences every batch (see
// "Ownership of shows" in store.h). RecordWriter checks each show a batch
// writes here, inside the batch's transaction; SQLite's write lock, held from
// BEGIN IMMEDIATE to COMMIT, keeps a claim by another connection out
// meanwhile. Created by schema migration 7 -> 8. Internal to src/store/.
//
// Thread-safety: like Db, one thread at a time.
#pragma once

#include <string>

#include "core/status.h"
#include "store/sqlite_db.h"
#include "store/store.h"

namespace boxoffice::store::sqlite {

class OwnerTable {
 public:
  OwnerTable() = default;  // unprepared: Prepare before use
  static StatusOr<OwnerTable> Prepare(Db& db, std::string node_id);

  // Ok if this node holds `show` at `epoch`, or nobody holds it and `epoch`
  // is 1 (the node takes it); kFailedPrecondition ("fenced") otherwise.
  Status Check(ShowId show, uint64_t epoch);

 private:
  std::string node_id_;
  Stmt find_, take_;
};

// Store::ClaimShow for `node_id` at `now_ms`, in a transaction of its own.
StatusOr<ShowOwner> ClaimShow(Db& db, ShowId show, const std::string& node_id, DurationMs lease_ms,
                              TimeMs now_ms);

// Migration 7 -> 8: the show owners.
extern const char* const kOwnersMigration;

}  // namespace boxoffice::store::sqlite
