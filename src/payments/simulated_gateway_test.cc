#include "payments/simulated_gateway.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "testing/seeded_tokens.h"

namespace boxoffice::payments {
namespace {

constexpr int64_t kT0 = 1'800'000'000'000;

class RecordingSink final : public WebhookSink {
 public:
  void Deliver(Delivery d) override {
    std::lock_guard<std::mutex> lock(mu_);
    deliveries_.push_back(std::move(d));
    cv_.notify_all();
  }
  // Waits (bounded) until `n` deliveries arrived; returns them.
  std::vector<Delivery> WaitFor(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [&] { return deliveries_.size() >= n; });
    return deliveries_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Delivery> deliveries_;
};

PaymentRequest Request(std::string key) {
  PaymentRequest r;
  r.idempotency_key = std::move(key);
  r.amount_minor = 1'000;
  r.currency = "EUR";
  r.reference = "h1-1";
  return r;
}

template <typename T>
StatusOr<T> Await(const std::function<void(Done<T>)>& start) {
  auto p = std::make_shared<std::promise<StatusOr<T>>>();
  auto f = p->get_future();
  start([p](StatusOr<T> v) { p->set_value(std::move(v)); });
  EXPECT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  return f.get();
}

std::unique_ptr<core::TokenSource> Ids() { return std::make_unique<testing::SeededTokens>(3); }

TEST(SimulatedGateway, AnswersOnItsOwnThreadNeverInline) {
  RecordingSink sink;
  SimulatedGateway gw(
      {}, 1, sink, [] { return kT0; }, Ids());
  const std::thread::id caller = std::this_thread::get_id();
  std::promise<std::thread::id> answered;
  gw.CreatePayment(Request("k"), [&](StatusOr<Payment> p) {
    EXPECT_TRUE(p.ok());
    answered.set_value(std::this_thread::get_id());
  });
  EXPECT_NE(answered.get_future().get(), caller);
}

TEST(SimulatedGateway, ApprovalSendsTheWebhookToTheSink) {
  RecordingSink sink;
  SimulatedGateway gw(
      {}, 1, sink, [] { return kT0; }, Ids());
  gw.SetPayUrlBase("http://x/gateway/pay/");
  StatusOr<Payment> p =
      Await<Payment>([&](Done<Payment> d) { gw.CreatePayment(Request("k"), std::move(d)); });
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->pay_url, "http://x/gateway/pay/" + p->id);
  ASSERT_TRUE(Await<Payment>([&](Done<Payment> d) { gw.Approve(p->id, std::move(d)); }).ok());
  const std::vector<Delivery> got = sink.WaitFor(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].event.type, WebhookType::kPaymentSucceeded);
  StatusOr<Refund> r =
      Await<Refund>([&](Done<Refund> d) { gw.RefundPayment(p->id, "r1", std::move(d)); });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(sink.WaitFor(2).back().event.type, WebhookType::kRefundSucceeded);
  EXPECT_EQ(Await<Payment>([&](Done<Payment> d) { gw.GetPayment("pay_x", std::move(d)); })
                .status()
                .code(),
            StatusCode::kNotFound);
}

TEST(SimulatedGateway, AutoPaySettlesWithoutTheFan) {
  RecordingSink sink;
  SimulatorKnobs knobs;
  knobs.auto_pay_ms = 20;
  SimulatedGateway gw(knobs, 1, sink, payments::SystemWallMs, Ids());
  StatusOr<Payment> p =
      Await<Payment>([&](Done<Payment> d) { gw.CreatePayment(Request("k"), std::move(d)); });
  ASSERT_TRUE(p.ok());
  const std::vector<Delivery> got = sink.WaitFor(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].event.payment.id, p->id);
  EXPECT_EQ(gw.stats().succeeded, 1u);
}

TEST(SimulatedGateway, LatencyKnobDelaysTheAnswer) {
  RecordingSink sink;
  SimulatorKnobs knobs;
  knobs.latency_ms = 50;
  SimulatedGateway gw(
      knobs, 1, sink, [] { return kT0; }, Ids());
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(
      Await<Payment>([&](Done<Payment> d) { gw.CreatePayment(Request("k"), std::move(d)); }).ok());
  // A lower bound only: the knob must be honoured; how fast is not asserted.
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(50));
}

}  // namespace
}  // namespace boxoffice::payments
