// The booking flow over a real SQLite store, a fake clock and a FakeGateway
// whose answers the test releases: checkout, webhooks, settlement after
// expiry, refunds, reconciliation, the hold trail, tickets and recovery.
// After every scenario: every charge ended as a booking or a refund, no seat
// is sold twice (the auditor and the store's own check), and nothing is left
// half-settled.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <set>

#include "service/service_test_fixture.h"
#include "testing/fake_gateway.h"
#include "testing/manual_store.h"

namespace boxoffice::service {
namespace {

using core::Outcome;
using store::HoldTrailKind;
using store::PaymentState;

class RecordingSink final : public HoldEventSink {
 public:
  void Publish(const HoldEvent& e) override {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(e);
  }
  std::vector<HoldEvent> events() const {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<HoldEvent> events_;
};

constexpr core::DurationMs kExtensionMs = 300'000;
constexpr core::DurationMs kReconcileAfterMs = 60'000;

class BookingPaymentsTest : public ServiceTest {
 protected:
  BookingPaymentsTest() : gateway_([this] { return clock_.now_ms(); }) {}
  ~BookingPaymentsTest() override { Close(); }  // the service uses gateway_ and sink_
  void SetUp() override {
    ServiceTest::SetUp();
    show_ = MakeShow(*svc_);
  }
  void Wire(BookingService& svc) override {
    svc.SetHoldEventSink(&sink_);
    svc.SetPayments(PaymentsSetup{&gateway_, "whsec", "EUR", kExtensionMs, kReconcileAfterMs});
  }

  HoldView Hold(const std::string& user, std::vector<std::string> seats) {
    Reply<HoldView> h = svc_->CreateHold(user, show_, SeatsWanted{std::move(seats)});
    EXPECT_TRUE(h.ok()) << core::OutcomeName(h.outcome) << " " << h.status.message();
    return h.value;
  }

  // Runs the gateway's answers and whatever they set off until all is quiet.
  void Settle() {
    do {
      store_->Flush();
    } while (gateway_.RunPending() > 0);
    store_->Flush();
  }

  Reply<CheckoutView> Checkout(const HoldView& h) {
    auto p = std::make_shared<std::promise<Reply<CheckoutView>>>();
    auto f = p->get_future();
    svc_->Checkout(h.show, h.hold, h.token, [p](Reply<CheckoutView> r) { p->set_value(r); });
    Settle();
    EXPECT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    return f.get();
  }

  StatusOr<WebhookOutcome> Deliver(const payments::WebhookEvent& e) {
    auto p = std::make_shared<std::promise<StatusOr<WebhookOutcome>>>();
    auto f = p->get_future();
    svc_->ApplyWebhook(e, [p](StatusOr<WebhookOutcome> r) { p->set_value(std::move(r)); });
    Settle();
    EXPECT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    return f.get();
  }

  // A reconciliation period passes: reconciliation runs and what it set off settles.
  void ReconcileLater() {
    clock_.Advance(kReconcileAfterMs);
    svc_->ReconcilePayments();
    Settle();
  }

  void DeliverRefundEvents() {
    for (const payments::WebhookEvent& e : gateway_.TakeRefundEvents()) {
      StatusOr<WebhookOutcome> r = Deliver(e);
      EXPECT_TRUE(r.ok()) << r.status().message();
    }
  }

  std::vector<HoldTrailKind> Trail(core::HoldId hold) {
    StatusOr<std::vector<HoldTrailEntry>> t = svc_->HoldTrail(show_, hold);
    std::vector<HoldTrailKind> kinds;
    if (t.ok())
      for (const HoldTrailEntry& e : *t) kinds.push_back(e.kind);
    return kinds;
  }

  static bool Has(const std::vector<HoldTrailKind>& trail, HoldTrailKind k) {
    return std::find(trail.begin(), trail.end(), k) != trail.end();
  }

  // The invariants every scenario ends with.
  void ExpectSettledAndSound() {
    Settle();
    std::map<std::string, const BookingView*> active;
    const std::vector<BookingView> bookings = svc_->BookingsOfShow(show_);
    for (const BookingView& b : bookings) {
      if (!b.cancelled) active[b.payment_ref] = &b;
    }
    for (const payments::Payment& p : gateway_.All()) {
      if (p.status == payments::PaymentStatus::kSucceeded) {
        EXPECT_TRUE(active.count(p.id)) << p.id << " charged without a booking";
      }
      std::optional<store::PaymentRecord> ours = svc_->FindPayment(p.id);
      ASSERT_TRUE(ours.has_value()) << p.id;
      EXPECT_NE(ours->state, PaymentState::kRefunding) << p.id << " refund never made";
      if (p.status == payments::PaymentStatus::kRefunded) {
        EXPECT_EQ(ours->state, PaymentState::kRefunded) << p.id;
      }
    }
    std::set<std::string> codes;
    size_t tickets = 0;
    for (const BookingView& b : bookings) {
      tickets += b.tickets.size();
      for (const TicketView& t : b.tickets) codes.insert(t.code);
    }
    EXPECT_EQ(codes.size(), tickets) << "ticket codes repeat";
    const AuditResult audit = svc_->Audit(show_);
    EXPECT_TRUE(audit.ok) << (audit.violations.empty() ? "" : audit.violations[0]);
    const Status integrity = store_->CheckIntegrity();
    EXPECT_TRUE(integrity.ok()) << integrity.message();
  }

  testing::FakeGateway gateway_;
  RecordingSink sink_;
  core::ShowId show_ = 0;
};

TEST_F(BookingPaymentsTest, PaidCheckoutBooksOnceWithTicketsAndATrail) {
  const HoldView h = Hold("alice", {"S1-1-1", "S1-1-2"});
  const Reply<CheckoutView> c = Checkout(h);
  ASSERT_TRUE(c.ok()) << c.status.message();
  EXPECT_EQ(c.value.amount_minor, h.total_minor);
  EXPECT_EQ(c.value.currency, "EUR");
  EXPECT_FALSE(c.value.pay_url.empty());
  EXPECT_EQ(c.value.expires_at_ms, h.expires_at_ms + kExtensionMs);
  // A repeated checkout returns the same payment and does not extend again.
  const Reply<CheckoutView> again = Checkout(h);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again.value.existing);
  EXPECT_EQ(again.value.payment_id, c.value.payment_id);
  EXPECT_EQ(again.value.expires_at_ms, c.value.expires_at_ms);
  EXPECT_EQ(gateway_.All().size(), 1u);

  ASSERT_TRUE(Deliver(gateway_.Approve(c.value.payment_id)).ok());
  const std::vector<BookingView> bookings = svc_->BookingsOfShow(show_);
  ASSERT_EQ(bookings.size(), 1u);
  EXPECT_EQ(bookings[0].payment_ref, c.value.payment_id);
  ASSERT_EQ(bookings[0].tickets.size(), 2u);
  EXPECT_EQ(bookings[0].tickets[0].label, "S1-1-1");
  const std::optional<TicketView> t = svc_->FindTicket(bookings[0].tickets[1].code);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->label, "S1-1-2");
  EXPECT_FALSE(t->cancelled);
  EXPECT_FALSE(svc_->FindTicket("tk_0123").has_value());
  EXPECT_EQ(svc_->FindPayment(c.value.payment_id)->state, PaymentState::kBooked);
  EXPECT_EQ(Trail(h.hold),
            (std::vector<HoldTrailKind>{HoldTrailKind::kCreated, HoldTrailKind::kCheckoutStarted,
                                        HoldTrailKind::kExtended, HoldTrailKind::kPaid,
                                        HoldTrailKind::kConfirmed}));
  ExpectSettledAndSound();
}

TEST_F(BookingPaymentsTest, DeclineKeepsTheHoldAndARetryMakesANewPayment) {
  const HoldView h = Hold("alice", {"S1-2-1"});
  const Reply<CheckoutView> first = Checkout(h);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(Deliver(gateway_.Decline(first.value.payment_id)).ok());
  EXPECT_EQ(svc_->FindPayment(first.value.payment_id)->state, PaymentState::kFailed);
  EXPECT_EQ(svc_->GetHold(show_, h.hold).value.status, HoldStatus::kHeld);

  const Reply<CheckoutView> retry = Checkout(h);
  ASSERT_TRUE(retry.ok());
  EXPECT_NE(retry.value.payment_id, first.value.payment_id);
  EXPECT_FALSE(retry.value.existing);
  EXPECT_EQ(retry.value.expires_at_ms, first.value.expires_at_ms);  // extended only once
  ASSERT_TRUE(Deliver(gateway_.Approve(retry.value.payment_id)).ok());
  EXPECT_EQ(svc_->GetHold(show_, h.hold).value.status, HoldStatus::kConfirmed);
  EXPECT_TRUE(Has(Trail(h.hold), HoldTrailKind::kPaymentFailed));
  ExpectSettledAndSound();
}

TEST_F(BookingPaymentsTest, AbandonedCheckoutExpiresAndChargesNobody) {
  const HoldView h = Hold("alice", {"S1-3-1"});
  const Reply<CheckoutView> c = Checkout(h);
  ASSERT_TRUE(c.ok());
  clock_.Set(c.value.expires_at_ms);
  EXPECT_EQ(svc_->GetHold(show_, h.hold).value.status, HoldStatus::kExpired);
  clock_.Advance(kReconcileAfterMs);
  svc_->ReconcilePayments();  // the hold ended: the payment is withdrawn at the gateway
  Settle();
  EXPECT_EQ(svc_->FindPayment(c.value.payment_id)->state, PaymentState::kCancelled);
  EXPECT_EQ(gateway_.Find(c.value.payment_id)->status, payments::PaymentStatus::kCancelled);
  EXPECT_TRUE(Has(Trail(h.hold), HoldTrailKind::kPaymentCancelled));
  EXPECT_TRUE(svc_->BookingsOfShow(show_).empty());
  EXPECT_TRUE(Has(Trail(h.hold), HoldTrailKind::kExpired));
  ExpectSettledAndSound();
}

TEST_F(BookingPaymentsTest, PaymentAfterExpiryBooksTheSeatsWhenStillFree) {
  const HoldView h = Hold("alice", {"S2-1-1", "S2-1-2"});
  const Reply<CheckoutView> c = Checkout(h);
  ASSERT_TRUE(c.ok());
  clock_.Set(c.value.expires_at_ms + 1);
  EXPECT_EQ(svc_->GetHold(show_, h.hold).value.status, HoldStatus::kExpired);
  ASSERT_TRUE(Deliver(gateway_.Approve(c.value.payment_id)).ok());
  const std::vector<BookingView> bookings = svc_->BookingsOfShow(show_);
  ASSERT_EQ(bookings.size(), 1u);
  EXPECT_EQ(bookings[0].seats, h.seats);
  EXPECT_EQ(bookings[0].user, "alice");
  EXPECT_EQ(bookings[0].payment_ref, c.value.payment_id);
  EXPECT_NE(bookings[0].hold, h.hold);  // a new booking of the same seats
  EXPECT_TRUE(Has(Trail(h.hold), HoldTrailKind::kConfirmed));
  ExpectSettledAndSound();
}

TEST_F(BookingPaymentsTest, PaymentAfterExpiryIsRefundedWhenTheSeatsAreTaken) {
  const HoldView h = Hold("alice", {"S2-2-1", "S2-2-2"});
  const Reply<CheckoutView> c = Checkout(h);
  ASSERT_TRUE(c.ok());
  clock_.Set(c.value.expires_at_ms + 1);
  const HoldView other = Hold("bob", {"S2-2-2"});
  ASSERT_TRUE(Deliver(gateway_.Approve(c.value.payment_id)).ok());
  DeliverRefundEvents();
  const std::optional<store::PaymentRecord> p = svc_->FindPayment(c.value.payment_id);
  EXPECT_EQ(p->state, PaymentState::kRefunded);
  EXPECT_NE(p->note.find("no longer free"), std::string::npos) << p->note;
  EXPECT_FALSE(p->refund_id.empty());
  EXPECT_EQ(gateway_.Find(c.value.payment_id)->status, payments::PaymentStatus::kRefunded);
  EXPECT_TRUE(svc_->BookingsOfShow(show_).empty());
  EXPECT_EQ(svc_->GetHold(show_, other.hold).value.status, HoldStatus::kHeld);
  EXPECT_TRUE(Has(Trail(h.hold), HoldTrailKind::kRefunded));
  // The expiry is published too; one refund, to the holder.
  std::vector<HoldEvent> refunds;
  for (const HoldEvent& e : sink_.events()) {
    if (e.kind == HoldEventKind::kRefunded) refunds.push_back(e);
  }
  ASSERT_EQ(refunds.size(), 1u);
  EXPECT_EQ(refunds[0].hold, h.hold);
  EXPECT_EQ(refunds[0].user, "alice");
  ExpectSettledAndSound();
}

TEST_F(BookingPaymentsTest, LostWebhookIsSettledByReconciliation) {
  const HoldView h = Hold("alice", {"S1-4-1"});
  const Reply<CheckoutView> c = Checkout(h);
  ASSERT_TRUE(c.ok());
  (void)gateway_.Approve(c.value.payment_id);  // its webhook is lost
  svc_->ReconcilePayments();                   // too early: not yet asked
  Settle();
  EXPECT_EQ(svc_->FindPayment(c.value.payment_id)->state, PaymentState::kPending);
  clock_.Advance(kReconcileAfterMs);
  svc_->ReconcilePayments();
  Settle();
  EXPECT_EQ(svc_->FindPayment(c.value.payment_id)->state, PaymentState::kBooked);
  EXPECT_EQ(svc_->GetHold(show_, h.hold).value.status, HoldStatus::kConfirmed);
  ExpectSettledAndSound();
}

// Reconciliation asks about the open payments only: those recovered after a
// restart, not the settled ones; a pending one whose hold ended is cancelled
// at the gateway, after which it is final and nobody is asked.
TEST_F(BookingPaymentsTest, ReconciliationAsksOnlyAboutOpenPayments) {
  const HoldView lost = Hold("alice", {"S1-4-2"});
  const HoldView slow = Hold("bob", {"S1-4-3"});
  const Reply<CheckoutView> c_lost = Checkout(lost);
  const Reply<CheckoutView> c_slow = Checkout(slow);
  ASSERT_TRUE(c_lost.ok());
  ASSERT_TRUE(c_slow.ok());
  (void)gateway_.Approve(c_lost.value.payment_id);  // its webhook is lost
  Restart();
  clock_.Advance(kReconcileAfterMs);
  svc_->ReconcilePayments();
  Settle();
  EXPECT_EQ(gateway_.get_calls(), 2u);
  EXPECT_EQ(svc_->FindPayment(c_lost.value.payment_id)->state, PaymentState::kBooked);
  EXPECT_EQ(svc_->FindPayment(c_slow.value.payment_id)->state, PaymentState::kPending);

  clock_.Advance(kReconcileAfterMs);
  svc_->ReconcilePayments();  // the booked one is settled: only the slow one is asked
  Settle();
  EXPECT_EQ(gateway_.get_calls(), 3u);

  clock_.Set(c_slow.value.expires_at_ms + kReconcileAfterMs);
  svc_->ReconcilePayments();  // its hold ended: cancelled at the gateway
  Settle();
  EXPECT_EQ(gateway_.cancel_calls(), 1u);
  EXPECT_EQ(svc_->FindPayment(c_slow.value.payment_id)->state, PaymentState::kCancelled);
  clock_.Advance(kReconcileAfterMs);
  svc_->ReconcilePayments();  // final: nobody is asked any more
  Settle();
  EXPECT_EQ(gateway_.get_calls(), 3u);
  EXPECT_EQ(gateway_.cancel_calls(), 1u);
  (void)gateway_.Approve(c_slow.value.payment_id);  // too late: nobody can be charged
  EXPECT_EQ(gateway_.Find(c_slow.value.payment_id)->status, payments::PaymentStatus::kCancelled);
  ExpectSettledAndSound();
}

// A declined card tried again on the pay page is charged, and its webhook is
// lost: a failed payment is not final, so reconciliation asks about it while
// its hold is live and books the hold.
TEST_F(BookingPaymentsTest, ADeclinedPaymentChargedLaterWithItsWebhookLostIsBooked) {
  const HoldView h = Hold("alice", {"S1-4-4"});
  const Reply<CheckoutView> c = Checkout(h);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(Deliver(gateway_.Decline(c.value.payment_id)).ok());
  ASSERT_EQ(svc_->FindPayment(c.value.payment_id)->state, PaymentState::kFailed);
  (void)gateway_.Approve(c.value.payment_id);  // charged; the webhook is lost
  ReconcileLater();
  EXPECT_EQ(svc_->FindPayment(c.value.payment_id)->state, PaymentState::kBooked);
  EXPECT_EQ(svc_->GetHold(show_, h.hold).value.status, HoldStatus::kConfirmed);
  ExpectSettledAndSound();
}

// The reproduction: declined, then a second checkout while the first
// payment is charged after all with its webhook lost. One booking, and the
// other charge refunded (or never made): never two charges for one order.
TEST_F(BookingPaymentsTest, ASecondCheckoutAfterADeclineNeverLeavesTwoCharges) {
  const HoldView h = Hold("alice", {"S1-4-5"});
  const Reply<CheckoutView> first = Checkout(h);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(Deliver(gateway_.Decline(first.value.payment_id)).ok());
  (void)gateway_.Approve(first.value.payment_id);  // charged; the webhook is lost
  const Reply<CheckoutView> second = Checkout(h);
  ASSERT_TRUE(second.ok());
  ASSERT_NE(second.value.payment_id, first.value.payment_id);
  const payments::WebhookEvent paid = gateway_.Approve(second.value.payment_id);
  (void)Deliver(paid);
  DeliverRefundEvents();
  ReconcileLater();
  DeliverRefundEvents();
  ReconcileLater();
  DeliverRefundEvents();
  size_t charged = 0;
  for (const payments::Payment& p : gateway_.All()) {
    if (p.status == payments::PaymentStatus::kSucceeded) ++charged;
  }
  EXPECT_EQ(charged, 1u);
  EXPECT_EQ(svc_->BookingsOfShow(show_).size(), 1u);
  for (const std::string& id : {first.value.payment_id, second.value.payment_id}) {
    const PaymentState s = svc_->FindPayment(id)->state;
    EXPECT_TRUE(s == PaymentState::kBooked || s == PaymentState::kRefunded ||
                s == PaymentState::kCancelled)
        << id << " ended " << static_cast<int>(s);
  }
  ExpectSettledAndSound();
}

// A second paid payment for a booked general-admission order, settled after
// the hold's tombstone is forgotten (here: the first payment, declined, then
// charged with its webhook lost, found out by reconciliation two hours on):
// it is matched to the order's booking by the payment records and refunded,
// never booked again with whatever places are free.
TEST_F(BookingPaymentsTest, ASecondChargeForABookedGeneralAdmissionOrderIsRefunded) {
  Reply<HoldView> held = svc_->CreateHold("alice", show_, PlacesWanted{"GA", 2});
  ASSERT_TRUE(held.ok());
  const HoldView h = held.value;
  const Reply<CheckoutView> first = Checkout(h);
  ASSERT_TRUE(Deliver(gateway_.Decline(first.value.payment_id)).ok());
  const payments::WebhookEvent late = gateway_.Approve(first.value.payment_id);  // lost
  const Reply<CheckoutView> second = Checkout(h);
  ASSERT_TRUE(Deliver(gateway_.Approve(second.value.payment_id)).ok());
  ASSERT_EQ(svc_->BookingsOfShow(show_).size(), 1u);
  clock_.Advance(2 * kClosedHoldMemoryMs);  // the tombstone is forgotten, then reconciliation
  svc_->Sweep();
  Settle();
  DeliverRefundEvents();
  ASSERT_TRUE(Deliver(late).ok());  // and the lost webhook turns up after all
  EXPECT_EQ(svc_->BookingsOfShow(show_).size(), 1u);
  EXPECT_EQ(svc_->FindPayment(first.value.payment_id)->state, PaymentState::kRefunded);
  EXPECT_NE(svc_->FindPayment(first.value.payment_id)->note.find("already booked"),
            std::string::npos);
  ExpectSettledAndSound();
}

TEST_F(BookingPaymentsTest, DuplicateAndReorderedWebhooksChangeNothing) {
  const HoldView h = Hold("alice", {"S1-1-5"});
  const Reply<CheckoutView> c = Checkout(h);
  ASSERT_TRUE(c.ok());
  const payments::WebhookEvent paid = gateway_.Approve(c.value.payment_id);
  payments::WebhookEvent late_decline = paid;  // an older "failed" arriving late
  late_decline.id = "evt_late";
  late_decline.type = payments::WebhookType::kPaymentFailed;
  EXPECT_EQ(*Deliver(paid), WebhookOutcome::kApplied);
  EXPECT_EQ(*Deliver(paid), WebhookOutcome::kDuplicate);
  EXPECT_EQ(*Deliver(late_decline), WebhookOutcome::kApplied);
  payments::WebhookEvent same_news = paid;
  same_news.id = "evt_again";
  EXPECT_EQ(*Deliver(same_news), WebhookOutcome::kApplied);
  EXPECT_EQ(svc_->BookingsOfShow(show_).size(), 1u);
  EXPECT_EQ(svc_->FindPayment(c.value.payment_id)->state, PaymentState::kBooked);
  EXPECT_FALSE(Has(Trail(h.hold), HoldTrailKind::kPaymentFailed));
  ExpectSettledAndSound();
}

TEST_F(BookingPaymentsTest, CancellingAPaidBookingRefundsIt) {
  const HoldView h = Hold("alice", {"S1-2-5", "S1-2-6"});
  const Reply<CheckoutView> c = Checkout(h);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(Deliver(gateway_.Approve(c.value.payment_id)).ok());
  const BookingView b = svc_->BookingsOfShow(show_).at(0);
  const Reply<BookingView> cancelled =
      Wait<Reply<BookingView>>([&](auto done) { svc_->CancelBooking(show_, b.booking, done); });
  ASSERT_TRUE(cancelled.ok());
  Settle();
  EXPECT_EQ(gateway_.Find(c.value.payment_id)->status, payments::PaymentStatus::kRefunded);
  EXPECT_EQ(svc_->FindPayment(c.value.payment_id)->state, PaymentState::kRefunded);
  DeliverRefundEvents();  // the refund's webhook is old news now
  EXPECT_TRUE(svc_->FindTicket(b.tickets[0].code)->cancelled);
  EXPECT_EQ(gateway_.refunds(), 1u);
  ExpectSettledAndSound();
}

TEST_F(BookingPaymentsTest, BoxOfficeConfirmationGetsTicketsAndALatePaymentIsRefunded) {
  const HoldView h = Hold("alice", {"S2-3-1"});
  const Reply<CheckoutView> c = Checkout(h);
  ASSERT_TRUE(c.ok());
  const Reply<BookingView> sold = Wait<Reply<BookingView>>(
      [&](auto done) { svc_->ConfirmHold(show_, h.hold, "cash-1", done); });
  ASSERT_TRUE(sold.ok());
  ASSERT_EQ(sold.value.tickets.size(), 1u);
  ASSERT_TRUE(Deliver(gateway_.Approve(c.value.payment_id)).ok());
  EXPECT_EQ(svc_->FindPayment(c.value.payment_id)->state, PaymentState::kRefunded);
  EXPECT_EQ(svc_->BookingsOfShow(show_).size(), 1u);
  ExpectSettledAndSound();
}

TEST_F(BookingPaymentsTest, RestartKeepsPaymentsTicketsTrailAndWebhookIds) {
  const HoldView h = Hold("alice", {"S1-3-5", "S1-3-6"});
  const Reply<CheckoutView> c = Checkout(h);
  ASSERT_TRUE(c.ok());
  Restart();  // between checkout and payment
  EXPECT_EQ(svc_->FindPayment(c.value.payment_id)->state, PaymentState::kPending);
  const Reply<CheckoutView> again = Checkout(h);  // still the same payment, not extended again
  EXPECT_EQ(again.value.payment_id, c.value.payment_id);
  EXPECT_EQ(again.value.expires_at_ms, c.value.expires_at_ms);
  const payments::WebhookEvent paid = gateway_.Approve(c.value.payment_id);
  ASSERT_TRUE(Deliver(paid).ok());
  const BookingView before = svc_->BookingsOfShow(show_).at(0);
  const std::vector<HoldTrailKind> trail = Trail(h.hold);

  Restart();

  EXPECT_EQ(*Deliver(paid), WebhookOutcome::kDuplicate);  // a replay after the restart
  const BookingView after = svc_->BookingsOfShow(show_).at(0);
  ASSERT_EQ(after.tickets.size(), 2u);
  EXPECT_EQ(after.tickets[0].code, before.tickets[0].code);
  EXPECT_EQ(after.tickets[1].code, before.tickets[1].code);
  EXPECT_EQ(svc_->FindTicket(before.tickets[1].code)->label, "S1-3-6");
  EXPECT_EQ(Trail(h.hold), trail);
  EXPECT_EQ(svc_->FindPayment(c.value.payment_id)->state, PaymentState::kBooked);
  ExpectSettledAndSound();
}

// Tickets and trail entries read back must name a booking or a hold the
// show has. A store saying otherwise (damaged, or written by a bug) fails
// the recovery with kCorruption, instead of indexing past the show's
// bookings or growing the trail out to a forged sequence.
TEST_F(BookingPaymentsTest, RecoveryRefusesTicketsAndTrailsOfWhatTheShowNeverHad) {
  const HoldView h = Hold("alice", {"S1-2-1"});
  ASSERT_TRUE(Confirm(show_, h.hold).ok());  // booking 1, with its ticket and trail
  const std::vector<store::Record> damaged = {
      store::TicketRecord{"tk-zero", show_, 0, 0, 0, 1},
      store::TicketRecord{"tk-far", show_, core::BookingId{1} << 40, 0, 0, 1},
      store::HoldTrailRecord{show_, core::HoldId{4'000'000'000} << 32, HoldTrailKind::kCreated, 1,
                             ""},
      store::HoldTrailRecord{show_, h.hold ^ 1, HoldTrailKind::kCreated, 1, ""},  // another slot
  };
  Close();  // checkpoints everything into the file
  const std::string db = dir_ + "/boxoffice.db";
  const std::string pristine = dir_ + "/pristine.db";
  std::filesystem::copy_file(db, pristine);
  for (const store::Record& record : damaged) {
    std::filesystem::copy_file(pristine, db, std::filesystem::copy_options::overwrite_existing);
    const Status recovered = RecoverWith(record);
    EXPECT_EQ(recovered.code(), StatusCode::kCorruption) << recovered.message();
  }
  std::filesystem::copy_file(pristine, db, std::filesystem::copy_options::overwrite_existing);
  Open();
  EXPECT_EQ(svc_->BookingsOfShow(show_).size(), 1u);
}

TEST_F(BookingPaymentsTest, CheckoutRefusesWrongTokensAndAnswersGatewayFailures) {
  HoldView h = Hold("alice", {"S2-4-1"});
  HoldView forged = h;
  forged.token.bytes[0] ^= 1;
  EXPECT_EQ(Checkout(forged).outcome, Outcome::kWrongToken);
  gateway_.SetUnavailable(true);
  EXPECT_EQ(Checkout(h).status.code(), StatusCode::kUnavailable);
  gateway_.SetUnavailable(false);
  EXPECT_TRUE(Checkout(h).ok());
  svc_->SetPayments({});
  EXPECT_EQ(Checkout(h).status.code(), StatusCode::kUnavailable);
  ExpectSettledAndSound();
}

}  // namespace
}  // namespace boxoffice::service

namespace boxoffice::service {
namespace {

// The payment flow over a store whose batches become durable when the test says.
class PaymentsDurabilityTest : public ManualStoreTest {
 protected:
  PaymentsDurabilityTest() : gateway_([this] { return clock_.now_ms(); }) {}
  void Wire(BookingService& svc) override {
    svc.SetPayments(PaymentsSetup{&gateway_, "whsec", "EUR", kExtensionMs, kReconcileAfterMs});
  }
  void SetUp() override {
    ManualStoreTest::SetUp();
    show_ = MakeShow();
  }

  // A hold of alice's with its checkout durable.
  Reply<CheckoutView> CheckedOut() {
    const Reply<HoldView> h = svc_.CreateHold("alice", show_, BestWanted{1});
    store_.CompleteAll(Status::Ok());
    Reply<CheckoutView> c;
    svc_.Checkout(show_, h.value.hold, h.value.token, [&c](Reply<CheckoutView> r) { c = r; });
    gateway_.RunPending();
    store_.CompleteAll(Status::Ok());
    return c;
  }

  testing::FakeGateway gateway_;
  core::ShowId show_ = 0;
};

// Found by the simulator: two checkouts of one hold at once. The second
// found the payment the first was still recording and answered its pay_url
// at once; the record's batch then failed, and the fan paid a payment the
// server never knew of (a charge for nothing). No pay_url is shown before
// its payment is durable.
TEST_F(PaymentsDurabilityTest, NoPayUrlIsShownBeforeItsPaymentIsDurable) {
  const Reply<HoldView> h = svc_.CreateHold("alice", show_, BestWanted{1});
  ASSERT_TRUE(h.ok());
  store_.CompleteAll(Status::Ok());
  std::vector<Reply<CheckoutView>> answers;
  for (int i = 0; i < 2; ++i) {
    svc_.Checkout(show_, h.value.hold, h.value.token,
                  [&answers](Reply<CheckoutView> r) { answers.push_back(std::move(r)); });
  }
  gateway_.RunPending();  // both get the payment of the hold's first attempt
  for (const Reply<CheckoutView>& r : answers) {
    EXPECT_FALSE(r.ok()) << "answered " << r.value.pay_url << " before it was durable";
  }
  store_.CompleteAll(Status::Ok());
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_TRUE(answers[0].ok() || answers[1].ok());
  // Once durable, a checkout gets it at once.
  Reply<CheckoutView> again;
  svc_.Checkout(show_, h.value.hold, h.value.token,
                [&again](Reply<CheckoutView> r) { again = std::move(r); });
  EXPECT_TRUE(again.ok()) << again.status.message();
  EXPECT_TRUE(again.value.existing);
}

}  // namespace
}  // namespace boxoffice::service

namespace boxoffice::service {
namespace {

// Found by the simulator: a webhook with nothing to settle (old news) that
// became durable while a real settlement of the same payment was on its way
// cleared that settlement's mark, so a second settlement ran beside it: the
// payment booked the seats and was refunded as "already booked" too.
TEST_F(PaymentsDurabilityTest, OldNewsDoesNotLetASecondSettlementRunBesideTheFirst) {
  const Reply<CheckoutView> c = CheckedOut();
  ASSERT_TRUE(c.ok()) << c.status.message();
  std::vector<StatusOr<WebhookOutcome>> outcomes;
  const auto deliver = [&](const payments::WebhookEvent& e) {
    svc_.ApplyWebhook(e, [&outcomes](StatusOr<WebhookOutcome> r) { outcomes.push_back(r); });
  };
  const payments::WebhookEvent declined = gateway_.Decline(c.value.payment_id);
  deliver(declined);
  store_.CompleteAll(Status::Ok());
  payments::WebhookEvent old_news = declined;  // the decline again, under another id
  old_news.id = "evt_old_news";
  deliver(old_news);  // nothing to do: its batch waits
  const payments::WebhookEvent paid = gateway_.Approve(c.value.payment_id);
  deliver(paid);                     // books: its batch waits behind
  store_.Complete(1, Status::Ok());  // the old news is durable
  payments::WebhookEvent paid_again = paid;
  paid_again.id = "evt_paid_again";
  deliver(paid_again);             // the booking is on its way: this one must wait its turn
  ASSERT_EQ(outcomes.size(), 3u);  // the decline, the old news, and this one at once: busy
  EXPECT_EQ(outcomes.back().status().code(), StatusCode::kUnavailable);
  store_.CompleteAll(Status::Ok());
  EXPECT_EQ(svc_.FindPayment(c.value.payment_id)->state, store::PaymentState::kBooked);
  EXPECT_EQ(svc_.BookingsOfShow(show_).size(), 1u);
}

}  // namespace
}  // namespace boxoffice::service

namespace boxoffice::service {
namespace {

// Found by the simulator: an organiser's cancellation marks the payment
// "refunding" at once, but is durable only later. Reconciliation ran in
// between and had the gateway refund it; a crash then lost the unacknowledged
// cancellation, and the booking stood on a refunded payment (tickets for
// nothing). Nothing about a payment goes to the gateway before the change
// that asks for it is durable.
TEST_F(PaymentsDurabilityTest, NoRefundIsAskedForBeforeTheCancellationIsDurable) {
  const Reply<CheckoutView> c = CheckedOut();
  ASSERT_TRUE(c.ok()) << c.status.message();
  svc_.ApplyWebhook(gateway_.Approve(c.value.payment_id), [](StatusOr<WebhookOutcome>) {});
  store_.CompleteAll(Status::Ok());
  ASSERT_EQ(svc_.BookingsOfShow(show_).size(), 1u);
  const core::BookingId booking = svc_.BookingsOfShow(show_)[0].booking;
  std::optional<Reply<BookingView>> cancelled;
  svc_.CancelBooking(show_, booking, [&cancelled](Reply<BookingView> r) { cancelled = r; });
  EXPECT_FALSE(cancelled.has_value());  // not durable yet
  clock_.Advance(kReconcileAfterMs * 2);
  svc_.ReconcilePayments();
  gateway_.RunPending();
  EXPECT_EQ(gateway_.refunds(), 0u) << "refunded before the cancellation was durable";
  store_.CompleteAll(Status::Ok());
  gateway_.RunPending();
  ASSERT_TRUE(cancelled.has_value() && cancelled->ok());
  EXPECT_EQ(gateway_.refunds(), 1u);
}

}  // namespace
}  // namespace boxoffice::service
