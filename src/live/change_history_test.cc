#include "live/change_history.h"

#include <gtest/gtest.h>

namespace boxoffice::live {
namespace {

MessagePtr Msg(core::Version v, size_t bytes = 10) {
  auto m = std::make_shared<Message>();
  m->version = v;
  m->text = std::string(bytes, 'x');
  return m;
}

std::vector<core::Version> Versions(const std::vector<MessagePtr>& ms) {
  std::vector<core::Version> out;
  for (const auto& m : ms) out.push_back(m->version);
  return out;
}

TEST(ChangeHistory, KeepsTheLastCapacityVersionsContiguously) {
  ChangeHistory h(4);
  h.Observe(10);
  for (core::Version v = 11; v <= 17; ++v) h.Append(Msg(v));
  EXPECT_EQ(h.head(), 17u);
  EXPECT_EQ(h.oldest(), 14u);
  EXPECT_EQ(h.size(), 4u);
  std::vector<MessagePtr> out;
  EXPECT_EQ(h.ReadAfter(13, 1 << 20, &out), 17u);
  EXPECT_EQ(Versions(out), (std::vector<core::Version>{14, 15, 16, 17}));
}

TEST(ChangeHistory, AReaderOutsideTheWindowCannotContinue) {
  ChangeHistory h(4);
  h.Observe(10);
  for (core::Version v = 11; v <= 17; ++v) h.Append(Msg(v));
  EXPECT_TRUE(h.CanContinueFrom(13));   // next is 14, the oldest kept
  EXPECT_FALSE(h.CanContinueFrom(12));  // 13 was overwritten
  EXPECT_TRUE(h.CanContinueFrom(17));   // up to date
  EXPECT_FALSE(h.CanContinueFrom(18));  // from the future (another server's life)
}

TEST(ChangeHistory, AnEmptyHistoryStartsAtTheObservedVersion) {
  ChangeHistory h(8);
  h.Observe(5);
  EXPECT_EQ(h.head(), 5u);
  EXPECT_TRUE(h.CanContinueFrom(5));
  EXPECT_FALSE(h.CanContinueFrom(4));
  h.Append(Msg(5));  // already covered by the observed version
  EXPECT_EQ(h.size(), 0u);
  h.Append(Msg(6));
  EXPECT_EQ(h.size(), 1u);
  h.Observe(100);  // not empty: observing changes nothing
  EXPECT_EQ(h.head(), 6u);
}

TEST(ChangeHistory, AGapEmptiesTheHistorySoOlderReadersResync) {
  ChangeHistory h(8);
  h.Observe(0);
  for (core::Version v = 1; v <= 3; ++v) h.Append(Msg(v));
  h.Append(Msg(7));  // 4..6 never arrived
  EXPECT_EQ(h.head(), 7u);
  EXPECT_EQ(h.oldest(), 7u);
  EXPECT_FALSE(h.CanContinueFrom(3));
  EXPECT_TRUE(h.CanContinueFrom(6));
}

TEST(ChangeHistory, ReadsStopAtTheByteBudgetButAlwaysMakeProgress) {
  ChangeHistory h(16);
  h.Observe(0);
  for (core::Version v = 1; v <= 10; ++v) h.Append(Msg(v, 100));
  std::vector<MessagePtr> out;
  EXPECT_EQ(h.ReadAfter(0, 250, &out), 3u);  // 100 + 100 + 100 crosses 250
  EXPECT_EQ(out.size(), 3u);
  out.clear();
  EXPECT_EQ(h.ReadAfter(3, 1, &out), 4u);  // one message even when it alone is too big
  EXPECT_EQ(Versions(out), (std::vector<core::Version>{4}));
  out.clear();
  EXPECT_EQ(h.ReadAfter(10, 1000, &out), 10u);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace boxoffice::live
