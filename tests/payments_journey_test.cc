// The fan's whole journey over real HTTP: pick, hold, pay, booked (or
// released, or refunded), with the payment gateway as a separate process
// (`boxoffice gateway`) and the server talking to it only over HTTP
// (gateway_mode = external), its webhooks signed and retried.
//
// After every scenario: no fan is charged without a booking or a refund
// (every payment the gateway took is a booking, or was refunded), no seat is
// sold twice, and the server's own auditor passes.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "api_client.h"
#include "payments/webhook.h"
#include "server_process.h"

namespace boxoffice::itest {
namespace {

const std::string kSecret = "whsec-journey-0123456789abcdef0123456789abcdef";
const std::string kApiKey = "gwkey-journey-0123456789abcdef0123456789abcdef";
constexpr std::chrono::seconds kSettleTimeout{20};

// A port nobody listens on right now, for the gateway (the server must know
// its address before the gateway knows the server's).
uint16_t FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    if (fd >= 0) close(fd);
    return 0;
  }
  close(fd);
  return ntohs(a.sin_port);
}

bool WaitFor(const std::function<bool()>& done,
             std::chrono::milliseconds timeout = kSettleTimeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

struct Knobs {
  int webhook_loss_percent = 0;
  int webhook_duplicate_percent = 0;
  int webhook_reorder_ms = 0;
  // Reconciliation withdraws a payment still pending after its hold ended;
  // a test where the fan pays late keeps it away with a longer delay.
  int reconcile_after_s = 1;
};

struct Held {
  std::string id, token, user;
};

class PaymentsJourney : public ::testing::Test {
 protected:
  // Starts the server (external gateway, short holds) and then the gateway.
  void Start(Knobs knobs = {}) {
    const uint16_t gw_port = FreePort();
    ASSERT_NE(gw_port, 0);
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--gateway-mode", "external", "--gateway-url",
        "http://127.0.0.1:" + std::to_string(gw_port), "--gateway-webhook-secret", kSecret,
        "--gateway-api-key", kApiKey, "--payment-reconcile-after-s",
        std::to_string(knobs.reconcile_after_s), "--checkout-extension-s", "2"});
    ASSERT_TRUE(server_->Start().ok()) << server_->Log();
    gateway_ = std::make_unique<ServerProcess>(
        std::vector<std::string>{
            "--port", std::to_string(gw_port), "--webhook-url",
            "http://127.0.0.1:" + std::to_string(server_->port()) + "/v1/payments/webhook",
            "--webhook-secret", kSecret, "--api-key", kApiKey, "--seed", "11",
            "--webhook-loss-percent", std::to_string(knobs.webhook_loss_percent),
            "--webhook-duplicate-percent", std::to_string(knobs.webhook_duplicate_percent),
            "--webhook-reorder-ms", std::to_string(knobs.webhook_reorder_ms)},
        "gateway");
    ASSERT_TRUE(gateway_->Start().ok()) << gateway_->Log();
    api_ = std::make_unique<Api>(server_->port());
    gw_ = std::make_unique<Api>(gateway_->port());
    admin_ = AdminAuth(*server_);
    const std::string venue = CreateVenue(*api_, admin_, GridJson("Journey Hall", 2, 10));
    show_ =
        CreateShow(*api_, admin_, ShowJson(venue, "Journey", GridPrices(), ",\"hold_ttl_s\":2"));
    ASSERT_FALSE(show_.empty());
  }

  void TearDown() override {
    if (server_ != nullptr && server_->running()) {
      CheckNobodyPaysForNothing();
      EXPECT_TRUE(server_->Stop().ok()) << server_->Log();
    }
    if (gateway_ != nullptr && gateway_->running()) {
      EXPECT_TRUE(gateway_->Stop().ok()) << gateway_->Log();
    }
  }

  Held Hold(const std::string& user, std::vector<std::string> seats) {
    std::string body = "{\"seats\":[";
    for (size_t i = 0; i < seats.size(); ++i) body += (i ? ",\"" : "\"") + seats[i] + "\"";
    body += "]}";
    const Reply r = api_->Post("/v1/shows/" + show_ + "/holds", body, FanAuth(*server_, user));
    EXPECT_EQ(r.status, 201u) << r.Describe();
    return {r.Str("id"), r.Str("token"), user};
  }

  Reply Checkout(const Held& h) {
    const Reply r = api_->Post("/v1/holds/" + h.id + "/checkout", "",
                               With(FanAuth(*server_, h.user), HoldToken(h.token)));
    if (r.status == 201 || r.status == 200) payments_[r.Str("payment_id")] = h.user;
    return r;
  }

  std::string CheckoutOk(const Held& h) {
    const Reply r = Checkout(h);
    EXPECT_EQ(r.status, 201u) << r.Describe();
    EXPECT_NE(r.Str("pay_url").find("/gateway/pay/"), std::string::npos);
    return r.Str("payment_id");
  }

  // A checkout after a decline: while the decline (or reconciliation's
  // question about it) is being settled, checkout says 503 and the fan
  // tries again shortly.
  std::string CheckoutAgainOk(const Held& h) {
    Reply retry;
    EXPECT_TRUE(WaitFor([&] { return (retry = Checkout(h)).status != 503u; }));
    EXPECT_EQ(retry.status, 201u) << retry.Describe();
    return retry.Str("payment_id");
  }

  // The fan's click on the gateway's pay page.
  void FanAnswers(const std::string& payment, const std::string& what) {
    const Reply r = gw_->Post("/gateway/v1/payments/" + payment + "/" + what, "");
    EXPECT_EQ(r.status, 200u) << r.Describe();
  }

  std::string GatewayStatus(const std::string& payment) {
    const Reply r =
        gw_->Get("/gateway/v1/payments/" + payment, {{"Authorization", "Bearer " + kApiKey}});
    EXPECT_EQ(r.status, 200u) << r.Describe();
    return r.Str("status");
  }

  boost::json::array Bookings() {
    const Reply r = api_->Get("/v1/bookings?show=" + show_, admin_);
    EXPECT_EQ(r.status, 200u) << r.Describe();
    return r.ok() && r.Has("bookings") ? r.Arr("bookings") : boost::json::array{};
  }

  // The booking paid by `payment`, if any.
  std::optional<boost::json::object> BookingPaidBy(const std::string& payment) {
    for (const boost::json::value& b : Bookings()) {
      if (JsonStr(b, "payment_ref") == payment) return b.as_object();
    }
    return std::nullopt;
  }

  std::string HoldStatus(const Held& h) {
    const Reply r = api_->Get("/v1/holds/" + h.id, FanAuth(*server_, h.user));
    return r.status == 200 ? r.Str("status") : std::to_string(r.status);
  }

  std::vector<std::string> TrailKinds(const Held& h) {
    const Reply r = api_->Get("/v1/holds/" + h.id + "/events", admin_);
    EXPECT_EQ(r.status, 200u) << r.Describe();
    std::vector<std::string> kinds;
    if (r.ok() && r.Has("events")) {
      for (const boost::json::value& e : r.Arr("events")) kinds.push_back(JsonStr(e, "kind"));
    }
    return kinds;
  }

  // Every payment the gateway took is a booking or was refunded; every
  // active booking's seats are its own; the server's auditor agrees.
  void CheckNobodyPaysForNothing() {
    const boost::json::array bookings = Bookings();
    std::map<std::string, std::string> status_by_ref;
    std::set<std::string> seats;
    for (const boost::json::value& b : bookings) {
      status_by_ref[JsonStr(b, "payment_ref")] = JsonStr(b, "status");
      if (JsonStr(b, "status") != "confirmed") continue;
      for (const std::string& s : JsonStrings(b, "seats")) {
        EXPECT_TRUE(seats.insert(s).second) << "seat " << s << " sold twice";
      }
    }
    for (const auto& [payment, user] : payments_) {
      const std::string st = GatewayStatus(payment);
      const auto it = status_by_ref.find(payment);
      if (st == "succeeded") {
        EXPECT_TRUE(it != status_by_ref.end() && it->second == "confirmed")
            << "payment " << payment << " of " << user << " charged without a booking";
      } else {
        EXPECT_TRUE(it == status_by_ref.end() || it->second == "cancelled")
            << "payment " << payment << " is " << st << " but booked";
      }
    }
    const Reply audit = api_->Get("/v1/shows/" + show_ + "/audit", admin_);
    EXPECT_EQ(audit.status, 200u) << audit.Describe();
    EXPECT_TRUE(audit.Bool("ok")) << audit.Describe();
  }

  // POST a webhook body signed at `at_s` with `secret`.
  Reply SendWebhook(const std::string& body, int64_t at_s, const std::string& secret = kSecret) {
    return api_->Post(
        "/v1/payments/webhook", body,
        {{std::string(payments::kSignatureHeader), payments::SignWebhook(secret, body, at_s)}});
  }

  std::unique_ptr<ServerProcess> server_, gateway_;
  std::unique_ptr<Api> api_, gw_;
  HeaderList admin_;
  std::string show_;
  std::map<std::string, std::string> payments_;  // payment id -> fan
};

int64_t NowS() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST_F(PaymentsJourney, APaidHoldBecomesABookingWithTicketsOnce) {
  Start();
  const Held h = Hold("alice", {GridSeat(1, 1), GridSeat(1, 2)});
  const std::string payment = CheckoutOk(h);
  EXPECT_EQ(Checkout(h).Str("payment_id"), payment) << "a second checkout is the same payment";
  EXPECT_EQ(GatewayStatus(payment), "pending");
  FanAnswers(payment, "approve");
  ASSERT_TRUE(WaitFor([&] { return BookingPaidBy(payment).has_value(); })) << server_->Log();
  const boost::json::object b = *BookingPaidBy(payment);
  EXPECT_EQ(JsonInt(b, "total_minor"), 2 * 2500);
  const boost::json::array& tickets = b.at("tickets").as_array();
  ASSERT_EQ(tickets.size(), 2u);
  for (const boost::json::value& t : tickets) {
    const Reply r = api_->Get("/v1/tickets/" + JsonStr(t, "code"), admin_);
    EXPECT_EQ(r.status, 200u) << r.Describe();
    EXPECT_EQ(r.Str("status"), "valid");
  }
  EXPECT_EQ(api_->Get("/v1/tickets/tk_00000000000000000000000000000000", admin_).status, 404u);
  const std::vector<std::string> trail = TrailKinds(h);
  for (const char* kind : {"created", "checkout_started", "paid", "confirmed"}) {
    EXPECT_NE(std::find(trail.begin(), trail.end(), kind), trail.end()) << kind;
  }
  EXPECT_EQ(Bookings().size(), 1u);
}

TEST_F(PaymentsJourney, ADeclinedPaymentKeepsTheHoldAndARetryBooks) {
  Start();
  const Held h = Hold("bob", {GridSeat(1, 3)});
  const std::string first = CheckoutOk(h);
  FanAnswers(first, "decline");
  ASSERT_TRUE(WaitFor([&] {
    const std::vector<std::string> t = TrailKinds(h);
    return std::find(t.begin(), t.end(), "payment_failed") != t.end();
  }));
  EXPECT_EQ(HoldStatus(h), "held");
  const std::string second = CheckoutAgainOk(h);
  EXPECT_NE(second, first);
  FanAnswers(second, "approve");
  ASSERT_TRUE(WaitFor([&] { return BookingPaidBy(second).has_value(); })) << server_->Log();
  EXPECT_FALSE(BookingPaidBy(first).has_value());
  EXPECT_EQ(GatewayStatus(first), "failed");
}

TEST_F(PaymentsJourney, AnAbandonedHoldExpiresAndFreesItsSeats) {
  Start();
  const Held h = Hold("carol", {GridSeat(2, 1)});
  CheckoutOk(h);  // and never pays
  ASSERT_TRUE(WaitFor([&] { return HoldStatus(h) != "held"; })) << HoldStatus(h);
  const std::vector<std::string> trail = TrailKinds(h);
  EXPECT_NE(std::find(trail.begin(), trail.end(), "expired"), trail.end());
  const Held again = Hold("dave", {GridSeat(2, 1)});  // the seat is free again
  EXPECT_FALSE(again.id.empty());
}

TEST_F(PaymentsJourney, APaymentLeftPendingIsWithdrawnOnceItsHoldEnds) {
  Start();
  const Held h = Hold("ivan", {GridSeat(2, 2)});
  const std::string payment = CheckoutOk(h);  // the pay page stays open
  ASSERT_TRUE(WaitFor([&] { return HoldStatus(h) != "held"; }));
  ASSERT_TRUE(WaitFor([&] { return GatewayStatus(payment) == "cancelled"; })) << server_->Log();
  // The fan's late click cannot charge for a hold that no longer exists.
  const Reply late = gw_->Post("/gateway/v1/payments/" + payment + "/approve", "");
  EXPECT_EQ(late.status, 409u) << late.Describe();
  EXPECT_FALSE(BookingPaidBy(payment).has_value());
  const std::vector<std::string> trail = TrailKinds(h);
  EXPECT_NE(std::find(trail.begin(), trail.end(), "payment_cancelled"), trail.end());
}

TEST_F(PaymentsJourney, PaymentAfterExpiryBooksFreeSeatsAndRefundsTakenOnes) {
  Start({.reconcile_after_s = 600});
  const Held free_later = Hold("erin", {GridSeat(2, 5)});
  const Held taken_later = Hold("frank", {GridSeat(2, 6)});
  const std::string p1 = CheckoutOk(free_later);
  const std::string p2 = CheckoutOk(taken_later);
  ASSERT_TRUE(WaitFor(
      [&] { return HoldStatus(free_later) != "held" && HoldStatus(taken_later) != "held"; }));
  // Somebody else buys frank's seat at the box office meanwhile.
  const Held other = Hold("grace", {GridSeat(2, 6)});
  const Reply sold = api_->Post("/v1/holds/" + other.id + "/confirm",
                                "{\"payment_ref\":\"box-office-1\"}", admin_);
  ASSERT_EQ(sold.status, 201u) << sold.Describe();
  FanAnswers(p1, "approve");
  FanAnswers(p2, "approve");
  ASSERT_TRUE(WaitFor([&] { return BookingPaidBy(p1).has_value(); })) << server_->Log();
  ASSERT_TRUE(WaitFor([&] { return GatewayStatus(p2) == "refunded"; })) << server_->Log();
  EXPECT_FALSE(BookingPaidBy(p2).has_value());
  ASSERT_TRUE(WaitFor([&] {
    const std::vector<std::string> t = TrailKinds(taken_later);
    return std::find(t.begin(), t.end(), "refunded") != t.end();
  }));
}

TEST_F(PaymentsJourney, ALostWebhookIsSettledByReconciliation) {
  Start({.webhook_loss_percent = 100});
  const Held h = Hold("heidi", {GridSeat(1, 7)});
  const std::string payment = CheckoutOk(h);
  FanAnswers(payment, "approve");
  EXPECT_EQ(GatewayStatus(payment), "succeeded");
  ASSERT_TRUE(WaitFor([&] { return BookingPaidBy(payment).has_value(); })) << server_->Log();
}

TEST_F(PaymentsJourney, DuplicatedAndReorderedWebhooksAreHarmless) {
  Start({.webhook_duplicate_percent = 100, .webhook_reorder_ms = 300});
  std::vector<std::pair<Held, std::string>> paid;
  for (uint32_t i = 1; i <= 6; ++i) {
    const Held h = Hold("fan" + std::to_string(i), {GridSeat(1 + i % 2, 10 - i / 2)});
    std::string payment = CheckoutOk(h);
    if (i % 2 == 0) {  // a decline first, then a retry
      FanAnswers(payment, "decline");
      ASSERT_TRUE(WaitFor([&] {
        const std::vector<std::string> t = TrailKinds(h);
        return std::find(t.begin(), t.end(), "payment_failed") != t.end();
      }));
      payment = CheckoutAgainOk(h);
    }
    FanAnswers(payment, "approve");
    paid.emplace_back(h, payment);
  }
  for (const auto& [h, payment] : paid) {
    ASSERT_TRUE(WaitFor([&] { return BookingPaidBy(payment).has_value(); })) << payment;
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));  // let the duplicates arrive
  EXPECT_EQ(Bookings().size(), paid.size());
}

TEST_F(PaymentsJourney, ForgedStaleAndReplayedWebhooksChangeNothing) {
  Start();
  const Held h = Hold("ivan", {GridSeat(2, 9)});
  const std::string payment = CheckoutOk(h);
  const Reply pay =
      gw_->Get("/gateway/v1/payments/" + payment, {{"Authorization", "Bearer " + kApiKey}});
  ASSERT_EQ(pay.status, 200u);
  // A succeeded event the gateway never sent (the fan has not paid).
  std::string payment_json = pay.body;
  const size_t at = payment_json.find("\"pending\"");
  ASSERT_NE(at, std::string::npos);
  payment_json.replace(at, 9, "\"succeeded\"");
  const std::string body =
      "{\"id\":\"evt_forged0000000000000000000000000\",\"type\":"
      "\"payment.succeeded\",\"created_at_ms\":1,\"payment\":" +
      payment_json + "}";
  EXPECT_EQ(SendWebhook(body, NowS(), "not-the-secret-0123456789abcdef0123").status, 401u);
  EXPECT_EQ(SendWebhook(body, NowS() - payments::kWebhookToleranceS - 60).status, 401u);
  const Reply unsigned_event = api_->Post("/v1/payments/webhook", body);
  EXPECT_EQ(unsigned_event.status, 401u);
  EXPECT_EQ(unsigned_event.code(), "invalid_signature");
  std::string tampered = payments::SignWebhook(kSecret, body, NowS());
  tampered.back() = tampered.back() == '0' ? '1' : '0';
  EXPECT_EQ(api_->Post("/v1/payments/webhook", body,
                       {{std::string(payments::kSignatureHeader), tampered}})
                .status,
            401u);
  EXPECT_FALSE(BookingPaidBy(payment).has_value());
  EXPECT_EQ(HoldStatus(h), "held");
  // The real payment, then a replay of its (validly signed) event: one booking.
  FanAnswers(payment, "approve");
  ASSERT_TRUE(WaitFor([&] { return BookingPaidBy(payment).has_value(); })) << server_->Log();
  payment_json =
      gw_->Get("/gateway/v1/payments/" + payment, {{"Authorization", "Bearer " + kApiKey}}).body;
  const std::string replay =
      "{\"id\":\"evt_replayed00000000000000000000000\",\"type\":"
      "\"payment.succeeded\",\"created_at_ms\":1,\"payment\":" +
      payment_json + "}";
  // Until the booking's batch is durable the payment is still settling and a
  // second event for it is answered 503 (the gateway retries); after that,
  // every replay is acknowledged and books nothing more.
  unsigned first = 0;
  ASSERT_TRUE(WaitFor([&] { return (first = SendWebhook(replay, NowS()).status) != 503u; }));
  EXPECT_EQ(first, 200u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(SendWebhook(replay, NowS()).status, 200u);
  EXPECT_EQ(Bookings().size(), 1u);
}

TEST_F(PaymentsJourney, CancellingABookingRefundsItAndFreesItsSeats) {
  Start();
  const Held h = Hold("judy", {GridSeat(1, 5)});
  const std::string payment = CheckoutOk(h);
  FanAnswers(payment, "approve");
  ASSERT_TRUE(WaitFor([&] { return BookingPaidBy(payment).has_value(); })) << server_->Log();
  const std::string booking = JsonStr(*BookingPaidBy(payment), "id");
  const Reply c = api_->Post("/v1/bookings/" + booking + "/cancel", "", admin_);
  ASSERT_EQ(c.status, 200u) << c.Describe();
  ASSERT_TRUE(WaitFor([&] { return GatewayStatus(payment) == "refunded"; })) << server_->Log();
  const std::optional<boost::json::object> cancelled = BookingPaidBy(payment);
  ASSERT_TRUE(cancelled.has_value());
  EXPECT_EQ(JsonStr(*cancelled, "status"), "cancelled");
  const std::string code = JsonStr(cancelled->at("tickets").as_array()[0], "code");
  EXPECT_EQ(api_->Get("/v1/tickets/" + code, admin_).Str("status"), "cancelled");
  EXPECT_FALSE(Hold("ken", {GridSeat(1, 5)}).id.empty());  // the seat is free again
}

}  // namespace
}  // namespace boxoffice::itest
