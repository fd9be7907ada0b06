// Contention: 8 threads x 100,000 random hold/release/confirm/cancel/expire
// operations on one hot 100-seat show, through the same ShowShard the server
// uses. Afterwards the auditor must pass, and an independent replay of the
// change stream must agree with the final state: no seat was ever taken by
// two holds or bookings at once.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

#include "core/audit.h"
#include "crypto/random.h"
#include "service/show_shard.h"
#include "testing/seed.h"
#include "testing/venues.h"

namespace boxoffice::service {
namespace {

using core::Outcome;
using core::SeatIndex;
using core::SeatState;

constexpr int kThreads = 8;
constexpr int kOpsPerThread = 100'000;
constexpr core::TimeMs kStartMs = 1'800'000'000'000;

struct Recorded {
  core::Version version;
  core::ChangeReason reason;
  std::vector<SeatIndex> seats;
};

class ContentionTest : public ::testing::Test {
 protected:
  ContentionTest()
      : map_(std::make_shared<core::SeatMap>(testing::MustBuild(testing::GridVenue(1, 5, 20)))) {
    core::ShowPolicy p;
    p.price_minor_by_category = {100, 50};
    p.seats_per_hold_max = 4;
    p.seats_per_owner_max = 100;
    shard_ = std::make_unique<ShowShard>(1, map_, p, std::make_unique<crypto::RandomTokens>());
  }

  // Runs one inventory call under the shard lock and records its changes, in
  // version order, exactly as the server hands them to the journal.
  template <typename Fn>
  auto Apply(Fn&& fn) {
    return shard_->With([&](core::ShowInventory& inv) {
      auto result = fn(inv);
      for (const core::Change& c : inv.changes().changes()) {
        auto seats = inv.changes().seats(c);
        log_.push_back({c.version, c.reason, {seats.begin(), seats.end()}});
      }
      inv.changes().Clear();
      return result;
    });
  }

  void Worker(int t, uint64_t seed) {
    std::mt19937_64 rng(seed + static_cast<uint64_t>(t));
    const core::OwnerId owner = static_cast<core::OwnerId>(t + 1);
    std::vector<std::pair<core::HoldId, core::Token>> holds;
    std::vector<core::BookingId> bookings;
    for (int i = 0; i < kOpsPerThread; ++i) {
      const core::TimeMs now = now_ms_.fetch_add(static_cast<core::TimeMs>(rng() % 2));
      const core::DurationMs ttl = 1'000 + static_cast<core::DurationMs>(rng() % 2'000);
      switch (rng() % 8) {
        case 0:
        case 1: {
          std::vector<SeatIndex> seats;
          const uint64_t n = 1 + rng() % 4;
          for (uint64_t k = 0; k < n; ++k) seats.push_back(static_cast<SeatIndex>(rng() % 100));
          auto r = Apply(
              [&](core::ShowInventory& inv) { return inv.HoldSeats(owner, seats, ttl, now); });
          if (r.outcome == Outcome::kOk && !r.existing) holds.emplace_back(r.hold, r.token);
          break;
        }
        case 2: {
          core::BestAvailableRequest req;
          req.count = static_cast<uint32_t>(1 + rng() % 4);
          auto r =
              Apply([&](core::ShowInventory& inv) { return inv.HoldBest(owner, req, ttl, now); });
          if (r.outcome == Outcome::kOk) holds.emplace_back(r.hold, r.token);
          break;
        }
        case 3:
        case 4:
          if (!holds.empty()) {
            const auto [id, token] = holds[rng() % holds.size()];
            Apply([&](core::ShowInventory& inv) { return inv.Release(id, token, now); });
          }
          break;
        case 5:
          if (!holds.empty()) {
            const auto [id, token] = holds[rng() % holds.size()];
            auto r = Apply([&](core::ShowInventory& inv) { return inv.Confirm(id, token, now); });
            if (r.outcome == Outcome::kOk) bookings.push_back(r.booking);
            if (bookings.size() > 8)
              bookings.erase(bookings.begin());  // keep cancelling recent ones
          }
          break;
        case 6:
          if (!bookings.empty()) {
            const core::BookingId b = bookings[rng() % bookings.size()];
            Apply([&](core::ShowInventory& inv) { return inv.Cancel(b, now); });
          }
          break;
        default:
          now_ms_.fetch_add(50);
          Apply([&](core::ShowInventory& inv) {
            inv.Advance(now + 50);
            return 0;
          });
      }
      if (holds.size() > 64) holds.erase(holds.begin(), holds.begin() + 32);
    }
  }

  std::shared_ptr<core::SeatMap> map_;
  std::unique_ptr<ShowShard> shard_;
  std::atomic<core::TimeMs> now_ms_{kStartMs};
  std::vector<Recorded> log_;  // guarded by the shard's lock while workers run
};

TEST_F(ContentionTest, EightThreadsOnAHotShowKeepEveryInvariant) {
  const uint64_t seed = testing::TestSeed("ContentionTest");
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back([this, t, seed] { Worker(t, seed); });
  for (std::thread& th : threads) th.join();

  // 1. The auditor's complete check.
  const core::AuditReport audit =
      shard_->With([](core::ShowInventory& inv) { return core::AuditShow(inv); });
  ASSERT_TRUE(audit.ok()) << audit.Summary();

  // 2. An independent replay of the change stream: versions without gaps, and
  //    every transition legal (nobody takes a seat that is not free).
  std::vector<SeatState> replay(map_->seat_count(), SeatState::kFree);
  core::Version expect = 1;
  uint64_t held = 0, booked = 0, expired = 0;
  for (const Recorded& r : log_) {
    ASSERT_EQ(r.version, expect++);
    for (SeatIndex s : r.seats) {
      SeatState& st = replay[s];
      switch (r.reason) {
        case core::ChangeReason::kHeld:
          ASSERT_EQ(st, SeatState::kFree) << "version " << r.version << " held a taken seat";
          st = SeatState::kHeld;
          break;
        case core::ChangeReason::kBooked:
          ASSERT_EQ(st, SeatState::kHeld) << "version " << r.version;
          st = SeatState::kBooked;
          break;
        case core::ChangeReason::kCancelled:
          ASSERT_EQ(st, SeatState::kBooked) << "version " << r.version;
          st = SeatState::kFree;
          break;
        default:
          ASSERT_EQ(st, SeatState::kHeld) << "version " << r.version;
          st = SeatState::kFree;
      }
    }
    held += r.reason == core::ChangeReason::kHeld;
    booked += r.reason == core::ChangeReason::kBooked;
    expired += r.reason == core::ChangeReason::kExpired;
  }
  shard_->With([&](core::ShowInventory& inv) {
    for (SeatIndex s = 0; s < map_->seat_count(); ++s) EXPECT_EQ(inv.seat_state(s), replay[s]) << s;
    return 0;
  });
  // The run must actually have contended: holds, bookings and expiries all happened.
  EXPECT_GT(held, 1000u);
  EXPECT_GT(booked, 100u);
  EXPECT_GT(expired, 100u);
  std::printf("changes %zu: held %llu, booked %llu, expired %llu\n", log_.size(),
              static_cast<unsigned long long>(held), static_cast<unsigned long long>(booked),
              static_cast<unsigned long long>(expired));
}

}  // namespace
}  // namespace boxoffice::service
