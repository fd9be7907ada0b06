#include "core/expiry_queue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "testing/seed.h"

namespace boxoffice::core {
namespace {

constexpr TimeMs kT0 = 1'000'000;

std::vector<uint32_t> PopAt(ExpiryQueue& q, TimeMs now) {
  std::vector<uint32_t> due;
  q.PopDue(now, due);
  return due;
}

TEST(ExpiryQueue, PopsExactlyAtTheDeadlineEarliestFirst) {
  ExpiryQueue q;
  q.Insert(1, kT0 + 1'050);
  q.Insert(2, kT0 + 1'000);
  q.Insert(3, kT0 + 5'000);
  EXPECT_TRUE(PopAt(q, kT0 + 999).empty());
  EXPECT_EQ(PopAt(q, kT0 + 1'000), (std::vector<uint32_t>{2}));
  EXPECT_EQ(PopAt(q, kT0 + 4'999), (std::vector<uint32_t>{1}));
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(PopAt(q, kT0 + 10'000), (std::vector<uint32_t>{3}));
  EXPECT_EQ(q.size(), 0u);
}

TEST(ExpiryQueue, RemovedSlotsNeverComeOut) {
  ExpiryQueue q;
  q.Insert(7, kT0 + 500);
  q.Insert(8, kT0 + 500);
  q.Remove(7);
  EXPECT_FALSE(q.Contains(7));
  EXPECT_TRUE(q.Contains(8));
  EXPECT_EQ(PopAt(q, kT0 + 1'000), (std::vector<uint32_t>{8}));
}

TEST(ExpiryQueue, RescheduleMovesTheDeadlineBothWays) {
  ExpiryQueue q;
  q.Insert(4, kT0 + 500);
  q.Insert(5, kT0 + 900);
  q.Reschedule(4, kT0 + 3'000);
  EXPECT_EQ(PopAt(q, kT0 + 2'000), (std::vector<uint32_t>{5}));
  q.Reschedule(4, kT0 + 2'500);
  EXPECT_EQ(PopAt(q, kT0 + 2'500), (std::vector<uint32_t>{4}));
}

// Against a std::multimap reference, with random inserts, removals and reschedules.
TEST(ExpiryQueue, MatchesASortedReferenceUnderRandomOperations) {
  const uint64_t seed = testing::TestSeed("ExpiryQueue.MatchesASortedReference");
  std::mt19937_64 rng(seed);
  ExpiryQueue q;
  std::map<uint32_t, TimeMs> ref;
  TimeMs now = kT0;
  for (int i = 0; i < 200'000; ++i) {
    const uint32_t slot = static_cast<uint32_t>(rng() % 512);
    switch (rng() % 4) {
      case 0:
        if (!ref.count(slot)) {
          const TimeMs d = now + static_cast<TimeMs>(rng() % 10'000);
          q.Insert(slot, d);
          ref[slot] = d;
        }
        break;
      case 1:
        if (ref.count(slot)) {
          q.Remove(slot);
          ref.erase(slot);
        }
        break;
      case 2:
        if (ref.count(slot)) {
          const TimeMs d = now + static_cast<TimeMs>(rng() % 10'000);
          q.Reschedule(slot, d);
          ref[slot] = d;
        }
        break;
      default: {
        now += static_cast<TimeMs>(rng() % 200);
        std::vector<uint32_t> due = PopAt(q, now);
        std::vector<uint32_t> expect;
        for (auto it = ref.begin(); it != ref.end();) {
          if (it->second <= now) {
            expect.push_back(it->first);
            it = ref.erase(it);
          } else {
            ++it;
          }
        }
        std::sort(due.begin(), due.end());
        ASSERT_EQ(due, expect) << "op " << i;
      }
    }
    ASSERT_EQ(q.size(), ref.size());
  }
}

// Deadlines are kept relative to a base; one earlier than the base, and time
// moving on for longer than 32 bits of milliseconds, rebase without
// reordering anything.
TEST(ExpiryQueue, KeepsOrderAcrossRebases) {
  ExpiryQueue q;
  q.Insert(1, kT0 + 10'000);
  q.Insert(2, kT0 + 5'000);  // earlier than the first deadline: a rebase
  q.Insert(3, kT0 + 7'000);
  EXPECT_EQ(PopAt(q, kT0 + 7'000), (std::vector<uint32_t>{2, 3}));
  // Keep one hold live at all times while 120 days pass in steps of a day.
  constexpr TimeMs kDay = 86'400'000;
  TimeMs now = kT0 + 10'000;
  EXPECT_EQ(PopAt(q, now), (std::vector<uint32_t>{1}));
  q.Insert(10, now + kDay / 2);
  uint32_t previous = 10;
  for (uint32_t day = 0; day < 120; ++day) {
    const uint32_t slot = 11 + day % 2;
    q.Insert(slot, now + kDay + 1);
    now += kDay;
    EXPECT_EQ(PopAt(q, now), (std::vector<uint32_t>{previous})) << "day " << day;
    previous = slot;
    ASSERT_EQ(q.size(), 1u);
  }
}

}  // namespace
}  // namespace boxoffice::core
