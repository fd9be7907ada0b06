// SystemClock: the process's core::Clock. NowMs is std::chrono::steady_clock
// anchored to std::chrono::system_clock when the SystemClock was made;
// WallMs is system_clock. Make one per process and hand it down.
//
// WallAheadMs moves only when the two clocks drift apart by more than
// kWallStepMinMs (a step of the wall clock, or slow drift adding up): two
// reads of two clocks differ by a millisecond now and then, and a deadline
// shown to a fan must not wobble from one answer to the next.
#pragma once

#include <atomic>
#include <chrono>

#include "core/clock.h"

namespace boxoffice::service {

// The wall clock right now, for tools and tests that mint or check tokens.
core::TimeMs SystemWallMs();

inline constexpr core::DurationMs kWallStepMinMs = 250;

class SystemClock final : public core::Clock {
 public:
  SystemClock();
  core::TimeMs NowMs() const override;
  core::TimeMs WallMs() const override;
  core::DurationMs WallAheadMs() const override;

 private:
  const std::chrono::steady_clock::time_point anchor_steady_;
  const core::TimeMs anchor_wall_ms_;
  mutable std::atomic<core::DurationMs> wall_ahead_ms_{0};
};

}  // namespace boxoffice::service
