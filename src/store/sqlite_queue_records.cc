#include "store/sqlite_queue_records.h"

#include "store/sqlite_read.h"

#include <string>
#include <utility>

namespace boxoffice::store::sqlite {

const char* const kQueueTablesMigration = R"sql(
CREATE TABLE queue_rooms(
  show_id INTEGER PRIMARY KEY,
  enabled INTEGER NOT NULL CHECK(enabled IN (0, 1)),
  prequeue_opens_at_ms INTEGER NOT NULL,
  onsale_at_ms INTEGER NOT NULL,
  admissions_per_minute INTEGER NOT NULL,
  active_shoppers_max INTEGER NOT NULL,
  session_s INTEGER NOT NULL,
  queue_everyone INTEGER NOT NULL CHECK(queue_everyone IN (0, 1)),
  seed BLOB NOT NULL CHECK(length(seed) = 32),
  owner_key BLOB NOT NULL CHECK(length(owner_key) = 16),
  updated_at_ms INTEGER NOT NULL);
CREATE TABLE queue_joins(
  show_id INTEGER NOT NULL,
  entry INTEGER NOT NULL,
  user_id TEXT NOT NULL,
  prequeue INTEGER NOT NULL CHECK(prequeue IN (0, 1)),
  joined_at_ms INTEGER NOT NULL,
  PRIMARY KEY(show_id, entry),
  UNIQUE(show_id, user_id)) WITHOUT ROWID;
CREATE TABLE queue_sessions(
  show_id INTEGER NOT NULL,
  entry INTEGER NOT NULL,
  ends_at_ms INTEGER NOT NULL,
  ended INTEGER NOT NULL CHECK(ended IN (0, 1)),
  PRIMARY KEY(show_id, entry)) WITHOUT ROWID;
CREATE TABLE queue_progress(
  show_id INTEGER PRIMARY KEY,
  now_serving INTEGER NOT NULL,
  drawn INTEGER NOT NULL CHECK(drawn IN (0, 1)),
  at_ms INTEGER NOT NULL);
PRAGMA user_version = 4;
)sql";

StatusOr<QueueTables> QueueTables::Prepare(Db& db) {
  QueueTables t;
  const StmtSql statements[] = {
      {&t.upsert_room_,
       "INSERT OR REPLACE INTO queue_rooms(show_id, enabled, prequeue_opens_at_ms, onsale_at_ms, "
       "admissions_per_minute, active_shoppers_max, session_s, queue_everyone, seed, owner_key, "
       "updated_at_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"},
      {&t.insert_join_,
       "INSERT INTO queue_joins(show_id, entry, user_id, prequeue, joined_at_ms) "
       "VALUES(?1, ?2, ?3, ?4, ?5)"},
      {&t.upsert_session_,
       "INSERT OR REPLACE INTO queue_sessions(show_id, entry, ends_at_ms, ended) "
       "VALUES(?1, ?2, ?3, ?4)"},
      {&t.upsert_progress_,
       "INSERT INTO queue_progress(show_id, now_serving, drawn, at_ms) VALUES(?1, ?2, ?3, ?4) "
       "ON CONFLICT(show_id) DO UPDATE SET now_serving = max(now_serving, excluded.now_serving), "
       "drawn = max(drawn, excluded.drawn), at_ms = max(at_ms, excluded.at_ms)"},
  };
  if (Status s = PrepareAll(db, statements); !s.ok()) return s;
  return t;
}

Status QueueTables::Put(const QueueRoomRecord& r) {
  return upsert_room_
      .Bind(r.show_id, r.enabled, r.prequeue_opens_at_ms, r.onsale_at_ms, r.admissions_per_minute,
            r.active_shoppers_max, r.session_s, r.queue_everyone, Blob{r.seed}, Blob{r.owner_key},
            r.updated_at_ms)
      .Exec();
}

Status QueueTables::Put(const QueueJoinRecord& r) {
  Status s = insert_join_.Bind(r.show_id, r.entry, r.user, r.prequeue, r.joined_at_ms).Exec();
  if (s.code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists("show " + std::to_string(r.show_id) + ": entry " +
                                 std::to_string(r.entry) + " or its fan joined already");
  }
  return s;
}

Status QueueTables::Put(const QueueSessionRecord& r) {
  return upsert_session_.Bind(r.show_id, r.entry, r.ends_at_ms, r.ended).Exec();
}

Status QueueTables::Put(const QueueProgressRecord& r) {
  return upsert_progress_.Bind(r.show_id, r.now_serving, r.drawn, r.at_ms).Exec();
}

Status ReadQueueTables(Db& db, Snapshot& snap) {
  Status s = ReadTable(db, snap.queue_rooms, "queue_rooms", rows::kRoomColumns, "show_id");
  if (s.ok()) {
    s = ReadTable(db, snap.queue_joins, "queue_joins", rows::kJoinColumns, "show_id, entry");
  }
  if (s.ok()) {
    s = ReadTable(db, snap.queue_sessions, "queue_sessions", rows::kSessionColumns,
                  "show_id, entry");
  }
  if (s.ok()) {
    s = ReadTable(db, snap.queue_progress, "queue_progress", rows::kProgressColumns, "show_id");
  }
  return s;
}

}  // namespace boxoffice::store::sqlite
