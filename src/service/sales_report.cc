#include "service/sales_report.h"

#include <map>

#include "core/snapshot.h"

namespace boxoffice::service {
namespace {

using core::CategoryIndex;
using core::SectionIndex;

constexpr core::TimeMs kMinuteMs = 60'000;

// Lines by (section, category), in map order; `index` finds a line.
struct Lines {
  std::vector<SalesReportLine> lines;
  std::map<std::pair<SectionIndex, CategoryIndex>, size_t> index;

  SalesReportLine& At(const core::SeatMap& map, SectionIndex s, CategoryIndex c) {
    const auto [it, added] = index.emplace(std::make_pair(s, c), lines.size());
    if (added) {
      SalesReportLine& l = lines.emplace_back();
      l.section = map.section(s).id;
      l.category = map.categories()[c].id;
      l.general_admission = map.section(s).general_admission;
    }
    return lines[it->second];
  }
};

int64_t PriceOf(const Show& show, const core::SeatMap& map, CategoryIndex c) {
  auto it = show.settings.prices.find(map.categories()[c].id);
  return it == show.settings.prices.end() ? 0 : it->second;
}

void CountPlaces(const core::SeatMap& map, const Availability& a, Lines& out) {
  for (core::SeatIndex i = 0; i < map.seat_count(); ++i) {
    const core::Seat& seat = map.seat(i);
    SalesReportLine& l = out.At(map, seat.section, seat.category);
    ++l.capacity;
    ++l.counts[static_cast<size_t>(core::DecodeSeatState(a.seat_states, i))];
  }
  for (SectionIndex s = 0; s < map.sections().size(); ++s) {
    const core::Section& section = map.section(s);
    if (!section.general_admission) continue;
    SalesReportLine& l = out.At(map, s, section.ga_category);
    l.capacity += section.capacity;
    if (s < a.sections.size()) {
      for (size_t k = 0; k < l.counts.size(); ++k) l.counts[k] += a.sections[s][k];
    }
  }
}

// Revenue by line at category prices; places of the booking.
uint32_t AddRevenue(const Show& show, const core::SeatMap& map, const BookingView& b, Lines& out) {
  uint32_t places = 0;
  for (const std::string& label : b.seats) {
    const std::optional<core::SeatIndex> i = map.FindSeat(label);
    if (!i) continue;
    const core::Seat& seat = map.seat(*i);
    out.At(map, seat.section, seat.category).revenue_minor += PriceOf(show, map, seat.category);
    ++places;
  }
  if (b.ga_quantity > 0) {
    if (const std::optional<SectionIndex> s = map.FindSection(b.ga_area)) {
      const CategoryIndex c = map.section(*s).ga_category;
      out.At(map, *s, c).revenue_minor += PriceOf(show, map, c) * b.ga_quantity;
    }
    places += b.ga_quantity;
  }
  return places;
}

}  // namespace

SalesReport MakeSalesReport(const Show& show, const Availability& availability,
                            const std::vector<BookingView>& bookings) {
  const core::SeatMap& map = *show.venue->map;
  SalesReport r;
  r.currency = show.settings.currency;
  r.version = availability.version;
  Lines lines;
  CountPlaces(map, availability, lines);
  std::map<core::TimeMs, SalesMinute> minutes;
  for (const BookingView& b : bookings) {
    if (b.cancelled) {
      ++r.cancelled;
      continue;
    }
    const uint32_t places = AddRevenue(show, map, b, lines);
    const core::TimeMs minute =
        b.booked_at_ms - ((b.booked_at_ms % kMinuteMs) + kMinuteMs) % kMinuteMs;
    SalesMinute& m = minutes[minute];
    m.minute_ms = minute;
    ++m.bookings;
    m.places += places;
    m.revenue_minor += b.total_minor;
    ++r.bookings;
    r.places_booked += places;
    r.revenue_minor += b.total_minor;
  }
  r.lines = std::move(lines.lines);
  for (auto& [minute, m] : minutes) r.minutes.push_back(m);
  return r;
}

}  // namespace boxoffice::service
