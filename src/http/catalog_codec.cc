#include "http/catalog_codec.h"

#include <algorithm>

#include "core/limits.h"
#include "http/api_json.h"
#include "http/json_reader.h"
#include "http/seat_map_json.h"
#include "service/booking_service.h"

namespace boxoffice::http {
namespace {

constexpr size_t kPricesMax = core::kCategoriesPerVenueMax;

}  // namespace

std::optional<core::TimeMs> ReadTime(ObjectReader& r, std::string_view key, Field f) {
  std::optional<std::string> s = r.String(key, f, 40);
  if (!s) return std::nullopt;
  std::optional<core::TimeMs> t = ParseTime(*s);
  if (!t) r.Fail(r.PathOf(key), "expected an RFC 3339 time, e.g. 2026-11-28T20:00:00Z");
  return t;
}

StatusOr<core::SeatMapSpec> JsonCatalogCodec::ParseSeatMap(std::string_view json) const {
  StatusOr<boost::json::value> v = ParseJson(json);
  if (!v.ok()) return v.status();
  return ParseSeatMapSpec(*v);
}

StatusOr<service::ShowSettings> ParseShowSettings(std::string_view json, core::TimeMs now_ms,
                                                  const service::ShowSettings& defaults) {
  StatusOr<boost::json::value> v = ParseJson(json);
  if (!v.ok()) return v.status();
  ObjectReader r(*v, "");
  service::ShowSettings s;
  const std::optional<std::string> venue = r.String("venue_id", Field::kRequired, 24);
  if (venue && !ParseVenueId(*venue)) r.Fail("venue_id", "not a venue id");
  if (venue && ParseVenueId(*venue)) s.venue_id = *ParseVenueId(*venue);
  s.name = r.String("name", Field::kRequired, core::kNameBytesMax).value_or("");
  s.starts_at_ms = ReadTime(r, "starts_at", Field::kRequired).value_or(0);
  s.on_sale_at_ms = ReadTime(r, "on_sale_at", Field::kOptional).value_or(now_ms);
  s.currency = r.String("currency", Field::kRequired, 3).value_or("");
  if (const boost::json::value* p = r.Value("prices", Field::kRequired)) {
    const boost::json::object* prices = p->if_object();
    if (prices == nullptr || prices->size() > kPricesMax) {
      r.Fail("prices", "expected an object of category id to price in minor units");
    } else {
      for (const auto& kv : *prices) {
        const std::string path = "prices." + std::string(kv.key());
        if (auto price = ElementInt(kv.value(), path, 0, core::kPriceMinorMax, r))
          s.prices[std::string(kv.key())] = *price;
      }
    }
  }
  s.hold_ttl_s = static_cast<uint32_t>(
      r.Int("hold_ttl_s", Field::kOptional, core::kHoldTtlSecondsMin, core::kHoldTtlSecondsMax)
          .value_or(defaults.hold_ttl_s));
  s.seats_per_order_max = static_cast<uint32_t>(
      r.Int("seats_per_order_max", Field::kOptional, 1, core::kSeatsPerHoldMax)
          .value_or(defaults.seats_per_order_max));
  s.seats_per_fan_max = static_cast<uint32_t>(
      r.Int("seats_per_fan_max", Field::kOptional, 1, core::kSeatsPerOwnerMax)
          .value_or(std::max(s.seats_per_order_max, defaults.seats_per_fan_max)));
  if (Status st = r.Finish(); !st.ok()) return st;
  return s;
}

}  // namespace boxoffice::http
