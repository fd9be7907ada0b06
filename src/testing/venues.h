// Seat maps for tests and benchmarks, built in code.
#pragma once

#include <cstdint>

#include "core/seat_map.h"

namespace boxoffice::testing {

// `sections` seated sections of `rows` rows of `seats_per_row` seats, one
// aisle in the middle of each row, categories "P1" (first half of the rows)
// and "P2"; seat 1 and 2 of every row accessible. Optionally one GA area "GA"
// of `ga_capacity` in category "P2".
core::SeatMapSpec GridVenue(uint32_t sections, uint32_t rows, uint32_t seats_per_row,
                            uint32_t ga_capacity = 0);

// A 70,000-seat stadium: 28 sections x 50 rows x 50 seats.
core::SeatMapSpec Stadium70k();

// Builds a spec that must be valid; aborts otherwise.
core::SeatMap MustBuild(const core::SeatMapSpec& spec);

}  // namespace boxoffice::testing
