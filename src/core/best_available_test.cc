#include "core/best_available.h"

#include <gtest/gtest.h>

#include "core/show_inventory.h"
#include "testing/seeded_tokens.h"
#include "testing/venues.h"

namespace boxoffice::core {
namespace {

constexpr DurationMs kTtl = 600'000;
constexpr TimeMs kNow = 1'800'000'000'000;

// One section "M" of rows given as strings: '.' free seat, 'x' taken, '|' aisle
// after the previous seat. Row 1 (first string) is the best.
class BestAvailableTest : public ::testing::Test {
 protected:
  void Layout(std::vector<std::string> rows, bool with_second_section = false) {
    SeatMapSpec spec;
    spec.name = "T";
    spec.categories = {{"C1", ""}, {"C2", ""}};
    SectionSpec sec;
    sec.id = "M";
    for (size_t r = 0; r < rows.size(); ++r) {
      RowSpec row;
      row.label = std::to_string(r + 1);
      row.category = r == 0 ? "C1" : "C2";
      int32_t n = 0;
      int32_t block_start = 1;
      for (char c : rows[r]) {
        if (c == '|') {
          row.blocks.push_back({block_start, n, 1, ""});
          block_start = n + 1;
          continue;
        }
        ++n;
        if (c == 'a') row.accessible.push_back(n);
      }
      row.blocks.push_back({block_start, n, 1, ""});
      sec.rows.push_back(row);
    }
    spec.sections.push_back(sec);
    if (with_second_section) {
      SectionSpec other = sec;
      other.id = "N";
      spec.sections.push_back(other);
    }
    map_ = std::make_shared<SeatMap>(testing::MustBuild(spec));
    ShowPolicy p;
    p.price_minor_by_category = {100, 50};
    p.seats_per_hold_max = 10;
    p.seats_per_owner_max = 1000;
    show_ = std::make_unique<ShowInventory>(1, map_, p, tokens_);
    std::vector<SeatIndex> taken;
    SeatIndex i = 0;
    for (const std::string& row : rows) {
      for (char c : row) {
        if (c == '|') continue;
        if (c == 'x') taken.push_back(i);
        ++i;
      }
    }
    if (!taken.empty()) {
      ASSERT_EQ(show_->Block(taken, kNow, nullptr), Outcome::kOk);
    }
  }

  // The labels of the seats chosen, or "" if none.
  std::string Pick(BestAvailableRequest req) {
    std::vector<SeatIndex> out;
    if (!show_->FindBestSeats(req, out)) return "";
    std::string s;
    for (SeatIndex i : out) s += (s.empty() ? "" : " ") + map_->label(i);
    return s;
  }

  testing::SeededTokens tokens_;
  std::shared_ptr<SeatMap> map_;
  std::unique_ptr<ShowInventory> show_;
};

TEST_F(BestAvailableTest, PicksTheCentreOfTheBestRow) {
  Layout({"..........", ".........."});
  EXPECT_EQ(Pick({.count = 2}), "M-1-5 M-1-6");
  EXPECT_EQ(Pick({.count = 3}), "M-1-4 M-1-5 M-1-6");
}

TEST_F(BestAvailableTest, SkipsRowsWithoutEnoughSeatsTogether) {
  Layout({"x.x.x.x.x.", "xx....xxxx"});
  EXPECT_EQ(Pick({.count = 4}), "M-2-3 M-2-4 M-2-5 M-2-6");
}

TEST_F(BestAvailableTest, AislesBreakAdjacency) {
  Layout({"...|...", "......"});
  // Row 2 has 6 together; the centred 4 would strand one seat on each side.
  EXPECT_EQ(Pick({.count = 4}), "M-2-1 M-2-2 M-2-3 M-2-4");
  EXPECT_EQ(Pick({.count = 3}), "M-1-1 M-1-2 M-1-3");
}

TEST_F(BestAvailableTest, AvoidsLeavingASingleOrphanSeat) {
  // Row 1 has a run of exactly 5: any pair leaves... 0+3, 1+2 (orphan), 2+1 (orphan), 3+0.
  Layout({"xx.....xxx"});
  const std::string pick = Pick({.count = 2});
  EXPECT_TRUE(pick == "M-1-3 M-1-4" || pick == "M-1-6 M-1-7") << pick;
}

TEST_F(BestAvailableTest, PrefersAWorseRowToLeavingAnOrphan) {
  // Row 1: a run of 3 (a pair would strand one); row 2: a run of exactly 2.
  Layout({"xxx...xxxx", "xxxx..xxxx"});
  EXPECT_EQ(Pick({.count = 2}), "M-2-5 M-2-6");
}

TEST_F(BestAvailableTest, TakesAnOrphaningChoiceWhenNothingElseExists) {
  Layout({"xxx...xxxx", "xxxxxxxxxx"});
  const std::string pick = Pick({.count = 2});
  EXPECT_FALSE(pick.empty());
}

TEST_F(BestAvailableTest, FiltersByCategoryAndSection) {
  Layout({"..........", ".........."}, /*with_second_section=*/true);
  EXPECT_EQ(Pick({.count = 2, .category = CategoryIndex{1}}), "M-2-5 M-2-6");
  EXPECT_EQ(Pick({.count = 2, .section = SectionIndex{1}}), "N-1-5 N-1-6");
}

TEST_F(BestAvailableTest, FiltersByAccessibility) {
  Layout({"..........", "aa........"});
  EXPECT_EQ(Pick({.count = 2, .accessible_only = true}), "M-2-1 M-2-2");
  EXPECT_EQ(Pick({.count = 3, .accessible_only = true}), "");
}

TEST_F(BestAvailableTest, SplitsOnlyWhenAllowed) {
  Layout({"x.x.x.x.x.", ".x.x.x.x.x"});
  EXPECT_EQ(Pick({.count = 2}), "");
  const std::string split = Pick({.count = 2, .allow_split = true});
  EXPECT_EQ(split, "M-1-4 M-1-6");  // the two free seats closest to row 1's centre
}

TEST_F(BestAvailableTest, NothingWhenTheShowIsFull) {
  Layout({"xxxx", "xxxx"});
  EXPECT_EQ(Pick({.count = 1, .allow_split = true}), "");
}

TEST_F(BestAvailableTest, HoldBestHoldsTheChosenSeats) {
  Layout({"..........", ".........."});
  HoldResult h = show_->HoldBest(9, {.count = 4}, kTtl, kNow);
  ASSERT_EQ(h.outcome, Outcome::kOk);
  HoldInfo info;
  ASSERT_EQ(show_->FindHold(h.hold, kNow, &info), Outcome::kOk);
  ASSERT_EQ(info.seats.size(), 4u);
  EXPECT_EQ(map_->label(info.seats[0]), "M-1-4");
  EXPECT_EQ(h.total_minor, 400);
  // The next best 4 together: row 1 has 3+3 left (no 4 together), so row 2.
  HoldResult h2 = show_->HoldBest(9, {.count = 4}, kTtl, kNow);
  ASSERT_EQ(h2.outcome, Outcome::kOk);
  ASSERT_EQ(show_->FindHold(h2.hold, kNow, &info), Outcome::kOk);
  EXPECT_EQ(map_->label(info.seats[0]), "M-2-4");
  EXPECT_EQ(show_->HoldBest(9, {.count = 0}, kTtl, kNow).outcome, Outcome::kInvalidRequest);
  EXPECT_EQ(show_->HoldBest(9, {.count = 2, .section = SectionIndex{7}}, kTtl, kNow).outcome,
            Outcome::kInvalidRequest);
  EXPECT_EQ(show_->HoldBest(9, {.count = 9}, kTtl, kNow).outcome, Outcome::kNotEnoughSeats);
}

}  // namespace
}  // namespace boxoffice::core
