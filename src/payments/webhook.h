// Webhooks from the payment gateway: the event and its signature.
//
// The gateway POSTs an event as JSON (payments_json.h in src/http) with the
// header
//
//   Boxoffice-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
//
// The receiver recomputes the HMAC over the exact body bytes, compares in
// constant time, and refuses a timestamp further than kWebhookToleranceS
// from its clock (a replay window). Duplicates within the window are
// recognised by event id, so each event takes effect at most once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "payments/gateway.h"

namespace boxoffice::payments {

inline constexpr std::string_view kSignatureHeader = "Boxoffice-Signature";
inline constexpr int64_t kWebhookToleranceS = 300;
inline constexpr size_t kSignatureHeaderBytesMax = 256;

enum class WebhookType : uint8_t {
  kPaymentSucceeded = 0,  // "payment.succeeded"
  kPaymentFailed,         // "payment.failed"
  kRefundSucceeded,       // "refund.succeeded"
};
std::string_view WebhookTypeName(WebhookType t);
bool ParseWebhookType(std::string_view name, WebhookType* out);

struct WebhookEvent {
  std::string id;  // "evt_" + 32 hex digits; unique per event, equal in a duplicate delivery
  WebhookType type = WebhookType::kPaymentSucceeded;
  int64_t created_at_ms = 0;
  Payment payment;        // the payment as of this event
  std::string refund_id;  // kRefundSucceeded only
};

// The header value for `body` signed at `now_s`.
std::string SignWebhook(std::string_view secret, std::string_view body, int64_t now_s);

// Ok if `header` is a valid signature of `body` under `secret` made within
// kWebhookToleranceS of `now_s`; otherwise kInvalidArgument naming why
// (malformed, stale, wrong signature), without saying which byte differed.
Status VerifyWebhook(std::string_view secret, std::string_view header, std::string_view body,
                     int64_t now_s);

}  // namespace boxoffice::payments
