// PostgreSQL killed with SIGKILL (the postmaster and every backend) while
// fans hold seats and the box office confirms, then restarted on the same
// directory: the server refuses changes with 503 while the database is gone,
// takes them again by itself once it is back (no restart of the server),
// and no acknowledged booking is lost, no seat booked twice — checked
// through the API, then again after the server restarts and recovers from
// PostgreSQL. The cluster is the test's own, so other tests never notice.
#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <thread>

#include "api_client.h"
#include "sale_ledger.h"
#include "server_process.h"
#include "testing/postgres_cluster.h"
#include "testing/seed.h"

namespace boxoffice::itest {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kThreads = 4;

// Polls /readyz until it answers `status` (bounded); false if it never does.
bool WaitForReadiness(uint16_t port, const std::string& status, std::chrono::seconds within) {
  Api api(port, seconds(2));
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    Reply r = api.Get("/readyz");
    if (r.ok() && r.Str("status") == status) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return false;
}

size_t Acknowledged(Ledger& ledger) {
  std::lock_guard lock(ledger.mu);
  return ledger.bookings.size();
}

TEST(PostgresFailover, ADatabaseKilledMidSaleLosesNothingAndTheServerResumesByItself) {
  if (std::string why = testing::PostgresUnavailable(); !why.empty()) GTEST_SKIP() << why;
  std::mt19937_64 rng(testing::TestSeed("PostgresFailover.ADatabaseKilledMidSale"));
  auto cluster = testing::PostgresCluster::Private();
  ASSERT_TRUE(cluster->status().ok()) << cluster->status().message();
  StatusOr<std::string> url = cluster->CreateDatabase();
  ASSERT_TRUE(url.ok()) << url.status().message();
  ServerProcess server({"--store", *url, "--log-level", "warn"});
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  const HeaderList admin = AdminAuth(server);
  std::string show;
  {
    Api api(server.port());
    const std::string venue =
        CreateVenue(api, admin, GridJson("Failover Arena", kSaleRows, kSaleSeatsPerRow));
    ASSERT_FALSE(venue.empty());
    show = CreateShow(api, admin,
                      ShowJson(venue, "Failover", GridPrices(), R"(,"seats_per_fan_max":1000)"));
    ASSERT_FALSE(show.empty());
  }
  Ledger ledger;
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back(Shop, t, rng(), std::ref(server), show, admin, std::cref(stop),
                         std::ref(ledger), Outage::kRetries);
  }
  // A random moment of the sale, once it has acknowledged something (a
  // sanitizer build on a busy machine takes seconds to get there).
  std::this_thread::sleep_for(milliseconds(300 + static_cast<int>(rng() % 500)));
  const auto first_ack_deadline = std::chrono::steady_clock::now() + seconds(60);
  while (Acknowledged(ledger) == 0 && std::chrono::steady_clock::now() < first_ack_deadline) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  const size_t before_kill = Acknowledged(ledger);
  ASSERT_TRUE(cluster->Kill().ok());
  EXPECT_TRUE(WaitForReadiness(server.port(), "store_unreachable", seconds(15)))
      << "the server did not notice the database was gone";
  {  // a change is refused, with a time to come back
    Api api(server.port());
    Reply hold = api.Post("/v1/shows/" + show + "/holds", R"({"best_available":{"count":1}})",
                          FanAuth(server, "outage-probe"));
    EXPECT_EQ(hold.status, 503u) << hold.Describe();
    EXPECT_EQ(hold.code(), "unavailable") << hold.Describe();
    EXPECT_EQ(hold.Header("Retry-After"), "1") << hold.Describe();
  }
  std::this_thread::sleep_for(milliseconds(500));
  ASSERT_TRUE(cluster->Start().ok());
  EXPECT_TRUE(WaitForReadiness(server.port(), "ready", seconds(60)))
      << "the server did not resume by itself\n"
      << server.Log();
  const size_t at_return = Acknowledged(ledger);
  std::this_thread::sleep_for(milliseconds(500));
  stop = true;
  for (std::thread& t : threads) t.join();
  const size_t after = Acknowledged(ledger);
  std::printf("acknowledged: %zu before the kill, %zu when the database was back, %zu in all\n",
              before_kill, at_return, after);
  EXPECT_GT(before_kill, 0u);
  EXPECT_GT(after, at_return) << "no booking was acknowledged once the database was back";

  std::set<std::string> all;
  for (const auto& [id, ack] : ledger.bookings) all.insert(id);
  {
    Api api(server.port());
    CheckAcknowledged(api, admin, ledger, all);
    CheckShow(api, admin, ledger, show);
  }
  // What PostgreSQL kept is what the fans were told: the same after a restart.
  ASSERT_TRUE(server.Restart().ok()) << server.Log();
  Api api(server.port());
  CheckAcknowledged(api, admin, ledger, all);
  CheckShow(api, admin, ledger, show);
  EXPECT_TRUE(server.Stop().ok()) << server.Log();
}

}  // namespace
}  // namespace boxoffice::itest
