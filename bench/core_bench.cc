// Benchmarks of the domain core: one thread, no I/O.
//
//   build/release/boxoffice_bench_core --benchmark_repetitions=5
//     --benchmark_report_aggregates_only=true
//
// Figures and how to read them: docs/PERFORMANCE.md.
#include <benchmark/benchmark.h>

#include <memory>
#include <random>

#include "core/show_inventory.h"
#include "core/snapshot.h"
#include "core/waiting_room.h"
#include "crypto/random.h"
#include "testing/venues.h"

namespace boxoffice {
namespace {

using core::SeatIndex;

constexpr core::TimeMs kNow = 1'800'000'000'000;
constexpr core::DurationMs kTtl = 600'000;
constexpr uint32_t kChangesDrainEvery = 1024;
constexpr uint32_t kTombstonesPruneEvery = 1 << 20;

std::shared_ptr<const core::SeatMap> Stadium() {
  static const auto map =
      std::make_shared<const core::SeatMap>(testing::MustBuild(testing::Stadium70k()));
  return map;
}

core::ShowPolicy Policy() {
  core::ShowPolicy p;
  p.price_minor_by_category = {9'900, 4'900};
  p.seats_per_hold_max = 10;
  p.seats_per_owner_max = 10;
  return p;
}

// A stadium show with `sold_fraction` of its seats taken at random (blocked:
// for the search, taken is taken).
std::unique_ptr<core::ShowInventory> ShowSold(core::TokenSource& tokens, double sold_fraction,
                                              uint64_t seed = 7) {
  auto show = std::make_unique<core::ShowInventory>(1, Stadium(), Policy(), tokens);
  std::mt19937_64 rng(seed);
  std::bernoulli_distribution sold(sold_fraction);
  std::vector<SeatIndex> taken;
  for (SeatIndex i = 0; i < show->map().seat_count(); ++i) {
    if (sold(rng)) taken.push_back(i);
  }
  if (!taken.empty()) BOX_ASSERT(show->Block(taken, kNow, nullptr) == core::Outcome::kOk);
  show->changes().Clear();
  return show;
}

// What the server does in the background: drain changes to the journal, and
// now and then forget tombstones of long-closed holds.
void DrainChanges(core::ShowInventory& show, uint64_t i) {
  if (i % kChangesDrainEvery == 0) show.changes().Clear();
  if (i % kTombstonesPruneEvery == 0) show.ForgetClosedHolds(kNow + 1);
}

void BM_HoldRelease1Seat(benchmark::State& state) {
  crypto::RandomTokens tokens;
  auto show = ShowSold(tokens, 0.0);
  const SeatIndex n = show->map().seat_count();
  uint64_t i = 0;
  for (auto _ : state) {
    const SeatIndex seat = static_cast<SeatIndex>((i * 7919) % n);
    const core::HoldResult h = show->HoldSeats(i + 1, {&seat, 1}, kTtl, kNow);
    benchmark::DoNotOptimize(show->Release(h.hold, h.token, kNow));
    DrainChanges(*show, ++i);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_HoldRelease1Seat);

void BM_HoldRelease4Specific(benchmark::State& state) {
  crypto::RandomTokens tokens;
  auto show = ShowSold(tokens, 0.0);
  const SeatIndex rows = static_cast<SeatIndex>(show->map().rows().size());
  uint64_t i = 0;
  for (auto _ : state) {
    const core::Row& row = show->map().row(static_cast<core::RowIndex>((i * 31) % rows));
    const SeatIndex seats[4] = {row.first_seat + 10, row.first_seat + 11, row.first_seat + 12,
                                row.first_seat + 13};
    const core::HoldResult h = show->HoldSeats(i + 1, seats, kTtl, kNow);
    benchmark::DoNotOptimize(show->Release(h.hold, h.token, kNow));
    DrainChanges(*show, ++i);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_HoldRelease4Specific);

// Best available 4 together, then release, at state.range(0) percent sold.
void BM_BestAvailable4(benchmark::State& state) {
  crypto::RandomTokens tokens;
  auto show = ShowSold(tokens, static_cast<double>(state.range(0)) / 100.0);
  uint64_t i = 0, found = 0;
  for (auto _ : state) {
    const core::HoldResult h = show->HoldBest(i + 1, {.count = 4}, kTtl, kNow);
    if (h.outcome == core::Outcome::kOk) {
      ++found;
      show->Release(h.hold, h.token, kNow);
    }
    DrainChanges(*show, ++i);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["found_ratio"] =
      static_cast<double>(found) / static_cast<double>(std::max<uint64_t>(1, i));
}
BENCHMARK(BM_BestAvailable4)->Arg(0)->Arg(50)->Arg(95);

// Hold one seat and confirm it into a booking; a fresh show when sold out.
void BM_HoldConfirm(benchmark::State& state) {
  crypto::RandomTokens tokens;
  auto show = ShowSold(tokens, 0.0);
  const SeatIndex n = show->map().seat_count();
  SeatIndex next = 0;
  uint64_t owner = 0;
  for (auto _ : state) {
    if (next == n) {
      state.PauseTiming();
      show = ShowSold(tokens, 0.0);
      next = 0;
      state.ResumeTiming();
    }
    const SeatIndex seat = next++;
    const core::HoldResult h = show->HoldSeats(++owner, {&seat, 1}, kTtl, kNow);
    benchmark::DoNotOptimize(show->Confirm(h.hold, h.token, kNow));
    DrainChanges(*show, owner);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_HoldConfirm);

// 100,000 live holds all falling due at once, expired by one Advance.
void BM_Expire100kHolds(benchmark::State& state) {
  crypto::RandomTokens tokens;
  const auto map =
      std::make_shared<const core::SeatMap>(testing::MustBuild(testing::GridVenue(40, 50, 50)));
  constexpr SeatIndex kHolds = 100'000;
  for (auto _ : state) {
    state.PauseTiming();
    core::ShowPolicy p = Policy();
    p.seats_per_owner_max = 1;
    auto show = std::make_unique<core::ShowInventory>(1, map, p, tokens);
    for (SeatIndex s = 0; s < kHolds; ++s) {
      show->HoldSeats(s + 1, {&s, 1}, kTtl + (s % 1000), kNow);
    }
    show->changes().Clear();
    state.ResumeTiming();
    show->Advance(kNow + kTtl + 1000);
    BOX_ASSERT(show->live_holds() == 0);
    state.PauseTiming();
    show.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kHolds);
}
BENCHMARK(BM_Expire100kHolds)->Unit(benchmark::kMillisecond);

// The compact per-seat encoding of a half-sold 70,000-seat show.
void BM_EncodeSnapshot70k(benchmark::State& state) {
  crypto::RandomTokens tokens;
  auto show = ShowSold(tokens, 0.5);
  size_t bytes = 0;
  for (auto _ : state) {
    const std::string s = core::EncodeSeatStates(show->seat_states());
    bytes = s.size();
    benchmark::DoNotOptimize(s.data());
  }
  state.counters["bytes"] = static_cast<double>(bytes);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_EncodeSnapshot70k)->Unit(benchmark::kMicrosecond);

// Not a speed: the live state per seat of a 70,000-seat show that is empty
// (0), entirely held in holds of 4 (1), or entirely booked 4 per booking (2).
void BM_MemoryPerSeat(benchmark::State& state) {
  crypto::RandomTokens tokens;
  auto show = ShowSold(tokens, 0.0);
  const SeatIndex n = show->map().seat_count();
  for (SeatIndex s = 0; state.range(0) > 0 && s + 4 <= n; s += 4) {
    const SeatIndex seats[4] = {s, s + 1, s + 2, s + 3};
    const core::HoldResult h = show->HoldSeats(s + 1, seats, kTtl, kNow);
    if (state.range(0) == 2) show->Confirm(h.hold, h.token, kNow);
  }
  show->changes().Clear();
  for (auto _ : state) benchmark::DoNotOptimize(show->LiveBytesPerSeat());
  state.counters["live_bytes_per_seat"] = show->LiveBytesPerSeat();
}
BENCHMARK(BM_MemoryPerSeat)->Arg(0)->Arg(1)->Arg(2)->Iterations(1);

// Fans joining a show's waiting room (one place each), before and after the
// on-sale instant; reports the room's memory per fan at the end.
void BM_WaitingRoomJoin(benchmark::State& state) {
  const auto fans = static_cast<uint32_t>(state.range(0));
  core::WaitingRoomPolicy policy{kNow, kNow + 60'000, 600, 1'000, 600'000};
  size_t bytes = 0;
  for (auto _ : state) {
    core::WaitingRoom room(policy, core::LotterySeed{7});
    for (uint32_t owner = 1; owner <= fans / 2; ++owner) room.Join(owner, kNow, nullptr);
    room.Advance(kNow + 60'000);  // the lottery of the first half
    for (uint32_t owner = fans / 2 + 1; owner <= fans; ++owner) {
      room.Join(owner, kNow + 60'000, nullptr);
    }
    bytes = room.bytes();
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * fans);
  state.counters["bytes_per_fan"] = static_cast<double>(bytes) / fans;
}
BENCHMARK(BM_WaitingRoomJoin)
    ->Arg(1'000'000)
    ->Arg(10'000'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

}  // namespace
}  // namespace boxoffice

BENCHMARK_MAIN();
