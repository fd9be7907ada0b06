// SimGateway: the simulation's payment processor (payments::PaymentGateway),
// the simulated gateway's rules (payments::GatewayEngine) under the
// simulation's control. It is another system: it outlives every crash of the
// booking server and keeps its payments.
//
// A call takes effect when it is made (unless the gateway is down: then it
// answers kUnavailable and does nothing); its answer waits until the
// simulation delivers it, in any order, or is lost when the booking server
// crashes. A refund may fail once before it is made. Webhooks wait in the
// outbox for the simulation to deliver, repeat, reorder or lose. The fan's
// side is Approve and Decline (a declined card may be tried again).
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "payments/gateway.h"
#include "payments/gateway_engine.h"
#include "sim/sim_clock.h"

namespace boxoffice::sim {

class SimGateway final : public payments::PaymentGateway {
 public:
  SimGateway(uint64_t seed, const SimClock& clock);
  ~SimGateway() override;

  void CreatePayment(const payments::PaymentRequest& request,
                     payments::Done<payments::Payment> done) override;
  void GetPayment(const std::string& payment_id, payments::Done<payments::Payment> done) override;
  void RefundPayment(const std::string& payment_id, const std::string& idempotency_key,
                     payments::Done<payments::Refund> done) override;
  void CancelPayment(const std::string& payment_id,
                     payments::Done<payments::Payment> done) override;

  // ---- The simulation's controls ----
  void SetDown(bool down) { down_ = down; }
  bool down() const { return down_; }
  // Refunds fail once, this often (percent), before one is made.
  void SetRefundFailurePercent(uint32_t percent) { refund_failure_percent_ = percent; }
  size_t answers_waiting() const { return answers_.size(); }
  // Delivers the answer at `index` (modulo the number waiting).
  void Answer(size_t index);
  // The booking server died: answers on their way to it are lost.
  void DropAnswers() { answers_.clear(); }

  // The fan at the pay page.
  StatusOr<payments::Payment> Approve(const std::string& payment_id);
  StatusOr<payments::Payment> Decline(const std::string& payment_id);

  std::vector<payments::WebhookEvent>& outbox() { return outbox_; }

  std::optional<payments::Payment> Find(const std::string& payment_id) const;
  const std::vector<std::string>& payment_ids() const { return ids_; }

 private:
  void Queue(std::function<void()> answer) { answers_.push_back(std::move(answer)); }
  void Emit(std::vector<payments::Delivery>& out);

  const SimClock& clock_;
  std::unique_ptr<core::TokenSource> ids_source_;
  payments::GatewayEngine engine_;
  std::mt19937_64 rng_;
  bool down_ = false;
  uint32_t refund_failure_percent_ = 0;
  std::vector<std::string> failed_refund_once_;  // payment ids whose refund failed once
  std::deque<std::function<void()>> answers_;
  std::vector<payments::WebhookEvent> outbox_;
  std::vector<std::string> ids_;  // every payment made, in order
};

}  // namespace boxoffice::sim
