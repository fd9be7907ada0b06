#include "loadgen/report.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cstdarg>
#include <cstdio>

namespace boxoffice::loadgen {
namespace {

namespace json = boost::json;

constexpr std::array<double, 4> kPercentiles = {50, 90, 99, 99.9};
constexpr std::array<std::string_view, 4> kPercentileNames = {"p50", "p90", "p99", "p99_9"};

[[gnu::format(printf, 1, 2)]] std::string Format(const char* fmt, ...) {
  char buf[1024];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  return buf;
}

double Ms(uint64_t us) { return static_cast<double>(us) / 1000.0; }

double Rate(uint64_t n, double seconds) {
  return seconds > 0 ? static_cast<double>(n) / seconds : 0.0;
}

double CpuShare(const BenchReport& r) {
  return r.sale_seconds > 0 ? (r.client_cpu_user_s + r.client_cpu_system_s) / r.sale_seconds : 0.0;
}

std::string LatencyLine(std::string_view name, const LatencyHistogram& h) {
  std::string line =
      Format("%-14s %9llu", std::string(name).c_str(), static_cast<unsigned long long>(h.count()));
  for (double p : kPercentiles) line += Format(" %8.3f", Ms(h.Percentile(p)));
  return line + Format(" %8.3f\n", Ms(h.max_us()));
}

std::string WaitLine(const char* what, const LatencyHistogram& h) {
  return Format("  %s: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", what, Ms(h.Percentile(50)),
                Ms(h.Percentile(99)), Ms(h.max_us()));
}

std::string QueueSettingsText(const QueueSettings& q) {
  return Format(
      "  waiting room: pre-queue open, on sale in %u s; %u admissions/min, %u shoppers at most, "
      "%u s sessions",
      q.onsale_in_s, q.admissions_per_minute, q.shoppers_max, q.session_s);
}

std::string Settings(const BenchReport& r) {
  const BenchOptions& o = r.options;
  std::string s = Format("boxoffice bench %s against %s\n",
                         std::string(ScenarioName(o.scenario)).c_str(), o.server.Url().c_str());
  s += Format(
      "  show %s (venue %s): %llu seats; %llu fans, at most %llu inside; %u connections (%u client "
      "thread%s); %s",
      r.show_id.c_str(), r.venue_id.c_str(), static_cast<unsigned long long>(r.capacity),
      static_cast<unsigned long long>(o.fans), static_cast<unsigned long long>(o.fans_inside_max),
      o.connections, o.client_threads, o.client_threads == 1 ? "" : "s",
      std::string(ArrivalProfileName(o.profile)).c_str());
  if (o.profile != ArrivalProfile::kAllAtOnce) s += Format(" over %u s", o.duration_s);
  s += Format(";\n  hold TTL %u s; %u attempts per fan; seed %llu", o.hold_ttl_s, o.attempts,
              static_cast<unsigned long long>(o.seed));
  if (o.scenario == Scenario::kOnsale) {
    s += Format("; abandon %.2f, release %.2f, pay %.2f (%s); best-available %.2f", o.abandon,
                o.release, 1 - o.abandon - o.release, std::string(PaymentName(o.payment)).c_str(),
                o.best_available);
  }
  if (o.queue.enabled) s += ";\n" + QueueSettingsText(o.queue);
  return s + "\n\n";
}

std::string Phases(const BenchReport& r) {
  std::string s = Format("%-12s %8s %10s %9s %9s %10s %9s\n", "phase", "seconds", "requests",
                         "req/s", "holds/s", "bookings/s", "conflicts");
  for (const PhaseStats& p : r.phases) {
    s += Format("%-12s %8.3f %10llu %9.0f %9.0f %10.0f %9llu\n", p.name.c_str(), p.seconds,
                static_cast<unsigned long long>(p.requests), Rate(p.requests, p.seconds),
                Rate(p.holds, p.seconds), Rate(p.bookings, p.seconds),
                static_cast<unsigned long long>(p.conflicts));
  }
  return s + "\n";
}

std::string StatusTally(std::string_view route, const std::map<unsigned, uint64_t>& statuses) {
  std::string s = " " + std::string(route);
  for (const auto& [status, n] : statuses)
    s += Format(" %u:%llu", status, static_cast<unsigned long long>(n));
  return s + ";";
}

json::object StatusTallyJson(const std::map<unsigned, uint64_t>& statuses) {
  json::object by_status;
  for (const auto& [status, n] : statuses) by_status[std::to_string(status)] = n;
  return by_status;
}

std::string ErrorLines(uint64_t unexpected, uint64_t transport_errors,
                       const std::vector<std::string>& samples) {
  std::string s = Format("unexpected answers %llu, transport errors %llu\n",
                         static_cast<unsigned long long>(unexpected),
                         static_cast<unsigned long long>(transport_errors));
  for (const std::string& sample : samples) s += "  e.g. " + sample + "\n";
  return s;
}

json::value OptionalJson(const std::optional<double>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

std::string Latencies(const BenchReport& r) {
  std::string s = Format("%-14s %9s %8s %8s %8s %8s %8s\n", "latency (ms)", "requests", "p50",
                         "p90", "p99", "p99.9", "max");
  for (size_t k = 0; k < kRequestKindCount; ++k) {
    s += LatencyLine(RequestKindName(static_cast<RequestKind>(k)), r.latency[k]);
  }
  s += "statuses:";
  for (size_t k = 0; k < kRouteCount; ++k) {
    if (!r.statuses[k].empty()) s += StatusTally(RouteName(static_cast<Route>(k)), r.statuses[k]);
  }
  return s + "\n\n";
}

std::string Outcomes(const BenchReport& r) {
  const FanTally& f = r.fans;
  std::string s = Format(
      "fans: %llu = %llu booked + %llu abandoned a hold + %llu found it sold out + %llu gave up + "
      "%llu failed + %llu told sold out in line + %llu out of session time"
      " (got nothing: %llu)\n",
      static_cast<unsigned long long>(f.total()), static_cast<unsigned long long>(f.booked),
      static_cast<unsigned long long>(f.abandoned), static_cast<unsigned long long>(f.sold_out),
      static_cast<unsigned long long>(f.gave_up), static_cast<unsigned long long>(f.failed),
      static_cast<unsigned long long>(f.told_sold_out),
      static_cast<unsigned long long>(f.session_over),
      static_cast<unsigned long long>(f.got_nothing()));
  if (r.options.queue.enabled) {
    s += Format(
        "waiting room: %llu joined, %llu admitted, %llu told sold out; %llu holds without an "
        "access token refused\n",
        static_cast<unsigned long long>(r.queue_joined),
        static_cast<unsigned long long>(r.queue_admitted),
        static_cast<unsigned long long>(f.told_sold_out),
        static_cast<unsigned long long>(r.line_jumps_refused));
    s += WaitLine("time in line (join to access token)", r.queue_wait);
  }
  s += WaitLine("waited to get in (--fans-inside)", r.fan_wait);
  s += WaitLine("requests waited for a free connection", r.connection_wait);
  s += Format("seats booked (as the fans were told): %llu of %llu",
              static_cast<unsigned long long>(r.seats_booked),
              static_cast<unsigned long long>(r.capacity));
  s += r.sold_out_after_s ? Format("; sold out after %.3f s\n", *r.sold_out_after_s)
                          : std::string("; not sold out\n");
  s += Format(
      "holds %llu, bookings %llu, conflicts %llu, retries %llu, releases %llu, confirms too late "
      "%llu, payments retried %llu\n",
      static_cast<unsigned long long>(r.holds), static_cast<unsigned long long>(r.bookings),
      static_cast<unsigned long long>(r.conflicts), static_cast<unsigned long long>(r.retries),
      static_cast<unsigned long long>(r.releases),
      static_cast<unsigned long long>(r.confirms_too_late),
      static_cast<unsigned long long>(r.payment_retries));
  s += ErrorLines(r.unexpected, r.transport_errors, r.failure_samples);
  s += Format(
      "client: CPU %.2f s user + %.2f s system in %.2f s of sale = %.0f%% of one core; %.1f us CPU "
      "per request; %llu connects\n",
      r.client_cpu_user_s, r.client_cpu_system_s, r.sale_seconds, 100 * CpuShare(r),
      r.sale_requests > 0 ? 1e6 * (r.client_cpu_user_s + r.client_cpu_system_s) /
                                static_cast<double>(r.sale_requests)
                          : 0.0,
      static_cast<unsigned long long>(r.client_connects));
  s += WaitLine("client event-loop lag (what the client adds to a latency)", r.loop_lag);
  if (r.held_drained_after_expiry_ms) {
    s += Format("expiry: nothing held %.0f ms after the latest hold expiry\n",
                *r.held_drained_after_expiry_ms);
  }
  return s + "\n";
}

std::string AuditText(const BenchReport& r) {
  const AuditResult& a = r.audit;
  std::string s;
  if (a.ok()) {
    s = Format(
        "audit: PASS (%llu confirmed bookings of %llu fans, %llu seats booked; %llu fans told "
        "booked, all found; %s)\n",
        static_cast<unsigned long long>(a.confirmed_bookings),
        static_cast<unsigned long long>(a.fans_with_bookings),
        static_cast<unsigned long long>(a.seats_booked),
        static_cast<unsigned long long>(r.bookings),
        a.expiry_checked ? "no hold outlived its expiry" : "expiry not checked");
  } else {
    s = Format("audit: FAIL, %llu violations:\n",
               static_cast<unsigned long long>(a.violations_total));
    for (const std::string& v : a.violations) s += "  " + v + "\n";
  }
  if (!r.ok() && a.ok())
    s += "run: FAIL (answers outside the fan model or transport errors, above)\n";
  return s;
}

json::object HistogramJson(const LatencyHistogram& h) {
  json::object o{{"count", h.count()}, {"mean_ms", Ms(static_cast<uint64_t>(h.mean_us()))}};
  for (size_t i = 0; i < kPercentiles.size(); ++i)
    o[std::string(kPercentileNames[i]) + "_ms"] = Ms(h.Percentile(kPercentiles[i]));
  o["max_ms"] = Ms(h.max_us());
  return o;
}

json::object SettingsJson(const BenchOptions& o) {
  return {{"url", o.server.Url()},
          {"fans", o.fans},
          {"connections", o.connections},
          {"fans_inside_max", o.fans_inside_max},
          {"seats", o.seats},
          {"hold_ttl_s", o.hold_ttl_s},
          {"abandon", o.abandon},
          {"release", o.release},
          {"best_available", o.best_available},
          {"payment", PaymentName(o.payment)},
          {"profile", ArrivalProfileName(o.profile)},
          {"duration_s", o.duration_s},
          {"attempts", o.attempts},
          {"client_threads", o.client_threads},
          {"seed", o.seed},
          {"queue",
           {{"enabled", o.queue.enabled},
            {"admissions_per_minute", o.queue.admissions_per_minute},
            {"shoppers_max", o.queue.shoppers_max},
            {"session_s", o.queue.session_s},
            {"onsale_in_s", o.queue.onsale_in_s}}}};
}

json::object OutcomesJson(const BenchReport& r) {
  return {{"fans",
           {{"booked", r.fans.booked},
            {"abandoned", r.fans.abandoned},
            {"sold_out", r.fans.sold_out},
            {"gave_up", r.fans.gave_up},
            {"failed", r.fans.failed},
            {"told_sold_out", r.fans.told_sold_out},
            {"session_over", r.fans.session_over},
            {"got_nothing", r.fans.got_nothing()}}},
          {"fan_wait", HistogramJson(r.fan_wait)},
          {"connection_wait", HistogramJson(r.connection_wait)},
          {"holds", r.holds},
          {"bookings", r.bookings},
          {"seats_booked", r.seats_booked},
          {"conflicts", r.conflicts},
          {"retries", r.retries},
          {"releases", r.releases},
          {"confirms_too_late", r.confirms_too_late},
          {"payment_retries", r.payment_retries},
          {"unexpected", r.unexpected},
          {"transport_errors", r.transport_errors},
          {"sold_out_after_s", OptionalJson(r.sold_out_after_s)},
          {"queue",
           {{"enabled", r.options.queue.enabled},
            {"joined", r.queue_joined},
            {"admitted", r.queue_admitted},
            {"told_sold_out", r.fans.told_sold_out},
            {"line_jumps_refused", r.line_jumps_refused},
            {"time_in_line", HistogramJson(r.queue_wait)}}}};
}

}  // namespace

std::string_view RequestKindName(RequestKind k) {
  switch (k) {
    case RequestKind::kAvailability:
      return "availability";
    case RequestKind::kHoldCreated:
      return "hold_created";
    case RequestKind::kHoldConflict:
      return "hold_conflict";
    case RequestKind::kRelease:
      return "release";
    case RequestKind::kConfirm:
      return "confirm";
    case RequestKind::kCheckout:
      return "checkout";
    case RequestKind::kQueueJoin:
      return "queue_join";
    case RequestKind::kQueueStatus:
      return "queue_status";
    case RequestKind::kQueueAccess:
      return "queue_access";
  }
  return "?";
}

std::string_view RouteName(Route r) {
  switch (r) {
    case Route::kAvailability:
      return "availability";
    case Route::kHold:
      return "hold";
    case Route::kRelease:
      return "release";
    case Route::kConfirm:
      return "confirm";
    case Route::kCheckout:
      return "checkout";
    case Route::kHoldStatus:
      return "hold_status";
    case Route::kQueueJoin:
      return "queue_join";
    case Route::kQueueStatus:
      return "queue_status";
    case Route::kQueueAccess:
      return "queue_access";
  }
  return "?";
}

std::string RenderText(const BenchReport& r) {
  return Settings(r) + Phases(r) + Latencies(r) + Outcomes(r) + AuditText(r);
}

std::string RenderJson(const BenchReport& r) {
  json::array phases;
  for (const PhaseStats& p : r.phases) {
    phases.push_back({{"name", p.name},
                      {"seconds", p.seconds},
                      {"requests", p.requests},
                      {"requests_per_s", Rate(p.requests, p.seconds)},
                      {"holds_per_s", Rate(p.holds, p.seconds)},
                      {"bookings_per_s", Rate(p.bookings, p.seconds)},
                      {"conflicts", p.conflicts}});
  }
  json::object latency;
  for (size_t k = 0; k < kRequestKindCount; ++k) {
    latency[RequestKindName(static_cast<RequestKind>(k))] = HistogramJson(r.latency[k]);
  }
  json::object statuses;
  for (size_t k = 0; k < kRouteCount; ++k)
    statuses[RouteName(static_cast<Route>(k))] = StatusTallyJson(r.statuses[k]);
  json::array timeline;
  for (const TimelinePoint& t : r.timeline) {
    timeline.push_back({{"at_s", t.at_s},
                        {"interval_s", t.interval_s},
                        {"requests", t.requests},
                        {"holds", t.holds},
                        {"bookings", t.bookings},
                        {"conflicts", t.conflicts},
                        {"bookings_total", t.bookings_total},
                        {"p50_ms", t.p50_ms},
                        {"p99_ms", t.p99_ms}});
  }
  json::array violations;
  for (const std::string& v : r.audit.violations) violations.emplace_back(v);
  json::array samples;
  for (const std::string& s : r.failure_samples) samples.emplace_back(s);
  const json::object o{
      {"scenario", ScenarioName(r.options.scenario)},
      {"settings", SettingsJson(r.options)},
      {"venue_id", r.venue_id},
      {"show_id", r.show_id},
      {"capacity", r.capacity},
      {"phases", std::move(phases)},
      {"timeline", std::move(timeline)},
      {"latency", std::move(latency)},
      {"statuses", std::move(statuses)},
      {"outcomes", OutcomesJson(r)},
      {"failure_samples", std::move(samples)},
      {"client",
       {{"cpu_user_s", r.client_cpu_user_s},
        {"cpu_system_s", r.client_cpu_system_s},
        {"sale_seconds", r.sale_seconds},
        {"sale_requests", r.sale_requests},
        {"cpu_share_of_one_core", CpuShare(r)},
        {"connects", r.client_connects},
        {"loop_lag", HistogramJson(r.loop_lag)}}},
      {"held_drained_after_expiry_ms", OptionalJson(r.held_drained_after_expiry_ms)},
      {"audit",
       {{"pass", r.audit.ok()},
        {"violations_total", r.audit.violations_total},
        {"violations", std::move(violations)},
        {"expiry_checked", r.audit.expiry_checked},
        {"confirmed_bookings", r.audit.confirmed_bookings},
        {"seats_booked", r.audit.seats_booked},
        {"fans_with_bookings", r.audit.fans_with_bookings}}},
      {"pass", r.ok()}};
  return json::serialize(o) + "\n";
}

// ---- bench queue ----

std::string_view StormRequestName(StormRequest k) {
  switch (k) {
    case StormRequest::kJoin:
      return "join";
    case StormRequest::kStatus:
      return "status";
    case StormRequest::kStatusNotModified:
      return "status_304";
  }
  return "?";
}

namespace {

std::optional<double> PerFan(const std::optional<double>& before,
                             const std::optional<double>& after, uint64_t fans) {
  if (!before || !after || fans == 0) return std::nullopt;
  return (*after - *before) / static_cast<double>(fans);
}

double Mib(double bytes) { return bytes / (1024.0 * 1024.0); }

std::string StormSettings(const QueueStormReport& r) {
  const BenchOptions& o = r.options;
  std::string s = Format("boxoffice bench queue against %s\n", o.server.Url().c_str());
  s += Format(
      "  show %s (venue %s): %llu fans join, then poll the status %u times each; %u connections "
      "(%u client thread%s); seed %llu\n",
      r.show_id.c_str(), r.venue_id.c_str(), static_cast<unsigned long long>(o.fans),
      o.polls_per_fan, o.connections, o.client_threads, o.client_threads == 1 ? "" : "s",
      static_cast<unsigned long long>(o.seed));
  return s + QueueSettingsText(o.queue) + "\n\n";
}

std::string StormPhaseLine(const char* name, const char* per_s, const StormPhase& p) {
  return Format(
      "%-6s %8.3f s %10llu requests %10.0f %s/s  client CPU %.2f s (%.0f%% of one core)\n", name,
      p.seconds, static_cast<unsigned long long>(p.requests), Rate(p.answered_ok, p.seconds), per_s,
      p.client_cpu_s, p.seconds > 0 ? 100 * p.client_cpu_s / p.seconds : 0.0);
}

std::string MemoryText(const QueueStormReport& r) {
  std::string s;
  if (const std::optional<double> per_fan = r.resident_bytes_per_fan()) {
    s = Format("server RSS: %.1f MiB before the joins, %.1f MiB after: %.0f bytes per queued fan\n",
               Mib(*r.memory_before.resident_bytes), Mib(*r.memory_after.resident_bytes), *per_fan);
  } else {
    s = "server RSS: not exported (process_resident_memory_bytes)\n";
  }
  if (const std::optional<double> per_fan = r.queue_bytes_per_fan()) {
    s += Format("waiting room: boxoffice_queue_bytes %.1f MiB -> %.1f MiB: %.1f bytes per fan\n",
                Mib(*r.memory_before.queue_bytes), Mib(*r.memory_after.queue_bytes), *per_fan);
  } else {
    s += "waiting room: boxoffice_queue_bytes not exported\n";
  }
  return s;
}

json::object MemoryJson(const ServerMemory& m) {
  return {{"resident_bytes", OptionalJson(m.resident_bytes)},
          {"queue_bytes", OptionalJson(m.queue_bytes)}};
}

json::object StormPhaseJson(const StormPhase& p, std::string_view per_s) {
  return {{"seconds", p.seconds},
          {"requests", p.requests},
          {"answered_ok", p.answered_ok},
          {per_s, Rate(p.answered_ok, p.seconds)},
          {"client_cpu_s", p.client_cpu_s}};
}

}  // namespace

std::optional<double> QueueStormReport::resident_bytes_per_fan() const {
  return PerFan(memory_before.resident_bytes, memory_after.resident_bytes, joins.answered_ok);
}

std::optional<double> QueueStormReport::queue_bytes_per_fan() const {
  return PerFan(memory_before.queue_bytes, memory_after.queue_bytes, joins.answered_ok);
}

std::string RenderQueueText(const QueueStormReport& r) {
  std::string s = StormSettings(r);
  s += StormPhaseLine("joins", "joins", r.joins);
  s += StormPhaseLine("polls", "polls", r.polls) + "\n";
  s += Format("%-14s %9s %8s %8s %8s %8s %8s\n", "latency (ms)", "requests", "p50", "p90", "p99",
              "p99.9", "max");
  for (size_t k = 0; k < kStormRequestCount; ++k)
    s += LatencyLine(StormRequestName(static_cast<StormRequest>(k)), r.latency[k]);
  s += "statuses:" + StatusTally("join", r.join_statuses) +
       StatusTally("status", r.status_statuses) + "\n\n";
  s += ErrorLines(r.unexpected, r.transport_errors, r.failure_samples);
  const uint64_t minted = r.joins.requests;
  s += Format(
      "JWT minting: %.3f s for %llu fans = %.1f us per fan, %.0f%% of the joins' client CPU\n",
      r.jwt_mint_seconds, static_cast<unsigned long long>(minted),
      minted > 0 ? 1e6 * r.jwt_mint_seconds / static_cast<double>(minted) : 0.0,
      r.joins.client_cpu_s > 0 ? 100 * r.jwt_mint_seconds / r.joins.client_cpu_s : 0.0);
  s += MemoryText(r);
  s += r.room_fans ? Format("the room counts %llu fans (expected %llu)\n",
                            static_cast<unsigned long long>(*r.room_fans),
                            static_cast<unsigned long long>(r.options.fans))
                   : std::string("the room's fan count could not be read\n");
  return s + (r.ok() ? "run: PASS\n" : "run: FAIL\n");
}

std::string RenderQueueJson(const QueueStormReport& r) {
  json::object latency;
  for (size_t k = 0; k < kStormRequestCount; ++k)
    latency[StormRequestName(static_cast<StormRequest>(k))] = HistogramJson(r.latency[k]);
  json::array samples;
  for (const std::string& s : r.failure_samples) samples.emplace_back(s);
  json::object settings = SettingsJson(r.options);
  settings["polls_per_fan"] = r.options.polls_per_fan;
  const json::object o{
      {"scenario", "queue"},
      {"settings", std::move(settings)},
      {"venue_id", r.venue_id},
      {"show_id", r.show_id},
      {"joins", StormPhaseJson(r.joins, "joins_per_s")},
      {"polls", StormPhaseJson(r.polls, "polls_per_s")},
      {"latency", std::move(latency)},
      {"statuses",
       {{"join", StatusTallyJson(r.join_statuses)},
        {"status", StatusTallyJson(r.status_statuses)}}},
      {"unexpected", r.unexpected},
      {"transport_errors", r.transport_errors},
      {"failure_samples", std::move(samples)},
      {"jwt_mint_seconds", r.jwt_mint_seconds},
      {"server_memory",
       {{"before_joins", MemoryJson(r.memory_before)},
        {"after_joins", MemoryJson(r.memory_after)},
        {"resident_bytes_per_fan", OptionalJson(r.resident_bytes_per_fan())},
        {"queue_bytes_per_fan", OptionalJson(r.queue_bytes_per_fan())}}},
      {"room_fans", r.room_fans ? json::value(*r.room_fans) : json::value(nullptr)},
      {"pass", r.ok()}};
  return json::serialize(o) + "\n";
}

}  // namespace boxoffice::loadgen
