#include "http/api_json.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <cstdio>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "testing/seed.h"
#include "testing/venues.h"

namespace boxoffice::http {
namespace {

// The reference: the C library's own calendar.
std::string TimeByGmtime(core::TimeMs t) {
  const std::time_t secs = static_cast<std::time_t>(t >= 0 ? t / 1000 : (t - 999) / 1000);
  const int ms = static_cast<int>(t - static_cast<core::TimeMs>(secs) * 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

std::vector<std::string> Keys(const boost::json::object& o) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : o) keys.emplace_back(k);
  return keys;
}

TEST(ApiJsonTest, FormatTimeAgreesWithTheCLibraryAndParsesBack) {
  const uint64_t seed = testing::TestSeed("FormatTimeAgreesWithTheCLibraryAndParsesBack");
  std::mt19937_64 rng(seed);
  std::vector<core::TimeMs> times = {0,
                                     1,
                                     999,
                                     -1,
                                     -1000,
                                     -86'400'001,
                                     951'782'400'000,      // 2000-02-29
                                     4'107'542'399'999,    // 2100-02-28T23:59:59.999
                                     253'402'300'799'999,  // 9999-12-31T23:59:59.999
                                     1'795'000'000'123};
  std::uniform_int_distribution<core::TimeMs> any(0, 253'402'300'799'999);
  for (int i = 0; i < 20'000; ++i) times.push_back(any(rng));
  for (core::TimeMs t : times) {
    ASSERT_EQ(FormatTime(t), TimeByGmtime(t)) << t << " (seed " << seed << ")";
    if (t >= 0) {
      ASSERT_EQ(ParseTime(FormatTime(t)), t) << FormatTime(t);
    }
  }
  EXPECT_EQ(FormatTime(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTime(253'402'300'800'000), TimeByGmtime(253'402'300'800'000));  // year 10000
}

TEST(ApiJsonTest, HoldJsonHasTheMembersInOrder) {
  service::HoldView h;
  h.show = 3;
  h.hold = 4294967297;
  h.token.bytes.fill(7);
  h.seats = {"A-1-1", "A-1-\"2"};
  h.ga_area = "FLOOR";
  h.ga_quantity = 2;
  h.total_minor = 10'000;
  h.currency = "EUR";
  h.created_at_ms = 1'795'000'000'123;
  h.expires_at_ms = 1'795'000'600'123;
  const boost::json::object o = boost::json::parse(HoldJson(h, true)).as_object();
  EXPECT_EQ(Keys(o), (std::vector<std::string>{"id", "show_id", "status", "token", "seats",
                                               "general_admission", "total_minor", "currency",
                                               "created_at", "expires_at"}));
  EXPECT_EQ(o.at("id").as_string(), "h3-4294967297");
  EXPECT_EQ(o.at("show_id").as_string(), "s3");
  EXPECT_EQ(o.at("status").as_string(), "held");
  EXPECT_EQ(o.at("token").as_string(), crypto::TokenToString(h.token));
  EXPECT_EQ(o.at("seats").as_array().size(), 2u);
  EXPECT_EQ(o.at("seats").as_array()[1].as_string(), "A-1-\"2");
  EXPECT_EQ(o.at("general_admission").as_object().at("area").as_string(), "FLOOR");
  EXPECT_EQ(o.at("general_admission").as_object().at("quantity").as_int64(), 2);
  EXPECT_EQ(o.at("total_minor").as_int64(), 10'000);
  EXPECT_EQ(o.at("currency").as_string(), "EUR");
  EXPECT_EQ(o.at("created_at").as_string(), FormatTime(h.created_at_ms));
  EXPECT_EQ(o.at("expires_at").as_string(), FormatTime(h.expires_at_ms));

  h.ga_area.clear();
  EXPECT_FALSE(boost::json::parse(HoldJson(h, false)).as_object().contains("token"));
  EXPECT_FALSE(boost::json::parse(HoldJson(h, false)).as_object().contains("general_admission"));

  h.status = service::HoldStatus::kConfirmed;
  h.booking = 12;
  const boost::json::object closed = boost::json::parse(HoldJson(h, true)).as_object();
  EXPECT_EQ(Keys(closed), (std::vector<std::string>{"id", "show_id", "status", "booking_id"}));
  EXPECT_EQ(closed.at("status").as_string(), "confirmed");
  EXPECT_EQ(closed.at("booking_id").as_string(), "b3-12");
}

TEST(ApiJsonTest, BookingJsonAndTheListOfBookings) {
  service::BookingView b;
  b.show = 1;
  b.booking = 7;
  b.hold = 99;
  b.user = "al\\ice";
  b.seats = {"S-R1-1"};
  b.total_minor = 5000;
  b.currency = "EUR";
  b.payment_ref = "pay-1";
  b.booked_at_ms = 1'795'000'000'000;
  b.tickets.push_back(service::TicketView{.code = "tk_0123", .label = "S-R1-1"});
  const boost::json::object o = boost::json::parse(BookingJson(b)).as_object();
  EXPECT_EQ(Keys(o), (std::vector<std::string>{"id", "show_id", "hold_id", "user", "status",
                                               "seats", "total_minor", "currency", "payment_ref",
                                               "booked_at", "tickets"}));
  ASSERT_EQ(o.at("tickets").as_array().size(), 1u);
  EXPECT_EQ(o.at("tickets").as_array()[0].at("code").as_string(), "tk_0123");
  EXPECT_EQ(o.at("tickets").as_array()[0].at("seat").as_string(), "S-R1-1");
  EXPECT_EQ(o.at("id").as_string(), "b1-7");
  EXPECT_EQ(o.at("hold_id").as_string(), "h1-99");
  EXPECT_EQ(o.at("user").as_string(), "al\\ice");
  EXPECT_EQ(o.at("status").as_string(), "confirmed");

  service::BookingView c = b;
  c.cancelled = true;
  c.cancelled_at_ms = 1'795'000'001'000;
  c.seats.clear();
  c.ga_area = "GA";
  c.ga_quantity = 3;
  const boost::json::object list = boost::json::parse(BookingListJson({b, c})).as_object();
  ASSERT_EQ(list.at("bookings").as_array().size(), 2u);
  const boost::json::object& second = list.at("bookings").as_array()[1].as_object();
  EXPECT_EQ(second.at("status").as_string(), "cancelled");
  EXPECT_EQ(second.at("cancelled_at").as_string(), FormatTime(c.cancelled_at_ms));
  EXPECT_EQ(second.at("general_admission").as_object().at("quantity").as_int64(), 3);
  EXPECT_TRUE(second.at("seats").as_array().empty());
  EXPECT_EQ(BookingListJson({}), R"({"bookings":[]})");
}

// The seat map as fans' pages read it: categories with prices, sections,
// rows and seats in the availability's order, aisles, accessible seats and
// a general-admission area.
TEST(ApiJsonTest, SeatMapTextDescribesSeatsAislesAndAreas) {
  auto venue = std::make_shared<service::Venue>();
  venue->id = 4;
  venue->map =
      std::make_shared<const core::SeatMap>(testing::MustBuild(testing::GridVenue(2, 3, 10, 20)));
  service::Show show;
  show.id = 9;
  show.venue = venue;
  show.settings.currency = "EUR";
  show.settings.prices = {{"P1", 5000}, {"P2", 2500}};
  const boost::json::object o = boost::json::parse(SeatMapText(show)).as_object();
  EXPECT_EQ(Keys(o), (std::vector<std::string>{"show_id", "venue_id", "name", "currency",
                                               "categories", "sections"}));
  EXPECT_EQ(o.at("show_id").as_string(), "s9");
  const boost::json::object& p2 = o.at("categories").as_array()[1].as_object();
  EXPECT_EQ(p2.at("id").as_string(), "P2");
  EXPECT_EQ(p2.at("price_minor").as_int64(), 2500);
  const boost::json::array& sections = o.at("sections").as_array();
  ASSERT_EQ(sections.size(), 3u);
  const boost::json::array& row = sections[0].at("rows").as_array()[0].at("seats").as_array();
  ASSERT_EQ(row.size(), 10u);
  EXPECT_EQ(row[0].at("label").as_string(), "S1-1-1");
  EXPECT_TRUE(row[0].at("accessible").as_bool());
  EXPECT_FALSE(row[2].at("accessible").as_bool());
  EXPECT_TRUE(row[4].at("aisle_after").as_bool()) << "the grid's rows have an aisle after seat 5";
  EXPECT_FALSE(row[5].at("aisle_after").as_bool());
  EXPECT_FALSE(row[9].at("aisle_after").as_bool()) << "no aisle after a row's last seat";
  const boost::json::object& ga = sections[2].as_object();
  EXPECT_TRUE(ga.at("general_admission").as_bool());
  EXPECT_EQ(ga.at("capacity").as_int64(), 20);
  EXPECT_EQ(ga.at("category").as_string(), "P2");
  EXPECT_TRUE(ga.at("rows").as_array().empty());
}

}  // namespace
}  // namespace boxoffice::http
