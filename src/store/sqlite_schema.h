// The SQLite schema of the store and its migrations.
//
// A store file is marked with PRAGMA application_id = kApplicationId and
// carries its schema version in PRAGMA user_version. Migration i (0-based)
// takes a file from version i to i+1 in one transaction; version 0 is a new,
// empty file, so migration 0 creates the schema. To change the schema, append
// a migration and raise kSchemaVersion; never edit a released migration.
//
// Tables (uint64 ids are stored bit for bit as INTEGER; seat lists as blobs of
// 4-byte little-endian seat indexes, see EncodeSeats; tokens as 16-byte blobs):
//   venues, shows            the latest record of each venue and show: since
//                            version 7 seat maps in the store's own form and
//                            typed settings, prices in show_prices
//                            (sqlite_catalog.h)
//   holds                    live holds only: closing a hold moves its row to
//   closed_holds             why each hold closed, its owner, token and booking,
//                            until pruned (version 5)
//   bookings                 every booking; cancelled ones are marked
//   booked_seats             (show_id, seat_index) of ACTIVE bookings, the
//                            primary key that refuses a second active booking
//   blocked_seats            (show_id, seat_index) of blocked seats
//   show_versions            each show's change counter
//   idempotency              first responses, one per (user, key); by time (version 5)
//   payments, webhook_events, hold_trail, tickets   (version 2; sqlite_payment_records.h)
//   queue_rooms, queue_joins, queue_sessions, queue_progress
//                            the waiting rooms (version 4; sqlite_queue_records.h)
//   show_sales, ticket_checkins
//                            sales states, tickets let in (version 6; sqlite_show_state_records.h)
//   show_owners              who may write each show, at which epoch
//                            (version 8; sqlite_owners.h)
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/types.h"
#include "store/sqlite_db.h"

namespace boxoffice::store::sqlite {

inline constexpr int64_t kSchemaVersion = 8;
inline constexpr int64_t kApplicationId = 0x426f7846;  // "BoxF"
inline constexpr size_t kSeatBlobBytesPerSeat = 4;

// Sets the connection's pragmas (WAL, synchronous=FULL) and brings the file to
// kSchemaVersion. Refuses a file of another application or of a newer schema
// (kFailedPrecondition) and a file that is not a database (kCorruption).
Status PrepareSchema(Db& db);

// Seat lists as stored: 4 bytes little-endian per seat, in list order.
std::string EncodeSeats(std::span<const core::SeatIndex> seats);
// kCorruption unless `blob` is a whole number of seats.
StatusOr<std::vector<core::SeatIndex>> DecodeSeats(std::string_view blob);

}  // namespace boxoffice::store::sqlite
