// SimClock: the simulation's time (core::Clock). True time is the monotonic
// reading and moves only when the simulation says; the wall clock is true
// time plus an error the simulation steps either way, as NTP does, and
// corrects back to nothing. Not thread-safe: the simulation has one thread.
#pragma once

#include "core/clock.h"

namespace boxoffice::sim {

class SimClock final : public core::Clock {
 public:
  explicit SimClock(core::TimeMs start_ms) : now_ms_(start_ms) {}
  core::TimeMs NowMs() const override { return now_ms_; }
  core::TimeMs WallMs() const override { return now_ms_ + wall_error_ms_; }

  void Advance(core::DurationMs by_ms) { now_ms_ += by_ms; }
  void StepWall(core::DurationMs by_ms) { wall_error_ms_ += by_ms; }
  void CorrectWall() { wall_error_ms_ = 0; }
  core::DurationMs wall_error_ms() const { return wall_error_ms_; }

 private:
  core::TimeMs now_ms_;
  core::DurationMs wall_error_ms_ = 0;
};

}  // namespace boxoffice::sim
