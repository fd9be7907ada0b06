// kill -9 at a random moment loses no acknowledged booking and books no seat
// twice. Each round opens a new show, lets a few fans hold seats while the
// box office confirms most of the holds (each with an Idempotency-Key),
// SIGKILLs the server mid-stream, restarts it on the same data dir and checks
// every booking whose confirm was answered 201 so far, that replaying each of
// those confirms with its key answers the same 201, the bookings of every
// show, and the audits. The same rounds run with each store: SQLite in the
// data dir, and PostgreSQL (a database of the test's own in the build's test
// PostgreSQL).
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "api_client.h"
#include "sale_ledger.h"
#include "server_process.h"
#include "testing/postgres_cluster.h"
#include "testing/seed.h"

namespace boxoffice::itest {
namespace {

using std::chrono::milliseconds;

constexpr int kRounds = 20;
constexpr int kThreads = 4;
constexpr int kKillAfterMinMs = 20;
constexpr int kKillAfterMaxMs = 300;

// The server's flags for a store: none for SQLite, --store URL for a fresh
// PostgreSQL database (or why the test cannot run).
enum class StoreKind { kSqlite, kPostgres };
const char* NameOf(StoreKind k) { return k == StoreKind::kSqlite ? "Sqlite" : "Postgres"; }
void PrintTo(StoreKind k, std::ostream* os) { *os << NameOf(k); }

class CrashTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    if (GetParam() == StoreKind::kSqlite) return;
    if (std::string why = testing::PostgresUnavailable(); !why.empty()) GTEST_SKIP() << why;
    StatusOr<std::string> url = testing::PostgresCluster::Shared().CreateDatabase();
    ASSERT_TRUE(url.ok()) << url.status().message();
    flags_ = {"--store", *url};
  }
  std::vector<std::string> flags_;
};

INSTANTIATE_TEST_SUITE_P(Stores, CrashTest,
                         ::testing::Values(StoreKind::kSqlite, StoreKind::kPostgres),
                         [](const auto& param_info) { return NameOf(param_info.param); });

TEST_P(CrashTest, KillAtRandomMomentsLosesNoAcknowledgedBooking) {
  const uint64_t seed =
      testing::TestSeed("CrashTest.KillAtRandomMomentsLosesNoAcknowledgedBooking");
  std::mt19937_64 rng(seed);
  ServerProcess server(flags_);
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  const HeaderList admin = AdminAuth(server);
  std::string venue;
  {
    Api api(server.port());
    venue = CreateVenue(api, admin, GridJson("Crash Arena", kSaleRows, kSaleSeatsPerRow));
  }
  ASSERT_FALSE(venue.empty());
  Ledger ledger;
  std::vector<std::string> shows;
  for (int round = 0; round < kRounds && !HasFatalFailure(); ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    Api api(server.port());
    const std::string show = CreateShow(api, admin,
                                        ShowJson(venue, "Crash round " + std::to_string(round),
                                                 GridPrices(), R"(,"seats_per_fan_max":1000)"));
    ASSERT_FALSE(show.empty());
    shows.push_back(show);
    std::set<std::string> before;
    for (const auto& [id, ack] : ledger.bookings) before.insert(id);

    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back(Shop, t, rng(), std::ref(server), show, admin, std::cref(stop),
                           std::ref(ledger), Outage::kEnds);
    }
    const int kill_after_ms =
        kKillAfterMinMs + static_cast<int>(rng() % (kKillAfterMaxMs - kKillAfterMinMs));
    std::this_thread::sleep_for(milliseconds(kill_after_ms));
    ASSERT_TRUE(server.Kill().ok());
    stop = true;
    for (std::thread& th : threads) th.join();
    ASSERT_TRUE(server.Start().ok()) << server.Log();

    Api after(server.port());
    std::set<std::string> acknowledged_this_round;
    for (const auto& [id, ack] : ledger.bookings) {
      if (!before.contains(id)) acknowledged_this_round.insert(id);
    }
    std::printf("[round %d] killed after %d ms; %zu bookings acknowledged (%zu in all)\n", round,
                kill_after_ms, acknowledged_this_round.size(), ledger.bookings.size());
    CheckAcknowledged(after, admin, ledger, acknowledged_this_round);
    CheckReplays(after, admin, ledger, acknowledged_this_round);
    for (const std::string& s : shows) CheckShow(after, admin, ledger, s);
  }
  // At the end every booking of every round, one by one.
  {
    Api api(server.port());
    std::set<std::string> all;
    for (const auto& [id, ack] : ledger.bookings) all.insert(id);
    CheckAcknowledged(api, admin, ledger, all);
    EXPECT_GT(all.size(), 0u) << "no confirmation was ever acknowledged";
  }
  EXPECT_TRUE(server.Stop().ok()) << server.Log();
}

}  // namespace
}  // namespace boxoffice::itest
