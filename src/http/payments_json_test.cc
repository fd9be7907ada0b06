#include "http/payments_json.h"

#include <gtest/gtest.h>

namespace boxoffice::http {
namespace {

payments::Payment SamplePayment() {
  payments::Payment p;
  p.id = "pay_00112233445566778899aabbccddeeff";
  p.reference = "h1-4294967297";
  p.amount_minor = 19'800;
  p.currency = "EUR";
  p.status = payments::PaymentStatus::kSucceeded;
  p.pay_url = "http://127.0.0.1:8080/gateway/pay/pay_0011";
  p.created_at_ms = 1'800'000'000'000;
  p.updated_at_ms = 1'800'000'001'000;
  return p;
}

TEST(PaymentsJson, EveryMessageRoundTrips) {
  payments::PaymentRequest req{"key-1", 19'800, "EUR", "h1-2", "2 seats"};
  StatusOr<payments::PaymentRequest> r = DecodePaymentRequest(EncodePaymentRequest(req));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->idempotency_key, "key-1");
  EXPECT_EQ(r->amount_minor, 19'800);

  StatusOr<payments::Payment> p = DecodePayment(EncodePayment(SamplePayment()));
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->status, payments::PaymentStatus::kSucceeded);
  EXPECT_EQ(p->pay_url, SamplePayment().pay_url);

  payments::Refund refund{"re_1", "pay_1", 19'800, 1'800'000'002'000};
  StatusOr<payments::Refund> back = DecodeRefund(EncodeRefund(refund));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->payment_id, "pay_1");

  payments::WebhookEvent e{"evt_1", payments::WebhookType::kRefundSucceeded, 5, SamplePayment(),
                           "re_1"};
  StatusOr<payments::WebhookEvent> ev = DecodeWebhookEvent(EncodeWebhookEvent(e));
  ASSERT_TRUE(ev.ok()) << ev.status().message();
  EXPECT_EQ(ev->type, payments::WebhookType::kRefundSucceeded);
  EXPECT_EQ(ev->payment.id, SamplePayment().id);
  EXPECT_EQ(ev->refund_id, "re_1");
}

TEST(PaymentsJson, BadInputIsRefusedWithThePath) {
  const auto message = [](const auto& r) { return std::string(r.status().message()); };
  EXPECT_NE(
      message(DecodePaymentRequest(
                  R"({"idempotency_key":"k","amount_minor":0,"currency":"EUR","reference":"h"})"))
          .find("amount_minor"),
      std::string::npos);
  EXPECT_NE(
      message(DecodePaymentRequest(
                  R"({"idempotency_key":"k","amount_minor":5,"currency":"eur","reference":"h"})"))
          .find("currency"),
      std::string::npos);
  EXPECT_FALSE(
      DecodePaymentRequest(
          R"({"idempotency_key":"k","amount_minor":5,"currency":"EUR","reference":"h","x":1})")
          .ok());
  payments::WebhookEvent e{"evt_1", payments::WebhookType::kPaymentSucceeded, 5, SamplePayment(),
                           "re_1"};  // a refund id on a payment event
  EXPECT_FALSE(DecodeWebhookEvent(EncodeWebhookEvent(e)).ok());
  std::string body =
      EncodeWebhookEvent({"evt_1", payments::WebhookType::kPaymentFailed, 5, SamplePayment(), ""});
  body.replace(body.find("succeeded"), 9, "sucCeeded");
  StatusOr<payments::WebhookEvent> bad = DecodeWebhookEvent(body);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(message(bad).find("payment.status"), std::string::npos) << message(bad);
  EXPECT_FALSE(DecodeWebhookEvent("{").ok());
  EXPECT_FALSE(DecodeWebhookEvent("[]").ok());
}

}  // namespace
}  // namespace boxoffice::http
