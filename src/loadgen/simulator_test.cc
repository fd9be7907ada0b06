// Small sales against the real `boxoffice serve` (started on a free loopback
// port with a fresh data directory), each audited by the bench itself.
#include "loadgen/simulator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <fstream>

#include "server_process.h"
#include "testing/postgres_cluster.h"
#include "testing/seed.h"

namespace boxoffice::loadgen {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

BenchOptions OptionsFor(itest::ServerProcess& server, Scenario scenario, const char* test_name) {
  BenchOptions o;
  o.scenario = scenario;
  o.server = ParseLoopbackUrl("http://127.0.0.1:" + std::to_string(server.port())).value();
  o.admin_key = server.AdminKey().value();
  o.jwt_secret = ReadFile(server.data_dir() + "/jwt.secret");
  o.seed = testing::TestSeed(test_name);
  o.hold_ttl_s = 1;
  o.progress = false;
  return o;
}

class BenchAgainstServer : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.Start().ok()) << server_.Log(); }

  BenchOptions Options(Scenario scenario, const char* test_name) {
    return OptionsFor(server_, scenario, test_name);
  }

  itest::ServerProcess server_{{"--log-level", "warn"}};
};

// A small on-sale of 300 seats: it sells, the bench's audit passes, and what
// the fans were told is what the server holds.
void ExpectSmallOnSalePasses(itest::ServerProcess& server, BenchOptions o) {
  o.fans = testing::ScaledOps(3'000);
  o.seats = 300;
  o.connections = 100;
  StatusOr<BenchReport> r = RunScenario(o, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message() << "\n" << server.Log();
  EXPECT_TRUE(r->audit.ok()) << RenderText(*r);
  EXPECT_TRUE(r->ok()) << RenderText(*r);
  EXPECT_TRUE(r->audit.expiry_checked);
  EXPECT_EQ(r->fans.total(), o.fans);
  EXPECT_GT(r->holds, 0u);
  EXPECT_GT(r->bookings, 0u);
  // What the fans were told is what the server holds: the audit found each
  // told booking, and no other booking exists.
  EXPECT_EQ(r->audit.confirmed_bookings, r->bookings);
  EXPECT_EQ(r->audit.seats_booked, r->seats_booked);
  EXPECT_LE(r->seats_booked, 300u);
  EXPECT_GT(r->latency[static_cast<size_t>(RequestKind::kHoldCreated)].count(), 0u);
  EXPECT_GT(r->latency[static_cast<size_t>(RequestKind::kAvailability)].count(), 0u);
}

TEST_F(BenchAgainstServer, SmallOnSaleSellsWithoutDoubleBookingsAndPassesItsAudit) {
  ExpectSmallOnSalePasses(
      server_,
      Options(Scenario::kOnsale, "SmallOnSaleSellsWithoutDoubleBookingsAndPassesItsAudit"));
}

// The same sale against a server whose store is PostgreSQL (a database of
// its own in the build's test PostgreSQL).
TEST(BenchAgainstPostgresServer, SmallOnSaleSellsWithoutDoubleBookingsAndPassesItsAudit) {
  if (std::string why = testing::PostgresUnavailable(); !why.empty()) GTEST_SKIP() << why;
  StatusOr<std::string> url = testing::PostgresCluster::Shared().CreateDatabase();
  ASSERT_TRUE(url.ok()) << url.status().message();
  itest::ServerProcess server({"--log-level", "warn", "--store", *url});
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  ExpectSmallOnSalePasses(server, OptionsFor(server, Scenario::kOnsale,
                                             "PostgresSmallOnSaleSellsWithoutDoubleBookings"));
  EXPECT_TRUE(server.Stop().ok()) << server.Log();
}

TEST_F(BenchAgainstServer, HotSeatsGoToAtMostOneFanEach) {
  BenchOptions o = Options(Scenario::kHotseat, "HotSeatsGoToAtMostOneFanEach");
  o.fans = testing::ScaledOps(1'000);
  o.seats = 5;
  o.connections = 50;
  o.client_threads = 2;  // two workers share the counters and the sell-out
  o.attempts = 3;
  o.abandon = 0;
  o.release = 0;
  StatusOr<BenchReport> r = RunScenario(o, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message() << "\n" << server_.Log();
  EXPECT_TRUE(r->ok()) << RenderText(*r);
  // Every fan pays for the hot seat they hold, and there are far more
  // attempts than seats: each of the five seats goes to exactly one fan.
  EXPECT_EQ(r->audit.fans_with_bookings, 5u) << RenderText(*r);
  EXPECT_EQ(r->fans.booked, 5u);
  EXPECT_EQ(r->audit.seats_booked, 5u);
  EXPECT_TRUE(r->sold_out_after_s.has_value());
  EXPECT_GT(r->latency[static_cast<size_t>(RequestKind::kHoldConflict)].count(), 0u);
}

// Fans pay through the server's own (simulated, in-process) gateway, which
// approves by itself after 10 ms and declines 30 % of the time: declined fans
// check out again, and everyone told "booked" is booked.
TEST(BenchAgainstServerWithPayments, FansPayAtCheckoutAndRetryDeclinedPayments) {
  itest::ServerProcess server(
      {"--log-level", "warn", "--gateway-auto-pay-ms", "10", "--gateway-decline-percent", "30"});
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  BenchOptions o;
  o.server = ParseLoopbackUrl("http://127.0.0.1:" + std::to_string(server.port())).value();
  o.admin_key = server.AdminKey().value();
  o.jwt_secret = ReadFile(server.data_dir() + "/jwt.secret");
  o.seed = testing::TestSeed("FansPayAtCheckoutAndRetryDeclinedPayments");
  o.progress = false;
  o.payment = Payment::kCheckout;
  o.fans = testing::ScaledOps(600);
  o.seats = 200;
  o.connections = 50;
  o.hold_ttl_s = 5;
  o.abandon = 0.2;
  o.release = 0.1;
  StatusOr<BenchReport> r = RunScenario(o, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message() << "\n" << server.Log();
  EXPECT_TRUE(r->ok()) << RenderText(*r);
  EXPECT_GT(r->bookings, 0u);
  EXPECT_GT(r->payment_retries, 0u) << RenderText(*r);
  EXPECT_EQ(r->audit.confirmed_bookings, r->bookings) << RenderText(*r);
  EXPECT_GT(r->latency[static_cast<size_t>(RequestKind::kCheckout)].count(), 0u);
  EXPECT_EQ(r->latency[static_cast<size_t>(RequestKind::kConfirm)].count(), 0u);
}

TEST_F(BenchAgainstServer, CommandLineRunWritesAPassingJsonReport) {
  const std::string json_path = server_.data_dir() + "/../bench.json";
  const std::string svg_path = server_.data_dir() + "/../bench.svg";
  StatusOr<itest::CommandResult> run =
      itest::RunBoxoffice({"bench",         "onsale",
                           "--url",         "http://localhost:" + std::to_string(server_.port()),
                           "--data",        server_.data_dir(),
                           "--fans",        "400",
                           "--seats",       "100",
                           "--connections", "20",
                           "--hold-ttl-s",  "1",
                           "--attempts",    "3",
                           "--seed",        "7",
                           "--quiet",       "--json",
                           json_path,       "--plot",
                           svg_path},
                          server_.data_dir() + "/..", std::chrono::seconds(60));
  ASSERT_TRUE(run.ok()) << run.status().message();
  EXPECT_TRUE(run->exit.exited_ok()) << run->exit.ToString() << "\n" << run->out << run->err;
  EXPECT_THAT(run->out, ::testing::HasSubstr("audit: PASS"));
  std::ifstream in(json_path);
  const std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const boost::json::value v = boost::json::parse(json);
  EXPECT_TRUE(v.at("pass").as_bool());
  EXPECT_EQ(v.at("settings").at("seed").to_number<uint64_t>(), 7u);
  EXPECT_EQ(v.at("capacity").to_number<uint64_t>(), 100u);
  EXPECT_EQ(ReadFile(svg_path).rfind("<svg", 0), 0u);
}

TEST_F(BenchAgainstServer, CommandLineRefusesANonLoopbackUrl) {
  StatusOr<itest::CommandResult> run = itest::RunBoxoffice(
      {"bench", "onsale", "--url", "http://192.0.2.1:80", "--data", server_.data_dir()},
      server_.data_dir() + "/..");
  ASSERT_TRUE(run.ok()) << run.status().message();
  EXPECT_EQ(run->exit.code, 2);
  EXPECT_THAT(run->err, ::testing::HasSubstr("refusing --url http://192.0.2.1:80"));
}

}  // namespace
}  // namespace boxoffice::loadgen
