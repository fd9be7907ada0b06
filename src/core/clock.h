// Clock: what "now" is, for everything above the core. The core never reads
// a clock: callers read one and pass the time in.
//
// Two readings:
//  - NowMs: a monotonic timeline. It never goes back and does not follow
//    steps of the wall clock (NTP), so hold deadlines, session ends, rates
//    and ages run on it. It is anchored to the wall clock when the clock is
//    made (the process starts), so its values read as wall-clock
//    milliseconds until the wall clock is stepped.
//  - WallMs: the wall clock, which may be stepped either way. Tokens other
//    systems issued (JWT, signed webhooks) are checked against it, and
//    deadlines cross the process boundary in it: stored with ToWallMs, read
//    back with FromWallMs, shown to fans as wall-clock times.
//
// Thread-safety: implementations may be read from any thread.
#pragma once

#include "core/types.h"

namespace boxoffice::core {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimeMs NowMs() const = 0;
  virtual TimeMs WallMs() const = 0;

  // How far the wall clock is ahead of the monotonic timeline right now.
  virtual DurationMs WallAheadMs() const { return WallMs() - NowMs(); }
  // An instant of the monotonic timeline as wall-clock time, and back.
  TimeMs ToWallMs(TimeMs t) const { return t + WallAheadMs(); }
  TimeMs FromWallMs(TimeMs wall) const { return wall - WallAheadMs(); }
};

}  // namespace boxoffice::core
