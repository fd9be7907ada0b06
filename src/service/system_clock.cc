#include "service/system_clock.h"

namespace boxoffice::service {

core::TimeMs SystemWallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

SystemClock::SystemClock()
    : anchor_steady_(std::chrono::steady_clock::now()), anchor_wall_ms_(SystemWallMs()) {}

core::TimeMs SystemClock::NowMs() const {
  return anchor_wall_ms_ + std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now() - anchor_steady_)
                               .count();
}

core::TimeMs SystemClock::WallMs() const { return SystemWallMs(); }

core::DurationMs SystemClock::WallAheadMs() const {
  const core::DurationMs measured = WallMs() - NowMs();
  core::DurationMs kept = wall_ahead_ms_.load(std::memory_order_relaxed);
  if (measured - kept > kWallStepMinMs || kept - measured > kWallStepMinMs) {
    wall_ahead_ms_.store(measured, std::memory_order_relaxed);
    kept = measured;
  }
  return kept;
}

}  // namespace boxoffice::service
