// The seat-map description as JSON: what organisers POST to /v1/venues.
//
//   {"name": "Lyric Theatre",
//    "categories": [{"id": "PREM", "name": "Premium"}, {"id": "STD"}],
//    "sections": [
//      {"id": "STALLS", "name": "Stalls", "rank": 0,
//       "rows": [{"label": "A", "category": "PREM", "rank": 3,
//                 "blocks": [{"first": 1, "last": 12}, {"first": 13, "last": 24, "category":
//                 "STD"}], "accessible": [1, 2]},
//                {"label": "B", "category": "STD", "seats": 24}]},
//      {"id": "FLOOR", "general_admission": true, "capacity": 5000, "category": "STD"}]}
//
// A row lists its seats as `blocks` (an aisle separates two blocks; `step` 2
// numbers one side odd or even) or, for a plain row, as `"seats": N` (1..N).
// Seat labels are SECTION-ROW-NUMBER. Parsing checks types and JSON shape and
// names the offending member; core::SeatMap::Build checks the meaning.
#pragma once

#include <boost/json/value.hpp>
#include <string_view>

#include "core/seat_map.h"
#include "core/status.h"

namespace boxoffice::http {

StatusOr<core::SeatMapSpec> ParseSeatMapSpec(const boost::json::value& v);
// Parses and builds: the one call for "is this a valid venue?".
StatusOr<core::SeatMap> BuildSeatMapFromJson(std::string_view json);
boost::json::value SeatMapSpecToJson(const core::SeatMapSpec& spec);

}  // namespace boxoffice::http
