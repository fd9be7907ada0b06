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

std::vector<ChangeRecord> Read(Store& store, ChangesQuery q) {
  std::promise<StatusOr<std::vector<ChangeRecord>>> p;
  store.ReadChanges(q, [&](StatusOr<std::vector<ChangeRecord>> r) { p.set_value(std::move(r)); });
  StatusOr<std::vector<ChangeRecord>> r = p.get_future().get();
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r).value() : std::vector<ChangeRecord>{};
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

}  // namespace
}  // namespace boxoffice::store
