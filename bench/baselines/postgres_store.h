// PostgresStore: the naive PostgreSQL flow the seed design names as the
// alternative, with synchronous_commit on (a COMMIT returns after its WAL is
// flushed).
//
//   seats(show_id, seat, label, state, hold_id, expires_at_ms)   one row per seat
//   holds(id, show_id, owner, token, seats, expires_at_ms, status)
//   bookings(id, show_id, hold_id, owner, seats, total_minor, currency, payment_ref, booked_at_ms)
//
//   hold     BEGIN; SELECT ... FROM seats WHERE show_id = $1 AND seat = ANY($2)
//            ORDER BY seat FOR UPDATE; every seat free or its hold expired, else
//            ROLLBACK; INSERT the hold; UPDATE the seats; COMMIT
//   confirm  BEGIN; SELECT the hold FOR UPDATE; live? SELECT its seats FOR
//            UPDATE, still its own? UPDATE seats to booked; INSERT the
//            booking; UPDATE the hold; COMMIT
//   release  BEGIN; SELECT the hold FOR UPDATE; token? UPDATE its seats to
//            free; UPDATE the hold; COMMIT
//   expiry   none: a held seat whose expires_at_ms passed counts as free
//   read     SELECT state, expires_at_ms FROM seats WHERE show_id = $1 ORDER BY seat
//
// A deadlock or serialization failure is retried (kTransactionTriesMax).
// Thread-safety: one connection; one thread at a time.
#pragma once

#include <string>

#include "seat_store.h"

struct pg_conn;
struct pg_result;

namespace boxoffice::baselines {

inline constexpr int kTransactionTriesMax = 5;

class PostgresStore final : public SeatStore {
 public:
  // `conninfo`: a libpq connection string (host=127.0.0.1 port=... dbname=...).
  explicit PostgresStore(std::string conninfo);
  ~PostgresStore() override;

  // Creates the tables if they do not exist.
  Status CreateSchema();

  Status CreateShow(const service::Show& show) override;
  StatusOr<std::vector<core::SeatState>> SeatStates(const service::Show& show,
                                                    core::TimeMs now_ms) override;
  StatusOr<HoldResult> Hold(const service::Show& show, const std::string& user,
                            std::span<const core::SeatIndex> seats, const core::Token& token,
                            core::TimeMs now_ms) override;
  StatusOr<core::Outcome> Release(const service::Show& show, core::HoldId hold,
                                  const std::string& user, const core::Token& token,
                                  core::TimeMs now_ms) override;
  StatusOr<ConfirmResult> Confirm(const service::Show& show, core::HoldId hold,
                                  const std::string& payment_ref, core::TimeMs now_ms) override;
  StatusOr<std::vector<service::BookingView>> Bookings(const service::Show& show) override;

 private:
  class Result;
  // Runs one statement with text parameters.
  StatusOr<Result> Exec(const char* sql, const std::vector<std::string>& params = {});
  // Runs `body` inside BEGIN ... COMMIT (body returns false to roll back),
  // again on deadlock or serialization failure.
  template <typename Body>
  Status Transaction(Body&& body);

  const std::string conninfo_;
  pg_conn* conn_ = nullptr;
};

}  // namespace boxoffice::baselines
