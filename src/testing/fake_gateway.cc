#include "testing/fake_gateway.h"

#include <cstdio>

namespace boxoffice::testing {

using payments::Payment;
using payments::PaymentStatus;

std::string FakeGateway::NextId(const char* prefix) {
  char hex[33];
  std::snprintf(hex, sizeof(hex), "%032llx", static_cast<unsigned long long>(++next_id_));
  return std::string(prefix) + hex;
}

void FakeGateway::Queue(std::function<void()> fn) { queue_.push_back(std::move(fn)); }

void FakeGateway::CreatePayment(const payments::PaymentRequest& request,
                                payments::Done<Payment> done) {
  std::lock_guard<std::mutex> lock(mu_);
  ++create_calls_;
  if (unavailable_) {
    return Queue([done] { done(Status::Unavailable("the gateway is down")); });
  }
  if (request.amount_minor <= 0 || request.idempotency_key.empty()) {
    return Queue([done] { done(Status::InvalidArgument("bad payment request")); });
  }
  auto [it, added] = by_key_.try_emplace(request.idempotency_key, "");
  if (added) {
    Payment p;
    p.id = NextId("pay_");
    p.reference = request.reference;
    p.amount_minor = request.amount_minor;
    p.currency = request.currency;
    p.pay_url = "http://127.0.0.1/pay/" + p.id;
    p.created_at_ms = p.updated_at_ms = now_ms_();
    it->second = p.id;
    payments_[p.id] = p;
  }
  Payment p = payments_.at(it->second);
  Queue([done, p] { done(p); });
}

void FakeGateway::GetPayment(const std::string& payment_id, payments::Done<Payment> done) {
  std::lock_guard<std::mutex> lock(mu_);
  ++get_calls_;
  if (unavailable_) return Queue([done] { done(Status::Unavailable("the gateway is down")); });
  auto it = payments_.find(payment_id);
  if (it == payments_.end()) return Queue([done] { done(Status::NotFound("no such payment")); });
  Payment p = it->second;
  Queue([done, p] { done(p); });
}

void FakeGateway::RefundPayment(const std::string& payment_id, const std::string& idempotency_key,
                                payments::Done<payments::Refund> done) {
  std::lock_guard<std::mutex> lock(mu_);
  if (unavailable_) return Queue([done] { done(Status::Unavailable("the gateway is down")); });
  if (auto r = refunds_.find(idempotency_key); r != refunds_.end()) {
    payments::Refund refund = r->second;
    return Queue([done, refund] { done(refund); });
  }
  auto it = payments_.find(payment_id);
  if (it == payments_.end() || it->second.status != PaymentStatus::kSucceeded) {
    return Queue([done] { done(Status::FailedPrecondition("the payment did not succeed")); });
  }
  it->second.status = PaymentStatus::kRefunded;
  it->second.updated_at_ms = now_ms_();
  payments::Refund refund{NextId("re_"), payment_id, it->second.amount_minor, now_ms_()};
  refunds_[idempotency_key] = refund;
  refund_events_.push_back(payments::WebhookEvent{
      NextId("evt_"), payments::WebhookType::kRefundSucceeded, now_ms_(), it->second, refund.id});
  Queue([done, refund] { done(refund); });
}

void FakeGateway::CancelPayment(const std::string& payment_id, payments::Done<Payment> done) {
  std::lock_guard<std::mutex> lock(mu_);
  ++cancel_calls_;
  if (unavailable_) return Queue([done] { done(Status::Unavailable("the gateway is down")); });
  auto it = payments_.find(payment_id);
  if (it == payments_.end()) return Queue([done] { done(Status::NotFound("no such payment")); });
  Payment& p = it->second;
  if (p.status == PaymentStatus::kSucceeded || p.status == PaymentStatus::kRefunded) {
    return Queue([done] { done(Status::FailedPrecondition("the payment was charged")); });
  }
  if (p.status != PaymentStatus::kCancelled) {
    p.status = PaymentStatus::kCancelled;
    p.updated_at_ms = now_ms_();
  }
  Queue([done, p] { done(p); });
}

size_t FakeGateway::RunPending() {
  size_t ran = 0;
  while (true) {
    std::function<void()> next;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (queue_.empty()) return ran;
      next = std::move(queue_.front());
      queue_.pop_front();
    }
    next();
    ++ran;
  }
}

payments::WebhookEvent FakeGateway::Decide(const std::string& payment_id, PaymentStatus status,
                                           payments::WebhookType type) {
  std::lock_guard<std::mutex> lock(mu_);
  Payment& p = payments_.at(payment_id);
  if (p.status == PaymentStatus::kPending || p.status == PaymentStatus::kFailed) {
    p.status = status;
    p.updated_at_ms = now_ms_();
  } else {  // refused: the event says what the payment is (cancelled: still not charged)
    type = p.status == PaymentStatus::kSucceeded  ? payments::WebhookType::kPaymentSucceeded
           : p.status == PaymentStatus::kRefunded ? payments::WebhookType::kRefundSucceeded
                                                  : payments::WebhookType::kPaymentFailed;
  }
  return payments::WebhookEvent{NextId("evt_"), type, now_ms_(), p, ""};
}

payments::WebhookEvent FakeGateway::Approve(const std::string& payment_id) {
  return Decide(payment_id, PaymentStatus::kSucceeded, payments::WebhookType::kPaymentSucceeded);
}

payments::WebhookEvent FakeGateway::Decline(const std::string& payment_id) {
  return Decide(payment_id, PaymentStatus::kFailed, payments::WebhookType::kPaymentFailed);
}

std::vector<payments::WebhookEvent> FakeGateway::TakeRefundEvents() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::exchange(refund_events_, {});
}

void FakeGateway::SetUnavailable(bool unavailable) {
  std::lock_guard<std::mutex> lock(mu_);
  unavailable_ = unavailable;
}

std::optional<Payment> FakeGateway::Find(const std::string& payment_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = payments_.find(payment_id);
  if (it == payments_.end()) return std::nullopt;
  return it->second;
}

std::vector<Payment> FakeGateway::All() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Payment> out;
  for (const auto& [id, p] : payments_) out.push_back(p);
  return out;
}

size_t FakeGateway::refunds() const {
  std::lock_guard<std::mutex> lock(mu_);
  return refunds_.size();
}

size_t FakeGateway::create_calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return create_calls_;
}

size_t FakeGateway::cancel_calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cancel_calls_;
}

size_t FakeGateway::get_calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return get_calls_;
}

}  // namespace boxoffice::testing
