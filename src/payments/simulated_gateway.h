// SimulatedGateway: the in-process card processor behind PaymentGateway.
//
//   http::WebhookSender sender(...);                      // a WebhookSink
//   SimulatedGateway gateway(knobs, seed, sender);
//   gateway.SetPayUrlBase("http://127.0.0.1:8080/gateway/pay/");
//   gateway.CreatePayment(request, [](StatusOr<Payment> p) { ... });   // later, on its thread
//   gateway.Approve(id, done);                                         // the fan's click
//
// The rules are GatewayEngine's (gateway_engine.h); this class adds the time
// and the threads: one worker thread runs every call after the latency knob,
// runs auto-pay when it falls due, hands the engine's webhooks to the sink,
// and calls `done` (never inline in the call). Payments are kept in memory
// only: a restarted simulated gateway has forgotten them.
//
// Thread-safety: every method may be called from any thread. Stop() (also
// run by the destructor) joins the worker; calls still waiting are dropped
// without running their `done`.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

#include "payments/gateway.h"
#include "payments/gateway_engine.h"

namespace boxoffice::payments {

// Where the simulated gateway's webhooks go (the HTTP sender, or a test's
// recorder). Deliver is called from the gateway's thread and must not block.
class WebhookSink {
 public:
  virtual ~WebhookSink() = default;
  virtual void Deliver(Delivery delivery) = 0;
};

// Wall-clock milliseconds since the Unix epoch.
using WallClock = std::function<int64_t()>;
int64_t SystemWallMs();

class SimulatedGateway final : public PaymentGateway {
 public:
  // `ids` defaults to the CSPRNG; tests pass a seeded source.
  SimulatedGateway(SimulatorKnobs knobs, uint64_t seed, WebhookSink& sink,
                   WallClock now_ms = SystemWallMs,
                   std::unique_ptr<core::TokenSource> ids = nullptr);
  ~SimulatedGateway() override;
  SimulatedGateway(const SimulatedGateway&) = delete;
  SimulatedGateway& operator=(const SimulatedGateway&) = delete;

  void SetPayUrlBase(std::string base);

  void CreatePayment(const PaymentRequest& request, Done<Payment> done) override;
  void GetPayment(const std::string& payment_id, Done<Payment> done) override;
  void CancelPayment(const std::string& payment_id, Done<Payment> done) override;
  void RefundPayment(const std::string& payment_id, const std::string& idempotency_key,
                     Done<Refund> done) override;

  // CreatePayment that also says whether the key had been used before.
  void Create(const PaymentRequest& request, Done<GatewayEngine::Created> done);
  // The fan's answer at pay_url.
  void Approve(const std::string& payment_id, Done<Payment> done);
  void Decline(const std::string& payment_id, Done<Payment> done);

  EngineStats stats() const;
  void Stop();

 private:
  using Clock = std::chrono::steady_clock;
  struct Task {
    Clock::time_point at;
    uint64_t seq;
    std::function<void()> run;
    bool operator>(const Task& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };

  // Runs `fn` on the worker after `delay_ms`.
  void Schedule(int64_t delay_ms, std::function<void()> fn);
  // Runs `op` under the lock after the latency knob, sends its webhooks, then `done`.
  template <typename T>
  void Call(std::function<StatusOr<T>(std::vector<Delivery>*)> op, Done<T> done);
  void SettleDue(int64_t due_ms);
  void Run();

  const WallClock now_ms_;
  WebhookSink& sink_;
  std::unique_ptr<core::TokenSource> ids_;
  const int64_t latency_ms_;
  const int64_t auto_pay_ms_;

  mutable std::mutex engine_mu_;  // guards engine_
  GatewayEngine engine_;

  std::mutex tasks_mu_;  // guards the three below
  std::condition_variable tasks_cv_;
  std::priority_queue<Task, std::vector<Task>, std::greater<>> tasks_;
  uint64_t next_seq_ = 0;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace boxoffice::payments
