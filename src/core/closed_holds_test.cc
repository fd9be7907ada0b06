#include "core/closed_holds.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "testing/seed.h"

namespace boxoffice::core {
namespace {

constexpr uint32_t kChunk = ClosedHolds::kChunkSize;

// `at_s` is in seconds, as entries keep it.
ClosedHolds::Entry E(uint32_t sequence, uint32_t at_s, Outcome why = Outcome::kHoldReleased) {
  ClosedHolds::Entry e;
  e.slot = sequence % 97;
  e.why = why;
  e.owner = sequence * 3;
  e.booking = sequence % 7;
  e.closed_at_s = at_s;
  return e;
}

TEST(ClosedHolds, FindsWhatWasAddedAcrossChunks) {
  ClosedHolds c;
  const uint32_t n = 5 * kChunk + 17;
  for (uint32_t q = 1; q <= n; q += 2) c.Add(q, E(q, q));
  EXPECT_EQ(c.size(), (n + 1) / 2);
  EXPECT_EQ(c.chunks(), 6u);
  for (uint32_t q = 1; q <= n; ++q) {
    const ClosedHolds::Entry* e = c.Find(q, q % 97);
    if (q % 2 == 0) {
      EXPECT_EQ(e, nullptr) << q;  // never closed
      continue;
    }
    ASSERT_NE(e, nullptr) << q;
    EXPECT_EQ(e->owner, q * 3);
    EXPECT_EQ(c.Find(q, q % 97 + 1), nullptr) << "another slot's id with the same sequence";
  }
  EXPECT_EQ(c.Find(0, 0), nullptr);
  EXPECT_EQ(c.Find(n + kChunk * 3, 0), nullptr);
}

TEST(ClosedHolds, ForgetDropsChunksWhoseHoldsAllClosedBefore) {
  ClosedHolds c;
  for (uint32_t q = 1; q < 3 * kChunk; ++q) c.Add(q, E(q, 100 + q / kChunk));  // chunk k at 100+k
  c.Add(kChunk / 2, E(kChunk / 2, 500));  // chunk 0 has a late close: all of it is kept
  c.Forget(102'000);                      // before second 102: chunk 1 only
  EXPECT_NE(c.Find(1, 1), nullptr);
  EXPECT_EQ(c.Find(kChunk, kChunk % 97), nullptr);
  EXPECT_EQ(c.Find(2 * kChunk - 1, (2 * kChunk - 1) % 97), nullptr);
  EXPECT_NE(c.Find(2 * kChunk, (2 * kChunk) % 97), nullptr);
  EXPECT_EQ(c.size(), 2 * kChunk - 1);
  EXPECT_EQ(c.chunks(), 2u);
}

TEST(ClosedHolds, ALateCloseInAForgottenChunkComesBackAlone) {
  ClosedHolds c;
  for (uint32_t q = 1; q <= 2 * kChunk; ++q) c.Add(q, E(q, 10));
  c.Forget(11'000);
  EXPECT_EQ(c.size(), 0u);
  EXPECT_EQ(c.chunks(), 0u);
  c.Add(kChunk + 5, E(kChunk + 5, 20));  // a hold that stayed live through the forgetting
  c.Add(3, E(3, 20));                    // before the first chunk kept
  EXPECT_EQ(c.size(), 2u);
  EXPECT_NE(c.Find(kChunk + 5, (kChunk + 5) % 97), nullptr);
  EXPECT_NE(c.Find(3, 3), nullptr);
  EXPECT_EQ(c.Find(4, 4), nullptr);
}

TEST(ClosedHolds, TheLaterCloseOfASequenceWins) {
  ClosedHolds c;
  c.Add(9, E(9, 1, Outcome::kHoldReleased));
  c.Add(9, E(9, 2, Outcome::kHoldExpired));
  EXPECT_EQ(c.size(), 1u);
  EXPECT_EQ(c.Find(9, 9)->why, Outcome::kHoldExpired);
}

// Holds close in an order other than their sequence; the time only moves on.
// Against a reference that forgets a chunk when its newest close is too old.
TEST(ClosedHolds, MatchesAReferenceWithClosesOutOfOrder) {
  const uint64_t seed = testing::TestSeed("ClosedHolds.MatchesAReferenceWithClosesOutOfOrder");
  std::mt19937_64 rng(seed);
  ClosedHolds c;
  std::map<uint32_t, uint32_t> ref;  // sequence -> closed at
  std::vector<uint32_t> open;
  uint32_t next = 1, now = 1'000;
  for (int i = 0; i < 200'000; ++i) {
    if (open.size() < 5'000 || rng() % 2 == 0) open.push_back(next++);
    if (rng() % 2 == 0 && !open.empty()) {
      const size_t k = rng() % open.size();
      const uint32_t q = open[k];
      open[k] = open.back();
      open.pop_back();
      c.Add(q, E(q, now));
      ref[q] = now;
    }
    if (i % 100 == 0) ++now;
    if (i % 20'000 == 19'999) {
      const uint32_t before = now - 50;
      c.Forget(TimeMs{before} * 1000);
      std::map<uint32_t, uint32_t> newest;  // chunk -> newest close
      for (const auto& [q, at] : ref) newest[q / kChunk] = std::max(newest[q / kChunk], at);
      std::erase_if(ref, [&](const auto& kv) { return newest[kv.first / kChunk] < before; });
    }
  }
  EXPECT_EQ(c.size(), ref.size());
  for (uint32_t q = 1; q < next; ++q) {
    const ClosedHolds::Entry* e = c.Find(q, q % 97);
    const auto it = ref.find(q);
    ASSERT_EQ(e != nullptr, it != ref.end()) << q;
    if (e != nullptr) {
      ASSERT_EQ(e->closed_at_s, it->second) << q;
    }
  }
}

}  // namespace
}  // namespace boxoffice::core
