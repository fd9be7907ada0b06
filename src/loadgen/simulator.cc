#include "loadgen/simulator.h"

#include <thread>

#include "loadgen/control.h"
#include "loadgen/crowd.h"
#include "loadgen/wall_clock.h"

namespace boxoffice::loadgen {
namespace {

using http::HttpRequest;
using Clock = std::chrono::steady_clock;

constexpr std::chrono::seconds kProgressInterval{1};

// Phase 1: the venue, the show and its seat map (and its waiting room).
StatusOr<SaleTarget> Setup(Control& c, const BenchOptions& o, BenchReport& report) {
  StatusOr<SaleTarget> t = SetUpSale(c, o);
  if (!t.ok()) return t.status();
  if (o.queue.enabled) {
    StatusOr<std::string> room = OpenWaitingRoom(c, o, t->show_id);
    if (!room.ok()) return room.status();
  }
  report.venue_id = t->venue_id;
  report.show_id = t->show_id;
  report.capacity = t->capacity;
  return t;
}

void PrintProgress(std::FILE* out, double elapsed_s, const BenchOptions& o, const SaleTarget& t,
                   const CrowdCounters& now, const CrowdCounters& before, double interval_s,
                   const LatencyHistogram& recent) {
  std::fprintf(
      out,
      "[%6.1f s] fans %llu/%llu  holds/s %.0f  bookings/s %.0f  conflicts %llu  p99 %.2f ms  "
      "seats booked %llu/%llu\n",
      elapsed_s, static_cast<unsigned long long>(now.fans_done),
      static_cast<unsigned long long>(o.fans),
      static_cast<double>(now.holds - before.holds) / interval_s,
      static_cast<double>(now.bookings - before.bookings) / interval_s,
      static_cast<unsigned long long>(now.conflicts),
      static_cast<double>(recent.Percentile(99)) / 1000.0,
      static_cast<unsigned long long>(now.seats_booked),
      static_cast<unsigned long long>(t.sellable));
  if (o.queue.enabled) {
    std::fprintf(out, "           in line %llu  admitted %llu  told sold out %llu\n",
                 static_cast<unsigned long long>(now.in_line),
                 static_cast<unsigned long long>(now.admitted),
                 static_cast<unsigned long long>(now.told_sold_out));
  }
  std::fflush(out);
}

PhaseStats Phase(std::string name, double seconds, const CrowdCounters& to,
                 const CrowdCounters& from) {
  return {std::move(name),
          seconds,
          to.requests - from.requests,
          to.holds - from.holds,
          to.bookings - from.bookings,
          to.conflicts - from.conflicts};
}

void FillFromCrowd(BenchReport& r, CrowdResult&& c) {
  r.latency = c.latency;
  r.statuses = c.statuses;
  r.fan_wait = c.fan_wait;
  r.connection_wait = c.connection_wait;
  r.loop_lag = c.loop_lag;
  r.fans = c.fans;
  r.retries = c.retries;
  r.releases = c.releases;
  r.confirms_too_late = c.confirms_too_late;
  r.payment_retries = c.payment_retries;
  r.transport_errors = c.transport_errors;
  r.unexpected = c.unexpected;
  r.client_connects = c.connects;
  r.failure_samples = std::move(c.failure_samples);
  r.queue_joined = c.queue_joined;
  r.line_jumps_refused = c.line_jumps_refused;
  r.queue_wait = c.queue_wait;
}

// Phase 2: the sale, with a progress line every second.
CrowdResult Sell(const BenchOptions& o, const SaleTarget& target, std::FILE* progress,
                 BenchReport& report) {
  Crowd crowd(o, target);
  const CpuTimes cpu0 = ProcessCpu();
  crowd.Start();
  CrowdCounters before{};
  Clock::time_point last = crowd.started_at();
  while (!crowd.WaitUntilDone(kProgressInterval)) {
    const Clock::time_point now = Clock::now();
    const CrowdCounters c = crowd.Counters();
    const LatencyHistogram recent = crowd.TakeRecentLatencies();
    report.timeline.push_back(TimelinePoint{
        Seconds(now - crowd.started_at()), Seconds(now - last), c.holds - before.holds,
        c.bookings - before.bookings, c.conflicts - before.conflicts, recent.count(), c.bookings,
        static_cast<double>(recent.Percentile(50)) / 1000.0,
        static_cast<double>(recent.Percentile(99)) / 1000.0});
    if (o.progress && progress != nullptr) {
      PrintProgress(progress, Seconds(now - crowd.started_at()), o, target, c, before,
                    Seconds(now - last), recent);
    }
    before = c;
    last = now;
  }
  crowd.Join();
  const Clock::time_point end = Clock::now();
  const CpuTimes cpu1 = ProcessCpu();
  const CrowdCounters total = crowd.Counters();
  report.sale_seconds = Seconds(end - crowd.started_at());
  report.sale_requests = total.requests;
  report.client_cpu_user_s = cpu1.user_s - cpu0.user_s;
  report.client_cpu_system_s = cpu1.system_s - cpu0.system_s;
  report.holds = total.holds;
  report.bookings = total.bookings;
  report.queue_admitted = total.admitted;
  report.seats_booked = total.seats_booked;
  report.conflicts = total.conflicts;
  if (const std::optional<SoldOutMoment> s = crowd.SoldOut()) {
    report.sold_out_after_s = Seconds(s->at - crowd.started_at());
    report.phases.push_back(Phase("on sale", *report.sold_out_after_s, s->counters, {}));
    report.phases.push_back(Phase("sold out", Seconds(end - s->at), total, s->counters));
  } else {
    report.phases.push_back(Phase("on sale", report.sale_seconds, total, {}));
  }
  CrowdResult result = crowd.Result();
  if (o.progress && progress != nullptr) {
    std::fprintf(progress, "[%6.1f s] every fan is done\n", report.sale_seconds);
  }
  return result;
}

// Phase 3: waits until every hold that may be live is past its expiry plus
// kExpiryCheckDelayMs and returns the availability read then; notes when the
// availability first showed nothing held.
StatusOr<AvailabilityView> WaitForExpiry(Control& c, const BenchOptions& o, const SaleTarget& t,
                                         const CrowdResult& crowd, core::TimeMs sale_end_ms,
                                         AuditInput& audit, BenchReport& report) {
  core::TimeMs latest = std::max(crowd.latest_open_expiry_ms, sale_end_ms);
  if (crowd.hold_unknown)
    latest = std::max(latest, sale_end_ms + core::DurationMs{o.hold_ttl_s} * 1000);
  const core::TimeMs check_at = latest + kExpiryCheckDelayMs;
  for (core::TimeMs now = WallNowMs(); now < check_at; now = WallNowMs()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(kExpiryPollMs, check_at - now)));
    const core::TimeMs sent = WallNowMs();
    if (sent < latest || report.held_drained_after_expiry_ms) continue;
    StatusOr<AvailabilityView> a = c.Availability(t.show_id, t.map.seat_count());
    if (!a.ok()) return a.status();
    if (a->held() == 0) report.held_drained_after_expiry_ms = static_cast<double>(sent - latest);
  }
  const core::TimeMs sent = WallNowMs();
  StatusOr<AvailabilityView> a = c.Availability(t.show_id, t.map.seat_count());
  audit.availability_read_after_last_expiry_ms = sent - latest;
  return a;
}

}  // namespace

StatusOr<BenchReport> RunScenario(const BenchOptions& o, std::FILE* progress) {
  if (Status s = ValidateOptions(o); !s.ok()) return s;
  BenchReport report;
  report.options = o;
  Control control(o);

  const Clock::time_point setup_start = Clock::now();
  StatusOr<SaleTarget> target = Setup(control, o, report);
  if (!target.ok()) return target.status();
  report.phases.push_back(
      {"setup", Seconds(Clock::now() - setup_start), control.requests(), 0, 0, 0});

  CrowdResult crowd = Sell(o, *target, progress, report);
  const core::TimeMs sale_end_ms = WallNowMs();

  AuditInput audit;
  const Clock::time_point wait_start = Clock::now();
  const uint64_t wait_requests0 = control.requests();
  StatusOr<AvailabilityView> availability =
      WaitForExpiry(control, o, *target, crowd, sale_end_ms, audit, report);
  if (!availability.ok()) return availability.status();
  report.phases.push_back({"expiry wait", Seconds(Clock::now() - wait_start),
                           control.requests() - wait_requests0, 0, 0, 0});

  const Clock::time_point audit_start = Clock::now();
  HttpRequest list{"GET", "/v1/bookings?show=" + target->show_id};
  list.body_bytes_max = kShowReadBytesMax;
  StatusOr<std::string> bookings = control.Admin(200, std::move(list));
  if (!bookings.ok()) return bookings.status();
  StatusOr<std::vector<BookingRecord>> parsed = ParseBookingList(*bookings);
  if (!parsed.ok()) return parsed.status();
  audit.map = target->map;
  audit.show_capacity = report.capacity;
  audit.bookings = std::move(parsed).value();
  audit.availability = std::move(availability).value();
  audit.told_booked = std::move(crowd.told_booked);
  if (o.scenario == Scenario::kHotseat) audit.booked_fans_max = target->hot_seats.size();
  if (o.queue.enabled) {
    audit.admitted_users = std::move(crowd.admitted_users);
    audit.held_without_access = std::move(crowd.held_without_access);
  }
  report.audit = Audit(audit);
  report.phases.push_back({"audit", Seconds(Clock::now() - audit_start), 1, 0, 0, 0});

  FillFromCrowd(report, std::move(crowd));
  return report;
}

}  // namespace boxoffice::loadgen
