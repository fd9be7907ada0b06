// Actions: one step of a simulated run each, as data, so that a run is a
// list that can be printed, replayed and shrunk. Generate() draws a run from
// a seed; an action whose object no longer exists (a hold never made, once
// the steps before were shrunk away) does nothing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/types.h"

namespace boxoffice::sim {

enum class ActionKind : uint8_t {
  // Fans and organisers, through the API.
  kHold,           // fan, show; arg: 0 seats (pick: row and seat; count), 1 best, 2 GA
  kExtend,         // pick: a hold
  kRelease,        // pick: a hold
  kCheckout,       // pick: a hold
  kPay,            // pick: a payment a fan was shown; arg: 0 approve, 1 decline
  kConfirm,        // pick: a hold; the box office sells it
  kCancelBooking,  // pick: a booking
  kReplay,         // pick: an earlier request with an Idempotency-Key, sent again
  kJoinQueue,      // fan
  kQueueAccess,    // fan
  kEndSession,     // fan
  kReadHold,       // pick: a hold
  // Time and the sweeper.
  kAdvance,  // ms
  kSweep,
  // Faults.
  kDurable,        // arg: how many waiting batches become durable
  kStoreFail,      // the next batch fails; the server is restarted
  kCrash,          // kill -9 and restart
  kGatewayAnswer,  // pick: one of the gateway's waiting answers
  kWebhook,        // pick: an event in the gateway's outbox; arg: 0 deliver, 1 twice, 2 lose
  kGatewayDown,    // arg: 1 down, 0 up
  kWallStep,       // ms: the wall clock is stepped
  kWallCorrect,
};

struct Action {
  ActionKind kind = ActionKind::kSweep;
  uint32_t fan = 0;
  uint32_t show = 0;
  uint32_t pick = 0;
  uint32_t arg = 0;
  uint32_t count = 1;
  bool keyed = false;  // sent with an Idempotency-Key
  core::DurationMs ms = 0;
};

inline constexpr uint32_t kShows = 2;            // show 1 has a waiting room
inline constexpr uint32_t kFans = 2'000;         // fans that may act
inline constexpr uint32_t kSections = 2;         // a grid per show...
inline constexpr uint32_t kRows = 4;             // ...of rows...
inline constexpr uint32_t kSeatsPerRow = 8;      // ...of seats,
inline constexpr uint32_t kPlacesStanding = 20;  // and a general-admission area

std::vector<Action> Generate(uint64_t seed, size_t steps);
std::string Describe(const Action& a);

}  // namespace boxoffice::sim
