// `boxoffice gateway`: the simulated payment gateway as its own process, and
// the pieces `boxoffice serve` shares with it to mount the same gateway
// in-process (gateway_mode = internal).
//
//   SimulatedGatewayStack gw(config, registry);   // engine thread + webhook sender
//   gw.routes().Register(router);                  // /gateway/... on any http::Router
//   ... start the HTTP server, learn its port ...
//   gw.Start(public_base_url, webhook_url);        // pay_url base; where webhooks go
//
// RunGateway: reads the gateway's settings (config.h, LoadGatewayConfig),
// takes the webhook secret and API key from them or from the data dir
// (generated on first start), serves /gateway/..., /healthz and /metrics,
// prints `gateway listening on http://ADDR:PORT`, and stops gracefully on
// SIGINT/SIGTERM. Payments are kept in memory only.
#pragma once

#include <cstdint>
#include <string>

#include "app/config.h"
#include "http/gateway_routes.h"
#include "http/webhook_sender.h"
#include "metrics/metrics.h"
#include "payments/simulated_gateway.h"

namespace boxoffice::app {

// Fills config.gateway_webhook_secret and gateway_api_key from DATA_DIR when
// they are not configured (creating them on first start).
Status EnsureGatewaySecrets(ServeConfig& config);

// "http://ADDR:PORT" for this machine's clients: a wildcard address becomes
// loopback, an IPv6 literal gets brackets.
std::string LocalBaseUrl(const std::string& address, uint16_t port);

class SimulatedGatewayStack {
 public:
  // `config` has its secrets (EnsureGatewaySecrets); a gateway_seed of 0 draws one.
  SimulatedGatewayStack(const ServeConfig& config, metrics::Registry& registry);
  ~SimulatedGatewayStack();

  // pay_url = public_base + /gateway/pay/<id>; webhooks go to `webhook_url`.
  Status Start(const std::string& public_base, const std::string& webhook_url);
  void Stop();

  uint64_t seed() const { return seed_; }
  payments::SimulatedGateway& gateway() { return gateway_; }
  http::GatewayRoutes& routes() { return routes_; }

 private:
  uint64_t seed_;
  http::WebhookSender sender_;
  payments::SimulatedGateway gateway_;
  http::GatewayRoutes routes_;
};

int RunGateway(int argc, char** argv);

}  // namespace boxoffice::app
