// The demo venues `boxoffice serve --demo` creates on an empty data directory,
// and the in-process engine run uses: a 2,000-seat theatre and a 50,000-place
// stadium (45,000 seats in 20 sections plus a 5,000-place standing floor).
#pragma once

#include "core/seat_map.h"

namespace boxoffice::app {

core::SeatMapSpec DemoTheatre();
core::SeatMapSpec DemoStadium();

}  // namespace boxoffice::app
