// SeatStore: where a baseline keeps the state of every seat, hold and
// booking. The two baselines are the seed design's Redis seat locks
// (redis_store.h) and the naive PostgreSQL SELECT ... FOR UPDATE flow
// (postgres_store.h); the HTTP front end (baseline_api.h) is the same for
// both and keeps nothing but the catalog (venues, shows, seat maps) in memory.
//
// One SeatStore is one connection to its server. It is used by one worker
// thread at a time (worker_pool.h) and reconnects by itself after the server
// went away: an operation that fails on a broken connection returns an
// Unavailable status and the next one connects again.
//
// Times are wall-clock milliseconds of the API process; a hold is live while
// now < expires_at_ms (Redis: while its keys have not expired).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/types.h"
#include "service/booking_service.h"

namespace boxoffice::baselines {

struct HoldResult {
  core::Outcome outcome = core::Outcome::kOk;  // kOk or kSeatUnavailable
  core::HoldId hold = 0;
  core::TimeMs expires_at_ms = 0;
  std::vector<std::string> conflicts;  // labels, with kSeatUnavailable
};

struct ConfirmResult {
  core::Outcome outcome = core::Outcome::kOk;  // kOk, kHoldNotFound, kHoldExpired, kHoldConfirmed
  service::BookingView booking;                // with kOk
};

class SeatStore {
 public:
  virtual ~SeatStore() = default;

  // Prepares the store for a new show (PostgreSQL: one row per seat).
  virtual Status CreateShow(const service::Show& show) = 0;
  // Every seat's state in seat-map order; a seat whose hold expired is free.
  virtual StatusOr<std::vector<core::SeatState>> SeatStates(const service::Show& show,
                                                            core::TimeMs now_ms) = 0;
  // All or nothing: holds `seats` (sorted, distinct) for `user` until
  // now + the show's hold TTL, or names the seats that were taken.
  virtual StatusOr<HoldResult> Hold(const service::Show& show, const std::string& user,
                                    std::span<const core::SeatIndex> seats,
                                    const core::Token& token, core::TimeMs now_ms) = 0;
  // kOk, kHoldExpired (expired, released or unknown: Redis cannot tell them
  // apart), kWrongToken (not the token, or not the user's hold), kHoldConfirmed.
  virtual StatusOr<core::Outcome> Release(const service::Show& show, core::HoldId hold,
                                          const std::string& user, const core::Token& token,
                                          core::TimeMs now_ms) = 0;
  // Turns a live hold into a booking, durably as far as the store is.
  virtual StatusOr<ConfirmResult> Confirm(const service::Show& show, core::HoldId hold,
                                          const std::string& payment_ref, core::TimeMs now_ms) = 0;
  // Every booking of the show, in id order.
  virtual StatusOr<std::vector<service::BookingView>> Bookings(const service::Show& show) = 0;
};

// The price of `seats` at the show's prices.
int64_t TotalMinor(const service::Show& show, std::span<const core::SeatIndex> seats);

}  // namespace boxoffice::baselines
