// PaymentGateway: what the booking service needs from a card processor.
//
// A payment is created for an amount with an idempotency key (the same key
// gives back the same payment), the fan approves or declines it at `pay_url`
// (a declined card may be tried again, so a failed payment may still
// succeed), and the gateway reports the outcome by webhook (see webhook.h)
// and on request (GetPayment). Refunds are idempotent by key too. The merchant
// cancels a payment it no longer wants (pending or failed): from then on it
// can never be charged, which makes "failed" final.
//
// Every call returns at once and runs `done` later, on a thread of the
// gateway's choosing (never inline in the call), so network threads never
// wait for a gateway. Implementations: SimulatedGateway (in process) and
// HttpGatewayClient (a gateway in another process, over HTTP).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace boxoffice::payments {

enum class PaymentStatus : uint8_t {
  kPending = 0,  // created, the fan has not approved or declined yet
  kSucceeded,    // the fan was charged
  kFailed,       // declined; the fan was not charged
  kRefunded,     // charged, then refunded in full
  kCancelled,    // withdrawn by the merchant before it was charged: never chargeable again
};
std::string_view PaymentStatusName(PaymentStatus s);  // "pending", "succeeded", ...
bool ParsePaymentStatus(std::string_view name, PaymentStatus* out);

struct PaymentRequest {
  std::string idempotency_key;  // 1..64 printable ASCII bytes
  int64_t amount_minor = 0;     // > 0, in minor units of `currency`
  std::string currency;         // ISO 4217, e.g. "EUR"
  std::string reference;        // the merchant's own reference: the hold on the wire, "h3-42"
  std::string description;
};

struct Payment {
  std::string id;  // "pay_" + 32 hex digits
  std::string reference;
  int64_t amount_minor = 0;
  std::string currency;
  PaymentStatus status = PaymentStatus::kPending;
  std::string pay_url;  // where the fan approves or declines
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
};

struct Refund {
  std::string id;  // "re_" + 32 hex digits
  std::string payment_id;
  int64_t amount_minor = 0;
  int64_t created_at_ms = 0;
};

template <typename T>
using Done = std::function<void(StatusOr<T>)>;

class PaymentGateway {
 public:
  virtual ~PaymentGateway() = default;
  // kInvalidArgument for a bad request; kUnavailable when the gateway cannot
  // be reached (the caller may retry with the same idempotency key).
  virtual void CreatePayment(const PaymentRequest& request, Done<Payment> done) = 0;
  // kNotFound for an unknown id.
  virtual void GetPayment(const std::string& payment_id, Done<Payment> done) = 0;
  // Refunds a succeeded payment in full. kFailedPrecondition if it did not
  // succeed; a refund already made under the same key is returned again.
  virtual void RefundPayment(const std::string& payment_id, const std::string& idempotency_key,
                             Done<Refund> done) = 0;
  // Cancels a pending or failed payment (again: the same answer) and returns
  // it, kCancelled. kFailedPrecondition if it was charged (succeeded or
  // refunded): the caller asks GetPayment and settles what it says.
  virtual void CancelPayment(const std::string& payment_id, Done<Payment> done) = 0;
};

}  // namespace boxoffice::payments
