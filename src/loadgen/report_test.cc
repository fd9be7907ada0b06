#include "loadgen/report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace boxoffice::loadgen {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

BenchOptions ValidOptions() {
  BenchOptions o;
  o.server = ParseLoopbackUrl("http://127.0.0.1:8080").value();
  o.admin_key = "ADMIN-KEY-NEVER-PRINTED";
  o.jwt_secret = std::string(32, 's');
  return o;
}

BenchReport SmallReport() {
  BenchReport r;
  r.options = ValidOptions();
  r.show_id = "s1";
  r.venue_id = "v1";
  r.capacity = 100;
  r.phases = {{"setup", 0.1, 3, 0, 0, 0}, {"on sale", 2.0, 1000, 400, 100, 50}};
  for (uint64_t v = 10; v <= 100; v += 10)
    r.latency[static_cast<size_t>(RequestKind::kHoldCreated)].Record(v);
  r.statuses[static_cast<size_t>(Route::kHold)] = {{201, 400}, {409, 50}};
  r.fans = {10, 20, 5, 1, 0};
  r.holds = 400;
  r.bookings = 10;
  r.sold_out_after_s = 2.0;
  r.sale_seconds = 2.5;
  r.sale_requests = 1000;
  r.client_cpu_user_s = 0.5;
  r.client_cpu_system_s = 0.25;
  return r;
}

TEST(Report, TextHasThePhasesLatenciesCpuAndVerdict) {
  const std::string text = RenderText(SmallReport());
  EXPECT_THAT(text, HasSubstr("on sale"));
  EXPECT_THAT(text, HasSubstr("hold_created"));
  EXPECT_THAT(text, HasSubstr("hold 201:400 409:50;"));
  EXPECT_THAT(text, HasSubstr("got nothing: 6"));
  EXPECT_THAT(text, HasSubstr("sold out after 2.000 s"));
  EXPECT_THAT(text, HasSubstr("= 30% of one core; 750.0 us CPU per request"));
  EXPECT_THAT(text, HasSubstr("audit: PASS"));
  EXPECT_THAT(text, Not(HasSubstr("ADMIN-KEY-NEVER-PRINTED")));
}

TEST(Report, FailedAuditListsItsViolations) {
  BenchReport r = SmallReport();
  r.audit.violations = {"seat S1-R1-1 is booked twice: by b1-1 and b1-2"};
  r.audit.violations_total = 1;
  const std::string text = RenderText(r);
  EXPECT_THAT(
      text,
      HasSubstr("audit: FAIL, 1 violations:\n  seat S1-R1-1 is booked twice: by b1-1 and b1-2\n"));
  EXPECT_FALSE(r.ok());
}

TEST(Report, UnexpectedAnswersFailTheRunEvenWhenTheAuditPasses) {
  BenchReport r = SmallReport();
  r.unexpected = 1;
  r.failure_samples = {"hold: 500 {}"};
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(RenderText(r), HasSubstr("run: FAIL"));
}

TEST(Report, JsonCarriesTheSameFigures) {
  const boost::json::value v = boost::json::parse(RenderJson(SmallReport()));
  const boost::json::object& o = v.as_object();
  EXPECT_EQ(o.at("scenario").as_string(), "onsale");
  EXPECT_EQ(o.at("show_id").as_string(), "s1");
  EXPECT_EQ(o.at("pass").as_bool(), true);
  const boost::json::object& hold = o.at("latency").at("hold_created").as_object();
  EXPECT_EQ(hold.at("count").to_number<uint64_t>(), 10u);
  EXPECT_DOUBLE_EQ(hold.at("p50_ms").as_double(), 0.05);
  EXPECT_DOUBLE_EQ(hold.at("max_ms").as_double(), 0.1);
  EXPECT_EQ(o.at("phases").as_array().size(), 2u);
  EXPECT_DOUBLE_EQ(o.at("phases").as_array()[1].at("holds_per_s").as_double(), 200.0);
  EXPECT_EQ(o.at("statuses").at("hold").at("409").to_number<uint64_t>(), 50u);
  EXPECT_EQ(o.at("outcomes").at("fans").at("got_nothing").to_number<uint64_t>(), 6u);
  EXPECT_DOUBLE_EQ(o.at("client").at("cpu_share_of_one_core").as_double(), 0.3);
  EXPECT_FALSE(o.at("settings").as_object().contains("admin_key"));
  EXPECT_EQ(RenderJson(SmallReport()).find("ADMIN-KEY-NEVER-PRINTED"), std::string::npos);
}

TEST(BenchOptions, DefaultsAreValidAndLimitsAreNamed) {
  EXPECT_TRUE(ValidateOptions(ValidOptions()).ok());
  BenchOptions o = ValidOptions();
  o.abandon = 0.8;
  o.release = 0.3;
  EXPECT_EQ(ValidateOptions(o).message(), "--abandon plus --release must not exceed 1");
  o = ValidOptions();
  o.connections = kConnectionsMax + 1;
  EXPECT_EQ(ValidateOptions(o).message(), "--connections: 1..10000");
  o = ValidOptions();
  o.jwt_secret = "short";
  EXPECT_FALSE(ValidateOptions(o).ok());
}

TEST(BenchOptions, QueueSettingsHaveNamedLimits) {
  BenchOptions o = ValidOptions();
  o.queue.session_s = 0;
  EXPECT_EQ(ValidateOptions(o).message(), "--session-s: 10..7200");
  o = ValidOptions();
  o.queue.shoppers_max = core::kActiveShoppersMax + 1;
  EXPECT_EQ(ValidateOptions(o).message(), "--shoppers-max: 1..1000000");
  o = ValidOptions();
  o.polls_per_fan = kPollsPerFanMax + 1;
  EXPECT_EQ(ValidateOptions(o).message(), "--polls-per-fan: 0..1000");
}

TEST(Report, WaitingRoomOutcomesAreInTheTextAndJson) {
  BenchReport r = SmallReport();
  r.options.queue.enabled = true;
  r.fans.told_sold_out = 4;
  r.queue_joined = 40;
  r.queue_admitted = 36;
  r.line_jumps_refused = 1;
  r.queue_wait.Record(2'000);
  const std::string text = RenderText(r);
  EXPECT_THAT(text, HasSubstr("waiting room: 40 joined, 36 admitted, 4 told sold out; 1 holds "
                              "without an access token refused"));
  EXPECT_THAT(text, HasSubstr("time in line (join to access token): p50 2.0 ms"));
  EXPECT_THAT(text, HasSubstr("got nothing: 10"));
  const boost::json::value v = boost::json::parse(RenderJson(r));
  const boost::json::object& q = v.at("outcomes").at("queue").as_object();
  EXPECT_EQ(q.at("admitted").to_number<uint64_t>(), 36u);
  EXPECT_EQ(q.at("told_sold_out").to_number<uint64_t>(), 4u);
  EXPECT_EQ(q.at("time_in_line").at("count").to_number<uint64_t>(), 1u);
  EXPECT_EQ(v.at("settings").at("queue").at("enabled").as_bool(), true);
}

QueueStormReport SmallStorm() {
  QueueStormReport r;
  r.options = ValidOptions();
  r.options.scenario = Scenario::kQueue;
  r.options.fans = 1'000;
  r.options.polls_per_fan = 2;
  r.show_id = "s1";
  r.joins = {2.0, 1'000, 1'000, 0.5};
  r.polls = {1.0, 2'000, 2'000, 0.25};
  r.latency[static_cast<size_t>(StormRequest::kJoin)].Record(1'000);
  r.join_statuses = {{201, 1'000}};
  r.status_statuses = {{200, 1'000}, {304, 1'000}};
  r.jwt_mint_seconds = 0.01;
  r.memory_before = {100e6, 0};
  r.memory_after = {100e6 + 64'000, 30'000};
  r.room_fans = 1'000;
  return r;
}

TEST(QueueStormReport, TextHasRatesMemoryPerFanAndMintingCost) {
  const QueueStormReport r = SmallStorm();
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.resident_bytes_per_fan(), 64.0);
  EXPECT_EQ(r.queue_bytes_per_fan(), 30.0);
  const std::string text = RenderQueueText(r);
  EXPECT_THAT(text, HasSubstr("500 joins/s"));
  EXPECT_THAT(text, HasSubstr("2000 polls/s"));
  EXPECT_THAT(text, HasSubstr("join 201:1000; status 200:1000 304:1000;"));
  EXPECT_THAT(text, HasSubstr("64 bytes per queued fan"));
  EXPECT_THAT(text, HasSubstr("10.0 us per fan, 2% of the joins' client CPU"));
  EXPECT_THAT(text, HasSubstr("run: PASS"));
  EXPECT_THAT(text, Not(HasSubstr("ADMIN-KEY-NEVER-PRINTED")));
}

TEST(QueueStormReport, MissingFansOrErrorsFailTheRun) {
  QueueStormReport r = SmallStorm();
  r.room_fans = 999;
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(RenderQueueText(r), HasSubstr("run: FAIL"));
  r = SmallStorm();
  r.unexpected = 1;
  EXPECT_FALSE(r.ok());
  r = SmallStorm();
  r.memory_before.resident_bytes.reset();
  EXPECT_FALSE(r.resident_bytes_per_fan().has_value());
  EXPECT_THAT(RenderQueueText(r), HasSubstr("server RSS: not exported"));
}

TEST(QueueStormReport, JsonCarriesRatesAndMemory) {
  const boost::json::value v = boost::json::parse(RenderQueueJson(SmallStorm()));
  EXPECT_EQ(v.at("scenario").as_string(), "queue");
  EXPECT_DOUBLE_EQ(v.at("joins").at("joins_per_s").as_double(), 500.0);
  EXPECT_DOUBLE_EQ(v.at("polls").at("polls_per_s").as_double(), 2000.0);
  EXPECT_DOUBLE_EQ(v.at("server_memory").at("resident_bytes_per_fan").as_double(), 64.0);
  EXPECT_EQ(v.at("statuses").at("status").at("304").to_number<uint64_t>(), 1'000u);
  EXPECT_EQ(v.at("settings").at("polls_per_fan").to_number<uint64_t>(), 2u);
  EXPECT_EQ(v.at("pass").as_bool(), true);
}

}  // namespace
}  // namespace boxoffice::loadgen
