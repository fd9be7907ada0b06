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

}  // namespace boxoffice::core
