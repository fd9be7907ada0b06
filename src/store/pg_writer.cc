#include "store/pg_writer.h"

#include <algorithm>
#include <initializer_list>
#include <map>
#include <utility>

#include "store/seat_map_codec.h"

namespace boxoffice::store::pg {

namespace {

// ---- The statements ------------------------------------------------------------------

enum class Stmt : uint8_t {
  kFence,
  kPrune,
  kVenues,
  kShows,
  kPricesClear,
  kPrices,
  kHolds,
  kHoldExtend,
  kMain,
  kCancel,
  kBlock,
  kUnblock,
  kIdempotency,
  kPayments,
  kWebhookEvents,
  kRooms,
  kJoins,
  kSessions,
  kProgress,
  kShowSales,
  kCheckins,
};

struct StmtSql {
  const char* name;
  const char* sql;
};

// In the order of Stmt.
constexpr StmtSql kStatements[] = {
    {"w_fence", "SELECT boxoffice_fence($1::int8[], $2::int8[], $3::text)"},
    {"w_prune",
     "WITH a AS (DELETE FROM webhook_events WHERE received_at_ms < $1::int8), "
     "b AS (DELETE FROM hold_trail WHERE at_ms < $2::int8), "
     "c AS (DELETE FROM idempotency WHERE created_at_ms < $3::int8), "
     "d AS (DELETE FROM changes WHERE seq < coalesce((SELECT seq FROM changes "
     "WHERE at_ms >= $4::int8 ORDER BY seq LIMIT 1), (SELECT max(seq) + 1 FROM changes))), "
     "e AS (DELETE FROM closed_holds WHERE closed_at_ms < $5::int8) "
     "SELECT 1"},
    {"w_venues",
     "INSERT INTO venues(venue_id, name, seat_map, created_at_ms) "
     "SELECT * FROM unnest($1::int8[], $2::text[], $3::bytea[], $4::int8[]) "
     "ON CONFLICT (venue_id) DO UPDATE SET name = excluded.name, seat_map = excluded.seat_map, "
     "created_at_ms = excluded.created_at_ms"},
    {"w_shows",
     "INSERT INTO shows(show_id, venue_id, name, starts_at_ms, on_sale_at_ms, currency, "
     "hold_ttl_s, seats_per_order_max, seats_per_fan_max, created_at_ms) "
     "SELECT * FROM unnest($1::int8[], $2::int8[], $3::text[], $4::int8[], $5::int8[], "
     "$6::text[], $7::int8[], $8::int8[], $9::int8[], $10::int8[]) "
     "ON CONFLICT (show_id) DO UPDATE SET venue_id = excluded.venue_id, name = excluded.name, "
     "starts_at_ms = excluded.starts_at_ms, on_sale_at_ms = excluded.on_sale_at_ms, "
     "currency = excluded.currency, hold_ttl_s = excluded.hold_ttl_s, "
     "seats_per_order_max = excluded.seats_per_order_max, "
     "seats_per_fan_max = excluded.seats_per_fan_max, created_at_ms = excluded.created_at_ms"},
    {"w_prices_clear", "DELETE FROM show_prices WHERE show_id = ANY ($1::int8[])"},
    {"w_prices",
     "INSERT INTO show_prices(show_id, category, price_minor) "
     "SELECT * FROM unnest($1::int8[], $2::text[], $3::int8[])"},
    {"w_holds",
     "INSERT INTO holds(show_id, hold_id, owner, token, seats, ga_area, ga_quantity, "
     "total_minor, created_at_ms, expires_at_ms) "
     "SELECT s, h, o, t, seats::int4[], a, q, m, c, e FROM unnest($1::int8[], $2::int8[], "
     "$3::text[], $4::bytea[], $5::text[], $6::int4[], $7::int8[], $8::int8[], $9::int8[], "
     "$10::int8[]) AS u(s, h, o, t, seats, a, q, m, c, e)"},
    {"w_hold_extend",
     "WITH u AS (UPDATE holds h SET expires_at_ms = t.e, created_at_ms = t.c "
     "FROM unnest($1::int8[], $2::int8[], $3::int8[], $4::int8[]) AS t(s, id, e, c) "
     "WHERE h.show_id = t.s AND h.hold_id = t.id RETURNING 1) "
     "SELECT boxoffice_expect((SELECT count(*) FROM u), $5::int8, 'BX404', "
     "'cannot extend holds that are not live')"},
    // Everything a confirmation writes, and the transaction's mark, in one
    // statement: holds closed (each must be live) and moved to closed_holds
    // with why and their booking, bookings and the seats they claim, the
    // hold trail, tickets, outbox changes, show versions, and this
    // transaction's id in the writer's row. Outbox seqs come from
    // outbox_counter, whose row lock is held to COMMIT: dense, and in commit
    // order even with several writers.
    {"w_main",
     "WITH d AS (DELETE FROM holds h USING unnest($1::int8[], $2::int8[]) AS t(s, id) "
     "WHERE h.show_id = t.s AND h.hold_id = t.id RETURNING h.show_id, h.hold_id, h.owner, "
     "h.token), "
     "cl AS (INSERT INTO closed_holds(show_id, hold_id, owner, token, why, booking_id, "
     "closed_at_ms) SELECT d.show_id, d.hold_id, d.owner, d.token, t.w, t.b, t.a FROM d "
     "JOIN unnest($45::int8[], $46::int8[], $47::int4[], $48::int8[], $49::int8[]) "
     "AS t(s, id, w, b, a) ON d.show_id = t.s AND d.hold_id = t.id "
     "ON CONFLICT (show_id, hold_id) DO UPDATE SET owner = excluded.owner, "
     "token = excluded.token, why = excluded.why, booking_id = excluded.booking_id, "
     "closed_at_ms = excluded.closed_at_ms), "
     "b AS (INSERT INTO bookings(show_id, booking_id, hold_id, owner, seats, ga_area, "
     "ga_quantity, total_minor, payment_ref, booked_at_ms, cancelled, cancelled_at_ms) "
     "SELECT s, b, h, o, seats::int4[], a, q, m, p, t, c, ct FROM unnest($4::int8[], "
     "$5::int8[], $6::int8[], $7::text[], $8::text[], $9::int4[], $10::int8[], $11::int8[], "
     "$12::text[], $13::int8[], $14::bool[], $15::int8[]) "
     "AS u(s, b, h, o, seats, a, q, m, p, t, c, ct)), "
     "c AS (INSERT INTO booked_seats(show_id, seat_index, booking_id) "
     "SELECT * FROM unnest($16::int8[], $17::int4[], $18::int8[])), "
     "tr AS (INSERT INTO hold_trail(show_id, hold_id, kind, at_ms, reason) SELECT s, h, k, a, r "
     "FROM unnest($19::int8[], $20::int8[], $21::int4[], $22::int8[], $23::text[]) "
     "WITH ORDINALITY AS t(s, h, k, a, r, ord) ORDER BY ord), "
     "tk AS (INSERT INTO tickets(code, show_id, booking_id, seat_index, place, issued_at_ms) "
     "SELECT * FROM unnest($24::text[], $25::int8[], $26::int8[], $27::int8[], $28::int8[], "
     "$29::int8[])), "
     "n AS (UPDATE outbox_counter SET last_seq = last_seq + $40::int8 WHERE $40::int8 > 0 "
     "RETURNING last_seq - $40::int8 AS base), "
     "ch AS (INSERT INTO changes(seq, show_id, version, at_ms, reason, state, hold_id, "
     "booking_id, seats, ga_area, ga_quantity) SELECT n.base + t.ord, t.s, t.v, t.a, t.r, t.st, "
     "t.h, t.b, t.seats::int4[], t.ga, t.q FROM n, unnest($30::int8[], $31::int8[], $32::int8[], "
     "$33::int4[], $34::int4[], $35::int8[], $36::int8[], $37::text[], $38::int4[], $39::int8[]) "
     "WITH ORDINALITY AS t(s, v, a, r, st, h, b, seats, ga, q, ord) ORDER BY t.ord), "
     "v AS (INSERT INTO show_versions(show_id, version) "
     "SELECT * FROM unnest($41::int8[], $42::int8[]) "
     "ON CONFLICT (show_id) DO UPDATE SET version = excluded.version), "
     "w AS (INSERT INTO store_writers(writer_id, last_txn) VALUES ($43::text, $44::int8) "
     "ON CONFLICT (writer_id) DO UPDATE SET last_txn = excluded.last_txn) "
     "SELECT boxoffice_expect((SELECT count(*) FROM d), $3::int8, 'BX404', "
     "'cannot close holds that are not live')"},
    {"w_cancel", "SELECT boxoffice_cancel($1::int8[], $2::int8[], $3::int8[])"},
    {"w_block",
     "INSERT INTO blocked_seats(show_id, seat_index) "
     "SELECT * FROM unnest($1::int8[], $2::int4[]) ON CONFLICT DO NOTHING"},
    {"w_unblock",
     "DELETE FROM blocked_seats b USING unnest($1::int8[], $2::int4[]) AS t(s, seat) "
     "WHERE b.show_id = t.s AND b.seat_index = t.seat"},
    {"w_idempotency",
     "INSERT INTO idempotency(user_id, idem_key, request_hash, status, response_body, "
     "response_headers, created_at_ms) SELECT u, k, h, st, b, hd, c FROM unnest($1::text[], "
     "$2::text[], $3::bytea[], $4::int4[], $5::bytea[], $6::bytea[], $7::int8[]) "
     "WITH ORDINALITY AS t(u, k, h, st, b, hd, c, ord) ORDER BY ord "
     "ON CONFLICT (user_id, idem_key) DO UPDATE SET request_hash = excluded.request_hash, "
     "status = excluded.status, response_body = excluded.response_body, "
     "response_headers = excluded.response_headers, created_at_ms = excluded.created_at_ms"},
    {"w_payments",
     "INSERT INTO payments(payment_id, show_id, hold_id, owner, seats, ga_area, ga_quantity, "
     "amount_minor, currency, pay_url, state, booking_id, refund_id, note, created_at_ms, "
     "updated_at_ms) SELECT p, s, h, o, seats::int4[], a, q, m, cur, url, st, b, r, n, c, up "
     "FROM unnest($1::text[], $2::int8[], $3::int8[], $4::text[], $5::text[], $6::int4[], "
     "$7::int8[], $8::int8[], $9::text[], $10::text[], $11::int4[], $12::int8[], $13::text[], "
     "$14::text[], $15::int8[], $16::int8[]) "
     "AS t(p, s, h, o, seats, a, q, m, cur, url, st, b, r, n, c, up) "
     "ON CONFLICT (payment_id) DO UPDATE SET state = excluded.state, "
     "booking_id = excluded.booking_id, refund_id = excluded.refund_id, note = excluded.note, "
     "updated_at_ms = excluded.updated_at_ms"},
    {"w_webhook_events",
     "INSERT INTO webhook_events(event_id, received_at_ms) "
     "SELECT * FROM unnest($1::text[], $2::int8[]) "
     "ON CONFLICT (event_id) DO UPDATE SET received_at_ms = excluded.received_at_ms"},
    {"w_rooms",
     "INSERT INTO queue_rooms(show_id, enabled, prequeue_opens_at_ms, onsale_at_ms, "
     "admissions_per_minute, active_shoppers_max, session_s, queue_everyone, seed, owner_key, "
     "updated_at_ms) SELECT * FROM unnest($1::int8[], $2::bool[], $3::int8[], $4::int8[], "
     "$5::int8[], $6::int8[], $7::int8[], $8::bool[], $9::bytea[], $10::bytea[], $11::int8[]) "
     "ON CONFLICT (show_id) DO UPDATE SET enabled = excluded.enabled, "
     "prequeue_opens_at_ms = excluded.prequeue_opens_at_ms, onsale_at_ms = excluded.onsale_at_ms, "
     "admissions_per_minute = excluded.admissions_per_minute, "
     "active_shoppers_max = excluded.active_shoppers_max, session_s = excluded.session_s, "
     "queue_everyone = excluded.queue_everyone, seed = excluded.seed, "
     "owner_key = excluded.owner_key, updated_at_ms = excluded.updated_at_ms"},
    {"w_joins",
     "INSERT INTO queue_joins(show_id, entry, user_id, prequeue, joined_at_ms) "
     "SELECT * FROM unnest($1::int8[], $2::int8[], $3::text[], $4::bool[], $5::int8[])"},
    {"w_sessions",
     "INSERT INTO queue_sessions(show_id, entry, ends_at_ms, ended) "
     "SELECT * FROM unnest($1::int8[], $2::int8[], $3::int8[], $4::bool[]) "
     "ON CONFLICT (show_id, entry) DO UPDATE SET ends_at_ms = excluded.ends_at_ms, "
     "ended = excluded.ended"},
    {"w_progress",
     "INSERT INTO queue_progress(show_id, now_serving, drawn, at_ms) "
     "SELECT * FROM unnest($1::int8[], $2::int8[], $3::bool[], $4::int8[]) "
     "ON CONFLICT (show_id) DO UPDATE SET "
     "now_serving = greatest(queue_progress.now_serving, excluded.now_serving), "
     "drawn = queue_progress.drawn OR excluded.drawn, "
     "at_ms = greatest(queue_progress.at_ms, excluded.at_ms)"},
    {"w_show_sales",
     "INSERT INTO show_sales(show_id, state, at_ms) "
     "SELECT * FROM unnest($1::int8[], $2::int4[], $3::int8[]) "
     "ON CONFLICT (show_id) DO UPDATE SET state = excluded.state, at_ms = excluded.at_ms"},
    {"w_checkins",
     "INSERT INTO ticket_checkins(code, show_id, at_ms) "
     "SELECT * FROM unnest($1::text[], $2::int8[], $3::int8[])"},
};

static_assert(std::size(kStatements) == static_cast<size_t>(Stmt::kCheckins) + 1);

const char* NameOf(Stmt s) { return kStatements[static_cast<size_t>(s)].name; }

// ---- Rows: the columns of one statement, as arrays ----------------------------------------

// Values go to the columns in turn, a row at a time.
class Rows {
 public:
  Rows(std::initializer_list<Type> columns) {
    for (Type t : columns) columns_.emplace_back(t);
  }
  Rows& Id(uint64_t v) {
    return Put([&](Array& a) { a.Int8(static_cast<int64_t>(v)); });
  }
  Rows& I8(int64_t v) {
    return Put([&](Array& a) { a.Int8(v); });
  }
  Rows& I4(int64_t v) {
    return Put([&](Array& a) { a.Int4(static_cast<int32_t>(v)); });
  }
  Rows& Flag(bool v) {
    return Put([&](Array& a) { a.Bool(v); });
  }
  Rows& Text(std::string_view v) {
    return Put([&](Array& a) { a.Bytes(v); });
  }
  Rows& Seats(std::span<const SeatIndex> v) {
    return Put([&](Array& a) { a.IntsAsText(v); });
  }
  size_t rows() const { return columns_.empty() ? 0 : columns_.back().size(); }
  // Appends the columns to `p`, one array parameter each.
  void AddTo(Params& p) const {
    BOX_ASSERT(next_ == 0);  // whole rows only
    for (const Array& a : columns_) p.Add(a);
  }

 private:
  template <typename F>
  Rows& Put(F&& put) {
    put(columns_[next_]);
    next_ = (next_ + 1) % columns_.size();
    return *this;
  }
  std::vector<Array> columns_;
  size_t next_ = 0;
};

constexpr Type I8 = Type::kInt8;
constexpr Type I4 = Type::kInt4;
constexpr Type Txt = Type::kText;
constexpr Type Byt = Type::kBytea;
constexpr Type Bool = Type::kBool;

// ---- Gathered: the records of some batches, by what they do --------------------------------

struct HoldKey {
  ShowId show;
  HoldId hold;
  friend auto operator<=>(const HoldKey&, const HoldKey&) = default;
};

struct Gathered {
  std::vector<ShowFence> fences;
  HistoryPruned prune;
  bool pruned = false;
  std::map<uint64_t, const VenueRecord*> venues;  // the last record of each id
  std::map<ShowId, const ShowRecord*> shows;
  std::vector<const HoldRecord*> holds;
  std::map<HoldKey, const HoldExtended*> extends;  // the last of each hold
  std::vector<const HoldClosed*> closes;           // every one: each must find a live hold
  std::map<HoldKey, const HoldClosed*> closed;     // the last of each hold: closed_holds
  std::vector<const BookingRecord*> bookings;
  std::vector<const BookingCancelled*> cancels;
  std::map<std::pair<ShowId, SeatIndex>, bool> blocked;  // the last word on each seat
  // The last record of each (user, key), in the order of their first.
  std::vector<const IdempotencyRecord*> idempotency;
  std::map<std::pair<std::string, std::string>, size_t> idempotency_at;
  std::map<std::string, const PaymentRecord*> payments;
  std::map<std::string, const WebhookEventRecord*> webhook_events;  // the last of each id
  std::vector<const HoldTrailRecord*> trail;
  std::vector<const TicketRecord*> tickets;
  std::map<ShowId, const QueueRoomRecord*> rooms;
  std::vector<const QueueJoinRecord*> joins;
  std::map<HoldKey, const QueueSessionRecord*> sessions;
  std::map<ShowId, QueueProgressRecord> progress;  // merged: never backwards
  std::map<ShowId, const ShowSalesRecord*> sales;
  std::vector<const TicketCheckinRecord*> checkins;
  std::vector<const ChangeRecord*> changes;
  std::map<ShowId, Version> versions;  // the highest of each show

  void Add(const Batch& b);
  void Fence(ShowFence f) {
    if (std::find(fences.begin(), fences.end(), f) == fences.end()) fences.push_back(f);
  }
  void Put(const VenueRecord& r) { venues[r.venue_id] = &r; }
  void Put(const ShowRecord& r) { shows[r.show_id] = &r; }
  void Put(const HoldRecord& r) { holds.push_back(&r); }
  void Put(const HoldExtended& r) { extends[{r.show_id, r.hold_id}] = &r; }
  void Put(const HoldClosed& r) {
    closes.push_back(&r);
    closed[{r.show_id, r.hold_id}] = &r;
  }
  void Put(const BookingRecord& r) { bookings.push_back(&r); }
  void Put(const BookingCancelled& r) { cancels.push_back(&r); }
  void Put(const SeatsBlocked& r) {
    for (SeatIndex seat : r.seats) blocked[{r.show_id, seat}] = r.blocked;
  }
  void Put(const ShowVersion& r) {
    Version& v = versions[r.show_id];
    v = std::max(v, r.version);
  }
  void Put(const IdempotencyRecord& r);
  void Put(const ChangeRecord& r) { changes.push_back(&r); }
  void Put(const PaymentRecord& r) { payments[r.payment_id] = &r; }
  void Put(const WebhookEventRecord& r) { webhook_events[r.event_id] = &r; }
  void Put(const HoldTrailRecord& r) { trail.push_back(&r); }
  void Put(const TicketRecord& r) { tickets.push_back(&r); }
  void Put(const HistoryPruned& r);
  void Put(const QueueRoomRecord& r) { rooms[r.show_id] = &r; }
  void Put(const QueueJoinRecord& r) { joins.push_back(&r); }
  void Put(const QueueSessionRecord& r) { sessions[{r.show_id, r.entry}] = &r; }
  void Put(const QueueProgressRecord& r);
  void Put(const ShowSalesRecord& r) { sales[r.show_id] = &r; }
  void Put(const TicketCheckinRecord& r) { checkins.push_back(&r); }
};

void Gathered::Add(const Batch& b) {
  for (const ShowFence& f : b.fences) Fence(f);
  for (const Record& r : b.records) {
    const ShowId show = ShowOf(r);
    if (show != 0 && std::none_of(b.fences.begin(), b.fences.end(),
                                  [show](const ShowFence& f) { return f.show_id == show; })) {
      Fence({show, 1});
    }
    std::visit([this](const auto& rec) { Put(rec); }, r);
  }
}

// Prunings in one transaction: the latest of each kind forgets the most.
void Gathered::Put(const HistoryPruned& r) {
  pruned = true;
  prune.webhook_events_before_ms =
      std::max(prune.webhook_events_before_ms, r.webhook_events_before_ms);
  prune.hold_trail_before_ms = std::max(prune.hold_trail_before_ms, r.hold_trail_before_ms);
  prune.idempotency_before_ms = std::max(prune.idempotency_before_ms, r.idempotency_before_ms);
  prune.changes_before_ms = std::max(prune.changes_before_ms, r.changes_before_ms);
  prune.closed_holds_before_ms = std::max(prune.closed_holds_before_ms, r.closed_holds_before_ms);
}

// A second record of a (user, key) replaces the first, as in one statement
// a row may be written once.
void Gathered::Put(const IdempotencyRecord& r) {
  auto [it, added] = idempotency_at.try_emplace({r.user, r.key}, idempotency.size());
  if (added) {
    idempotency.push_back(&r);
  } else {
    idempotency[it->second] = &r;
  }
}

void Gathered::Put(const QueueProgressRecord& r) {
  auto [it, added] = progress.try_emplace(r.show_id, r);
  if (added) return;
  it->second.now_serving = std::max(it->second.now_serving, r.now_serving);
  it->second.drawn = it->second.drawn || r.drawn;
  it->second.at_ms = std::max(it->second.at_ms, r.at_ms);
}

// ---- Sending --------------------------------------------------------------------------------

// Sends statements and remembers which, to name the one that fails.
class Sender {
 public:
  explicit Sender(Conn& c) : c_(c) {}
  Status Send(Stmt s, const Params& p) {
    sent_.push_back(NameOf(s));
    return c_.Send(NameOf(s), p);
  }
  Status Sql(const char* sql) {
    sent_.push_back(sql);
    return c_.SendSql(sql);
  }
  Status Rows(Stmt s, const pg::Rows& rows) {
    if (rows.rows() == 0) return Status::Ok();
    Params p;
    rows.AddTo(p);
    return Send(s, p);
  }
  const std::vector<const char*>& sent() const { return sent_; }

 private:
  Conn& c_;
  std::vector<const char*> sent_;
};

Status SendCatalog(Sender& out, const Gathered& g) {
  pg::Rows venues{I8, Txt, Byt, I8};
  for (const auto& [id, v] : g.venues) {
    venues.Id(v->venue_id).Text(v->name).Text(EncodeSeatMap(v->seat_map)).I8(v->created_at_ms);
  }
  pg::Rows shows{I8, I8, Txt, I8, I8, Txt, I8, I8, I8, I8};
  pg::Rows cleared{I8};
  pg::Rows prices{I8, Txt, I8};
  for (const auto& [id, s] : g.shows) {
    shows.Id(s->show_id).Id(s->venue_id).Text(s->name).I8(s->starts_at_ms).I8(s->on_sale_at_ms);
    shows.Text(s->currency).I8(s->hold_ttl_s).I8(s->seats_per_order_max);
    shows.I8(s->seats_per_fan_max).I8(s->created_at_ms);
    cleared.Id(s->show_id);
    for (const ShowPrice& p : s->prices) prices.Id(s->show_id).Text(p.category).I8(p.price_minor);
  }
  Status st = out.Rows(Stmt::kVenues, venues);
  if (st.ok()) st = out.Rows(Stmt::kShows, shows);
  if (st.ok()) st = out.Rows(Stmt::kPricesClear, cleared);
  if (st.ok()) st = out.Rows(Stmt::kPrices, prices);
  return st;
}

// A statement of a function that checks how many rows the first ones touched.
Status SendCounted(Sender& out, Stmt s, const pg::Rows& rows) {
  if (rows.rows() == 0) return Status::Ok();
  Params p;
  rows.AddTo(p);
  p.Int8(static_cast<int64_t>(rows.rows()));
  return out.Send(s, p);
}

Status SendHolds(Sender& out, const Gathered& g) {
  pg::Rows holds{I8, I8, Txt, Byt, Txt, I4, I8, I8, I8, I8};
  for (const HoldRecord* h : g.holds) {
    const std::string_view token(reinterpret_cast<const char*>(h->token.bytes.data()),
                                 h->token.bytes.size());
    holds.Id(h->show_id).Id(h->hold_id).Text(h->owner).Text(token).Seats(h->seats);
    holds.I4(h->ga_area).I8(h->ga_quantity).I8(h->total_minor).I8(h->created_at_ms);
    holds.I8(h->expires_at_ms);
  }
  pg::Rows extends{I8, I8, I8, I8};
  for (const auto& [key, e] : g.extends) {
    extends.Id(key.show).Id(key.hold).I8(e->expires_at_ms).I8(e->created_at_ms);
  }
  Status st = out.Rows(Stmt::kHolds, holds);
  if (st.ok()) st = SendCounted(out, Stmt::kHoldExtend, extends);
  return st;
}

// The parameters of w_main, in its order ($1 ...).
void AddClosesAndBookings(Params& p, const Gathered& g) {
  pg::Rows closes{I8, I8};
  for (const HoldClosed* c : g.closes) closes.Id(c->show_id).Id(c->hold_id);
  pg::Rows bookings{I8, I8, I8, Txt, Txt, I4, I8, I8, Txt, I8, Bool, I8};
  pg::Rows claims{I8, I4, I8};
  for (const BookingRecord* b : g.bookings) {
    bookings.Id(b->show_id).Id(b->booking_id).Id(b->hold_id).Text(b->owner).Seats(b->seats);
    bookings.I4(b->ga_area).I8(b->ga_quantity).I8(b->total_minor).Text(b->payment_ref);
    bookings.I8(b->booked_at_ms).Flag(b->cancelled).I8(b->cancelled_at_ms);
    if (b->cancelled) continue;
    for (SeatIndex seat : b->seats) claims.Id(b->show_id).I4(seat).Id(b->booking_id);
  }
  closes.AddTo(p);
  p.Int8(static_cast<int64_t>(closes.rows()));
  bookings.AddTo(p);
  claims.AddTo(p);
}

void AddTrailAndTickets(Params& p, const Gathered& g) {
  pg::Rows trail{I8, I8, I4, I8, Txt};
  for (const HoldTrailRecord* t : g.trail) {
    trail.Id(t->show_id).Id(t->hold_id).I4(static_cast<int>(t->kind)).I8(t->at_ms).Text(t->reason);
  }
  pg::Rows tickets{Txt, I8, I8, I8, I8, I8};
  for (const TicketRecord* t : g.tickets) {
    tickets.Text(t->code).Id(t->show_id).Id(t->booking_id).I8(t->seat).I8(t->place);
    tickets.I8(t->issued_at_ms);
  }
  trail.AddTo(p);
  tickets.AddTo(p);
}

void AddChangesAndVersions(Params& p, const Gathered& g) {
  pg::Rows changes{I8, I8, I8, I4, I4, I8, I8, Txt, I4, I8};
  for (const ChangeRecord* c : g.changes) {
    changes.Id(c->show_id).Id(c->version).I8(c->at_ms).I4(c->reason).I4(c->state);
    changes.Id(c->hold_id).Id(c->booking_id).Seats(c->seats).I4(c->ga_area).I8(c->ga_quantity);
  }
  pg::Rows versions{I8, I8};
  for (const auto& [show, version] : g.versions) versions.Id(show).Id(version);
  changes.AddTo(p);
  p.Int8(static_cast<int64_t>(changes.rows()));
  versions.AddTo(p);
}

// w_main: sent in every transaction, for the writer's row at least.
Status SendMain(Sender& out, const Gathered& g, const TxnIds& ids) {
  Params p;
  AddClosesAndBookings(p, g);
  AddTrailAndTickets(p, g);
  AddChangesAndVersions(p, g);
  p.Bytes(ids.writer_id).Id(ids.txn);
  pg::Rows closed{I8, I8, I4, I8, I8};  // $45 ...: how each closed hold ended
  for (const auto& [key, c] : g.closed) {
    closed.Id(key.show).Id(key.hold).I4(static_cast<int>(c->why)).Id(c->booking_id).I8(c->at_ms);
  }
  closed.AddTo(p);
  return out.Send(Stmt::kMain, p);
}

// After the bookings and the seats they claim: cancellations free seats.
Status SendSeatChanges(Sender& out, const Gathered& g) {
  pg::Rows cancels{I8, I8, I8};
  for (const BookingCancelled* c : g.cancels) cancels.Id(c->show_id).Id(c->booking_id).I8(c->at_ms);
  pg::Rows block{I8, I4};
  pg::Rows unblock{I8, I4};
  for (const auto& [key, blocked] : g.blocked)
    (blocked ? block : unblock).Id(key.first).I4(key.second);
  Status st = out.Rows(Stmt::kCancel, cancels);
  if (st.ok()) st = out.Rows(Stmt::kBlock, block);
  if (st.ok()) st = out.Rows(Stmt::kUnblock, unblock);
  return st;
}

Status SendPayments(Sender& out, const Gathered& g) {
  pg::Rows idem{Txt, Txt, Byt, I4, Byt, Byt, I8};
  for (const IdempotencyRecord* r : g.idempotency) {
    idem.Text(r->user).Text(r->key).Text(r->request_hash).I4(r->status).Text(r->response_body);
    idem.Text(r->response_headers).I8(r->created_at_ms);
  }
  pg::Rows pays{Txt, I8, I8, Txt, Txt, I4, I8, I8, Txt, Txt, I4, I8, Txt, Txt, I8, I8};
  for (const auto& [id, p] : g.payments) {
    pays.Text(p->payment_id).Id(p->show_id).Id(p->hold_id).Text(p->owner).Seats(p->seats);
    pays.I4(p->ga_area).I8(p->ga_quantity).I8(p->amount_minor).Text(p->currency);
    pays.Text(p->pay_url).I4(static_cast<int>(p->state)).Id(p->booking_id).Text(p->refund_id);
    pays.Text(p->note).I8(p->created_at_ms).I8(p->updated_at_ms);
  }
  pg::Rows events{Txt, I8};
  for (const auto& [id, e] : g.webhook_events) events.Text(e->event_id).I8(e->received_at_ms);
  Status st = out.Rows(Stmt::kIdempotency, idem);
  if (st.ok()) st = out.Rows(Stmt::kPayments, pays);
  if (st.ok()) st = out.Rows(Stmt::kWebhookEvents, events);
  return st;
}

Status SendQueues(Sender& out, const Gathered& g) {
  pg::Rows rooms{I8, Bool, I8, I8, I8, I8, I8, Bool, Byt, Byt, I8};
  for (const auto& [id, r] : g.rooms) {
    rooms.Id(r->show_id).Flag(r->enabled).I8(r->prequeue_opens_at_ms).I8(r->onsale_at_ms);
    rooms.I8(r->admissions_per_minute).I8(r->active_shoppers_max).I8(r->session_s);
    rooms.Flag(r->queue_everyone).Text(r->seed).Text(r->owner_key).I8(r->updated_at_ms);
  }
  pg::Rows joins{I8, I8, Txt, Bool, I8};
  for (const QueueJoinRecord* j : g.joins) {
    joins.Id(j->show_id).I8(j->entry).Text(j->user).Flag(j->prequeue).I8(j->joined_at_ms);
  }
  pg::Rows sessions{I8, I8, I8, Bool};
  for (const auto& [key, s] : g.sessions) {
    sessions.Id(s->show_id).I8(s->entry).I8(s->ends_at_ms).Flag(s->ended);
  }
  pg::Rows progress{I8, I8, Bool, I8};
  for (const auto& [id, p] : g.progress) {
    progress.Id(p.show_id).I8(p.now_serving).Flag(p.drawn).I8(p.at_ms);
  }
  Status st = out.Rows(Stmt::kRooms, rooms);
  if (st.ok()) st = out.Rows(Stmt::kJoins, joins);
  if (st.ok()) st = out.Rows(Stmt::kSessions, sessions);
  if (st.ok()) st = out.Rows(Stmt::kProgress, progress);
  return st;
}

Status SendShowStates(Sender& out, const Gathered& g) {
  pg::Rows sales{I8, I4, I8};
  for (const auto& [id, r] : g.sales)
    sales.Id(r->show_id).I4(static_cast<int>(r->state)).I8(r->at_ms);
  pg::Rows checkins{Txt, I8, I8};
  for (const TicketCheckinRecord* r : g.checkins)
    checkins.Text(r->code).Id(r->show_id).I8(r->at_ms);
  Status st = out.Rows(Stmt::kShowSales, sales);
  if (st.ok()) st = out.Rows(Stmt::kCheckins, checkins);
  return st;
}

Status SendFences(Sender& out, const Gathered& g, const std::string& node_id) {
  if (g.fences.empty()) return Status::Ok();
  pg::Rows fences{I8, I8};
  for (const ShowFence& f : g.fences) fences.Id(f.show_id).Id(f.epoch);
  Params p;
  fences.AddTo(p);
  p.Bytes(node_id);
  return out.Send(Stmt::kFence, p);
}

Status SendPrune(Sender& out, const Gathered& g) {
  if (!g.pruned) return Status::Ok();
  Params p;
  p.Int8(g.prune.webhook_events_before_ms).Int8(g.prune.hold_trail_before_ms);
  p.Int8(g.prune.idempotency_before_ms).Int8(g.prune.changes_before_ms);
  p.Int8(g.prune.closed_holds_before_ms);
  return out.Send(Stmt::kPrune, p);
}

// Every statement of `g`, in an order that keeps meaning: fences first,
// pruning (it forgets what was there before the transaction), catalogue,
// holds (insert, extend), then w_main (holds closed, bookings and their
// seats, trail, tickets, outbox, versions, the writer's row), cancellations
// and blocked seats, the rest.
Status SendRecords(Sender& out, const Gathered& g, const TxnIds& ids) {
  Status st = SendFences(out, g, ids.node_id);
  if (st.ok()) st = SendPrune(out, g);
  if (st.ok()) st = SendCatalog(out, g);
  if (st.ok()) st = SendHolds(out, g);
  if (st.ok()) st = SendMain(out, g, ids);
  if (st.ok()) st = SendSeatChanges(out, g);
  if (st.ok()) st = SendPayments(out, g);
  if (st.ok()) st = SendQueues(out, g);
  if (st.ok()) st = SendShowStates(out, g);
  return st;
}

// ---- Running ----------------------------------------------------------------------------

// What came back for everything sent up to a Sync.
struct Answer {
  Status error;       // the first statement that failed, if any
  bool lost = false;  // the connection was lost: nothing after is known
};

Answer ReceiveUntilSync(Conn& c, const Sender& sent) {
  Answer a;
  size_t i = 0;
  while (true) {
    Conn::Received r = c.Receive();
    if (r.sync) return a;
    if (c.broken() || r.status.code() == StatusCode::kUnavailable) {
      a.lost = true;
      a.error = r.status;
      return a;
    }
    if (!r.status.ok() && !r.aborted && a.error.ok()) {
      const char* what = i < sent.sent().size() ? sent.sent()[i] : "?";
      a.error = Status(r.status.code(), std::string(what) + ": " + r.status.message());
    }
    ++i;
  }
}

// Sends `sql` alone and waits for it.
Answer RunAlone(Conn& c, std::initializer_list<const char*> sql) {
  Sender out(c);
  for (const char* s : sql) {
    if (Status st = out.Sql(s); !st.ok()) return {st, true};
  }
  if (Status st = c.Sync(); !st.ok()) return {st, true};
  return ReceiveUntilSync(c, out);
}

// The whole group in one transaction.
Answer RunTogether(Conn& c, const TxnIds& ids, const std::vector<Pending>& group) {
  Gathered g;
  for (const Pending& p : group) {
    if (p.status.ok()) g.Add(p.batch);
  }
  Sender out(c);
  Status st = out.Sql("BEGIN");
  if (st.ok()) st = SendRecords(out, g, ids);
  if (st.ok()) st = out.Sql("COMMIT");
  if (st.ok()) st = c.Sync();
  if (!st.ok()) return {st, true};
  Answer a = ReceiveUntilSync(c, out);
  if (!a.lost && !a.error.ok()) {
    Answer rollback = RunAlone(c, {"ROLLBACK"});
    a.lost = rollback.lost;
  }
  return a;
}

// One batch inside the open transaction, under a savepoint; its status is
// set if it fails. False if the transaction cannot go on (the connection
// was lost, or the batch could not be undone alone).
bool RunOne(Conn& c, const TxnIds& ids, Pending& p) {
  Gathered g;
  g.Add(p.batch);
  Sender out(c);
  Status st = out.Sql("SAVEPOINT batch");
  if (st.ok()) st = SendRecords(out, g, ids);
  if (st.ok()) st = out.Sql("RELEASE SAVEPOINT batch");
  if (st.ok()) st = c.Sync();
  if (!st.ok()) return false;
  const Answer a = ReceiveUntilSync(c, out);
  if (a.lost) return false;
  if (a.error.ok()) return true;
  p.status = a.error;
  const Answer undo = RunAlone(c, {"ROLLBACK TO SAVEPOINT batch", "RELEASE SAVEPOINT batch"});
  if (!undo.lost && !undo.error.ok()) p.status = undo.error;
  return !undo.lost && undo.error.ok();
}

TxnEnd FailAll(std::vector<Pending>& group, const Status& why) {
  for (Pending& p : group) {
    if (p.status.ok()) p.status = Status(why.code(), "batch not committed: " + why.message());
  }
  return TxnEnd::kFailed;
}

// The group again, a batch at a time, up to the first that fails: the
// journal keeps no holes, so the batches after it fail unwritten
// (BatchQueue::AfterFailure) and those before it commit. The writer's row
// is written by each batch's w_main; a transaction whose every batch failed
// writes nothing.
TxnEnd RunOneByOne(Conn& c, const TxnIds& ids, std::vector<Pending>& group) {
  const Answer begin = RunAlone(c, {"BEGIN"});
  if (begin.lost) return TxnEnd::kInDoubt;
  if (!begin.error.ok()) return FailAll(group, begin.error);
  Status first;  // the first batch that failed
  for (Pending& p : group) {
    if (!first.ok()) {
      if (p.status.ok()) p.status = BatchQueue::AfterFailure(first);
      continue;
    }
    if (!p.status.ok()) continue;
    if (!RunOne(c, ids, p)) {
      if (c.broken()) return TxnEnd::kInDoubt;
      const Status why = p.status;
      RunAlone(c, {"ROLLBACK"});
      return FailAll(group, why);
    }
    first = p.status;
  }
  const Answer end = RunAlone(c, {"COMMIT"});
  if (end.lost) return TxnEnd::kInDoubt;
  if (!end.error.ok()) {
    RunAlone(c, {"ROLLBACK"});
    return FailAll(group, end.error);
  }
  return TxnEnd::kCommitted;
}

}  // namespace

Status PrepareWriterStatements(Conn& c) {
  for (const StmtSql& s : kStatements) {
    if (Status st = c.Prepare(s.name, s.sql); !st.ok()) return st;
  }
  return Status::Ok();
}

TxnEnd RunGroup(Conn& c, const TxnIds& ids, std::vector<Pending>& group) {
  const Answer together = RunTogether(c, ids, group);
  if (together.lost) return TxnEnd::kInDoubt;
  if (together.error.ok()) return TxnEnd::kCommitted;
  return RunOneByOne(c, ids, group);
}

}  // namespace boxoffice::store::pg
