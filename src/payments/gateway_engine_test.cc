#include "payments/gateway_engine.h"

#include <gtest/gtest.h>

#include <set>

#include "payments/retry_policy.h"
#include "testing/seeded_tokens.h"

namespace boxoffice::payments {
namespace {

constexpr int64_t kT0 = 1'800'000'000'000;
constexpr uint64_t kSeed = 42;

PaymentRequest Request(std::string key, int64_t amount = 5'500) {
  PaymentRequest r;
  r.idempotency_key = std::move(key);
  r.amount_minor = amount;
  r.currency = "EUR";
  r.reference = "h1-7";
  r.description = "2 seats";
  return r;
}

struct Fixture {
  explicit Fixture(SimulatorKnobs knobs = {}, uint64_t seed = kSeed) : engine(knobs, seed, ids) {
    engine.SetPayUrlBase("http://gw.test/gateway/pay/");
  }
  Payment Create(std::string key, int64_t now = kT0) {
    StatusOr<GatewayEngine::Created> c = engine.Create(Request(std::move(key)), now);
    EXPECT_TRUE(c.ok()) << c.status().message();
    return c->payment;
  }
  testing::SeededTokens ids{7};
  GatewayEngine engine;
};

TEST(GatewayEngine, CreateMakesAPendingPaymentWithAPayUrl) {
  Fixture f;
  const Payment p = f.Create("k1");
  EXPECT_EQ(p.status, PaymentStatus::kPending);
  EXPECT_EQ(p.amount_minor, 5'500);
  EXPECT_EQ(p.reference, "h1-7");
  EXPECT_EQ(p.id.size(), 4u + 32u);
  EXPECT_TRUE(p.id.starts_with("pay_"));
  EXPECT_EQ(p.pay_url, "http://gw.test/gateway/pay/" + p.id);
  EXPECT_EQ(p.created_at_ms, kT0);
}

TEST(GatewayEngine, SameKeySameRequestGivesTheSamePayment) {
  Fixture f;
  const Payment a = f.Create("k1");
  StatusOr<GatewayEngine::Created> again = f.engine.Create(Request("k1"), kT0 + 5);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->payment.id, a.id);
  EXPECT_EQ(f.Create("k2").id == a.id, false);
  EXPECT_EQ(f.engine.stats().payments, 2u);
}

TEST(GatewayEngine, SameKeyDifferentAmountIsRefused) {
  Fixture f;
  f.Create("k1");
  StatusOr<GatewayEngine::Created> other = f.engine.Create(Request("k1", 9'999), kT0);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(other.status().message().find(kIdempotencyMismatch), std::string::npos);
}

TEST(GatewayEngine, ApproveSucceedsAndEmitsOneEvent) {
  Fixture f;
  const Payment p = f.Create("k1");
  std::vector<Delivery> out;
  StatusOr<Payment> done = f.engine.Approve(p.id, kT0 + 100, &out);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->status, PaymentStatus::kSucceeded);
  EXPECT_EQ(done->updated_at_ms, kT0 + 100);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].event.type, WebhookType::kPaymentSucceeded);
  EXPECT_EQ(out[0].event.payment.id, p.id);
  EXPECT_EQ(out[0].event.payment.status, PaymentStatus::kSucceeded);
  EXPECT_EQ(out[0].not_before_ms, kT0 + 100);
  EXPECT_TRUE(out[0].event.id.starts_with("evt_"));
  EXPECT_EQ(f.engine.Get(p.id)->status, PaymentStatus::kSucceeded);
}

TEST(GatewayEngine, DeclineFailsAndTheFanMayRetry) {
  Fixture f;
  const Payment p = f.Create("k1");
  std::vector<Delivery> out;
  ASSERT_EQ(f.engine.Decline(p.id, kT0, &out)->status, PaymentStatus::kFailed);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].event.type, WebhookType::kPaymentFailed);
  ASSERT_EQ(f.engine.Approve(p.id, kT0 + 1, &out)->status, PaymentStatus::kSucceeded);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_NE(out[0].event.id, out[1].event.id);
}

TEST(GatewayEngine, ASettledPaymentCannotBeApprovedOrDeclinedAgain) {
  Fixture f;
  const Payment p = f.Create("k1");
  std::vector<Delivery> out;
  ASSERT_TRUE(f.engine.Approve(p.id, kT0, &out).ok());
  EXPECT_EQ(f.engine.Approve(p.id, kT0, &out).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(f.engine.Decline(p.id, kT0, &out).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(out.size(), 1u);
  EXPECT_EQ(f.engine.Get(p.id)->status, PaymentStatus::kSucceeded);
}

// Cancelling makes "failed" final: the fan can no longer try the card again.
TEST(GatewayEngine, ACancelledPaymentCanNeverBeCharged) {
  Fixture f;
  const Payment p = f.Create("k1");
  std::vector<Delivery> out;
  ASSERT_EQ(f.engine.Decline(p.id, kT0, &out)->status, PaymentStatus::kFailed);
  StatusOr<Payment> cancelled = f.engine.Cancel(p.id, kT0 + 1);
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->status, PaymentStatus::kCancelled);
  EXPECT_EQ(f.engine.Cancel(p.id, kT0 + 2)->status, PaymentStatus::kCancelled);  // again: same
  EXPECT_EQ(f.engine.Approve(p.id, kT0 + 3, &out).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(f.engine.Get(p.id)->status, PaymentStatus::kCancelled);
  EXPECT_EQ(out.size(), 1u);  // the decline's event only: cancelling sends none
  EXPECT_EQ(f.engine.stats().cancelled, 1u);
}

TEST(GatewayEngine, AChargedPaymentIsNotCancelled) {
  Fixture f;
  const Payment p = f.Create("k1");
  std::vector<Delivery> out;
  ASSERT_TRUE(f.engine.Approve(p.id, kT0, &out).ok());
  EXPECT_EQ(f.engine.Cancel(p.id, kT0).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(f.engine.Get(p.id)->status, PaymentStatus::kSucceeded);
  EXPECT_EQ(f.engine.Cancel("pay_nope", kT0).status().code(), StatusCode::kNotFound);
}

TEST(GatewayEngine, UnknownIdsAreNotFound) {
  Fixture f;
  std::vector<Delivery> out;
  EXPECT_EQ(f.engine.Get("pay_nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(f.engine.Approve("pay_nope", kT0, &out).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(f.engine.Decline("pay_nope", kT0, &out).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(f.engine.RefundPayment("pay_nope", "r", kT0, &out).status().code(),
            StatusCode::kNotFound);
}

TEST(GatewayEngine, RefundOnlyASucceededPaymentInFull) {
  Fixture f;
  const Payment p = f.Create("k1");
  std::vector<Delivery> out;
  EXPECT_EQ(f.engine.RefundPayment(p.id, "r1", kT0, &out).status().code(),
            StatusCode::kFailedPrecondition);  // pending
  ASSERT_TRUE(f.engine.Decline(p.id, kT0, &out).ok());
  EXPECT_EQ(f.engine.RefundPayment(p.id, "r1", kT0, &out).status().code(),
            StatusCode::kFailedPrecondition);  // failed
  ASSERT_TRUE(f.engine.Approve(p.id, kT0, &out).ok());
  out.clear();
  StatusOr<Refund> r = f.engine.RefundPayment(p.id, "r1", kT0 + 9, &out);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->amount_minor, p.amount_minor);
  EXPECT_EQ(r->payment_id, p.id);
  EXPECT_TRUE(r->id.starts_with("re_"));
  EXPECT_EQ(f.engine.Get(p.id)->status, PaymentStatus::kRefunded);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].event.type, WebhookType::kRefundSucceeded);
  EXPECT_EQ(out[0].event.refund_id, r->id);
  EXPECT_EQ(out[0].event.payment.status, PaymentStatus::kRefunded);
}

TEST(GatewayEngine, RefundIsIdempotentByKey) {
  Fixture f;
  const Payment p = f.Create("k1");
  std::vector<Delivery> out;
  ASSERT_TRUE(f.engine.Approve(p.id, kT0, &out).ok());
  out.clear();
  const Refund first = *f.engine.RefundPayment(p.id, "r1", kT0, &out);
  StatusOr<Refund> again = f.engine.RefundPayment(p.id, "r1", kT0 + 1, &out);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id, first.id);
  EXPECT_EQ(out.size(), 1u);  // no second event
  EXPECT_EQ(f.engine.RefundPayment(p.id, "r2", kT0, &out).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(f.engine.stats().refunded, 1u);
}

TEST(GatewayEngine, DeclineRateTurnsApprovalsIntoDeclinesReproducibly) {
  SimulatorKnobs knobs;
  knobs.decline_percent = 30;
  const auto run = [&](uint64_t seed) {
    Fixture f(knobs, seed);
    std::vector<PaymentStatus> outcomes;
    std::vector<Delivery> out;
    for (int i = 0; i < 1'000; ++i) {
      const Payment p = f.Create("k" + std::to_string(i));
      outcomes.push_back(f.engine.Approve(p.id, kT0, &out)->status);
    }
    return outcomes;
  };
  const std::vector<PaymentStatus> a = run(kSeed);
  EXPECT_EQ(a, run(kSeed));
  const auto declined = std::count(a.begin(), a.end(), PaymentStatus::kFailed);
  EXPECT_GT(declined, 230);
  EXPECT_LT(declined, 370);
  EXPECT_NE(a, run(kSeed + 1));
}

TEST(GatewayEngine, WithoutTheKnobEveryApprovalSucceeds) {
  Fixture f;
  std::vector<Delivery> out;
  for (int i = 0; i < 200; ++i) {
    const Payment p = f.Create("k" + std::to_string(i));
    ASSERT_EQ(f.engine.Approve(p.id, kT0, &out)->status, PaymentStatus::kSucceeded);
  }
}

// Settles `n` payments with `knobs` and returns the deliveries.
std::vector<Delivery> SettleMany(SimulatorKnobs knobs, int n, EngineStats* stats = nullptr) {
  Fixture f(knobs);
  std::vector<Delivery> out;
  for (int i = 0; i < n; ++i) {
    const Payment p = f.Create("k" + std::to_string(i));
    EXPECT_TRUE(f.engine.Approve(p.id, kT0, &out).ok());
  }
  if (stats != nullptr) *stats = f.engine.stats();
  return out;
}

TEST(GatewayEngine, LossKnobDropsEvents) {
  SimulatorKnobs knobs;
  knobs.webhook_loss_percent = 25;
  EngineStats stats;
  const std::vector<Delivery> out = SettleMany(knobs, 1'000, &stats);
  EXPECT_EQ(stats.events, 1'000u);
  EXPECT_EQ(out.size(), 1'000u - stats.lost);
  EXPECT_GT(stats.lost, 180u);
  EXPECT_LT(stats.lost, 320u);
  knobs.webhook_loss_percent = 100;
  EXPECT_TRUE(SettleMany(knobs, 50).empty());
}

TEST(GatewayEngine, DuplicationKnobDeliversTheSameEventTwice) {
  SimulatorKnobs knobs;
  knobs.webhook_duplicate_percent = 100;
  const std::vector<Delivery> out = SettleMany(knobs, 10);
  ASSERT_EQ(out.size(), 20u);
  for (size_t i = 0; i < out.size(); i += 2) {
    EXPECT_EQ(out[i].event.id, out[i + 1].event.id);
    EXPECT_EQ(out[i].event.payment.id, out[i + 1].event.payment.id);
  }
  knobs.webhook_duplicate_percent = 0;
  EXPECT_EQ(SettleMany(knobs, 10).size(), 10u);
}

TEST(GatewayEngine, ReorderKnobDelaysDeliveriesSoLaterEventsMayOvertake) {
  SimulatorKnobs knobs;
  knobs.webhook_reorder_ms = 2'000;
  const std::vector<Delivery> out = SettleMany(knobs, 100);
  ASSERT_EQ(out.size(), 100u);
  bool overtaken = false;
  for (size_t i = 0; i < out.size(); ++i) {
    EXPECT_GE(out[i].not_before_ms, kT0);
    EXPECT_LE(out[i].not_before_ms, kT0 + 2'000);
    if (i > 0 && out[i].not_before_ms < out[i - 1].not_before_ms) overtaken = true;
  }
  EXPECT_TRUE(overtaken);
  knobs.webhook_reorder_ms = 0;
  for (const Delivery& d : SettleMany(knobs, 20)) EXPECT_EQ(d.not_before_ms, kT0);
}

TEST(GatewayEngine, EventsFollowTheOrderOfSettlement) {
  Fixture f;
  const Payment p = f.Create("k1");
  std::vector<Delivery> out;
  ASSERT_TRUE(f.engine.Decline(p.id, kT0 + 1, &out).ok());
  ASSERT_TRUE(f.engine.Approve(p.id, kT0 + 2, &out).ok());
  ASSERT_TRUE(f.engine.RefundPayment(p.id, "r", kT0 + 3, &out).ok());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].event.type, WebhookType::kPaymentFailed);
  EXPECT_EQ(out[1].event.type, WebhookType::kPaymentSucceeded);
  EXPECT_EQ(out[2].event.type, WebhookType::kRefundSucceeded);
  for (size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i].event.created_at_ms, kT0 + 1 + static_cast<int64_t>(i));
  }
  std::set<std::string> ids;
  for (const Delivery& d : out) ids.insert(d.event.id);
  EXPECT_EQ(ids.size(), 3u);
}

TEST(GatewayEngine, AutoPaySettlesPendingPaymentsWhenDue) {
  SimulatorKnobs knobs;
  knobs.auto_pay_ms = 1'000;
  Fixture f(knobs);
  const Payment a = f.Create("a", kT0);
  const Payment b = f.Create("b", kT0 + 500);
  std::vector<Delivery> out;
  ASSERT_TRUE(f.engine.Decline(b.id, kT0 + 600, &out).ok());  // the fan was quicker
  out.clear();
  EXPECT_EQ(f.engine.NextDueMs(), kT0 + 1'000);
  f.engine.SettleDue(kT0 + 999, &out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(f.engine.Get(a.id)->status, PaymentStatus::kPending);
  f.engine.SettleDue(kT0 + 1'000, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(f.engine.Get(a.id)->status, PaymentStatus::kSucceeded);
  f.engine.SettleDue(kT0 + 2'000, &out);
  EXPECT_EQ(out.size(), 1u);  // b was settled by the fan already
  EXPECT_EQ(f.engine.Get(b.id)->status, PaymentStatus::kFailed);
  EXPECT_FALSE(f.engine.NextDueMs().has_value());
}

TEST(GatewayEngine, AutoPayFollowsTheDeclineRate) {
  SimulatorKnobs knobs;
  knobs.auto_pay_ms = 10;
  knobs.decline_percent = 100;
  Fixture f(knobs);
  const Payment p = f.Create("a");
  std::vector<Delivery> out;
  f.engine.SettleDue(kT0 + 10, &out);
  EXPECT_EQ(f.engine.Get(p.id)->status, PaymentStatus::kFailed);
  Fixture off;  // the knob off: nothing is ever due
  off.Create("a");
  EXPECT_FALSE(off.engine.NextDueMs().has_value());
}

TEST(GatewayEngine, KnobsOutOfRangeAreRefused) {
  EXPECT_TRUE(ValidateKnobs({}).ok());
  SimulatorKnobs k;
  k.decline_percent = 101;
  EXPECT_FALSE(ValidateKnobs(k).ok());
  k = {};
  k.latency_ms = -1;
  EXPECT_FALSE(ValidateKnobs(k).ok());
  k = {};
  k.webhook_reorder_ms = kWebhookReorderMaxMs + 1;
  EXPECT_FALSE(ValidateKnobs(k).ok());
}

TEST(RetryPolicy, BackoffDoublesUpToTheMaximumWithJitter) {
  RetryPolicy p;
  p.first_delay_ms = 100;
  p.delay_max_ms = 1'000;
  for (uint64_t r : {uint64_t{0}, uint64_t{12345}, ~uint64_t{0}}) {
    const int64_t d1 = BackoffDelayMs(p, 1, r);
    EXPECT_GE(d1, 50);
    EXPECT_LE(d1, 100);
    const int64_t d3 = BackoffDelayMs(p, 3, r);
    EXPECT_GE(d3, 200);
    EXPECT_LE(d3, 400);
    const int64_t d10 = BackoffDelayMs(p, 10, r);
    EXPECT_GE(d10, 500);
    EXPECT_LE(d10, 1'000);
  }
  EXPECT_NE(BackoffDelayMs(p, 3, 1), BackoffDelayMs(p, 3, 2));
}

TEST(RetryPolicy, GivesUpAfterTheAttemptsOrTheAge) {
  RetryPolicy p;
  p.attempts_max = 3;
  p.age_max_ms = 10'000;
  EXPECT_TRUE(ShouldRetry(p, 1, 0, 100));
  EXPECT_TRUE(ShouldRetry(p, 2, 0, 100));
  EXPECT_FALSE(ShouldRetry(p, 3, 0, 100));
  EXPECT_FALSE(ShouldRetry(p, 1, 9'950, 100));
  EXPECT_TRUE(ValidateRetryPolicy(p).ok());
  p.first_delay_ms = 0;
  EXPECT_FALSE(ValidateRetryPolicy(p).ok());
}

}  // namespace
}  // namespace boxoffice::payments
