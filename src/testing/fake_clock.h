// FakeClock: time that moves only when a test says so. Safe to read from
// other threads (a service's sweeper) while the test moves it.
#pragma once

#include <atomic>

#include "core/types.h"

namespace boxoffice::testing {

class FakeClock {
 public:
  explicit FakeClock(core::TimeMs start_ms = 1'800'000'000'000) : now_ms_(start_ms) {}
  core::TimeMs now_ms() const { return now_ms_.load(std::memory_order_acquire); }
  void Advance(core::DurationMs by_ms) { now_ms_.fetch_add(by_ms, std::memory_order_acq_rel); }
  void Set(core::TimeMs t) { now_ms_.store(t, std::memory_order_release); }

 private:
  std::atomic<core::TimeMs> now_ms_;
};

}  // namespace boxoffice::testing
