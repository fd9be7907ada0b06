// The invariant auditor: checks one show completely, from scratch.
//
// It recounts everything the inventory maintains incrementally and compares:
// no seat in two live holds or bookings, every held/booked seat owned by
// exactly the hold/booking its state names, section/category/row counts equal
// to a recount, GA places accounted for (free + held + booked = capacity),
// owners' seat counts, and versions that only go up. O(seats + holds +
// bookings): for tests and the admin endpoint, never the hot path.
#pragma once

#include <string>
#include <vector>

#include "core/show_inventory.h"

namespace boxoffice::core {

struct AuditReport {
  std::vector<std::string> violations;  // empty when the show is consistent
  bool ok() const { return violations.empty(); }
  std::string Summary() const;
};

// Checks `show`; `previous_version` is a version seen earlier (0 if none).
AuditReport AuditShow(const ShowInventory& show, Version previous_version = 0);

// Remembers the version of its last audit so that versions must never go down.
class Auditor {
 public:
  AuditReport Check(const ShowInventory& show) {
    AuditReport r = AuditShow(show, last_version_);
    last_version_ = show.version();
    return r;
  }

 private:
  Version last_version_ = 0;
};

}  // namespace boxoffice::core
