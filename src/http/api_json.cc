#include "http/api_json.h"

#include <boost/json/array.hpp>
#include <charconv>
#include <cstdio>
#include <ctime>

#include "crypto/encoding.h"
#include "http/json_writer.h"
#include "http/seat_map_json.h"

namespace boxoffice::http {
namespace {

std::optional<uint64_t> ParseDecimal(std::string_view s) {
  uint64_t v = 0;
  if (s.empty() || s.size() > 19) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<uint64_t> ParsePrefixed(std::string_view s, char prefix) {
  if (s.size() < 2 || s[0] != prefix) return std::nullopt;
  return ParseDecimal(s.substr(1));
}

std::optional<std::pair<core::ShowId, uint64_t>> ParsePair(std::string_view s, char prefix) {
  if (s.size() < 4 || s[0] != prefix) return std::nullopt;
  const size_t dash = s.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto show = ParseDecimal(s.substr(1, dash - 1));
  auto id = ParseDecimal(s.substr(dash + 1));
  if (!show || !id || *id == 0) return std::nullopt;
  return std::make_pair(*show, *id);
}

// Digits at s[at..at+n) as a number, or -1.
int Digits(std::string_view s, size_t at, size_t n) {
  if (at + n > s.size()) return -1;
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

boost::json::object Counts(std::string_view id, const core::StateCounts& c) {
  return {{"id", id}, {"free", c[0]}, {"held", c[1]}, {"booked", c[2]}, {"blocked", c[3]}};
}

// "h3-4294967297" and the like, without a temporary string per part.
std::string PairId(char prefix, core::ShowId show, uint64_t id) {
  constexpr size_t kDigitsMax = 20;  // of a uint64_t
  char buf[2 + 2 * kDigitsMax];
  buf[0] = prefix;
  char* dash = std::to_chars(buf + 1, buf + 1 + kDigitsMax, show).ptr;
  *dash = '-';
  return std::string(buf, std::to_chars(dash + 1, buf + sizeof buf, id).ptr);
}

}  // namespace

namespace {

// "YYYY-MM-DDTHH:MM:SS.mmmZ" in a buffer: no allocation, no locale, no
// time-zone lock (gmtime_r takes one), for the responses on the hot paths.
struct TimeText {
  char buf[64];
  size_t size = 0;
  std::string_view view() const { return {buf, size}; }
};

// Days since 1970-01-01 as a proleptic Gregorian date (H. Hinnant's
// civil_from_days).
void CivilFromDays(int64_t days, int64_t& year, int& month, int& day) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;                                    // [0, 146096]
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11]
  day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  year = yoe + era * 400 + (month <= 2 ? 1 : 0);
}

void PutDigits(char* at, int64_t v, int n) {
  for (int i = n - 1; i >= 0; --i, v /= 10) at[i] = static_cast<char>('0' + v % 10);
}

TimeText FormatTimeText(core::TimeMs t) {
  const int64_t secs = t >= 0 ? t / 1000 : (t - 999) / 1000;
  const int64_t ms = t - secs * 1000;
  const int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  const int64_t sod = secs - days * 86400;
  int64_t year = 0;
  int month = 0, day = 0;
  CivilFromDays(days, year, month, day);
  TimeText out;
  if (year < 0 || year > 9999) {  // not a time this server deals in; spelt out all the same
    out.size = static_cast<size_t>(std::snprintf(
        out.buf, sizeof out.buf, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ",
        static_cast<long long>(year), month, day, static_cast<int>(sod / 3600),
        static_cast<int>(sod / 60 % 60), static_cast<int>(sod % 60), static_cast<int>(ms)));
    return out;
  }
  char* p = out.buf;
  PutDigits(p, year, 4);
  p[4] = '-';
  PutDigits(p + 5, month, 2);
  p[7] = '-';
  PutDigits(p + 8, day, 2);
  p[10] = 'T';
  PutDigits(p + 11, sod / 3600, 2);
  p[13] = ':';
  PutDigits(p + 14, sod / 60 % 60, 2);
  p[16] = ':';
  PutDigits(p + 17, sod % 60, 2);
  p[19] = '.';
  PutDigits(p + 20, ms, 3);
  p[23] = 'Z';
  out.size = 24;
  return out;
}

}  // namespace

std::string FormatTime(core::TimeMs t) { return std::string(FormatTimeText(t).view()); }

std::optional<core::TimeMs> ParseTime(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.fff...](Z|±HH:MM)
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
      s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  const int year = Digits(s, 0, 4), mon = Digits(s, 5, 2), day = Digits(s, 8, 2);
  const int hour = Digits(s, 11, 2), min = Digits(s, 14, 2), sec = Digits(s, 17, 2);
  if (year < 1970 || year > 9999 || mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 ||
      min > 59 || sec > 60 || hour < 0 || min < 0 || sec < 0) {
    return std::nullopt;
  }
  size_t at = 19;
  int ms = 0;
  if (at < s.size() && s[at] == '.') {
    size_t digits = 0;
    for (++at; at < s.size() && s[at] >= '0' && s[at] <= '9'; ++at, ++digits) {
      if (digits < 3) ms = ms * 10 + (s[at] - '0');
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 3; ++digits) ms *= 10;
  }
  int offset_min = 0;
  if (at < s.size() && (s[at] == 'Z' || s[at] == 'z') && at + 1 == s.size()) {
    offset_min = 0;
  } else if (at + 6 == s.size() && (s[at] == '+' || s[at] == '-') && s[at + 3] == ':') {
    const int oh = Digits(s, at + 1, 2), om = Digits(s, at + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return std::nullopt;
    offset_min = (s[at] == '+' ? 1 : -1) * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  const std::time_t secs = timegm(&tm);
  std::tm check{};
  gmtime_r(&secs, &check);
  if (check.tm_mday != day || check.tm_mon != mon - 1) return std::nullopt;  // e.g. Feb 30
  return (static_cast<core::TimeMs>(secs) - offset_min * 60) * 1000 + ms;
}

std::string VenueId(uint64_t id) { return "v" + std::to_string(id); }
std::string ShowId(core::ShowId id) { return "s" + std::to_string(id); }
std::string HoldId(core::ShowId show, core::HoldId hold) { return PairId('h', show, hold); }
std::string BookingId(core::ShowId show, core::BookingId booking) {
  return PairId('b', show, booking);
}
std::optional<uint64_t> ParseVenueId(std::string_view s) { return ParsePrefixed(s, 'v'); }
std::optional<core::ShowId> ParseShowId(std::string_view s) { return ParsePrefixed(s, 's'); }
std::optional<std::pair<core::ShowId, uint64_t>> ParseHoldId(std::string_view s) {
  return ParsePair(s, 'h');
}
std::optional<std::pair<core::ShowId, uint64_t>> ParseBookingId(std::string_view s) {
  return ParsePair(s, 'b');
}

boost::json::object VenueJson(const service::Venue& v, bool with_seat_map) {
  uint64_t ga = 0;
  boost::json::array sections;
  for (const core::Section& s : v.map->sections()) {
    if (s.general_admission) ga += s.capacity;
    sections.push_back({{"id", s.id},
                        {"name", s.name},
                        {"general_admission", s.general_admission},
                        {"capacity", s.capacity}});
  }
  boost::json::array categories;
  for (const core::Category& c : v.map->categories())
    categories.push_back({{"id", c.id}, {"name", c.name}});
  boost::json::object o{{"id", VenueId(v.id)},
                        {"name", v.name},
                        {"seats", v.map->seat_count()},
                        {"general_admission_capacity", ga},
                        {"sections", std::move(sections)},
                        {"categories", std::move(categories)}};
  if (with_seat_map) o["seat_map"] = SeatMapSpecToJson(v.spec);
  return o;
}

boost::json::object ShowJson(const service::Show& s, uint64_t available) {
  boost::json::object prices;
  for (const auto& [cat, price] : s.settings.prices) prices[cat] = price;
  return {{"id", ShowId(s.id)},
          {"venue_id", VenueId(s.venue->id)},
          {"venue_name", s.venue->name},
          {"name", s.settings.name},
          {"starts_at", FormatTime(s.settings.starts_at_ms)},
          {"on_sale_at", FormatTime(s.settings.on_sale_at_ms)},
          {"currency", s.settings.currency},
          {"prices", std::move(prices)},
          {"hold_ttl_s", s.settings.hold_ttl_s},
          {"seats_per_order_max", s.settings.seats_per_order_max},
          {"seats_per_fan_max", s.settings.seats_per_fan_max},
          {"capacity", s.venue->map->sellable_capacity()},
          {"available", available}};
}

std::string SeatMapText(const service::Show& s) {
  const core::SeatMap& map = *s.venue->map;
  std::string out;
  out.reserve(64 + map.seat_count() * 96);
  JsonWriter w(out);
  w.BeginObject()
      .Member("show_id", ShowId(s.id))
      .Member("venue_id", VenueId(s.venue->id))
      .Member("name", map.name())
      .Member("currency", s.settings.currency)
      .Key("categories")
      .BeginArray();
  for (const core::Category& c : map.categories()) {
    w.BeginObject()
        .Member("id", c.id)
        .Member("name", c.name)
        .Member("price_minor", s.settings.prices.at(c.id))
        .EndObject();
  }
  w.EndArray().Key("sections").BeginArray();
  for (const core::Section& sec : map.sections()) {
    w.BeginObject()
        .Member("id", sec.id)
        .Member("name", sec.name)
        .Member("general_admission", sec.general_admission)
        .Member("capacity", sec.capacity);
    if (sec.general_admission) w.Member("category", map.categories()[sec.ga_category].id);
    w.Key("rows").BeginArray();
    for (core::RowIndex r = sec.first_row; r < sec.first_row + sec.row_count; ++r) {
      const core::Row& row = map.row(r);
      w.BeginObject().Member("label", row.label).Key("seats").BeginArray();
      for (core::SeatIndex i = row.first_seat; i < row.first_seat + row.seat_count; ++i) {
        const core::Seat& seat = map.seat(i);
        const bool row_end = i + 1 == row.first_seat + row.seat_count;
        w.BeginObject()
            .Member("label", map.label(i))
            .Member("number", seat.number)
            .Member("category", map.categories()[seat.category].id)
            .Member("accessible", seat.accessible)
            .Member("aisle_after", !seat.adjacent_to_next && !row_end)
            .EndObject();
      }
      w.EndArray().EndObject();
    }
    w.EndArray().EndObject();
  }
  w.EndArray().EndObject();
  return out;
}

boost::json::object AvailabilityJson(const service::Show& s, const service::Availability& a) {
  const core::SeatMap& map = *s.venue->map;
  boost::json::array sections, categories;
  for (size_t i = 0; i < a.sections.size(); ++i)
    sections.push_back(Counts(map.sections()[i].id, a.sections[i]));
  for (size_t i = 0; i < a.categories.size(); ++i)
    categories.push_back(Counts(map.categories()[i].id, a.categories[i]));
  return {{"show_id", ShowId(s.id)},
          {"version", a.version},
          {"sections", std::move(sections)},
          {"categories", std::move(categories)},
          {"seats",
           {{"encoding", "2bit"},
            {"count", map.seat_count()},
            {"data", crypto::Base64Encode(a.seat_states)}}}};
}

namespace {

void WriteLabels(JsonWriter& w, const std::vector<std::string>& labels) {
  w.BeginArray();
  for (const std::string& l : labels) w.String(l);
  w.EndArray();
}

void WriteArea(JsonWriter& w, const std::string& area, uint32_t quantity) {
  if (area.empty()) return;
  w.Key("general_admission").BeginObject().Member("area", area).Member("quantity", quantity);
  w.EndObject();
}

void WriteBooking(JsonWriter& w, const service::BookingView& b) {
  w.BeginObject()
      .Member("id", BookingId(b.show, b.booking))
      .Member("show_id", ShowId(b.show))
      .Member("hold_id", HoldId(b.show, b.hold))
      .Member("user", b.user)
      .Member("status", b.cancelled ? "cancelled" : "confirmed");
  WriteLabels(w.Key("seats"), b.seats);
  w.Member("total_minor", b.total_minor)
      .Member("currency", b.currency)
      .Member("payment_ref", b.payment_ref)
      .Member("booked_at", FormatTimeText(b.booked_at_ms).view());
  WriteArea(w, b.ga_area, b.ga_quantity);
  if (b.cancelled) w.Member("cancelled_at", FormatTimeText(b.cancelled_at_ms).view());
  w.Key("tickets").BeginArray();
  for (const service::TicketView& t : b.tickets) {
    w.BeginObject().Member("code", t.code).Member("seat", t.label).EndObject();
  }
  w.EndArray().EndObject();
}

}  // namespace

std::string HoldJson(const service::HoldView& h, bool with_token) {
  std::string out;
  out.reserve(384);
  JsonWriter w(out);
  w.BeginObject()
      .Member("id", HoldId(h.show, h.hold))
      .Member("show_id", ShowId(h.show))
      .Member("status", service::HoldStatusName(h.status));
  if (h.status == service::HoldStatus::kHeld) {
    if (with_token) w.Member("token", crypto::TokenToString(h.token));
    WriteLabels(w.Key("seats"), h.seats);
    WriteArea(w, h.ga_area, h.ga_quantity);
    w.Member("total_minor", h.total_minor)
        .Member("currency", h.currency)
        .Member("created_at", FormatTimeText(h.created_at_ms).view())
        .Member("expires_at", FormatTimeText(h.expires_at_ms).view());
  }
  if (h.booking != 0) w.Member("booking_id", BookingId(h.show, h.booking));
  w.EndObject();
  return out;
}

std::string BookingJson(const service::BookingView& b) {
  std::string out;
  out.reserve(384);
  JsonWriter w(out);
  WriteBooking(w, b);
  return out;
}

std::string BookingListJson(const std::vector<service::BookingView>& bookings) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Key("bookings").BeginArray();
  for (const service::BookingView& b : bookings) WriteBooking(w, b);
  w.EndArray().EndObject();
  return out;
}

boost::json::object CheckoutJson(const service::CheckoutView& c) {
  return {{"payment_id", c.payment_id},     {"hold_id", HoldId(c.show, c.hold)},
          {"amount_minor", c.amount_minor}, {"currency", c.currency},
          {"pay_url", c.pay_url},           {"expires_at", FormatTime(c.expires_at_ms)}};
}

boost::json::object TicketJson(const service::TicketView& t) {
  return {{"code", t.code},
          {"show_id", ShowId(t.show)},
          {"booking_id", BookingId(t.show, t.booking)},
          {"seat", t.label},
          {"user", t.user},
          {"status", t.cancelled ? "cancelled" : "valid"}};
}

boost::json::object HoldTrailJson(core::ShowId show, core::HoldId hold,
                                  const std::vector<service::HoldTrailEntry>& trail) {
  boost::json::array events;
  for (const service::HoldTrailEntry& e : trail) {
    events.push_back(boost::json::object{{"kind", service::HoldTrailKindName(e.kind)},
                                         {"at", FormatTime(e.at_ms)},
                                         {"reason", e.reason}});
  }
  return {{"hold_id", HoldId(show, hold)}, {"events", std::move(events)}};
}

}  // namespace boxoffice::http
