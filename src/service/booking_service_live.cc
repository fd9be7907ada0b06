// The booking service's side of the live stream: every change goes to the
// change sink, and the hold lifecycle events the changes mean (expired,
// booked) go to the hold-event sink, as does "expiring soon" from the sweeper.
// Everything here runs under the show's lock and only queues.
#include "service/booking_service.h"

namespace boxoffice::service {

void BookingService::Announce(const Show& show, const core::ShowInventory& inv) {
  const core::ChangeLog& log = inv.changes();
  if (log.empty()) return;
  if (change_sink_ != nullptr) change_sink_->OnChanges(show.venue->map, log);
  if (hold_events_ == nullptr) return;
  for (const core::Change& c : log.changes()) {
    HoldEvent ev;
    ev.show = show.id;
    ev.hold = c.hold;
    ev.at_ms = c.at_ms;
    switch (c.reason) {
      case core::ChangeReason::kHeld: {
        core::HoldInfo h;
        if (inv.FindHold(c.hold, c.at_ms, &h) == core::Outcome::kOk)
          warnings_.Add(show.id, c.hold, h.expires_at_ms - hold_warning_ms_);
        continue;
      }
      case core::ChangeReason::kExpired: {
        const auto closed = inv.FindClosedHold(c.hold);
        if (!closed) continue;
        ev.kind = HoldEventKind::kExpired;
        ev.user = owners_.User(closed->owner);
        break;
      }
      case core::ChangeReason::kBooked: {
        const auto booking = inv.FindBooking(c.booking);
        if (!booking) continue;
        ev.kind = HoldEventKind::kBooked;
        ev.user = owners_.User(booking->owner);
        ev.booking = c.booking;
        break;
      }
      default:
        continue;
    }
    hold_events_->Publish(ev);
  }
}

void BookingService::WarnExpiringSoon(const Show& show, const core::ShowInventory& inv,
                                      core::TimeMs now) {
  if (hold_events_ == nullptr) return;
  for (core::HoldId hold : warnings_.TakeDue(show.id, now)) {
    core::HoldInfo h;
    if (inv.FindHold(hold, now, &h) != core::Outcome::kOk) continue;  // closed meanwhile
    if (h.expires_at_ms - hold_warning_ms_ > now) {                   // extended: warn later
      warnings_.Add(show.id, hold, h.expires_at_ms - hold_warning_ms_);
      continue;
    }
    HoldEvent ev;
    ev.show = show.id;
    ev.hold = hold;
    ev.user = owners_.User(h.owner);
    ev.kind = HoldEventKind::kExpiringSoon;
    ev.at_ms = now;
    ev.expires_at_ms = clock_.ToWallMs(h.expires_at_ms);  // as the fan sees it
    hold_events_->Publish(ev);
  }
}

}  // namespace boxoffice::service
