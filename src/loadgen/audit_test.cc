#include "loadgen/audit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace boxoffice::loadgen {
namespace {

using core::SeatState;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Section S1: rows R1 and R2 of five seats (S1-R1-1 ... S1-R2-5); FLOOR: a
// general-admission area of 10 places. Capacity 20.
SeatMapView SmallVenue() {
  SeatMapView m;
  m.sections.push_back({"S1", false, 10, 0, 10});
  m.sections.push_back({"FLOOR", true, 10, 10, 0});
  for (uint32_t r = 1; r <= 2; ++r) {
    m.rows.push_back({(r - 1) * 5, 5});
    for (uint32_t n = 1; n <= 5; ++n) {
      m.labels.push_back("S1-R" + std::to_string(r) + "-" + std::to_string(n));
      m.aisle_after.push_back(n == 5 ? 1 : 0);
    }
  }
  return m;
}

size_t SeatIndex(const AuditInput& in, const std::string& label) {
  for (size_t i = 0; i < in.map.labels.size(); ++i) {
    if (in.map.labels[i] == label) return i;
  }
  ADD_FAILURE() << "no seat " << label;
  return 0;
}

// A clean end of sale: b1-1 (fan-1: S1-R1-1, S1-R1-2), b1-2 (fan-2:
// S1-R2-5), b1-3 (fan-3: 3 FLOOR places), b1-4 cancelled (S1-R1-3, free
// again); fans 1 and 2 were told booked; read 1.5 s after the last expiry.
AuditInput CleanSale() {
  AuditInput in;
  in.map = SmallVenue();
  in.show_capacity = 20;
  in.bookings = {
      {"b1-1", "h1-1", "fan-1", "confirmed", {"S1-R1-1", "S1-R1-2"}, "", 0},
      {"b1-2", "h1-2", "fan-2", "confirmed", {"S1-R2-5"}, "", 0},
      {"b1-3", "h1-3", "fan-3", "confirmed", {}, "FLOOR", 3},
      {"b1-4", "h1-4", "fan-4", "cancelled", {"S1-R1-3"}, "", 0},
  };
  in.availability.version = 42;
  in.availability.sections = {{"S1", 7, 0, 3, 0}, {"FLOOR", 7, 0, 3, 0}};
  in.availability.seats.assign(10, SeatState::kFree);
  for (const char* label : {"S1-R1-1", "S1-R1-2", "S1-R2-5"})
    in.availability.seats[SeatIndex(in, label)] = SeatState::kBooked;
  in.availability_read_after_last_expiry_ms = 1'500;
  in.told_booked = {{"fan-1", "h1-1", "b1-1", {"S1-R1-2", "S1-R1-1"}},
                    {"fan-2", "h1-2", "b1-2", {"S1-R2-5"}}};
  return in;
}

TEST(Audit, CleanSalePasses) {
  const AuditResult r = Audit(CleanSale());
  EXPECT_TRUE(r.ok());
  EXPECT_THAT(r.violations, ElementsAre());
  EXPECT_TRUE(r.expiry_checked);
  EXPECT_EQ(r.confirmed_bookings, 3u);
  EXPECT_EQ(r.seats_booked, 6u);
  EXPECT_EQ(r.fans_with_bookings, 3u);
}

TEST(Audit, SeatBookedTwiceIsNamedWithBothBookings) {
  AuditInput in = CleanSale();
  in.bookings.push_back({"b1-5", "h1-5", "fan-5", "confirmed", {"S1-R1-2"}, "", 0});
  const AuditResult r = Audit(in);
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(r.violations, ElementsAre("seat S1-R1-2 is booked twice: by b1-1 and b1-5"));
}

TEST(Audit, MissingBookingOfAFanToldBookedFails) {
  AuditInput in = CleanSale();
  in.bookings.erase(in.bookings.begin() + 1);  // b1-2 is gone; its seat still shows booked
  const AuditResult r = Audit(in);
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(
      r.violations,
      ElementsAre("seat S1-R2-5 is booked in the availability but in no confirmed booking",
                  "fan fan-2 was told booked (b1-2, hold h1-2) but the show has no booking b1-2"));
}

TEST(Audit, BookedCountThatDoesNotAddUpFails) {
  AuditInput in = CleanSale();
  in.availability.sections[0].booked = 4;  // free 7 + booked 4 = 11 of 10
  const AuditResult r = Audit(in);
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(
      r.violations,
      ElementsAre("section S1: free 7 + held 0 + booked 4 + blocked 0 = 11, its capacity is 10",
                  "section S1: the counts say 4 booked, the seat states show 3",
                  "free 14 + held 0 + booked 7 + blocked 0 = 21, the show's capacity is 20"));
}

TEST(Audit, HeldSeatAfterEveryExpiryFails) {
  AuditInput in = CleanSale();
  in.availability.seats[SeatIndex(in, "S1-R1-4")] = SeatState::kHeld;
  in.availability.sections[0] = {"S1", 6, 1, 3, 0};
  const AuditResult r = Audit(in);
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(
      r.violations,
      ElementsAre(
          "1 seats and places are held (1 seats by their states: S1-R1-4) 1500 ms after the "
          "latest hold expiry; no hold may outlive its expiry by more than 1000 ms"));
}

TEST(Audit, HeldSeatReadBeforeTheGraceEndsIsNotAViolation) {
  AuditInput in = CleanSale();
  in.availability.seats[SeatIndex(in, "S1-R1-4")] = SeatState::kHeld;
  in.availability.sections[0] = {"S1", 6, 1, 3, 0};
  in.availability_read_after_last_expiry_ms = 999;
  const AuditResult r = Audit(in);
  EXPECT_TRUE(r.ok()) << r.violations.front();
  EXPECT_FALSE(r.expiry_checked);
}

TEST(Audit, FanToldOtherSeatsThanTheBookingHasFails) {
  AuditInput in = CleanSale();
  in.told_booked[0].seats = {"S1-R1-1", "S1-R1-3"};
  EXPECT_THAT(Audit(in).violations,
              ElementsAre("fan fan-1 was told booked (b1-1, hold h1-1) but the booking has seats "
                          "[S1-R1-1 S1-R1-2], the fan held [S1-R1-1 S1-R1-3]"));
}

TEST(Audit, FanToldBookedOfSomeoneElsesOrCancelledBookingFails) {
  AuditInput in = CleanSale();
  in.told_booked.push_back({"fan-9", "h1-4", "b1-4", {"S1-R1-3"}});
  EXPECT_THAT(
      Audit(in).violations,
      ElementsAre("fan fan-9 was told booked (b1-4, hold h1-4) but the booking is cancelled",
                  "fan fan-9 was told booked (b1-4, hold h1-4) but the booking belongs to fan-4"));
}

TEST(Audit, BookedSeatTheAvailabilityShowsFreeFails) {
  AuditInput in = CleanSale();
  in.availability.seats[SeatIndex(in, "S1-R1-1")] = SeatState::kFree;
  in.availability.sections[0] = {"S1", 8, 0, 2, 0};
  in.availability.sections[1] = {"FLOOR", 6, 0, 4, 0};  // totals still add up
  EXPECT_THAT(
      Audit(in).violations,
      ElementsAre("seat S1-R1-1 is in booking b1-1 but the availability shows it free",
                  "area FLOOR: the availability shows 4 places booked, the bookings hold 3"));
}

TEST(Audit, BookingOfASeatTheShowDoesNotHaveFails) {
  AuditInput in = CleanSale();
  in.bookings.push_back({"b1-6", "h1-6", "fan-6", "confirmed", {"S9-R1-1"}, "", 0});
  EXPECT_THAT(Audit(in).violations,
              ElementsAre("booking b1-6 names seat S9-R1-1, which the show does not have"));
}

TEST(Audit, BookingListedTwiceFails) {
  AuditInput in = CleanSale();
  in.bookings.push_back(in.bookings[0]);
  EXPECT_THAT(Audit(in).violations, ElementsAre("booking b1-1 is listed twice"));
}

TEST(Audit, AvailabilityOfAnotherShapeFails) {
  AuditInput in = CleanSale();
  in.availability.seats.pop_back();
  EXPECT_THAT(Audit(in).violations,
              Contains("the availability has 9 seat states, the seat map has 10 seats"));
}

TEST(Audit, MoreFansWithBookingsThanHotSeatsFails) {
  AuditInput in = CleanSale();
  in.booked_fans_max = 2;
  EXPECT_THAT(Audit(in).violations,
              ElementsAre("3 fans hold bookings, but there were only 2 hot seats"));
  in.booked_fans_max = 3;
  EXPECT_TRUE(Audit(in).ok());
}

TEST(Audit, ViolationsAreListedUpToTheLimitThenCounted) {
  AuditInput in = CleanSale();
  for (size_t i = 0; i < kViolationsMax + 20; ++i) {
    in.bookings.push_back(
        {"b2-" + std::to_string(i), "h", "fan-x", "confirmed", {"S1-R1-1"}, "", 0});
  }
  const AuditResult r = Audit(in);
  EXPECT_EQ(r.violations_total, kViolationsMax + 20);
  ASSERT_EQ(r.violations.size(), kViolationsMax + 1);
  EXPECT_EQ(r.violations.back(), "... and 20 more violations");
  EXPECT_THAT(r.violations.front(), HasSubstr("seat S1-R1-1 is booked twice"));
}

TEST(Audit, WaitingRoomPassesWhenEveryBookingIsOfAnAdmittedFan) {
  AuditInput in = CleanSale();
  in.admitted_users = std::vector<std::string>{"fan-3", "fan-2", "fan-1", "fan-9"};
  EXPECT_TRUE(Audit(in).ok());
}

TEST(Audit, BookingOfAFanTheWaitingRoomNeverAdmittedFails) {
  AuditInput in = CleanSale();
  in.admitted_users = std::vector<std::string>{"fan-1", "fan-2"};  // fan-4's booking is cancelled
  const AuditResult r = Audit(in);
  EXPECT_THAT(r.violations,
              ElementsAre("booking b1-3 belongs to fan-3, whom the waiting room never admitted"));
}

TEST(Audit, HoldGrantedWithoutAnAccessTokenFails) {
  AuditInput in = CleanSale();
  in.held_without_access = {{"fan-50", "h1-9"}};
  const AuditResult r = Audit(in);
  EXPECT_THAT(r.violations, ElementsAre("fan fan-50 got hold h1-9 without an access token while "
                                        "the waiting room was on"));
}

}  // namespace
}  // namespace boxoffice::loadgen
