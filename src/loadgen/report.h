// BenchReport: everything a `boxoffice bench` run measured and found, and
// its two renderings: a text report for the terminal and JSON (--json).
//
// Latencies are per request type, from the first byte written to the last
// byte read (connection set-up excluded), in a LatencyHistogram each.
// Throughput is per phase of the run:
//   setup         create the venue and the show, read the seat map
//   on sale       from the first fan to the sell-out (or the last fan)
//   sold out      from the sell-out to the last fan
//   expiry wait   until every hold is past its expiry plus the check delay
//   audit         read every booking and the availability, check them
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loadgen/audit.h"
#include "loadgen/bench_options.h"
#include "loadgen/histogram.h"

namespace boxoffice::loadgen {

// What the latency of a request is filed under.
enum class RequestKind : uint8_t {
  kAvailability = 0,  // GET availability (200 or 304)
  kHoldCreated,       // POST holds answered 201/200
  kHoldConflict,      // POST holds answered 409 (seat_unavailable, not_enough_seats)
  kRelease,           // DELETE a hold
  kConfirm,           // POST confirm (box-office payment)
  kCheckout,          // POST checkout (payment through the gateway)
  kQueueJoin,         // POST queue (join the waiting room)
  kQueueStatus,       // GET queue/status (200 or 304)
  kQueueAccess,       // POST queue/access answered 200
};
inline constexpr size_t kRequestKindCount = 9;
std::string_view RequestKindName(RequestKind k);

// The routes the fans call, for the tally of response statuses.
enum class Route : uint8_t {
  kAvailability = 0,
  kHold,
  kRelease,
  kConfirm,
  kCheckout,
  kHoldStatus,
  kQueueJoin,
  kQueueStatus,
  kQueueAccess,
};
inline constexpr size_t kRouteCount = 9;
std::string_view RouteName(Route r);

struct PhaseStats {
  std::string name;
  double seconds = 0;
  uint64_t requests = 0;
  uint64_t holds = 0;
  uint64_t bookings = 0;
  uint64_t conflicts = 0;
};

// One second of the sale, as the progress line shows it.
struct TimelinePoint {
  double at_s = 0;  // end of the interval, from the first fan
  double interval_s = 0;
  uint64_t holds = 0;  // in the interval
  uint64_t bookings = 0;
  uint64_t conflicts = 0;
  uint64_t requests = 0;        // answered in the interval
  uint64_t bookings_total = 0;  // since the start
  double p50_ms = 0;            // of the requests answered in the interval
  double p99_ms = 0;
};

// How each fan's visit ended.
struct FanTally {
  uint64_t booked = 0;
  uint64_t abandoned = 0;      // walked away from a hold (it expires)
  uint64_t sold_out = 0;       // found nothing free and nothing held
  uint64_t gave_up = 0;        // every attempt failed (conflicts, seats still held)
  uint64_t failed = 0;         // a transport error or an unexpected answer ended the visit
  uint64_t told_sold_out = 0;  // the waiting room said no seats were left for them
  uint64_t session_over = 0;   // their shopping session ended before they booked

  uint64_t total() const { return booked + abandoned + got_nothing(); }
  uint64_t got_nothing() const {
    return sold_out + gave_up + failed + told_sold_out + session_over;
  }
};

struct BenchReport {
  BenchOptions options;  // as run (admin key and secret are never rendered)
  std::string venue_id;
  std::string show_id;
  uint64_t capacity = 0;

  std::vector<PhaseStats> phases;
  std::vector<TimelinePoint> timeline;  // one point per progress interval of the sale
  std::array<LatencyHistogram, kRequestKindCount> latency;
  std::array<std::map<unsigned, uint64_t>, kRouteCount> statuses;
  LatencyHistogram fan_wait;         // from a fan's arrival until inside (--fans-inside)
  LatencyHistogram connection_wait;  // from a request's start until a connection took it
  // How late the client's event loop ran a timer (sampled every 10 ms): what
  // the client itself may add to a latency.
  LatencyHistogram loop_lag;

  FanTally fans;
  uint64_t holds = 0;
  uint64_t bookings = 0;
  uint64_t seats_booked = 0;  // as the fans were told
  uint64_t conflicts = 0;
  uint64_t retries = 0;
  uint64_t releases = 0;
  uint64_t confirms_too_late = 0;  // the hold expired before the fan paid
  uint64_t payment_retries = 0;    // checkouts again after a declined payment
  uint64_t transport_errors = 0;
  uint64_t unexpected = 0;  // answers the fan model has no place for
  std::vector<std::string> failure_samples;
  std::optional<double> sold_out_after_s;

  uint64_t client_connects = 0;
  double sale_seconds = 0;
  uint64_t sale_requests = 0;
  double client_cpu_user_s = 0;
  double client_cpu_system_s = 0;

  // The waiting room (--queue): fans who joined, were admitted (got an
  // access token), and how long they waited from joining until admitted.
  uint64_t queue_joined = 0;
  uint64_t queue_admitted = 0;
  uint64_t line_jumps_refused = 0;  // holds tried without an access token, refused
  LatencyHistogram queue_wait;

  std::optional<double> held_drained_after_expiry_ms;  // when availability first showed 0 held
  AuditResult audit;

  // PASS: the audit found nothing and every answer fit the fan model.
  bool ok() const { return audit.ok() && unexpected == 0 && transport_errors == 0; }
};

std::string RenderText(const BenchReport& r);
std::string RenderJson(const BenchReport& r);

// ---- bench queue ----

// What the storm's latencies are filed under.
enum class StormRequest : uint8_t {
  kJoin = 0,           // POST queue answered 201
  kStatus,             // GET queue/status answered 200
  kStatusNotModified,  // GET queue/status answered 304 (If-None-Match)
};
inline constexpr size_t kStormRequestCount = 3;
std::string_view StormRequestName(StormRequest k);

// The server's memory as its /metrics reported it.
struct ServerMemory {
  std::optional<double> resident_bytes;  // process_resident_memory_bytes
  std::optional<double> queue_bytes;     // boxoffice_queue_bytes (every show), if exported
  std::optional<double> queue_fans;      // boxoffice_queue_fans (every show), if exported
};

// One phase of the storm: every fan joins, then every fan polls.
struct StormPhase {
  double seconds = 0;
  uint64_t requests = 0;     // answered, any status
  uint64_t answered_ok = 0;  // 201 joins; 200 or 304 polls
  double client_cpu_s = 0;   // user + system
};

struct QueueStormReport {
  BenchOptions options;  // as run (admin key and secret are never rendered)
  std::string venue_id;
  std::string show_id;

  StormPhase joins;
  StormPhase polls;
  std::array<LatencyHistogram, kStormRequestCount> latency;
  std::map<unsigned, uint64_t> join_statuses;
  std::map<unsigned, uint64_t> status_statuses;
  uint64_t transport_errors = 0;
  uint64_t unexpected = 0;  // answers other than 201 to a join, 200/304 to a poll
  std::vector<std::string> failure_samples;
  // The client's time minting the fans' JWTs (wall time inside SignJwt,
  // part of the joins' client CPU).
  double jwt_mint_seconds = 0;

  ServerMemory memory_before;         // before the first join
  ServerMemory memory_after;          // after the last join
  std::optional<uint64_t> room_fans;  // the room's "fans" (organiser's view) after the joins

  // (RSS after - RSS before) / fans; nullopt when the server does not export RSS.
  std::optional<double> resident_bytes_per_fan() const;
  std::optional<double> queue_bytes_per_fan() const;
  // PASS: every join and poll answered as expected, and the room counted every fan.
  bool ok() const { return transport_errors == 0 && unexpected == 0 && room_fans == options.fans; }
};

std::string RenderQueueText(const QueueStormReport& r);
std::string RenderQueueJson(const QueueStormReport& r);

}  // namespace boxoffice::loadgen
