#include "loadgen/control.h"

#include <sys/resource.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "http/api_json.h"
#include "loadgen/fan_model.h"
#include "loadgen/wall_clock.h"

namespace boxoffice::loadgen {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using http::HttpReply;
using http::HttpRequest;

constexpr uint32_t kSeatsPerRow = 50;
constexpr uint32_t kRowsPerSection = 20;
constexpr int64_t kPriceMinor = 5'000;
constexpr uint32_t kSeatsPerFanBookedMax = 2 * kSeatsPerFanMax;  // the show's seats_per_fan_max
constexpr core::DurationMs kShowStartsInMs = 30LL * 24 * 3600 * 1000;
constexpr size_t kMetricsBytesMax = 16u << 20;

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

}  // namespace

Control::Control(const BenchOptions& o)
    : o_(o), conn_(io_.get_executor(), o.server, o.request_timeout) {}

StatusOr<HttpReply> Control::Call(HttpRequest req) {
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

asio::awaitable<void> Control::Send(HttpRequest req, std::optional<StatusOr<HttpReply>>* out) {
  out->emplace(co_await conn_.Send(req));
}

StatusOr<std::string> Control::Admin(unsigned expected, HttpRequest req) {
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

StatusOr<AvailabilityView> Control::Availability(const std::string& show_id, size_t seat_count) {
  StatusOr<std::string> body = Admin(200, {"GET", "/v1/shows/" + show_id + "/availability"});
  if (!body.ok()) return body.status();
  return ParseAvailability(*body, seat_count);
}

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

StatusOr<SaleTarget> SetUpSale(Control& c, const BenchOptions& o) {
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
  HttpRequest read_map{"GET", "/v1/shows/" + created->id + "/seatmap"};
  read_map.body_bytes_max = kShowReadBytesMax;
  StatusOr<std::string> seat_map = c.Admin(200, std::move(read_map));
  if (!seat_map.ok()) return seat_map.status();
  StatusOr<SeatMapView> map = ParseSeatMap(*seat_map);
  if (!map.ok()) return map.status();
  if (map->seat_count() != o.seats) {
    return Status::FailedPrecondition("the show has " + std::to_string(map->seat_count()) +
                                      " seats, not " + std::to_string(o.seats));
  }
  SaleTarget t;
  t.venue_id = *venue_id;
  t.show_id = created->id;
  t.capacity = created->capacity;
  t.sellable = map->seat_count();
  if (o.scenario == Scenario::kHotseat) t.hot_seats = map->labels;
  t.map = std::move(map).value();
  return t;
}

StatusOr<std::string> OpenWaitingRoom(Control& c, const BenchOptions& o,
                                      const std::string& show_id) {
  const QueueSettings& q = o.queue;
  const core::TimeMs now = WallNowMs();
  const json::object body{
      {"enabled", true},
      {"prequeue_opens_at", http::FormatTime(now)},
      {"onsale_at", http::FormatTime(now + core::DurationMs{q.onsale_in_s} * 1000)},
      {"admissions_per_minute", q.admissions_per_minute},
      {"active_shoppers_max", q.shoppers_max},
      {"session_seconds", q.session_s},
      {"mode", "everyone"}};
  return c.Admin(200, {"PUT", "/v1/shows/" + show_id + "/queue", json::serialize(body)});
}

StatusOr<ServerMemory> ReadServerMemory(Control& c) {
  HttpRequest req{"GET", "/metrics"};
  req.body_bytes_max = kMetricsBytesMax;
  StatusOr<std::string> text = c.Admin(200, std::move(req));
  if (!text.ok()) return text.status();
  return ServerMemory{MetricSum(*text, "process_resident_memory_bytes"),
                      MetricSum(*text, "boxoffice_queue_bytes"),
                      MetricSum(*text, "boxoffice_queue_fans")};
}

CpuTimes ProcessCpu() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  const auto s = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return {s(u.ru_utime), s(u.ru_stime)};
}

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace boxoffice::loadgen
