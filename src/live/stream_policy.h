// StreamPolicy: when a live-stream connection sends a heartbeat, and when a
// connection whose writes no longer drain is cut off. Time is a parameter.
//
// A write that has not completed after `stall_ms` means the client stopped
// reading (its socket buffers are full): the connection is closed, so that it
// holds no more than its one outbound batch. A connection with nothing to
// send for `heartbeat_ms` sends a heartbeat (SSE comment, WebSocket ping) so
// that proxies keep it open.
#pragma once

#include <chrono>
#include <optional>

#include "core/types.h"

namespace boxoffice::live {

inline constexpr core::DurationMs kHeartbeatMsDefault = 15'000;   // config live_heartbeat_ms
inline constexpr core::DurationMs kWriteStallMsDefault = 10'000;  // config live_stall_timeout_ms
// Bytes of changes handed to one connection's writes at a time: its outbound buffer.
inline constexpr size_t kOutboundBytesMax = 64 << 10;
// The hub's notifier gathers changes for this long after the first one before
// encoding and waking subscribers: one wake-up per burst, not per change.
inline constexpr std::chrono::microseconds kNotifyCoalesce{1'000};
// Hold events waiting for one connection; beyond this it is too slow.
inline constexpr size_t kHoldEventsQueuedMax = 64;
// Live-stream connections per server (beyond: 503).
inline constexpr size_t kSubscribersMaxDefault = 10'000;

struct StreamTiming {
  core::DurationMs heartbeat_ms = kHeartbeatMsDefault;
  core::DurationMs stall_ms = kWriteStallMsDefault;
};

enum class TickAction { kNone, kHeartbeat, kDisconnect };

// What to do at `now_ms` for a connection that last finished sending at
// `last_sent_ms` and, if a write is in flight, started it at `write_started_ms`.
inline TickAction Tick(const StreamTiming& t, core::TimeMs now_ms, core::TimeMs last_sent_ms,
                       std::optional<core::TimeMs> write_started_ms) {
  if (write_started_ms) {
    return now_ms - *write_started_ms >= t.stall_ms ? TickAction::kDisconnect : TickAction::kNone;
  }
  return now_ms - last_sent_ms >= t.heartbeat_ms ? TickAction::kHeartbeat : TickAction::kNone;
}

// How often a connection checks Tick: often enough to act within a quarter of
// the shorter period.
inline core::DurationMs TickIntervalMs(const StreamTiming& t) {
  const core::DurationMs shortest = t.heartbeat_ms < t.stall_ms ? t.heartbeat_ms : t.stall_ms;
  const core::DurationMs quarter = shortest / 4;
  return quarter < 10 ? 10 : quarter;
}

}  // namespace boxoffice::live
