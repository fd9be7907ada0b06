#include "payments/webhook.h"

#include <gtest/gtest.h>

namespace boxoffice::payments {
namespace {

constexpr std::string_view kSecret = "whsec-0123456789abcdef0123456789abcdef";
constexpr std::string_view kBody = R"({"id":"evt_1","type":"payment.succeeded"})";
constexpr int64_t kNow = 1'800'000'000;

TEST(Webhook, ASignatureVerifiesWithinTheWindow) {
  const std::string h = SignWebhook(kSecret, kBody, kNow);
  EXPECT_TRUE(VerifyWebhook(kSecret, h, kBody, kNow).ok());
  EXPECT_TRUE(VerifyWebhook(kSecret, h, kBody, kNow + kWebhookToleranceS).ok());
  EXPECT_TRUE(VerifyWebhook(kSecret, h, kBody, kNow - kWebhookToleranceS).ok());
}

TEST(Webhook, StaleOrFutureSignaturesAreRefused) {
  const std::string h = SignWebhook(kSecret, kBody, kNow);
  EXPECT_FALSE(VerifyWebhook(kSecret, h, kBody, kNow + kWebhookToleranceS + 1).ok());
  EXPECT_FALSE(VerifyWebhook(kSecret, h, kBody, kNow - kWebhookToleranceS - 1).ok());
}

TEST(Webhook, AnyChangeToBodySecretOrHeaderIsRefused) {
  const std::string h = SignWebhook(kSecret, kBody, kNow);
  std::string body(kBody);
  body[5] ^= 1;
  EXPECT_FALSE(VerifyWebhook(kSecret, h, body, kNow).ok());
  EXPECT_FALSE(VerifyWebhook("another-secret-0123456789abcdef0123", h, kBody, kNow).ok());
  for (size_t i = 0; i < h.size(); ++i) {
    std::string forged = h;
    forged[i] = forged[i] == '0' ? '1' : '0';
    EXPECT_FALSE(VerifyWebhook(kSecret, forged, kBody, kNow).ok()) << forged;
  }
  // A timestamp moved forward with the old MAC (a replay made to look fresh).
  std::string moved = h;
  moved.replace(2, 10, std::to_string(kNow + 10));
  EXPECT_FALSE(VerifyWebhook(kSecret, moved, kBody, kNow).ok());
}

TEST(Webhook, MalformedHeadersAreRefused) {
  for (std::string_view h :
       {"", "t=", "v1=abc", "t=1800000000", "t=x,v1=00",
        "t=1,v1=", "t=-,v1=0000000000000000000000000000000000000000000000000000000000000000"}) {
    EXPECT_FALSE(VerifyWebhook(kSecret, h, kBody, kNow).ok()) << h;
  }
  EXPECT_FALSE(VerifyWebhook(kSecret, std::string(1000, 't'), kBody, kNow).ok());
}

TEST(Webhook, NamesRoundTrip) {
  for (auto t : {WebhookType::kPaymentSucceeded, WebhookType::kPaymentFailed,
                 WebhookType::kRefundSucceeded}) {
    WebhookType back;
    ASSERT_TRUE(ParseWebhookType(WebhookTypeName(t), &back));
    EXPECT_EQ(back, t);
  }
  for (auto s : {PaymentStatus::kPending, PaymentStatus::kSucceeded, PaymentStatus::kFailed,
                 PaymentStatus::kRefunded}) {
    PaymentStatus back;
    ASSERT_TRUE(ParsePaymentStatus(PaymentStatusName(s), &back));
    EXPECT_EQ(back, s);
  }
  WebhookType t;
  EXPECT_FALSE(ParseWebhookType("payment.maybe", &t));
}

}  // namespace
}  // namespace boxoffice::payments
