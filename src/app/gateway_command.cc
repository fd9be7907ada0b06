#include "app/gateway_command.h"

#include <cstdio>
#include <random>

#include "app/secrets.h"
#include "app/stop_signals.h"
#include "http/problem.h"
#include "http/server.h"

namespace boxoffice::app {
namespace {

int Fail(const std::string& what) {
  std::fprintf(stderr, "boxoffice gateway: %s\n", what.c_str());
  return 1;
}

payments::SimulatorKnobs KnobsOf(const ServeConfig& c) {
  payments::SimulatorKnobs k;
  k.latency_ms = c.gateway_latency_ms;
  k.decline_percent = c.gateway_decline_percent;
  k.webhook_loss_percent = c.gateway_webhook_loss_percent;
  k.webhook_duplicate_percent = c.gateway_webhook_duplicate_percent;
  k.webhook_reorder_ms = c.gateway_webhook_reorder_ms;
  k.auto_pay_ms = c.gateway_auto_pay_ms;
  return k;
}

uint64_t SeedOf(const ServeConfig& c) {
  if (c.gateway_seed != 0) return c.gateway_seed;
  return std::random_device{}() | 1u;  // never 0: 0 means "draw one"
}

http::WebhookSenderOptions SenderOptionsOf(const ServeConfig& c, uint64_t seed) {
  http::WebhookSenderOptions o;
  o.secret = c.gateway_webhook_secret;
  o.seed = seed;
  return o;
}

Status EnsureSecret(const std::string& dir, const char* file, std::string* secret) {
  if (!secret->empty()) return Status::Ok();
  bool created = false;
  StatusOr<std::string> s = LoadOrCreateSecret(dir, file, &created);
  if (!s.ok()) return s.status();
  *secret = *s;
  return Status::Ok();
}

}  // namespace

Status EnsureGatewaySecrets(ServeConfig& config) {
  if (Status s = EnsureDirectory(config.data_dir); !s.ok()) return s;
  if (Status s = EnsureSecret(config.data_dir, kWebhookSecretFile, &config.gateway_webhook_secret);
      !s.ok()) {
    return s;
  }
  return EnsureSecret(config.data_dir, kGatewayApiKeyFile, &config.gateway_api_key);
}

std::string LocalBaseUrl(const std::string& address, uint16_t port) {
  std::string host = address;
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(port);
}

SimulatedGatewayStack::SimulatedGatewayStack(const ServeConfig& config, metrics::Registry& registry)
    : seed_(SeedOf(config)),
      sender_(SenderOptionsOf(config, seed_), registry),
      gateway_(KnobsOf(config), seed_, sender_),
      routes_(&gateway_, {config.gateway_api_key}) {
  BOX_ASSERT(!config.gateway_webhook_secret.empty() && !config.gateway_api_key.empty());
}

SimulatedGatewayStack::~SimulatedGatewayStack() { Stop(); }

Status SimulatedGatewayStack::Start(const std::string& public_base,
                                    const std::string& webhook_url) {
  gateway_.SetPayUrlBase(public_base + std::string(http::kGatewayPayPath));
  return sender_.Start(webhook_url);
}

void SimulatedGatewayStack::Stop() {
  gateway_.Stop();  // no more webhooks handed over
  sender_.Stop();
}

int RunGateway(int argc, char** argv) {
  StopSignals stop_signals;  // before any thread starts

  StatusOr<ServeConfig> loaded = LoadGatewayConfig(argc + 1, argv - 1, ProcessEnvironment());
  if (!loaded.ok()) return Fail(loaded.status().message());
  ServeConfig config = std::move(loaded).value();
  if (config.help_requested) {
    std::fputs(GatewayHelpText().c_str(), stdout);
    return 0;
  }
  if (Status s = EnsureGatewaySecrets(config); !s.ok()) return Fail(s.message());

  metrics::Registry registry;
  SimulatedGatewayStack stack(config, registry);
  http::Router router;
  stack.routes().Register(router);
  router.Add(http::Method::kGet, "/healthz", [](http::Request&&, http::Responder r) {
    r(http::Response::Json(200, R"({"status":"ok"})"));
  });
  router.Add(http::Method::kGet, "/metrics", [&registry](http::Request&&, http::Responder r) {
    http::Response out = http::Response::Text(200, registry.RenderText());
    out.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r(std::move(out));
  });
  http::ServerOptions options;
  options.address = config.gateway_listen_address;
  options.port = config.gateway_port;
  http::Server server(options, std::move(router), registry);
  if (Status s = server.Start(); !s.ok()) return Fail(s.message());
  const std::string own = LocalBaseUrl(config.gateway_listen_address, server.port());
  const std::string public_base =
      config.gateway_public_url.empty() ? own : config.gateway_public_url;
  if (Status s = stack.Start(public_base, config.gateway_webhook_url); !s.ok()) {
    server.Stop();
    return Fail(s.message());
  }
  std::printf("gateway seed %llu; webhooks to %s\n", static_cast<unsigned long long>(stack.seed()),
              config.gateway_webhook_url.c_str());
  std::printf("gateway listening on http://%s:%u\n", config.gateway_listen_address.c_str(),
              server.port());
  std::fflush(stdout);

  stop_signals.Wait();
  server.Stop();
  stack.Stop();
  return 0;
}

}  // namespace boxoffice::app
