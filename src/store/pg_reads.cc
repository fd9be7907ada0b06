#include "store/pg_reads.h"

#include <unordered_map>
#include <utility>

#include "store/record_rows.h"

namespace boxoffice::store::pg {

namespace {

// Runs `select` (for one show when `show` is set: `where` then filters by
// $1) ordered by `order`, and hands each row to `body(Row&)`.
template <typename Body>
Status EachRow(Conn& c, std::optional<ShowId> show, const char* table, std::string select,
               const char* order, Body&& body, const char* where = " WHERE show_id = $1::int8") {
  Params params;
  if (show) {
    select += where;
    params.Id(*show);
  }
  select += " ORDER BY ";
  select += order;
  StatusOr<Result> r = c.Exec(select, params);
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) {
    Row row(*r, i, table);
    body(row);
    if (!row.status().ok()) return row.status();
  }
  return Status::Ok();
}

// Appends the rows of `table` (of one show, if set) to `out` as records.
template <typename R>
Status ReadTable(Conn& c, std::optional<ShowId> show, std::vector<R>& out, const char* table,
                 const char* columns, const char* order) {
  return EachRow(c, show, table, std::string("SELECT ") + columns + " FROM " + table, order,
                 [&out](Row& row) { rows::Read(row, out.emplace_back()); });
}

Status ReadCatalog(Conn& c, std::optional<ShowId> show, Snapshot& snap) {
  Status s = EachRow(
      c, show, "venues", std::string("SELECT ") + rows::kVenueColumns + " FROM venues", "venue_id",
      [&](Row& row) { rows::Read(row, snap.venues.emplace_back()); },
      " WHERE venue_id = (SELECT venue_id FROM shows WHERE show_id = $1::int8)");
  if (s.ok()) s = ReadTable(c, show, snap.shows, "shows", rows::kShowColumns, "show_id");
  if (!s.ok()) return s;
  std::unordered_map<ShowId, size_t> index;
  for (size_t i = 0; i < snap.shows.size(); ++i) index[snap.shows[i].show_id] = i;
  return EachRow(c, show, "show_prices", "SELECT show_id, category, price_minor FROM show_prices",
                 "show_id, category", [&](Row& row) { rows::ReadPrice(row, index, snap.shows); });
}

Status ReadSeats(Conn& c, std::optional<ShowId> show, Snapshot& snap) {
  Status s = ReadTable(c, show, snap.live_holds, "holds", rows::kHoldColumns, "show_id, hold_id");
  if (s.ok()) {
    s = ReadTable(c, show, snap.closed_holds, "closed_holds", rows::kClosedHoldColumns,
                  "show_id, hold_id");
  }
  if (s.ok()) {
    s = ReadTable(c, show, snap.bookings, "bookings", rows::kBookingColumns, "show_id, booking_id");
  }
  if (s.ok()) {
    s = EachRow(c, show, "blocked_seats", "SELECT show_id, seat_index FROM blocked_seats",
                "show_id, seat_index", [&](Row& row) { rows::ReadBlocked(row, snap.blocked); });
  }
  if (s.ok()) {
    s = ReadTable(c, show, snap.versions, "show_versions", rows::kVersionColumns, "show_id");
  }
  return s;
}

// Not one show's: read only in a whole load.
Status ReadUnscoped(Conn& c, Snapshot& snap) {
  Status s = ReadTable(c, std::nullopt, snap.idempotency, "idempotency", rows::kIdempotencyColumns,
                       "created_at_ms, seq");
  if (!s.ok()) return s;
  return ReadTable(c, std::nullopt, snap.webhook_events, "webhook_events",
                   rows::kWebhookEventColumns, "event_id");
}

Status ReadPayments(Conn& c, std::optional<ShowId> show, Snapshot& snap) {
  Status s = ReadTable(c, show, snap.payments, "payments", rows::kPaymentColumns,
                       "created_at_ms, payment_id");
  if (s.ok()) s = ReadTable(c, show, snap.hold_trail, "hold_trail", rows::kTrailColumns, "seq");
  if (s.ok()) {
    s = ReadTable(c, show, snap.tickets, "tickets", rows::kTicketColumns,
                  "show_id, booking_id, place, seat_index");
  }
  if (s.ok()) {
    s = ReadTable(c, show, snap.show_sales, "show_sales", rows::kShowSalesColumns, "show_id");
  }
  if (s.ok()) {
    s = ReadTable(c, show, snap.checkins, "ticket_checkins", rows::kCheckinColumns, "at_ms, code");
  }
  return s;
}

Status ReadQueues(Conn& c, std::optional<ShowId> show, Snapshot& snap) {
  Status s = ReadTable(c, show, snap.queue_rooms, "queue_rooms", rows::kRoomColumns, "show_id");
  if (s.ok()) {
    s = ReadTable(c, show, snap.queue_joins, "queue_joins", rows::kJoinColumns, "show_id, entry");
  }
  if (s.ok()) {
    s = ReadTable(c, show, snap.queue_sessions, "queue_sessions", rows::kSessionColumns,
                  "show_id, entry");
  }
  if (s.ok()) {
    s = ReadTable(c, show, snap.queue_progress, "queue_progress", rows::kProgressColumns,
                  "show_id");
  }
  return s;
}

// Runs `body` in a read-only transaction that sees one snapshot throughout.
template <typename Body>
Status InReadTransaction(Conn& c, Body&& body) {
  if (Status s = c.Script("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !s.ok()) return s;
  Status s = body();
  if (Status end = c.Script(s.ok() ? "COMMIT" : "ROLLBACK"); s.ok()) s = end;
  return s;
}

// The first seq (or version of the show) the outbox still keeps; without
// any, the next one to come.
StatusOr<uint64_t> FirstKept(Conn& c, const ChangesQuery& q) {
  Params p;
  if (q.show_id != 0) p.Id(q.show_id);
  StatusOr<Result> r =
      q.show_id == 0
          ? c.Exec(
                "SELECT coalesce((SELECT min(seq) FROM changes), "
                "(SELECT last_seq + 1 FROM outbox_counter), 1)")
          : c.Exec(
                "SELECT coalesce((SELECT min(version) FROM changes WHERE show_id = $1::int8), "
                "(SELECT version + 1 FROM show_versions WHERE show_id = $1::int8), 1)",
                p);
  if (!r.ok()) return r.status();
  if (r->rows() != 1) return Status::Internal("the outbox's first change: no answer");
  Row row(*r, 0, "changes");
  const auto first = row.Int<uint64_t>();
  if (!row.status().ok()) return row.status();
  return first;
}

Status ReadPage(Conn& c, const ChangesQuery& q, ChangesPage& page) {
  StatusOr<uint64_t> first = FirstKept(c, q);
  if (!first.ok()) return first.status();
  const uint64_t after = q.show_id == 0 ? q.after_seq : q.after_version;
  if (after + 1 < *first) {
    page.gone = true;
    page.resume_after = *first - 1;
    return Status::Ok();
  }
  Params p;
  p.Id(after).Int8(static_cast<int64_t>(q.limit));
  if (q.show_id != 0) p.Id(q.show_id);
  const std::string columns = std::string("SELECT ") + rows::kChangeColumns + " FROM changes ";
  StatusOr<Result> r =
      c.Exec(columns + (q.show_id == 0 ? "WHERE seq > $1::int8 ORDER BY seq LIMIT $2::int8"
                                       : "WHERE show_id = $3::int8 AND version > $1::int8 "
                                         "ORDER BY version LIMIT $2::int8"),
             p);
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) {
    Row row(*r, i, "changes");
    rows::Read(row, page.changes.emplace_back());
    if (!row.status().ok()) return row.status();
  }
  return Status::Ok();
}

ShowOwner OwnerOf(Row& row) {
  return ShowOwner{.show_id = row.Int<ShowId>(),
                   .node_id = row.Bytes(),
                   .epoch = row.Int<uint64_t>(),
                   .lease_expires_at_ms = row.MsOrZero()};
}

}  // namespace

StatusOr<Snapshot> ReadSnapshot(Conn& c, std::optional<ShowId> show) {
  Snapshot snap;
  Status s = InReadTransaction(c, [&] {
    Status st = ReadCatalog(c, show, snap);
    if (st.ok() && show && snap.shows.empty()) {
      st = Status::NotFound("show " + std::to_string(*show) + ": no such show");
    }
    if (st.ok()) st = ReadSeats(c, show, snap);
    if (st.ok() && !show) st = ReadUnscoped(c, snap);
    if (st.ok()) st = ReadPayments(c, show, snap);
    if (st.ok()) st = ReadQueues(c, show, snap);
    return st;
  });
  if (!s.ok()) return s;
  return snap;
}

StatusOr<ChangesPage> ReadChanges(Conn& c, const ChangesQuery& q) {
  ChangesPage page;
  Status s = InReadTransaction(c, [&] { return ReadPage(c, q, page); });
  if (!s.ok()) return s;
  return page;
}

StatusOr<ShowOwner> ClaimShow(Conn& c, ShowId show, const std::string& node_id,
                              DurationMs lease_ms) {
  Params p;
  p.Id(show).Bytes(node_id).Int8(lease_ms);
  StatusOr<Result> r = c.Exec(
      "INSERT INTO show_owners(show_id, node_id, epoch, lease_expires_at) "
      "VALUES ($1::int8, $2::text, 1, CASE WHEN $3::int8 > 0 "
      "THEN statement_timestamp() + $3::int8 * interval '1 millisecond' END) "
      "ON CONFLICT (show_id) DO UPDATE SET epoch = CASE WHEN show_owners.node_id = "
      "excluded.node_id THEN show_owners.epoch ELSE show_owners.epoch + 1 END, "
      "node_id = excluded.node_id, lease_expires_at = excluded.lease_expires_at "
      "WHERE show_owners.node_id = excluded.node_id "
      "OR show_owners.lease_expires_at < statement_timestamp() "
      "RETURNING show_id, node_id, epoch, lease_expires_at",
      p);
  if (!r.ok()) return r.status();
  if (r->rows() == 1) {
    Row row(*r, 0, "show_owners");
    ShowOwner owner = OwnerOf(row);
    if (!row.status().ok()) return row.status();
    return owner;
  }
  Params which;
  which.Id(show);
  StatusOr<Result> held = c.Exec(
      "SELECT show_id, node_id, epoch, lease_expires_at FROM show_owners WHERE show_id = $1::int8",
      which);
  if (!held.ok()) return held.status();
  if (held->rows() != 1) return Status::Unavailable("the show's owner changed meanwhile");
  Row row(*held, 0, "show_owners");
  const ShowOwner owner = OwnerOf(row);
  if (!row.status().ok()) return row.status();
  return Status::FailedPrecondition("show " + std::to_string(show) + " is held by node " +
                                    owner.node_id + " at epoch " + std::to_string(owner.epoch));
}

Status CheckConsistency(Conn& c) {
  constexpr std::pair<const char*, const char*> kChecks[] = {
      {"SELECT count(*) FROM booked_seats AS s LEFT JOIN bookings AS b "
       "ON b.show_id = s.show_id AND b.booking_id = s.booking_id AND NOT b.cancelled "
       "WHERE b.booking_id IS NULL",
       "booked seats without an active booking"},
      {"SELECT (SELECT coalesce(sum(cardinality(seats)), 0) FROM bookings WHERE NOT cancelled) - "
       "(SELECT count(*) FROM booked_seats)",
       "seats of active bookings missing from booked_seats"},
  };
  return InReadTransaction(c, [&]() -> Status {
    for (const auto& [sql, what] : kChecks) {
      StatusOr<Result> r = c.Exec(sql);
      if (!r.ok()) return r.status();
      Row row(*r, 0, "consistency");
      const auto bad = row.Int<int64_t>();
      if (!row.status().ok()) return row.status();
      if (bad != 0) return Status::Corruption(std::to_string(bad) + " " + what);
    }
    return Status::Ok();
  });
}

}  // namespace boxoffice::store::pg
