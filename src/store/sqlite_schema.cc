#include "store/sqlite_schema.h"

#include "store/sqlite_catalog.h"
#include "store/sqlite_outbox.h"
#include "store/sqlite_owners.h"
#include "store/sqlite_payment_records.h"
#include "store/sqlite_queue_records.h"
#include "store/sqlite_show_state_records.h"

#include <array>
#include <string>

namespace boxoffice::store::sqlite {

namespace {

// kMigrations[i] takes the schema from version i to i+1 and sets user_version:
// its SQL, then, if the change needs code, its conversion.
struct Migration {
  const char* sql;
  Status (*convert)(Db& db) = nullptr;
};
const std::array<Migration, kSchemaVersion> kMigrations = {{
    // 0 -> 1: the first schema.
    {R"sql(
CREATE TABLE venues(
  venue_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  seat_map_json TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL);
CREATE TABLE shows(
  show_id INTEGER PRIMARY KEY,
  venue_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  settings_json TEXT NOT NULL,
  starts_at_ms INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL);
CREATE TABLE holds(
  show_id INTEGER NOT NULL,
  hold_id INTEGER NOT NULL,
  owner TEXT NOT NULL,
  token BLOB NOT NULL CHECK(length(token) = 16),
  seats BLOB NOT NULL,
  ga_area INTEGER NOT NULL,
  ga_quantity INTEGER NOT NULL,
  total_minor INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  PRIMARY KEY(show_id, hold_id)) WITHOUT ROWID;
CREATE TABLE bookings(
  show_id INTEGER NOT NULL,
  booking_id INTEGER NOT NULL,
  hold_id INTEGER NOT NULL,
  owner TEXT NOT NULL,
  seats BLOB NOT NULL,
  ga_area INTEGER NOT NULL,
  ga_quantity INTEGER NOT NULL,
  total_minor INTEGER NOT NULL,
  payment_ref TEXT NOT NULL,
  booked_at_ms INTEGER NOT NULL,
  cancelled INTEGER NOT NULL CHECK(cancelled IN (0, 1)),
  cancelled_at_ms INTEGER NOT NULL,
  PRIMARY KEY(show_id, booking_id)) WITHOUT ROWID;
CREATE TABLE booked_seats(
  show_id INTEGER NOT NULL,
  seat_index INTEGER NOT NULL,
  booking_id INTEGER NOT NULL,
  PRIMARY KEY(show_id, seat_index)) WITHOUT ROWID;
CREATE TABLE blocked_seats(
  show_id INTEGER NOT NULL,
  seat_index INTEGER NOT NULL,
  PRIMARY KEY(show_id, seat_index)) WITHOUT ROWID;
CREATE TABLE show_versions(
  show_id INTEGER PRIMARY KEY,
  version INTEGER NOT NULL);
CREATE TABLE idempotency(
  user_id TEXT NOT NULL,
  idem_key TEXT NOT NULL,
  request_hash BLOB NOT NULL,
  status INTEGER NOT NULL,
  response_body BLOB NOT NULL,
  response_headers BLOB NOT NULL,
  created_at_ms INTEGER NOT NULL,
  UNIQUE(user_id, idem_key));
PRAGMA application_id = 1114601542;
PRAGMA user_version = 1;
)sql"},
    // 1 -> 2: payments, webhook event ids, the hold trail, tickets.
    {kPaymentTablesMigration},
    // 2 -> 3: the outbox of every change.
    {kOutboxMigration},
    // 3 -> 4: the waiting rooms.
    {kQueueTablesMigration},
    // 4 -> 5: closed holds kept until pruned, so a restart remembers them;
    // idempotency records pruned by time, exactly those before the bound;
    // payments may be cancelled (state 5).
    {R"sql(
CREATE TABLE closed_holds(
  show_id INTEGER NOT NULL,
  hold_id INTEGER NOT NULL,
  owner TEXT NOT NULL,
  token BLOB NOT NULL CHECK(length(token) = 16),
  why INTEGER NOT NULL CHECK(why IN (1, 2, 3)),
  booking_id INTEGER NOT NULL,
  closed_at_ms INTEGER NOT NULL,
  PRIMARY KEY(show_id, hold_id)) WITHOUT ROWID;
CREATE INDEX closed_holds_by_time ON closed_holds(closed_at_ms);
CREATE INDEX idempotency_by_time ON idempotency(created_at_ms);
CREATE TABLE payments_v5(
  payment_id TEXT PRIMARY KEY,
  show_id INTEGER NOT NULL,
  hold_id INTEGER NOT NULL,
  owner TEXT NOT NULL,
  seats BLOB NOT NULL,
  ga_area INTEGER NOT NULL,
  ga_quantity INTEGER NOT NULL,
  amount_minor INTEGER NOT NULL,
  currency TEXT NOT NULL,
  pay_url TEXT NOT NULL,
  state INTEGER NOT NULL CHECK(state BETWEEN 0 AND 5),
  booking_id INTEGER NOT NULL,
  refund_id TEXT NOT NULL,
  note TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO payments_v5 SELECT * FROM payments;
DROP TABLE payments;
ALTER TABLE payments_v5 RENAME TO payments;
PRAGMA user_version = 5;
)sql"},
    // 5 -> 6: sales states and check-ins.
    {kShowStateTablesMigration},
    // 6 -> 7: typed show settings, seat maps in the store's own form.
    {kCatalogMigration, ConvertApiSeatMaps},
    // 7 -> 8: the show owners, which fence every batch.
    {kOwnersMigration},
}};
static_assert(kApplicationId == 1114601542, "keep migration 0 in step with kApplicationId");

Status SetPragmas(Db& db) {
  // A file that is not a database fails here, on its first read.
  StatusOr<std::string> mode = db.QueryText("PRAGMA journal_mode=WAL");
  if (!mode.ok()) {
    // A damaged header reads as a plain SQL error ("unsupported file format").
    const StatusCode c = mode.status().code();
    if (c != StatusCode::kInternal && c != StatusCode::kInvalidArgument) return mode.status();
    return Status::Corruption(db.path() + ": not a readable database: " + mode.status().message());
  }
  if (*mode != "wal") {
    return Status::IoError(db.path() + ": cannot use write-ahead logging (journal mode " + *mode +
                           ")");
  }
  // FULL: the WAL is fsync'd at every commit, before Submit's callbacks run.
  return db.Exec(
      "PRAGMA synchronous=FULL;"
      "PRAGMA foreign_keys=OFF;"  // references are kept by the domain core
      "PRAGMA journal_size_limit=67108864;");
}

Status CheckOwnership(Db& db, int64_t application_id, int64_t version) {
  if (application_id == kApplicationId) {
    if (version < 0) {  // only a damaged header holds a negative version
      return Status::Corruption(db.path() + ": schema version " + std::to_string(version) +
                                " is not one Boxoffice writes");
    }
    if (version > kSchemaVersion) {
      return Status::FailedPrecondition(db.path() + ": written by a newer Boxoffice (schema " +
                                        std::to_string(version) + ", this build reads up to " +
                                        std::to_string(kSchemaVersion) + ")");
    }
    return Status::Ok();
  }
  StatusOr<int64_t> objects = db.QueryInt("SELECT count(*) FROM sqlite_master");
  if (!objects.ok()) return objects.status();
  if (application_id != 0 || version != 0 || *objects != 0) {
    return Status::FailedPrecondition(db.path() + ": not a Boxoffice store (application id " +
                                      std::to_string(application_id) + ")");
  }
  return Status::Ok();  // a new, empty file
}

Status MigrateInTransaction(Db& db) {
  StatusOr<int64_t> application_id = db.QueryInt("PRAGMA application_id");
  if (!application_id.ok()) return application_id.status();
  StatusOr<int64_t> version = db.QueryInt("PRAGMA user_version");
  if (!version.ok()) return version.status();
  if (Status s = CheckOwnership(db, *application_id, *version); !s.ok()) return s;
  for (int64_t v = *version; v < kSchemaVersion; ++v) {
    const Migration& m = kMigrations[static_cast<size_t>(v)];
    if (Status s = db.Exec(m.sql); !s.ok()) return s;
    if (m.convert == nullptr) continue;
    if (Status s = m.convert(db); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace

Status PrepareSchema(Db& db) {
  if (Status s = SetPragmas(db); !s.ok()) return s;
  // One transaction, so two processes opening a new file cannot both migrate.
  if (Status s = db.Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  Status s = MigrateInTransaction(db);
  if (s.ok()) s = db.Exec("COMMIT");
  if (!s.ok() && db.in_transaction()) (void)db.Exec("ROLLBACK");
  return s;
}

std::string EncodeSeats(std::span<const core::SeatIndex> seats) {
  std::string blob(seats.size() * kSeatBlobBytesPerSeat, '\0');
  for (size_t i = 0; i < seats.size(); ++i) {
    for (size_t b = 0; b < kSeatBlobBytesPerSeat; ++b) {
      blob[i * kSeatBlobBytesPerSeat + b] = static_cast<char>((seats[i] >> (8 * b)) & 0xff);
    }
  }
  return blob;
}

StatusOr<std::vector<core::SeatIndex>> DecodeSeats(std::string_view blob) {
  if (blob.size() % kSeatBlobBytesPerSeat != 0) {
    return Status::Corruption("a seat list of " + std::to_string(blob.size()) +
                              " bytes is not a whole number of seats");
  }
  std::vector<core::SeatIndex> seats(blob.size() / kSeatBlobBytesPerSeat);
  for (size_t i = 0; i < seats.size(); ++i) {
    core::SeatIndex seat = 0;
    for (size_t b = 0; b < kSeatBlobBytesPerSeat; ++b) {
      auto byte = static_cast<uint8_t>(blob[i * kSeatBlobBytesPerSeat + b]);
      seat |= static_cast<core::SeatIndex>(byte) << (8 * b);
    }
    seats[i] = seat;
  }
  return seats;
}

}  // namespace boxoffice::store::sqlite
