// ShowStates through the booking service: a ticket is let in once and a
// second scan names the first time, also after a restart; cancelled and
// other shows' tickets are refused; sales states are durable and a closed
// show stays closed.
#include "service/show_states.h"

#include "service/service_test_fixture.h"

namespace boxoffice::service {
namespace {

class ShowStatesTest : public ServiceTest {
 protected:
  // A booking of one seat; its ticket.
  TicketView BookOneSeat(core::ShowId show, const std::string& seat) {
    Reply<HoldView> h = svc_->CreateHold("alice", show, SeatsWanted{{seat}});
    EXPECT_TRUE(h.ok()) << h.status.message();
    Reply<BookingView> b = Confirm(show, h.value.hold);
    EXPECT_TRUE(b.ok()) << b.status.message();
    EXPECT_EQ(b.value.tickets.size(), 1u);
    return b.value.tickets.at(0);
  }
  CheckinReply CheckIn(const TicketView& t, core::ShowId expected = 0) {
    const std::optional<TicketView> now = svc_->FindTicket(t.code);
    EXPECT_TRUE(now.has_value());
    const TicketAtDoor door{now->code, now->show, now->cancelled};
    return Wait<CheckinReply>(
        [&](auto done) { svc_->show_states().CheckIn(door, expected, done); });
  }
  StatusOr<SalesView> SetSales(core::ShowId show, store::SalesState s) {
    return Wait<StatusOr<SalesView>>(
        [&](auto done) { svc_->show_states().SetSales(show, s, done); });
  }
};

TEST_F(ShowStatesTest, ATicketIsLetInOnceAndASecondScanSaysWhenEvenAfterARestart) {
  const core::ShowId show = MakeShow(*svc_);
  const TicketView t = BookOneSeat(show, "S1-1-1");
  const CheckinReply first = CheckIn(t);
  ASSERT_TRUE(first.status.ok()) << first.status.message();
  EXPECT_EQ(first.result, CheckinResult::kCheckedIn);
  const core::TimeMs at = first.at_ms;
  clock_.Advance(5'000);
  const CheckinReply second = CheckIn(t);
  EXPECT_EQ(second.result, CheckinResult::kAlreadyCheckedIn);
  EXPECT_EQ(second.at_ms, at);
  Restart();
  const CheckinReply third = CheckIn(t, show);
  EXPECT_EQ(third.result, CheckinResult::kAlreadyCheckedIn);
  EXPECT_EQ(third.at_ms, at);
  EXPECT_EQ(svc_->show_states().CheckedInAt(t.code), at);
}

TEST_F(ShowStatesTest, CancelledAndOtherShowsTicketsAreNotLetIn) {
  const core::ShowId show = MakeShow(*svc_);
  const core::ShowId other = MakeShow(*svc_);
  const TicketView t = BookOneSeat(show, "S1-1-1");
  EXPECT_EQ(CheckIn(t, other).result, CheckinResult::kWrongShow);
  auto cancelled =
      Wait<Reply<BookingView>>([&](auto done) { svc_->CancelBooking(show, t.booking, done); });
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(CheckIn(t, show).result, CheckinResult::kCancelled);
  EXPECT_FALSE(svc_->show_states().CheckedInAt(t.code).has_value());
}

TEST_F(ShowStatesTest, SalesStatesAreDurableAndAClosedShowStaysClosed) {
  const core::ShowId show = MakeShow(*svc_);
  EXPECT_EQ(svc_->show_states().Sales(show).state, store::SalesState::kOpen);
  StatusOr<SalesView> paused = SetSales(show, store::SalesState::kPaused);
  ASSERT_TRUE(paused.ok()) << paused.status().message();
  EXPECT_EQ(paused->state, store::SalesState::kPaused);
  Restart();
  EXPECT_EQ(svc_->show_states().Sales(show).state, store::SalesState::kPaused);
  ASSERT_TRUE(SetSales(show, store::SalesState::kClosed).ok());
  EXPECT_EQ(SetSales(show, store::SalesState::kOpen).status().code(),
            StatusCode::kFailedPrecondition);
  Restart();
  EXPECT_EQ(svc_->show_states().Sales(show).state, store::SalesState::kClosed);
}

TEST(SalesStateNames, RoundTrip) {
  for (store::SalesState s :
       {store::SalesState::kOpen, store::SalesState::kPaused, store::SalesState::kClosed}) {
    EXPECT_EQ(ParseSalesState(SalesStateName(s)), s);
  }
  EXPECT_FALSE(ParseSalesState("shut").has_value());
}

}  // namespace
}  // namespace boxoffice::service
