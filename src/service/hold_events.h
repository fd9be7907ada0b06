// Hold lifecycle events for the fan who holds the seats, pushed on the show's
// live stream (expiring soon, expired, booked, refunded). The booking service
// publishes them through a HoldEventSink; the live-stream hub implements it.
//
// Publish is called from any thread, possibly under a show's lock, so it must
// not block: queue and return.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/types.h"

namespace boxoffice::service {

enum class HoldEventKind : uint8_t {
  kExpiringSoon = 0,  // the hold expires within the show's warning time
  kExpired,
  kBooked,
  kRefunded,  // a payment for the hold was refunded (e.g. it came after the seats were gone)
};

inline std::string_view HoldEventKindName(HoldEventKind k) {
  switch (k) {
    case HoldEventKind::kExpiringSoon:
      return "expiring_soon";
    case HoldEventKind::kExpired:
      return "expired";
    case HoldEventKind::kBooked:
      return "booked";
    case HoldEventKind::kRefunded:
      return "refunded";
  }
  return "unknown";
}

struct HoldEvent {
  core::ShowId show = 0;
  core::HoldId hold = 0;
  std::string user;  // the holder, as in the JWT subject
  HoldEventKind kind = HoldEventKind::kExpired;
  core::TimeMs at_ms = 0;
  core::TimeMs expires_at_ms = 0;  // kExpiringSoon
  core::BookingId booking = 0;     // kBooked
  std::string reason;              // kRefunded: why, in words
};

class HoldEventSink {
 public:
  virtual ~HoldEventSink() = default;
  virtual void Publish(const HoldEvent& e) = 0;
};

}  // namespace boxoffice::service
