// CatalogCodec: how the service turns stored catalogue text back into values.
//
// Venues and shows are journaled as JSON (the seat-map description as
// received, the show settings as the API spells them). The JSON library lives
// in http/, so the service is handed this small interface instead of parsing
// JSON itself; http/catalog_codec.h implements it, tests may fake it.
#pragma once

#include <string>
#include <string_view>

#include "core/seat_map.h"
#include "core/status.h"

namespace boxoffice::service {

struct ShowSettings;

class CatalogCodec {
 public:
  virtual ~CatalogCodec() = default;
  virtual StatusOr<core::SeatMap> ParseSeatMap(std::string_view json) const = 0;
  virtual std::string ShowSettingsToJson(const ShowSettings& s) const = 0;
  virtual StatusOr<ShowSettings> ShowSettingsFromJson(std::string_view json) const = 0;
};

}  // namespace boxoffice::service
