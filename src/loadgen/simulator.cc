#include "loadgen/simulator.h"

#include <sys/resource.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <thread>

#include "http/api_json.h"
#include "http/http_client.h"
#include "loadgen/crowd.h"
#include "loadgen/wall_clock.h"

namespace boxoffice::loadgen {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using http::HttpConnection;
using http::HttpReply;
using http::HttpRequest;
using Clock = std::chrono::steady_clock;

constexpr uint32_t kSeatsPerRow = 50;
constexpr uint32_t kRowsPerSection = 20;
constexpr int64_t kPriceMinor = 5'000;
constexpr uint32_t kSeatsPerFanBookedMax = 2 * kSeatsPerFanMax;  // the show's seats_per_fan_max
constexpr core::DurationMs kShowStartsInMs = 30LL * 24 * 3600 * 1000;
constexpr std::chrono::seconds kProgressInterval{1};

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Blocking calls on the controlling thread, over one connection.
class Control {
 public:
  explicit Control(const BenchOptions& o)
      : o_(o), conn_(io_.get_executor(), o.server, o.request_timeout) {}

  StatusOr<HttpReply> Call(HttpRequest req) {
    std::optional<StatusOr<HttpReply>> out;
    asio::co_spawn(io_, Send(std::move(req), &out), [](const std::exception_ptr& e) {
      if (e) std::rethrow_exception(e);
    });
    io_.restart();
    io_.run();
    BOX_ASSERT(out.has_value());
    requests_++;
    return std::move(*out);
  }

  // An organiser's call that must be answered `expected`; its body.
  StatusOr<std::string> Admin(unsigned expected, HttpRequest req) {
    req.headers.emplace_back("X-Admin-Key", o_.admin_key);
    const std::string what = std::string(req.method) + " " + req.target;
    StatusOr<HttpReply> r = Call(std::move(req));
    if (!r.ok()) return r.status();
    if (r->status != expected) {
      return Status::FailedPrecondition(what + " answered " + std::to_string(r->status) + ": " +
                                        r->body.substr(0, 500));
    }
    return std::move(r->body);
  }

  StatusOr<AvailabilityView> Availability(const std::string& show_id, size_t seat_count) {
    StatusOr<std::string> body = Admin(200, {"GET", "/v1/shows/" + show_id + "/availability"});
    if (!body.ok()) return body.status();
    return ParseAvailability(*body, seat_count);
  }

  uint64_t requests() const { return requests_; }

 private:
  asio::awaitable<void> Send(HttpRequest req, std::optional<StatusOr<HttpReply>>* out) {
    out->emplace(co_await conn_.Send(req));
  }

  const BenchOptions& o_;
  asio::io_context io_{1};
  HttpConnection conn_;
  uint64_t requests_ = 0;
};

struct CpuTimes {
  double user_s = 0;
  double system_s = 0;
};

CpuTimes ProcessCpu() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  const auto s = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return {s(u.ru_utime), s(u.ru_stime)};
}

std::string ShowJson(const BenchOptions& o, const std::string& venue_id) {
  const json::object show{{"venue_id", venue_id},
                          {"name", "bench " + std::string(ScenarioName(o.scenario)) + " seed " +
                                       std::to_string(o.seed)},
                          {"starts_at", http::FormatTime(WallNowMs() + kShowStartsInMs)},
                          {"currency", "EUR"},
                          {"prices", {{"STD", kPriceMinor}}},
                          {"hold_ttl_s", o.hold_ttl_s},
                          {"seats_per_order_max", kSeatsPerFanMax},
                          {"seats_per_fan_max", kSeatsPerFanBookedMax}};
  return json::serialize(show);
}

// Phase 1: the venue, the show and its seat map.
StatusOr<SaleTarget> Setup(Control& c, const BenchOptions& o, BenchReport& report) {
  StatusOr<std::string> venue =
      c.Admin(201, {"POST", "/v1/venues", BenchVenueJson("bench venue", o.seats)});
  if (!venue.ok()) return venue.status();
  StatusOr<std::string> venue_id = ParseCreatedId(*venue);
  if (!venue_id.ok()) return venue_id.status();
  StatusOr<std::string> show = c.Admin(201, {"POST", "/v1/shows", ShowJson(o, *venue_id)});
  if (!show.ok()) return show.status();
  StatusOr<ShowSummary> created = ParseShow(*show);
  if (!created.ok()) return created.status();
  if (created->hold_ttl_s != o.hold_ttl_s) {
    return Status::FailedPrecondition("the show's hold_ttl_s is " +
                                      std::to_string(created->hold_ttl_s) + ", asked for " +
                                      std::to_string(o.hold_ttl_s));
  }
  const std::string& show_id = created->id;
  HttpRequest read_map{"GET", "/v1/shows/" + show_id + "/seatmap"};
  read_map.body_bytes_max = kShowReadBytesMax;
  StatusOr<std::string> seat_map = c.Admin(200, std::move(read_map));
  if (!seat_map.ok()) return seat_map.status();
  StatusOr<SeatMapView> map = ParseSeatMap(*seat_map);
  if (!map.ok()) return map.status();
  if (map->seat_count() != o.seats) {
    return Status::FailedPrecondition("the show has " + std::to_string(map->seat_count()) +
                                      " seats, not " + std::to_string(o.seats));
  }
  report.venue_id = *venue_id;
  report.show_id = show_id;
  report.capacity = created->capacity;
  SaleTarget t;
  t.show_id = show_id;
  t.sellable = map->seat_count();
  if (o.scenario == Scenario::kHotseat) t.hot_seats = map->labels;
  t.map = std::move(map).value();
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

std::string BenchVenueJson(std::string_view name, uint32_t seats) {
  json::array sections;
  uint32_t placed = 0;
  for (uint32_t s = 1; placed < seats; ++s) {
    json::array rows;
    for (uint32_t r = 1; r <= kRowsPerSection && placed < seats; ++r) {
      const uint32_t n = std::min(kSeatsPerRow, seats - placed);
      rows.push_back({{"label", "R" + std::to_string(r)}, {"category", "STD"}, {"seats", n}});
      placed += n;
    }
    sections.push_back({{"id", "S" + std::to_string(s)},
                        {"name", "Section " + std::to_string(s)},
                        {"rows", std::move(rows)}});
  }
  return json::serialize(
      json::object{{"name", name},
                   {"categories", {json::object{{"id", "STD"}, {"name", "Standard"}}}},
                   {"sections", std::move(sections)}});
}

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
  report.audit = Audit(audit);
  report.phases.push_back({"audit", Seconds(Clock::now() - audit_start), 1, 0, 0, 0});

  FillFromCrowd(report, std::move(crowd));
  return report;
}

}  // namespace boxoffice::loadgen
