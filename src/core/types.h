// Vocabulary types shared by the whole domain core.
//
// Time is always a parameter: milliseconds since the Unix epoch (`*_ms`).
// The core never reads a clock, opens a file or starts a thread.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace boxoffice::core {

using TimeMs = int64_t;      // wall-clock milliseconds since the Unix epoch
using DurationMs = int64_t;  // a span of milliseconds
using SeatIndex = uint32_t;  // dense index of a seat within its SeatMap
using SectionIndex = uint16_t;
using CategoryIndex = uint16_t;
using RowIndex = uint32_t;
using OwnerId = uint64_t;    // the fan (or box office) that asks; opaque, never 0
using HoldId = uint64_t;     // unique within a show, never reused
using BookingId = uint64_t;  // unique within a show, never reused
using ShowId = uint64_t;
using Version = uint64_t;  // per-show change counter, +1 for every Change

inline constexpr SeatIndex kNoSeat = UINT32_MAX;

// The state of one seat. Stable numbering: the snapshot encoding depends on it.
enum class SeatState : uint8_t { kFree = 0, kHeld = 1, kBooked = 2, kBlocked = 3 };
inline constexpr int kSeatStateCount = 4;

std::string_view SeatStateName(SeatState s);

// Domain outcomes of inventory operations: expected results, not errors.
// Stable and ordered; new values are appended, never renumbered.
enum class Outcome : uint8_t {
  kOk = 0,
  kSeatUnavailable,     // one or more seats are held, booked or blocked
  kNotEnoughSeats,      // best-available or GA found fewer than asked
  kOwnerLimitExceeded,  // the owner would hold/own more seats than allowed
  kInvalidRequest,      // count zero, too many seats, duplicate seats, wrong area...
  kHoldNotFound,
  kWrongToken,
  kHoldExpired,
  kHoldReleased,
  kHoldConfirmed,   // the hold already became a booking
  kExtensionLimit,  // the hold is already at its maximum lifetime
  kBookingNotFound,
  kBookingCancelled,  // the booking was already cancelled
  kSeatNotBlocked,
};
// The last Outcome: tests walk every value up to it. Keep it the last one appended.
inline constexpr Outcome kOutcomeLast = Outcome::kSeatNotBlocked;

std::string_view OutcomeName(Outcome o);

// A secret that proves the right to act on a hold. 128 random bits.
struct Token {
  std::array<uint8_t, 16> bytes{};
  friend bool operator==(const Token&, const Token&) = default;
};

// Compares two tokens in time independent of where they differ.
bool TokensEqualConstantTime(const Token& a, const Token& b);

// Where unguessable tokens come from. The core does not read randomness
// itself; production passes a CSPRNG-backed source, tests a seeded one.
class TokenSource {
 public:
  virtual ~TokenSource() = default;
  virtual Token Next() = 0;
};

}  // namespace boxoffice::core
