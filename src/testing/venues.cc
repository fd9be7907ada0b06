#include "testing/venues.h"

#include <string>

namespace boxoffice::testing {

core::SeatMapSpec GridVenue(uint32_t sections, uint32_t rows, uint32_t seats_per_row,
                            uint32_t ga_capacity) {
  core::SeatMapSpec spec;
  spec.name = "Grid";
  spec.categories = {{"P1", "Premium"}, {"P2", "Standard"}};
  for (uint32_t s = 0; s < sections; ++s) {
    core::SectionSpec sec;
    sec.id = "S" + std::to_string(s + 1);
    for (uint32_t r = 0; r < rows; ++r) {
      core::RowSpec row;
      row.label = std::to_string(r + 1);
      row.category = r < rows / 2 ? "P1" : "P2";
      const auto half = static_cast<int32_t>(seats_per_row / 2);
      const auto n = static_cast<int32_t>(seats_per_row);
      if (half >= 1) row.blocks.push_back({1, half, 1, ""});
      if (n > half) row.blocks.push_back({half + 1, n, 1, ""});
      row.accessible = {1};
      if (n >= 2) row.accessible.push_back(2);
      sec.rows.push_back(std::move(row));
    }
    spec.sections.push_back(std::move(sec));
  }
  if (ga_capacity > 0) {
    core::SectionSpec ga;
    ga.id = "GA";
    ga.general_admission = true;
    ga.capacity = ga_capacity;
    ga.category = "P2";
    spec.sections.push_back(std::move(ga));
  }
  return spec;
}

core::SeatMapSpec Stadium70k() { return GridVenue(28, 50, 50); }

core::SeatMap MustBuild(const core::SeatMapSpec& spec) {
  StatusOr<core::SeatMap> m = core::SeatMap::Build(spec);
  BOX_ASSERT(m.ok());
  return std::move(m).value();
}

}  // namespace boxoffice::testing
