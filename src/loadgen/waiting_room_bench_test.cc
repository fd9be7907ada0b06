// `boxoffice bench` with the waiting room, against the real `boxoffice
// serve`: a small on-sale whose fans go through the line (audited by the
// bench), and a small `bench queue` storm run from the command line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <fstream>
#include <iterator>

#include "loadgen/simulator.h"
#include "server_process.h"
#include "testing/seed.h"

namespace boxoffice::loadgen {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A small on-sale through the line against `server`.
BenchOptions QueueOnsale(itest::ServerProcess& server, const char* test_name) {
  BenchOptions o;
  o.scenario = Scenario::kOnsale;
  o.server = ParseLoopbackUrl("http://127.0.0.1:" + std::to_string(server.port())).value();
  o.admin_key = server.AdminKey().value();
  std::string secret = ReadFile(server.data_dir() + "/jwt.secret");
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  o.jwt_secret = secret;
  o.seed = testing::TestSeed(test_name);
  o.progress = false;
  o.fans = 300;
  o.seats = 100;
  o.connections = 50;
  o.hold_ttl_s = 1;
  // Every admitted fan pays, so each session ends at its booking and the line
  // moves on at once (a fan who walks away keeps its slot to the session's end).
  o.abandon = 0;
  o.release = 0;
  o.queue.enabled = true;
  o.queue.admissions_per_minute = 12'000;  // 200 a second
  o.queue.shoppers_max = 300;
  o.queue.session_s = 10;
  o.queue.onsale_in_s = 1;  // the first fans join the pre-queue and are drawn
  return o;
}

class WaitingRoomBench : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.Start().ok()) << server_.Log(); }

  itest::ServerProcess server_{{"--log-level", "warn"}};
};

TEST_F(WaitingRoomBench, FansGoThroughTheLineAndTheSalePassesItsAudit) {
  const BenchOptions o = QueueOnsale(server_, "FansGoThroughTheLineAndTheSalePassesItsAudit");
  StatusOr<BenchReport> r = RunScenario(o, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message() << "\n" << server_.Log();
  EXPECT_TRUE(r->ok()) << RenderText(*r);
  EXPECT_TRUE(r->audit.ok()) << RenderText(*r);
  EXPECT_EQ(r->fans.total(), o.fans);
  EXPECT_EQ(r->queue_joined, o.fans) << RenderText(*r);
  EXPECT_GT(r->queue_admitted, 0u) << RenderText(*r);
  EXPECT_EQ(r->queue_wait.count(), r->queue_admitted);
  // Fans 0, 50, ... 250 first tried a hold without an access token.
  EXPECT_EQ(r->line_jumps_refused, 6u) << RenderText(*r);
  EXPECT_GT(r->bookings, 0u) << RenderText(*r);
  EXPECT_EQ(r->audit.confirmed_bookings, r->bookings);
  EXPECT_GT(r->latency[static_cast<size_t>(RequestKind::kQueueJoin)].count(), 0u);
  EXPECT_GT(r->latency[static_cast<size_t>(RequestKind::kQueueAccess)].count(), 0u);
  EXPECT_THAT(RenderText(*r), ::testing::HasSubstr("time in line (join to access token)"));
}

TEST(WaitingRoomBenchWithProofOfWork, FansSolveTheChallengeToJoin) {
  itest::ServerProcess server({"--log-level", "warn", "--queue-pow-bits", "8"});
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  const BenchOptions o = QueueOnsale(server, "FansSolveTheChallengeToJoin");
  StatusOr<BenchReport> r = RunScenario(o, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message() << "\n" << server.Log();
  EXPECT_TRUE(r->ok()) << RenderText(*r);
  EXPECT_TRUE(r->audit.ok()) << RenderText(*r);
  EXPECT_EQ(r->queue_joined, o.fans) << RenderText(*r);
  // Each first join is refused proof_required (so is a join again: the fan
  // solves a fresh challenge), and joins with its proof.
  const auto& joins = r->statuses[static_cast<size_t>(Route::kQueueJoin)];
  const auto count = [&](unsigned status) {
    const auto it = joins.find(status);
    return it == joins.end() ? uint64_t{0} : it->second;
  };
  EXPECT_GE(count(403), o.fans) << RenderText(*r);
  EXPECT_EQ(count(201), o.fans) << RenderText(*r);
  EXPECT_GT(r->bookings, 0u) << RenderText(*r);
}

TEST_F(WaitingRoomBench, QueueStormCountsEveryFanAndReportsTheServersMemory) {
  const std::string json_path = server_.data_dir() + "/../queue.json";
  StatusOr<itest::CommandResult> run = itest::RunBoxoffice(
      {"bench", "queue", "--url", "http://127.0.0.1:" + std::to_string(server_.port()), "--data",
       server_.data_dir(), "--fans", "2000", "--connections", "20", "--client-threads", "2",
       "--polls-per-fan", "3", "--seed", "11", "--quiet", "--json", json_path},
      server_.data_dir() + "/..", std::chrono::seconds(120));
  ASSERT_TRUE(run.ok()) << run.status().message();
  EXPECT_TRUE(run->exit.exited_ok()) << run->exit.ToString() << "\n" << run->out << run->err;
  EXPECT_THAT(run->out, ::testing::HasSubstr("run: PASS"));
  const boost::json::value v = boost::json::parse(ReadFile(json_path));
  EXPECT_TRUE(v.at("pass").as_bool()) << run->out;
  EXPECT_EQ(v.at("room_fans").to_number<uint64_t>(), 2'000u);
  EXPECT_EQ(v.at("joins").at("answered_ok").to_number<uint64_t>(), 2'000u);
  EXPECT_EQ(v.at("polls").at("answered_ok").to_number<uint64_t>(), 6'000u);
  EXPECT_EQ(v.at("statuses").at("join").at("201").to_number<uint64_t>(), 2'000u);
  // Each fan's second and third polls carry the ETag of its first.
  EXPECT_GT(v.at("latency").at("status_304").at("count").to_number<uint64_t>(), 0u) << run->out;
  EXPECT_GT(v.at("server_memory").at("after_joins").at("resident_bytes").as_double(), 0.0);
  EXPECT_GT(v.at("jwt_mint_seconds").as_double(), 0.0);
}

}  // namespace
}  // namespace boxoffice::loadgen
