#include "service/idempotency_cache.h"

#include <gtest/gtest.h>

namespace boxoffice::service {
namespace {

store::IdempotencyRecord Record(std::string user, std::string key, core::TimeMs at) {
  store::IdempotencyRecord r;
  r.user = std::move(user);
  r.key = std::move(key);
  r.request_hash = "h";
  r.status = 201;
  r.created_at_ms = at;
  return r;
}

TEST(IdempotencyCacheTest, KeepsTheFirstRecordOfAKey) {
  IdempotencyCache cache;
  EXPECT_TRUE(cache.Add(Record("alice", "k", 10)));
  store::IdempotencyRecord twin = Record("alice", "k", 11);
  twin.status = 409;
  EXPECT_FALSE(cache.Add(twin));
  ASSERT_TRUE(cache.Find("alice", "k").has_value());
  EXPECT_EQ(cache.Find("alice", "k")->status, 201);
  EXPECT_FALSE(cache.Find("bob", "k").has_value());
}

// Exactly the records made before the bound go, whatever order they came in:
// the store's HistoryPruned deletes the same ones.
TEST(IdempotencyCacheTest, ForgetsExactlyTheRecordsBeforeTheBound) {
  IdempotencyCache cache;
  cache.Add(Record("alice", "young", 600));
  cache.Add(Record("alice", "old", 300));  // remembered after a younger one
  cache.Add(Record("bob", "edge", 500));
  cache.ForgetBefore(500);
  EXPECT_FALSE(cache.Find("alice", "old").has_value());
  EXPECT_TRUE(cache.Find("alice", "young").has_value());
  EXPECT_TRUE(cache.Find("bob", "edge").has_value());
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_TRUE(cache.Add(Record("alice", "old", 700)));  // a forgotten key is new again
  cache.ForgetBefore(1'000);
  EXPECT_EQ(cache.size(), 0u);
}

}  // namespace
}  // namespace boxoffice::service
