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

std::string Latencies(const BenchReport& r) {
  std::string s = Format("%-14s %9s %8s %8s %8s %8s %8s\n", "latency (ms)", "requests", "p50",
                         "p90", "p99", "p99.9", "max");
  for (size_t k = 0; k < kRequestKindCount; ++k) {
    s += LatencyLine(RequestKindName(static_cast<RequestKind>(k)), r.latency[k]);
  }
  s += "statuses:";
  for (size_t k = 0; k < kRouteCount; ++k) {
    if (r.statuses[k].empty()) continue;
    s += " " + std::string(RouteName(static_cast<Route>(k)));
    for (const auto& [status, n] : r.statuses[k])
      s += Format(" %u:%llu", status, static_cast<unsigned long long>(n));
    s += ";";
  }
  return s + "\n\n";
}

std::string Outcomes(const BenchReport& r) {
  const FanTally& f = r.fans;
  std::string s = Format(
      "fans: %llu = %llu booked + %llu abandoned a hold + %llu found it sold out + %llu gave up + "
      "%llu failed"
      " (got nothing: %llu)\n",
      static_cast<unsigned long long>(f.total()), static_cast<unsigned long long>(f.booked),
      static_cast<unsigned long long>(f.abandoned), static_cast<unsigned long long>(f.sold_out),
      static_cast<unsigned long long>(f.gave_up), static_cast<unsigned long long>(f.failed),
      static_cast<unsigned long long>(f.got_nothing()));
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
  s += Format("unexpected answers %llu, transport errors %llu\n",
              static_cast<unsigned long long>(r.unexpected),
              static_cast<unsigned long long>(r.transport_errors));
  for (const std::string& sample : r.failure_samples) s += "  e.g. " + sample + "\n";
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
          {"seed", o.seed}};
}

json::object OutcomesJson(const BenchReport& r) {
  return {{"fans",
           {{"booked", r.fans.booked},
            {"abandoned", r.fans.abandoned},
            {"sold_out", r.fans.sold_out},
            {"gave_up", r.fans.gave_up},
            {"failed", r.fans.failed},
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
          {"sold_out_after_s",
           r.sold_out_after_s ? json::value(*r.sold_out_after_s) : json::value(nullptr)}};
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
  for (size_t k = 0; k < kRouteCount; ++k) {
    json::object by_status;
    for (const auto& [status, n] : r.statuses[k]) by_status[std::to_string(status)] = n;
    statuses[RouteName(static_cast<Route>(k))] = std::move(by_status);
  }
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
      {"held_drained_after_expiry_ms", r.held_drained_after_expiry_ms
                                           ? json::value(*r.held_drained_after_expiry_ms)
                                           : json::value(nullptr)},
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

}  // namespace boxoffice::loadgen
