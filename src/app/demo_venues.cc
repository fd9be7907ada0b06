#include "app/demo_venues.h"

#include <string>

namespace boxoffice::app {
namespace {

// `rows` rows of `seats` seats with an aisle after every `block` seats; the
// first `premium_rows` rows in `premium`, the rest in `standard`; seats 1-2 of
// the last row accessible.
core::SectionSpec Section(const std::string& id, const std::string& name, uint32_t rank, int rows,
                          int seats, int block, int premium_rows, const std::string& premium,
                          const std::string& standard) {
  core::SectionSpec s;
  s.id = id;
  s.name = name;
  s.rank = rank;
  for (int r = 1; r <= rows; ++r) {
    core::RowSpec row;
    row.label = std::to_string(r);
    row.category = r <= premium_rows ? premium : standard;
    for (int first = 1; first <= seats; first += block) {
      row.blocks.push_back({first, std::min(first + block - 1, seats), 1, ""});
    }
    if (r == rows) row.accessible = {1, 2};
    s.rows.push_back(std::move(row));
  }
  return s;
}

}  // namespace

core::SeatMapSpec DemoTheatre() {
  core::SeatMapSpec spec;
  spec.name = "Lyric Theatre";
  spec.categories = {{"PREM", "Premium"}, {"STD", "Standard"}, {"VIEW", "Restricted view"}};
  spec.sections.push_back(Section("STALLS", "Stalls", 0, 20, 50, 25, 8, "PREM", "STD"));
  spec.sections.push_back(Section("CIRCLE", "Dress Circle", 1, 10, 60, 20, 4, "PREM", "STD"));
  spec.sections.push_back(Section("BALCONY", "Balcony", 2, 8, 50, 25, 0, "STD", "VIEW"));
  return spec;
}

core::SeatMapSpec DemoStadium() {
  core::SeatMapSpec spec;
  spec.name = "City Stadium";
  spec.categories = {
      {"GOLD", "Gold"}, {"SILVER", "Silver"}, {"BRONZE", "Bronze"}, {"FLOOR", "Standing floor"}};
  for (int i = 0; i < 20; ++i) {
    const bool lower = i < 10;
    const std::string id = (lower ? "L" : "U") + std::to_string(101 + i % 10);
    spec.sections.push_back(Section(id,
                                    (lower ? "Lower " : "Upper ") + std::to_string(101 + i % 10),
                                    static_cast<uint32_t>(1 + i), 50, 45, 15, lower ? 15 : 0,
                                    lower ? "GOLD" : "SILVER", lower ? "SILVER" : "BRONZE"));
  }
  core::SectionSpec floor;
  floor.id = "FLOOR";
  floor.name = "Standing floor";
  floor.rank = 0;
  floor.general_admission = true;
  floor.capacity = 5'000;
  floor.category = "FLOOR";
  spec.sections.push_back(std::move(floor));
  return spec;
}

}  // namespace boxoffice::app
