// FakeClock: time that moves only when a test says so.
#pragma once

#include "core/types.h"

namespace boxoffice::testing {

class FakeClock {
 public:
  explicit FakeClock(core::TimeMs start_ms = 1'800'000'000'000) : now_ms_(start_ms) {}
  core::TimeMs now_ms() const { return now_ms_; }
  void Advance(core::DurationMs by_ms) { now_ms_ += by_ms; }
  void Set(core::TimeMs t) { now_ms_ = t; }

 private:
  core::TimeMs now_ms_;
};

}  // namespace boxoffice::testing
