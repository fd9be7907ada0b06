#include "payments/gateway_engine.h"

#include "crypto/encoding.h"

namespace boxoffice::payments {
namespace {

Status OutOfRange(std::string_view knob, int64_t max) {
  return Status::InvalidArgument(std::string(knob) + ": must be from 0 to " + std::to_string(max));
}

}  // namespace

Status ValidateKnobs(const SimulatorKnobs& k) {
  if (k.latency_ms < 0 || k.latency_ms > kSimulatedLatencyMaxMs)
    return OutOfRange("latency_ms", kSimulatedLatencyMaxMs);
  if (k.decline_percent > kPercentMax) return OutOfRange("decline_percent", kPercentMax);
  if (k.webhook_loss_percent > kPercentMax) return OutOfRange("webhook_loss_percent", kPercentMax);
  if (k.webhook_duplicate_percent > kPercentMax)
    return OutOfRange("webhook_duplicate_percent", kPercentMax);
  if (k.webhook_reorder_ms < 0 || k.webhook_reorder_ms > kWebhookReorderMaxMs)
    return OutOfRange("webhook_reorder_ms", kWebhookReorderMaxMs);
  if (k.auto_pay_ms < 0 || k.auto_pay_ms > kAutoPayMaxMs)
    return OutOfRange("auto_pay_ms", kAutoPayMaxMs);
  return Status::Ok();
}

GatewayEngine::GatewayEngine(SimulatorKnobs knobs, uint64_t seed, core::TokenSource& ids)
    : knobs_(knobs), rng_state_(seed), ids_(ids) {
  BOX_ASSERT(ValidateKnobs(knobs_).ok());
}

StatusOr<GatewayEngine::Created> GatewayEngine::Create(const PaymentRequest& request,
                                                       int64_t now_ms) {
  if (request.idempotency_key.empty() || request.amount_minor <= 0 || request.currency.empty()) {
    return Status::InvalidArgument("a payment needs an idempotency key, an amount and a currency");
  }
  if (auto it = by_key_.find(request.idempotency_key); it != by_key_.end()) {
    const Payment& p = payments_.at(it->second).payment;
    if (p.amount_minor != request.amount_minor || p.currency != request.currency ||
        p.reference != request.reference) {
      return Status::InvalidArgument(std::string(kIdempotencyMismatch) +
                                     ": the key was used for a different payment");
    }
    return Created{p, true};
  }
  if (payments_.size() >= kPaymentsMax) {
    return Status::ResourceExhausted("the simulated gateway holds too many payments");
  }
  Record r;
  r.payment.id = NewId("pay_");
  r.payment.reference = request.reference;
  r.payment.amount_minor = request.amount_minor;
  r.payment.currency = request.currency;
  r.payment.status = PaymentStatus::kPending;
  r.payment.pay_url = pay_url_base_ + r.payment.id;
  r.payment.created_at_ms = now_ms;
  r.payment.updated_at_ms = now_ms;
  r.idempotency_key = request.idempotency_key;
  const std::string id = r.payment.id;
  by_key_.emplace(request.idempotency_key, id);
  Created created{r.payment, false};
  payments_.emplace(id, std::move(r));
  stats_.payments++;
  if (knobs_.auto_pay_ms > 0) auto_pay_.emplace_back(now_ms + knobs_.auto_pay_ms, id);
  return created;
}

StatusOr<Payment> GatewayEngine::Get(const std::string& payment_id) const {
  const auto it = payments_.find(payment_id);
  if (it == payments_.end()) return Status::NotFound("no such payment");
  return it->second.payment;
}

StatusOr<GatewayEngine::Record*> GatewayEngine::Find(const std::string& payment_id) {
  const auto it = payments_.find(payment_id);
  if (it == payments_.end()) return Status::NotFound("no such payment");
  return &it->second;
}

StatusOr<Payment> GatewayEngine::Approve(const std::string& payment_id, int64_t now_ms,
                                         std::vector<Delivery>* out) {
  StatusOr<Record*> r = Find(payment_id);
  if (!r.ok()) return r.status();
  if (Status s = Settle(**r, true, now_ms, out); !s.ok()) return s;
  return (*r)->payment;
}

StatusOr<Payment> GatewayEngine::Decline(const std::string& payment_id, int64_t now_ms,
                                         std::vector<Delivery>* out) {
  StatusOr<Record*> r = Find(payment_id);
  if (!r.ok()) return r.status();
  if (Status s = Settle(**r, false, now_ms, out); !s.ok()) return s;
  return (*r)->payment;
}

Status GatewayEngine::Settle(Record& r, bool approve, int64_t now_ms, std::vector<Delivery>* out) {
  Payment& p = r.payment;
  if (p.status != PaymentStatus::kPending && p.status != PaymentStatus::kFailed) {
    return Status::FailedPrecondition("the payment has already " +
                                      std::string(PaymentStatusName(p.status)));
  }
  const bool succeeded = approve && !Roll(knobs_.decline_percent);
  p.status = succeeded ? PaymentStatus::kSucceeded : PaymentStatus::kFailed;
  p.updated_at_ms = now_ms;
  (succeeded ? stats_.succeeded : stats_.failed)++;
  WebhookEvent e;
  e.type = succeeded ? WebhookType::kPaymentSucceeded : WebhookType::kPaymentFailed;
  e.payment = p;
  Emit(std::move(e), now_ms, out);
  return Status::Ok();
}

StatusOr<Payment> GatewayEngine::Cancel(const std::string& payment_id, int64_t now_ms) {
  StatusOr<Record*> r = Find(payment_id);
  if (!r.ok()) return r.status();
  Payment& p = (*r)->payment;
  if (p.status == PaymentStatus::kSucceeded || p.status == PaymentStatus::kRefunded) {
    return Status::FailedPrecondition("the payment was charged (" +
                                      std::string(PaymentStatusName(p.status)) + ")");
  }
  if (p.status != PaymentStatus::kCancelled) {
    p.status = PaymentStatus::kCancelled;
    p.updated_at_ms = now_ms;
    stats_.cancelled++;
  }
  return p;
}

StatusOr<Refund> GatewayEngine::RefundPayment(const std::string& payment_id, const std::string& key,
                                              int64_t now_ms, std::vector<Delivery>* out) {
  if (key.empty()) return Status::InvalidArgument("a refund needs an idempotency key");
  StatusOr<Record*> found = Find(payment_id);
  if (!found.ok()) return found.status();
  Record& r = **found;
  if (r.refund) {
    if (r.refund_key == key) return *r.refund;
    return Status::FailedPrecondition("the payment is already refunded");
  }
  if (r.payment.status != PaymentStatus::kSucceeded) {
    return Status::FailedPrecondition("only a succeeded payment can be refunded; this one is " +
                                      std::string(PaymentStatusName(r.payment.status)));
  }
  Refund refund;
  refund.id = NewId("re_");
  refund.payment_id = payment_id;
  refund.amount_minor = r.payment.amount_minor;
  refund.created_at_ms = now_ms;
  r.refund = refund;
  r.refund_key = key;
  r.payment.status = PaymentStatus::kRefunded;
  r.payment.updated_at_ms = now_ms;
  stats_.refunded++;
  WebhookEvent e;
  e.type = WebhookType::kRefundSucceeded;
  e.payment = r.payment;
  e.refund_id = refund.id;
  Emit(std::move(e), now_ms, out);
  return refund;
}

void GatewayEngine::SettleDue(int64_t now_ms, std::vector<Delivery>* out) {
  while (!auto_pay_.empty() && auto_pay_.front().first <= now_ms) {
    const std::string id = std::move(auto_pay_.front().second);
    auto_pay_.pop_front();
    Record& r = payments_.at(id);
    if (r.payment.status == PaymentStatus::kPending) {
      // The fan "approves"; the decline rate decides, as for a real click.
      BOX_ASSERT(Settle(r, true, now_ms, out).ok());
    }
  }
}

std::optional<int64_t> GatewayEngine::NextDueMs() const {
  if (auto_pay_.empty()) return std::nullopt;
  return auto_pay_.front().first;
}

void GatewayEngine::Emit(WebhookEvent event, int64_t now_ms, std::vector<Delivery>* out) {
  event.id = NewId("evt_");
  event.created_at_ms = now_ms;
  stats_.events++;
  if (Roll(knobs_.webhook_loss_percent)) {
    stats_.lost++;
    return;
  }
  const int copies = Roll(knobs_.webhook_duplicate_percent) ? 2 : 1;
  if (copies == 2) stats_.duplicated++;
  for (int i = 0; i < copies; ++i) {
    const int64_t extra =
        knobs_.webhook_reorder_ms > 0
            ? static_cast<int64_t>(Next() % static_cast<uint64_t>(knobs_.webhook_reorder_ms + 1))
            : 0;
    out->push_back(Delivery{event, now_ms + extra});
  }
}

std::string GatewayEngine::NewId(std::string_view prefix) {
  const core::Token t = ids_.Next();
  return std::string(prefix) + crypto::HexEncode(std::span<const uint8_t>(t.bytes));
}

bool GatewayEngine::Roll(uint32_t percent) {
  if (percent == 0) return false;  // an off knob draws nothing: the others stay reproducible
  return Next() % kPercentMax < percent;
}

// SplitMix64: small, fast, and the same sequence on every platform.
uint64_t GatewayEngine::Next() {
  uint64_t z = (rng_state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace boxoffice::payments
