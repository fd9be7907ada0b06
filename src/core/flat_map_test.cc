#include "core/flat_map.h"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>

#include "testing/seed.h"

namespace boxoffice::core {
namespace {

TEST(FlatMap, InsertFindErase) {
  FlatMap<uint64_t, uint32_t> m;
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

TEST(FlatMap, EraseIfRemovesMatchingEntries) {
  FlatMap<uint64_t, uint32_t> m;
  for (uint64_t k = 1; k <= 100; ++k) m[k] = static_cast<uint32_t>(k);
  m.EraseIf([](uint64_t, uint32_t v) { return v % 2 == 0; });
  EXPECT_EQ(m.size(), 50u);
  EXPECT_EQ(m.Find(2), nullptr);
  EXPECT_EQ(*m.Find(3), 3u);
}

// Against std::unordered_map with random churn, including colliding keys and
// keys with the top bit set.
template <typename K>
void CheckAgainstReference(const char* name) {
  const uint64_t seed = testing::TestSeed(name);
  std::mt19937_64 rng(seed);
  FlatMap<K, uint32_t> m;
  std::unordered_map<K, uint32_t> ref;
  const auto random_key = [&] {
    const K low = static_cast<K>(1 + rng() % 2'000);
    return rng() % 4 == 0 ? static_cast<K>(low | (K{1} << (sizeof(K) * 8 - 1))) : low;
  };
  for (int i = 0; i < 300'000; ++i) {
    const K key = random_key();
    switch (rng() % 3) {
      case 0: {
        const auto v = static_cast<uint32_t>(rng());
        m[key] = v;
        ref[key] = v;
        break;
      }
      case 1:
        ASSERT_EQ(m.Erase(key), ref.erase(key) == 1) << "op " << i;
        break;
      default: {
        const uint32_t* v = m.Find(key);
        auto it = ref.find(key);
        ASSERT_EQ(v != nullptr, it != ref.end()) << "op " << i;
        ASSERT_TRUE(v == nullptr || *v == it->second);
      }
    }
    ASSERT_EQ(m.size(), ref.size());
  }
  size_t seen = 0;
  m.ForEach([&](K k, uint32_t v) {
    ++seen;
    EXPECT_EQ(ref.at(k), v);
  });
  EXPECT_EQ(seen, ref.size());
}

TEST(FlatMap, MatchesAReferenceMapUnderChurn64) {
  CheckAgainstReference<uint64_t>("FlatMap.MatchesAReferenceMapUnderChurn64");
}

TEST(FlatMap, MatchesAReferenceMapUnderChurn32) {
  CheckAgainstReference<uint32_t>("FlatMap.MatchesAReferenceMapUnderChurn32");
}

TEST(FlatMap, ThirtyTwoBitKeysTakeEightBytesASlot) {
  FlatMap<uint32_t, uint32_t> m;
  EXPECT_EQ(m.bytes(), m.capacity() * 8);
}

}  // namespace
}  // namespace boxoffice::core
