#include "core/types.h"

namespace boxoffice::core {

std::string_view SeatStateName(SeatState s) {
  switch (s) {
    case SeatState::kFree:
      return "free";
    case SeatState::kHeld:
      return "held";
    case SeatState::kBooked:
      return "booked";
    case SeatState::kBlocked:
      return "blocked";
  }
  return "unknown";
}

std::string_view OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kOk:
      return "ok";
    case Outcome::kSeatUnavailable:
      return "seat_unavailable";
    case Outcome::kNotEnoughSeats:
      return "not_enough_seats";
    case Outcome::kOwnerLimitExceeded:
      return "owner_limit_exceeded";
    case Outcome::kInvalidRequest:
      return "invalid_request";
    case Outcome::kHoldNotFound:
      return "hold_not_found";
    case Outcome::kWrongToken:
      return "wrong_token";
    case Outcome::kHoldExpired:
      return "hold_expired";
    case Outcome::kHoldReleased:
      return "hold_released";
    case Outcome::kHoldConfirmed:
      return "hold_confirmed";
    case Outcome::kExtensionLimit:
      return "extension_limit";
    case Outcome::kBookingNotFound:
      return "booking_not_found";
    case Outcome::kBookingCancelled:
      return "booking_cancelled";
    case Outcome::kSeatNotBlocked:
      return "seat_not_blocked";
  }
  return "unknown";
}

bool TokensEqualConstantTime(const Token& a, const Token& b) {
  uint8_t diff = 0;
  for (size_t i = 0; i < a.bytes.size(); ++i) diff |= static_cast<uint8_t>(a.bytes[i] ^ b.bytes[i]);
  return diff == 0;
}

}  // namespace boxoffice::core
