// Compact encoding of every seat's state for availability snapshots.
//
// Two bits per seat, SeatState numbering (0 free, 1 held, 2 booked,
// 3 blocked), four seats per byte, seat i in bits 2*(i%4)..2*(i%4)+1 of byte
// i/4. 70,000 seats encode to 17,500 bytes; the HTTP layer base64s them.
#pragma once

#include <span>
#include <string>

#include "core/types.h"

namespace boxoffice::core {

std::string EncodeSeatStates(std::span<const SeatState> states);
SeatState DecodeSeatState(std::string_view encoded, SeatIndex i);

}  // namespace boxoffice::core
