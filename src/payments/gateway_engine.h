// GatewayEngine: the simulated card processor's bookkeeping, with no I/O.
//
//   GatewayEngine engine(knobs, seed, ids);          // ids: a core::TokenSource
//   engine.SetPayUrlBase("http://127.0.0.1:8080/gateway/pay/");
//   StatusOr<Created> c = engine.Create(request, now_ms);
//   std::vector<Delivery> out;
//   engine.Approve(c->payment.id, now_ms, &out);     // out: webhooks to send, and when
//
// Payments live in memory only: a simulated processor forgets them when its
// process ends (the booking server's reconciliation then sees kNotFound).
//
// Rules (a real processor's, simplified):
// - Create is idempotent by key: the same key and the same request give back
//   the same payment; the same key with a different amount, currency or
//   reference is kInvalidArgument (kIdempotencyMismatch in the message).
// - A pending or failed payment may be approved or declined by the fan (a
//   declined card may be retried); approval becomes a decline with
//   probability knobs.decline_percent. A succeeded, refunded or cancelled
//   payment is settled: kFailedPrecondition.
// - The merchant cancels a pending or failed payment (idempotent); a charged
//   one is kFailedPrecondition. Cancelling emits no webhook.
// - A refund is for the full amount of a succeeded payment, idempotent by
//   (payment, key); a second refund under another key is kFailedPrecondition.
// - Each settlement emits one webhook event; the knobs lose it, duplicate it
//   or delay it by a random extra (so later events may overtake it).
// - Auto-pay (knobs.auto_pay_ms > 0): a payment still pending that long after
//   its creation is settled by SettleDue, approved or declined by the decline
//   rate, as if a fan had clicked.
//
// Time is a parameter (wall-clock milliseconds); randomness comes from the
// seed, so a run is reproducible. Ids come from the TokenSource: unguessable
// in production (the payment id in pay_url is the fan's capability).
//
// Thread-safety: none; the owner serialises calls.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "core/types.h"
#include "payments/gateway.h"
#include "payments/webhook.h"

namespace boxoffice::payments {

inline constexpr size_t kPaymentsMax = 1'000'000;  // payments remembered; more: kResourceExhausted
inline constexpr uint32_t kPercentMax = 100;
inline constexpr int64_t kSimulatedLatencyMaxMs = 60'000;
inline constexpr int64_t kWebhookReorderMaxMs = 600'000;
inline constexpr int64_t kAutoPayMaxMs = 3'600'000;
inline constexpr std::string_view kIdempotencyMismatch = "idempotency key reused";

// How the simulated processor misbehaves. Every knob is off by default.
struct SimulatorKnobs {
  int64_t latency_ms = 0;                  // every API call answers this much later
  uint32_t decline_percent = 0;            // a fan's approval is declined instead
  uint32_t webhook_loss_percent = 0;       // an event is never delivered
  uint32_t webhook_duplicate_percent = 0;  // an event is delivered twice
  int64_t webhook_reorder_ms = 0;          // each delivery waits a random 0..this extra
  int64_t auto_pay_ms = 0;  // 0: the fan decides; else settled automatically after this
};

// OK, or kInvalidArgument naming the first knob out of range.
Status ValidateKnobs(const SimulatorKnobs& knobs);

// One webhook to send no earlier than `not_before_ms`.
struct Delivery {
  WebhookEvent event;
  int64_t not_before_ms = 0;
};

struct EngineStats {
  uint64_t payments = 0;
  uint64_t succeeded = 0;
  uint64_t failed = 0;
  uint64_t refunded = 0;
  uint64_t cancelled = 0;
  uint64_t events = 0;      // events emitted (before loss and duplication)
  uint64_t lost = 0;        // events dropped by the loss knob
  uint64_t duplicated = 0;  // events emitted twice by the duplication knob
};

class GatewayEngine {
 public:
  struct Created {
    Payment payment;
    bool replayed = false;  // an earlier Create with the same key made it
  };

  GatewayEngine(SimulatorKnobs knobs, uint64_t seed, core::TokenSource& ids);

  // Payments made afterwards get pay_url = base + id.
  void SetPayUrlBase(std::string base) { pay_url_base_ = std::move(base); }
  const SimulatorKnobs& knobs() const { return knobs_; }

  StatusOr<Created> Create(const PaymentRequest& request, int64_t now_ms);
  StatusOr<Payment> Get(const std::string& payment_id) const;
  StatusOr<Payment> Approve(const std::string& payment_id, int64_t now_ms,
                            std::vector<Delivery>* out);
  StatusOr<Payment> Decline(const std::string& payment_id, int64_t now_ms,
                            std::vector<Delivery>* out);
  StatusOr<Refund> RefundPayment(const std::string& payment_id, const std::string& key,
                                 int64_t now_ms, std::vector<Delivery>* out);
  StatusOr<Payment> Cancel(const std::string& payment_id, int64_t now_ms);

  // Auto-pay: settles every payment due by `now_ms`; no-op when the knob is off.
  void SettleDue(int64_t now_ms, std::vector<Delivery>* out);
  // When SettleDue next has something to do, if ever.
  std::optional<int64_t> NextDueMs() const;

  const EngineStats& stats() const { return stats_; }

 private:
  struct Record {
    Payment payment;
    std::string idempotency_key;
    std::optional<Refund> refund;
    std::string refund_key;
  };

  StatusOr<Record*> Find(const std::string& payment_id);
  Status Settle(Record& r, bool approve, int64_t now_ms, std::vector<Delivery>* out);
  void Emit(WebhookEvent event, int64_t now_ms, std::vector<Delivery>* out);
  std::string NewId(std::string_view prefix);
  bool Roll(uint32_t percent);
  uint64_t Next();

  SimulatorKnobs knobs_;
  uint64_t rng_state_;
  core::TokenSource& ids_;
  std::string pay_url_base_;
  std::unordered_map<std::string, Record> payments_;      // by id
  std::unordered_map<std::string, std::string> by_key_;   // idempotency key -> id
  std::deque<std::pair<int64_t, std::string>> auto_pay_;  // (due, id), due non-decreasing
  EngineStats stats_;
};

}  // namespace boxoffice::payments
