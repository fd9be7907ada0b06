#include "loadgen/fan_model.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "core/status.h"
#include "http/jwt.h"

namespace boxoffice::loadgen {
namespace {

uint64_t Uniform(std::mt19937_64& rng, uint64_t n) {
  BOX_ASSERT(n > 0);
  return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng);
}

// A run of adjacent free seats [first, first + length).
struct Run {
  uint32_t first = 0;
  uint32_t length = 0;
};

// Among the runs of free seats of `row` that hold `count`, one chosen at
// random (reservoir sampling); its length is 0 when there is none. `longest`
// becomes the longest run seen if it is longer.
Run RunInRow(const SeatMapView& map, std::span<const core::SeatState> states,
             const SeatMapView::Row& row, uint32_t count, std::mt19937_64& rng, Run& longest) {
  Run chosen;
  uint64_t fitting = 0;
  Run current;
  for (uint32_t i = row.first_seat; i < row.first_seat + row.seat_count; ++i) {
    if (states[i] != core::SeatState::kFree) continue;
    if (current.length == 0) current.first = i;
    current.length++;
    if (!map.aisle_after[i] && i + 1 < row.first_seat + row.seat_count &&
        states[i + 1] == core::SeatState::kFree) {
      continue;
    }
    if (current.length >= count && Uniform(rng, ++fitting) == 0) chosen = current;
    if (current.length > longest.length) longest = current;
    current = {};
  }
  return chosen;
}

}  // namespace

std::string_view ArrivalProfileName(ArrivalProfile p) {
  switch (p) {
    case ArrivalProfile::kAllAtOnce:
      return "all-at-once";
    case ArrivalProfile::kRamp:
      return "ramp";
    case ArrivalProfile::kSteady:
      return "steady";
  }
  return "?";
}

std::optional<ArrivalProfile> ParseArrivalProfile(std::string_view name) {
  for (ArrivalProfile p :
       {ArrivalProfile::kAllAtOnce, ArrivalProfile::kRamp, ArrivalProfile::kSteady}) {
    if (name == ArrivalProfileName(p)) return p;
  }
  return std::nullopt;
}

core::DurationMs ArrivalOffsetMs(ArrivalProfile p, uint64_t i, uint64_t fans,
                                 core::DurationMs span_ms) {
  BOX_ASSERT(i < fans);
  BOX_ASSERT(span_ms >= 0);
  const double share = static_cast<double>(i) / static_cast<double>(fans);
  const auto span = static_cast<double>(span_ms);
  switch (p) {
    case ArrivalProfile::kAllAtOnce:
      return 0;
    case ArrivalProfile::kSteady:
      return static_cast<core::DurationMs>(span * share);
    case ArrivalProfile::kRamp:
      return static_cast<core::DurationMs>(span * std::sqrt(share));
  }
  return 0;
}

uint32_t SeatsWanted(std::mt19937_64& rng) {
  // Percent of fans wanting 1, 2, ... kSeatsPerFanMax seats.
  constexpr std::array<uint32_t, kSeatsPerFanMax> kPercent = {15, 40, 15, 20, 5, 5};
  uint64_t roll = Uniform(rng, 100);
  for (uint32_t n = 0; n < kSeatsPerFanMax; ++n) {
    if (roll < kPercent[n]) return n + 1;
    roll -= kPercent[n];
  }
  BOX_ASSERT(false && "the percentages add up to 100");
  return 1;
}

std::vector<uint32_t> PickAdjacentFreeSeats(const SeatMapView& map,
                                            std::span<const core::SeatState> states, uint32_t count,
                                            std::mt19937_64& rng) {
  BOX_ASSERT(states.size() == map.seat_count());
  BOX_ASSERT(count > 0);
  std::vector<uint32_t> seats;
  if (map.rows.empty()) return seats;
  const size_t first_row = Uniform(rng, map.rows.size());
  Run longest;
  Run chosen;
  for (size_t k = 0; k < map.rows.size() && chosen.length == 0; ++k) {
    const SeatMapView::Row& row = map.rows[(first_row + k) % map.rows.size()];
    chosen = RunInRow(map, states, row, count, rng, longest);
  }
  uint32_t first = 0;
  if (chosen.length > 0) {
    first = chosen.first + static_cast<uint32_t>(Uniform(rng, chosen.length - count + 1));
  } else {
    first = longest.first;
    count = longest.length;
  }
  for (uint32_t i = 0; i < count; ++i) seats.push_back(first + i);
  return seats;
}

HoldChoice ChooseWhatToDo(double abandon, double release, std::mt19937_64& rng) {
  BOX_ASSERT(abandon >= 0 && release >= 0 && abandon + release <= 1.0 + 1e-9);
  const double roll = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  if (roll < abandon) return HoldChoice::kAbandon;
  if (roll < abandon + release) return HoldChoice::kRelease;
  return HoldChoice::kPay;
}

std::string FanUser(uint64_t fan) { return "fan-" + std::to_string(fan); }

std::string FanBearer(uint64_t fan, std::string_view jwt_secret, core::TimeMs now_ms) {
  http::JwtClaims claims;
  claims.sub = FanUser(fan);
  claims.iat_s = now_ms / 1000;
  claims.exp_s = claims.iat_s + kFanTokenTtlS;
  return "Bearer " + http::SignJwt(claims, jwt_secret);
}

}  // namespace boxoffice::loadgen
