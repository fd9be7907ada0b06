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
};
inline constexpr size_t kRequestKindCount = 6;
std::string_view RequestKindName(RequestKind k);

// The routes the fans call, for the tally of response statuses.
enum class Route : uint8_t { kAvailability = 0, kHold, kRelease, kConfirm, kCheckout, kHoldStatus };
inline constexpr size_t kRouteCount = 6;
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
  uint64_t abandoned = 0;  // walked away from a hold (it expires)
  uint64_t sold_out = 0;   // found nothing free and nothing held
  uint64_t gave_up = 0;    // every attempt failed (conflicts, seats still held)
  uint64_t failed = 0;     // a transport error or an unexpected answer ended the visit

  uint64_t total() const { return booked + abandoned + sold_out + gave_up + failed; }
  uint64_t got_nothing() const { return sold_out + gave_up + failed; }
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

  std::optional<double> held_drained_after_expiry_ms;  // when availability first showed 0 held
  AuditResult audit;

  // PASS: the audit found nothing and every answer fit the fan model.
  bool ok() const { return audit.ok() && unexpected == 0 && transport_errors == 0; }
};

std::string RenderText(const BenchReport& r);
std::string RenderJson(const BenchReport& r);

}  // namespace boxoffice::loadgen
