// FakeClock: time that moves only when a test says so. Safe to read from
// other threads (a service's sweeper) while the test moves it.
//
// Its two readings (core::Clock) move together with Advance and Set; the
// wall clock alone steps with StepWall, as NTP may step it either way.
#pragma once

#include <atomic>

#include "core/clock.h"
#include "core/types.h"

namespace boxoffice::testing {

class FakeClock final : public core::Clock {
 public:
  explicit FakeClock(core::TimeMs start_ms = 1'800'000'000'000) : now_ms_(start_ms) {}
  core::TimeMs NowMs() const override { return now_ms_.load(std::memory_order_acquire); }
  core::TimeMs WallMs() const override {
    return NowMs() + wall_offset_ms_.load(std::memory_order_acquire);
  }
  core::TimeMs now_ms() const { return NowMs(); }
  // Time passes: both readings move on.
  void Advance(core::DurationMs by_ms) { now_ms_.fetch_add(by_ms, std::memory_order_acq_rel); }
  // The monotonic reading becomes `t` (the wall clock keeps its step).
  void Set(core::TimeMs t) { now_ms_.store(t, std::memory_order_release); }
  // The wall clock is stepped by `by_ms` (either way); monotonic time is not.
  void StepWall(core::DurationMs by_ms) {
    wall_offset_ms_.fetch_add(by_ms, std::memory_order_acq_rel);
  }

 private:
  std::atomic<core::TimeMs> now_ms_;
  std::atomic<core::TimeMs> wall_offset_ms_{0};
};

}  // namespace boxoffice::testing
