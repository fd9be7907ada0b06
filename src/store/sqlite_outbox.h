// The outbox in SQLite: a `changes` table with every change of every show, a
// global sequence (its rowid) and the show's own version. RecordWriter hands
// ChangeRecords here, and HistoryPruned to forget old ones; ReadChanges reads
// them back in order. Created by schema migration 2 -> 3. Internal to
// src/store/.
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
  // Deletes the changes made before r.changes_before_ms, in seq order: up to
  // the first younger one (the cost is a scan of the rows deleted only).
  Status Prune(const HistoryPruned& r);

 private:
  Stmt insert_change_, prune_changes_;
};

// A page of changes after the query's position, or `gone` if the changes
// right after it are no longer kept (seqs and each show's versions are
// dense from 1, so the first kept one tells).
StatusOr<ChangesPage> ReadChanges(Db& db, const ChangesQuery& q);

// Migration 2 -> 3: the outbox.
extern const char* const kOutboxMigration;

}  // namespace boxoffice::store::sqlite
