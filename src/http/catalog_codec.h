// JsonCatalogCodec: the service's CatalogCodec, speaking the API's JSON.
#pragma once

#include <optional>
#include <string_view>

#include "http/json_reader.h"
#include "service/catalog_codec.h"

namespace boxoffice::service {
struct ShowSettings;
}  // namespace boxoffice::service

namespace boxoffice::http {

class JsonCatalogCodec final : public service::CatalogCodec {
 public:
  StatusOr<core::SeatMapSpec> ParseSeatMap(std::string_view json) const override;
};

// Reads the body of POST /v1/shows: absent optional members take their value
// from `defaults`, an absent on_sale_at is now_ms.
StatusOr<service::ShowSettings> ParseShowSettings(std::string_view json, core::TimeMs now_ms,
                                                  const service::ShowSettings& defaults);

// Reads member `key` of `r` as an RFC 3339 time (the API's format), failing `r` otherwise.
std::optional<core::TimeMs> ReadTime(ObjectReader& r, std::string_view key, Field f);

}  // namespace boxoffice::http
