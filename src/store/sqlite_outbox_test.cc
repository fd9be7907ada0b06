#include "store/sqlite_outbox.h"

#include <gtest/gtest.h>

#include <future>

#include "store/sqlite_store.h"
#include "store/store_test_util.h"

namespace boxoffice::store {
namespace {

using testing::SubmitAndWait;
using testing::TempDir;

ChangeRecord Change(ShowId show, Version version, std::vector<SeatIndex> seats) {
  ChangeRecord c;
  c.show_id = show;
  c.version = version;
  c.at_ms = 1'800'000'000'000 + static_cast<TimeMs>(version);
  c.reason = 1;
  c.state = 1;
  c.hold_id = (uint64_t{version} << 32) | 7;
  c.seats = std::move(seats);
  return c;
}

ChangesPage ReadPage(Store& store, ChangesQuery q) {
  std::promise<StatusOr<ChangesPage>> p;
  store.ReadChanges(q, [&](StatusOr<ChangesPage> r) { p.set_value(std::move(r)); });
  StatusOr<ChangesPage> r = p.get_future().get();
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r).value() : ChangesPage{};
}

std::vector<ChangeRecord> Read(Store& store, ChangesQuery q) {
  ChangesPage page = ReadPage(store, q);
  EXPECT_FALSE(page.gone);
  return std::move(page.changes);
}

TEST(Outbox, ChangesComeBackInOrderByShowOrOverall) {
  TempDir dir;
  auto store = SqliteStore::Open(dir.File("o.db")).value();
  for (Version v = 1; v <= 5; ++v) {
    Batch b;
    b.records = {Change(1, v, {static_cast<SeatIndex>(v)}), Change(2, v, {})};
    ASSERT_TRUE(SubmitAndWait(*store, std::move(b)).ok());
  }
  const std::vector<ChangeRecord> all = Read(*store, {.after_seq = 0, .limit = 100});
  ASSERT_EQ(all.size(), 10u);
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].seq, i + 1);
    EXPECT_EQ(all[i].show_id, i % 2 == 0 ? 1u : 2u);
  }
  EXPECT_EQ(all[0].seats, std::vector<SeatIndex>{1});
  ChangeRecord expected = Change(1, 1, {1});
  expected.seq = 1;
  EXPECT_EQ(all[0], expected);

  const std::vector<ChangeRecord> later = Read(*store, {.after_seq = 7, .limit = 2});
  ASSERT_EQ(later.size(), 2u);
  EXPECT_EQ(later[0].seq, 8u);
  const std::vector<ChangeRecord> show2 =
      Read(*store, {.show_id = 2, .after_version = 3, .limit = 100});
  ASSERT_EQ(show2.size(), 2u);
  EXPECT_EQ(show2[0].version, 4u);
  EXPECT_EQ(show2[1].version, 5u);
}

TEST(Outbox, AVersionIsWrittenOnceAndChangesSurviveReopening) {
  TempDir dir;
  {
    auto store = SqliteStore::Open(dir.File("o.db")).value();
    ASSERT_TRUE(SubmitAndWait(*store, testing::One(Change(3, 1, {4}))).ok());
    // The same show and version again: refused, nothing of the batch stays.
    Batch twice;
    twice.records = {Change(3, 2, {}), Change(3, 1, {9})};
    EXPECT_EQ(SubmitAndWait(*store, std::move(twice)).code(), StatusCode::kAlreadyExists);
  }
  auto store = SqliteStore::Open(dir.File("o.db")).value();
  const std::vector<ChangeRecord> back = Read(*store, {.show_id = 3});
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].seats, std::vector<SeatIndex>{4});
}

TEST(Outbox, PruningForgetsOldChangesAndTellsReadersWhoFellBehind) {
  TempDir dir;
  auto store = SqliteStore::Open(dir.File("o.db")).value();
  EXPECT_FALSE(ReadPage(*store, {}).gone);  // nothing yet, nothing lost
  for (Version v = 1; v <= 4; ++v) {        // seq 2v-1: show 1; seq 2v: show 2
    Batch b;
    b.records = {Change(1, v, {}), Change(2, v, {}), ShowVersion{1, v}, ShowVersion{2, v}};
    ASSERT_TRUE(SubmitAndWait(*store, std::move(b)).ok());
  }
  HistoryPruned prune;
  prune.changes_before_ms = Change(1, 3, {}).at_ms;  // versions 1 and 2: seqs 1..4
  ASSERT_TRUE(SubmitAndWait(*store, testing::One(prune)).ok());

  for (uint64_t after : {0, 3}) {
    const ChangesPage page = ReadPage(*store, {.after_seq = after});
    EXPECT_TRUE(page.gone) << after;
    EXPECT_TRUE(page.changes.empty());
    EXPECT_EQ(page.resume_after, 4u);
  }
  std::vector<uint64_t> seqs;
  for (const ChangeRecord& c : Read(*store, {.after_seq = 4})) seqs.push_back(c.seq);
  EXPECT_EQ(seqs, (std::vector<uint64_t>{5, 6, 7, 8}));
  const ChangesPage show1 = ReadPage(*store, {.show_id = 1, .after_version = 1});
  EXPECT_TRUE(show1.gone);
  EXPECT_EQ(show1.resume_after, 2u);
  EXPECT_EQ(Read(*store, {.show_id = 1, .after_version = 2}).size(), 2u);

  prune.changes_before_ms = Change(1, 100, {}).at_ms;  // every change
  ASSERT_TRUE(SubmitAndWait(*store, testing::One(prune)).ok());
  store->Close();
  store = SqliteStore::Open(dir.File("o.db")).value();
  EXPECT_TRUE(Read(*store, {.after_seq = 8}).empty());
  EXPECT_EQ(ReadPage(*store, {.after_seq = 7}).resume_after, 8u);
  EXPECT_TRUE(Read(*store, {.show_id = 2, .after_version = 4}).empty());
  const ChangesPage show2 = ReadPage(*store, {.show_id = 2, .after_version = 3});
  EXPECT_TRUE(show2.gone);
  EXPECT_EQ(show2.resume_after, 4u);
  EXPECT_FALSE(ReadPage(*store, {.show_id = 3}).gone);  // a show without changes

  // Seqs go on from where they were, never reused.
  ASSERT_TRUE(SubmitAndWait(*store, testing::One(Change(1, 5, {}))).ok());
  const std::vector<ChangeRecord> next = Read(*store, {.after_seq = 8});
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].seq, 9u);
}

}  // namespace
}  // namespace boxoffice::store
