#include "app/engine_demo.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "app/demo_venues.h"
#include "core/audit.h"
#include "crypto/random.h"
#include "service/show_shard.h"

namespace boxoffice::app {
namespace {

constexpr core::TimeMs kOnSaleMs = 1'800'000'000'000;
constexpr core::DurationMs kHoldTtlMs = 120'000;  // simulated time; see Fan()
constexpr core::DurationMs kFanArrivalMs = 2;     // simulated time between fans

struct Options {
  uint64_t fans = 200'000;
  unsigned threads = std::max(2u, std::thread::hardware_concurrency());
  uint64_t seed = 1;
};

struct Tally {
  std::atomic<uint64_t> holds{0}, sold_out{0}, bookings{0}, seats_booked{0}, released{0},
      abandoned{0};
};

bool ParseOptions(int argc, char** argv, Options& o) {
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--fans" && has_value) {
      o.fans = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--threads" && has_value) {
      o.threads = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
    } else if (a == "--seed" && has_value) {
      o.seed = std::strtoull(argv[++i], nullptr, 10);
    } else {
      std::fprintf(stderr,
                   "usage: boxoffice demo [--fans N] [--threads N] [--seed N]\n"
                   "  simulates an on-sale of the 50,000-place demo stadium in-process\n");
      return false;
    }
  }
  return o.fans > 0 && o.threads > 0;
}

// One fan: ask for 1-6 seats together (sometimes standing places), then pay
// (30 %), change their mind (40 %) or walk away (30 %).
void Fan(service::ShowShard& shard, uint64_t fan, std::mt19937_64& rng, core::SectionIndex floor,
         Tally& tally) {
  const core::TimeMs now = kOnSaleMs + static_cast<core::TimeMs>(fan) * kFanArrivalMs;
  const auto count = static_cast<uint32_t>(1 + rng() % 6);
  const core::OwnerId owner = fan + 1;
  const bool standing = rng() % 10 == 0;
  const core::HoldResult h = shard.With([&](core::ShowInventory& inv) {
    core::HoldResult r = standing ? inv.HoldGeneralAdmission(owner, floor, count, kHoldTtlMs, now)
                                  : inv.HoldBest(owner, {.count = count}, kHoldTtlMs, now);
    inv.changes().Clear();
    return r;
  });
  if (h.outcome != core::Outcome::kOk) {
    tally.sold_out++;
    return;
  }
  tally.holds++;
  const uint64_t choice = rng() % 10;
  if (choice < 3) {
    const core::ConfirmResult c = shard.With([&](core::ShowInventory& inv) {
      core::ConfirmResult r = inv.Confirm(h.hold, h.token, now + 30'000);
      inv.changes().Clear();
      return r;
    });
    if (c.outcome == core::Outcome::kOk) {
      tally.bookings++;
      tally.seats_booked += count;
    }
  } else if (choice < 7) {
    shard.With([&](core::ShowInventory& inv) {
      inv.Release(h.hold, h.token, now + 10'000);
      inv.changes().Clear();
      return 0;
    });
    tally.released++;
  } else {
    tally.abandoned++;
  }
}

}  // namespace

int RunEngineDemo(int argc, char** argv) {
  Options o;
  if (!ParseOptions(argc, argv, o)) return 2;
  StatusOr<core::SeatMap> map = core::SeatMap::Build(DemoStadium());
  BOX_ASSERT(map.ok());
  auto shared_map = std::make_shared<const core::SeatMap>(std::move(map).value());
  core::ShowPolicy policy;
  policy.price_minor_by_category = {15'000, 9'500, 6'000, 7'500};
  policy.seats_per_hold_max = 6;
  policy.seats_per_owner_max = 6;
  const core::SectionIndex floor = *shared_map->FindSection("FLOOR");
  service::ShowShard shard(1, shared_map, policy, std::make_unique<crypto::RandomTokens>());

  std::printf("boxoffice demo: %llu fans, %u threads, %s (%llu places)\n",
              static_cast<unsigned long long>(o.fans), o.threads, shared_map->name().c_str(),
              static_cast<unsigned long long>(shared_map->sellable_capacity()));
  Tally tally;
  std::atomic<uint64_t> next_fan{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < o.threads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(o.seed * 1000 + t);
      for (uint64_t fan = next_fan++; fan < o.fans; fan = next_fan++)
        Fan(shard, fan, rng, floor, tally);
    });
  }
  for (std::thread& th : threads) th.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // Walk the clock past every deadline: abandoned holds expire.
  const core::TimeMs end =
      kOnSaleMs + static_cast<core::TimeMs>(o.fans) * kFanArrivalMs + kHoldTtlMs;
  const core::AuditReport audit = shard.With([&](core::ShowInventory& inv) {
    inv.Advance(end);
    inv.changes().Clear();
    return core::AuditShow(inv);
  });
  const uint64_t live = shard.With([](core::ShowInventory& inv) { return inv.live_holds(); });
  std::printf(
      "  holds %llu, sold out for %llu fans, bookings %llu (%llu places), released %llu, "
      "abandoned and expired %llu, live holds left %llu\n",
      static_cast<unsigned long long>(tally.holds.load()),
      static_cast<unsigned long long>(tally.sold_out.load()),
      static_cast<unsigned long long>(tally.bookings.load()),
      static_cast<unsigned long long>(tally.seats_booked.load()),
      static_cast<unsigned long long>(tally.released.load()),
      static_cast<unsigned long long>(tally.abandoned.load()),
      static_cast<unsigned long long>(live));
  std::printf("  %.2f s wall, %.0f fans/s\n", seconds, static_cast<double>(o.fans) / seconds);
  std::printf("  audit: %s\n", audit.Summary().c_str());
  return audit.ok() ? 0 : 1;
}

}  // namespace boxoffice::app
