// CatalogCodec: how the service reads a venue's seat-map description as an
// organiser sends it (JSON).
//
// The JSON library lives in http/, so the service is handed this small
// interface instead of parsing JSON itself; http/catalog_codec.h implements
// it, tests may fake it. What the service journals is the parsed
// description: the store keeps it in a form of its own.
#pragma once

#include <string_view>

#include "core/seat_map.h"
#include "core/status.h"

namespace boxoffice::service {

class CatalogCodec {
 public:
  virtual ~CatalogCodec() = default;
  // The description, checked for shape only: core::SeatMap::Build checks its meaning.
  virtual StatusOr<core::SeatMapSpec> ParseSeatMap(std::string_view json) const = 0;
};

}  // namespace boxoffice::service
