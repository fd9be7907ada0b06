#include "postgres_store.h"

#include <libpq-fe.h>

#include <charconv>
#include <memory>

#include "crypto/encoding.h"

namespace boxoffice::baselines {
namespace {

constexpr const char* kSchema[] = {
    "CREATE TABLE IF NOT EXISTS seats (show_id bigint NOT NULL, seat int NOT NULL, "
    "label text NOT NULL, state smallint NOT NULL DEFAULT 0, hold_id bigint, "
    "expires_at_ms bigint, PRIMARY KEY (show_id, seat))",
    "CREATE TABLE IF NOT EXISTS holds (id bigserial PRIMARY KEY, show_id bigint NOT NULL, "
    "owner text NOT NULL, token text NOT NULL, seats int[] NOT NULL, "
    "expires_at_ms bigint NOT NULL, status smallint NOT NULL DEFAULT 0)",
    "CREATE TABLE IF NOT EXISTS bookings (id bigserial PRIMARY KEY, show_id bigint NOT NULL, "
    "hold_id bigint NOT NULL, owner text NOT NULL, seats int[] NOT NULL, "
    "total_minor bigint NOT NULL, currency text NOT NULL, payment_ref text NOT NULL, "
    "booked_at_ms bigint NOT NULL)",
};

// seats.state and holds.status.
enum SeatRowState : int { kFreeRow = 0, kHeldRow = 1, kBookedRow = 2 };
enum HoldRowStatus : int { kHoldLive = 0, kHoldReleasedRow = 1, kHoldConfirmedRow = 2 };

std::string IntArray(std::span<const core::SeatIndex> seats) {
  std::string out = "{";
  for (size_t i = 0; i < seats.size(); ++i) out += (i > 0 ? "," : "") + std::to_string(seats[i]);
  return out + "}";
}

std::string TextArray(std::span<const std::string> items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    out += i > 0 ? ",\"" : "\"";
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::optional<int64_t> ToInt(std::string_view s) {
  int64_t v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// "{1,2,3}" -> seats below seat_count.
std::optional<std::vector<core::SeatIndex>> ParseIntArray(std::string_view s, size_t seat_count) {
  if (s.size() < 2 || s.front() != '{' || s.back() != '}') return std::nullopt;
  s = s.substr(1, s.size() - 2);
  std::vector<core::SeatIndex> out;
  while (!s.empty()) {
    const size_t comma = s.find(',');
    const std::optional<int64_t> v = ToInt(s.substr(0, comma));
    if (!v || *v < 0 || static_cast<size_t>(*v) >= seat_count) return std::nullopt;
    out.push_back(static_cast<core::SeatIndex>(*v));
    s = comma == std::string_view::npos ? std::string_view{} : s.substr(comma + 1);
  }
  return out;
}

}  // namespace

class PostgresStore::Result {
 public:
  explicit Result(pg_result* r) : r_(r, &PQclear) {}
  ExecStatusType status() const { return PQresultStatus(r_.get()); }
  std::string SqlState() const {
    const char* s = PQresultErrorField(r_.get(), PG_DIAG_SQLSTATE);
    return s == nullptr ? "" : s;
  }
  std::string Error() const { return PQresultErrorMessage(r_.get()); }
  int rows() const { return PQntuples(r_.get()); }
  std::string_view Text(int row, int col) const {
    return {PQgetvalue(r_.get(), row, col), static_cast<size_t>(PQgetlength(r_.get(), row, col))};
  }
  int64_t Int(int row, int col) const { return ToInt(Text(row, col)).value_or(-1); }

 private:
  std::unique_ptr<pg_result, void (*)(pg_result*)> r_;
};

namespace {
// Deadlocks and serialization failures come back with this code, so that
// Transaction runs the body again.
constexpr StatusCode kRetryable = StatusCode::kAlreadyExists;
}  // namespace

PostgresStore::PostgresStore(std::string conninfo) : conninfo_(std::move(conninfo)) {}

PostgresStore::~PostgresStore() {
  if (conn_ != nullptr) PQfinish(conn_);
}

StatusOr<PostgresStore::Result> PostgresStore::Exec(const char* sql,
                                                    const std::vector<std::string>& params) {
  if (conn_ != nullptr && PQstatus(conn_) != CONNECTION_OK) {
    PQfinish(conn_);
    conn_ = nullptr;
  }
  if (conn_ == nullptr) {
    conn_ = PQconnectdb(conninfo_.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) {
      const std::string why = PQerrorMessage(conn_);
      PQfinish(conn_);
      conn_ = nullptr;
      return Status::Unavailable("postgres: cannot connect: " + why);
    }
  }
  std::vector<const char*> values;
  for (const std::string& p : params) values.push_back(p.c_str());
  Result r(PQexecParams(conn_, sql, static_cast<int>(values.size()), nullptr, values.data(),
                        nullptr, nullptr, 0));
  if (r.status() == PGRES_COMMAND_OK || r.status() == PGRES_TUPLES_OK) return r;
  if (PQstatus(conn_) != CONNECTION_OK) return Status::Unavailable("postgres: " + r.Error());
  const std::string state = r.SqlState();
  if (state == "40P01" || state == "40001") return Status(kRetryable, "postgres: " + r.Error());
  return Status::Internal("postgres: " + r.Error());
}

template <typename Body>
Status PostgresStore::Transaction(Body&& body) {
  Status last;
  for (int attempt = 0; attempt < kTransactionTriesMax; ++attempt) {
    if (StatusOr<Result> b = Exec("BEGIN"); !b.ok()) return b.status();
    StatusOr<bool> commit = body();
    if (commit.ok() && *commit) {
      StatusOr<Result> c = Exec("COMMIT");
      if (c.ok()) return Status::Ok();
      last = c.status();
    } else {
      last = commit.ok() ? Status::Ok() : commit.status();
      if (conn_ != nullptr) (void)Exec("ROLLBACK");
      if (commit.ok()) return Status::Ok();
    }
    if (last.code() != kRetryable) return last;
  }
  return Status::Unavailable(last.message());
}

Status PostgresStore::CreateSchema() {
  for (const char* sql : kSchema) {
    if (StatusOr<Result> r = Exec(sql); !r.ok()) return r.status();
  }
  return Status::Ok();
}

Status PostgresStore::CreateShow(const service::Show& show) {
  const core::SeatMap& map = *show.venue->map;
  std::vector<std::string> labels;
  for (core::SeatIndex i = 0; i < map.seat_count(); ++i) labels.push_back(map.label(i));
  StatusOr<Result> r = Exec(
      "INSERT INTO seats (show_id, seat, label) "
      "SELECT $1, t.i - 1, t.l FROM unnest($2::text[]) WITH ORDINALITY AS t(l, i)",
      {std::to_string(show.id), TextArray(labels)});
  return r.ok() ? Status::Ok() : r.status();
}

StatusOr<std::vector<core::SeatState>> PostgresStore::SeatStates(const service::Show& show,
                                                                 core::TimeMs now_ms) {
  StatusOr<Result> r =
      Exec("SELECT state, expires_at_ms FROM seats WHERE show_id = $1 ORDER BY seat",
           {std::to_string(show.id)});
  if (!r.ok()) return r.status();
  if (static_cast<size_t>(r->rows()) != show.venue->map->seat_count())
    return Status::Corruption("postgres: the show has " + std::to_string(r->rows()) + " seat rows");
  std::vector<core::SeatState> states(static_cast<size_t>(r->rows()), core::SeatState::kFree);
  for (int i = 0; i < r->rows(); ++i) {
    const int64_t state = r->Int(i, 0);
    if (state == kBookedRow) states[static_cast<size_t>(i)] = core::SeatState::kBooked;
    if (state == kHeldRow && r->Int(i, 1) > now_ms)
      states[static_cast<size_t>(i)] = core::SeatState::kHeld;
  }
  return states;
}

StatusOr<HoldResult> PostgresStore::Hold(const service::Show& show, const std::string& user,
                                         std::span<const core::SeatIndex> seats,
                                         const core::Token& token, core::TimeMs now_ms) {
  const std::string show_id = std::to_string(show.id);
  const std::string seat_list = IntArray(seats);
  HoldResult out;
  Status s = Transaction([&]() -> StatusOr<bool> {
    out = HoldResult{};
    StatusOr<Result> rows = Exec(
        "SELECT seat, state, expires_at_ms FROM seats WHERE show_id = $1 AND seat = ANY($2::int[]) "
        "ORDER BY seat FOR UPDATE",
        {show_id, seat_list});
    if (!rows.ok()) return rows.status();
    if (static_cast<size_t>(rows->rows()) != seats.size())
      return Status::Corruption("postgres: seats of show " + show_id + " are missing");
    for (int i = 0; i < rows->rows(); ++i) {
      const int64_t state = rows->Int(i, 1);
      const bool free = state == kFreeRow || (state == kHeldRow && rows->Int(i, 2) <= now_ms);
      if (!free)
        out.conflicts.push_back(
            show.venue->map->label(static_cast<core::SeatIndex>(rows->Int(i, 0))));
    }
    if (!out.conflicts.empty()) {
      out.outcome = core::Outcome::kSeatUnavailable;
      return false;
    }
    out.expires_at_ms = now_ms + core::DurationMs{show.settings.hold_ttl_s} * 1000;
    const std::string expires = std::to_string(out.expires_at_ms);
    StatusOr<Result> hold = Exec(
        "INSERT INTO holds (show_id, owner, token, seats, expires_at_ms) "
        "VALUES ($1, $2, $3, $4::int[], $5) RETURNING id",
        {show_id, user, crypto::TokenToString(token), seat_list, expires});
    if (!hold.ok()) return hold.status();
    out.hold = static_cast<core::HoldId>(hold->Int(0, 0));
    StatusOr<Result> update = Exec(
        "UPDATE seats SET state = 1, hold_id = $3, expires_at_ms = $4 "
        "WHERE show_id = $1 AND seat = ANY($2::int[])",
        {show_id, seat_list, std::to_string(out.hold), expires});
    if (!update.ok()) return update.status();
    return true;
  });
  if (!s.ok()) return s;
  return out;
}

StatusOr<core::Outcome> PostgresStore::Release(const service::Show& show, core::HoldId hold,
                                               const std::string& user, const core::Token& token,
                                               core::TimeMs now_ms) {
  const std::string show_id = std::to_string(show.id), hold_id = std::to_string(hold);
  core::Outcome outcome = core::Outcome::kOk;
  Status s = Transaction([&]() -> StatusOr<bool> {
    StatusOr<Result> h = Exec(
        "SELECT owner, token, expires_at_ms, status FROM holds WHERE id = $1 AND show_id = $2 "
        "FOR UPDATE",
        {hold_id, show_id});
    if (!h.ok()) return h.status();
    if (h->rows() == 0) {
      outcome = core::Outcome::kHoldNotFound;
      return false;
    }
    const std::optional<core::Token> stored = crypto::TokenFromString(h->Text(0, 1));
    const int64_t status = h->Int(0, 3);
    if (status == kHoldConfirmedRow) {
      outcome = core::Outcome::kHoldConfirmed;
    } else if (status == kHoldReleasedRow || h->Int(0, 2) <= now_ms) {
      outcome = core::Outcome::kHoldExpired;
    } else if (h->Text(0, 0) != user || !stored || !core::TokensEqualConstantTime(*stored, token)) {
      outcome = core::Outcome::kWrongToken;
    } else {
      outcome = core::Outcome::kOk;
    }
    if (outcome != core::Outcome::kOk) return false;
    StatusOr<Result> seats = Exec(
        "UPDATE seats SET state = 0, hold_id = NULL, expires_at_ms = NULL "
        "WHERE show_id = $1 AND hold_id = $2 AND state = 1",
        {show_id, hold_id});
    if (!seats.ok()) return seats.status();
    StatusOr<Result> done = Exec("UPDATE holds SET status = 1 WHERE id = $1", {hold_id});
    if (!done.ok()) return done.status();
    return true;
  });
  if (!s.ok()) return s;
  return outcome;
}

StatusOr<ConfirmResult> PostgresStore::Confirm(const service::Show& show, core::HoldId hold,
                                               const std::string& payment_ref,
                                               core::TimeMs now_ms) {
  const core::SeatMap& map = *show.venue->map;
  const std::string show_id = std::to_string(show.id), hold_id = std::to_string(hold);
  ConfirmResult out;
  Status s = Transaction([&]() -> StatusOr<bool> {
    out = ConfirmResult{};
    StatusOr<Result> h = Exec(
        "SELECT owner, seats, expires_at_ms, status FROM holds WHERE id = $1 AND show_id = $2 "
        "FOR UPDATE",
        {hold_id, show_id});
    if (!h.ok()) return h.status();
    if (h->rows() == 0) {
      out.outcome = core::Outcome::kHoldNotFound;
      return false;
    }
    const int64_t status = h->Int(0, 3);
    if (status == kHoldConfirmedRow) out.outcome = core::Outcome::kHoldConfirmed;
    if (status == kHoldReleasedRow || h->Int(0, 2) <= now_ms)
      out.outcome = core::Outcome::kHoldExpired;
    if (out.outcome != core::Outcome::kOk) return false;
    const std::optional<std::vector<core::SeatIndex>> seats =
        ParseIntArray(h->Text(0, 1), map.seat_count());
    if (!seats) return Status::Corruption("postgres: hold " + hold_id + " has bad seats");
    const std::string seat_list = IntArray(*seats);
    StatusOr<Result> mine = Exec(
        "SELECT seat FROM seats WHERE show_id = $1 AND seat = ANY($2::int[]) AND state = 1 "
        "AND hold_id = $3 ORDER BY seat FOR UPDATE",
        {show_id, seat_list, hold_id});
    if (!mine.ok()) return mine.status();
    if (static_cast<size_t>(mine->rows()) != seats->size()) {
      out.outcome = core::Outcome::kHoldExpired;
      return false;
    }
    StatusOr<Result> booked = Exec(
        "UPDATE seats SET state = 2, expires_at_ms = NULL "
        "WHERE show_id = $1 AND seat = ANY($2::int[]) AND hold_id = $3",
        {show_id, seat_list, hold_id});
    if (!booked.ok()) return booked.status();
    service::BookingView& b = out.booking;
    b.show = show.id;
    b.hold = hold;
    b.user = std::string(h->Text(0, 0));
    for (core::SeatIndex seat : *seats) b.seats.push_back(map.label(seat));
    b.total_minor = TotalMinor(show, *seats);
    b.currency = show.settings.currency;
    b.payment_ref = payment_ref;
    b.booked_at_ms = now_ms;
    StatusOr<Result> row = Exec(
        "INSERT INTO bookings (show_id, hold_id, owner, seats, total_minor, currency, "
        "payment_ref, booked_at_ms) VALUES ($1, $2, $3, $4::int[], $5, $6, $7, $8) RETURNING id",
        {show_id, hold_id, b.user, seat_list, std::to_string(b.total_minor), b.currency,
         payment_ref, std::to_string(now_ms)});
    if (!row.ok()) return row.status();
    b.booking = static_cast<core::BookingId>(row->Int(0, 0));
    StatusOr<Result> done = Exec("UPDATE holds SET status = 2 WHERE id = $1", {hold_id});
    if (!done.ok()) return done.status();
    return true;
  });
  if (!s.ok()) return s;
  return out;
}

StatusOr<std::vector<service::BookingView>> PostgresStore::Bookings(const service::Show& show) {
  const core::SeatMap& map = *show.venue->map;
  StatusOr<Result> r = Exec(
      "SELECT id, hold_id, owner, seats, total_minor, currency, payment_ref, booked_at_ms "
      "FROM bookings WHERE show_id = $1 ORDER BY id",
      {std::to_string(show.id)});
  if (!r.ok()) return r.status();
  std::vector<service::BookingView> out;
  for (int i = 0; i < r->rows(); ++i) {
    service::BookingView b;
    b.show = show.id;
    b.booking = static_cast<core::BookingId>(r->Int(i, 0));
    b.hold = static_cast<core::HoldId>(r->Int(i, 1));
    b.user = std::string(r->Text(i, 2));
    const std::optional<std::vector<core::SeatIndex>> seats =
        ParseIntArray(r->Text(i, 3), map.seat_count());
    if (!seats) return Status::Corruption("postgres: booking " + std::to_string(b.booking));
    for (core::SeatIndex seat : *seats) b.seats.push_back(map.label(seat));
    b.total_minor = r->Int(i, 4);
    b.currency = std::string(r->Text(i, 5));
    b.payment_ref = std::string(r->Text(i, 6));
    b.booked_at_ms = r->Int(i, 7);
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace boxoffice::baselines
