// What the PostgreSQL store reads: the snapshot for recovery (all of it, or
// one show's part), pages of the outbox, show owners, and its consistency
// check. Each runs in a read-only REPEATABLE READ transaction of its own, so
// its queries agree with each other while writers go on. Internal to
// src/store/.
//
// Thread-safety: like Conn, one thread at a time; `c` in ordinary mode.
#pragma once

#include <optional>
#include <string>

#include "core/status.h"
#include "store/pg_conn.h"
#include "store/store.h"

namespace boxoffice::store::pg {

// Everything (no show), or one show's part as Store::LoadShow defines it
// (kNotFound if there is no such show).
StatusOr<Snapshot> ReadSnapshot(Conn& c, std::optional<ShowId> show);

// A page of the outbox, or `gone` (see ChangesQuery, ChangesPage).
StatusOr<ChangesPage> ReadChanges(Conn& c, const ChangesQuery& q);

// Store::ClaimShow on the server's clock.
StatusOr<ShowOwner> ClaimShow(Conn& c, ShowId show, const std::string& node_id,
                              DurationMs lease_ms);

// booked_seats holds exactly the seats of the active bookings; kCorruption
// names the first problem.
Status CheckConsistency(Conn& c);

}  // namespace boxoffice::store::pg
