// The outbox in SQLite: a `changes` table with every change of every show, a
// global sequence (its rowid) and the show's own version. RecordWriter hands
// ChangeRecords here; ReadChanges reads them back in order. Created by schema
// migration 2 -> 3. Internal to src/store/.
//
// Thread-safety: like Db, one thread at a time.
#pragma once

#include <vector>

#include "core/status.h"
#include "store/sqlite_db.h"
#include "store/store.h"

namespace boxoffice::store::sqlite {

class OutboxTable {
 public:
  OutboxTable() = default;  // unprepared: Prepare before use
  static StatusOr<OutboxTable> Prepare(Db& db);
  // Appends; kAlreadyExists for a (show, version) already there.
  Status Put(const ChangeRecord& r);

 private:
  Stmt insert_change_;
};

StatusOr<std::vector<ChangeRecord>> ReadChanges(Db& db, const ChangesQuery& q);

// Migration 2 -> 3: the outbox.
extern const char* const kOutboxMigration;

}  // namespace boxoffice::store::sqlite
