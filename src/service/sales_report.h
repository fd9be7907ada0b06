// SalesReport: a show's sale in numbers, for the organiser's dashboard and
// its CSV download. Pure: computed from the seat map, the prices, one
// availability snapshot and the show's bookings; no clock, no I/O.
//
//   lines    one per (section, category) present in the map, in map order:
//            capacity, free, held, booked and blocked places right now, and
//            the revenue of the active bookings' seats there (category prices)
//   minutes  one per minute (UTC, floor) that has active bookings, oldest
//            first: bookings, places and revenue booked in it
//   totals   the sums, and the cancelled bookings
//
// Thread-safety: a plain function of its arguments.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "service/booking_service.h"

namespace boxoffice::service {

struct SalesReportLine {
  std::string section;
  std::string category;
  bool general_admission = false;
  uint32_t capacity = 0;
  core::StateCounts counts{};  // by core::SeatState
  int64_t revenue_minor = 0;
};

struct SalesMinute {
  core::TimeMs minute_ms = 0;  // the minute's first millisecond
  uint32_t bookings = 0;
  uint32_t places = 0;
  int64_t revenue_minor = 0;
};

struct SalesReport {
  std::string currency;
  core::Version version = 0;  // of the availability it counts
  std::vector<SalesReportLine> lines;
  std::vector<SalesMinute> minutes;
  uint32_t bookings = 0;  // active
  uint32_t cancelled = 0;
  uint32_t places_booked = 0;
  int64_t revenue_minor = 0;
};

SalesReport MakeSalesReport(const Show& show, const Availability& availability,
                            const std::vector<BookingView>& bookings);

}  // namespace boxoffice::service
