#include "service/hold_trails.h"

#include <gtest/gtest.h>

namespace boxoffice::service {
namespace {

using store::HoldTrailKind;

core::HoldId Hold(uint32_t sequence, uint32_t slot) { return (uint64_t{sequence} << 32) | slot; }

std::vector<HoldTrailKind> Kinds(const std::vector<HoldTrailEntry>* trail) {
  std::vector<HoldTrailKind> kinds;
  if (trail != nullptr) {
    for (const HoldTrailEntry& e : *trail) kinds.push_back(e.kind);
  }
  return kinds;
}

TEST(HoldTrailsTest, KeepsEachHoldsEntriesInOrder) {
  HoldTrails trails;
  trails.Add(Hold(1, 0), {HoldTrailKind::kCreated, 10, ""});
  trails.Add(Hold(2, 1), {HoldTrailKind::kCreated, 11, ""});
  trails.Add(Hold(1, 0), {HoldTrailKind::kPaid, 12, "payment p1"});
  trails.Add(Hold(1, 0), {HoldTrailKind::kConfirmed, 13, "booking 1"});
  EXPECT_EQ(
      Kinds(trails.Find(Hold(1, 0))),
      (std::vector{HoldTrailKind::kCreated, HoldTrailKind::kPaid, HoldTrailKind::kConfirmed}));
  EXPECT_EQ(trails.Find(Hold(1, 0))->at(1).reason, "payment p1");
  EXPECT_EQ(Kinds(trails.Find(Hold(2, 1))), (std::vector{HoldTrailKind::kCreated}));
  EXPECT_EQ(trails.size(), 2u);
}

TEST(HoldTrailsTest, UnknownAndForgedIdsFindNothing) {
  HoldTrails trails;
  EXPECT_EQ(trails.Find(Hold(1, 0)), nullptr);
  trails.Add(Hold(5, 3), {HoldTrailKind::kCreated, 10, ""});
  EXPECT_NE(trails.Find(Hold(5, 3)), nullptr);
  EXPECT_EQ(trails.Find(Hold(5, 4)), nullptr);  // right sequence, another slot
  EXPECT_EQ(trails.Find(Hold(4, 3)), nullptr);
  EXPECT_EQ(trails.Find(Hold(6, 3)), nullptr);
  EXPECT_EQ(trails.Find(Hold(0, 0)), nullptr);
  EXPECT_EQ(trails.Find(~core::HoldId{0}), nullptr);
}

TEST(HoldTrailsTest, TellsWhichRestoredIdsCanBeTakenOnTrust) {
  EXPECT_TRUE(HoldTrails::Plausible(Hold(1, 0), 1));
  EXPECT_TRUE(HoldTrails::Plausible(Hold(7, 9), 7));
  EXPECT_FALSE(HoldTrails::Plausible(Hold(8, 9), 7));  // beyond every hold counted
  EXPECT_FALSE(HoldTrails::Plausible(Hold(0, 0), 7));
  HoldTrails trails;
  EXPECT_TRUE(trails.Fits(Hold(5, 3)));
  trails.Add(Hold(5, 3), {HoldTrailKind::kCreated, 10, ""});
  EXPECT_TRUE(trails.Fits(Hold(5, 3)));
  EXPECT_FALSE(trails.Fits(Hold(5, 4)));  // its sequence is another hold's
  EXPECT_TRUE(trails.Fits(Hold(4, 4)));
  EXPECT_TRUE(trails.Fits(Hold(6, 4)));
}

TEST(HoldTrailsTest, AcceptsHoldsOutOfOrder) {
  HoldTrails trails;
  trails.Add(Hold(10, 0), {HoldTrailKind::kCreated, 10, ""});
  trails.Add(Hold(3, 1), {HoldTrailKind::kCreated, 5, ""});
  trails.Add(Hold(7, 2), {HoldTrailKind::kCreated, 7, ""});
  EXPECT_NE(trails.Find(Hold(3, 1)), nullptr);
  EXPECT_NE(trails.Find(Hold(7, 2)), nullptr);
  EXPECT_NE(trails.Find(Hold(10, 0)), nullptr);
  EXPECT_EQ(trails.Find(Hold(5, 0)), nullptr);
  EXPECT_EQ(trails.size(), 3u);
}

TEST(HoldTrailsTest, PruneForgetsTrailsWhoseLastEntryIsOld) {
  HoldTrails trails;
  trails.Add(Hold(1, 0), {HoldTrailKind::kCreated, 100, ""});
  trails.Add(Hold(2, 1), {HoldTrailKind::kCreated, 100, ""});
  trails.Add(Hold(3, 2), {HoldTrailKind::kCreated, 150, ""});
  trails.Add(Hold(1, 0), {HoldTrailKind::kExpired, 300, ""});  // last entry is recent
  trails.Prune(200);
  EXPECT_NE(trails.Find(Hold(1, 0)), nullptr);
  EXPECT_EQ(trails.Find(Hold(2, 1)), nullptr);
  EXPECT_EQ(trails.Find(Hold(3, 2)), nullptr);
  EXPECT_EQ(trails.size(), 1u);
  trails.Add(Hold(4, 0), {HoldTrailKind::kCreated, 400, ""});
  trails.Prune(350);
  EXPECT_EQ(trails.Find(Hold(1, 0)), nullptr);
  EXPECT_NE(trails.Find(Hold(4, 0)), nullptr);
  trails.Prune(1000);
  EXPECT_EQ(trails.size(), 0u);
  EXPECT_EQ(trails.Find(Hold(4, 0)), nullptr);
  trails.Add(Hold(9, 1), {HoldTrailKind::kCreated, 1000, ""});  // after emptying
  EXPECT_NE(trails.Find(Hold(9, 1)), nullptr);
  trails.Add(Hold(8, 2), {HoldTrailKind::kCreated, 1000, ""});  // before the new front
  EXPECT_NE(trails.Find(Hold(8, 2)), nullptr);
  EXPECT_EQ(trails.size(), 2u);
}

}  // namespace
}  // namespace boxoffice::service
