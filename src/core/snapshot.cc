#include "core/snapshot.h"

#include "core/status.h"

namespace boxoffice::core {

std::string EncodeSeatStates(std::span<const SeatState> states) {
  std::string out((states.size() + 3) / 4, '\0');
  const size_t full = states.size() / 4;
  for (size_t b = 0; b < full; ++b) {
    const SeatState* s = &states[b * 4];
    out[b] = static_cast<char>(static_cast<unsigned>(s[0]) | static_cast<unsigned>(s[1]) << 2 |
                               static_cast<unsigned>(s[2]) << 4 | static_cast<unsigned>(s[3]) << 6);
  }
  for (size_t i = full * 4; i < states.size(); ++i) {
    out[i / 4] = static_cast<char>(static_cast<unsigned char>(out[i / 4]) |
                                   static_cast<unsigned>(states[i]) << (2 * (i % 4)));
  }
  return out;
}

SeatState DecodeSeatState(std::string_view encoded, SeatIndex i) {
  BOX_ASSERT(i / 4 < encoded.size());
  const auto byte = static_cast<unsigned char>(encoded[i / 4]);
  return static_cast<SeatState>((byte >> (2 * (i % 4))) & 3u);
}

}  // namespace boxoffice::core
