#include "loadgen/api_views.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "core/snapshot.h"
#include "crypto/encoding.h"
#include "testing/seed.h"

namespace boxoffice::loadgen {
namespace {

using core::SeatState;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// As GET /v1/shows/{id}/seatmap renders it: row A has an aisle after seat 2.
constexpr const char* kSeatMap = R"({"show_id":"s1","venue_id":"v1","name":"T","currency":"EUR",
  "categories":[{"id":"STD","name":"Standard","price_minor":5000}],
  "sections":[
    {"id":"MAIN","name":"Main","general_admission":false,"capacity":5,"rows":[
      {"label":"A","seats":[
        {"label":"MAIN-A-1","number":1,"category":"STD","accessible":false,"aisle_after":false},
        {"label":"MAIN-A-2","number":2,"category":"STD","accessible":false,"aisle_after":true},
        {"label":"MAIN-A-3","number":3,"category":"STD","accessible":false,"aisle_after":false}]},
      {"label":"B","seats":[
        {"label":"MAIN-B-1","number":1,"category":"STD","accessible":true,"aisle_after":false},
        {"label":"MAIN-B-2","number":2,"category":"STD","accessible":false,"aisle_after":false}]}]},
    {"id":"FLOOR","name":"Floor","general_admission":true,"capacity":100,"category":"STD","rows":[]}]})";

TEST(ApiViews, SeatMapKeepsSeatOrderRowsAndAisles) {
  StatusOr<SeatMapView> m = ParseSeatMap(kSeatMap);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_THAT(m->labels, ElementsAre("MAIN-A-1", "MAIN-A-2", "MAIN-A-3", "MAIN-B-1", "MAIN-B-2"));
  EXPECT_THAT(m->aisle_after, ElementsAre(0, 1, 1, 0, 1));  // a row's end is never adjacent
  ASSERT_EQ(m->rows.size(), 2u);
  EXPECT_EQ(m->rows[1].first_seat, 3u);
  EXPECT_EQ(m->rows[1].seat_count, 2u);
  ASSERT_EQ(m->sections.size(), 2u);
  EXPECT_EQ(m->sections[0].seat_count, 5u);
  EXPECT_TRUE(m->sections[1].general_admission);
  EXPECT_EQ(m->sections[1].first_seat, 5u);
  EXPECT_EQ(m->capacity(), 105u);
}

TEST(ApiViews, SeatMapWithAMissingMemberNamesIt) {
  StatusOr<SeatMapView> m = ParseSeatMap(R"({"sections":[{"id":"M","general_admission":false,
      "capacity":1,"rows":[{"label":"A","seats":[{"number":1}]}]}]})");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message(), "seat map: sections[0].rows[0].seats[0].label: missing");
}

TEST(ApiViews, SeatMapWhoseCapacityDiffersFromItsSeatsIsRefused) {
  StatusOr<SeatMapView> m = ParseSeatMap(R"({"sections":[{"id":"M","general_admission":false,
      "capacity":2,"rows":[{"label":"A","seats":[{"label":"M-A-1","aisle_after":false}]}]}]})");
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.status().message(),
              HasSubstr("sections[0].capacity: differs from the number of seats"));
}

std::string AvailabilityJson(const std::vector<SeatState>& states) {
  return R"({"show_id":"s1","version":7,"sections":[{"id":"MAIN","free":2,"held":1,"booked":1,"blocked":1},
    {"id":"FLOOR","free":90,"held":4,"booked":6,"blocked":0}],"categories":[],
    "seats":{"encoding":"2bit","count":5,"data":")" +
         crypto::Base64Encode(core::EncodeSeatStates(states)) + "\"}}";
}

TEST(ApiViews, AvailabilityDecodesTheTwoBitSeatStates) {
  const std::vector<SeatState> states = {SeatState::kFree, SeatState::kHeld, SeatState::kBooked,
                                         SeatState::kBlocked, SeatState::kFree};
  StatusOr<AvailabilityView> a = ParseAvailability(AvailabilityJson(states), 5);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->version, 7u);
  EXPECT_EQ(a->seats, states);
  ASSERT_EQ(a->sections.size(), 2u);
  EXPECT_EQ(a->sections[1].id, "FLOOR");
  EXPECT_EQ(a->sections[1].total(), 100u);
  EXPECT_EQ(a->held(), 5u);
  EXPECT_EQ(a->free(), 92u);
}

TEST(ApiViews, AvailabilityDecodesWhatTheCoreEncodesForAnyLength) {
  std::mt19937_64 rng(testing::TestSeed("AvailabilityDecodesWhatTheCoreEncodesForAnyLength"));
  for (size_t n : {1u, 2u, 3u, 4u, 5u, 7u, 8u, 9u, 100u, 1001u, 5000u}) {
    std::vector<SeatState> states(n);
    for (SeatState& st : states) st = static_cast<SeatState>(rng() % 4);
    const std::string json = R"({"version":1,"sections":[],"seats":{"encoding":"2bit","data":")" +
                             crypto::Base64Encode(core::EncodeSeatStates(states)) + "\"}}";
    StatusOr<AvailabilityView> a = ParseAvailability(json, n);
    ASSERT_TRUE(a.ok()) << a.status().message();
    EXPECT_EQ(a->seats, states) << n;
  }
}

TEST(ApiViews, AvailabilityWithTooFewSeatStatesIsRefused) {
  const std::vector<SeatState> states(5, SeatState::kFree);
  StatusOr<AvailabilityView> a = ParseAvailability(AvailabilityJson(states), 9);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().message(), "availability: seats.data holds 2 bytes, 9 seats need 3");
}

TEST(ApiViews, BookingListReadsSeatsAndGeneralAdmission) {
  StatusOr<std::vector<BookingRecord>> list = ParseBookingList(
      R"({"bookings":[{"id":"b1-1","show_id":"s1","hold_id":"h1-9","user":"fan-1","status":"confirmed",
         "seats":["MAIN-A-1","MAIN-A-2"],"total_minor":10000,"currency":"EUR","payment_ref":"x",
         "booked_at":"2026-11-28T20:00:00.000Z"},
        {"id":"b1-2","show_id":"s1","hold_id":"h1-10","user":"fan-2","status":"cancelled","seats":[],
         "general_admission":{"area":"FLOOR","quantity":2},"total_minor":1,"currency":"EUR"}]})");
  ASSERT_TRUE(list.ok()) << list.status().message();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].hold_id, "h1-9");
  EXPECT_THAT((*list)[0].seats, ElementsAre("MAIN-A-1", "MAIN-A-2"));
  EXPECT_EQ((*list)[1].status, "cancelled");
  EXPECT_EQ((*list)[1].ga_area, "FLOOR");
  EXPECT_EQ((*list)[1].ga_quantity, 2u);
}

TEST(ApiViews, BookingListWithAMistypedMemberNamesIt) {
  StatusOr<std::vector<BookingRecord>> list = ParseBookingList(
      R"({"bookings":[{"id":"b1-1","hold_id":"h","user":"u","status":"confirmed","seats":[1]}]})");
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.status().message(), "bookings: bookings[0].seats: expected strings");
}

TEST(ApiViews, HoldCreatedReadsTokenSeatsAndExpiry) {
  StatusOr<HoldCreated> h = ParseHoldCreated(
      R"({"id":"h1-4294967297","show_id":"s1","token":"abc","status":"held","seats":["MAIN-A-1"],
          "total_minor":5000,"currency":"EUR","created_at":"2026-11-28T20:00:00.000Z",
          "expires_at":"2026-11-28T20:00:02.500Z"})");
  ASSERT_TRUE(h.ok()) << h.status().message();
  EXPECT_EQ(h->id, "h1-4294967297");
  EXPECT_EQ(h->token, "abc");
  EXPECT_THAT(h->seats, ElementsAre("MAIN-A-1"));
  EXPECT_EQ(h->expires_at_ms, 1'795'896'002'500);
}

TEST(ApiViews, ShowAndCreatedIds) {
  StatusOr<ShowSummary> s = ParseShow(R"({"id":"s3","capacity":5000,"hold_ttl_s":2,"name":"x"})");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->id, "s3");
  EXPECT_EQ(s->capacity, 5000u);
  EXPECT_EQ(s->hold_ttl_s, 2u);
  EXPECT_EQ(ParseCreatedId(R"({"id":"v2"})").value(), "v2");
  EXPECT_FALSE(ParseCreatedId("not json").ok());
}

TEST(ApiViews, ProblemCodeOfProblemsAndOfAnythingElse) {
  EXPECT_EQ(ProblemCode(R"({"type":"x","status":409,"code":"seat_unavailable","conflicts":["A"]})"),
            "seat_unavailable");
  EXPECT_EQ(ProblemCode(R"({"id":"h1-1"})"), "");
  EXPECT_EQ(ProblemCode(""), "");
  EXPECT_EQ(ProblemCode("[1,2"), "");
}

TEST(ApiViews, QueueJoinBeforeTheDrawHasNoSequence) {
  StatusOr<QueueJoined> j = ParseQueueJoined(
      R"({"show_id":"s1","ticket":"t.sig","entry":7,"sequence":null,"prequeue":true,)"
      R"("status_url":"/v1/shows/s1/queue/status"})");
  ASSERT_TRUE(j.ok()) << j.status().message();
  EXPECT_EQ(j->ticket, "t.sig");
  EXPECT_EQ(j->entry, 7u);
  EXPECT_FALSE(j->sequence.has_value());
  EXPECT_TRUE(j->prequeue);
}

TEST(ApiViews, QueueJoinAfterTheDrawHasItsSequence) {
  StatusOr<QueueJoined> j =
      ParseQueueJoined(R"({"show_id":"s1","ticket":"t","entry":7,"sequence":3,"prequeue":false})");
  ASSERT_TRUE(j.ok()) << j.status().message();
  EXPECT_EQ(j->sequence, 3u);
  EXPECT_THAT(ParseQueueJoined(R"({"entry":7,"sequence":3,"prequeue":false})").status().message(),
              HasSubstr("ticket"));
  EXPECT_FALSE(
      ParseQueueJoined(R"({"ticket":"t","entry":7,"sequence":"3","prequeue":false})").ok());
}

TEST(ApiViews, QueueStatusReadsWhatTheFansNeed) {
  StatusOr<QueueStatusView> q = ParseQueueStatus(
      R"({"show_id":"s1","state":"admitting","now_serving":120,"admissions_per_minute":600,)"
      R"("seconds_per_place":0.1,"fans":5000,"served_through":null,"sold_out":false,)"
      R"("seed_sha256":"ab","seed":null,"prequeue_fans":10,"updated_at":"2026-11-28T10:00:00Z"})");
  ASSERT_TRUE(q.ok()) << q.status().message();
  EXPECT_EQ(q->state, "admitting");
  EXPECT_EQ(q->now_serving, 120u);
  EXPECT_EQ(q->fans, 5000u);
  EXPECT_FALSE(q->served_through.has_value());
  EXPECT_FALSE(q->sold_out);
  StatusOr<QueueStatusView> sold = ParseQueueStatus(
      R"({"state":"sold_out","now_serving":9,"fans":20,"served_through":9,"sold_out":true})");
  ASSERT_TRUE(sold.ok()) << sold.status().message();
  EXPECT_EQ(sold->served_through, 9u);
  EXPECT_TRUE(sold->sold_out);
  EXPECT_FALSE(ParseQueueStatus("not json").ok());
  EXPECT_EQ(UintMember(R"({"fans":12,"state":"prequeue"})", "fans").value(), 12u);
  EXPECT_THAT(UintMember(R"({"fans":-1})", "fans").status().message(), HasSubstr("fans"));
}

TEST(ApiViews, MetricSumAddsEveryLabelSetOfOneName) {
  const std::string text =
      "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
      "# TYPE process_resident_memory_bytes gauge\n"
      "process_resident_memory_bytes 1.048576e+07\n"
      "boxoffice_queue_bytes{show=\"s1\"} 300\n"
      "boxoffice_queue_bytes{show=\"s2\"} 12\n"
      "boxoffice_queue_bytes_total 99\n";
  EXPECT_EQ(MetricSum(text, "process_resident_memory_bytes"), 10485760.0);
  EXPECT_EQ(MetricSum(text, "boxoffice_queue_bytes"), 312.0);
  EXPECT_FALSE(MetricSum(text, "boxoffice_queue").has_value());
  EXPECT_FALSE(MetricSum("", "process_resident_memory_bytes").has_value());
}

}  // namespace
}  // namespace boxoffice::loadgen
