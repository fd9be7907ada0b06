// ChangeSink: where a show's changes go as they are made (the live-stream
// hub). The booking service hands every drained batch of changes to it, in
// version order, under the show's lock.
//
// OnChanges runs on the thread that made the changes, inside the show's
// critical section, so it must not block or do more than copy: queue and
// return. `map` is the show's seat map (shared, immutable) for seat labels.
#pragma once

#include <memory>

#include "core/change.h"
#include "core/seat_map.h"

namespace boxoffice::service {

class ChangeSink {
 public:
  virtual ~ChangeSink() = default;
  virtual void OnChanges(const std::shared_ptr<const core::SeatMap>& map,
                         const core::ChangeLog& log) = 0;
};

}  // namespace boxoffice::service
