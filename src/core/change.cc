#include "core/change.h"

namespace boxoffice::core {

std::string_view ChangeReasonName(ChangeReason r) {
  switch (r) {
    case ChangeReason::kHeld:
      return "held";
    case ChangeReason::kReleased:
      return "released";
    case ChangeReason::kExpired:
      return "expired";
    case ChangeReason::kBooked:
      return "booked";
    case ChangeReason::kCancelled:
      return "cancelled";
    case ChangeReason::kBlocked:
      return "blocked";
    case ChangeReason::kUnblocked:
      return "unblocked";
  }
  return "unknown";
}

}  // namespace boxoffice::core
