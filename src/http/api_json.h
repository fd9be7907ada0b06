// How the API spells its values in JSON: times, ids, and the representation
// of venues, shows, seat maps, availability, holds and bookings.
//
// Public ids are prefixed strings: venue "v7", show "s3", hold "h3-4294967297"
// (show, then the hold id within it), booking "b3-12". Times are RFC 3339 UTC
// with milliseconds.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.h"
#include "service/booking_service.h"

namespace boxoffice::http {

std::string FormatTime(core::TimeMs t);
// "2026-11-28T20:00:00Z", with optional fraction and a Z or ±HH:MM offset.
std::optional<core::TimeMs> ParseTime(std::string_view s);

std::string VenueId(uint64_t id);
std::string ShowId(core::ShowId id);
std::string HoldId(core::ShowId show, core::HoldId hold);
std::string BookingId(core::ShowId show, core::BookingId booking);
std::optional<uint64_t> ParseVenueId(std::string_view s);
std::optional<core::ShowId> ParseShowId(std::string_view s);
// A hold or booking id: {show, id within the show}.
std::optional<std::pair<core::ShowId, uint64_t>> ParseHoldId(std::string_view s);
std::optional<std::pair<core::ShowId, uint64_t>> ParseBookingId(std::string_view s);

boost::json::object VenueJson(const service::Venue& v, bool with_seat_map);
boost::json::object ShowJson(const service::Show& s, uint64_t available);
// GET /v1/shows/{id}/seatmap, written straight to text (a stadium's map is
// 50,000 seats: several times faster than building a JSON tree).
std::string SeatMapText(const service::Show& s);
boost::json::object AvailabilityJson(const service::Show& s, const service::Availability& a);
// Holds and bookings are on the hot paths: rendered straight to JSON text.
std::string HoldJson(const service::HoldView& h, bool with_token);
std::string BookingJson(const service::BookingView& b);
std::string BookingListJson(const std::vector<service::BookingView>& bookings);  // {"bookings":[…]}
boost::json::object CheckoutJson(const service::CheckoutView& c);
boost::json::object TicketJson(const service::TicketView& t);
boost::json::object HoldTrailJson(core::ShowId show, core::HoldId hold,
                                  const std::vector<service::HoldTrailEntry>& trail);

}  // namespace boxoffice::http
