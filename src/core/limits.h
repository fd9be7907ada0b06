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

inline constexpr uint32_t kSeatsPerHoldMax = 50;  // hard cap; shows set a lower one
inline constexpr DurationMs kHoldTtlMinMs = 1'000;
inline constexpr DurationMs kHoldTtlMaxMs = 3'600'000;
inline constexpr DurationMs kHoldLifetimeMaxMs = 86'400'000;  // longest a show may let a hold live
inline constexpr OwnerId kOwnerIdMax = UINT32_MAX;            // owners are dense 32-bit numbers
// A show issues at most this many holds over its life (a hold id's high half).
inline constexpr uint32_t kHoldsPerShowMax = UINT32_MAX - 1;

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
