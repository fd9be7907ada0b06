// MakeSalesReport: places by (section, category) add up to the map, revenue
// follows the category prices, cancelled bookings count apart, and bookings
// fall into the minute they were made.
#include "service/sales_report.h"

#include "service/service_test_fixture.h"

namespace boxoffice::service {
namespace {

class SalesReportTest : public ServiceTest {
 protected:
  BookingView Book(core::ShowId show, const HoldWanted& wanted) {
    Reply<HoldView> h = svc_->CreateHold("alice", show, wanted);
    EXPECT_TRUE(h.ok()) << h.status.message();
    Reply<BookingView> b = Confirm(show, h.value.hold);
    EXPECT_TRUE(b.ok()) << b.status.message();
    return b.value;
  }
  const SalesReportLine* Line(const SalesReport& r, std::string_view section,
                              std::string_view category) {
    for (const SalesReportLine& l : r.lines) {
      if (l.section == section && l.category == category) return &l;
    }
    return nullptr;
  }
};

TEST_F(SalesReportTest, CountsRevenueAndMinutes) {
  const core::ShowId show = MakeShow(*svc_);  // 2 sections x 4 rows x 10, GA 20; P1 50.00, P2 25.00
  Book(show, SeatsWanted{{"S1-1-1", "S1-1-2"}});  // P1
  clock_.Advance(60'000);
  Book(show, SeatsWanted{{"S1-4-1"}});  // P2
  Book(show, PlacesWanted{"GA", 3});    // P2
  const BookingView cancelled = Book(show, SeatsWanted{{"S2-1-1"}});
  ASSERT_TRUE(Wait<Reply<BookingView>>([&](auto done) {
                svc_->CancelBooking(show, cancelled.booking, done);
              }).ok());
  ASSERT_TRUE(svc_->CreateHold("bob", show, SeatsWanted{{"S2-4-5"}}).ok());

  const SalesReport r = MakeSalesReport(*svc_->FindShow(show), *svc_->GetAvailability(show),
                                        svc_->BookingsOfShow(show));
  EXPECT_EQ(r.currency, "EUR");
  ASSERT_EQ(r.lines.size(), 5u);  // S1 P1, S1 P2, S2 P1, S2 P2, GA P2
  uint32_t capacity = 0;
  for (const SalesReportLine& l : r.lines) capacity += l.capacity;
  EXPECT_EQ(capacity, 2u * 4 * 10 + 20);
  const SalesReportLine* s1p1 = Line(r, "S1", "P1");
  ASSERT_NE(s1p1, nullptr);
  EXPECT_EQ(s1p1->capacity, 20u);
  EXPECT_EQ(s1p1->counts[static_cast<size_t>(core::SeatState::kBooked)], 2u);
  EXPECT_EQ(s1p1->revenue_minor, 10'000);
  const SalesReportLine* ga = Line(r, "GA", "P2");
  ASSERT_NE(ga, nullptr);
  EXPECT_TRUE(ga->general_admission);
  EXPECT_EQ(ga->counts[static_cast<size_t>(core::SeatState::kBooked)], 3u);
  EXPECT_EQ(ga->revenue_minor, 7'500);
  const SalesReportLine* s2p2 = Line(r, "S2", "P2");
  ASSERT_NE(s2p2, nullptr);
  EXPECT_EQ(s2p2->counts[static_cast<size_t>(core::SeatState::kHeld)], 1u);
  EXPECT_EQ(s2p2->revenue_minor, 0);
  EXPECT_EQ(r.bookings, 3u);
  EXPECT_EQ(r.cancelled, 1u);
  EXPECT_EQ(r.places_booked, 6u);
  EXPECT_EQ(r.revenue_minor, 10'000 + 2'500 + 7'500);
  ASSERT_EQ(r.minutes.size(), 2u);
  EXPECT_EQ(r.minutes[0].bookings, 1u);
  EXPECT_EQ(r.minutes[0].revenue_minor, 10'000);
  EXPECT_EQ(r.minutes[1].bookings, 2u);
  EXPECT_EQ(r.minutes[1].places, 4u);
  EXPECT_EQ(r.minutes[1].minute_ms - r.minutes[0].minute_ms, 60'000);
  EXPECT_EQ(r.minutes[0].minute_ms % 60'000, 0);
}

}  // namespace
}  // namespace boxoffice::service
