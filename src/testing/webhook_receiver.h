// WebhookReceiver: a real HTTP server on a free loopback port that records
// the webhooks POSTed to /v1/payments/webhook, for tests of whatever sends
// them. It can be told to fail the next requests (to exercise retries).
//
//   testing::WebhookReceiver receiver;
//   ASSERT_TRUE(receiver.Start().ok());
//   sender.Start(receiver.url());
//   std::vector<ReceivedWebhook> got = receiver.WaitFor(2);   // bounded wait
//
// Thread-safety: every method from any thread; Start/Stop from the owner.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"

namespace boxoffice::http {
class Server;
}
namespace boxoffice::metrics {
class Registry;
}

namespace boxoffice::testing {

inline constexpr std::string_view kWebhookPath = "/v1/payments/webhook";

struct ReceivedWebhook {
  std::string signature;  // the Boxoffice-Signature header ("" if none)
  std::string body;
  unsigned answered = 0;  // the status the receiver answered
  std::chrono::steady_clock::time_point at;
};

class WebhookReceiver {
 public:
  WebhookReceiver();
  ~WebhookReceiver();

  Status Start();
  void Stop();
  std::string url() const;  // http://127.0.0.1:PORT/v1/payments/webhook

  // The next `n` requests are answered with `status` instead of 204.
  void FailNext(int n, unsigned status);
  // Waits up to `timeout` for `n` requests; returns all received so far.
  std::vector<ReceivedWebhook> WaitFor(
      size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  std::vector<ReceivedWebhook> received() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<ReceivedWebhook> received_;
  int fail_next_ = 0;
  unsigned fail_status_ = 500;
  std::unique_ptr<metrics::Registry> registry_;
  std::unique_ptr<http::Server> server_;
  uint16_t port_ = 0;
};

}  // namespace boxoffice::testing
