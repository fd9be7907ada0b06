// The payment routes over real sockets: checkout, the signed webhook (forged,
// stale, replayed), the hold trail and tickets, and their errors. The server,
// the API and the booking service are real; the gateway is a FakeGateway
// whose answers a background thread releases.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <thread>

#include "crypto/encoding.h"
#include "http/api.h"
#include "http/api_test_fixture.h"
#include "http/catalog_codec.h"
#include "http/jwt.h"
#include "http/payments_json.h"
#include "http/seat_map_json.h"
#include "http/server.h"
#include "http/test_client.h"
#include "store/sqlite_store.h"
#include "testing/fake_gateway.h"
#include "testing/venues.h"

namespace boxoffice::http {
namespace {

constexpr char kWebhookSecret[] = "whsec-for-tests";

class ApiPaymentsTest : public ApiServerTest {
 protected:
  ApiPaymentsTest() : gateway_(service::SystemWallMs) {}
  ~ApiPaymentsTest() override {
    StopServing();
    stop_.store(true);
    if (drainer_.joinable()) drainer_.join();
    StopService();  // before the gateway goes
  }

  void Start(bool with_payments) {
    with_payments_ = with_payments;
    StartServer();
    if (HasFatalFailure()) return;
    drainer_ = std::thread([this] {
      while (!stop_.load()) {
        if (gateway_.RunPending() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    });
    MakeShow();
  }
  void Wire(service::BookingService& svc) override {
    if (with_payments_) svc.SetPayments({&gateway_, kWebhookSecret, "EUR", 300'000, 60'000});
  }

  void MakeShow() {
    const std::string venue =
        boost::json::serialize(SeatMapSpecToJson(testing::GridVenue(1, 2, 10)));
    auto v = Call("POST", "/v1/venues", venue, Admin());
    ASSERT_TRUE(v.ok());
    ASSERT_EQ(v->status, 201u) << v->body;
    const std::string venue_id = Member(v->body, "id");
    auto s = Call("POST", "/v1/shows",
                  R"({"venue_id":")" + venue_id +
                      R"(","name":"Paid show","starts_at":"2099-01-01T20:00:00Z",)"
                      R"("on_sale_at":"2000-01-01T00:00:00Z","currency":"EUR",)"
                      R"("prices":{"P1":5000,"P2":2500}})",
                  Admin());
    ASSERT_TRUE(s.ok());
    ASSERT_EQ(s->status, 201u) << s->body;
    show_ = Member(s->body, "id");
  }

  static std::string Member(const std::string& body, const char* name) {
    const boost::json::value v = boost::json::parse(body);
    const boost::json::value* m = v.as_object().if_contains(name);
    return m != nullptr && m->is_string() ? std::string(m->as_string()) : "";
  }
  static std::string Code(const ClientResponse& r) { return Member(r.body, "code"); }

  // A hold of `user`: {id, token}.
  std::pair<std::string, std::string> Hold(const std::string& user, const std::string& seat) {
    auto h = Call("POST", "/v1/shows/" + show_ + "/holds", R"({"seats":[")" + seat + R"("]})",
                  Fan(user));
    EXPECT_TRUE(h.ok());
    EXPECT_EQ(h->status, 201u) << h->body;
    return {Member(h->body, "id"), Member(h->body, "token")};
  }

  StatusOr<ClientResponse> Webhook(const std::string& body, const std::string& signature) {
    return Call("POST", "/v1/payments/webhook", body,
                {{std::string(payments::kSignatureHeader), signature}});
  }
  static std::string SignNow(std::string_view secret, const std::string& body, int64_t skew_s = 0) {
    return payments::SignWebhook(secret, body, service::SystemWallMs() / 1000 + skew_s);
  }

  testing::FakeGateway gateway_;
  bool with_payments_ = false;
  std::atomic<bool> stop_{false};
  std::thread drainer_;
  std::string show_;
};

TEST_F(ApiPaymentsTest, CheckoutNeedsTheFanTheTokenAndALiveHold) {
  Start(true);
  const auto [hold, token] = Hold("alice", "S1-1-1");
  const std::string path = "/v1/holds/" + hold + "/checkout";
  auto r = Call("POST", path, "", {});
  EXPECT_EQ(r->status, 401u);
  r = Call("POST", path, "", Fan("alice"));
  EXPECT_EQ(r->status, 403u);
  EXPECT_EQ(Code(*r), "wrong_token");
  TestClient::HeaderList bob = Fan("bob");
  bob.emplace_back("X-Hold-Token", token);
  r = Call("POST", path, "", bob);
  EXPECT_EQ(r->status, 403u);
  TestClient::HeaderList alice = Fan("alice");
  alice.emplace_back("X-Hold-Token", token);
  r = Call("POST", "/v1/holds/h999-1/checkout", "", alice);
  EXPECT_EQ(r->status, 404u);
  r = Call("POST", path, "", alice);
  ASSERT_EQ(r->status, 201u) << r->body;
  const std::string payment = Member(r->body, "payment_id");
  EXPECT_FALSE(Member(r->body, "pay_url").empty());
  r = Call("POST", path, "", alice);
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(Member(r->body, "payment_id"), payment);
  auto released = Call("DELETE", "/v1/holds/" + hold, "", alice);
  EXPECT_EQ(released->status, 204u);
  r = Call("POST", path, "", alice);
  EXPECT_EQ(r->status, 410u);
  EXPECT_EQ(Code(*r), "hold_released");
}

TEST_F(ApiPaymentsTest, WebhooksMustBeSignedFreshAndTakeEffectOnce) {
  Start(true);
  const auto [hold, token] = Hold("alice", "S1-2-1");
  TestClient::HeaderList alice = Fan("alice");
  alice.emplace_back("X-Hold-Token", token);
  auto c = Call("POST", "/v1/holds/" + hold + "/checkout", "", alice);
  ASSERT_EQ(c->status, 201u) << c->body;
  const std::string body = EncodeWebhookEvent(gateway_.Approve(Member(c->body, "payment_id")));

  auto r = Call("POST", "/v1/payments/webhook", body, {});
  EXPECT_EQ(r->status, 401u);  // no signature
  EXPECT_EQ(Code(*r), "invalid_signature");
  r = Webhook(body, SignNow("not-the-secret", body));
  EXPECT_EQ(r->status, 401u);
  EXPECT_EQ(Code(*r), "invalid_signature");
  r = Webhook(body, SignNow(kWebhookSecret, body, -payments::kWebhookToleranceS - 5));
  EXPECT_EQ(r->status, 401u);  // stale
  r = Webhook(body + " ", SignNow(kWebhookSecret, body));
  EXPECT_EQ(r->status, 401u);  // the body was changed after signing
  const std::string junk = R"({"id":"evt_x"})";
  r = Webhook(junk, SignNow(kWebhookSecret, junk));
  EXPECT_EQ(r->status, 400u);
  EXPECT_TRUE(svc_->BookingsOfUser("alice").empty());  // none of those changed anything

  const std::string signature = SignNow(kWebhookSecret, body);
  r = Webhook(body, signature);
  ASSERT_EQ(r->status, 200u) << r->body;
  EXPECT_EQ(r->body.find("\"duplicate\":true"), std::string::npos);
  r = Webhook(body, signature);  // replayed as it was
  ASSERT_EQ(r->status, 200u);
  EXPECT_NE(r->body.find("\"duplicate\":true"), std::string::npos);
  ASSERT_EQ(svc_->BookingsOfUser("alice").size(), 1u);

  const service::BookingView b = svc_->BookingsOfUser("alice")[0];
  ASSERT_EQ(b.tickets.size(), 1u);
  r = Call("GET", "/v1/tickets/" + b.tickets[0].code, "", Admin());
  ASSERT_EQ(r->status, 200u) << r->body;
  EXPECT_EQ(Member(r->body, "status"), "valid");
  EXPECT_EQ(Member(r->body, "seat"), "S1-2-1");
  EXPECT_EQ(Call("GET", "/v1/tickets/" + b.tickets[0].code, "", Fan("alice"))->status, 403u);
  EXPECT_EQ(Call("GET", "/v1/tickets/tk_nope", "", Admin())->status, 404u);

  r = Call("GET", "/v1/holds/" + hold + "/events", "", Admin());
  ASSERT_EQ(r->status, 200u);
  for (const char* kind : {"created", "checkout_started", "extended", "paid", "confirmed"})
    EXPECT_NE(r->body.find(std::string("\"") + kind + "\""), std::string::npos) << kind;
  EXPECT_EQ(Call("GET", "/v1/holds/" + hold + "/events", "", Fan("alice"))->status, 403u);
  EXPECT_EQ(Call("GET", "/v1/holds/h1-12345/events", "", Admin())->status, 404u);
}

TEST_F(ApiPaymentsTest, WithoutAGatewayPaymentRoutesAreUnavailable) {
  Start(false);
  const auto [hold, token] = Hold("alice", "S1-1-3");
  TestClient::HeaderList alice = Fan("alice");
  alice.emplace_back("X-Hold-Token", token);
  auto r = Call("POST", "/v1/holds/" + hold + "/checkout", "", alice);
  EXPECT_EQ(r->status, 503u);
  EXPECT_EQ(Code(*r), "payments_unavailable");
  r = Webhook("{}", SignNow(kWebhookSecret, "{}"));
  EXPECT_EQ(r->status, 503u);
}

}  // namespace
}  // namespace boxoffice::http
