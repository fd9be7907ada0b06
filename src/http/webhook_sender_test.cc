#include "http/webhook_sender.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>

#include "http/payments_json.h"
#include "http/server.h"
#include "payments/webhook.h"
#include "testing/seeded_tokens.h"
#include "testing/webhook_receiver.h"

namespace boxoffice::http {
namespace {

constexpr std::string_view kSecret = "whsec-test-0123456789abcdef0123456789abcdef";

payments::Delivery Event(std::string id, int64_t not_before_ms = 0) {
  payments::Delivery d;
  d.event.id = std::move(id);
  d.event.type = payments::WebhookType::kPaymentSucceeded;
  d.event.created_at_ms = payments::SystemWallMs();
  d.event.payment.id = "pay_1";
  d.event.payment.reference = "h1-1";
  d.event.payment.amount_minor = 100;
  d.event.payment.currency = "EUR";
  d.event.payment.status = payments::PaymentStatus::kSucceeded;
  d.event.payment.pay_url = "http://x/gateway/pay/pay_1";
  d.not_before_ms = not_before_ms;
  return d;
}

WebhookSenderOptions FastRetries(uint32_t attempts_max = 5) {
  WebhookSenderOptions o;
  o.secret = std::string(kSecret);
  o.retry.first_delay_ms = 20;
  o.retry.delay_max_ms = 80;
  o.retry.attempts_max = attempts_max;
  o.timeout = std::chrono::seconds(5);
  return o;
}

// Waits (bounded) until `pred` holds; the sender counts after the receiver answered.
template <typename Pred>
bool Eventually(Pred pred) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

TEST(WebhookSender, RetriesWithBackoffUntil2xxAndEveryAttemptIsSigned) {
  testing::WebhookReceiver receiver;
  receiver.FailNext(2, 503);
  ASSERT_TRUE(receiver.Start().ok());
  metrics::Registry registry;
  WebhookSender sender(FastRetries(), registry);
  ASSERT_TRUE(sender.Start(receiver.url()).ok());
  sender.Deliver(Event("evt_a"));
  const std::vector<testing::ReceivedWebhook> got = receiver.WaitFor(3);
  ASSERT_EQ(got.size(), 3u);
  for (const testing::ReceivedWebhook& w : got) {
    EXPECT_TRUE(
        payments::VerifyWebhook(kSecret, w.signature, w.body, payments::SystemWallMs() / 1000).ok())
        << w.signature;
    StatusOr<payments::WebhookEvent> e = DecodeWebhookEvent(w.body);
    ASSERT_TRUE(e.ok()) << e.status().message();
    EXPECT_EQ(e->id, "evt_a");
  }
  // The second retry waited at least half of twice the first delay.
  EXPECT_GE(got[2].at - got[1].at, std::chrono::milliseconds(20));
  ASSERT_TRUE(Eventually([&] { return sender.stats().delivered == 1; }));
  EXPECT_EQ(sender.stats().retried, 2u);
  EXPECT_EQ(sender.stats().dropped, 0u);
  EXPECT_EQ(sender.pending(), 0u);
}

TEST(WebhookSender, GivesUpAfterTheLastAttempt) {
  testing::WebhookReceiver receiver;
  receiver.FailNext(1'000, 500);
  ASSERT_TRUE(receiver.Start().ok());
  metrics::Registry registry;
  WebhookSender sender(FastRetries(3), registry);
  ASSERT_TRUE(sender.Start(receiver.url()).ok());
  sender.Deliver(Event("evt_a"));
  ASSERT_TRUE(Eventually([&] { return sender.stats().dropped == 1; }));
  EXPECT_EQ(receiver.received().size(), 3u);
  EXPECT_EQ(sender.stats().retried, 2u);
  EXPECT_EQ(sender.stats().delivered, 0u);
  EXPECT_NE(registry.RenderText().find("webhook_deliveries_total{outcome=\"dropped\"} 1"),
            std::string::npos);
}

TEST(WebhookSender, RetriesWhenNobodyListens) {
  testing::WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start().ok());
  const std::string url = receiver.url();
  receiver.Stop();  // the port is now closed
  metrics::Registry registry;
  WebhookSender sender(FastRetries(2), registry);
  ASSERT_TRUE(sender.Start(url).ok());
  sender.Deliver(Event("evt_a"));
  ASSERT_TRUE(Eventually([&] { return sender.stats().dropped == 1; }));
  EXPECT_EQ(sender.stats().retried, 1u);
}

TEST(WebhookSender, ADelayedDeliveryIsOvertakenByALaterOne) {
  testing::WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start().ok());
  metrics::Registry registry;
  WebhookSender sender(FastRetries(), registry);
  ASSERT_TRUE(sender.Start(receiver.url()).ok());
  sender.Deliver(Event("evt_first", payments::SystemWallMs() + 300));
  sender.Deliver(Event("evt_second"));
  const std::vector<testing::ReceivedWebhook> got = receiver.WaitFor(2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_NE(got[0].body.find("evt_second"), std::string::npos);
  EXPECT_NE(got[1].body.find("evt_first"), std::string::npos);
}

TEST(WebhookSender, TheQueueIsBoundedAndWaitsForStart) {
  testing::WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start().ok());
  metrics::Registry registry;
  WebhookSenderOptions o = FastRetries();
  o.queue_max = 2;
  WebhookSender sender(o, registry);
  for (int i = 0; i < 5; ++i) sender.Deliver(Event("evt_" + std::to_string(i)));
  EXPECT_EQ(sender.stats().dropped, 3u);
  EXPECT_EQ(sender.pending(), 2u);
  ASSERT_TRUE(sender.Start(receiver.url()).ok());
  EXPECT_EQ(receiver.WaitFor(2).size(), 2u);
  ASSERT_TRUE(Eventually([&] { return sender.stats().delivered == 2; }));
}

TEST(WebhookSender, RefusesABadUrl) {
  metrics::Registry registry;
  WebhookSender sender(FastRetries(), registry);
  EXPECT_FALSE(sender.Start("https://example.com/hook").ok());
}

// The simulated gateway's knobs seen from the receiving end.
struct GatewayWithSender {
  explicit GatewayWithSender(payments::SimulatorKnobs knobs)
      : sender(FastRetries(), registry),
        gateway(knobs, 9, sender, payments::SystemWallMs,
                std::make_unique<testing::SeededTokens>(5)) {}

  // Creates and approves a payment; returns once the gateway answered (its
  // webhooks are in the sender by then).
  payments::Payment Pay(const std::string& key) {
    payments::PaymentRequest r{key, 700, "EUR", "h1-2", ""};
    std::promise<StatusOr<payments::Payment>> created, approved;
    gateway.CreatePayment(r, [&](StatusOr<payments::Payment> p) { created.set_value(p); });
    StatusOr<payments::Payment> p = created.get_future().get();
    EXPECT_TRUE(p.ok());
    gateway.Approve(p->id, [&](StatusOr<payments::Payment> a) { approved.set_value(a); });
    EXPECT_TRUE(approved.get_future().get().ok());
    return *p;
  }

  metrics::Registry registry;
  WebhookSender sender;
  payments::SimulatedGateway gateway;
};

TEST(WebhookSender, DuplicationKnobDeliversTheSameEventTwice) {
  testing::WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start().ok());
  payments::SimulatorKnobs knobs;
  knobs.webhook_duplicate_percent = 100;
  GatewayWithSender g(knobs);
  ASSERT_TRUE(g.sender.Start(receiver.url()).ok());
  g.Pay("k1");
  const std::vector<testing::ReceivedWebhook> got = receiver.WaitFor(2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(DecodeWebhookEvent(got[0].body)->id, DecodeWebhookEvent(got[1].body)->id);
}

TEST(WebhookSender, LossKnobNeverHandsTheEventOver) {
  testing::WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start().ok());
  payments::SimulatorKnobs knobs;
  knobs.webhook_loss_percent = 100;
  GatewayWithSender g(knobs);
  ASSERT_TRUE(g.sender.Start(receiver.url()).ok());
  g.Pay("k1");
  EXPECT_EQ(g.gateway.stats().lost, 1u);
  EXPECT_EQ(g.sender.pending(), 0u);
  EXPECT_EQ(g.sender.stats().delivered + g.sender.stats().dropped, 0u);
}

TEST(WebhookSender, ReorderKnobLetsALaterEventArriveFirst) {
  testing::WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start().ok());
  payments::SimulatorKnobs knobs;
  knobs.webhook_reorder_ms = 400;
  GatewayWithSender g(knobs);
  ASSERT_TRUE(g.sender.Start(receiver.url()).ok());
  std::vector<std::string> paid;
  for (int i = 0; i < 8; ++i) paid.push_back(g.Pay("k" + std::to_string(i)).id);
  const std::vector<testing::ReceivedWebhook> got = receiver.WaitFor(paid.size());
  ASSERT_EQ(got.size(), paid.size());
  std::vector<std::string> arrived;
  for (const auto& w : got) arrived.push_back(DecodeWebhookEvent(w.body)->payment.id);
  EXPECT_NE(arrived, paid);  // with seed 9, some event overtakes an earlier one
  std::sort(arrived.begin(), arrived.end());
  std::sort(paid.begin(), paid.end());
  EXPECT_EQ(arrived, paid);  // none lost
}

}  // namespace
}  // namespace boxoffice::http
