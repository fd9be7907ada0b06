// `boxoffice gateway` as a separate process, driven over HTTP the way the
// booking server drives it (HttpGatewayClient) and the way a fan does (the
// approve/decline routes), with its webhooks arriving at a real receiver.
#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <sstream>

#include "http/gateway_client.h"
#include "http/payments_json.h"
#include "http/test_client.h"
#include "payments/simulated_gateway.h"
#include "payments/webhook.h"
#include "server_process.h"
#include "testing/webhook_receiver.h"

namespace boxoffice::itest {
namespace {

using payments::Done;
using payments::Payment;
using payments::PaymentStatus;
using payments::Refund;

const std::string kSecret = "whsec-itest-0123456789abcdef0123456789abcdef";
const std::string kApiKey = "gwkey-itest-0123456789abcdef0123456789abcdef";

template <typename T>
StatusOr<T> Await(const std::function<void(Done<T>)>& start) {
  auto p = std::make_shared<std::promise<StatusOr<T>>>();
  auto f = p->get_future();
  start([p](StatusOr<T> v) { p->set_value(std::move(v)); });
  if (f.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
    return Status::Unavailable("no answer within 30 s");
  }
  return f.get();
}

std::unique_ptr<http::HttpGatewayClient> Client(const ServerProcess& gw, const std::string& key) {
  auto c =
      http::HttpGatewayClient::Create({"http://127.0.0.1:" + std::to_string(gw.port()), key, 2});
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() ? std::move(c).value() : nullptr;
}

StatusOr<Payment> Create(payments::PaymentGateway& gw, const std::string& key, int64_t amount) {
  const payments::PaymentRequest r{key, amount, "EUR", "h1-5", "2 seats"};
  return Await<Payment>([&](Done<Payment> d) { gw.CreatePayment(r, std::move(d)); });
}

// The fan's click on the pay page.
unsigned FanAnswers(const ServerProcess& gw, const std::string& id, std::string_view what) {
  http::TestClient fan("127.0.0.1", gw.port());
  StatusOr<http::ClientResponse> r =
      fan.Request("POST", "/gateway/v1/payments/" + id + "/" + std::string(what));
  return r.ok() ? r->status : 0;
}

// The n-th webhook received, verified with `secret` and decoded.
StatusOr<payments::WebhookEvent> Webhook(testing::WebhookReceiver& receiver, size_t n,
                                         const std::string& secret) {
  const std::vector<testing::ReceivedWebhook> got = receiver.WaitFor(n + 1);
  if (got.size() <= n) return Status::NotFound("webhook " + std::to_string(n) + " never came");
  const testing::ReceivedWebhook& w = got[n];
  if (Status s =
          payments::VerifyWebhook(secret, w.signature, w.body, payments::SystemWallMs() / 1000);
      !s.ok()) {
    return s;
  }
  return http::DecodeWebhookEvent(w.body);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(GatewayProcess, PaymentApprovalRefundAndTheirWebhooks) {
  testing::WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start().ok());
  ServerProcess gw({"--webhook-url", receiver.url(), "--webhook-secret", kSecret, "--api-key",
                    kApiKey, "--seed", "7"},
                   "gateway");
  ASSERT_TRUE(gw.Start().ok()) << gw.Log();
  auto client = Client(gw, kApiKey);
  ASSERT_NE(client, nullptr);

  StatusOr<Payment> p = Create(*client, "order-1", 5'500);
  ASSERT_TRUE(p.ok()) << p.status().message() << gw.Log();
  EXPECT_EQ(p->status, PaymentStatus::kPending);
  EXPECT_EQ(p->pay_url, "http://127.0.0.1:" + std::to_string(gw.port()) + "/gateway/pay/" + p->id);
  EXPECT_EQ(Create(*client, "order-1", 5'500)->id, p->id);
  EXPECT_EQ(Create(*client, "order-1", 5'501).status().code(), StatusCode::kInvalidArgument);

  ASSERT_EQ(FanAnswers(gw, p->id, "approve"), 200u);
  StatusOr<payments::WebhookEvent> paid = Webhook(receiver, 0, kSecret);
  ASSERT_TRUE(paid.ok()) << paid.status().message();
  EXPECT_EQ(paid->type, payments::WebhookType::kPaymentSucceeded);
  EXPECT_EQ(paid->payment.id, p->id);
  EXPECT_EQ(paid->payment.amount_minor, 5'500);

  StatusOr<Payment> read =
      Await<Payment>([&](Done<Payment> d) { client->GetPayment(p->id, std::move(d)); });
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->status, PaymentStatus::kSucceeded);

  StatusOr<Refund> refund = Await<Refund>(
      [&](Done<Refund> d) { client->RefundPayment(p->id, "refund-1", std::move(d)); });
  ASSERT_TRUE(refund.ok()) << refund.status().message();
  EXPECT_EQ(refund->amount_minor, 5'500);
  StatusOr<payments::WebhookEvent> refunded = Webhook(receiver, 1, kSecret);
  ASSERT_TRUE(refunded.ok()) << refunded.status().message();
  EXPECT_EQ(refunded->type, payments::WebhookType::kRefundSucceeded);
  EXPECT_EQ(refunded->refund_id, refund->id);

  EXPECT_TRUE(gw.Stop().ok()) << gw.Log();
}

TEST(GatewayProcess, SecretsAreGeneratedIntoTheDataDirAndUsed) {
  testing::WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start().ok());
  ServerProcess gw({"--webhook-url", receiver.url(), "--decline-percent", "100"}, "gateway");
  ASSERT_TRUE(gw.Start().ok()) << gw.Log();
  const std::string key = ReadFile(gw.data_dir() + "/gateway.key");
  const std::string secret = ReadFile(gw.data_dir() + "/webhook.secret");
  ASSERT_GE(key.size(), 32u);
  ASSERT_GE(secret.size(), 32u);

  auto wrong = Client(gw, kApiKey);
  EXPECT_FALSE(Create(*wrong, "k", 100).ok());
  auto client = Client(gw, key);
  StatusOr<Payment> p = Create(*client, "k", 100);
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_EQ(FanAnswers(gw, p->id, "approve"), 200u);  // declined by the knob
  StatusOr<payments::WebhookEvent> e = Webhook(receiver, 0, secret);
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_EQ(e->type, payments::WebhookType::kPaymentFailed);
  EXPECT_FALSE(Webhook(receiver, 0, kSecret).ok());  // signed with the generated secret only
  EXPECT_TRUE(gw.Stop().ok()) << gw.Log();
}

TEST(GatewayProcess, ARestartedGatewayHasForgottenItsPayments) {
  testing::WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start().ok());
  ServerProcess gw({"--webhook-url", receiver.url(), "--api-key", kApiKey}, "gateway");
  ASSERT_TRUE(gw.Start().ok()) << gw.Log();
  auto client = Client(gw, kApiKey);
  StatusOr<Payment> p = Create(*client, "k", 100);
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(gw.Kill().ok());
  EXPECT_EQ(Await<Payment>([&](Done<Payment> d) { client->GetPayment(p->id, std::move(d)); })
                .status()
                .code(),
            StatusCode::kUnavailable);
  ASSERT_TRUE(gw.Start().ok()) << gw.Log();
  auto again = Client(gw, kApiKey);  // a new port
  EXPECT_EQ(Await<Payment>([&](Done<Payment> d) { again->GetPayment(p->id, std::move(d)); })
                .status()
                .code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(gw.Stop().ok()) << gw.Log();
}

TEST(GatewayProcess, BadSettingsAreRefusedAtStart) {
  TempDir dir;
  StatusOr<CommandResult> r =
      RunBoxoffice({"gateway", "--data", dir.path(), "--decline-percent", "101"}, dir.path());
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->exit.exited_ok());
  EXPECT_NE(r->err.find("gateway_decline_percent"), std::string::npos) << r->err;
  r = RunBoxoffice({"gateway", "--data", dir.path(), "--webhook-url", "ftp://x"}, dir.path());
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->exit.exited_ok());
  r = RunBoxoffice({"gateway", "--help"}, dir.path());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->exit.exited_ok());
  EXPECT_NE(r->out.find("--webhook-url"), std::string::npos);
}

}  // namespace
}  // namespace boxoffice::itest
