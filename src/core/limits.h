// Every limit of the domain core, in one place. Units are in the names.
#pragma once

#include <cstdint>

#include "core/types.h"

namespace boxoffice::core {

inline constexpr uint32_t kSeatsPerVenueMax = 1'000'000;
inline constexpr uint32_t kSectionsPerVenueMax = 1'000;
inline constexpr uint32_t kCategoriesPerVenueMax = 64;  // a row keeps a 64-bit category mask
inline constexpr uint32_t kRowsPerSectionMax = 1'000;
inline constexpr uint32_t kSeatsPerRowMax = 1'000;
inline constexpr uint32_t kLabelBytesMax = 32;  // section, row, seat and category ids
inline constexpr uint32_t kNameBytesMax = 200;  // display names
inline constexpr uint32_t kGeneralAdmissionCapacityMax = 1'000'000;
// A price in minor units (a hundred million in a two-decimal currency).
inline constexpr int64_t kPriceMinorMax = 10'000'000'000;

// Seats (or GA places) in one hold: the hard cap. Operators set a lower one
// (serve's seats_per_hold_max), shows lower still (seats_per_order_max); a
// request can name no more seats than this either.
inline constexpr uint32_t kSeatsPerHoldMax = 50;
// Seats one fan may hold plus own per show: the hard cap of seats_per_owner_max.
inline constexpr uint32_t kSeatsPerOwnerMax = 1'000;
static_assert(kSeatsPerOwnerMax >= kSeatsPerHoldMax, "a fan can always fill one hold");
// A show's hold time: the hard range of hold_ttl_s and of serve's hold_ttl_max_s.
inline constexpr uint32_t kHoldTtlSecondsMin = 1;
inline constexpr uint32_t kHoldTtlSecondsMax = 3'600;
inline constexpr DurationMs kHoldTtlMinMs = DurationMs{kHoldTtlSecondsMin} * 1000;
inline constexpr DurationMs kHoldTtlMaxMs = DurationMs{kHoldTtlSecondsMax} * 1000;
inline constexpr DurationMs kHoldLifetimeMaxMs = 86'400'000;  // longest a show may let a hold live
inline constexpr OwnerId kOwnerIdMax = UINT32_MAX;            // owners are dense 32-bit numbers
// A show issues at most this many holds over its life (a hold id's high half).
inline constexpr uint32_t kHoldsPerShowMax = UINT32_MAX - 1;

// A waiting room's settings (service::QueueSettings): their hard ranges.
inline constexpr uint32_t kAdmissionsPerMinuteMax = 1'000'000;
inline constexpr uint32_t kActiveShoppersMax = 1'000'000;
inline constexpr uint32_t kSessionSecondsMin = 10;
inline constexpr uint32_t kSessionSecondsMax = 7'200;

// Rate limits at the HTTP edge (http/rate_limits.h): tokens a second and
// bucket sizes by scope, defaults of the serve settings rate_*. An address may
// be a whole office or a carrier-grade NAT, so its budgets are loose; a user
// is one person, and its per-show budget stays below its overall one.
inline constexpr uint32_t kRateAddressPerSecondDefault = 50;  // mutating requests
inline constexpr uint32_t kRateAddressBurstDefault = 100;
inline constexpr uint32_t kRateAddressReadPerSecondDefault = 200;  // GET, HEAD
inline constexpr uint32_t kRateAddressReadBurstDefault = 400;
inline constexpr uint32_t kRateUserPerSecondDefault = 5;
inline constexpr uint32_t kRateUserBurstDefault = 20;
inline constexpr uint32_t kRateUserShowPerSecondDefault = 2;
inline constexpr uint32_t kRateUserShowBurstDefault = 10;
inline constexpr uint32_t kRateKeysMaxDefault = 262'144;  // buckets per scope
inline constexpr uint32_t kRatePerSecondMax = 1'000'000;  // and bucket size

}  // namespace boxoffice::core
