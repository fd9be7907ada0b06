// FakeGateway: a deterministic payments::PaymentGateway for service tests.
//
// Calls never answer inline: their callbacks wait in a queue until the test
// drains it with RunPending() (on the test's thread), so a test decides when
// the gateway "answers" and can interleave webhooks, clock moves and
// restarts between a call and its answer. Ids are counters ("pay_000...1"),
// so runs repeat exactly.
//
// The fan's side is Approve/Decline, which return the webhook event the
// gateway would send (the test delivers it, drops it, repeats it or reorders
// it). Refunds succeed for succeeded payments; their events wait in
// TakeRefundEvents().
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "payments/gateway.h"
#include "payments/webhook.h"

namespace boxoffice::testing {

class FakeGateway final : public payments::PaymentGateway {
 public:
  explicit FakeGateway(std::function<int64_t()> now_ms) : now_ms_(std::move(now_ms)) {}

  void CreatePayment(const payments::PaymentRequest& request,
                     payments::Done<payments::Payment> done) override;
  void GetPayment(const std::string& payment_id, payments::Done<payments::Payment> done) override;
  void RefundPayment(const std::string& payment_id, const std::string& idempotency_key,
                     payments::Done<payments::Refund> done) override;
  void CancelPayment(const std::string& payment_id,
                     payments::Done<payments::Payment> done) override;

  // Runs queued callbacks, including those queued meanwhile; returns how many ran.
  size_t RunPending();
  // The fan pays or declines; the webhook event the gateway would send. A
  // payment that is not pending or failed any more stays as it is, and the
  // event tells its state (a cancelled one: payment.failed, never charged).
  payments::WebhookEvent Approve(const std::string& payment_id);
  payments::WebhookEvent Decline(const std::string& payment_id);
  std::vector<payments::WebhookEvent> TakeRefundEvents();
  // While set, every call answers kUnavailable.
  void SetUnavailable(bool unavailable);

  std::optional<payments::Payment> Find(const std::string& payment_id) const;
  std::vector<payments::Payment> All() const;
  size_t refunds() const;
  size_t create_calls() const;
  size_t get_calls() const;
  size_t cancel_calls() const;

 private:
  payments::WebhookEvent Decide(const std::string& payment_id, payments::PaymentStatus status,
                                payments::WebhookType type);
  void Queue(std::function<void()> fn);
  std::string NextId(const char* prefix);

  std::function<int64_t()> now_ms_;
  mutable std::mutex mu_;
  std::deque<std::function<void()>> queue_;
  std::map<std::string, payments::Payment> payments_;  // by id
  std::map<std::string, std::string> by_key_;          // idempotency key -> payment id
  std::map<std::string, payments::Refund> refunds_;    // refund key -> refund
  std::vector<payments::WebhookEvent> refund_events_;
  uint64_t next_id_ = 0;
  size_t create_calls_ = 0;
  size_t get_calls_ = 0;
  size_t cancel_calls_ = 0;
  bool unavailable_ = false;
};

}  // namespace boxoffice::testing
