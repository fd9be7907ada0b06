// The store's own form of a venue's seat-map description: a versioned binary
// document, independent of the API's JSON, written by every Store
// implementation and read back by recovery. Pure functions; any thread.
//
// Layout (version 1): the magic "BXSM", then unsigned LEB128 varints, signed
// numbers zigzag-encoded, strings and lists as a varint length then their
// bytes or elements, an optional number as 0 (absent) or value + 1:
//
//   magic  version  name  categories[id name]
//   sections[id name rank? general_admission capacity category
//             rows[label category rank? blocks[first last step category]
//                  accessible[number]]]
//
// To change the layout, raise kSeatMapFormat and keep reading every older
// version: stored documents are never rewritten.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/seat_map.h"
#include "core/status.h"

namespace boxoffice::store {

inline constexpr uint32_t kSeatMapFormat = 1;

std::string EncodeSeatMap(const core::SeatMapSpec& spec);

// kCorruption unless `doc` is a whole, well-formed document of a known version.
StatusOr<core::SeatMapSpec> DecodeSeatMap(std::string_view doc);

}  // namespace boxoffice::store
