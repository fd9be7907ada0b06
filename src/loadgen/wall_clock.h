// The wall clock, read in one place: the server states hold expiry as a wall
// time (expires_at), and the load generator runs on the same machine.
//
// Thread-safety: any thread.
#pragma once

#include <chrono>

#include "core/types.h"

namespace boxoffice::loadgen {

inline core::TimeMs WallNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace boxoffice::loadgen
