// HttpGatewayClient: PaymentGateway over HTTP, for a gateway in another
// process (`boxoffice gateway`), speaking the routes of gateway_routes.h.
//
//   StatusOr<std::unique_ptr<HttpGatewayClient>> gw =
//       HttpGatewayClient::Create({.url = "http://127.0.0.1:8090", .api_key = key});
//   (*gw)->CreatePayment(request, [](StatusOr<Payment> p) { ... });   // on the client's thread
//
// One io thread of its own runs every call; up to `connections` keep-alive
// connections are used at once (further calls wait for one). Every request
// is bounded by `timeout`. A failure to reach the gateway, a timeout or a 5xx
// is kUnavailable: the caller may retry with the same idempotency key. A
// request that fails on a reused connection (the gateway closed it while it
// was idle) is sent once more on a fresh one; every request is safe to repeat
// (reads, or idempotent by key). Answers map back to the interface's codes:
// 404 kNotFound, 409 kFailedPrecondition, 400/422 kInvalidArgument.
//
// Thread-safety: the PaymentGateway methods from any thread; `done` runs on
// the client's io thread, never inline. The destructor stops the thread;
// calls still in flight are abandoned without running `done`.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/status.h"
#include "payments/gateway.h"

namespace boxoffice::http {

inline constexpr size_t kGatewayClientConnectionsDefault = 8;
inline constexpr size_t kGatewayClientConnectionsMax = 256;
inline constexpr std::chrono::milliseconds kGatewayClientTimeoutDefault = std::chrono::seconds(10);

struct GatewayClientOptions {
  std::string url;  // the gateway's root: http://HOST[:PORT]
  std::string api_key;
  size_t connections = kGatewayClientConnectionsDefault;
  std::chrono::milliseconds timeout = kGatewayClientTimeoutDefault;
};

class HttpGatewayClient final : public payments::PaymentGateway {
 public:
  // kInvalidArgument for a bad URL or limits; starts the io thread.
  static StatusOr<std::unique_ptr<HttpGatewayClient>> Create(GatewayClientOptions options);
  ~HttpGatewayClient() override;
  HttpGatewayClient(const HttpGatewayClient&) = delete;
  HttpGatewayClient& operator=(const HttpGatewayClient&) = delete;

  void CreatePayment(const payments::PaymentRequest& request,
                     payments::Done<payments::Payment> done) override;
  void GetPayment(const std::string& payment_id, payments::Done<payments::Payment> done) override;
  void CancelPayment(const std::string& payment_id,
                     payments::Done<payments::Payment> done) override;
  void RefundPayment(const std::string& payment_id, const std::string& idempotency_key,
                     payments::Done<payments::Refund> done) override;

 private:
  class Impl;
  explicit HttpGatewayClient(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace boxoffice::http
