// RedisStore: the seed design's seat locks, faithfully.
//
//   hold     INCR the show's hold counter; per seat, one after another:
//            SET lock:show:S:seat:X {hold, user, token, expires_at_ms} NX EX ttl,
//            then GET it back to check the owner; on the first seat taken,
//            release the ones already locked (check-and-delete) and refuse.
//            Then HSET avail:show:S X held ... and SET hold:show:S:H {...} EX ttl.
//   confirm  GET the hold; INCR the booking counter; a Lua script checks that
//            every seat's lock still carries the hold's token and turns each
//            into a booking: SET without EX (no expiry), HSET avail booked,
//            HSET bookings:show:S id {booking}, the hold marked confirmed.
//   release  GET the hold, check user and token; a Lua script deletes the
//            locks that still carry the token (check-and-delete), HDELs them.
//   expiry   Redis's own key expiry: an expired lock is simply gone.
//   read     HGETALL avail:show:S; the seats it calls held are checked with an
//            MGET of their locks: a lock that expired leaves a stale "held",
//            which a Lua script then drops if the lock is still gone.
//
// X is the seat's index in the seat map (keys and hash fields); the API
// speaks labels.
//
// Durability is whatever the server's persistence settings give (the
// benchmark runs Debian's defaults: RDB snapshots, no AOF).
// Thread-safety: one connection; one thread at a time.
#pragma once

#include <memory>
#include <string>

#include "seat_store.h"

struct redisContext;

namespace boxoffice::baselines {

class RedisStore final : public SeatStore {
 public:
  RedisStore(std::string host, int port);
  ~RedisStore() override;

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
  class Reply;
  // Sends one command and waits for its reply; a broken connection is
  // dropped (the next command reconnects) and reported as Unavailable.
  StatusOr<Reply> Command(const std::vector<std::string>& args);
  // Check-and-delete of the locks of `seats` that carry `token`.
  Status Unlock(const service::Show& show, core::HoldId hold,
                std::span<const core::SeatIndex> seats, const std::string& token);

  const std::string host_;
  const int port_;
  redisContext* ctx_ = nullptr;
};

}  // namespace boxoffice::baselines
