// The gateway's routes over real sockets, and HttpGatewayClient against them.
#include "http/gateway_routes.h"

#include <gtest/gtest.h>

#include <future>

#include "http/gateway_client.h"
#include "http/payments_json.h"
#include "http/server.h"
#include "http/test_client.h"
#include "testing/seeded_tokens.h"

namespace boxoffice::http {
namespace {

constexpr std::string_view kApiKey = "gw-key-0123456789abcdef0123456789abcdef";

class NullSink final : public payments::WebhookSink {
 public:
  void Deliver(payments::Delivery) override { delivered_++; }
  std::atomic<int> delivered_{0};
};

struct GatewayServer {
  GatewayServer()
      : gateway({}, 1, sink, payments::SystemWallMs, std::make_unique<testing::SeededTokens>(11)),
        routes(&gateway, {std::string(kApiKey)}) {
    Router router;
    routes.Register(router);
    ServerOptions o;
    o.io_threads = 1;
    server = std::make_unique<Server>(o, std::move(router), registry);
    EXPECT_TRUE(server->Start().ok());
    gateway.SetPayUrlBase("http://127.0.0.1:" + std::to_string(server->port()) +
                          std::string(kGatewayPayPath));
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server->port()); }

  NullSink sink;
  payments::SimulatedGateway gateway;
  GatewayRoutes routes;
  metrics::Registry registry;
  std::unique_ptr<Server> server;
};

const TestClient::HeaderList kAuth = {{"Authorization", "Bearer " + std::string(kApiKey)},
                                      {"Content-Type", "application/json"}};

std::string PaymentBody(std::string key, int64_t amount = 4'200) {
  return EncodePaymentRequest({std::move(key), amount, "EUR", "h1-9", "2 seats"});
}

std::string Code(const ClientResponse& r) {
  EXPECT_EQ(r.headers.Get("Content-Type").value_or(""), "application/problem+json") << r.body;
  const size_t at = r.body.find("\"code\":\"");
  if (at == std::string::npos) return "";
  const size_t start = at + 8;
  return r.body.substr(start, r.body.find('"', start) - start);
}

TEST(GatewayRoutes, MerchantRoutesNeedTheApiKey) {
  GatewayServer g;
  TestClient c("127.0.0.1", g.server->port());
  StatusOr<ClientResponse> none = c.Request("POST", "/gateway/v1/payments", PaymentBody("k"));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->status, 401u);
  EXPECT_EQ(Code(*none), "unauthorized");
  StatusOr<ClientResponse> wrong =
      c.Request("POST", "/gateway/v1/payments", PaymentBody("k"),
                {{"Authorization", "Bearer gw-key-wrong-0123456789abcdef0123456789ab"}});
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(wrong->status, 401u);
  StatusOr<ClientResponse> get = c.Request("GET", "/gateway/v1/payments/pay_x");
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(get->status, 401u);
}

TEST(GatewayRoutes, CreateReplayApproveRefundOverHttp) {
  GatewayServer g;
  TestClient c("127.0.0.1", g.server->port());
  StatusOr<ClientResponse> created =
      c.Request("POST", "/gateway/v1/payments", PaymentBody("k1"), kAuth);
  ASSERT_TRUE(created.ok());
  ASSERT_EQ(created->status, 201u) << created->body;
  StatusOr<payments::Payment> p = DecodePayment(created->body);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(created->headers.Get("Location").value_or(""), "/gateway/v1/payments/" + p->id);
  EXPECT_EQ(p->pay_url, g.url() + "/gateway/pay/" + p->id);

  StatusOr<ClientResponse> replay =
      c.Request("POST", "/gateway/v1/payments", PaymentBody("k1"), kAuth);
  ASSERT_EQ(replay->status, 200u);
  EXPECT_EQ(DecodePayment(replay->body)->id, p->id);
  StatusOr<ClientResponse> other =
      c.Request("POST", "/gateway/v1/payments", PaymentBody("k1", 1), kAuth);
  EXPECT_EQ(other->status, 422u);
  EXPECT_EQ(Code(*other), "idempotency_key_reused");

  const std::string path = "/gateway/v1/payments/" + p->id;
  StatusOr<ClientResponse> early =
      c.Request("POST", path + "/refunds", R"({"idempotency_key":"r1"})", kAuth);
  EXPECT_EQ(early->status, 409u);
  EXPECT_EQ(Code(*early), "payment_not_refundable");

  StatusOr<ClientResponse> approved = c.Request("POST", path + "/approve");
  ASSERT_EQ(approved->status, 200u) << approved->body;
  EXPECT_EQ(DecodePayment(approved->body)->status, payments::PaymentStatus::kSucceeded);
  EXPECT_EQ(g.sink.delivered_.load(), 1);
  StatusOr<ClientResponse> again = c.Request("POST", path + "/decline");
  EXPECT_EQ(again->status, 409u);
  EXPECT_EQ(Code(*again), "payment_settled");

  StatusOr<ClientResponse> refund =
      c.Request("POST", path + "/refunds", R"({"idempotency_key":"r1"})", kAuth);
  ASSERT_EQ(refund->status, 201u) << refund->body;
  StatusOr<payments::Refund> rf = DecodeRefund(refund->body);
  ASSERT_TRUE(rf.ok());
  EXPECT_EQ(rf->amount_minor, 4'200);
  StatusOr<ClientResponse> refund2 =
      c.Request("POST", path + "/refunds", R"({"idempotency_key":"r1"})", kAuth);
  EXPECT_EQ(DecodeRefund(refund2->body)->id, rf->id);
  StatusOr<ClientResponse> refund3 =
      c.Request("POST", path + "/refunds", R"({"idempotency_key":"r2"})", kAuth);
  EXPECT_EQ(refund3->status, 409u);

  StatusOr<ClientResponse> read = c.Request("GET", path, "", kAuth);
  ASSERT_EQ(read->status, 200u);
  EXPECT_EQ(DecodePayment(read->body)->status, payments::PaymentStatus::kRefunded);
}

TEST(GatewayRoutes, BadInputIsAProblemAndChangesNothing) {
  GatewayServer g;
  TestClient c("127.0.0.1", g.server->port());
  for (std::string_view body :
       {"", "{", "[]",
        R"({"idempotency_key":"k","amount_minor":0,"currency":"EUR","reference":"r"})",
        R"({"idempotency_key":"k","amount_minor":5,"currency":"eur","reference":"r"})",
        R"({"idempotency_key":"","amount_minor":5,"currency":"EUR","reference":"r"})",
        R"({"idempotency_key":"k","amount_minor":5,"currency":"EUR","reference":"r","x":1})"}) {
    StatusOr<ClientResponse> r = c.Request("POST", "/gateway/v1/payments", body, kAuth);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 400u) << body;
    EXPECT_EQ(Code(*r), "malformed_request") << body;
  }
  EXPECT_EQ(g.gateway.stats().payments, 0u);
  StatusOr<ClientResponse> created =
      c.Request("POST", "/gateway/v1/payments", PaymentBody("k1"), kAuth);
  const std::string id = DecodePayment(created->body)->id;
  for (std::string_view body :
       {"", "{}", R"({"idempotency_key":""})", R"({"idempotency_key":1})"}) {
    StatusOr<ClientResponse> r =
        c.Request("POST", "/gateway/v1/payments/" + id + "/refunds", body, kAuth);
    EXPECT_EQ(r->status, 400u) << body;
  }
}

TEST(GatewayRoutes, UnknownIdsAreNotFound) {
  GatewayServer g;
  TestClient c("127.0.0.1", g.server->port());
  const std::string unknown = "pay_" + std::string(32, 'a');
  for (const std::string& id : {unknown, std::string("nope"), std::string("pay_%3Cscript%3E")}) {
    for (const auto& [method, path, auth] :
         {std::tuple{"GET", "/gateway/v1/payments/" + id, true},
          std::tuple{"POST", "/gateway/v1/payments/" + id + "/approve", false},
          std::tuple{"POST", "/gateway/v1/payments/" + id + "/decline", false},
          std::tuple{"GET", "/gateway/pay/" + id, false}}) {
      StatusOr<ClientResponse> r =
          c.Request(method, path, "", auth ? kAuth : TestClient::HeaderList{});
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(r->status, 404u) << method << " " << path;
      EXPECT_EQ(Code(*r), "not_found");
    }
    StatusOr<ClientResponse> refund = c.Request("POST", "/gateway/v1/payments/" + id + "/refunds",
                                                R"({"idempotency_key":"r"})", kAuth);
    EXPECT_EQ(refund->status, 404u);
  }
}

TEST(GatewayRoutes, PayPageShowsThePaymentAndEscapesTheReference) {
  GatewayServer g;
  TestClient c("127.0.0.1", g.server->port());
  const std::string body =
      EncodePaymentRequest({"k1", 12'305, "EUR", "<script>alert(1)</script>", ""});
  StatusOr<ClientResponse> created = c.Request("POST", "/gateway/v1/payments", body, kAuth);
  ASSERT_EQ(created->status, 201u) << created->body;
  const std::string id = DecodePayment(created->body)->id;
  StatusOr<ClientResponse> page = c.Request("GET", "/gateway/pay/" + id);
  ASSERT_EQ(page->status, 200u);
  EXPECT_EQ(page->headers.Get("Content-Type").value_or(""), "text/html; charset=utf-8");
  EXPECT_NE(page->body.find("123.05 EUR"), std::string::npos);
  EXPECT_NE(page->body.find("Approve"), std::string::npos);
  EXPECT_NE(page->body.find("action=\"/gateway/pay/" + id + "\""), std::string::npos);
  EXPECT_EQ(page->body.find("<script"), std::string::npos) << "no script: a plain form";
  EXPECT_NE(page->body.find("&lt;script&gt;"), std::string::npos);
}

// The form answers the payment and sends the fan back to a path of this
// origin; a return URL that leaves the origin is ignored (no open redirect).
TEST(GatewayRoutes, PayPageFormReturnsTheFanToALocalPathOnly) {
  GatewayServer g;
  TestClient c("127.0.0.1", g.server->port());
  const auto create = [&](const std::string& key) {
    StatusOr<ClientResponse> created =
        c.Request("POST", "/gateway/v1/payments", PaymentBody(key), kAuth);
    EXPECT_EQ(created->status, 201u) << created->body;
    return DecodePayment(created->body)->id;
  };
  const TestClient::HeaderList form = {{"Content-Type", "application/x-www-form-urlencoded"}};
  const std::string id = create("k1");
  StatusOr<ClientResponse> page = c.Request("GET", "/gateway/pay/" + id + "?return=/holds/h1-2");
  ASSERT_EQ(page->status, 200u);
  EXPECT_NE(page->body.find("action=\"/gateway/pay/" + id + "?return=/holds/h1-2\""),
            std::string::npos)
      << page->body;
  StatusOr<ClientResponse> paid =
      c.Request("POST", "/gateway/pay/" + id + "?return=/holds/h1-2", "answer=approve", form);
  ASSERT_EQ(paid->status, 303u) << paid->body;
  EXPECT_EQ(paid->headers.Get("Location"), "/holds/h1-2");
  StatusOr<ClientResponse> after = c.Request("GET", "/gateway/v1/payments/" + id, {}, kAuth);
  EXPECT_EQ(DecodePayment(after->body)->status, payments::PaymentStatus::kSucceeded);

  for (const std::string away :
       {"//evil.example/x", "/%5Cevil.example", "https://evil.example/", "holds/1"}) {
    const std::string other = create("k-" + away);
    StatusOr<ClientResponse> r =
        c.Request("POST", "/gateway/pay/" + other + "?return=" + away, "answer=decline", form);
    EXPECT_EQ(r->status, 200u) << away;
    EXPECT_FALSE(r->headers.Has("Location")) << away;
  }
  StatusOr<ClientResponse> junk = c.Request("POST", "/gateway/pay/" + id, "answer=maybe", form);
  EXPECT_EQ(junk->status, 400u);
}

template <typename T>
StatusOr<T> Await(const std::function<void(payments::Done<T>)>& start) {
  auto p = std::make_shared<std::promise<StatusOr<T>>>();
  auto f = p->get_future();
  start([p](StatusOr<T> v) { p->set_value(std::move(v)); });
  EXPECT_EQ(f.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  return f.get();
}

TEST(HttpGatewayClient, SpeaksToTheRoutes) {
  GatewayServer g;
  auto client = HttpGatewayClient::Create({g.url(), std::string(kApiKey)});
  ASSERT_TRUE(client.ok()) << client.status().message();
  payments::PaymentGateway& gw = **client;
  const payments::PaymentRequest request{"k1", 900, "EUR", "h2-3", ""};
  StatusOr<payments::Payment> p = Await<payments::Payment>(
      [&](payments::Done<payments::Payment> d) { gw.CreatePayment(request, std::move(d)); });
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->amount_minor, 900);
  StatusOr<payments::Payment> same = Await<payments::Payment>(
      [&](payments::Done<payments::Payment> d) { gw.CreatePayment(request, std::move(d)); });
  EXPECT_EQ(same->id, p->id);
  payments::PaymentRequest changed = request;
  changed.amount_minor = 901;
  EXPECT_EQ(Await<payments::Payment>([&](payments::Done<payments::Payment> d) {
              gw.CreatePayment(changed, std::move(d));
            })
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Await<payments::Refund>([&](payments::Done<payments::Refund> d) {
              gw.RefundPayment(p->id, "r1", std::move(d));
            })
                .status()
                .code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(Await<payments::Payment>([&](payments::Done<payments::Payment> d) {
              gw.GetPayment("pay_" + std::string(32, '0'), std::move(d));
            })
                .status()
                .code(),
            StatusCode::kNotFound);
  EXPECT_EQ(Await<payments::Payment>(
                [&](payments::Done<payments::Payment> d) { gw.GetPayment("../x", std::move(d)); })
                .status()
                .code(),
            StatusCode::kNotFound);
  StatusOr<payments::Payment> read = Await<payments::Payment>(
      [&](payments::Done<payments::Payment> d) { gw.GetPayment(p->id, std::move(d)); });
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->status, payments::PaymentStatus::kPending);
  StatusOr<payments::Payment> cancelled = Await<payments::Payment>(
      [&](payments::Done<payments::Payment> d) { gw.CancelPayment(p->id, std::move(d)); });
  ASSERT_TRUE(cancelled.ok()) << cancelled.status().message();
  EXPECT_EQ(cancelled->status, payments::PaymentStatus::kCancelled);
  EXPECT_EQ(Await<payments::Payment>([&](payments::Done<payments::Payment> d) {
              gw.CancelPayment("pay_" + std::string(32, '0'), std::move(d));
            })
                .status()
                .code(),
            StatusCode::kNotFound);
}

TEST(HttpGatewayClient, AnUnreachableGatewayIsUnavailable) {
  uint16_t port = 0;
  {
    GatewayServer g;  // a port that was just free, now closed again
    port = g.server->port();
  }
  auto client = HttpGatewayClient::Create(
      {"http://127.0.0.1:" + std::to_string(port), std::string(kApiKey), 2});
  ASSERT_TRUE(client.ok());
  StatusOr<payments::Payment> p =
      Await<payments::Payment>([&](payments::Done<payments::Payment> d) {
        (*client)->CreatePayment({"k", 1, "EUR", "r", ""}, std::move(d));
      });
  EXPECT_EQ(p.status().code(), StatusCode::kUnavailable);
}

TEST(HttpGatewayClient, AWrongKeyIsNotASuccess) {
  GatewayServer g;
  auto client = HttpGatewayClient::Create({g.url(), "not-the-key"});
  ASSERT_TRUE(client.ok());
  StatusOr<payments::Payment> p =
      Await<payments::Payment>([&](payments::Done<payments::Payment> d) {
        (*client)->CreatePayment({"k", 1, "EUR", "r", ""}, std::move(d));
      });
  EXPECT_EQ(p.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(g.gateway.stats().payments, 0u);
}

TEST(HttpGatewayClient, RefusesBadOptions) {
  EXPECT_FALSE(HttpGatewayClient::Create({"https://x", "k"}).ok());
  EXPECT_FALSE(HttpGatewayClient::Create({"http://127.0.0.1:1/base", "k"}).ok());
  EXPECT_FALSE(HttpGatewayClient::Create({"http://127.0.0.1:1", ""}).ok());
  EXPECT_FALSE(HttpGatewayClient::Create({"http://127.0.0.1:1", "k", 0}).ok());
}

}  // namespace
}  // namespace boxoffice::http
