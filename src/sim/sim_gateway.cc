#include "sim/sim_gateway.h"

#include <algorithm>

#include "core/seeded_tokens.h"

namespace boxoffice::sim {

using payments::Payment;

SimGateway::SimGateway(uint64_t seed, const SimClock& clock)
    : clock_(clock),
      ids_source_(std::make_unique<core::SeededTokens>(seed ^ 0x6761746577617931ULL)),
      engine_(payments::SimulatorKnobs{}, seed, *ids_source_),
      rng_(seed) {
  engine_.SetPayUrlBase("http://127.0.0.1/gateway/pay/");
}

SimGateway::~SimGateway() = default;

void SimGateway::Emit(std::vector<payments::Delivery>& out) {
  for (payments::Delivery& d : out) outbox_.push_back(std::move(d.event));
}

void SimGateway::CreatePayment(const payments::PaymentRequest& request,
                               payments::Done<Payment> done) {
  if (down_) return Queue([done] { done(Status::Unavailable("the gateway is down")); });
  StatusOr<payments::GatewayEngine::Created> c = engine_.Create(request, clock_.NowMs());
  if (c.ok() && !c->replayed) ids_.push_back(c->payment.id);
  StatusOr<Payment> p = c.ok() ? StatusOr<Payment>(c->payment) : StatusOr<Payment>(c.status());
  Queue([done, p] { done(p); });
}

void SimGateway::GetPayment(const std::string& payment_id, payments::Done<Payment> done) {
  if (down_) return Queue([done] { done(Status::Unavailable("the gateway is down")); });
  StatusOr<Payment> p = engine_.Get(payment_id);
  Queue([done, p] { done(p); });
}

void SimGateway::RefundPayment(const std::string& payment_id, const std::string& key,
                               payments::Done<payments::Refund> done) {
  const bool fails_once = std::find(failed_refund_once_.begin(), failed_refund_once_.end(),
                                    payment_id) == failed_refund_once_.end() &&
                          rng_() % 100 < refund_failure_percent_;
  if (down_ || fails_once) {
    if (fails_once) failed_refund_once_.push_back(payment_id);
    return Queue([done] { done(Status::Unavailable("the refund failed; try again")); });
  }
  std::vector<payments::Delivery> out;
  StatusOr<payments::Refund> r = engine_.RefundPayment(payment_id, key, clock_.NowMs(), &out);
  Emit(out);
  Queue([done, r] { done(r); });
}

void SimGateway::CancelPayment(const std::string& payment_id, payments::Done<Payment> done) {
  if (down_) return Queue([done] { done(Status::Unavailable("the gateway is down")); });
  StatusOr<Payment> p = engine_.Cancel(payment_id, clock_.NowMs());
  Queue([done, p] { done(p); });
}

void SimGateway::Answer(size_t index) {
  if (answers_.empty()) return;
  const auto it = answers_.begin() + static_cast<std::ptrdiff_t>(index % answers_.size());
  std::function<void()> answer = std::move(*it);
  answers_.erase(it);
  answer();
}

StatusOr<Payment> SimGateway::Approve(const std::string& payment_id) {
  std::vector<payments::Delivery> out;
  StatusOr<Payment> p = engine_.Approve(payment_id, clock_.NowMs(), &out);
  Emit(out);
  return p;
}

StatusOr<Payment> SimGateway::Decline(const std::string& payment_id) {
  std::vector<payments::Delivery> out;
  StatusOr<Payment> p = engine_.Decline(payment_id, clock_.NowMs(), &out);
  Emit(out);
  return p;
}

std::optional<Payment> SimGateway::Find(const std::string& payment_id) const {
  StatusOr<Payment> p = engine_.Get(payment_id);
  if (!p.ok()) return std::nullopt;
  return *p;
}

}  // namespace boxoffice::sim
