// The PostgreSQL schema of the store and its migrations.
//
// Everything lives in the schema (namespace) `boxoffice` of the database
// named by the URL, which every connection puts first on its search path;
// the table boxoffice_schema holds the version. Migration i (0-based) takes
// the schema from version i to i+1; all of them run in one transaction under
// an advisory lock, so nodes starting together migrate once. A database of
// a newer version is refused. To change the schema, append a migration and
// raise kPgSchemaVersion; never edit a released migration.
//
// Tables, typed (ids int8 bit for bit, uint32 counts int8, seat lists int4[],
// tokens and keys bytea, times in ms since the epoch as int8, text keys that
// order a load in the "C" collation, byte by byte as in SQLite):
//   venues (seat map in the store's own form, seat_map_codec.h), shows,
//   show_prices, show_owners (fencing: node, epoch, lease on the server's
//   clock), holds (live only), closed_holds (why each hold closed, whose,
//   its token and booking, until pruned; version 2), bookings, booked_seats
//   (primary key (show_id, seat_index): the last line of defence against
//   selling a seat twice), blocked_seats, show_versions, idempotency (one
//   per (user, key), by time), payments, webhook_events, hold_trail,
//   tickets, show_sales and ticket_checkins (version 2), queue_rooms,
//   queue_joins, queue_sessions, queue_progress, changes (the outbox: seq
//   dense and in commit order, from outbox_counter), store_writers (each
//   writer's last transaction, read back after a lost connection).
// Functions raise the store's own SQLSTATEs: boxoffice_fence (BX409, fenced),
// boxoffice_expect (BX404, a hold that is not live), boxoffice_cancel (BX404,
// BX412).
#pragma once

#include <cstdint>

#include "core/status.h"
#include "store/pg_conn.h"

namespace boxoffice::store::pg {

inline constexpr int64_t kPgSchemaVersion = 2;
inline constexpr const char* kPgSchemaName = "boxoffice";

// Brings the database to kPgSchemaVersion. kFailedPrecondition for a newer
// one. `c` must be in ordinary mode, outside a transaction.
Status PrepareSchema(Conn& c);

}  // namespace boxoffice::store::pg
