#include "http/seat_map_json.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <random>

#include "http/json_reader.h"
#include "testing/seed.h"
#include "testing/venues.h"

namespace boxoffice::http {
namespace {

constexpr std::string_view kTheatre = R"({
  "name": "Lyric",
  "categories": [{"id": "PREM", "name": "Premium"}, {"id": "STD"}],
  "sections": [
    {"id": "STALLS", "name": "Stalls", "rank": 0,
     "rows": [{"label": "A", "category": "PREM", "rank": 3,
               "blocks": [{"first": 1, "last": 12}, {"first": 13, "last": 24, "category": "STD"}],
               "accessible": [1, 2]},
              {"label": "B", "category": "STD", "seats": 24},
              {"label": "C", "category": "STD", "blocks": [{"first": 1, "last": 9, "step": 2}]}]},
    {"id": "FLOOR", "general_admission": true, "capacity": 500, "category": "STD"}]})";

std::string ErrorOf(std::string_view json) {
  StatusOr<core::SeatMap> m = BuildSeatMapFromJson(json);
  return m.ok() ? "ok" : m.status().message();
}

std::string Replace(std::string s, std::string_view from, std::string_view to) {
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

TEST(SeatMapJson, BuildsAVenueFromItsDescription) {
  StatusOr<core::SeatMap> m = BuildSeatMapFromJson(kTheatre);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->seat_count(), 24u + 24u + 5u);
  EXPECT_TRUE(m->seat(*m->FindSeat("STALLS-A-2")).accessible);
  EXPECT_FALSE(m->seat(*m->FindSeat("STALLS-A-12")).adjacent_to_next);
  EXPECT_EQ(m->categories()[m->seat(*m->FindSeat("STALLS-A-13")).category].id, "STD");
  EXPECT_TRUE(m->FindSeat("STALLS-C-9").has_value());
  EXPECT_FALSE(m->FindSeat("STALLS-C-2").has_value());
  EXPECT_EQ(m->section(*m->FindSection("FLOOR")).capacity, 500u);
}

TEST(SeatMapJson, RoundTripsThroughJson) {
  const core::SeatMapSpec spec = testing::GridVenue(3, 4, 10, 100);
  const std::string json = boost::json::serialize(SeatMapSpecToJson(spec));
  StatusOr<core::SeatMap> m = BuildSeatMapFromJson(json);
  ASSERT_TRUE(m.ok()) << m.status().message();
  const core::SeatMap direct = testing::MustBuild(spec);
  ASSERT_EQ(m->seat_count(), direct.seat_count());
  for (core::SeatIndex i = 0; i < direct.seat_count(); ++i) {
    EXPECT_EQ(m->label(i), direct.label(i));
    EXPECT_EQ(m->seat(i).accessible, direct.seat(i).accessible);
    EXPECT_EQ(m->seat(i).adjacent_to_next, direct.seat(i).adjacent_to_next);
  }
}

TEST(SeatMapJson, ErrorsNameTheOffendingMember) {
  const std::string t(kTheatre);
  EXPECT_EQ(ErrorOf(Replace(t, R"("name": "Lyric",)", "")), "name: is required");
  EXPECT_EQ(ErrorOf(Replace(t, R"("rank": 3,)", R"("rank": "3",)")),
            "sections[0].rows[0].rank: expected an integer, got a string");
  EXPECT_EQ(ErrorOf(Replace(t, R"("first": 13,)", R"("frist": 13,)")),
            "sections[0].rows[0].blocks[1].first: is required");
  EXPECT_EQ(ErrorOf(Replace(t, R"("seats": 24})", R"("seats": 24, "blocks": []})")),
            "sections[0].rows[1].seats: give either seats or blocks, not both");
  EXPECT_EQ(ErrorOf(Replace(t, R"("accessible": [1, 2])", R"("accessible": [1, "x"])")),
            "sections[0].rows[0].accessible[1]: expected an integer, got a string");
  EXPECT_EQ(ErrorOf(Replace(t, R"("capacity": 500)", R"("capacity": -5)")),
            "sections[1].capacity: must be between 0 and 1000000");
  EXPECT_EQ(ErrorOf(Replace(t, R"("general_admission": true)",
                            R"("general_admission": true, "colour": 1)")),
            "sections[1].colour: unknown member");
  // Meaning is checked by the core, with the same paths.
  EXPECT_EQ(ErrorOf(Replace(t, R"("category": "PREM", "rank")", R"("category": "GOLD", "rank")")),
            "sections[0].rows[0].category: unknown category 'GOLD'");
  EXPECT_EQ(ErrorOf(Replace(t, R"({"label": "B")", R"({"label": "A")")),
            "sections[0].rows[1].label: duplicate row 'A'");
  EXPECT_EQ(ErrorOf("[1, 2]"), "body: expected an object, got an array");
  EXPECT_NE(ErrorOf("{\"name\": \"\xff\"}").find("invalid JSON"), std::string::npos);
}

// Random byte-level damage to a valid description: never a crash, and every
// failure is an InvalidArgument with a message.
TEST(SeatMapJson, SurvivesRandomDamage) {
  const uint64_t seed = testing::TestSeed("SeatMapJson.SurvivesRandomDamage");
  std::mt19937_64 rng(seed);
  const std::string good(kTheatre);
  for (int i = 0; i < 20'000; ++i) {
    std::string s = good;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const size_t at = rng() % s.size();
      switch (rng() % 3) {
        case 0:
          s[at] = static_cast<char>(rng() % 256);
          break;
        case 1:
          s.erase(at, 1 + rng() % 8);
          break;
        default:
          s.insert(at, 1, "{}[],:\"0-9a"[rng() % 11]);
      }
      if (s.empty()) s = "{";
    }
    StatusOr<core::SeatMap> m = BuildSeatMapFromJson(s);
    if (!m.ok()) {
      ASSERT_EQ(m.status().code(), StatusCode::kInvalidArgument) << s;
      ASSERT_FALSE(m.status().message().empty());
    }
  }
}

}  // namespace
}  // namespace boxoffice::http
