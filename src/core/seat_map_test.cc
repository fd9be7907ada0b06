#include "core/seat_map.h"

#include <gtest/gtest.h>

#include "testing/venues.h"

namespace boxoffice::core {
namespace {

SeatMapSpec SmallSpec() {
  SeatMapSpec spec;
  spec.name = "Small";
  spec.categories = {{"A", "Front"}, {"B", "Back"}};
  SectionSpec s;
  s.id = "ST";
  RowSpec r1{"1", "A", {{1, 4, 1, ""}, {5, 8, 1, "B"}}, {2}, std::nullopt};
  RowSpec r2{"2", "B", {{1, 9, 2, ""}}, {}, std::nullopt};
  s.rows = {r1, r2};
  SectionSpec ga;
  ga.id = "FLOOR";
  ga.general_admission = true;
  ga.capacity = 100;
  ga.category = "B";
  spec.sections = {s, ga};
  return spec;
}

TEST(SeatMap, BuildsSeatsRowsAndLabels) {
  StatusOr<SeatMap> m = SeatMap::Build(SmallSpec());
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->seat_count(), 8u + 5u);
  EXPECT_EQ(m->rows().size(), 2u);
  ASSERT_TRUE(m->FindSeat("ST-1-7").has_value());
  const SeatIndex s = *m->FindSeat("ST-1-7");
  EXPECT_EQ(m->label(s), "ST-1-7");
  EXPECT_EQ(m->seat(s).number, 7);
  EXPECT_EQ(m->categories()[m->seat(s).category].id, "B");  // block override
  EXPECT_FALSE(m->FindSeat("ST-1-9").has_value());
  EXPECT_TRUE(m->FindSeat("ST-2-9").has_value());  // odd numbers 1..9
  EXPECT_FALSE(m->FindSeat("ST-2-2").has_value());
}

TEST(SeatMap, GapBetweenBlocksBreaksAdjacency) {
  const SeatMap m = testing::MustBuild(SmallSpec());
  EXPECT_TRUE(m.seat(*m.FindSeat("ST-1-3")).adjacent_to_next);
  EXPECT_FALSE(m.seat(*m.FindSeat("ST-1-4")).adjacent_to_next);  // aisle after 4
  EXPECT_TRUE(m.seat(*m.FindSeat("ST-1-5")).adjacent_to_next);
  EXPECT_FALSE(m.seat(*m.FindSeat("ST-1-8")).adjacent_to_next);  // row end
}

TEST(SeatMap, AccessibleSeatsAndCategoryMask) {
  const SeatMap m = testing::MustBuild(SmallSpec());
  EXPECT_TRUE(m.seat(*m.FindSeat("ST-1-2")).accessible);
  EXPECT_FALSE(m.seat(*m.FindSeat("ST-1-1")).accessible);
  EXPECT_EQ(m.row(0).accessible_count, 1u);
  EXPECT_EQ(m.row(0).category_mask, 0b11u);
  EXPECT_EQ(m.row(1).category_mask, 0b10u);
}

TEST(SeatMap, GeneralAdmissionAreaHasCapacityAndNoSeats) {
  const SeatMap m = testing::MustBuild(SmallSpec());
  const SectionIndex ga = *m.FindSection("FLOOR");
  EXPECT_TRUE(m.section(ga).general_admission);
  EXPECT_EQ(m.section(ga).capacity, 100u);
  EXPECT_EQ(m.section(ga).row_count, 0u);
  EXPECT_EQ(m.sellable_capacity(), 113u);
}

TEST(SeatMap, RowsByRankPutTheBestFirst) {
  SeatMapSpec spec = SmallSpec();
  spec.sections[0].rows[1].rank = 0;  // row 2 explicitly best
  spec.sections[0].rows[0].rank = 5;
  const SeatMap m = testing::MustBuild(spec);
  ASSERT_EQ(m.rows_by_rank().size(), 2u);
  EXPECT_EQ(m.row(m.rows_by_rank()[0]).label, "2");
  EXPECT_EQ(m.row(m.rows_by_rank(0)[0]).label, "2");
}

TEST(SeatMap, StadiumHasSeventyThousandSeats) {
  const SeatMap m = testing::MustBuild(testing::Stadium70k());
  EXPECT_EQ(m.seat_count(), 70'000u);
  EXPECT_EQ(*m.FindSeat("S28-50-50"), 69'999u);
}

struct InvalidCase {
  const char* name;
  void (*mutate)(SeatMapSpec&);
  const char* expected;  // substring of the error message
};

class InvalidSeatMap : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidSeatMap, IsRejectedNamingTheElement) {
  SeatMapSpec spec = SmallSpec();
  GetParam().mutate(spec);
  StatusOr<SeatMap> m = SeatMap::Build(spec);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(m.status().message().find(GetParam().expected), std::string::npos)
      << m.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, InvalidSeatMap,
    ::testing::Values(
        InvalidCase{"NoName", [](SeatMapSpec& s) { s.name.clear(); }, "name"},
        InvalidCase{"NoCategories", [](SeatMapSpec& s) { s.categories.clear(); }, "categories"},
        InvalidCase{"DuplicateCategory", [](SeatMapSpec& s) { s.categories[1].id = "A"; },
                    "categories[1].id: duplicate"},
        InvalidCase{"NoSections", [](SeatMapSpec& s) { s.sections.clear(); }, "sections"},
        InvalidCase{"DuplicateSection", [](SeatMapSpec& s) { s.sections[1].id = "ST"; },
                    "sections[1].id: duplicate"},
        InvalidCase{"BadSectionId", [](SeatMapSpec& s) { s.sections[0].id = "S T"; },
                    "sections[0].id"},
        InvalidCase{"DashInRowLabel", [](SeatMapSpec& s) { s.sections[0].rows[0].label = "1-2"; },
                    "sections[0].rows[0].label"},
        InvalidCase{"DuplicateRow", [](SeatMapSpec& s) { s.sections[0].rows[1].label = "1"; },
                    "sections[0].rows[1].label: duplicate"},
        InvalidCase{"UnknownCategory", [](SeatMapSpec& s) { s.sections[0].rows[1].category = "Z"; },
                    "sections[0].rows[1].category: unknown category 'Z'"},
        InvalidCase{"UnknownBlockCategory",
                    [](SeatMapSpec& s) { s.sections[0].rows[0].blocks[1].category = "Q"; },
                    "sections[0].rows[0].blocks[1].category"},
        InvalidCase{"BackwardsBlock",
                    [](SeatMapSpec& s) { s.sections[0].rows[0].blocks[0].last_number = 0; },
                    "sections[0].rows[0].blocks[0]: last_number before first_number"},
        InvalidCase{"OverlappingBlocks",
                    [](SeatMapSpec& s) { s.sections[0].rows[0].blocks[1].first_number = 4; },
                    "sections[0].rows[0].blocks[1]: seat number 4 appears twice"},
        InvalidCase{"BadStep", [](SeatMapSpec& s) { s.sections[0].rows[1].blocks[0].step = 0; },
                    "sections[0].rows[1].blocks[0].step"},
        InvalidCase{"EmptyRow", [](SeatMapSpec& s) { s.sections[0].rows[0].blocks.clear(); },
                    "sections[0].rows[0].blocks"},
        InvalidCase{"NoRows", [](SeatMapSpec& s) { s.sections[0].rows.clear(); },
                    "sections[0].rows"},
        InvalidCase{"AccessibleSeatMissing",
                    [](SeatMapSpec& s) { s.sections[0].rows[0].accessible = {42}; },
                    "sections[0].rows[0].accessible[0]"},
        InvalidCase{"GaWithoutCapacity", [](SeatMapSpec& s) { s.sections[1].capacity = 0; },
                    "sections[1].capacity"},
        InvalidCase{"GaWithRows", [](SeatMapSpec& s) { s.sections[1].rows = s.sections[0].rows; },
                    "sections[1].rows"},
        InvalidCase{"GaUnknownCategory", [](SeatMapSpec& s) { s.sections[1].category = "Z"; },
                    "sections[1].category"},
        InvalidCase{"TooLongRow",
                    [](SeatMapSpec& s) { s.sections[0].rows[0].blocks[0].last_number = 5000; },
                    "too many seats in the row"},
        InvalidCase{"MissingRowCategoryWithManyCategories",
                    [](SeatMapSpec& s) { s.sections[0].rows[1].category.clear(); },
                    "sections[0].rows[1].category: required"}),
    [](const ::testing::TestParamInfo<InvalidCase>& p) { return p.param.name; });

}  // namespace
}  // namespace boxoffice::core
