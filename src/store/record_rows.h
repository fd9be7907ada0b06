// How each record reads back from a row of its table, for every store: the
// columns in one order (the k...Columns lists, which both stores' SELECTs
// use), each value checked by the store's row reader. Internal to src/store/.
//
// `Row` is a store's row reader (sqlite::RowReader, pg::Row): Int<T>()
// checks type and range, Bytes() text or blob, Seats() a seat list, and
// Fail(what) marks the column just read as damaged; the first failure
// sticks, and the caller checks the reader's status once the row is read.
#pragma once

#include <utility>

#include "store/seat_map_codec.h"
#include "store/store.h"

namespace boxoffice::store::rows {

inline constexpr const char* kVenueColumns = "venue_id, name, seat_map, created_at_ms";
inline constexpr const char* kShowColumns =
    "show_id, venue_id, name, starts_at_ms, on_sale_at_ms, currency, hold_ttl_s, "
    "seats_per_order_max, seats_per_fan_max, created_at_ms";
inline constexpr const char* kHoldColumns =
    "show_id, hold_id, owner, token, seats, ga_area, ga_quantity, total_minor, created_at_ms, "
    "expires_at_ms";
inline constexpr const char* kClosedHoldColumns =
    "show_id, hold_id, owner, token, why, booking_id, closed_at_ms";
inline constexpr const char* kBookingColumns =
    "show_id, booking_id, hold_id, owner, seats, ga_area, ga_quantity, total_minor, payment_ref, "
    "booked_at_ms, cancelled, cancelled_at_ms";
inline constexpr const char* kVersionColumns = "show_id, version";
inline constexpr const char* kIdempotencyColumns =
    "user_id, idem_key, request_hash, status, response_body, response_headers, created_at_ms";
inline constexpr const char* kPaymentColumns =
    "payment_id, show_id, hold_id, owner, seats, ga_area, ga_quantity, amount_minor, currency, "
    "pay_url, state, booking_id, refund_id, note, created_at_ms, updated_at_ms";
inline constexpr const char* kWebhookEventColumns = "event_id, received_at_ms";
inline constexpr const char* kTrailColumns = "show_id, hold_id, kind, at_ms, reason";
inline constexpr const char* kTicketColumns =
    "code, show_id, booking_id, seat_index, place, issued_at_ms";
inline constexpr const char* kShowSalesColumns = "show_id, state, at_ms";
inline constexpr const char* kCheckinColumns = "code, show_id, at_ms";
inline constexpr const char* kRoomColumns =
    "show_id, enabled, prequeue_opens_at_ms, onsale_at_ms, admissions_per_minute, "
    "active_shoppers_max, session_s, queue_everyone, seed, owner_key, updated_at_ms";
inline constexpr const char* kJoinColumns = "show_id, entry, user_id, prequeue, joined_at_ms";
inline constexpr const char* kSessionColumns = "show_id, entry, ends_at_ms, ended";
inline constexpr const char* kProgressColumns = "show_id, now_serving, drawn, at_ms";
inline constexpr const char* kChangeColumns =
    "seq, show_id, version, at_ms, reason, state, hold_id, booking_id, seats, ga_area, "
    "ga_quantity";

template <typename Row>
void ReadToken(Row& row, core::Token& token) {
  const std::string bytes = row.Bytes();
  if (!row.status().ok()) return;
  if (bytes.size() != token.bytes.size()) return row.Fail("is not a 16-byte token");
  for (size_t i = 0; i < bytes.size(); ++i) token.bytes[i] = static_cast<uint8_t>(bytes[i]);
}

// An enum stored as its number, at most `last`.
template <typename E, typename Row>
E ReadEnum(Row& row, E last, const char* what) {
  const auto v = row.template Int<uint8_t>();
  if (v > static_cast<uint8_t>(last)) row.Fail(what);
  return static_cast<E>(v);
}

template <typename Row>
void Read(Row& row, VenueRecord& v) {
  v.venue_id = row.template Int<uint64_t>();
  v.name = row.Bytes();
  StatusOr<core::SeatMapSpec> map = DecodeSeatMap(row.Bytes());
  if (!map.ok()) row.Fail(map.status().message());
  if (map.ok()) v.seat_map = std::move(map).value();
  v.created_at_ms = row.template Int<TimeMs>();
}

// Without its prices, which are rows of show_prices.
template <typename Row>
void Read(Row& row, ShowRecord& s) {
  s.show_id = row.template Int<ShowId>();
  s.venue_id = row.template Int<uint64_t>();
  s.name = row.Bytes();
  s.starts_at_ms = row.template Int<TimeMs>();
  s.on_sale_at_ms = row.template Int<TimeMs>();
  s.currency = row.Bytes();
  s.hold_ttl_s = row.template Int<uint32_t>();
  s.seats_per_order_max = row.template Int<uint32_t>();
  s.seats_per_fan_max = row.template Int<uint32_t>();
  s.created_at_ms = row.template Int<TimeMs>();
}

template <typename Row>
void Read(Row& row, HoldRecord& h) {
  h.show_id = row.template Int<ShowId>();
  h.hold_id = row.template Int<HoldId>();
  h.owner = row.Bytes();
  ReadToken(row, h.token);
  h.seats = row.Seats();
  h.ga_area = row.template Int<uint16_t>();
  h.ga_quantity = row.template Int<uint32_t>();
  h.total_minor = row.template Int<int64_t>();
  h.created_at_ms = row.template Int<TimeMs>();
  h.expires_at_ms = row.template Int<TimeMs>();
}

template <typename Row>
void Read(Row& row, ClosedHoldRecord& h) {
  h.show_id = row.template Int<ShowId>();
  h.hold_id = row.template Int<HoldId>();
  h.owner = row.Bytes();
  ReadToken(row, h.token);
  h.why = ReadEnum(row, HoldEnd::kConfirmed, "unknown way to end");
  h.booking_id = row.template Int<BookingId>();
  h.closed_at_ms = row.template Int<TimeMs>();
}

template <typename Row>
void Read(Row& row, BookingRecord& b) {
  b.show_id = row.template Int<ShowId>();
  b.booking_id = row.template Int<BookingId>();
  b.hold_id = row.template Int<HoldId>();
  b.owner = row.Bytes();
  b.seats = row.Seats();
  b.ga_area = row.template Int<uint16_t>();
  b.ga_quantity = row.template Int<uint32_t>();
  b.total_minor = row.template Int<int64_t>();
  b.payment_ref = row.Bytes();
  b.booked_at_ms = row.template Int<TimeMs>();
  b.cancelled = row.template Int<bool>();
  b.cancelled_at_ms = row.template Int<TimeMs>();
}

template <typename Row>
void Read(Row& row, ShowVersion& v) {
  v.show_id = row.template Int<ShowId>();
  v.version = row.template Int<Version>();
}

template <typename Row>
void Read(Row& row, IdempotencyRecord& r) {
  r.user = row.Bytes();
  r.key = row.Bytes();
  r.request_hash = row.Bytes();
  r.status = row.template Int<int>();
  r.response_body = row.Bytes();
  r.response_headers = row.Bytes();
  r.created_at_ms = row.template Int<TimeMs>();
}

template <typename Row>
void Read(Row& row, PaymentRecord& p) {
  p.payment_id = row.Bytes();
  p.show_id = row.template Int<ShowId>();
  p.hold_id = row.template Int<HoldId>();
  p.owner = row.Bytes();
  p.seats = row.Seats();
  p.ga_area = row.template Int<uint16_t>();
  p.ga_quantity = row.template Int<uint32_t>();
  p.amount_minor = row.template Int<int64_t>();
  p.currency = row.Bytes();
  p.pay_url = row.Bytes();
  p.state = ReadEnum(row, PaymentState::kCancelled, "unknown state");
  p.booking_id = row.template Int<BookingId>();
  p.refund_id = row.Bytes();
  p.note = row.Bytes();
  p.created_at_ms = row.template Int<TimeMs>();
  p.updated_at_ms = row.template Int<TimeMs>();
}

template <typename Row>
void Read(Row& row, WebhookEventRecord& e) {
  e.event_id = row.Bytes();
  e.received_at_ms = row.template Int<TimeMs>();
}

template <typename Row>
void Read(Row& row, HoldTrailRecord& t) {
  t.show_id = row.template Int<ShowId>();
  t.hold_id = row.template Int<HoldId>();
  t.kind = ReadEnum(row, HoldTrailKind::kPaymentCancelled, "unknown kind");
  t.at_ms = row.template Int<TimeMs>();
  t.reason = row.Bytes();
}

template <typename Row>
void Read(Row& row, TicketRecord& t) {
  t.code = row.Bytes();
  t.show_id = row.template Int<ShowId>();
  t.booking_id = row.template Int<BookingId>();
  t.seat = row.template Int<SeatIndex>();
  t.place = row.template Int<uint32_t>();
  t.issued_at_ms = row.template Int<TimeMs>();
}

template <typename Row>
void Read(Row& row, ShowSalesRecord& r) {
  r.show_id = row.template Int<ShowId>();
  r.state = ReadEnum(row, SalesState::kClosed, "unknown sales state");
  r.at_ms = row.template Int<TimeMs>();
}

template <typename Row>
void Read(Row& row, TicketCheckinRecord& r) {
  r.code = row.Bytes();
  r.show_id = row.template Int<ShowId>();
  r.at_ms = row.template Int<TimeMs>();
}

template <typename Row>
void Read(Row& row, QueueRoomRecord& r) {
  r.show_id = row.template Int<ShowId>();
  r.enabled = row.template Int<bool>();
  r.prequeue_opens_at_ms = row.template Int<TimeMs>();
  r.onsale_at_ms = row.template Int<TimeMs>();
  r.admissions_per_minute = row.template Int<uint32_t>();
  r.active_shoppers_max = row.template Int<uint32_t>();
  r.session_s = row.template Int<uint32_t>();
  r.queue_everyone = row.template Int<bool>();
  r.seed = row.Bytes();
  r.owner_key = row.Bytes();
  r.updated_at_ms = row.template Int<TimeMs>();
}

template <typename Row>
void Read(Row& row, QueueJoinRecord& j) {
  j.show_id = row.template Int<ShowId>();
  j.entry = row.template Int<uint32_t>();
  j.user = row.Bytes();
  j.prequeue = row.template Int<bool>();
  j.joined_at_ms = row.template Int<TimeMs>();
}

template <typename Row>
void Read(Row& row, QueueSessionRecord& q) {
  q.show_id = row.template Int<ShowId>();
  q.entry = row.template Int<uint32_t>();
  q.ends_at_ms = row.template Int<TimeMs>();
  q.ended = row.template Int<bool>();
}

template <typename Row>
void Read(Row& row, QueueProgressRecord& p) {
  p.show_id = row.template Int<ShowId>();
  p.now_serving = row.template Int<uint32_t>();
  p.drawn = row.template Int<bool>();
  p.at_ms = row.template Int<TimeMs>();
}

template <typename Row>
void Read(Row& row, ChangeRecord& c) {
  c.seq = row.template Int<uint64_t>();
  c.show_id = row.template Int<ShowId>();
  c.version = row.template Int<Version>();
  c.at_ms = row.template Int<TimeMs>();
  c.reason = row.template Int<uint8_t>();
  c.state = row.template Int<uint8_t>();
  c.hold_id = row.template Int<HoldId>();
  c.booking_id = row.template Int<BookingId>();
  c.seats = row.Seats();
  c.ga_area = row.template Int<uint16_t>();
  c.ga_quantity = row.template Int<uint32_t>();
}

// A show's prices, appended to the show they name among `shows` (by id).
template <typename Row, typename Index>
void ReadPrice(Row& row, const Index& index, std::vector<ShowRecord>& shows) {
  const auto show = row.template Int<ShowId>();
  ShowPrice price{.category = row.Bytes(), .price_minor = row.template Int<int64_t>()};
  const auto it = index.find(show);
  if (it == index.end()) return row.Fail("names a show that does not exist");
  if (row.status().ok()) shows[it->second].prices.push_back(std::move(price));
}

// Blocked seats, grouped per show as the rows come (ordered by show).
template <typename Row>
void ReadBlocked(Row& row, std::vector<SeatsBlocked>& blocked) {
  const auto show = row.template Int<ShowId>();
  const auto seat = row.template Int<SeatIndex>();
  if (blocked.empty() || blocked.back().show_id != show) {
    blocked.push_back(SeatsBlocked{.show_id = show, .seats = {}, .blocked = true});
  }
  blocked.back().seats.push_back(seat);
}

}  // namespace boxoffice::store::rows
