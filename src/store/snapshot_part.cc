#include "store/snapshot_part.h"

#include <algorithm>
#include <string>
#include <vector>

namespace boxoffice::store {

namespace {

template <typename T>
std::vector<T> OfShow(const std::vector<T>& all, ShowId show) {
  std::vector<T> out;
  std::copy_if(all.begin(), all.end(), std::back_inserter(out),
               [show](const T& r) { return r.show_id == show; });
  return out;
}

}  // namespace

StatusOr<Snapshot> ShowPart(const Snapshot& all, ShowId show) {
  Snapshot part;
  part.shows = OfShow(all.shows, show);
  if (part.shows.empty())
    return Status::NotFound("show " + std::to_string(show) + ": no such show");
  const uint64_t venue = part.shows[0].venue_id;
  std::copy_if(all.venues.begin(), all.venues.end(), std::back_inserter(part.venues),
               [venue](const VenueRecord& v) { return v.venue_id == venue; });
  part.live_holds = OfShow(all.live_holds, show);
  part.closed_holds = OfShow(all.closed_holds, show);
  part.bookings = OfShow(all.bookings, show);
  part.blocked = OfShow(all.blocked, show);
  part.versions = OfShow(all.versions, show);
  part.payments = OfShow(all.payments, show);
  part.hold_trail = OfShow(all.hold_trail, show);
  part.tickets = OfShow(all.tickets, show);
  part.queue_rooms = OfShow(all.queue_rooms, show);
  part.queue_joins = OfShow(all.queue_joins, show);
  part.queue_sessions = OfShow(all.queue_sessions, show);
  part.queue_progress = OfShow(all.queue_progress, show);
  part.show_sales = OfShow(all.show_sales, show);
  part.checkins = OfShow(all.checkins, show);
  return part;
}

}  // namespace boxoffice::store
