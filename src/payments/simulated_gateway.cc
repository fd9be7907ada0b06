#include "payments/simulated_gateway.h"

#include <algorithm>
#include <chrono>

#include "crypto/random.h"

namespace boxoffice::payments {

int64_t SystemWallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {

std::unique_ptr<core::TokenSource> OrRandom(std::unique_ptr<core::TokenSource> ids) {
  if (ids != nullptr) return ids;
  return std::make_unique<crypto::RandomTokens>();
}

}  // namespace

SimulatedGateway::SimulatedGateway(SimulatorKnobs knobs, uint64_t seed, WebhookSink& sink,
                                   WallClock now_ms, std::unique_ptr<core::TokenSource> ids)
    : now_ms_(std::move(now_ms)),
      sink_(sink),
      ids_(OrRandom(std::move(ids))),
      latency_ms_(knobs.latency_ms),
      auto_pay_ms_(knobs.auto_pay_ms),
      engine_(knobs, seed, *ids_),
      worker_([this] { Run(); }) {}

SimulatedGateway::~SimulatedGateway() { Stop(); }

void SimulatedGateway::Stop() {
  {
    std::lock_guard<std::mutex> lock(tasks_mu_);
    stopping_ = true;
  }
  tasks_cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void SimulatedGateway::SetPayUrlBase(std::string base) {
  std::lock_guard<std::mutex> lock(engine_mu_);
  engine_.SetPayUrlBase(std::move(base));
}

EngineStats SimulatedGateway::stats() const {
  std::lock_guard<std::mutex> lock(engine_mu_);
  return engine_.stats();
}

void SimulatedGateway::Schedule(int64_t delay_ms, std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(tasks_mu_);
    if (stopping_) return;
    tasks_.push(
        Task{Clock::now() + std::chrono::milliseconds(delay_ms), next_seq_++, std::move(fn)});
  }
  tasks_cv_.notify_one();
}

template <typename T>
void SimulatedGateway::Call(std::function<StatusOr<T>(std::vector<Delivery>*)> op, Done<T> done) {
  Schedule(latency_ms_, [this, op = std::move(op), done = std::move(done)] {
    std::vector<Delivery> deliveries;
    StatusOr<T> result = [&] {
      std::lock_guard<std::mutex> lock(engine_mu_);
      return op(&deliveries);
    }();
    for (Delivery& d : deliveries) sink_.Deliver(std::move(d));
    done(std::move(result));
  });
}

void SimulatedGateway::Create(const PaymentRequest& request, Done<GatewayEngine::Created> done) {
  Call<GatewayEngine::Created>(
      [this, request](std::vector<Delivery>*) -> StatusOr<GatewayEngine::Created> {
        StatusOr<GatewayEngine::Created> c = engine_.Create(request, now_ms_());
        if (c.ok() && !c->replayed && auto_pay_ms_ > 0) {
          const int64_t due_ms = c->payment.created_at_ms + auto_pay_ms_;
          Schedule(auto_pay_ms_, [this, due_ms] { SettleDue(due_ms); });
        }
        return c;
      },
      std::move(done));
}

void SimulatedGateway::CreatePayment(const PaymentRequest& request, Done<Payment> done) {
  Create(request, [done = std::move(done)](StatusOr<GatewayEngine::Created> c) {
    if (!c.ok()) return done(c.status());
    done(std::move(c->payment));
  });
}

void SimulatedGateway::GetPayment(const std::string& payment_id, Done<Payment> done) {
  Call<Payment>([this, payment_id](std::vector<Delivery>*) { return engine_.Get(payment_id); },
                std::move(done));
}

void SimulatedGateway::CancelPayment(const std::string& payment_id, Done<Payment> done) {
  Call<Payment>(
      [this, payment_id](std::vector<Delivery>*) { return engine_.Cancel(payment_id, now_ms_()); },
      std::move(done));
}

void SimulatedGateway::RefundPayment(const std::string& payment_id,
                                     const std::string& idempotency_key, Done<Refund> done) {
  Call<Refund>(
      [this, payment_id, idempotency_key](std::vector<Delivery>* out) {
        return engine_.RefundPayment(payment_id, idempotency_key, now_ms_(), out);
      },
      std::move(done));
}

void SimulatedGateway::Approve(const std::string& payment_id, Done<Payment> done) {
  Call<Payment>(
      [this, payment_id](std::vector<Delivery>* out) {
        return engine_.Approve(payment_id, now_ms_(), out);
      },
      std::move(done));
}

void SimulatedGateway::Decline(const std::string& payment_id, Done<Payment> done) {
  Call<Payment>(
      [this, payment_id](std::vector<Delivery>* out) {
        return engine_.Decline(payment_id, now_ms_(), out);
      },
      std::move(done));
}

void SimulatedGateway::SettleDue(int64_t due_ms) {
  std::vector<Delivery> deliveries;
  {
    // At least `due_ms`: the wall clock may lag the timer by a millisecond.
    std::lock_guard<std::mutex> lock(engine_mu_);
    engine_.SettleDue(std::max(now_ms_(), due_ms), &deliveries);
  }
  for (Delivery& d : deliveries) sink_.Deliver(std::move(d));
}

void SimulatedGateway::Run() {
  std::unique_lock<std::mutex> lock(tasks_mu_);
  while (!stopping_) {
    if (tasks_.empty()) {
      tasks_cv_.wait(lock);
      continue;
    }
    if (const Clock::time_point at = tasks_.top().at; at > Clock::now()) {
      tasks_cv_.wait_until(lock, at);
      continue;
    }
    std::function<void()> run = std::move(const_cast<Task&>(tasks_.top()).run);
    tasks_.pop();
    lock.unlock();
    run();
    lock.lock();
  }
}

}  // namespace boxoffice::payments
