#include "core/closed_holds.h"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>

#include "testing/seed.h"

namespace boxoffice::core {
namespace {

// `at` is in seconds, as entries keep it.
ClosedHolds::Entry E(HoldId id, TimeMs at, Outcome why = Outcome::kHoldReleased) {
  ClosedHolds::Entry e;
  e.id = id;
  e.why = why;
  e.owner = static_cast<uint32_t>(id * 3);
  e.booking = static_cast<uint32_t>(id % 7);
  e.closed_at_s = static_cast<uint32_t>(at);
  return e;
}

TEST(ClosedHolds, FindsWhatWasAddedAcrossFlushesAndMerges) {
  ClosedHolds c;
  const HoldId n = 5 * ClosedHolds::kRecentMax + 17;
  for (HoldId id = 1; id <= n; ++id) c.Add(E(id * 2, static_cast<TimeMs>(id)));
  EXPECT_EQ(c.size(), n);
  EXPECT_GE(c.runs(), 1u);
  for (HoldId id = 1; id <= n; ++id) {
    const ClosedHolds::Entry* e = c.Find(id * 2);
    ASSERT_NE(e, nullptr) << id;
    EXPECT_EQ(e->owner, static_cast<uint32_t>(id * 6));
    EXPECT_EQ(c.Find(id * 2 + 1), nullptr);
  }
  EXPECT_EQ(c.Find(0), nullptr);
}

TEST(ClosedHolds, ForgetDropsOnlyOlderEntries) {
  ClosedHolds c;
  const HoldId n = 3 * ClosedHolds::kRecentMax;
  for (HoldId id = 1; id <= n; ++id) c.Add(E(id, static_cast<TimeMs>(id)));
  c.Forget(static_cast<TimeMs>(n / 2) * 1000);
  for (HoldId id = 1; id <= n; ++id) {
    EXPECT_EQ(c.Find(id) != nullptr, id >= n / 2) << id;
  }
  EXPECT_EQ(c.size(), n - n / 2 + 1);
}

// Random ids (as slot|generation ids are), against a reference map.
TEST(ClosedHolds, MatchesAReferenceMapWithRandomIds) {
  const uint64_t seed = testing::TestSeed("ClosedHolds.MatchesAReferenceMapWithRandomIds");
  std::mt19937_64 rng(seed);
  ClosedHolds c;
  std::unordered_map<HoldId, TimeMs> ref;
  TimeMs now = 0;
  for (int i = 0; i < 100'000; ++i) {
    HoldId id = 1 + (rng() >> 8);
    while (ref.count(id)) id = 1 + (rng() >> 8);
    c.Add(E(id, ++now));
    ref[id] = now;
    if (i % 20'000 == 19'999) {
      c.Forget((now - 30'000) * 1000);
      std::erase_if(ref, [&](const auto& kv) { return kv.second < now - 30'000; });
    }
  }
  EXPECT_EQ(c.size(), ref.size());
  for (const auto& [id, at] : ref) {
    const ClosedHolds::Entry* e = c.Find(id);
    ASSERT_NE(e, nullptr);
    ASSERT_EQ(e->closed_at_s, static_cast<uint32_t>(at));
  }
}

}  // namespace
}  // namespace boxoffice::core
