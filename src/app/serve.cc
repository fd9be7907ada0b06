#include "app/serve.h"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <future>
#include <string>
#include <string_view>
#include <thread>

#include "app/config.h"
#include "app/demo_venues.h"
#include "app/gateway_command.h"
#include "app/secrets.h"
#include "app/stop_signals.h"
#include "http/api.h"
#include "http/api_json.h"
#include "http/catalog_codec.h"
#include "http/change_stream.h"
#include "http/gateway_client.h"
#include "http/gateway_routes.h"
#include "http/jwt.h"
#include "http/rate_limits.h"
#include "http/seat_map_json.h"
#include "http/server.h"
#include "http/web_assets.h"
#include "live/hub.h"
#include "service/booking_service.h"
#include "service/system_clock.h"
#include "store/pg_store.h"
#include "store/sqlite_store.h"

namespace boxoffice::app {
namespace {

constexpr const char* kDatabaseFile = "boxoffice.db";
constexpr double kJournalBatchBuckets[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096};
constexpr int64_t kTokenTtlDefaultS = 24 * 3600;
constexpr const char* kTokenUsage = "usage: boxoffice token --user ID [--data DIR] [--ttl-s N]";
constexpr core::DurationMs kDemoStartsInMs = 30LL * 24 * 3600 * 1000;
// On shutdown, live streams get this long to send their close before the server stops.
constexpr std::chrono::milliseconds kLiveStreamCloseWait{1000};

int Fail(const std::string& what) {
  std::fprintf(stderr, "boxoffice: %s\n", what.c_str());
  return 1;
}

template <typename T>
T Wait(const std::function<void(std::function<void(T)>)>& start) {
  auto p = std::make_shared<std::promise<T>>();
  std::future<T> f = p->get_future();
  start([p](T v) { p->set_value(std::move(v)); });
  return f.get();
}

// The demo venues and an on-sale show in each, on an empty data directory.
Status CreateDemo(service::BookingService& svc, core::TimeMs now) {
  struct Demo {
    core::SeatMapSpec spec;
    const char* show;
    std::map<std::string, int64_t> prices;
  };
  const Demo demos[] = {
      {DemoTheatre(), "Hamlet (demo)", {{"PREM", 8'500}, {"STD", 5'500}, {"VIEW", 2'500}}},
      {DemoStadium(),
       "Stadium Tour (demo)",
       {{"GOLD", 15'000}, {"SILVER", 9'500}, {"BRONZE", 6'000}, {"FLOOR", 7'500}}},
  };
  for (const Demo& d : demos) {
    const std::string json = boost::json::serialize(http::SeatMapSpecToJson(d.spec));
    auto venue = Wait<StatusOr<std::shared_ptr<const service::Venue>>>(
        [&](auto done) { svc.CreateVenue(json, std::move(done)); });
    if (!venue.ok()) return venue.status();
    service::ShowSettings s;
    s.venue_id = (*venue)->id;
    s.name = d.show;
    s.starts_at_ms = now + kDemoStartsInMs;
    s.on_sale_at_ms = now;
    s.currency = "EUR";
    s.prices = d.prices;
    auto show = Wait<StatusOr<std::shared_ptr<const service::Show>>>(
        [&](auto done) { svc.CreateShow(s, std::move(done)); });
    if (!show.ok()) return show.status();
  }
  return Status::Ok();
}

void PrintDemoHelp(uint16_t port, const std::string& data_dir) {
  std::printf(
      "\nDemo shows are on sale. Try:\n"
      "  curl -s http://127.0.0.1:%u/v1/shows\n"
      "  TOKEN=$(build/release/boxoffice token --data %s --user alice)\n"
      "  curl -s -X POST http://127.0.0.1:%u/v1/shows/s1/holds -H \"Authorization: Bearer $TOKEN\" "
      "\\\n"
      "       -d '{\"best_available\":{\"count\":2}}'\n"
      "  curl -s http://127.0.0.1:%u/v1/shows/s1/availability\n"
      "  Admin key (X-Admin-Key): %s/%s\n\n",
      port, data_dir.c_str(), port, port, data_dir.c_str(), kAdminKeyFile);
}

// The payment gateway the service uses: the simulated one in this process
// (its routes mounted on this server, its webhooks sent here over loopback),
// or a client of a `boxoffice gateway` elsewhere.
struct Payments {
  std::unique_ptr<SimulatedGatewayStack> internal;
  std::unique_ptr<http::HttpGatewayClient> external;
  payments::PaymentGateway* gateway() const {
    return internal != nullptr ? static_cast<payments::PaymentGateway*>(&internal->gateway())
                               : external.get();
  }
};

StatusOr<Payments> MakePayments(const ServeConfig& c, metrics::Registry& registry) {
  Payments p;
  if (c.gateway_mode == "internal") {
    p.internal = std::make_unique<SimulatedGatewayStack>(c, registry);
    return p;
  }
  StatusOr<std::unique_ptr<http::HttpGatewayClient>> client =
      http::HttpGatewayClient::Create({c.gateway_url, c.gateway_api_key});
  if (!client.ok()) return client.status();
  p.external = std::move(client).value();
  return p;
}

service::PaymentsSetup PaymentsSetupOf(const ServeConfig& c, payments::PaymentGateway* gateway) {
  service::PaymentsSetup setup;
  setup.gateway = gateway;
  setup.webhook_secret = c.gateway_webhook_secret;
  setup.currency = c.payment_currency;
  setup.checkout_extension_ms = core::DurationMs{c.checkout_extension_s} * 1000;
  setup.reconcile_after_ms = core::DurationMs{c.payment_reconcile_after_s} * 1000;
  return setup;
}

// The operator's caps on what a show may set: new shows above them are refused.
service::ShowCaps ShowCapsOf(const ServeConfig& c) {
  return service::ShowCaps{c.hold_ttl_max_s, c.seats_per_hold_max, c.seats_per_owner_max,
                           core::DurationMs{c.hold_lifetime_max_s} * 1000};
}

http::ServerOptions ServerOptionsOf(const ServeConfig& c) {
  http::ServerOptions o;
  o.address = c.listen_address;
  o.port = c.port;
  o.io_threads = c.io_threads;
  o.body_bytes_max = c.body_bytes_max;
  o.header_bytes_max = c.header_bytes_max;
  o.connections_max = c.connections_max;
  o.keep_alive_timeout = std::chrono::seconds(c.idle_timeout_s);
  o.drain_timeout = std::chrono::seconds(c.drain_timeout_s);
  return o;
}

http::RateLimitOptions RateLimitOptionsOf(const ServeConfig& c) {
  http::RateLimitOptions o;
  o.limits = {core::RateLimit{c.rate_address_per_s, c.rate_address_burst},
              core::RateLimit{c.rate_address_read_per_s, c.rate_address_read_burst},
              core::RateLimit{c.rate_user_per_s, c.rate_user_burst},
              core::RateLimit{c.rate_user_show_per_s, c.rate_user_show_burst}};
  o.keys_max = c.rate_keys_max;
  o.loopback = c.rate_limit_loopback;
  o.forwarded_for = c.rate_forwarded_for;
  o.jwt_secret = c.jwt_secret;
  o.admin_key = c.admin_key;
  return o;
}

// The store the settings name: SQLite in data_dir, or a PostgreSQL server.
StatusOr<std::unique_ptr<store::Store>> OpenStore(const ServeConfig& c,
                                                  store::GroupCommitOptions tuning) {
  if (store::IsPostgresUrl(c.store)) {
    store::PostgresOptions o;
    static_cast<store::GroupCommitOptions&>(o) = std::move(tuning);
    auto pg = store::PostgresStore::Open(c.store, std::move(o));
    if (!pg.ok()) return Status(pg.status().code(), "PostgreSQL store: " + pg.status().message());
    return std::unique_ptr<store::Store>(std::move(pg).value());
  }
  store::SqliteOptions o;
  static_cast<store::GroupCommitOptions&>(o) = std::move(tuning);
  auto sqlite = store::SqliteStore::Open(c.data_dir + "/" + kDatabaseFile, std::move(o));
  if (!sqlite.ok()) return sqlite.status();
  return std::unique_ptr<store::Store>(std::move(sqlite).value());
}

}  // namespace

int RunServe(int argc, char** argv) {
  StopSignals stop_signals;  // before any thread starts

  StatusOr<ServeConfig> loaded = LoadServeConfig(argc + 1, argv - 1, ProcessEnvironment());
  if (!loaded.ok()) return Fail(loaded.status().message());
  ServeConfig config = std::move(loaded).value();
  if (config.help_requested) {
    std::fputs(ServeHelpText().c_str(), stdout);
    return 0;
  }
  if (Status s = EnsureDirectory(config.data_dir); !s.ok()) return Fail(s.message());
  bool created = false;
  if (config.jwt_secret.empty()) {
    StatusOr<std::string> s = LoadOrCreateSecret(config.data_dir, kJwtSecretFile, &created);
    if (!s.ok()) return Fail(s.status().message());
    config.jwt_secret = *s;
  }
  if (config.admin_key.empty()) {
    StatusOr<std::string> s = LoadOrCreateSecret(config.data_dir, kAdminKeyFile, &created);
    if (!s.ok()) return Fail(s.status().message());
    config.admin_key = *s;
    if (created)
      std::printf("admin key (X-Admin-Key), saved in %s/%s: %s\n", config.data_dir.c_str(),
                  kAdminKeyFile, s->c_str());
  }

  if (Status s = EnsureGatewaySecrets(config); !s.ok()) return Fail(s.message());
  StatusOr<std::string> queue_secret =
      LoadOrCreateSecret(config.data_dir, kQueueSecretFile, &created);
  if (!queue_secret.ok()) return Fail(queue_secret.status().message());

  metrics::Registry registry;
  metrics::Histogram& batch_size = registry.GetHistogram(
      "journal_batch_size", "Batches per journal commit", kJournalBatchBuckets);
  metrics::Histogram& commit_s =
      registry.GetHistogram("journal_commit_seconds", "Journal commit latency, fsync included");
  store::GroupCommitOptions store_options;
  store_options.batches_per_transaction_max = config.journal_batch_records_max;
  store_options.observer = [&](const store::CommitObservation& o) {
    batch_size.Observe(static_cast<double>(o.batches));
    commit_s.Observe(o.duration_s);
  };
  auto store = OpenStore(config, std::move(store_options));
  if (!store.ok()) return Fail(store.status().message());

  http::JsonCatalogCodec codec;
  const service::SystemClock clock;  // deadlines on its monotonic timeline (core/clock.h)
  service::BookingService svc(**store, codec, clock, registry, ShowCapsOf(config));
  StatusOr<Payments> payments = MakePayments(config, registry);
  if (!payments.ok()) return Fail("payment gateway: " + payments.status().message());
  svc.SetPayments(PaymentsSetupOf(config, payments->gateway()));
  http::JsonChangeEncoder change_encoder;
  live::Hub hub({.history_changes_max = config.live_history_changes_max}, change_encoder, registry);
  svc.SetChangeSink(&hub);
  svc.SetHoldEventSink(&hub);
  svc.SetHoldWarning(core::DurationMs{config.hold_warning_s} * 1000);
  svc.rooms().SetStatusEncoder(http::QueueStatusJson);
  svc.rooms().SetStatusSink(&hub);
  hub.Start();
  if (Status s = svc.Recover(); !s.ok()) return Fail("recovery failed: " + s.message());
  const bool empty = svc.SearchShows({}).empty();
  if (config.demo && empty) {
    if (Status s = CreateDemo(svc, clock.NowMs()); !s.ok()) return Fail("demo: " + s.message());
  }

  service::ShowSettings defaults;
  defaults.hold_ttl_s = config.hold_ttl_s;
  defaults.seats_per_order_max = std::min(defaults.seats_per_order_max, config.seats_per_hold_max);
  defaults.seats_per_fan_max = std::min(defaults.seats_per_fan_max, config.seats_per_owner_max);
  http::Api api(&svc,
                {config.jwt_secret, config.admin_key, defaults, *queue_secret,
                 config.queue_pow_bits, config.demo},
                &registry);
  http::Router router;
  api.Register(router);
  http::WebPages web({config.web_root});
  web.Register(router);
  if (payments->internal != nullptr) payments->internal->routes().Register(router);
  http::ChangeStream changes(
      &svc, &hub, {config.jwt_secret, {config.live_heartbeat_ms, config.live_stall_timeout_ms}});
  changes.Register(router);
  http::RateLimits rate_limits(
      RateLimitOptionsOf(config), [&clock] { return clock.NowMs(); }, &registry);
  rate_limits.Guard(router);
  http::Server server(ServerOptionsOf(config), std::move(router), registry);
  if (Status s = server.Start(); !s.ok()) return Fail(s.message());
  if (payments->internal != nullptr) {
    const std::string own = LocalBaseUrl(config.listen_address, server.port());
    const std::string public_base =
        config.gateway_public_url.empty() ? own : config.gateway_public_url;
    if (Status s = payments->internal->Start(public_base, own + "/v1/payments/webhook"); !s.ok()) {
      server.Stop();
      return Fail("payment gateway: " + s.message());
    }
  }
  svc.StartSweeper();
  api.SetReady(true);
  if (config.demo) PrintDemoHelp(server.port(), config.data_dir);
  std::printf("listening on http://%s:%u\n", config.listen_address.c_str(), server.port());
  std::fflush(stdout);
  // Seat maps rendered before the first fans ask for them, off the network threads.
  std::jthread warm_seat_maps([&api](std::stop_token stop) { api.WarmSeatMaps(stop); });

  stop_signals.Wait();
  warm_seat_maps.request_stop();
  warm_seat_maps.join();
  api.SetReady(false);
  hub.Shutdown(kLiveStreamCloseWait);
  server.Stop();
  svc.Stop();
  if (payments->internal != nullptr) payments->internal->Stop();
  (*store)->Close();
  return 0;
}

// `token --help`: the usage line, every flag and the variable it reads.
void PrintTokenHelp() {
  std::printf(
      "%s\n\n"
      "Prints a fan's bearer token: an HS256 JWT whose `sub` is the user id, signed\n"
      "with the server's JWT secret, for `Authorization: Bearer <token>`.\n\n"
      "  --user ID     the fan's user id, 1..%zu bytes (required)\n"
      "  --data DIR    the server's data directory, whose %s signs the token\n"
      "                (default ./data; start the server once to create it)\n"
      "  --ttl-s N     seconds until the token expires (default %lld)\n"
      "  -h, --help    print this help and exit\n\n"
      "Environment:\n"
      "  BOXOFFICE_JWT_SECRET  the secret to sign with instead of DIR/%s\n",
      kTokenUsage, http::kJwtSubjectBytesMax, kJwtSecretFile,
      static_cast<long long>(kTokenTtlDefaultS), kJwtSecretFile);
}

int RunToken(int argc, char** argv) {
  for (int i = 0; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--help" || std::string_view(argv[i]) == "-h") {
      PrintTokenHelp();
      return 0;
    }
  }
  std::string data_dir = "./data", user;
  int64_t ttl_s = kTokenTtlDefaultS;
  for (int i = 0; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--data") {
      data_dir = argv[i + 1];
    } else if (flag == "--user") {
      user = argv[i + 1];
    } else if (flag == "--ttl-s") {
      ttl_s = std::strtoll(argv[i + 1], nullptr, 10);
    } else {
      return Fail("token: unknown flag " + flag);
    }
  }
  if (argc % 2 != 0 || user.empty() || ttl_s <= 0) {
    std::fprintf(stderr, "%s\n(boxoffice token --help says more)\n", kTokenUsage);
    return 2;
  }
  std::string secret;
  if (const char* env = std::getenv("BOXOFFICE_JWT_SECRET"); env != nullptr && *env != '\0') {
    secret = env;
  } else {
    StatusOr<std::string> s = ReadSecret(data_dir, kJwtSecretFile);
    if (!s.ok())
      return Fail(s.status().message() + " (start the server once, or set BOXOFFICE_JWT_SECRET)");
    secret = *s;
  }
  http::JwtClaims claims;
  claims.sub = user;
  claims.iat_s = service::SystemWallMs() / 1000;
  claims.exp_s = claims.iat_s + ttl_s;
  if (Status s = http::ValidateJwtClaims(claims); !s.ok()) return Fail(s.message());
  std::printf("%s\n", http::SignJwt(claims, secret).c_str());
  return 0;
}

// The API's routes (the web pages' are not listed: their files' paths
// change with every build); POST /v1/demo/token only with --demo.
int RunRoutes(int, char**) {
  http::ApiOptions options;
  options.demo = true;
  http::Api api(nullptr, options, nullptr);
  http::GatewayRoutes gateway(nullptr, {});  // mounted by default (gateway_mode = internal)
  http::Router router;
  api.Register(router);
  gateway.Register(router);
  http::ChangeStream changes(nullptr, nullptr, {});
  changes.Register(router);
  for (const http::RouteInfo& r : router.Routes()) {
    std::printf("%s %s\n", std::string(http::MethodName(r.method)).c_str(), r.pattern.c_str());
  }
  return 0;
}

}  // namespace boxoffice::app
