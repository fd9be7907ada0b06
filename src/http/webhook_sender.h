// WebhookSender: delivers the simulated gateway's webhooks over HTTP.
//
//   WebhookSender sender(options, registry);          // options.secret, retry, limits
//   SimulatedGateway gateway(knobs, seed, sender);    // the gateway hands it events
//   sender.Start("http://127.0.0.1:8080/v1/payments/webhook");
//
// Each event is POSTed as JSON (payments_json.h) with a fresh
// `Boxoffice-Signature` (payments::SignWebhook) on every attempt, no earlier
// than its Delivery's not_before_ms. Anything but a 2xx (or no answer within
// the timeout) is retried with exponential backoff and jitter
// (payments::RetryPolicy) until the policy gives up; the event is then
// dropped. Events accepted before Start() wait for it.
//
// Bounded: at most queue_max events are pending (waiting, in flight or
// between retries); Deliver drops what does not fit, and never blocks.
// `connections` keep-alive connections send in parallel, on one io thread
// of the sender's own.
//
// Metrics: webhook_deliveries_total{outcome="delivered|retried|dropped"}
// (shared by the senders of one registry).
//
// Thread-safety: Deliver and stats from any thread; Start and Stop from the
// owning thread. Stop (also run by the destructor) abandons what is pending.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "metrics/metrics.h"
#include "payments/retry_policy.h"
#include "payments/simulated_gateway.h"

namespace boxoffice::http {

inline constexpr size_t kWebhookQueueMaxDefault = 100'000;
inline constexpr size_t kWebhookConnectionsDefault = 4;
inline constexpr size_t kWebhookConnectionsMax = 64;
inline constexpr std::chrono::milliseconds kWebhookTimeoutDefault = std::chrono::seconds(10);

struct WebhookSenderOptions {
  std::string secret;  // HMAC key shared with the receiver
  payments::RetryPolicy retry;
  size_t queue_max = kWebhookQueueMaxDefault;
  size_t connections = kWebhookConnectionsDefault;
  std::chrono::milliseconds timeout = kWebhookTimeoutDefault;  // per attempt
  uint64_t seed = 1;                                           // for the jitter
};

struct WebhookSenderStats {
  uint64_t delivered = 0;  // acknowledged with a 2xx
  uint64_t retried = 0;    // attempts that failed and were scheduled again
  uint64_t dropped = 0;    // given up, or refused because the queue was full
};

class WebhookSender final : public payments::WebhookSink {
 public:
  WebhookSender(WebhookSenderOptions options, metrics::Registry& registry,
                payments::WallClock now_ms = payments::SystemWallMs);
  ~WebhookSender() override;
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  // Starts sending to `url` (http://HOST[:PORT]/PATH). Once.
  Status Start(const std::string& url);
  void Stop();

  void Deliver(payments::Delivery delivery) override;

  WebhookSenderStats stats() const;
  size_t pending() const { return pending_.load(); }

 private:
  class Impl;

  const size_t queue_max_;
  std::atomic<size_t> pending_{0};
  metrics::Counter& delivered_;
  metrics::Counter& retried_;
  metrics::Counter& dropped_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace boxoffice::http
