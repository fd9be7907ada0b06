// QueueTables: the waiting rooms' records in SQLite — room settings and seeds,
// joins, shopping sessions and where each line stands. RecordWriter hands
// these records here; ReadQueueTables fills their part of the Snapshot.
// Internal to src/store/. The tables are created by schema migration 3 -> 4.
//
//   QueueRoomRecord      insert, or replace the room of that show
//   QueueJoinRecord      insert; kAlreadyExists for a (show, entry) or
//                        (show, user) taken before
//   QueueSessionRecord   insert, or replace the session of that (show, entry)
//   QueueProgressRecord  insert, or replace the progress of that show; the
//                        stored now_serving never moves back
//
// Thread-safety: like Db, one thread at a time.
#pragma once

#include "core/status.h"
#include "store/sqlite_db.h"
#include "store/store.h"

namespace boxoffice::store::sqlite {

class QueueTables {
 public:
  QueueTables() = default;  // unprepared: Prepare before use
  static StatusOr<QueueTables> Prepare(Db& db);

  Status Put(const QueueRoomRecord& r);
  Status Put(const QueueJoinRecord& r);
  Status Put(const QueueSessionRecord& r);
  Status Put(const QueueProgressRecord& r);

 private:
  Stmt upsert_room_, insert_join_, upsert_session_, upsert_progress_;
};

// Reads rooms, joins, sessions and progress into `snap`.
Status ReadQueueTables(Db& db, Snapshot& snap);

// Migration 3 -> 4: the waiting rooms' tables.
extern const char* const kQueueTablesMigration;

}  // namespace boxoffice::store::sqlite
