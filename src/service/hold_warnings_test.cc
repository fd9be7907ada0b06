#include "service/hold_warnings.h"

#include <gtest/gtest.h>

namespace boxoffice::service {
namespace {

TEST(HoldWarnings, TakesOnlyWhatIsDueForTheShowEarliestFirst) {
  HoldWarnings w;
  w.Add(1, 30, 3'000);
  w.Add(1, 10, 1'000);
  w.Add(1, 20, 2'000);
  w.Add(2, 99, 500);
  EXPECT_TRUE(w.TakeDue(1, 999).empty());
  EXPECT_EQ(w.TakeDue(1, 2'000), (std::vector<core::HoldId>{10, 20}));
  EXPECT_EQ(w.size(), 2u);  // 30 of show 1, 99 of show 2
  EXPECT_EQ(w.TakeDue(2, 10'000), (std::vector<core::HoldId>{99}));
  EXPECT_EQ(w.TakeDue(1, 10'000), (std::vector<core::HoldId>{30}));
  EXPECT_TRUE(w.TakeDue(3, 10'000).empty());
  EXPECT_EQ(w.size(), 0u);
}

}  // namespace
}  // namespace boxoffice::service
