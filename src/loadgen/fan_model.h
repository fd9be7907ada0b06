// The simulated crowd, as pure functions: when fans arrive, how many seats
// they want, which free seats they pick, and what they do with a hold.
//
// Arrival profiles, for N fans over a span of D ms (fan i counts from 0):
//   all-at-once  everybody at 0 (the on-sale instant)
//   steady       a constant rate: fan i at D * i / N
//   ramp         a rate growing linearly from 0: fan i at D * sqrt(i / N)
//
// Thread-safety: pure functions; the random generator is the caller's.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.h"
#include "loadgen/api_views.h"

namespace boxoffice::loadgen {

enum class ArrivalProfile : uint8_t { kAllAtOnce, kRamp, kSteady };

std::string_view ArrivalProfileName(ArrivalProfile p);
std::optional<ArrivalProfile> ParseArrivalProfile(std::string_view name);

// When fan `i` of `fans` arrives, in ms after the sale starts.
core::DurationMs ArrivalOffsetMs(ArrivalProfile p, uint64_t i, uint64_t fans,
                                 core::DurationMs span_ms);

inline constexpr uint32_t kSeatsPerFanMax = 6;

// How many seats a fan wants together, 1..kSeatsPerFanMax: mostly pairs
// (1: 15 %, 2: 40 %, 3: 15 %, 4: 20 %, 5: 5 %, 6: 5 %).
uint32_t SeatsWanted(std::mt19937_64& rng);

// Up to `count` adjacent free seats of one row (no aisle between them),
// searching the rows from a random one and each row from a random seat;
// the first run of `count` wins, else the longest shorter run seen. Empty
// when no seat is free. Seat indices, in seat order.
std::vector<uint32_t> PickAdjacentFreeSeats(const SeatMapView& map,
                                            std::span<const core::SeatState> states, uint32_t count,
                                            std::mt19937_64& rng);

// What a fan does with a hold.
enum class HoldChoice : uint8_t {
  kAbandon,  // walk away: the hold expires
  kRelease,  // release it and try again
  kPay,      // pay (for now: the box office confirms it)
};

// Fan i's user id, "fan-<i>", and the bearer token ("Bearer <JWT>", HS256
// with `jwt_secret`, valid for kFanTokenTtlS from `now_ms`) that names it.
inline constexpr int64_t kFanTokenTtlS = 3'600;
std::string FanUser(uint64_t fan);
std::string FanBearer(uint64_t fan, std::string_view jwt_secret, core::TimeMs now_ms);

// kAbandon with probability `abandon`, kRelease with `release`, else kPay.
// Requires 0 <= abandon, 0 <= release, abandon + release <= 1.
HoldChoice ChooseWhatToDo(double abandon, double release, std::mt19937_64& rng);

}  // namespace boxoffice::loadgen
