// The payment gateway's wire format: requests, payments, refunds and webhook
// events as JSON, read strictly (unknown members are errors). Both sides use
// it: the gateway's HTTP routes and the booking server's gateway client and
// webhook endpoint.
//
//   payment request  {"idempotency_key","amount_minor","currency","reference","description"}
//   payment          {"id","reference","amount_minor","currency","status","pay_url",
//                     "created_at_ms","updated_at_ms"}
//   refund           {"id","payment_id","amount_minor","created_at_ms"}
//   webhook event    {"id","type","created_at_ms","payment":{payment},"refund_id"?}
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "payments/gateway.h"
#include "payments/webhook.h"

namespace boxoffice::http {

inline constexpr size_t kPaymentIdBytesMax = 64;
inline constexpr size_t kPaymentIdempotencyKeyBytesMax = 64;  // of payments and of refunds
inline constexpr size_t kPaymentReferenceBytesMax = 128;
inline constexpr size_t kPaymentDescriptionBytesMax = 200;
inline constexpr size_t kPayUrlBytesMax = 512;
inline constexpr int64_t kPaymentAmountMinorMax = 1'000'000'000'000;

std::string EncodePaymentRequest(const payments::PaymentRequest& r);
StatusOr<payments::PaymentRequest> DecodePaymentRequest(std::string_view body);

std::string EncodePayment(const payments::Payment& p);
StatusOr<payments::Payment> DecodePayment(std::string_view body);

std::string EncodeRefund(const payments::Refund& r);
StatusOr<payments::Refund> DecodeRefund(std::string_view body);

std::string EncodeWebhookEvent(const payments::WebhookEvent& e);
StatusOr<payments::WebhookEvent> DecodeWebhookEvent(std::string_view body);

}  // namespace boxoffice::http
