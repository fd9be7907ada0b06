#include "core/flat_map.h"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>

#include "testing/seed.h"

namespace boxoffice::core {
namespace {

TEST(U64FlatMap, InsertFindErase) {
  U64FlatMap<uint32_t> m;
  EXPECT_EQ(m.Find(5), nullptr);
  m[5] = 50;
  m[6] += 2;
  EXPECT_EQ(*m.Find(5), 50u);
  EXPECT_EQ(*m.Find(6), 2u);
  EXPECT_EQ(m.size(), 2u);
  EXPECT_TRUE(m.Erase(5));
  EXPECT_FALSE(m.Erase(5));
  EXPECT_EQ(m.Find(5), nullptr);
  EXPECT_EQ(m.size(), 1u);
}

TEST(U64FlatMap, EraseIfRemovesMatchingEntries) {
  U64FlatMap<uint32_t> m;
  for (uint64_t k = 1; k <= 100; ++k) m[k] = static_cast<uint32_t>(k);
  m.EraseIf([](uint64_t, uint32_t v) { return v % 2 == 0; });
  EXPECT_EQ(m.size(), 50u);
  EXPECT_EQ(m.Find(2), nullptr);
  EXPECT_EQ(*m.Find(3), 3u);
}

// Against std::unordered_map with random churn, including colliding keys.
TEST(U64FlatMap, MatchesAReferenceMapUnderChurn) {
  const uint64_t seed = testing::TestSeed("U64FlatMap.MatchesAReferenceMapUnderChurn");
  std::mt19937_64 rng(seed);
  U64FlatMap<uint64_t> m;
  std::unordered_map<uint64_t, uint64_t> ref;
  for (int i = 0; i < 300'000; ++i) {
    const uint64_t key = 1 + rng() % 2'000;
    switch (rng() % 3) {
      case 0: {
        const uint64_t v = rng();
        m[key] = v;
        ref[key] = v;
        break;
      }
      case 1:
        ASSERT_EQ(m.Erase(key), ref.erase(key) == 1) << "op " << i;
        break;
      default: {
        const uint64_t* v = m.Find(key);
        auto it = ref.find(key);
        ASSERT_EQ(v != nullptr, it != ref.end()) << "op " << i;
        ASSERT_TRUE(v == nullptr || *v == it->second);
      }
    }
    ASSERT_EQ(m.size(), ref.size());
  }
  size_t seen = 0;
  m.ForEach([&](uint64_t k, uint64_t v) {
    ++seen;
    EXPECT_EQ(ref.at(k), v);
  });
  EXPECT_EQ(seen, ref.size());
}

}  // namespace
}  // namespace boxoffice::core
